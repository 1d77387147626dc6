"""Real-browser test: a coordinator drafts a plan inline with htmx, both sides sign, and the plan is agreed."""

import pytest
from playwright.sync_api import Page, expect

from twinning.partnerships.tests.test_browser import sign_in
from twinning.planning.models import Plan
from twinning.planning.tests.factories import pillars
from twinning.testing.factories import PartnershipFactory, ProgrammeFactory, partnership_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coordinators_draft_and_agree_a_plan(page: Page, live_server):
    programme = ProgrammeFactory()
    pillars(programme)
    partnership = PartnershipFactory(programme=programme, title="Gulu–Leeds")
    partnership_member(partnership, email="host@example.org")
    partnership_member(partnership, side="resource", email="resource@example.org")

    sign_in(page, live_server, "host@example.org")
    page.goto(f"{live_server.url}/planning/{partnership.uuid}/")
    page.get_by_label("Title").fill("Strategic plan 2026-2028")
    page.get_by_label("First year").fill("2026")
    page.get_by_label("Last year").fill("2028")
    page.get_by_role("button", name="Create the draft plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategic plan 2026-2028")

    page.get_by_text("Add an objective").click()
    objectives = page.locator("#objectives")
    objectives.get_by_label("Code").fill("O1")
    objectives.get_by_label("Statement").fill("Triage in every ward")
    objectives.get_by_label("Pillar").select_option(index=1)
    objectives.get_by_role("button", name="Add objective").click()
    expect(objectives).to_contain_text("O1 · Triage in every ward")  # swapped in by htmx, no reload

    page.get_by_role("button", name="Sign off for my side").click()
    expect(page.locator(".messages")).to_contain_text("Signed.")

    page.context.clear_cookies()
    sign_in(page, live_server, "resource@example.org")
    page.goto(f"{live_server.url}/planning/{partnership.uuid}/")
    page.get_by_role("button", name="Sign off for my side").click()
    expect(page.locator(".messages")).to_contain_text("the plan is agreed")
    expect(page.locator("#sign-off")).to_contain_text("Agreed")
    assert Plan.objects.get().status == "agreed"


def _draft_with_objective(page: Page, live_server, activity: str = "") -> None:
    """A draft plan with one objective (and, given a title, one activity under it), open for its host coordinator."""
    from twinning.planning import services
    from twinning.planning.tests.factories import draft_plan, objective

    programme = ProgrammeFactory()
    pillars(programme)
    partnership = PartnershipFactory(programme=programme)
    host = partnership_member(partnership, email="host@example.org")
    first = objective(host, draft_plan(host, partnership))
    if activity:
        services.activity_create(actor=host, objective=first, title=activity, responsible_side="host")
    sign_in(page, live_server, "host@example.org")
    page.goto(f"{live_server.url}/planning/{partnership.uuid}/")


def test_adding_an_objective_keeps_what_was_typed_in_the_other_forms(page: Page, live_server):
    """The htmx answer replaces the whole objectives section; the activity being typed beside it stays."""
    _draft_with_objective(page, live_server)
    objectives = page.locator("#objectives")
    page.get_by_text("Add an activity").click()
    activity = objectives.locator("form[action$='/activities/']")
    activity.get_by_label("Title").fill("Train ward nurses in triage")
    page.get_by_text("Add an objective").click()
    adding = objectives.locator("form[action$='/objectives/']")
    adding.get_by_label("Code").fill("O2")
    adding.get_by_label("Statement").fill("Referrals that arrive")
    adding.get_by_label("Pillar").select_option(index=1)
    adding.get_by_role("button", name="Add objective").click()
    expect(objectives).to_contain_text("O2 · Referrals that arrive")
    expect(objectives.locator("form[action$='/activities/']").get_by_label("Title")).to_have_value(
        "Train ward nurses in triage"
    )


