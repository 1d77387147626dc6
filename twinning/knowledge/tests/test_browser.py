"""Real-browser test: a member writes up a practice with a PDF, it is approved up to public publication, and
another partnership's coordinator (and an anonymous visitor) then find it through search by a word inside the PDF."""

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import PartnershipMembership, ProgrammeRole
from twinning.core.choices import Side
from twinning.knowledge.samples import pdf_bytes
from twinning.partnerships.tests.test_browser import sign_in
from twinning.testing.factories import PartnershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_out(page: Page) -> None:
    # Signing out first clears what the browser keeps offline, then submits: wait for that page.
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()


def test_a_practice_is_published_and_found_through_search_by_another_user(page: Page, live_server, tmp_path):
    partnership = PartnershipFactory(title="Gulu–Leeds emergency care")
    other = PartnershipFactory(title="Mbarara–Oslo surgery", programme=partnership.programme)
    member = UserFactory(email="member@example.org")
    PartnershipMembership.objects.create(
        user=member, partnership=partnership, role=PartnershipMembership.Role.MEMBER, side=Side.HOST
    )
    ProgrammeRole.objects.create(
        user=UserFactory(email="manager@example.org"), programme=partnership.programme, role="manager"
    )
    PartnershipMembership.objects.create(
        user=UserFactory(email="other@example.org"),
        partnership=other,
        role=PartnershipMembership.Role.COORDINATOR,
        side=Side.HOST,
    )
    pdf = tmp_path / "triage.pdf"
    pdf.write_bytes(
        pdf_bytes("Triage", ["Every arrival gets a colour band within ten minutes: zygomatic assessment."])
    )

    sign_in(page, live_server, "member@example.org")
    page.goto(f"{live_server.url}/knowledge/")
    page.get_by_role("link", name="Write up a practice").click()
    page.locator("#id_title").fill("Five-level emergency triage")
    page.locator("#id_summary").fill("Colour bands at the door.")
    page.locator("#id_partnerships").select_option(label="Gulu–Leeds emergency care")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Five-level emergency triage")
    page.get_by_role("link", name="Attach a document").click()
    page.locator("#id_title").fill("Triage toolkit")
    page.locator("#id_type").select_option(label="Toolkit")
    page.locator("#id_file").set_input_files(str(pdf))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#documents")).to_contain_text("Triage toolkit")
    page.get_by_role(
        "button", name="I confirm: no patient or personal data in the practice or its documents"
    ).click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator("#practice-status")).to_have_text("Submitted for review")
    _sign_out(page)

    sign_in(page, live_server, "manager@example.org")
    page.goto(f"{live_server.url}/knowledge/")
    page.get_by_role("link", name="Five-level emergency triage").click()
    form = page.locator("form", has=page.get_by_role("button", name="Approve: publish in the programme"))
    form.get_by_label("Comment").fill("Well written.")
    form.get_by_role("button").click()
    expect(page.locator("#practice-status")).to_have_text("Published in the programme")
    form = page.locator("form", has=page.get_by_role("button", name="Approve: publish publicly"))
    form.get_by_label("Comment").fill("For everyone.")
    form.get_by_role("button").click()
    expect(page.locator("#practice-status")).to_have_text("Published publicly")
    _sign_out(page)

    sign_in(page, live_server, "other@example.org")
    page.goto(f"{live_server.url}/knowledge/")
    page.get_by_label("Search practices and documents").fill("zygomatic")
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results")
    expect(results).to_contain_text("1 result")
    expect(results.locator("mark").first).to_have_text("zygomatic")
    results.get_by_role("link", name="Triage toolkit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Five-level emergency triage")
    _sign_out(page)

    page.goto(f"{live_server.url}/practices/?q=zygomatic")
    expect(page.locator("#search-results")).to_contain_text("Triage toolkit")
