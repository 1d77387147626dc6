from typing import Any

from django import template
from django.utils.translation import gettext

from twinning.core.history import HistoryEntry, change_label, history_entries
from twinning.core.reference import country_name
from twinning.core.rendering import as_text, degrades_to

register = template.Library()


def _plain_name(name: Any, event: Any = None) -> str:
    return str(name).replace("_", " ")


@register.filter
@degrades_to(_plain_name)
def field_label(name: str, event: Any) -> str:
    """The translated verbose name of a field named in an audit event (twinning.core.history.change_label)."""
    return change_label(event, name)


def _name_or_nothing(user: Any, show_contacts: Any = False) -> str:
    return str(getattr(user, "full_name", "") or "")


@register.filter
@degrades_to(_name_or_nothing)
def person_name(user: Any, show_contacts: Any = False) -> str:
    """How a page names a user: their full name; without one, their e-mail address only when the reader may
    see contact details (`show_contacts`, from accounts/access.py), else "(no name given)". "" for no user.
    """
    if user is None or user == "":
        return ""
    name = getattr(user, "full_name", "")
    if name:
        return str(name)
    email = getattr(user, "email", "")
    if show_contacts and email:
        return str(email)
    return gettext("(no name given)")


@register.simple_tag(takes_context=True)
def history_lines(context: Any, events: Any) -> list[HistoryEntry]:
    """The page's history in people's language (twinning.core.history): the full version when the view says
    the reader may change the record (`history_full`), else the short one; e-mail addresses only for readers
    who may see contact details (the page's `access`, else `show_contacts`).
    """
    access = context.get("access")
    contacts = (
        access.can_see_contacts if hasattr(access, "can_see_contacts") else context.get("show_contacts")
    )
    return history_entries(events, full=bool(context.get("history_full")), show_contacts=bool(contacts))


@register.filter("country_name")
@degrades_to(as_text)
def country_name_filter(code: str) -> str:
    """An ISO country code ("UG") as the country's name in the reader's language ("Uganda")."""
    return country_name(str(code or ""))
