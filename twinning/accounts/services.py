"""Writes for users and API tokens."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from twinning.accounts.access import require_self_or_admin
from twinning.accounts.models import ApiToken, User, hash_token
from twinning.accounts.notifications import in_language_of
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record

MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def api_token_create(*, actor: User, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token, which is never stored or shown again.

    Raises: PermissionDenied, ValidationError.
    """
    require_self_or_admin(actor, user.pk)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the token a name, so you know later what uses it.")})
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError({"name": _("You have too many active tokens; revoke one you no longer use.")})
    raw = ApiToken.generate()
    token = ApiToken(user=user, name=name, token_hash=hash_token(raw), hint=raw[:8])
    token.full_clean()
    token.save()
    audit_record(
        actor=actor, action=AuditEvent.Action.CREATE, obj=token, changes={"name": [None, name]}, parent=user
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own API tokens (an administrator may revoke anyone's); revoking twice is
    harmless.

    Raises: PermissionDenied.
    """
    require_self_or_admin(actor, token.user_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditEvent.Action.REVOKE, obj=token, parent=token.user)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None.

    Raises: nothing.
    """
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.active().select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    token.mark_used()
    return token.user


def user_find_or_invite(*, actor: User, email: str, full_name: str = "") -> tuple[User, bool]:
    """The account with this email, or a new one without a password (the invitation lets them choose it).

    Returns (user, created). Call inside the caller's transaction; the caller sends the invitation.

    Raises: ValidationError.
    """
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email=email).first()
    if user is not None:
        if not user.is_active:
            raise ValidationError({"email": _("This account is deactivated; ask an administrator.")})
        return user, False
    user = User(email=email, full_name=full_name.strip())
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=user,
        changes={"email": [None, email]},
        reason="invited",
    )
    return user, True


def invitation_send(*, inviter: Any, user: User, partnership: Any, new_account: bool) -> None:
    """Email the invitation once the transaction that created the membership has committed.

    Raises: nothing.
    """
    context = {
        "inviter": inviter,
        "partnership": partnership,
        "new_account": new_account,
        "sign_in_url": settings.SITE_URL + reverse("login"),
        "set_password_url": settings.SITE_URL
        + reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
    }
    with in_language_of(user):
        body = render_to_string("accounts/email/invitation.txt", context)
        subject = _("Invitation to %(partnership)s on Twinning") % {"partnership": partnership}
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email]))


@transaction.atomic
def user_language_set(*, actor: User, user: User, language: str) -> User:
    """Set the language `user` reads Twinning in: a code of settings.LANGUAGES ("fr"), or "" to follow the
    browser. It wins over the browser and the language chooser's cookie on every page once signed in
    (accounts.middleware), every email to the person is written in it, and their notices, worded when read, read
    in it (accounts.notifications). Setting the same language again changes and audits nothing.

    Raises: PermissionDenied (someone else's profile, unless an administrator), ValidationError (unknown code).
    """
    require_self_or_admin(actor, user.pk)
    language = (language or "").strip()
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if language == user.language:
        return user
    before = user.language
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["language"])
    audit_record(
        actor=actor, action=AuditEvent.Action.UPDATE, obj=user, changes={"language": [before, language]}
    )
    return user
