"""What every page may need to know about its reader, computed only when a template asks."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from twinning.accounts.access import sees_contacts_anywhere


def contacts(request: HttpRequest) -> dict[str, Any]:
    """`show_contacts`: whether a person's e-mail address may stand in for a missing name on a page tied to no
    one partnership (accounts/access.py, sees_contacts_anywhere); one query, on first use only.

    Raises: nothing.
    """
    user = getattr(request, "user", None)
    return {"show_contacts": SimpleLazyObject(lambda: user is not None and sees_contacts_anywhere(user))}
