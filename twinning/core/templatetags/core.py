from typing import Any

from django import template
from django.core.exceptions import FieldDoesNotExist

from twinning.core.rendering import degrades_to

register = template.Library()


def _plain_name(name: Any, event: Any = None) -> str:
    return str(name).replace("_", " ")


@register.filter
@degrades_to(_plain_name)
def field_label(name: str, event: Any) -> str:
    """The translated verbose name of a field named in an audit event.

    A relation (a plan's sign-offs) is named by the related records' plural name; a field that is gone, or a
    model that is gone, by the raw name with spaces.
    """
    model = event.target_type.model_class()
    if model is None:
        return _plain_name(name)
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return _plain_name(name)
    label = getattr(field, "verbose_name", None)
    if label is None and field.related_model is not None:
        label = field.related_model._meta.verbose_name_plural
    return str(label) if label else _plain_name(name)
