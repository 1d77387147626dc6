"""Real-browser checks that the strict Content-Security-Policy leaves the pages with their own behaviours
(the `page` fixture fails on any policy violation Chromium reports)."""

import pytest
from playwright.sync_api import Page, expect

from twinning.directory.models import CountryPriority
from twinning.testing.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_the_api_docs_and_the_admin_work_under_the_policy(page: Page, live_server):
    UserFactory(email="admin@example.org", is_superuser=True, is_staff=True)
    sign_in(page, live_server, "admin@example.org")
    page.goto(f"{live_server.url}/api/v1/docs")
    # The page builds the schema of every operation (90 and growing) when it loads: seconds on a busy machine.
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Twinning API", timeout=30_000)
    expect(page.locator(".opblock").first).to_be_visible()
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_a_filter_submits_itself_without_inline_script(page: Page, live_server):
    for country in ["UG", "KE"]:
        CountryPriority.objects.create(
            country=country,
            text=f"Maternal health in {country}",
            source_document="Plan",
            stated_on="2024-01-01",
        )
    UserFactory(email="member@example.org")
    sign_in(page, live_server, "member@example.org")
    page.goto(f"{live_server.url}/institutions/priorities/")
    page.locator("select[name=country]").select_option("KE")
    page.wait_for_url("**country=KE")
    expect(page.get_by_text("Maternal health in KE")).to_be_visible()
    expect(page.get_by_text("Maternal health in UG")).to_have_count(0)
