"""Reporting periods named by DHIS2 period identifiers: `2024` yearly, `2024S1` six-monthly, `2024Q1` quarterly,
`202401` monthly. One module so planning (targets), monitoring (results) and core's history and exports speak the
same periods; it lives in core because core imports no app. `twinning.planning.periods` re-exports it and holds
the model validator that migrations name.
"""

import datetime
import re
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from twinning.core.choices import Choices
from twinning.core.rendering import as_text, degrades_to


class Frequency(Choices):
    MONTHLY = "monthly", gettext_lazy("Monthly")
    QUARTERLY = "quarterly", gettext_lazy("Quarterly")
    SIX_MONTHLY = "six_monthly", gettext_lazy("Six-monthly")
    YEARLY = "yearly", gettext_lazy("Yearly")


MONTHS_IN = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.SIX_MONTHLY: 6, Frequency.YEARLY: 12}
_PATTERNS = [
    (Frequency.YEARLY, re.compile(r"^(\d{4})$")),
    (Frequency.SIX_MONTHLY, re.compile(r"^(\d{4})S([12])$")),
    (Frequency.QUARTERLY, re.compile(r"^(\d{4})Q([1-4])$")),
    (Frequency.MONTHLY, re.compile(r"^(\d{4})(0[1-9]|1[0-2])$")),
]


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    frequency: str
    id: str

    @property
    def months(self) -> int:
        return MONTHS_IN[Frequency(self.frequency)]

    @property
    def end(self) -> datetime.date:
        """The last day of the period."""
        month_index = self.start.year * 12 + self.start.month - 1 + self.months
        first_after = datetime.date(month_index // 12, month_index % 12 + 1, 1)
        return first_after - datetime.timedelta(days=1)

    @property
    def year(self) -> int:
        return self.start.year

    def label(self) -> str:
        """The period in the reader's own words and language, e.g. "Q1 2024", "January 2024"."""
        if self.frequency == Frequency.YEARLY:
            return str(self.start.year)
        if self.frequency == Frequency.MONTHLY:
            return date_format(self.start, "YEAR_MONTH_FORMAT")
        number = (self.start.month - 1) // self.months + 1
        if self.frequency == Frequency.QUARTERLY:
            return _("Q%(n)s %(year)s") % {"n": number, "year": self.start.year}
        return _("H%(n)s %(year)s") % {"n": number, "year": self.start.year}

    def adx(self) -> str:
        """The ISO start/duration form ADX uses, e.g. `2024-01-01/P3M`."""
        return (
            f"{self.start.isoformat()}/P{self.months}M"
            if self.months < 12
            else f"{self.start.isoformat()}/P1Y"
        )


def parse_period(period_id: str) -> Period:
    """A Period from its DHIS2 identifier; ValueError for anything else."""
    for frequency, pattern in _PATTERNS:
        match = pattern.match(period_id)
        if match:
            year = int(match.group(1))
            if frequency == Frequency.YEARLY:
                month = 1
            elif frequency == Frequency.MONTHLY:
                month = int(match.group(2))
            else:
                month = (int(match.group(2)) - 1) * MONTHS_IN[frequency] + 1
            return Period(datetime.date(year, month, 1), frequency, period_id)
    raise ValueError(f"Not a DHIS2 period identifier: {period_id!r}")


@degrades_to(as_text)
def period_label(period_id: str) -> str:
    """A period id ("2026Q1") in the reader's words ("Q1 2026"); an id no parser knows is shown unchanged."""
    try:
        return parse_period(str(period_id)).label()
    except ValueError:
        return str(period_id)


def period_containing(day: datetime.date, frequency: str) -> Period:
    months = MONTHS_IN[Frequency(frequency)]
    first_month = (day.month - 1) // months * months + 1
    start = datetime.date(day.year, first_month, 1)
    if frequency == Frequency.YEARLY:
        return Period(start, frequency, f"{day.year}")
    if frequency == Frequency.MONTHLY:
        return Period(start, frequency, f"{day.year}{day.month:02d}")
    number = (first_month - 1) // months + 1
    letter = "Q" if frequency == Frequency.QUARTERLY else "S"
    return Period(start, frequency, f"{day.year}{letter}{number}")


def periods_between(first: datetime.date, last: datetime.date, frequency: str) -> list[Period]:
    """Every period of `frequency` that overlaps [first, last], in order."""
    periods = []
    current = period_containing(first, frequency)
    while current.start <= last:
        periods.append(current)
        current = period_containing(current.end + datetime.timedelta(days=1), frequency)
    return periods
