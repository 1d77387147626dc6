from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from twinning.accounts.forms import ApiTokenForm
from twinning.accounts.models import ApiToken
from twinning.accounts.services import api_token_create, api_token_revoke
from twinning.core.http import AuthedRequest


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
            "new_token": new_token,
            "tokens": ApiToken.objects.filter(user=request.user),
            "programme_roles": request.user.programme_roles.select_related("programme"),
            "memberships": request.user.memberships.select_related("partnership"),
        },
    )


@login_required
@require_POST
def token_revoke(request: AuthedRequest, token_id: int) -> HttpResponse:
    # Tokens of other users are simply not found: never reveal that they exist.
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404
    api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("profile")
