from typing import Any

from django import template

from twinning.exchanges.models import MentoringPair

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.filter
def pair_status(code: str) -> str:
    return str(dict(MentoringPair.Status.choices).get(code, code))
