from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist

register = template.Library()


@register.filter
def field_label(name: str, event: Any) -> str:
    """The translated verbose name of a field named in an audit event, or the raw name if the field is gone."""
    model = event.target_type.model_class()
    try:
        return str(model._meta.get_field(name).verbose_name) if model else name
    except FieldDoesNotExist:
        return name.replace("_", " ")
