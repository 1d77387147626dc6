"""Real-browser layout of the sustainability pages a tester found wanting: a round's results and the trend
tables keep their score columns within reach at a phone's width in every language (and in French at a desk's),
a long comment wraps inside its cell, and the programme's "Still running" chart shows its Russian labels whole.
Screenshots go to $SCREENSHOTS when it is set."""

import datetime
import itertools
import os

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import User
from twinning.partnerships.tests.test_browser import sign_in
from twinning.sustainability.models import Answer, AssessmentRound, Item
from twinning.sustainability.models_transition import FollowUp, FollowUpItem
from twinning.sustainability.tests.factories import RoundFactory, sheet, small_version, submit_sides
from twinning.testing.factories import PartnershipFactory, partnership_member, programme_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("en", "fr", "es", "ru", "pt")
LONG_WORD = "x" * 2000

# Score cells (td.num) that cannot be brought into view: for each, scroll it into view (as a reader does by
# swiping its table) and report it if it is then still outside the screen or outside the box that clips it.
# The page itself must not scroll sideways to show it.
UNREACHABLE = """(selector) => {
  const out = [];
  for (const cell of document.querySelectorAll(selector)) {
    cell.scrollIntoView({block: "nearest", inline: "nearest"});
    const r = cell.getBoundingClientRect();
    let visible = r.left >= -0.5 && r.right <= window.innerWidth + 0.5 && window.scrollX === 0;
    for (let a = cell.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === "visible") continue;
      const box = a.getBoundingClientRect();
      if (r.left < box.left - 0.5 || r.right > box.left + a.clientWidth + 0.5) visible = false;
    }
    if (!visible) out.push(cell.closest("table").id + " " + cell.textContent.trim() + " at " + Math.round(r.left));
  }
  for (const wrap of document.querySelectorAll(".table-wrap")) wrap.scrollLeft = 0;
  window.scrollTo(0, 0);
  return out;
}"""

# Score cells lying (before any scrolling) outside the screen or outside the box that clips them.
HIDDEN = """(selector) => [...document.querySelectorAll(selector)].filter((cell) => {
  const r = cell.getBoundingClientRect();
  if (r.right > window.innerWidth + 0.5) return true;
  for (let a = cell.parentElement; a && a !== document.body; a = a.parentElement) {
    if (getComputedStyle(a).overflowX === "visible") continue;
    if (r.right > a.getBoundingClientRect().left + a.clientWidth + 0.5) return true;
  }
  return false;
}).map((cell) => cell.closest("table").id + " " + cell.textContent.trim())"""

SCORES = "table.results td.num, #trends table td.num"


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        page.screenshot(path=os.path.join(folder, name), full_page=True)


def _revealed_rounds(comment: str = "") -> tuple[list[AssessmentRound], str]:
    """A partnership with two rounds of one instrument that both sides have submitted (a trend of two points),
    the newer one with `comment` from the host side on its first statement. Returns the rounds and the host
    coordinator's e-mail."""
    partnership = PartnershipFactory(title="Mbarara–Oslo surgical partnership")
    host = partnership_member(partnership, email="host@example.org")
    resource = partnership_member(partnership, side="resource", email="resource@example.org")
    version = small_version(sections=2, items=3)
    items = list(Item.objects.filter(section__version=version).order_by("section__order", "order"))
    rounds = []
    for year, (low, high) in ((2025, (2, 4)), (2026, (3, 5))):
        assessment_round = RoundFactory(
            partnership=partnership,
            instrument_version=version,
            title=f"Partnership health check {year}",
            due_date=datetime.date(year, 3, 31),
        )
        sheet(assessment_round, host, "host", {item.pk: low for item in items})
        sheet(assessment_round, resource, "resource", {item.pk: high for item in items})
        submit_sides(assessment_round, "host", "resource")
        rounds.append(assessment_round)
    if comment:
        Answer.objects.filter(response__round=rounds[-1], response__side="host", item=items[0]).update(
            comment=comment
        )
    return rounds, host.email


