"""Real-browser test: a partnership member records an adoption of their practice, then a level it reached, and
sees it in the practice's spread (chart and table); a viewer of the programme reads the same spread."""

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import PartnershipMembership, ProgrammeRole
from twinning.core.choices import Side
from twinning.knowledge.tests.spread_factories import practice_of
from twinning.partnerships.tests.test_browser import sign_in
from twinning.testing.factories import InstitutionFactory, PartnershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_records_an_adoption_and_sees_it_in_the_spread(page: Page, live_server):
    partnership = PartnershipFactory(title="Jinja–Gothenburg safer births")
    practice = practice_of(partnership, title="Safer births bundle")
    member = UserFactory(email="member@example.org")
    PartnershipMembership.objects.create(
        user=member, partnership=partnership, role=PartnershipMembership.Role.MEMBER, side=Side.HOST
    )
    viewer = UserFactory(email="viewer@example.org")
    ProgrammeRole.objects.create(user=viewer, programme=partnership.programme, role=ProgrammeRole.Role.VIEWER)
    InstitutionFactory(name="Lira Regional Referral Hospital", country="UG")

    sign_in(page, live_server, "member@example.org")
    page.goto(f"{live_server.url}/knowledge/{practice.uuid}/spread/")
    expect(page.locator("#adopters")).to_contain_text("No adoption recorded yet.")
    page.get_by_role("link", name="Record an adoption").click()
    page.get_by_label("Adopting site").select_option(label="An institution")
    # The picker lists no institution until part of a name is typed; htmx then asks the server for matches.
    expect(page.locator("#id_institution option")).to_have_count(1)
    page.get_by_label("Find an institution").fill("lira")
    expect(page.locator("#id_institution option")).to_have_count(2)
    page.locator("#id_institution").select_option(label="Lira Regional Referral Hospital (Uganda)")
    page.get_by_label("Level reached").select_option(label="Piloting")
    page.get_by_label("Reached on").fill("2025-02-03")
    page.locator("#id_led_by").select_option(label="The host institution, now training others")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Lira Regional Referral Hospital")
    levels = page.locator("#levels")
    levels.get_by_label("Level reached").select_option(label="Adopted")
    levels.get_by_label("Reached on").fill("2025-10-01")
    levels.get_by_role("button", name="Record the level").click()
    expect(page.locator("#levels tbody tr")).to_have_count(2)

    page.get_by_role("link", name="Spread of Safer births bundle").click()
    adopters = page.locator("#adopters")
    expect(adopters.locator("svg.chart")).to_be_visible()
    row = adopters.locator("tbody tr", has_text="Lira Regional Referral Hospital")
    expect(row).to_contain_text("Adopted")
    expect(row).to_contain_text("The host institution, now training others")

    page.context.clear_cookies()
    sign_in(page, live_server, "viewer@example.org")
    page.goto(f"{live_server.url}/knowledge/{practice.uuid}/spread/")
    expect(page.locator("#adopters tbody")).to_contain_text("Lira Regional Referral Hospital")
    expect(page.get_by_role("link", name="Record an adoption")).to_have_count(0)
