"""The pieces of offline data entry the server provides: the service worker, the web app manifest, the page
shown offline for a page not kept, and the mark on the pages the worker keeps."""

import json

import pytest
from django.conf import settings
from django.templatetags.static import static

from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_site_root_with_the_app_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    # Browsers must check for a new worker on every visit, or a changed shell would be served for a day.
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert json.dumps(static("twinning/site.css")) in script
    assert 'var OFFLINE = "/offline/"' in script
    assert "Twinning-Offline" in script


def test_the_worker_version_changes_with_the_app_shell():
    from twinning.core.offline import service_worker_script

    one = service_worker_script(shell=["/static/a.1.css"], offline_url="/offline/")
    other = service_worker_script(shell=["/static/a.2.css"], offline_url="/offline/")
    version = [line for line in one.splitlines() if line.startswith("var VERSION")]
    assert version and version[0] not in other


def test_the_manifest_makes_the_site_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in manifest["icons"]}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_the_manifest_speaks_the_visitors_language(client):
    response = client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.json()["lang"] == "fr"
    assert response.json()["description"] != client.get("/manifest.webmanifest").json()["description"]


def test_each_language_has_its_own_manifest_url_that_pages_link(client):
    """Issue 15: a browser fetches the manifest without cookies, so a language chosen with the switcher never
    reached it; each language now has its own URL, which every page links in the page's language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    assert 'rel="manifest" href="/manifest.ru.webmanifest"' in client.get("/login/").content.decode()
    client.cookies.clear()
    english = client.get("/manifest.en.webmanifest").json()
    for language in ("fr", "es", "ru", "pt"):
        response = client.get(f"/manifest.{language}.webmanifest", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200 and "public" in response["Cache-Control"]
        manifest = response.json()
        assert manifest["lang"] == language and manifest["description"] != english["description"]
    assert client.get("/manifest.xx.webmanifest").status_code == 404


def test_the_manifest_without_a_language_varies_on_what_chooses_it(client):
    response = client.get("/manifest.webmanifest")
    assert {"accept-language", "cookie"} <= {v.strip().lower() for v in response["Vary"].split(",")}
    assert "public" not in response["Cache-Control"]


def test_every_page_links_the_manifest_and_signed_in_pages_name_the_worker(client, world):
    assert 'rel="manifest" href="/manifest.en.webmanifest"' in client.get("/login/").content.decode()
    assert "data-service-worker" not in client.get("/login/").content.decode()
    client.force_login(world.member)
    body = client.get("/").content.decode()
    assert 'data-service-worker="/sw.js"' in body
    assert "data-sign-out" in body


def test_the_offline_owner_differs_per_user_and_names_no_one(client, world):
    client.force_login(world.member)
    member = client.get("/").content.decode()
    client.force_login(world.coordinator)
    coordinator = client.get("/").content.decode()

    def owner(body: str) -> str:
        return body.split('data-owner="', 1)[1].split('"', 1)[0]

    assert owner(member) != owner(coordinator)
    assert str(world.member.pk) != owner(member) and world.member.email not in owner(member)


def test_the_results_entry_page_is_kept_for_offline_use_and_other_pages_are_not(client, world):
    monitored(world)
    client.force_login(world.member)
    entry = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/")
    assert entry.status_code == 200
    assert entry["Twinning-Offline"] == "keep"
    assert "Twinning-Offline" not in client.get("/")


def test_an_outsider_gets_no_kept_copy_of_an_entry_page(client, world):
    monitored(world)
    client.force_login(world.outsider)
    response = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/")
    assert response.status_code == 404
    assert "Twinning-Offline" not in response


def test_the_offline_page_says_what_works_without_a_connection(client):
    response = client.get("/offline/")
    assert response.status_code == 200
    assert "No connection" in response.content.decode()