def test_a_progress_note_being_saved_takes_no_typing_until_its_answer_is_in(page: Page, live_server):
    """Its answer redraws the form: a note typed meanwhile would be wiped unsaved, and a second Save dropped."""
    _draft_with_objective(page, live_server, activity="Train ward nurses in triage")
    # Read while the request is on its way (htmx:beforeSend comes after htmx:beforeRequest, before sending).
    page.evaluate(
        """() => document.addEventListener("htmx:beforeSend", (event) => {
            const form = event.detail.elt.closest("form");
            window.busyWhileSent = [form.inert, form.getAttribute("aria-busy")];
        })"""
    )
    progress = page.locator("form:has(input[name='progress_note'])")
    progress.locator("input[name='progress_note']").fill("Two sessions held in March")
    with page.expect_response(lambda r: r.url.endswith("/progress/") and r.request.method == "POST") as sent:
        progress.get_by_role("button", name="Save").click()
    assert sent.value.status == 200
    page.wait_for_function("() => !document.querySelector('[aria-busy]')")
    assert page.evaluate("() => window.busyWhileSent") == [True, "true"]
    after = page.locator("form:has(input[name='progress_note'])")
    assert after.evaluate("(form) => [form.inert, form.hasAttribute('aria-busy')]") == [False, False]
    after.locator("input[name='progress_note']").fill("Three sessions")  # takes typing again
    expect(after.locator("input[name='progress_note']")).to_have_value("Three sessions")


def test_typing_in_another_form_goes_on_into_the_redrawn_section(page: Page, live_server):
    """Another form's save redraws the whole objectives section: the field being typed in keeps the focus and the
    caret, and its open panel stays open, so the rest of the sentence lands there (fresh tester)."""
    _draft_with_objective(page, live_server)
    objectives = page.locator("#objectives")
    page.get_by_text("Add an objective").click()
    adding = objectives.locator("form[action$='/objectives/']")
    adding.get_by_label("Code").fill("O2")
    adding.get_by_label("Statement").fill("Referrals that arrive")
    adding.get_by_label("Pillar").select_option(index=1)
    page.get_by_text("Add an activity").click()
    title = objectives.locator("form[action$='/activities/']").get_by_label("Title")
    title.fill("Train ward nurses")
    title.focus()
    with page.expect_response(lambda r: r.url.endswith("/objectives/") and r.request.method == "POST"):
        adding.evaluate("(form) => form.requestSubmit()")  # sent while the activity's title has the focus
    expect(objectives).to_contain_text("O2 · Referrals that arrive")
    page.keyboard.type(" in triage")
    expect(title).to_have_value("Train ward nurses in triage")
    assert objectives.locator("form[action$='/activities/']").evaluate(
        "(form) => form.closest('details').open"
    )


def test_a_save_that_does_not_go_through_says_so_and_keeps_what_was_typed(page: Page, live_server):
    _draft_with_objective(page, live_server)
    objectives = page.locator("#objectives")
    page.get_by_text("Add an objective").click()
    adding = objectives.locator("form[action$='/objectives/']")
    adding.get_by_label("Code").fill("O2")
    adding.get_by_label("Statement").fill("Referrals that arrive")
    adding.get_by_label("Pillar").select_option(index=1)
    page.route("**/objectives/", lambda route: route.abort())
    adding.get_by_role("button", name="Add objective").click()
    expect(page.locator("#messages [role=alert]")).to_contain_text("Not saved: no connection.")
    expect(adding.get_by_label("Statement")).to_have_value("Referrals that arrive")
    assert adding.evaluate("(form) => [form.inert, form.hasAttribute('aria-busy')]") == [False, False]
    page.unroute("**/objectives/")
    page.route("**/objectives/", lambda route: route.fulfill(status=500, body="failed"))
    adding.get_by_role("button", name="Add objective").click()
    expect(page.locator("#messages [role=alert]")).to_contain_text(
        "Not saved: the server refused it or failed."
    )
