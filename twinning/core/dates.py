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
