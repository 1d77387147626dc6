"""Volunteer time and gift pledges offline in a real browser (Debian's Chromium): the two forms open without a
connection, what is recorded there waits in the same visible queue as results and exchanges (kept across
reloads), and is sent once through the API when the connection returns."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import User
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


def test_offline_checks_before_queuing_reads_russian_numbers_and_a_refused_entry_reopens_to_edit(
    page: Page, live_server, world
):
    gifts = f"{live_server.url}/contributions/partnerships/{world.partnership.uuid}/gifts/new/"
    sign_in(page, live_server, world.member.email)
    User.objects.filter(pk=world.member.pk).update(language="ru")
    open_kept(page, gifts)
    # Numbers as a Russian (or French, Spanish, Portuguese) reader types them, in the API's machine form.
    machine = "text => window.twinningOffline.machine(text)"
    for typed in ("1.250,5", "1 250,5", "1\u00a0250,5", "1250,5"):
        assert page.evaluate(machine, typed) == "1250.5"
    assert page.evaluate(machine, "12,5") == "12.5" and page.evaluate(machine, "много") is None

    page.context.set_offline(True)
    page.goto(gifts)
    page.locator("[name=category]").select_option("equipment")
    page.locator("[name=contributor_kind]").select_option("local_government")
    page.locator("[name=contributor_name]").fill("Gulu District Health Office")
    page.locator("[name=fair_value]").fill("1.250,5")
    page.locator("[name=currency]").select_option("USD")
    page.locator("[name=gift_date]").fill("2025-03-04")
    page.locator("[name=valuation_technique]").select_option("market_price")
    save = page.locator("form[data-offline] button[type=submit]")
    save.click()  # the description is required: nothing is kept, the field says so
    expect(page.locator("[name=description]")).to_have_attribute("aria-invalid", "true")
    expect(queue(page).locator("li")).to_have_count(0)
    page.locator("[name=fair_value]").fill("1.250,5 руб")
    page.locator("[name=description]").fill("Oxygen concentrator")
    save.click()  # not a number: kept back too
    expect(page.locator("[name=fair_value]")).to_have_attribute("aria-invalid", "true")
    expect(queue(page).locator("li")).to_have_count(0)
    page.locator("[name=fair_value]").fill("1.250,5")
    save.click()
    expect(queue(page).locator("li[data-state=waiting]")).to_have_count(1)

    sent: list[dict] = []

    def refuse_once(route):
        if route.request.method == "POST" and not sent:
            sent.append(route.request.post_data_json)
            route.fulfill(
                status=422,
                content_type="application/json",
                body='{"detail": "Некоторые данные неверны.", "errors": {"fair_value": ["Слишком много."]},'
                ' "labels": {"fair_value": "Справедливая стоимость"}}',
            )
        else:
            route.continue_()

    page.route("**/api/**", refuse_once)
    page.context.set_offline(False)
    refused = queue(page).locator("li[data-state=rejected]")
    expect(refused).to_contain_text("Справедливая стоимость: Слишком много.")
    expect(refused).not_to_contain_text("fair_value")
    assert sent[0]["fair_value"] == "1250.5" and not Gift.objects.exists()

    page.unroute("**/api/**")
    page.context.set_offline(True)
    refused.get_by_role("button", name="Изменить").click()  # "Edit": the form, filled as it was typed
    expect(page.locator("[name=description]")).to_have_value("Oxygen concentrator")
    expect(page.locator("[name=fair_value]")).to_have_value("1250,5")
    page.locator("[name=fair_value]").fill("1 200,5")
    save.click()
    expect(queue(page).locator("li")).to_have_count(1)  # the corrected entry replaces the refused one
    expect(queue(page).locator("li[data-state=waiting]")).to_have_count(1)

    page.context.set_offline(False)
    expect(queue(page)).to_be_hidden()
    gift = Gift.objects.get()
    assert (gift.description, gift.fair_value) == ("Oxygen concentrator", Decimal("1200.50"))
