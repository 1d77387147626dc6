"""Real-browser test (Playwright with Debian's Chromium): a programme manager runs a small round and decides."""

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import ProgrammeRole
from twinning.directory.models import HealthArea, Language
from twinning.matching.tests.factories import institution
from twinning.partnerships.models import Partnership, PartnershipInstitution, Stage
from twinning.partnerships.tests.test_browser import sign_in
from twinning.testing.factories import ProgrammeFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def reference_data() -> None:
    # A transactional test may run after another has flushed the rows the migrations seeded.
    for code, name in (("en", "English"), ("fr", "French")):
        Language.objects.get_or_create(code=code, defaults={"name": name})
    for code, name in (("maternal-newborn", "Maternal and newborn health"), ("laboratory", "Laboratory")):
        HealthArea.objects.get_or_create(code=code, defaults={"name": name})


def test_manager_runs_a_round_compares_both_assignments_and_accepts_a_pair(page: Page, live_server):
    reference_data()
    programme = ProgrammeFactory(name="Health Partnerships Alliance")
    manager = UserFactory(email="rounds@example.org", full_name="Grace Manager")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    institution(
        "Gulu Hospital", needs={"maternal-newborn": (3, "neonatal resuscitation, obstetric emergencies")}
    )
    institution(
        "Mbarara Hospital",
        languages=("en", "fr"),
        needs={"laboratory": (3, "microbiology laboratory quality and culture testing")},
    )
    institution(
        "Leeds Teaching Hospitals",
        country="GB",
        time_zone="Europe/London",
        expertise={"maternal-newborn": (3, "obstetric emergencies and neonatal resuscitation courses")},
    )
    institution(
        "Hospices de Lyon",
        country="FR",
        languages=("fr",),
        time_zone="Europe/Paris",
        expertise={"laboratory": (3, "microbiology laboratory accreditation and culture testing")},
    )

    sign_in(page, live_server, "rounds@example.org")
    page.goto(f"{live_server.url}/matching/")
    page.get_by_role("link", name="New round").click()
    page.get_by_label("Programme").select_option(label="Health Partnerships Alliance")
    page.get_by_label("Name").fill("Spring round")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Spring round")

    for name, country, side in (
        ("Gulu Hospital", "UG", "host"),
        ("Mbarara Hospital", "UG", "host"),
        ("Leeds Teaching Hospitals", "GB", "resource"),
        ("Hospices de Lyon", "FR", "resource"),
    ):
        page.get_by_label("Institution").select_option(label=f"{name} ({country})")
        page.get_by_label("Side").select_option(value=side)
        page.get_by_role("button", name="Add to round").click()
        expect(page.locator("#applicants")).to_contain_text(name)

    page.get_by_role("button", name="Run the round").click()
    results = page.locator("#results")
    expect(results.get_by_role("heading", name="Optimal")).to_be_visible()
    expect(results.get_by_role("heading", name="Stable")).to_be_visible()
    # Both assignments pair the obvious twins, side by side, each with its own total.
    columns = results.locator(".grid").nth(1).locator(":scope > div")
    expect(columns).to_have_count(2)
    optimal, stable = columns.nth(0), columns.nth(1)
    expect(optimal.get_by_role("heading", level=3)).to_have_text("Optimal")
    expect(stable.get_by_role("heading", level=3)).to_have_text("Stable")
    for column in (optimal, stable):
        expect(column.locator("tbody tr")).to_have_count(2)
        expect(column).to_contain_text("Leeds Teaching Hospitals")
        expect(column).to_contain_text("Hospices de Lyon")
        expect(column.locator("tfoot")).to_contain_text("Total")

    decide = optimal.get_by_role("form", name="Decide Gulu Hospital and Leeds Teaching Hospitals")
    decide.get_by_label("Reason").fill("Same needs and expertise; a common language")
    decide.get_by_role("button", name="Accept").click()

    decisions = page.locator("#decisions")
    expect(decisions).to_contain_text("Gulu Hospital")
    expect(decisions).to_contain_text("Leeds Teaching Hospitals")
    decisions.get_by_role("link").first.click()

    expect(page.locator(".badge").first).to_have_text(str(Stage.SCOPING.label))
    expect(page.locator("#sides")).to_contain_text("Gulu Hospital")
    expect(page.locator("#sides")).to_contain_text("Leeds Teaching Hospitals")
    partnership = Partnership.objects.get()
    assert partnership.stage == Stage.SCOPING
    sides = set(PartnershipInstitution.objects.values_list("institution__name", "side"))
    assert sides == {("Gulu Hospital", "host"), ("Leeds Teaching Hospitals", "resource")}
