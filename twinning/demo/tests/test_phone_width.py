"""Every page of the role matrix fits a phone: opened at 390 px wide (a common phone's screen) after the demo is
loaded, no document is wider than the screen. Wide content (tables, charts) scrolls inside its own box; forms
stack; long words break. One browser page and one live server for the whole walk, so it stays quick.
"""

from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

from twinning.accounts.models import User
from twinning.core.tests.test_role_matrix import MATRIX, url_for
from twinning.demo.tests.test_every_page_renders import demo_with_files

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
# Who opens each page: the first of these that may read it (the administrator sees every editing control, a
# member the data-entry pages as a member sees them; None is a visitor who is not signed in).
READERS = ["admin@demo.twinning", "host-coordinator@demo.twinning", "member@demo.twinning", None]

# Pages whose other tabs hold other tables: opened too (the volunteer-time tab's Verify column once pushed a
# screen-reader label out of its scrolling box and the page to 1,423 px).
TABS = {
    "contributions:ledger": ["?show=time"],
    "contributions:verification": ["?show=time", "?show=pledged"],
}

# The elements sticking out past the screen that no scrolling box of their own holds: the innermost ones, which
# are what to fix, with the right edge they reach.
WIDEST_ELEMENTS = """
(width) => {
  const held = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== "visible") return true;
    }
    return false;
  };
  const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    [...el.classList].map((c) => "." + c).join("");
  return [...document.body.querySelectorAll("*")]
    .filter((el) => sticksOut(el) && !held(el) && ![...el.children].some(sticksOut))
    .slice(0, 4)
    .map((el) => name(el) + " to " + Math.round(el.getBoundingClientRect().right) + " px");
}
"""


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": PHONE_WIDTH, "height": 844}}


def signed_in_clients() -> dict[str | None, Client]:
    """A test client per reader, each signed in on the server (so the browser needs no sign-in form)."""
    clients: dict[str | None, Client] = {}
    for email in READERS:
        clients[email] = Client()
        if email is not None:
            clients[email].force_login(User.objects.get(email=email))
    return clients


def readers_of(url: str, clients: dict[str | None, Client]) -> list[str | None]:
    """[the first of READERS that gets the page itself (200, HTML)], or [] for a download or a page that only
    redirects."""
    readers = []
    for email in READERS:
        response = clients[email].get(url)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            readers.append(email)
            break
    return readers


def test_every_page_fits_a_390_px_phone_screen(page: Page, live_server):
    objects = demo_with_files()
    clients = signed_in_clients()
    too_wide: list[str] = []
    opened = 0
    signed_in_as: list[str | None] = []
    for name, (method, _rule) in sorted(MATRIX.items()):
        if method != "get":
            continue
        for url in [url_for(name, objects) + query for query in ["", *TABS.get(name, [])]]:
            readers = readers_of(url, clients)
            if not readers:
                continue
            if readers != signed_in_as:
                page.context.clear_cookies()
                session = clients[readers[0]].cookies.get(settings.SESSION_COOKIE_NAME)
                if session is not None:
                    page.context.add_cookies(
                        [
                            {
                                "name": settings.SESSION_COOKIE_NAME,
                                "value": session.value,
                                "url": live_server.url,
                            }
                        ]
                    )
                signed_in_as = readers
            page.goto(live_server.url + url)
            opened += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE_WIDTH:
                widest = page.evaluate(WIDEST_ELEMENTS, PHONE_WIDTH)
                too_wide.append(f"{name} {url} as {readers[0] or 'visitor'}: {width} px; {', '.join(widest)}")
    # Every GET page but the downloads is opened; a page that stopped rendering must not pass by being skipped.
    assert opened >= 60
    assert not too_wide, f"Wider than a {PHONE_WIDTH} px screen:\n" + "\n".join(too_wide)
