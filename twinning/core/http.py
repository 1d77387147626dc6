from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from twinning.accounts.models import User


class ReadRefused(PermissionDenied):
    """403 for something the user's role may not read at all (a reader asking for a draft plan version,
    docs/ACCESS.md), as opposed to a change it may not make: the error page (core.middleware.permission_denied)
    then says so rather than "you may see this, but not change it" (fresh tester, issue 10)."""


class AuthedRequest(HttpRequest):
    """The request type of views behind login_required, with django-htmx's details (for type checking)."""

    user: "User"  # type: ignore[assignment]
    htmx: HtmxDetails


# How each URL argument of a POST-only view names its object for a user: a function that returns it or raises
# Http404 when the user may not see it. Each app registers the arguments of its own views (`post_scope`).
_SCOPES: dict[str, Callable[[Any, Any], object]] = {}


def post_scope(argument: str, find: Callable[[Any, Any], object]) -> None:
    """Say how `post_only` finds the object a URL argument named `argument` names, as the user: `find(user,
    value)` returns it, or raises Http404 outside the user's scope (read access is enough: the method check only
    has to know whether the user may learn that the object exists)."""
    _SCOPES[argument] = find


def post_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only POST reaches `view`; a request of another method is answered 405, but only after the objects of its
    URL are found as the user (each argument registered with `post_scope`), so someone outside them gets 404
    whatever the method, as they would for a POST, and never learns from a 405 that the object exists. An
    address with arguments none of which is registered answers 404 to other methods (it cannot tell). Use it
    under login_required, in place of Django's require_POST.
    """

    @wraps(view)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            return view(request, *args, **kwargs)
        found = False
        for name, value in kwargs.items():
            find = _SCOPES.get(name)
            if find is not None:
                find(request.user, value)
                found = True
        if kwargs and not found:
            raise Http404
        return HttpResponseNotAllowed(["POST"])

    inner.post_only = True  # type: ignore[attr-defined]  # for the test that walks every POST-only address
    return inner
