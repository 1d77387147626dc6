"""Real-browser test (Playwright with Debian's Chromium): a programme manager runs a small round and decides."""

import pytest
from playwright.sync_api import Page, expect

from twinning.accounts.models import ProgrammeRole
from twinning.directory.models import HealthArea, Language
from twinning.matching import services
from twinning.matching.models import MatchDecision
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
        ("Gulu Hospital", "Uganda", "host"),
        ("Mbarara Hospital", "Uganda", "host"),
        ("Leeds Teaching Hospitals", "United Kingdom", "resource"),
        ("Hospices de Lyon", "France", "resource"),
    ):
        page.get_by_label("Institution").select_option(label=f"{name} ({country})")
        page.get_by_label("Side").select_option(value=side)
        page.get_by_role("button", name="Add to round").click()
        expect(page.locator("#applicants")).to_contain_text(name)

    page.get_by_role("button", name="Run the round").click()
    results = page.locator("#results")
    summary = results.locator("#summary")
    expect(summary).to_contain_text("Optimal")
    expect(summary).to_contain_text("Stable")
    # Both assignments pair the obvious twins: each pair is listed once, marked with the assignments holding it.
    pairs = results.locator("li.pair")
    expect(pairs).to_have_count(2)
    gulu = pairs.filter(has_text="Gulu Hospital")
    expect(gulu).to_contain_text("Leeds Teaching Hospitals")
    expect(gulu.locator(".badge")).to_have_text(["Optimal", "Stable"])

    decide = results.get_by_role("form", name="Decide Gulu Hospital and Leeds Teaching Hospitals")
    decide.get_by_label("Reason").fill("Same needs and expertise; a common language")
    decide.get_by_role("button", name="Accept").click()
    expect(gulu.get_by_role("status")).to_contain_text("scoping stage")

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


def test_on_a_phone_a_manager_filters_pages_and_accepts_a_pair_with_the_confirmation_in_view(
    page: Page, live_server
):
    reference_data()
    programme = ProgrammeFactory(name="Health Partnerships Alliance")
    manager = UserFactory(email="phone@example.org", full_name="Grace Manager")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    round = services.round_create(actor=manager, programme=programme, name="Large round")
    for name in ("Leeds Teaching Hospitals", "Royal Infirmary of Edinburgh"):
        resource = institution(
            name,
            country="GB",
            time_zone="Europe/London",
            capacity=12,
            expertise={"maternal-newborn": (3, "obstetric emergencies and neonatal resuscitation")},
        )
        services.applicant_add(actor=manager, round=round, institution=resource, side="resource")
    for n in range(1, 23):
        host = institution(
            f"District Hospital {n:02} of a long name",
            needs={"maternal-newborn": (3, "neonatal resuscitation")},
        )
        services.applicant_add(actor=manager, round=round, institution=host, side="host")
    services.round_run(actor=manager, round=round)  # small: computed as the transaction commits

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "phone@example.org")
    page.goto(f"{live_server.url}/matching/rounds/{round.uuid}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pairs = page.locator("#pairs")
    expect(pairs).to_contain_text("Page 1 of 2")
    expect(pairs.locator("li.pair")).to_have_count(20)
    pairs.get_by_role("link", name="Next").click()
    expect(pairs).to_contain_text("Page 2 of 2")
    expect(pairs.locator("li.pair")).to_have_count(2)

    pairs.get_by_role("searchbox", name="Name").fill("Hospital 07")
    pairs.get_by_role("button", name="Filter").click()
    pair = pairs.locator("li.pair")
    expect(pair).to_have_count(1)
    accept = pair.get_by_role("button", name="Accept")
    accept.scroll_into_view_if_needed()
    expect(accept).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    pair.get_by_label("Reason").fill("Closest needs")
    accept.click()
    confirmation = pair.get_by_role("status")
    expect(confirmation).to_contain_text("scoping stage")
    expect(confirmation).to_be_in_viewport(ratio=1)
    expect(page.locator("#decisions")).to_contain_text("Closest needs")

    pair.get_by_role("link", name="District Hospital 07 of a long name", exact=True).click()
    expect(page.locator("#decided")).to_contain_text("District Hospital 07 of a long name →")
    expect(page.locator("#ranked")).not_to_contain_text("No acceptable candidate")
    expect(page.locator("#ranked")).to_contain_text("Accepted")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    decision = MatchDecision.objects.get()
    assert decision.reason == "Closest needs" and decision.partnership is not None


def test_manager_finds_a_twin_from_an_institution_page_and_starts_a_partnership(page: Page, live_server):
    reference_data()
    programme = ProgrammeFactory(name="Health Partnerships Alliance")
    manager = UserFactory(email="twins@example.org", full_name="Grace Manager")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    gulu = institution(
        "Gulu Hospital", needs={"maternal-newborn": (3, "neonatal resuscitation, obstetric emergencies")}
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
        expertise={"laboratory": (3, "microbiology laboratory accreditation")},
    )

    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "twins@example.org")
    page.goto(f"{live_server.url}/institutions/{gulu.uuid}/")
    page.get_by_role("link", name="Find a twin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a twin for Gulu Hospital")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    ranked = page.locator("#ranked")
    expect(ranked.locator("li.pair").first).to_contain_text("Leeds Teaching Hospitals")
    expect(page.locator("#excluded")).to_contain_text("Hospices de Lyon (FR): No common working language")
    ranked.get_by_label("Leeds Teaching Hospitals").check()
    ranked.get_by_label("Reason").fill("Same needs and expertise")
    ranked.get_by_role("button", name="Start a partnership in Health Partnerships Alliance").click()

    expect(page.locator(".badge").first).to_have_text(str(Stage.SCOPING.label))
    expect(page.locator("#sides")).to_contain_text("Gulu Hospital")
    expect(page.locator("#sides")).to_contain_text("Leeds Teaching Hospitals")
    sides = set(PartnershipInstitution.objects.values_list("institution__name", "side"))
    assert sides == {("Gulu Hospital", "host"), ("Leeds Teaching Hospitals", "resource")}
