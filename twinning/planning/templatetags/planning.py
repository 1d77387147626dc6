from decimal import Decimal
from typing import Any

from django import template

from twinning.core.numbers import current_locale, format_number
from twinning.core.rendering import as_text, degrades_to
from twinning.planning.periods import period_label

register = template.Library()


@degrades_to(as_text)
def plain_number(value: Any) -> str:
    """A Decimal in the reader's language without trailing zeros, exponent or grouping: 12.5000 → "12.5" in
    English, "12,5" in Portuguese; what a target cell shows reads back as the same value (core.numbers)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    return format_number(value, locale=current_locale())


register.filter("plain", plain_number)
# One way to write a period everywhere ("Q1 2024", in the reader's language), never its id ("2024Q1").
register.filter("period_label", period_label)
