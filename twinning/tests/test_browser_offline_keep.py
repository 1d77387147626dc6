"""Real browser: on My work, one button keeps the forms of the person's partnerships for offline use, so a form
never opened before opens without a connection. Nothing is fetched until the button is pressed."""

import pytest
from playwright.sync_api import Page, expect

from twinning.monitoring.tests.factories import monitored
from twinning.monitoring.tests.test_browser_offline import KEPT, WORKER_IN_CONTROL, wait_until
from twinning.partnerships.tests.test_browser import sign_in
from twinning.work import offline_forms, work_for_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_forms_kept_on_request_open_offline_without_having_been_opened(page: Page, live_server, world):
    monitored(world)
    forms = offline_forms(world.member, work_for_user(world.member))
    entry = f"/monitoring/{world.partnership.uuid}/2024Q1/"
    partnership_forms = [
        f"/exchanges/{world.partnership.uuid}/new/",
        f"/contributions/partnerships/{world.partnership.uuid}/time/new/",
        f"/contributions/partnerships/{world.partnership.uuid}/gifts/new/",
    ]
    assert entry in forms and set(partnership_forms) <= set(forms)

    sign_in(page, live_server, world.member.email)
    wait_until(page, WORKER_IN_CONTROL, True)
    page.goto(f"{live_server.url}/my-work/")
    assert not set(forms) & set(page.evaluate(KEPT))  # not on a mere visit

    page.get_by_role("button", name="Keep these forms for offline use").click()
    status = page.locator("#offline-keep-status[data-finished]")
    # Every background request has ended before the test goes on (and before it ends).
    # Every open period's entry page is fetched one after another: on a loaded machine that takes a while.
    expect(status).to_have_text(f"Forms kept for offline use: {len(forms)} of {len(forms)}.", timeout=60_000)
    assert set(forms) <= set(page.evaluate(KEPT))

    page.context.set_offline(True)
    page.goto(f"{live_server.url}{entry}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Results for")
    page.goto(f"{live_server.url}{partnership_forms[1]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record volunteer time")
    page.goto(f"{live_server.url}{partnership_forms[2]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an in-kind gift")
    page.goto(f"{live_server.url}{partnership_forms[0]}")
    expect(page.get_by_role("heading", level=1)).to_have_text("New exchange")
