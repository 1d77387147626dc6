from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from twinning.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request type of views behind login_required, with django-htmx's details (for type checking)."""

    user: "User"  # type: ignore[assignment]
    htmx: HtmxDetails
