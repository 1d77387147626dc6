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
    # Signing out first clears what the browser keeps offline, then submits: wait for that page.
    with page.expect_navigation():
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
    page.wait_for_load_state()  # the new page's deferred scripts (htmx) have run: Enter saves the row in place

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


def test_typed_values_are_all_saved_by_submitting(page: Page, live_server, world):
    """Ten values typed, no row saved on its own, then Submit for review: nothing is lost."""
    m = monitored(world)
    female, male = m.sex.options.get(code="female"), m.sex.options.get(code="male")
    sign_in(page, live_server, world.member.email)
    page.goto(f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/")
    page.locator(f"#row-{m.trained.uuid}-total input[name$='-value']").fill("12")
    page.locator(f"#row-{m.trained.uuid}-{female.pk} input[name$='-value']").fill("7")
    page.locator(f"#row-{m.trained.uuid}-{male.pk} input[name$='-value']").fill("5")
    page.locator(f"#row-{m.deaths.uuid}-total input[name$='-numerator']").fill("4")
    page.locator(f"#row-{m.deaths.uuid}-total input[name$='-denominator']").fill("50")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#report-status")).to_have_text("Submitted")
    assert Result.objects.filter(partnership=world.partnership, period="2024Q1").count() == 4
    assert Result.objects.get(indicator=m.trained.indicator, option=female).value == 7
    assert Result.objects.get(indicator=m.deaths.indicator).value == 8


def test_leaving_with_unsaved_values_warns_and_saving_does_not(page: Page, live_server, world):
    m = monitored(world)
    sign_in(page, live_server, world.member.email)
    entry = f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/"
    page.goto(entry)
    dialogs: list[str] = []

    def stay(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # "stay on this page"

    page.on("dialog", stay)
    field = page.locator(f"#row-{m.trained.uuid}-total input[name$='-value']")
    field.click()
    field.press_sequentially("12")
    page.get_by_role("link", name="Results", exact=True).click()
    for _ in range(50):  # the dialog is answered while the click waits; give the handler its turn
        if dialogs:
            break
        page.wait_for_timeout(100)
    assert dialogs == ["beforeunload"]
    assert page.url == entry
    expect(field).to_have_value("12")

    page.locator("#save-all").click()  # submitting the form itself is no accident: no question
    expect(page.get_by_text("Every value is saved.")).to_be_visible()
    page.get_by_role("link", name="Results", exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/monitoring/{world.partnership.uuid}/")
    assert dialogs == ["beforeunload"]
    assert Result.objects.get().value == 12


def test_a_bad_value_is_shown_beside_its_field_and_the_others_are_kept(page: Page, live_server, world):
    m = monitored(world)
    female = m.sex.options.get(code="female")
    sign_in(page, live_server, world.member.email)
    page.goto(f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/")
    total = page.locator(f"#row-{m.trained.uuid}-total input[name$='-value']")
    bad = page.locator(f"#row-{m.trained.uuid}-{female.pk} input[name$='-value']")
    numerator = page.locator(f"#row-{m.deaths.uuid}-total input[name$='-numerator']")
    total.fill("12")
    bad.fill("seven")
    numerator.fill("4")
    page.locator(f"#row-{m.deaths.uuid}-total input[name$='-denominator']").fill("50")
    page.get_by_role("button", name="Submit for review").click()

    expect(page.locator("#error-summary")).to_be_visible()
    expect(bad).to_have_value("seven")
    expect(bad).to_have_attribute("aria-invalid", "true")
    error_id = bad.get_attribute("aria-describedby")
    expect(page.locator(f"#{error_id}")).to_contain_text("number")
    expect(total).to_have_value("12")
    expect(numerator).to_have_value("4")
    expect(page.locator("#report-status")).not_to_have_text("Submitted")
    assert not Result.objects.exists()

    page.locator("#error-summary a").first.click()  # the summary leads to the field
    expect(bad).to_be_focused()
    bad.fill("7")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#report-status")).to_have_text("Submitted")
    assert Result.objects.count() == 3


def test_the_entry_page_fits_a_phone(page: Page, live_server, world):
    monitored(world)
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, world.member.email)
    page.goto(f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0


def test_a_long_unbroken_comment_wraps_on_the_submitted_page(page: Page, live_server, world):
    """Issue "Work that finds its people": a 2,000-character comment without spaces made the read-only page
    16,000 px wide; long words now wrap inside their box at any width. The comment is shown twice: in its value
    block and in the History table's changes. A table of four or more columns keeps a readable 40rem (640 px) on a
    phone and scrolls inside its own box (issue "Practice library": columns squeezed to a word a line), so inside a
    .table-wrap the bound is that width; the page itself never scrolls sideways."""
    m = monitored(world)
    sign_in(page, live_server, world.member.email)
    page.goto(f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/")
    page.locator(f"#row-{m.trained.uuid}-total input[name$='-value']").fill("12")
    page.locator(f"#row-{m.trained.uuid}-total [name$='-comment']").fill("x" * 2000)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#report-status")).to_have_text("Submitted")
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        page.reload()
        assert "x" * 2000 in page.content()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        outside_tables = page.evaluate(
            "Math.max(...[...document.querySelectorAll('body *')].filter((el) => !el.closest('.table-wrap'))"
            ".map((el) => el.scrollWidth))"
        )
        in_tables = page.evaluate(
            "Math.max(...[...document.querySelectorAll('.table-wrap *')].map((el) => el.scrollWidth))"
        )
        assert outside_tables <= width
        assert in_tables <= max(width, 640)
