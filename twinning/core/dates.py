"""What "today" is for a record: the local date of the place it belongs to, never the server's.

Rules about today (nothing received in the future, a period has started, a report is due or overdue, the date a
form offers by default) are about the place the record belongs to: a partnership's host institution. At 23:30
UTC it is already tomorrow in Fiji (UTC+12) and still today in Hawaii (UTC-10); a server in Europe knows neither.
A place's zone is its institution's `time_zone`; an institution without one uses its country's zone when the
country has only one (CLDR's territory zones, from babel), else the installation's `TIME_ZONE`.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from functools import cache

from babel.core import get_global
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


@cache
def _zone(name: str) -> datetime.tzinfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


@cache
def country_zone(country: str) -> str:
    """The IANA zone of an ISO 3166 alpha-2 `country` that has exactly one (e.g. "UG" -> "Africa/Kampala"), or ""
    for a country spanning several zones or an unknown code (the caller then uses the installation's zone).

    Raises: nothing.
    """
    zones = get_global("territory_zones").get((country or "").upper(), [])
    return zones[0] if len(zones) == 1 else ""


def place_zone(time_zone: str, country: str = "") -> str:
    """The zone of a place: its own `time_zone` if set, else its country's only zone, else "" (the
    installation's zone).

    Raises: nothing.
    """
    return time_zone or country_zone(country)


def local_today(tz: str | datetime.tzinfo | None = None) -> datetime.date:
    """Today's date in the zone `tz` (an IANA name or a tzinfo), at this instant (`django.utils.timezone.now`).
    A blank or unknown name gives the installation's local date (settings.TIME_ZONE).

    Raises: nothing.
    """
    zone = _zone(tz) if isinstance(tz, str) and tz else tz if isinstance(tz, datetime.tzinfo) else None
    return timezone.localdate(timezone.now(), zone)


def latest_today(zones: Iterable[str] = ()) -> datetime.date:
    """The latest local date among `zones` (the installation's if there are none): the date by which something
    anywhere among those places has already happened (e.g. which years a programme roll-up may show).

    Raises: nothing.
    """
    return max([local_today(z) for z in zones] or [local_today()])


# The earliest date a record of what a programme did may carry (a talk given, a level of adoption reached): the
# health partnerships Twinning records began in the late 1980s. An earlier date is a slip of the keyboard (year
# 1, 1066) that would otherwise be stored and drawn as year "1" in the charts.
EARLIEST_RECORD_DATE = datetime.date(1980, 1, 1)


def check_date_between(
    day: datetime.date | None, *, first: datetime.date, last: datetime.date, field: str
) -> dict[str, list[str]]:
    """The error (keyed by `field`) for a `day` outside `first`..`last` inclusive, with both bounds in the
    reader's date format; {} for a day inside, or None (a missing date is the model's to refuse). A service
    merges it with its other errors and raises one ValidationError.

    Raises: nothing.
    """
    if not isinstance(day, datetime.date) or first <= day <= last:
        return {}
    return {
        field: [
            _("Give a date from %(first)s to %(last)s.")
            % {"first": date_format(first), "last": date_format(last)}
        ]
    }
