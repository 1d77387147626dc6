"""Real browser, offline data entry as people in the field meet it: signing out without a connection deletes
nothing and says why; the "No connection" page speaks the person's current language and comes back after a
sign-out; a row kept offline says so at the row; "Submit for review" without a connection says it needs one."""

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import User
from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.tests.factories import monitored
from twinning.monitoring.tests.test_browser_offline import KEPT, WORKER_IN_CONTROL, open_kept, wait_until
from twinning.partnerships.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The language of the "No connection" page the service worker keeps ("" when it keeps none).
OFFLINE_PAGE_LANGUAGE = """caches.match('/offline/').then(r => r ? r.headers.get('Content-Language') : '')"""
SHELL_KEPT = (
    """caches.match(document.querySelector("link[rel=stylesheet]").getAttribute("href")).then(r => !!r)"""
)


def entry_url(live_server, world) -> str:
    return f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/"


def wait_for_offline_page(page: Page, language: str) -> None:
    wait_until(page, OFFLINE_PAGE_LANGUAGE, language)


def test_signing_out_offline_deletes_nothing_and_says_it_needs_a_connection(
    page: Page, live_server, world, entry_page
):
    m, trained = entry_page.monitored, entry_page.trained

    page.context.set_offline(True)
    trained.locator("input[name$='-value']").fill("25")
    trained.get_by_role("button", name="Save").click()
    expect(page.locator("#offline-queue").get_by_role("heading")).to_have_text("1 entry waits to be sent")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert").filter(has_text="Signing out needs a connection")).to_be_visible()
    expect(page.locator("#sign-out-offline")).to_contain_text("entries not yet sent")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")  # no browser error page
    assert f"/monitoring/{world.partnership.uuid}/2024Q1/" in page.evaluate(KEPT)
    assert "twinning" in page.evaluate("indexedDB.databases().then(dbs => dbs.map(db => db.name))")

    page.context.set_offline(False)  # still signed in: the unsent value reaches the server
    expect(page.locator("#offline-queue")).to_be_hidden()
    expect(page.locator("#sign-out-offline")).to_be_hidden()  # it needed a connection; there is one again
    assert Result.objects.get(indicator=m.trained.indicator, option=None).value == 25
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # Online, signing out works as before: the server signs out, then the device is cleared.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.evaluate(KEPT) == []
    assert "twinning" not in page.evaluate("indexedDB.databases().then(dbs => dbs.map(db => db.name))")
    page.goto(entry_url(live_server, world))
    expect(page.get_by_label("Password")).to_be_visible()  # the session ended on the server


def test_the_no_connection_page_follows_the_persons_language(page: Page, live_server, world):
    sign_in(page, live_server, world.member.email)
    wait_until(page, WORKER_IN_CONTROL, True)
    wait_for_offline_page(page, "en")

    User.objects.filter(pk=world.member.pk).update(language="ru")
    page.reload()
    wait_for_offline_page(page, "ru")
    User.objects.filter(pk=world.member.pk).update(language="fr")
    page.reload()
    wait_for_offline_page(page, "fr")

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/partnerships/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pas de connexion")


def test_the_shell_and_no_connection_page_come_back_after_signing_out(page: Page, live_server, world):
    sign_in(page, live_server, world.member.email)
    wait_until(page, WORKER_IN_CONTROL, True)
    wait_for_offline_page(page, "en")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.evaluate(OFFLINE_PAGE_LANGUAGE) == ""

    sign_in(page, live_server, world.member.email)
    wait_for_offline_page(page, "en")
    wait_until(page, SHELL_KEPT, True)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/partnerships/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")


def test_another_person_signing_in_clears_the_device_but_keeps_the_no_connection_page(
    page: Page, live_server, world
):
    monitored(world)
    sign_in(page, live_server, world.member.email)
    open_kept(page, entry_url(live_server, world))
    page.context.clear_cookies()  # the session ended without the sign-out button (expired, say)

    sign_in(page, live_server, world.coordinator.email)
    entry = f"/monitoring/{world.partnership.uuid}/2024Q1/"
    wait_until(page, f"{KEPT}.then(kept => kept.includes({entry!r}))", False)  # the member's page is gone
    wait_for_offline_page(page, "en")
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/partnerships/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")


def test_submitting_for_review_offline_says_it_needs_a_connection(page: Page, live_server, world, entry_page):
    m, trained = entry_page.monitored, entry_page.trained

    page.context.set_offline(True)
    trained.locator("input[name$='-value']").fill("25")
    page.get_by_role("button", name="Submit for review").click()
    note = page.get_by_role("alert").filter(has_text="Submitting for review needs a connection")
    expect(note).to_be_visible()
    expect(note).to_contain_text("the period was not submitted")
    expect(page.locator("#offline-queue").get_by_role("heading")).to_have_text("1 entry waits to be sent")

    page.context.set_offline(False)
    expect(page.locator("#offline-queue")).to_be_hidden()
    expect(note).to_be_hidden()  # the connection is back: the note no longer holds
    assert Result.objects.get(indicator=m.trained.indicator, option=None).value == 25
    assert not PeriodReport.objects.filter(status="submitted").exists()

    page.context.set_offline(True)  # a second try offline says it again
    page.get_by_role("button", name="Submit for review").click()
    expect(note).to_be_visible()
    page.context.set_offline(False)
    expect(note).to_be_hidden()


def test_a_row_saved_offline_says_at_the_row_that_it_is_kept_in_french(page: Page, live_server, world):
    m = monitored(world)
    sign_in(page, live_server, world.member.email)
    User.objects.filter(pk=world.member.pk).update(language="fr")
    open_kept(page, entry_url(live_server, world))
    trained = page.locator(f"#row-{m.trained.uuid}-total")
    female = page.locator("[data-row][data-option='sex:female']")

    page.context.set_offline(True)
    trained.locator("input[name$='-value']").fill("25")
    trained.get_by_role("button", name="Enregistrer").click()
    expect(trained.get_by_role("status")).to_have_text(
        "Conservé sur cet appareil\u00a0: sera envoyé au retour de la connexion."
    )
    expect(female.get_by_role("status")).to_have_count(0)  # only the row that was saved
    page.reload()  # the row still says so when the page is opened again offline
    expect(trained.get_by_role("status")).to_contain_text("Conservé sur cet appareil")

    page.context.set_offline(False)
    expect(trained.get_by_role("status")).to_have_text("Enregistré")
    assert Result.objects.get(indicator=m.trained.indicator, option=None).value == 25
