"""Writes for users and API tokens."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.accounts.models import ApiToken, User, hash_token
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record

MAX_ACTIVE_TOKENS = 20


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for `user`; returns the row and the raw token, which is never stored or shown again."""
    if actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied
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
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action=AuditEvent.Action.REVOKE, obj=token, parent=token.user)
    return token


def api_token_authenticate(raw: str) -> User | None:
    """The active user behind a raw token, or None."""
    if not raw.startswith(ApiToken.PREFIX) or len(raw) > 100:
        return None
    token = ApiToken.objects.active().select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    token.mark_used()
    return token.user
