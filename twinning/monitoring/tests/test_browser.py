"""Real-browser test: a member enters results and submits, a reviewer returns them with feedback, the
coordinator corrects them, the reviewer approves."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.tests.factories import monitored
from twinning.partnerships.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_results_review_cycle(page: Page, live_server, world):
    m = monitored(world)
    entry = f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/"
    row = f"#row-{m.trained.uuid}-total"

    sign_in(page, live_server, world.member.email)
    page.goto(entry)
    page.locator(f"{row} input[name$='-value']").fill("25")
    page.locator(f"{row} input[name$='-value']").press("Enter")  # keyboard: Enter saves the row
    expect(page.locator(row).get_by_role("status")).to_have_text("Saved")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#report-status")).to_have_text("Submitted")
    sign_out(page)

    sign_in(page, live_server, world.me_officer.email)
    page.goto(entry)
    page.get_by_label("Feedback").fill("25 is above the training register's 22.")
    page.get_by_role("button", name="Return for correction").click()
    expect(page.locator("#report-status")).to_have_text("Returned for correction")
    sign_out(page)

    sign_in(page, live_server, world.coordinator.email)
    page.goto(entry)
    expect(page.locator("#conversation")).to_contain_text("training register")
    page.locator(f"{row} input[name$='-value']").fill("22")
    page.locator(f"{row}").get_by_role("button", name="Save").click()
    expect(page.locator(row).get_by_role("status")).to_have_text("Saved")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#report-status")).to_have_text("Submitted")
    sign_out(page)

    sign_in(page, live_server, world.me_officer.email)
    page.goto(entry)
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#report-status")).to_have_text("Approved")

    assert PeriodReport.objects.get(partnership=world.partnership, period="2024Q1").status == "approved"
    assert Result.objects.get(option=None, indicator=m.trained.indicator).value == 22


def test_a_portuguese_member_types_decimal_commas(page: Page, live_server, world):
    m = monitored(world)
    sign_in(page, live_server, world.member.email)
    page.goto(f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/")
    page.locator("#lang").select_option("pt")
    page.locator("footer button").click()  # the language chooser at the foot of every page
    expect(page.locator("html")).to_have_attribute("lang", "pt")

    trained = f"#row-{m.trained.uuid}-total"
    page.locator(f"{trained} input[name$='-value']").fill("12,5")
    page.locator(f"{trained} input[name$='-value']").press("Enter")
    expect(page.locator(trained).get_by_role("status")).to_be_visible()
    expect(page.locator(f"{trained} input[name$='-value']")).to_have_value("12,5")

    deaths = f"#row-{m.deaths.uuid}-total"
    page.locator(f"{deaths} input[name$='-numerator']").fill("4,5")
    page.locator(f"{deaths} input[name$='-denominator']").fill("50")
    page.locator(f"{deaths} input[name$='-denominator']").press("Enter")
    expect(page.locator(deaths).get_by_role("status")).to_be_visible()

    assert Result.objects.get(option=None, indicator=m.trained.indicator).value == Decimal("12.5")
    assert Result.objects.get(option=None, indicator=m.deaths.indicator).value == Decimal(9)
