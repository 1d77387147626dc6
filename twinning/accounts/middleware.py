"""The language a signed-in person chose on their profile wins over the browser's and the chooser's cookie.

Django's LocaleMiddleware (earlier in settings.MIDDLEWARE, before the user is known) picks the language from the
language chooser's cookie, else the browser's Accept-Language, else settings.LANGUAGE_CODE. This middleware,
placed after AuthenticationMiddleware, replaces that choice with the profile's when the person has set one, so
they read Twinning in the same language on every device. API calls with a token are handled in
accounts.api_auth (the token's user is known only there).

It also records the language each signed-in page is shown in (User.last_language), so that emails to someone
who never chose a language are written in the one they read Twinning in (accounts.notifications). The user row
is loaded anyway to read the profile's language, so a page costs no query for it: one UPDATE, only when the
language differs from the one recorded.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from twinning.accounts.models import User


def profile_language(user: object) -> str:
    """The language code the person chose on their profile ("fr"), or "" when they follow their browser (or it
    is not an available language any more, or there is no signed-in person).

    Raises: nothing.
    """
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    language = str(getattr(user, "language", "") or "")
    return language if language and translation.check_for_language(language) else ""


class ProfileLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = profile_language(getattr(request, "user", None))
        if language and language != translation.get_language():
            translation.activate(language)
            request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        _remember_language(getattr(request, "user", None))
        return self.get_response(request)


def _remember_language(user: object) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return
    language = translation.get_language()
    if (
        language
        and language != getattr(user, "last_language", language)
        and language in dict(settings.LANGUAGES)
    ):
        # update(), not save(): one column, no full_clean or audit (it is a reading habit, not a change of data).
        User.objects.filter(pk=user.pk).update(last_language=language)  # type: ignore[attr-defined]
        user.last_language = language  # type: ignore[attr-defined]
