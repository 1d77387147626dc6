"""Tables in a real browser, on a laptop (1366 px) and a phone (390 px): a short column (the History's When and
Who) never splits a word across lines, and on a phone the History's rows stack instead of scrolling sideways,
while the page itself stays the screen's width. Set SCREENSHOTS=dir to keep a picture of each width."""

import os

import pytest
from playwright.sync_api import Page

from twinning.accounts.models import PartnershipMembership
from twinning.core.choices import Side
from twinning.knowledge import services
from twinning.knowledge.models import Practice
from twinning.knowledge.tests.spread_factories import practice_of
from twinning.partnerships.tests.test_browser import sign_in
from twinning.testing.factories import PartnershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every word of the cells matched (split at spaces, hyphens, dashes and slashes, where a line may break) whose
# letters do not all sit on one line.
BROKEN_WORDS = r"""
(selector) => {
  const broken = [];
  for (const cell of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[^\s\-–—\/]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}
"""


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, name), full_page=True)


@pytest.mark.parametrize("width", [1366, 390])
def test_history_columns_keep_words_whole_and_rows_stack_on_a_phone(page: Page, live_server, width):
    partnership = PartnershipFactory(title="Jinja–Gothenburg safer births")
    member = UserFactory(email="member@example.org", full_name="Bernadette Nakitende-Okello")
    PartnershipMembership.objects.create(
        user=member, partnership=partnership, role=PartnershipMembership.Role.MEMBER, side=Side.HOST
    )
    practice = practice_of(partnership, status=Practice.Status.DRAFT, title="Safer births bundle")
    for number in range(3):
        services.practice_update(
            actor=member,
            practice=Practice.objects.get(pk=practice.pk),
            data={
                "summary": f"Revision {number}: a checklist used at every birth, with supervision by midwives "
                "and a monthly review of every case of postpartum haemorrhage in the maternity ward.",
                "needs_staff": f"Two midwives trained as mentors ({number})",
            },
        )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, "member@example.org")
    page.goto(f"{live_server.url}/knowledge/{practice.uuid}/")
    page.locator("#history").scroll_into_view_if_needed()
    _shot(page, f"practice-history-{width}.png")

    rows = page.locator("#history tbody tr")
    assert rows.count() >= 3
    assert page.evaluate(BROKEN_WORDS, "#history td:nth-child(1), #history td:nth-child(2)") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # On a phone the History's rows stack (each cell named by its column), so nothing scrolls sideways at all: a
    # tester's finding (issue 12) was a History that needed a sideways scroll on a phone.
    wrap = page.locator("#history .table-wrap")
    assert wrap.evaluate("(el) => el.scrollWidth > el.clientWidth") is False
    stacked = page.locator("#history thead").evaluate("(el) => getComputedStyle(el).display") == "none"
    assert stacked is (width == 390)
