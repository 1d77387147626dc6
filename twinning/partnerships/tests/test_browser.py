"""Real-browser test (Playwright with Debian's Chromium): the first thing a programme manager does."""

import re

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import ProgrammeRole
from twinning.testing.factories import InstitutionFactory, ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, email: str, password: str = "pw") -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_manager_creates_a_partnership_and_finds_it_in_the_list(page: Page, live_server):
    programme = ProgrammeFactory(name="Health Partnerships Alliance")
    manager = UserFactory(email="manager@example.org", full_name="Grace Manager")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    InstitutionFactory(name="Gulu Regional Referral Hospital", country="UG")
    InstitutionFactory(name="Leeds Teaching Hospitals", country="GB")

    sign_in(page, live_server, "manager@example.org")
    page.get_by_role("link", name="New partnership").first.click()
    page.get_by_label("Title").fill("Gulu–Leeds emergency care")
    page.get_by_label("Shared goal").fill("Triage in every ward")
    page.get_by_label("Funding starts").fill("2026-01-01")
    page.get_by_label("Funding ends").fill("2028-12-31")
    page.get_by_label("Host institutions").select_option(label="Gulu Regional Referral Hospital (Uganda)")
    page.get_by_label("Resource institutions").select_option(
        label="Leeds Teaching Hospitals (United Kingdom)"
    )
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gulu–Leeds emergency care")
    expect(page.locator("#sides")).to_contain_text("Gulu Regional Referral Hospital")
    expect(page.locator("#sides")).to_contain_text("Leeds Teaching Hospitals")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partnerships").click()
    page.get_by_label("Search").fill("Gulu")
    expect(page).to_have_url(re.compile(r"q=Gulu"))  # htmx pushed the filter into the address bar
    row = page.locator("#results tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Gulu–Leeds emergency care")
    expect(row).to_contain_text("Leeds Teaching Hospitals")


def test_bad_input_shows_a_clear_message(page: Page, live_server):
    programme = ProgrammeFactory()
    manager = UserFactory(email="m2@example.org")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    InstitutionFactory(name="Only Hospital", country="UG")
    sign_in(page, live_server, "m2@example.org")
    page.goto(f"{live_server.url}/partnerships/new/")
    page.get_by_label("Title").fill("Half-filled")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct the errors")
    expect(page.locator("form.form")).to_contain_text("This field is required")
