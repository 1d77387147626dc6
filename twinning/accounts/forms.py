from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UsernameField
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from twinning.accounts.models import User
from twinning.accounts.notifications import in_language_of


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What will use it, e.g. “DHIS2 sync”.")
    )


def language_choices() -> list[tuple[str, str]]:
    """Each language offered, named in itself ("Français"), so a person finds theirs whatever the page's."""
    return [(code, language_own_name(code)) for code, _name in settings.LANGUAGES]


def language_own_name(code: str) -> str:
    """A language's name in itself, capitalised the same way for every language ("Français", "Русский"): Django
    writes some in lower case ("français") and some not, and a list mixing both looks careless."""
    return str(capfirst(get_language_info(code)["name_local"]))


class SignInForm(AuthenticationForm):
    """Django's sign-in form with its refusals in Twinning's own catalogues, so they use the glossary's words
    (Django's Portuguese says "password" where every page of Twinning says "palavra-passe")."""

    # Django labels the field at run time from the user model's USERNAME_FIELD; Twinning signs in by e-mail.
    username = UsernameField(label=_("Email"), widget=forms.TextInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": _(
            "Please enter a correct %(username)s and password. Note that both fields may be case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Pages, emails and notifications to you are written in it."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("The browser's language")), *language_choices()]


class ResetOrFirstPasswordForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; invited people who lost their
    invitation have exactly such an account, and must be able to ask for a new link."""

    def get_users(self, email: str) -> Iterator:  # type: ignore[override]
        return iter(User.objects.filter(email__iexact=email, is_active=True))

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # The email is written in the account's language (its profile's, else the one it last used signed in:
        # accounts.notifications.email_language), not the page's: someone may ask for a link on a shared
        # computer set to another language.
        with in_language_of(context.get("user")):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name=html_email_template_name,
            )
