"""Partnership fragments that lower apps' pages show, so that those apps need not import partnerships."""

from typing import Any

from django import template

from twinning.directory.models import Institution
from twinning.partnerships.selectors import partnership_list

register = template.Library()


@register.inclusion_tag("partnerships/includes/partnership_table.html", takes_context=True)
def institution_partnerships(context: dict[str, Any], institution: Institution) -> dict[str, Any]:
    """The partnerships `institution` takes part in that the signed-in user may see (the institution page's
    section); scoped by `partnership_list`, so an outsider sees none."""
    return {"partnerships": partnership_list(user=context["request"].user, institution_uuid=institution.uuid)}
