from collections.abc import Iterator

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.utils.translation import gettext_lazy as _

from twinning.accounts.models import User


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"), max_length=100, help_text=_("What will use it, e.g. “DHIS2 sync”.")
    )


class ResetOrFirstPasswordForm(PasswordResetForm):
    """Django's reset form skips accounts without a usable password; invited people who lost their
    invitation have exactly such an account, and must be able to ask for a new link."""

    def get_users(self, email: str) -> Iterator:  # type: ignore[override]
        return iter(User.objects.filter(email__iexact=email, is_active=True))
