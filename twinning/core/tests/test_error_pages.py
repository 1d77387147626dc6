"""Error pages look like the site and say what to do next: 404 and 403 in the site's layout, 500 and 400 in a
standalone one that needs no database, session or user. The favicon is a static file, also at /favicon.ico."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.urls import path, reverse

from twinning.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def broken_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def suspicious_view(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a forged request")


# This module is the URLconf of the tests that need a failing view; the site's own pages stay reachable.
urlpatterns = [
    path("test-broken/", broken_view),
    path("test-suspicious/", suspicious_view),
    *site_urlpatterns,
]
handler400 = "twinning.core.middleware.bad_request"

errors_urlconf = override_settings(ROOT_URLCONF=__name__, DEBUG=False)


def styled(response) -> str:
    body = response.content.decode()
    assert "/static/twinning/site.css" in body
    assert "twinning/favicon.svg" in body
    assert "default-src 'self'" in response["Content-Security-Policy"]
    return body


@override_settings(DEBUG=False)
def test_an_unknown_address_answers_a_styled_404_with_the_way_home(client, world):
    client.force_login(world.member)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = styled(response)
    assert "Page not found" in body
    assert 'href="/"' in body
    assert "Sign out" in body  # the site's own layout, with its navigation


@override_settings(DEBUG=False)
def test_a_signed_out_visitor_gets_the_styled_404_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in styled(response)


@override_settings(DEBUG=False)
def test_a_read_only_member_gets_a_styled_403(client, world):
    client.force_login(world.member)
    response = client.get(reverse("partnerships:edit", args=[world.partnership.uuid]))
    assert response.status_code == 403
    body = styled(response)
    assert "You may see this, but not change it" in body


@errors_urlconf
def test_a_failure_answers_a_styled_500_without_touching_the_database(django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/test-broken/")
    assert response.status_code == 500
    body = styled(response)
    assert "Something went wrong on our side" in body
    assert "a bug" not in body  # nothing about the failure itself reaches the visitor


@errors_urlconf
def test_a_malformed_request_answers_a_styled_400():
    response = Client(raise_request_exception=False).get("/test-suspicious/")
    assert response.status_code == 400
    body = styled(response)
    assert "could not be understood" in body
    assert "forged" not in body


@override_settings(DEBUG=False)
def test_a_form_sent_without_its_csrf_token_gets_a_styled_403(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.member)
    response = client.post(reverse("profile"), {"full_name": "x"})
    assert response.status_code == 403
    assert "The form has expired" in styled(response)


def test_the_favicon_is_served_as_a_static_file_and_at_the_site_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content).startswith(b"\x00\x00\x01\x00")  # an ICO file
    svg = client.get("/static/twinning/favicon.svg")
    assert svg.status_code == 200
    assert svg["Content-Type"].startswith("image/svg+xml")


def test_pages_link_the_favicon(client, world):
    client.force_login(world.member)
    body = client.get(reverse("home")).content.decode()
    assert "twinning/favicon.ico" in body
    assert "twinning/favicon.svg" in body
