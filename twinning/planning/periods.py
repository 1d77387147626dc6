"""Reporting periods (see `twinning.core.periods`, re-exported here for planning and monitoring) and the model
validator of a period field, which stays here because migrations name it by this path.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from twinning.core.periods import (
    MONTHS_IN,
    Frequency,
    Period,
    parse_period,
    period_containing,
    period_label,
    periods_between,
)

__all__ = [
    "MONTHS_IN",
    "Frequency",
    "Period",
    "parse_period",
    "period_containing",
    "period_label",
    "periods_between",
    "validate_period_id",
]


def validate_period_id(value: str) -> None:
    try:
        parse_period(value)
    except ValueError as exc:
        raise ValidationError(
            _("%(value)s is not a reporting period; use e.g. 2024, 2024S1, 2024Q1 or 202401."),
            params={"value": value},
        ) from exc
