"""Template filters of the sustainability app."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from twinning.sustainability.scores import SCORE_PLACES, score_round

register = template.Library()


@register.filter
def score(value: float | Decimal | None) -> str:
    """A score or gap as every page shows it: `scores.score_round` (half-up, one decimal) in the reader's
    locale; "" for None."""
    shown = score_round(value)
    return "" if shown is None else number_format(shown, decimal_pos=SCORE_PLACES)
