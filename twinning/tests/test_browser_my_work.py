"""Real browser: each hand-off appears in the next person's "My work" and leaves it once done."""

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from twinning.contributions import services as contributions
from twinning.monitoring import services as monitoring
from twinning.monitoring.tests.factories import monitored
from twinning.partnerships.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_to(page: Page, live_server, email: str) -> None:
    # Sign out as a person would: it clears what the browser keeps offline, then submits; wait for that page.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, email)


def test_a_gift_goes_from_the_host_coordinators_list_to_finances_and_out(page: Page, live_server, world):
    contributions.gift_create(
        actor=world.resource_coordinator,
        partnership=world.partnership,
        category="equipment",
        contributor_kind="private",
        contributor_name="A donor",
        description="Oxygen concentrator",
        fair_value=Decimal("1000"),
        currency="USD",
        gift_date=datetime.date(2026, 10, 1),
        valuation_technique="market_price",
    )
    my_work = page.locator("#my-work")

    # Finance sees nothing to verify yet, and the gift page says whom it waits for.
    sign_in(page, live_server, world.finance.email)
    expect(my_work.locator("tr.work-verify_gift")).to_have_count(0)
    page.goto(f"{live_server.url}/contributions/to-verify/?show=pledged")
    page.get_by_role("link", name="Equipment: Oxygen concentrator").click()
    expect(page.locator("#gift-waiting")).to_contain_text("Waiting for the host side to sign for it")

    # The host coordinator finds it on the home page, with a count in the navigation, and signs for it.
    switch_to(page, live_server, world.coordinator.email)
    expect(page.locator("#nav-my-work .badge")).to_have_text("1")
    row = my_work.locator("tr.work-sign_gift")
    expect(row).to_contain_text("Oxygen concentrator")
    expect(row).to_contain_text(world.partnership.title)
    row.get_by_role("link", name="Sign for a gift").click()
    page.get_by_label("Received on").fill("2026-10-05")
    page.get_by_role("button", name="Sign for receipt").click()
    expect(page.locator("#gift-status")).to_have_text("Received")
    page.goto(live_server.url + "/")
    expect(my_work.locator("tr.work-sign_gift")).to_have_count(0)

    # Finance now has it to verify; once verified it is gone.
    switch_to(page, live_server, world.finance.email)
    row = my_work.locator("tr.work-verify_gift")
    expect(row).to_contain_text("Oxygen concentrator")
    row.get_by_role("link", name="Verify a gift").click()
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#gift-status")).to_have_text("Verified")
    page.goto(live_server.url + "/")
    expect(my_work.locator("tr.work-verify_gift")).to_have_count(0)
    expect(page.locator("#nav-my-work .badge")).to_have_count(0)


def test_a_returned_report_is_the_coordinators_to_fix(page: Page, live_server, world):
    m = monitored(world)
    monitoring.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "12"}
    )
    report = monitoring.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")

    sign_in(page, live_server, world.me_officer.email)
    row = page.locator("#my-work tr.work-review")
    expect(row).to_contain_text("Q1 2024")
    monitoring.report_return(actor=world.me_officer, report=report, feedback="Q1 looks too high")

    switch_to(page, live_server, world.coordinator.email)
    row = page.locator("#my-work tr.work-fix")
    expect(row).to_contain_text("Q1 2024")
    expect(row).to_contain_text(world.partnership.title)
    expect(row.locator(".overdue")).to_have_count(1)
    row.get_by_role("link", name="Fix returned results").click()
    expect(page).to_have_url(f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/")
    page.get_by_role("link", name="Results due").click()
    expect(page.locator("#main")).to_contain_text("Returned for correction")


def test_my_work_stacks_on_a_phone_with_the_due_date_on_screen(page: Page, live_server, world):
    """Issue "Work that finds its people": on a phone the list scrolled sideways and Due was off-screen."""
    monitored(world)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, world.member.email)
    page.goto(f"{live_server.url}/my-work/")
    due = page.locator("table.work-list tbody td[data-label='Due: ']").first
    expect(due).to_be_visible()
    box = due.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    assert "<th>Period or date</th>" in page.content()
