"""Real browser: a donated item is recorded, signed for, verified, and the leverage ratio moves."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import PartnershipMembership, ProgrammeRole
from twinning.contributions.tests.factories import AllocationFactory, AwardFactory, GiftFactory
from twinning.partnerships.tests.test_browser import sign_in
from twinning.testing.factories import PartnershipFactory, ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_donated_item_recorded_through_to_verified_changes_leverage(page: Page, live_server):
    programme = ProgrammeFactory(name="Health Partnerships Alliance")
    partnership = PartnershipFactory(programme=programme, title="Gulu–Leeds emergency care")
    member = UserFactory(email="member@example.org", full_name="Florence Member")
    PartnershipMembership.objects.create(user=member, partnership=partnership, side="host", role="member")
    finance = UserFactory(email="finance@example.org", full_name="Ingrid Finance")
    ProgrammeRole.objects.create(user=finance, programme=programme, role=ProgrammeRole.Role.FINANCE_OFFICER)
    award = AwardFactory(programme=programme)
    AllocationFactory(award=award, partnership=partnership, amount=Decimal("100000"))
    GiftFactory(
        partnership=partnership,
        fair_value=Decimal("40000"),
        status="verified",
        received_by=member,
        received_on=datetime.date(2024, 5, 2),
    )
    leverage_url = f"{live_server.url}/contributions/partnerships/{partnership.uuid}/leverage/"

    sign_in(page, live_server, "member@example.org")
    page.goto(leverage_url)
    expect(page.locator("#partnership-leverage")).to_have_text("0.40")

    page.goto(f"{live_server.url}/contributions/partnerships/{partnership.uuid}/")
    page.get_by_role("link", name="Record a gift").click()
    page.get_by_label("Category").select_option(label="Equipment")
    page.get_by_label(re.compile(r"^Contributor:?$")).select_option(label="Local government")
    page.get_by_label("Contributor's name").fill("Gulu District Health Office")
    page.get_by_label("Description").fill("Oxygen concentrator for the children's ward")
    page.get_by_label("Fair value").fill("10000")
    page.get_by_label("Currency").select_option("USD")
    page.get_by_label("Date of the gift").fill("2024-06-01")
    page.get_by_label("Valuation technique").select_option(label="Market price")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#gift-status")).to_have_text("Pledged")

    page.get_by_label("Received on").fill("2024-06-04")
    page.get_by_role("button", name="Sign for receipt").click()
    expect(page.locator("#gift-status")).to_have_text("Received")
    gift_url = page.url

    page.goto(leverage_url)
    expect(page.locator("#partnership-leverage")).to_have_text("0.40")  # received is not yet verified

    page.context.clear_cookies()
    sign_in(page, live_server, "finance@example.org")
    page.goto(gift_url)
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#gift-status")).to_have_text("Verified")

    page.goto(f"{live_server.url}/contributions/programmes/{programme.uuid}/leverage/")
    expect(page.locator("#programme-leverage")).to_have_text("0.50")
    page.goto(leverage_url)
    expect(page.locator("#partnership-leverage")).to_have_text("0.50")


def test_a_printed_report_shows_its_tables_and_charts_without_navigation_forms_or_buttons(
    page: Page, live_server
):
    programme = ProgrammeFactory(name="Print Alliance")
    partnership = PartnershipFactory(programme=programme, title="Printed partnership")
    member = UserFactory(email="reader@example.org", full_name="Rita Reader")
    PartnershipMembership.objects.create(user=member, partnership=partnership, side="host", role="member")
    award = AwardFactory(programme=programme)
    AllocationFactory(award=award, partnership=partnership, amount=Decimal("100000"))
    GiftFactory(partnership=partnership, fair_value=Decimal("40000"))

    sign_in(page, live_server, "reader@example.org")
    page.goto(f"{live_server.url}/contributions/partnerships/{partnership.uuid}/leverage/")
    page.set_viewport_size({"width": 720, "height": 1000})  # about an A4 page's printable width
    page.emulate_media(media="print")

    expect(page.locator("#table-years")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    for hidden in ("header.top nav", "form.filters", ".downloads", "footer"):
        expect(page.locator(hidden).first).to_be_hidden()
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)"
    )
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), (
        wide,
        page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]"),
    )
