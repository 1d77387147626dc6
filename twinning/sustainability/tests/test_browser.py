"""Real-browser test: both sides answer a health check on their own, and the mutuality gap appears."""

import pytest
from playwright.sync_api import Page, expect

from twinning.partnerships.tests.test_browser import sign_in
from twinning.sustainability.models import Item
from twinning.sustainability.tests.factories import RoundFactory
from twinning.testing.factories import PartnershipFactory, partnership_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_and_submit(page: Page, live_server, email: str, round_uuid, items, point: str) -> None:
    sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/sustainability/rounds/{round_uuid}/")
    for item in items:
        page.locator(f"#answer-{item.pk}").get_by_label(point, exact=True).check()
    page.get_by_role("button", name="Hand in my answers").click()
    page.get_by_role("button", name="Submit our side's answers").click()
    expect(page.locator(".messages")).to_contain_text("Your side's answers are submitted.")


def test_both_sides_answer_and_the_gap_appears(page: Page, live_server):
    partnership = PartnershipFactory(title="Mbarara–Oslo surgical partnership")
    partnership_member(partnership, email="host@example.org")
    partnership_member(partnership, side="resource", email="resource@example.org")
    assessment_round = RoundFactory(partnership=partnership, title="Health check 2026")
    items = list(Item.objects.filter(section__version=assessment_round.instrument_version).order_by("pk"))

    answer_and_submit(page, live_server, "host@example.org", assessment_round.uuid, items, "2")
    expect(page.locator("#side-host")).to_contain_text("Submitted")
    expect(page.locator("#large-gaps")).to_have_count(0)
    # Signing out first clears what the browser keeps offline, then submits: wait for that page.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    answer_and_submit(page, live_server, "resource@example.org", assessment_round.uuid, items, "5")
    expect(page.locator("#round-status")).to_have_text("Both sides submitted")
    expect(page.locator("#large-gaps")).to_contain_text(f"{len(items)} statements with a large gap")
    expect(page.locator("tr.gap-large").first).to_contain_text("-75.0")


def test_the_transition_plan_is_edited_signed_and_a_change_withdraws_the_signatures(page: Page, live_server):
    from twinning.sustainability import transition_services
    from twinning.sustainability.models_transition import TransitionPlan
    from twinning.sustainability.tests.transition_factories import plan_activities

    partnership = PartnershipFactory(title="Gulu–Bergen midwifery partnership")
    host = partnership_member(partnership, email="host@example.org")
    partnership_member(partnership, side="resource", email="resource@example.org")
    world = type("World", (), {"coordinator": host, "partnership": partnership})
    activity = plan_activities(world, 1)[0]
    plan = transition_services.transition_plan_create(actor=host, partnership=partnership, summary="Handover")
    transition_services.transition_item_add(
        actor=host,
        plan=plan,
        kind="activity",
        title=activity.title,
        activity=activity,
        owner_role="Midwifery school",
        funding_source="host_budget",
    )
    url = f"{live_server.url}/sustainability/{partnership.uuid}/transition/"

    sign_in(page, live_server, "host@example.org")
    page.goto(url)
    page.get_by_role("button", name="Sign the transition plan").click()
    expect(page.locator(".messages")).to_contain_text("Your signature is recorded.")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "resource@example.org")
    page.goto(url)
    page.get_by_role("button", name="Sign the transition plan").click()
    expect(page.locator("h1 + .badge")).to_have_text("Signed")
    assert TransitionPlan.objects.get().is_signed
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    # The host side changes the summary: both signatures are withdrawn.
    sign_in(page, live_server, "host@example.org")
    page.goto(url)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Summary").fill("Handover to the midwifery school and the district")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your changes are saved.")
    expect(page.locator("h1 + .badge")).to_have_text("Draft")
    expect(page.get_by_text("not signed yet")).to_have_count(2)
    stored = TransitionPlan.objects.get()
    assert not stored.is_signed and stored.sign_offs.count() == 0


# Words of table cells that the browser laid out on more than one line (a word joined by a hyphen or dash may
# break there, as text does; any other word must stay whole).
SPLIT_WORDS = """() => {
  const split = [];
  for (const cell of document.querySelectorAll('table td, table th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      for (const m of node.data.matchAll(/\\S+/g)) {
        if (/[-–—\\/]/.test(m[0])) continue;
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (tops.size > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_transition_table_keeps_its_words_whole(page: Page, live_server, width, height):
    from twinning.sustainability import transition_services
    from twinning.sustainability.tests.transition_factories import plan_activities

    partnership = PartnershipFactory(title="Gulu–Bergen midwifery partnership")
    host = partnership_member(partnership, email="host@example.org")
    world = type("World", (), {"coordinator": host, "partnership": partnership})
    plan = transition_services.transition_plan_create(actor=host, partnership=partnership, summary="Handover")
    for activity in plan_activities(world, 3):
        transition_services.transition_item_add(
            actor=host,
            plan=plan,
            kind="activity",
            title=f"{activity.title}: community dialogue meetings with the district",
            activity=activity,
            owner_role="Head of the quality-improvement unit",
            funding_source="ministry",
            funding_detail="Ministry of health, quality-improvement programme",
        )
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page, live_server, "host@example.org")
    page.goto(f"{live_server.url}/sustainability/{partnership.uuid}/transition/")
    expect(page.locator("h1")).to_have_text("Transition plan")
    assert page.evaluate(SPLIT_WORDS) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
