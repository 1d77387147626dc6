from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import i18n

from twinning.accounts.forms import ApiTokenForm, LanguageForm, SignInForm
from twinning.accounts.models import ApiToken, User
from twinning.accounts.services import api_token_create, api_token_revoke, user_language_set
from twinning.core.http import AuthedRequest, post_only, post_scope

post_scope("token_id", lambda user, pk: get_object_or_404(ApiToken, user=user, pk=pk))


@login_required
def profile(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm()
    new_token = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_token = api_token_create(
                    actor=request.user, user=request.user, name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                form = ApiTokenForm()
    return render(
        request,
        "accounts/profile.html",
        {
            "form": form,
            "language_form": LanguageForm(initial={"language": request.user.language}),
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=request.user),
            "programme_roles": request.user.programme_roles.select_related("programme"),
            "memberships": request.user.memberships.select_related("partnership"),
        },
    )


@login_required
@post_only
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    # Tokens of other users are simply not found: never reveal that they exist.
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("profile")


@login_required
@post_only
def language_change(request: AuthedRequest) -> HttpResponse:
    """The profile's language (blank: the browser's). The chooser's cookie follows it, so the page stays in
    that language after signing out on this browser."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("profile")
    language = form.cleaned_data["language"]
    user_language_set(actor=request.user, user=request.user, language=language)
    if language:
        translation.activate(language)
    response = redirect("profile")
    if language:
        _set_language_cookie(response, language)
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME, path=settings.LANGUAGE_COOKIE_PATH)
    messages.success(request, _("Your language is saved."))
    return response


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@post_only
def set_language(request: HttpRequest) -> HttpResponse:
    """The language chooser on every page (a plain form, no JavaScript): Django's set_language (the cookie,
    then back to `next`), and for a signed-in person also their profile's language, which otherwise would win
    over the cookie on the next page."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if language in dict(settings.LANGUAGES) and translation.check_for_language(language):
        if user.is_authenticated:
            user_language_set(actor=user, user=user, language=language)  # type: ignore[arg-type]
        else:
            # Chosen before signing in: the person's latest explicit choice, which the sign-in then keeps as
            # their profile's language (SignInView), rather than their older saved one silently winning.
            request.session[CHOSEN_BEFORE_SIGN_IN] = language
    return response


CHOSEN_BEFORE_SIGN_IN = "twinning_language_chosen"


class SignInView(auth_views.LoginView):
    """Django's sign-in, keeping a language chosen on the way in (the chooser on the sign-in page, `set_language`)
    as the person's profile language: the profile wins over the browser on every page once signed in
    (accounts.middleware), so without this the choice made a second earlier was dropped (fresh tester, issue 15).
    """

    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        chosen = self.request.session.get(CHOSEN_BEFORE_SIGN_IN, "")
        response = super().form_valid(form)  # signs in: the session keeps its data under a new key
        self.request.session.pop(CHOSEN_BEFORE_SIGN_IN, None)
        user = self.request.user
        if chosen in dict(settings.LANGUAGES) and isinstance(user, User):
            user_language_set(actor=user, user=user, language=chosen)
        return response


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The sign-in page again, saying why it refuses (429): too many failed sign-ins for this account or from
    this address. The lockout itself is django-axes' (settings AXES_*); an administrator lifts it early in the
    admin's "Access attempts" or with `twinning axes_reset_username EMAIL` / `axes_reset_ip ADDRESS`."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = ngettext(
        "Too many failed sign-ins for this account or from this address. Try again in %(minutes)s minute, "
        "or ask an administrator to unlock it.",
        "Too many failed sign-ins for this account or from this address. Try again in %(minutes)s minutes, "
        "or ask an administrator to unlock it.",
        minutes,
    ) % {"minutes": minutes}
    form = SignInForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": message, "next": request.POST.get("next", "")},
        status=429,
    )