@pytest.mark.parametrize(("language", "width"), [*((language, 390) for language in LANGUAGES), ("fr", 1366)])
def test_score_columns_of_results_and_trends_are_within_reach(page: Page, live_server, language, width):
    rounds, email = _revealed_rounds()
    User.objects.filter(email=email).update(language=language)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_as(page, live_server, email)
    for name, url in (
        ("round", f"/sustainability/rounds/{rounds[-1].uuid}/"),
        ("trends", f"/sustainability/{rounds[-1].partnership.uuid}/"),
    ):
        page.goto(live_server.url + url)
        cells = page.locator(SCORES)
        assert cells.count() >= (4 * 9 if name == "round" else 8)
        _shot(page, f"{name}-{language}-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert page.evaluate(UNREACHABLE, SCORES) == [], name
        if width > 1000:  # at a desk's width the tables fit: every score shows without scrolling anything
            assert page.evaluate(HIDDEN, SCORES) == [], name


def sign_in_as(page: Page, live_server, email: str) -> None:
    """Sign in with the form, in whatever language the person reads (the heading's words differ)."""
    page.goto(f"{live_server.url}/login/")
    page.locator("input[type=email]").fill(email)
    page.locator("input[type=password]").fill("pw")
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()


@pytest.mark.parametrize("width", [390, 1366])
def test_a_long_comment_wraps_inside_its_cell_of_the_results(page: Page, live_server, width):
    rounds, email = _revealed_rounds(comment=f"Before {LONG_WORD} after")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, email)
    page.goto(f"{live_server.url}/sustainability/rounds/{rounds[-1].uuid}/")
    cell = page.locator("table.results tr.comment-row td.text")
    expect(cell).to_have_count(1)
    expect(cell).to_contain_text(LONG_WORD)
    _shot(page, f"round-comment-{width}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The word wraps in its cell: the cell, its table and the table's scrolling box stay as wide as without it.
    # (On a phone a table of five columns keeps its readable 40rem and scrolls sideways in its own box.)
    wrap = page.locator("#results .table-wrap")
    scroll_width, client_width = wrap.evaluate("(el) => [el.scrollWidth, el.clientWidth]")
    assert scroll_width <= (640 if width < 640 else client_width)
    box = cell.bounding_box()
    assert box is not None and box["width"] <= max(client_width, 640)
    assert box["height"] > 100  # 2,000 characters on many lines, not one


def test_the_still_running_chart_shows_long_russian_labels_whole(page: Page, live_server):
    partnership = PartnershipFactory(title="Gulu–Bergen midwifery partnership", stage="graduated")
    manager = programme_staff(partnership.programme, email="manager@example.org")
    User.objects.filter(pk=manager.pk).update(language="ru")
    for years, statuses in ((1, ["running", "adapted"]), (3, ["running", "stopped"]), (5, ["stopped"])):
        follow_up = FollowUp.objects.create(
            partnership=partnership,
            years_after=years,
            ended_on=datetime.date(2020, 1, 1),
            outcome="graduate",
            due_date=datetime.date(2020 + years, 1, 1),
            opens_on=datetime.date(2020 + years, 1, 1),
            answered_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        )
        FollowUpItem.objects.bulk_create(
            FollowUpItem(follow_up=follow_up, kind="activity", title=f"Q{n}", status=s)
            for n, s in enumerate(statuses)
        )
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in_as(page, live_server, "manager@example.org")
    page.goto(f"{live_server.url}/sustainability/programme/{partnership.programme.uuid}/#still-running")
    chart = page.locator("#still-running svg.chart")
    expect(chart).to_have_count(1)
    if os.environ.get("SCREENSHOTS"):
        chart.screenshot(path=os.path.join(os.environ["SCREENSHOTS"], "still-running-ru.png"))
    labels = chart.locator("text[text-anchor=end]")
    expect(labels).to_have_count(3)
    # Each label reads in full ("Мероприятие через 3 года", not "Мероприятие через 3 …") and lies inside the
    # chart, its lines clear of the next row's.
    shown = labels.evaluate_all(
        "(ts) => ts.map((t) => [...t.querySelectorAll('tspan')].map((s) => s.textContent).join(' ') || t.textContent)"
    )
    assert shown == ["Мероприятие через 1 год", "Мероприятие через 3 года", "Мероприятие через 5 лет"]
    frame = chart.bounding_box()
    boxes = [labels.nth(i).bounding_box() for i in range(3)]
    assert frame is not None and all(b is not None for b in boxes)
    for box in boxes:
        assert box["x"] >= frame["x"] - 0.5 and box["y"] >= frame["y"] - 0.5  # type: ignore[index]
        assert box["y"] + box["height"] <= frame["y"] + frame["height"] + 0.5  # type: ignore[index]
    for upper, lower in itertools.pairwise(boxes):
        assert upper["y"] + upper["height"] <= lower["y"] + 0.5  # type: ignore[index]


# Tables on the page that would need a sideways swipe to read: their box scrolls (scrollWidth > clientWidth).
SWIPED = """() => [...document.querySelectorAll(".table-wrap")].filter((w) => w.scrollWidth > w.clientWidth + 1)
  .map((w) => (w.querySelector("table") || w).id || w.querySelector("table").className)"""


@pytest.mark.parametrize("width", [390, 1280])
def test_round_results_and_programme_scores_read_without_any_sideways_scroll(page: Page, live_server, width):
    """A tester on a phone had to swipe a round's score columns and the programme's sustainability table into
    view: on a phone they stack (the work-list pattern), each number named by its column, and neither the page
    nor any table scrolls sideways; at a desk's width they stay tables."""
    rounds, _email = _revealed_rounds()
    programme = rounds[-1].partnership.programme
    manager = programme_staff(programme, email="manager@example.org")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_as(page, live_server, manager.email)
    for name, url, selector in (
        ("round", f"/sustainability/rounds/{rounds[-1].uuid}/", "table.results td.num"),
        ("programme", f"/sustainability/programme/{programme.uuid}/", "#scores td.num"),
    ):
        page.goto(live_server.url + url)
        cells = page.locator(selector)
        assert cells.count() >= 4, name
        _shot(page, f"stacked-{name}-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
        assert page.evaluate(SWIPED) == [], name
        assert page.evaluate(HIDDEN, selector) == [], name
        header_shown = page.locator(f"{selector.split(' ')[0]} thead").first.is_visible()
        assert header_shown == (width > 640), name  # a phone reads each number's column name beside it
        if width < 640:
            label = cells.first.evaluate("(td) => getComputedStyle(td, '::before').content")
            assert label.strip('"').endswith(": "), name
