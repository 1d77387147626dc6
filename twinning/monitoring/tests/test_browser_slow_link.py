"""Slow links in a real browser: the results entry page under Chromium's network throttling (256 kbit/s, 400 ms
round trip). The test asserts what the page makes the browser download, within the byte budget, and that the weighing
(twinning/testing/weight.py) counted every file the browser asked for; the time it took is printed, not asserted
(machines differ). bench/slowlinks.py measures the same page as production serves it (`make bench`)."""

from urllib.parse import urlsplit

import pytest
from django.test import Client
from playwright.sync_api import Page, expect

from twinning.monitoring.tests.factories import monitored
from twinning.partnerships.tests.test_browser import sign_in
from twinning.testing.weight import Weigher

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    # A first visit has no service worker yet. Signing in registers one, and the worker serves the page and the
    # app shell it keeps in its own caches, outside DevTools' throttling and disabled HTTP cache: the measurement
    # would then be of files already on the device.
    return {**browser_context_args, "service_workers": "block"}


SLOW_LINK = {
    "offline": False,
    "latency": 400,  # ms, round trip
    "downloadThroughput": 256 * 1000 / 8,  # bytes/s
    "uploadThroughput": 256 * 1000 / 8,
}
USABLE_JS = """() => {
    const n = performance.getEntriesByType("navigation")[0];
    return {usable: n.domContentLoadedEventEnd, loaded: n.loadEventEnd};
}"""


def throttle(page: Page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})  # a first visit: nothing cached
    cdp.send("Network.emulateNetworkConditions", SLOW_LINK)


def test_the_results_entry_page_is_light_and_usable_on_a_slow_link(page: Page, live_server, world):
    m = monitored(world)
    entry = f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/"
    sign_in(page, live_server, world.member.email)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    throttle(page)

    page.goto(entry)
    # Usable: the deferred scripts have run (DOMContentLoaded fires after them), so a row saves through htmx.
    timing = page.evaluate(USABLE_JS)
    row = f"#row-{m.trained.uuid}-total"
    page.locator(f"{row} input[name$='-value']").fill("25")
    page.locator(f"{row} input[name$='-value']").press("Enter")
    expect(page.locator(row).get_by_role("status")).to_have_text("Saved")

    client = Client()
    client.force_login(world.member)
    html = client.get(entry).content
    weight = Weigher(client.get).weigh(entry.removeprefix(live_server.url), html)
    fetched = {urlsplit(url).path for url in requested if url.startswith(live_server.url)}
    fetched -= {urlsplit(entry).path, urlsplit(page.url).path}  # the page itself, and the row the test saved
    fetched = {path for path in fetched if "/rows/" not in path}
    assert fetched <= {r.url for r in weight.resources}, "the browser downloaded files the weighing missed"
    assert weight.problems() == []
    print(
        f"\nResults entry page at 256 kbit/s, 400 ms round trip, nothing cached: usable after "
        f"{timing['usable'] / 1000:.2f} s, loaded after {timing['loaded'] / 1000:.2f} s (test server, static files "
        f"sent uncompressed); production weight {weight.first_load} bytes first visit, {weight.repeat_visit} repeat"
    )
