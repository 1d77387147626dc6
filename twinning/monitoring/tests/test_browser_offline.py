"""Offline data entry in a real browser (Debian's Chromium): the results entry page opens without a connection,
what is entered there waits in a visible queue (kept across reloads) and is sent through the API when the
connection returns; conflicts and refusals stay in the queue until the person decides."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import User
from twinning.exchanges.models import Exchange
from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.tests.factories import monitored
from twinning.partnerships.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORKER_IN_CONTROL = "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)"
# Every address kept in the browser's caches other than static files (which hold nobody's data).
KEPT = """caches.keys().then(names => Promise.all(names.map(name => caches.open(name).then(cache => cache.keys()))))
  .then(lists => lists.flat().map(request => new URL(request.url).pathname)
  .filter(path => !path.startsWith('/static/')))"""


def wait_until(page: Page, expression: str, expected) -> None:
    """Wait until an expression (a promise, say) gives `expected`: wait_for_function takes any promise for true."""
    for _ in range(300):
        if page.evaluate(expression) == expected:
            return
        page.wait_for_timeout(100)
    assert page.evaluate(expression) == expected


def open_kept(page: Page, url: str) -> None:
    """Open a page once the service worker controls the site, so that it keeps the page."""
    wait_until(page, WORKER_IN_CONTROL, True)
    page.goto(url)


def test_the_entry_page_opens_offline_and_signing_out_forgets_it(page: Page, live_server, world):
    monitored(world)
    entry = f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/"
    sign_in(page, live_server, world.member.email)
    open_kept(page, entry)

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")
    # A page that was never opened says that it needs a connection.
    page.goto(f"{live_server.url}/partnerships/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")

    page.context.set_offline(False)
    # The "No connection" page opens the page asked for by itself once the connection is back; going elsewhere
    # before it has would race its reload.
    expect(page.get_by_role("heading", level=1)).not_to_have_text("No connection")
    page.goto(entry)
    assert f"/monitoring/{world.partnership.uuid}/2024Q1/" in page.evaluate(KEPT)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Password")).to_be_visible()
    assert page.evaluate(KEPT) == []
    assert "twinning" not in page.evaluate("indexedDB.databases().then(dbs => dbs.map(db => db.name))")


def entry_url(live_server, world) -> str:
    return f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/"


def queue(page: Page):
    return page.locator("#offline-queue")


def test_results_entered_offline_survive_a_reload_and_reach_the_server(
    page: Page, live_server, world, entry_page
):
    m, trained = entry_page.monitored, entry_page.trained
    female = page.locator("[data-row][data-option='sex:female']")
    deaths = page.locator(f"#row-{m.deaths.uuid}-total")

    page.context.set_offline(True)
    trained.locator("input[name$='-value']").fill("25")
    trained.get_by_role("button", name="Save").click()
    female.locator("input[name$='-value']").fill("12")
    female.locator("input[name$='-value']").press("Enter")
    deaths.locator("input[name$='-numerator']").fill("4")
    deaths.locator("input[name$='-denominator']").fill("5")
    page.locator("#save-all").click()
    expect(queue(page).get_by_role("heading")).to_have_text("3 entries wait to be sent")

    page.reload()
    expect(queue(page).get_by_role("heading")).to_have_text("3 entries wait to be sent")
    expect(trained.locator("input[name$='-value']")).to_have_value("25")
    expect(deaths.locator("input[name$='-denominator']")).to_have_value("5")
    assert not Result.objects.exists()

    expect(page.locator("#report-status")).to_have_text("Not started")

    page.context.set_offline(False)
    expect(queue(page)).to_be_hidden()
    # What the page says follows the sync: each row is saved, and the period is now a draft on the server.
    expect(trained.get_by_role("status")).to_have_text("Saved")
    expect(page.locator("#report-status")).to_have_text("Draft")
    assert Result.objects.get(indicator=m.trained.indicator, option=None).value == 25
    assert Result.objects.get(indicator=m.trained.indicator, option__code="female").value == 12
    deaths_result = Result.objects.get(indicator=m.deaths.indicator)
    assert (deaths_result.numerator, deaths_result.denominator) == (4, 5)
    # Sent under the UUIDs made in the browser, and the page now holds the versions the server gave.
    page.reload()
    expect(trained.locator("input[name$='-value']")).to_have_value("25")


def test_a_conflict_shows_both_versions_and_the_person_chooses(page: Page, live_server, world):
    m = monitored(world)
    earlier = services.result_save(
        actor=world.coordinator, plan_indicator=m.trained, period="2024Q1", values={"value": Decimal("20")}
    )
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    sign_in(page, live_server, world.member.email)
    open_kept(page, entry_url(live_server, world))
    trained = page.locator(f"#row-{m.trained.uuid}-total")

    page.context.set_offline(True)
    trained.locator("input[name$='-value']").fill("25")
    trained.get_by_role("button", name="Save").click()
    expect(queue(page).get_by_role("heading")).to_have_text("1 entry waits to be sent")
    services.result_save(
        actor=world.coordinator,
        plan_indicator=m.trained,
        period="2024Q1",
        values={"value": Decimal("30")},
        expected_version=earlier.version,
    )

    page.context.set_offline(False)
    conflict = queue(page).locator("li[data-state=conflict]")
    expect(conflict).to_contain_text("Someone changed this value")
    expect(conflict.locator("tr", has_text="Value")).to_contain_text("25")
    expect(conflict.locator("tr", has_text="Value")).to_contain_text("30")
    assert Result.objects.get(option=None, indicator=m.trained.indicator).value == 30  # nothing overwritten
    # The row no longer says it will be sent; the two versions stack on the phone instead of widening the page.
    expect(trained.get_by_role("status")).to_contain_text("Not sent: someone changed this value meanwhile")
    expect(conflict.locator("td[data-label='Yours: ']").first).to_have_text("25")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    conflict.get_by_role("button", name="Keep mine").click()
    expect(queue(page)).to_be_hidden()
    expect(trained.get_by_role("status")).to_have_text("Saved")
    assert Result.objects.get(option=None, indicator=m.trained.indicator).value == 25


def test_a_result_typed_offline_is_checked_first_and_read_the_french_way(page: Page, live_server, world):
    m = monitored(world)
    sign_in(page, live_server, world.member.email)
    User.objects.filter(pk=world.member.pk).update(language="fr")
    open_kept(page, entry_url(live_server, world))
    trained = page.locator(f"#row-{m.trained.uuid}-total")
    value = trained.locator("input[name$='-value']")

    page.context.set_offline(True)
    value.fill("vingt-cinq")
    page.locator("#save-all").click()  # no number: said at the field, nothing kept
    expect(value).to_have_attribute("aria-invalid", "true")
    expect(queue(page).locator("li")).to_have_count(0)
    value.fill("1.250")  # a French reader's "1 250" typed with a dot, as on many keyboards
    page.locator("#save-all").click()
    expect(queue(page).locator("li[data-state=waiting]")).to_have_count(1)
    expect(value).not_to_have_attribute("aria-invalid", "true")

    page.context.set_offline(False)
    expect(queue(page)).to_be_hidden()
    assert Result.objects.get(indicator=m.trained.indicator, option=None).value == 1250


def test_an_entry_for_a_period_approved_meanwhile_stays_with_the_servers_reason(
    page: Page, live_server, world, entry_page
):
    m, trained = entry_page.monitored, entry_page.trained

    page.context.set_offline(True)
    trained.locator("input[name$='-value']").fill("25")
    trained.get_by_role("button", name="Save").click()
    expect(queue(page).get_by_role("heading")).to_have_text("1 entry waits to be sent")
    PeriodReport.objects.create(partnership=world.partnership, period="2024Q1", status="approved")

    page.context.set_offline(False)
    refused = queue(page).locator("li[data-state=rejected]")
    expect(refused).to_contain_text("approved and locked")
    expect(trained.get_by_role("status")).to_contain_text("Not sent: the server refused this value")
    page.reload()  # still there, with its reason, on the page that is now read-only
    expect(queue(page).locator("li[data-state=rejected]")).to_contain_text("approved and locked")
    assert not Result.objects.exists()
    # Its Edit action reopens the page and row it came from.
    queue(page).locator("li[data-state=rejected]").get_by_role("button", name="Edit").click()
    expect(page).to_have_url(re.compile(rf"#row-{m.trained.uuid}-total$"))


def test_an_exchange_logged_offline_survives_a_reload_and_is_recorded_once_online(
    page: Page, live_server, world
):
    sign_in(page, live_server, world.member.email)
    open_kept(page, f"{live_server.url}/exchanges/{world.partnership.uuid}/new/")

    page.context.set_offline(True)
    page.get_by_label("Title").fill("Emergency triage site visit")
    page.get_by_label("Type").select_option(label="Site visit")
    page.get_by_label("Direction").select_option(label="Resource to host")
    page.get_by_label("Starts").fill("2025-03-03")
    page.get_by_label("Ends").fill("2025-03-07")
    page.get_by_role("button", name="Save").click()
    expect(queue(page).get_by_role("heading")).to_have_text("1 entry waits to be sent")
    expect(queue(page)).to_contain_text("Emergency triage site visit")

    page.reload()
    expect(queue(page)).to_contain_text("Emergency triage site visit")
    assert not Exchange.objects.exists()

    page.context.set_offline(False)
    expect(queue(page)).to_be_hidden()
    exchange = Exchange.objects.get()
    assert (exchange.title, exchange.type, exchange.days) == ("Emergency triage site visit", "site_visit", 5)


def test_the_no_connection_page_opens_the_asked_page_when_the_connection_returns(
    page: Page, live_server, world
):
    sign_in(page, live_server, world.member.email)
    wait_until(page, WORKER_IN_CONTROL, True)

    page.context.set_offline(True)
    page.goto(f"{live_server.url}/partnerships/")
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    retry = page.get_by_role("button", name="Try again")
    with page.expect_navigation():  # still offline: it tries the asked address again, and says so again
        retry.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("No connection")
    assert page.url == f"{live_server.url}/partnerships/"

    page.context.set_offline(False)  # the browser's `online` event: the asked page opens by itself
    expect(page.get_by_role("heading", level=1)).to_have_text("Partnerships")
    assert page.url == f"{live_server.url}/partnerships/"


def test_the_entry_page_opened_first_after_signing_in_on_a_new_device_works_offline(
    page: Page, live_server, world
):
    m = monitored(world)
    entry = f"/monitoring/{world.partnership.uuid}/2024Q1/"
    # Signing in on a fresh browser straight to the entry page: the page loads before the service worker it
    # registers is in control, so the worker never saw it go by.
    page.goto(f"{live_server.url}/login/?next={entry}")
    page.get_by_label("Email").fill(world.member.email)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")
    assert page.evaluate("navigator.serviceWorker.controller") is None
    wait_until(page, "navigator.serviceWorker.ready.then(() => true)", True)
    wait_until(page, f"({KEPT}).then(paths => paths.includes({entry!r}))", True)

    page.context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")
    # Its scripts came back too: a value typed now waits in the queue.
    trained = page.locator(f"#row-{m.trained.uuid}-total")
    trained.locator("input[name$='-value']").fill("25")
    trained.get_by_role("button", name="Save").click()
    expect(queue(page).get_by_role("heading")).to_have_text("1 entry waits to be sent")
