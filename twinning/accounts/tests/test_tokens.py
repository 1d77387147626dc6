import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from twinning.accounts.models import ApiToken, hash_token
from twinning.accounts.services import api_token_authenticate, api_token_create, api_token_revoke
from twinning.audit.models import AuditEvent
from twinning.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_authenticates_until_revoked():
    user = UserFactory()
    token, raw = api_token_create(actor=user, user=user, name="sync")
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert api_token_authenticate(raw) == user
    api_token_revoke(actor=user, token=token)
    assert api_token_authenticate(raw) is None
    assert AuditEvent.objects.filter(action="revoke", target_id=str(token.pk)).exists()


def test_garbage_and_inactive_users_do_not_authenticate():
    user = UserFactory()
    _token, raw = api_token_create(actor=user, user=user, name="x")
    assert api_token_authenticate("tw_not-a-token") is None
    assert api_token_authenticate("x" * 1000) is None
    user.is_active = False
    user.save()
    assert api_token_authenticate(raw) is None


def test_nobody_creates_tokens_for_someone_else():
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_create(actor=UserFactory(), user=UserFactory(), name="x")


def test_command_prints_the_token_once(capsys):
    user = UserFactory(email="cli@example.org")
    out = io.StringIO()
    call_command(
        "token", "create", "cli@example.org", "--name", "DHIS2 sync", stdout=out, stderr=io.StringIO()
    )
    raw = out.getvalue().strip()
    assert api_token_authenticate(raw) == user
    assert ApiToken.objects.get(user=user).name == "DHIS2 sync"


def test_command_refuses_unknown_email():
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody@example.org", stdout=io.StringIO())


def test_account_page_creates_shows_once_and_revokes(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {"name": "laptop"})
    token = ApiToken.objects.get(user=user)
    assert response.status_code == 200 and 'id="new-token"' in response.text
    assert "tw_" in response.text
    page = client.get(reverse("profile"))
    assert 'id="new-token"' not in page.text and token.hint in page.text
    response = client.post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_empty_token_name_is_refused(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {"name": "  "})
    assert "required" in response.text or "Give the token a name" in response.text
    assert not ApiToken.objects.exists()


def test_cannot_revoke_another_users_token(client):
    owner, other = UserFactory(), UserFactory()
    token, _raw = api_token_create(actor=owner, user=owner, name="x")
    client.force_login(other)
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_password_reset_pages_use_the_twinning_layout(client):
    # The admin app ships templates with the same names; ours must win.
    for name in ("password_reset", "password_reset_done", "password_reset_complete"):
        response = client.get(reverse(name))
        assert "site.css" in response.text and "Django site admin" not in response.text, name


def test_invited_person_without_a_password_can_ask_for_a_link(client, mailoutbox):
    user = UserFactory(email="invited@example.org")
    user.set_unusable_password()
    user.save()
    response = client.post(reverse("password_reset"), {"email": "Invited@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["invited@example.org"]


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and not mailoutbox
