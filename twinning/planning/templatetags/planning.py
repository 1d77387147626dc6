from decimal import Decimal
from typing import Any

from django import template

from twinning.core.rendering import as_text, degrades_to

register = template.Library()


@degrades_to(as_text)
def plain_number(value: Any) -> str:
    """A Decimal without trailing zeros or an exponent: 120.0000 → "120", 12.5000 → "12.5"."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        return str(value)
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


register.filter("plain", plain_number)
