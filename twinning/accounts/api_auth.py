"""How the API knows who is calling: a personal token, or the signed-in browser's session."""

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import Throttled
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from twinning.accounts.access import sees_contacts_anywhere
from twinning.accounts.middleware import profile_language
from twinning.accounts.models import User
from twinning.accounts.services import api_token_authenticate
from twinning.core.throttling import FailedTokenThrottle


class BearerAuth(HttpBearer):
    """`Authorization: Bearer tw_...` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        # Guessing tokens meets a limit per address before any lookup (answered 429).
        failures = FailedTokenThrottle()
        if failures.exhausted(request):
            wait = failures.wait()
            raise Throttled(wait=math.ceil(wait) if wait is not None else None)
        user = api_token_authenticate(token)
        if user is None:
            failures.record_failure()
        elif "Accept-Language" not in request.headers:
            _answer_in_profile_language(request, user)
        return user


def _answer_in_profile_language(request: HttpRequest, user: User) -> None:
    # A client that names a language in Accept-Language gets it (LocaleMiddleware chose it); one that does not
    # gets the token owner's, as on the web. A session caller already has theirs (ProfileLanguageMiddleware).
    language = profile_language(user)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


class SessionAuth(APIKeyCookie):
    """The signed-in browser's Django session, CSRF-checked on unsafe methods."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> User | None:
        # A request that sends a token stands or falls by that token: a wrong token must answer 401,
        # not slip through on the strength of a browser cookie sent alongside it.
        if "Authorization" in request.headers:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Checked only once we know the session is what authenticates, so a token client never meets CSRF.
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise PermissionDenied(_("CSRF check failed. Reload the page and try again."))
        return user

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        return self(request)


class ApiRequest(HttpRequest):
    """What an endpoint receives: ninja sets `auth` to the authenticated user before the endpoint runs."""

    auth: User


def api_person_name(user: User | None, context: Any) -> str:
    """How an API answer names a person (a plan's signer, say): their full name; their e-mail address only for a
    caller who may see contact details (access.sees_contacts_anywhere, asked once per request), else
    "(no name given)". `context` is the schema resolver's context, holding the request.

    Raises: nothing.
    """
    if user is None:
        return ""
    if user.full_name:
        return user.full_name
    request = (context or {}).get("request")
    shows = getattr(request, "_twinning_sees_contacts", None)
    if shows is None:
        caller = getattr(request, "auth", None)
        shows = caller is not None and sees_contacts_anywhere(caller)
        if request is not None:
            request._twinning_sees_contacts = shows  # type: ignore[attr-defined]
    return user.email if shows else _("(no name given)")
