"""DHIS2 identifiers: UIDs, the default combos, id schemes and ADX periods."""

import datetime
import re

from twinning.core.periods import Frequency, Period, parse_period
from twinning.core.validators import DHIS2_UID

# DHIS2 creates the "default" category option combo with this UID in every database; files name it for values
# without a disaggregation (and as the default attribute option combo).
DEFAULT_COMBO_UID = "HllvX50cXC0"
DEFAULT_COMBO_NAMES = frozenset({"", DEFAULT_COMBO_UID, "default"})


class IdScheme:
    UID = "UID"
    CODE = "CODE"
    ALL = (UID, CODE)


def is_uid(value: str) -> bool:
    """Whether `value` is a DHIS2 UID (11 characters: a letter, then ten letters or digits)."""
    return bool(DHIS2_UID.match(value))


def id_scheme(value: str | None, default: str = IdScheme.UID) -> str | None:
    """`UID` or `CODE` from a request parameter or a file's attribute (any case; blank gives `default`), None
    for a scheme Twinning does not keep (NAME, ATTRIBUTE:...)."""
    if not value:
        return default
    upper = value.strip().upper()
    return upper if upper in IdScheme.ALL else None


_ADX_PERIOD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(\d+)([MYD])$")
_ADX_MONTHS = {1: Frequency.MONTHLY, 3: Frequency.QUARTERLY, 6: Frequency.SIX_MONTHLY, 12: Frequency.YEARLY}


def adx_period_id(value: str) -> str | None:
    """The DHIS2 period id of an ADX period (`2024-01-01/P3M` gives `2024Q1`), or None when it is not a monthly,
    quarterly, six-monthly or yearly period that starts where such a period starts."""
    match = _ADX_PERIOD.match(value.strip())
    if not match:
        return None
    year, month, day, count, unit = match.groups()
    months = int(count) * 12 if unit == "Y" else int(count) if unit == "M" else 0
    frequency = _ADX_MONTHS.get(months)
    if frequency is None or day != "01":
        return None
    try:
        start = datetime.date(int(year), int(month), 1)
    except ValueError:
        return None
    if (start.month - 1) % months:
        return None
    if frequency == Frequency.YEARLY:
        period_id = f"{start.year}"
    elif frequency == Frequency.MONTHLY:
        period_id = f"{start.year}{start.month:02d}"
    else:
        letter = "Q" if frequency == Frequency.QUARTERLY else "S"
        period_id = f"{start.year}{letter}{(start.month - 1) // months + 1}"
    return period_id


def period_or_none(period_id: str) -> Period | None:
    """The period of a DHIS2 period id Twinning reports in (yearly, six-monthly, quarterly, monthly), or None for
    any other (weekly, daily, financial years)."""
    try:
        return parse_period(period_id)
    except ValueError:
        return None
