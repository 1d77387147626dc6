from typing import Any

from django import template

from twinning.core.rendering import as_text, degrades_to
from twinning.exchanges.models import MentoringPair

register = template.Library()


def _missing(mapping: Any, key: Any) -> None:
    return None


@register.filter
@degrades_to(_missing)
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
@degrades_to(as_text)
def pair_status(code: str) -> str:
    return str(dict(MentoringPair.Status.choices).get(code, code))
