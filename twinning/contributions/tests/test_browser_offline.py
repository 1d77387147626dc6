"""Volunteer time and gift pledges offline in a real browser (Debian's Chromium): the two forms open without a
connection, what is recorded there waits in the same visible queue as results and exchanges (kept across
reloads), and is sent once through the API when the connection returns."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from twinning.contributions.models import Gift, TimeEntry
from twinning.monitoring.tests.test_browser_offline import open_kept, queue
from twinning.partnerships.tests.test_browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_time_and_a_gift_recorded_offline_survive_a_reload_and_reach_the_server_once(
    page: Page, live_server, world
):
    host = world.partnership.side_links.get(side="host").institution
    forms = f"{live_server.url}/contributions/partnerships/{world.partnership.uuid}"
    sign_in(page, live_server, world.member.email)
    open_kept(page, f"{forms}/time/new/")
    page.goto(f"{forms}/gifts/new/")

    page.context.set_offline(True)
    page.goto(f"{forms}/time/new/")  # the kept copy
    page.get_by_label("Giving side").select_option(label="Host")
    page.get_by_label(re.compile(r"^Institution:?$")).select_option(label=host.name)
    page.get_by_label("From").fill("2025-03-03")
    page.get_by_label(re.compile(r"^To:?$")).fill("2025-03-03")
    page.get_by_label("Time volunteered").fill("6.5")
    page.get_by_label("Profession or cadre").select_option("nurse")
    page.get_by_label("What was done").fill("Triage training for night staff")
    page.get_by_role("button", name="Save").click()
    expect(queue(page).get_by_role("heading")).to_have_text("1 entry waits to be sent")

    page.goto(f"{forms}/gifts/new/")
    page.get_by_label("Category").select_option(label="Equipment")
    page.get_by_label(re.compile(r"^Contributor:?$")).select_option(label="Local government")
    page.get_by_label("Contributor's name").fill("Gulu District Health Office")
    page.get_by_label("Description").fill("Oxygen concentrator")
    page.get_by_label("Fair value").fill("1,250.50")  # the page's own way of writing numbers
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("Date of the gift").fill("2025-03-04")
    page.get_by_label("Valuation technique").select_option(label="Market price")
    page.get_by_role("button", name="Save").click()
    expect(queue(page).get_by_role("heading")).to_have_text("2 entries wait to be sent")

    page.reload()
    expect(queue(page).get_by_role("heading")).to_have_text("2 entries wait to be sent")
    expect(queue(page)).to_contain_text("Triage training for night staff")
    expect(queue(page)).to_contain_text("Oxygen concentrator")
    assert not TimeEntry.objects.exists() and not Gift.objects.exists()

    page.context.set_offline(False)
    expect(queue(page)).to_be_hidden()
    entry = TimeEntry.objects.get()
    assert (entry.institution, entry.side, entry.cadre, entry.hours) == (
        host,
        "host",
        "nurse",
        Decimal("6.5"),
    )
    assert (entry.start_date, entry.description) == (
        datetime.date(2025, 3, 3),
        "Triage training for night staff",
    )
    assert entry.recorded_by == world.member
    gift = Gift.objects.get()
    assert (gift.fair_value, gift.currency, gift.status) == (Decimal("1250.50"), "USD", "pledged")
    assert (gift.category, gift.contributor_kind, gift.gift_date) == (
        "equipment",
        "local_government",
        datetime.date(2025, 3, 4),
    )
    assert gift.description == "Oxygen concentrator" and gift.recorded_by == world.member


def test_an_entry_the_server_refuses_does_not_hold_back_the_entries_after_it(page: Page, live_server, world):
    forms = f"{live_server.url}/contributions/partnerships/{world.partnership.uuid}"
    sign_in(page, live_server, world.member.email)
    open_kept(page, f"{forms}/gifts/new/")

    page.context.set_offline(True)
    for description in ("Oxygen concentrator", "Suction pump"):
        page.goto(f"{forms}/gifts/new/")
        page.get_by_label("Category").select_option(label="Equipment")
        page.get_by_label(re.compile(r"^Contributor:?$")).select_option(label="Local government")
        page.get_by_label("Contributor's name").fill("Gulu District Health Office")
        page.get_by_label("Description").fill(description)
        page.get_by_label("Fair value").fill("100")
        page.get_by_label("Currency").select_option("USD")
        page.get_by_label("Date of the gift").fill("2025-03-04")
        page.get_by_label("Valuation technique").select_option(label="Market price")
        page.get_by_role("button", name="Save").click()
    expect(queue(page).get_by_role("heading")).to_have_text("2 entries wait to be sent")

    answered: list[str] = []

    # the first entry sent is answered 404 with no body, as for a partnership the person has left
    def refuse_the_first(route):
        if route.request.method == "POST" and not answered:
            answered.append(route.request.url)
            route.fulfill(status=404, body="")
        else:
            route.continue_()

    page.route("**/api/**", refuse_the_first)
    page.context.set_offline(False)
    expect(queue(page)).to_contain_text("You no longer have access to this partnership.")
    expect(queue(page).get_by_role("heading")).to_have_text("1 entry waits to be sent")
    assert answered and Gift.objects.count() == 1
