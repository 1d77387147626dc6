"""Real-browser test: a partnership member logs an exchange and the people who travelled."""

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import PartnershipMembership
from twinning.core.choices import Side
from twinning.exchanges.tests.factories import side_person
from twinning.partnerships.tests.test_browser import sign_in
from twinning.testing.factories import PartnershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_logs_an_exchange_with_travellers(page: Page, live_server):
    partnership = PartnershipFactory(title="Gulu–Leeds emergency care")
    member = UserFactory(email="member@example.org")
    PartnershipMembership.objects.create(
        user=member, partnership=partnership, role=PartnershipMembership.Role.MEMBER, side=Side.HOST
    )
    side_person(partnership, Side.RESOURCE, full_name="Dr Alice Leeds")
    side_person(partnership, Side.RESOURCE, full_name="Nurse Bob Leeds")

    sign_in(page, live_server, "member@example.org")
    page.goto(f"{live_server.url}/exchanges/{partnership.uuid}/")
    page.get_by_role("link", name="Log an exchange").click()
    page.get_by_label("Title").fill("Emergency triage site visit")
    page.get_by_label("Type").select_option(label="Site visit")
    page.get_by_label("Direction").select_option(label="Resource to host")
    page.get_by_label("Status").select_option(label="Completed")
    page.get_by_label("Starts").fill("2025-03-03")
    page.get_by_label("Ends").fill("2025-03-07")
    page.get_by_label("Place").fill("Gulu")
    page.get_by_label("What the host side learned").fill("Five-level triage")
    page.get_by_label("What the resource side learned").fill("Care with scarce oxygen")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Emergency triage site visit")
    for name in ("Dr Alice Leeds", "Nurse Bob Leeds"):
        participants = page.locator("#participants")
        participants.get_by_label("Person").select_option(
            label=f"{name} ({partnership.side_links.get(side='resource').institution.name})"
        )
        participants.get_by_label("Role").select_option(label="Traveller")
        participants.get_by_role("button", name="Add participant").click()
        expect(page.locator("#participants tbody")).to_contain_text(name)  # swapped in by htmx
    expect(page.locator("#participants")).to_contain_text("2 participants × 5 days = 10 person-days")

    page.get_by_role("link", name="Summary").click()
    expect(page.locator("#total-person-days")).to_have_text("10")
