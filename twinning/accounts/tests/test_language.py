"""Which language a person reads Twinning in: the profile's, else the chooser's cookie, else the browser's."""

import uuid

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from twinning.accounts.services import api_token_create, user_language_set
from twinning.audit.models import AuditEvent
from twinning.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def page_language(response) -> str:
    return response.headers["Content-Language"]


def test_a_visitor_reads_the_browsers_language_and_the_chooser_overrides_it(client):
    assert page_language(client.get("/login/", HTTP_ACCEPT_LANGUAGE="es,en;q=0.5")) == "es"
    response = client.post("/i18n/setlang/", {"language": "ru", "next": "/login/"})
    assert response.status_code == 302 and response.headers["Location"] == "/login/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert page_language(page) == "ru" and '<html lang="ru">' in page.content.decode()


def test_the_sign_in_page_offers_the_chooser_in_each_language_own_name(client):
    html = client.get("/login/").content.decode().lower()
    assert 'action="/i18n/setlang/"' in html
    for name in ("english", "français", "español", "русский", "português"):
        assert name in html


def test_the_profile_language_wins_over_the_cookie_and_the_browser(client):
    user = UserFactory(language="pt")
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert page_language(client.get("/account/", HTTP_ACCEPT_LANGUAGE="es")) == "pt"


def test_without_a_profile_language_a_signed_in_person_reads_the_browsers(client):
    client.force_login(UserFactory())
    assert page_language(client.get("/account/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")) == "fr"


def test_the_chooser_saves_a_signed_in_persons_language_on_the_profile(client):
    user = UserFactory(language="pt")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "fr", "next": "/account/"})
    user.refresh_from_db()
    assert user.language == "fr"
    assert page_language(client.get("/account/")) == "fr"
    event = AuditEvent.objects.get(target_id=str(user.pk), action=AuditEvent.Action.UPDATE)
    assert event.changes == {"language": ["pt", "fr"]} and event.actor == user


def test_the_chooser_ignores_an_unknown_language_and_changes_nothing(client):
    user = UserFactory(language="pt")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/account/"})
    user.refresh_from_db()
    assert user.language == "pt"
    assert not AuditEvent.objects.filter(target_id=str(user.pk)).exists()


def test_the_chooser_only_takes_a_post(client):
    client.force_login(UserFactory())
    assert client.get("/i18n/setlang/?language=fr").status_code == 405


def test_the_profile_page_sets_and_clears_the_language(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get("/account/").content.decode()
    assert 'id="profile-language"' in page and "The browser&#x27;s language" in page
    response = client.post("/account/language/", {"language": "es"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "es" and client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert 'value="es" selected' in client.get("/account/").content.decode()
    client.post("/account/language/", {"language": ""})
    user.refresh_from_db()
    assert user.language == ""
    assert page_language(client.get("/account/", HTTP_ACCEPT_LANGUAGE="ru")) == "ru"


def test_the_profile_page_refuses_an_unknown_language(client):
    user = UserFactory(language="fr")
    client.force_login(user)
    client.post("/account/language/", {"language": "de"})
    user.refresh_from_db()
    assert user.language == "fr"


def test_the_language_form_needs_a_signed_in_person(client):
    response = client.post("/account/language/", {"language": "fr"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/")


def test_nobody_sets_someone_elses_language_but_an_administrator():
    user = UserFactory()
    with pytest.raises(PermissionDenied):
        user_language_set(actor=UserFactory(), user=user, language="fr")
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert user_language_set(actor=admin, user=user, language="fr").language == "fr"


def test_the_service_refuses_a_language_not_offered():
    user = UserFactory()
    with pytest.raises(ValidationError) as caught:
        user_language_set(actor=user, user=user, language="de")
    assert "language" in caught.value.message_dict
    user.refresh_from_db()
    assert user.language == ""


def test_an_api_caller_without_accept_language_is_answered_in_the_token_owners_language(client):
    user = UserFactory(language="ru")
    _token, raw = api_token_create(actor=user, user=user, name="sync")
    url = f"/api/v1/partnerships/{uuid.uuid4()}"
    answer = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert answer.status_code == 404 and page_language(answer) == "ru"
    named = client.get(url, HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="es")
    assert page_language(named) == "es"


def test_a_language_chosen_on_the_sign_in_page_is_kept_after_signing_in(client):
    """Fresh tester (issue 15): someone whose profile says French chose Русский on the sign-in page and, once
    signed in, read French. The choice made on the way in is now their profile's language."""
    user = UserFactory(language="fr")
    user.set_password("a long demo password")
    user.save()
    client.post("/i18n/setlang/", {"language": "ru", "next": "/login/"})
    signed_in = client.post("/login/", {"username": user.email, "password": "a long demo password"})
    assert signed_in.status_code == 302
    user.refresh_from_db()
    assert user.language == "ru"
    assert page_language(client.get("/account/")) == "ru"
    # Signing in again without choosing keeps it; the choice is not applied twice to another account.
    client.logout()
    other = UserFactory(language="pt")
    other.set_password("a long demo password")
    other.save()
    client.post("/login/", {"username": other.email, "password": "a long demo password"})
    other.refresh_from_db()
    assert other.language == "pt"


def test_a_failed_sign_in_leaves_the_profile_language_alone(client):
    user = UserFactory(language="fr")
    client.post("/i18n/setlang/", {"language": "es", "next": "/login/"})
    assert client.post("/login/", {"username": user.email, "password": "wrong"}).status_code == 200
    user.refresh_from_db()
    assert user.language == "fr"
