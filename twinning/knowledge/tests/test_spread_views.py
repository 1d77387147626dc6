import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.core.choices import Side
from twinning.knowledge.models import Adoption, AdoptionLevel, DisseminationRecord, Level, Practice
from twinning.knowledge.tests.spread_factories import AdoptionFactory, DisseminationFactory, practice_of
from twinning.partnerships.models import PartnershipInstitution
from twinning.testing.factories import InstitutionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def record_data(**overrides):
    return {
        "kind": "workshop",
        "title": "District workshop on the bundle",
        "date": "2025-04-02",
        "audience": "facilities",
        "people_reached": "1,200",
        "facilities_reached": "14",
        **overrides,
    }


# --- dissemination ------------------------------------------------------------------------------------


def test_member_records_dissemination_and_downloads_its_evidence(client, world):
    client.force_login(world.member)
    practice = practice_of(world.partnership)
    data = record_data(
        practices=[str(practice.uuid)], evidence_file=SimpleUploadedFile("list.pdf", b"%PDF-1.4 attendance")
    )
    response = client.post(reverse("knowledge:dissemination_create", args=[world.partnership.uuid]), data)
    saved = DisseminationRecord.objects.get()
    assert response.status_code == 302
    assert saved.people_reached == 1200 and list(saved.practices.all()) == [practice]
    page = client.get(reverse("knowledge:dissemination_detail", args=[saved.uuid]))
    assert "District workshop" in page.content.decode() and "History" in page.content.decode()
    download = client.get(reverse("knowledge:dissemination_evidence", args=[saved.uuid]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 attendance"
    assert "attachment" in download["Content-Disposition"]


def test_bad_input_keeps_what_was_typed_and_saves_nothing(client, world):
    client.force_login(world.member)
    data = record_data(kind="article", doi="nonsense", people_reached="-3")
    response = client.post(reverse("knowledge:dissemination_create", args=[world.partnership.uuid]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="District workshop on the bundle"' in html
    assert not DisseminationRecord.objects.exists()


def test_a_file_lying_about_its_type_is_refused(client, world):
    client.force_login(world.member)
    data = record_data(evidence_file=SimpleUploadedFile("slides.pdf", b"<svg onload=alert(1)>"))
    response = client.post(reverse("knowledge:dissemination_create", args=[world.partnership.uuid]), data)
    assert response.status_code == 400
    assert not DisseminationRecord.objects.exists()


@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_outsider_gets_404(client, world, role):
    saved = DisseminationFactory(partnership=world.partnership)
    client.force_login(getattr(world, role))
    for url in (
        reverse("knowledge:dissemination_detail", args=[saved.uuid]),
        reverse("knowledge:dissemination_list", args=[world.partnership.uuid]),
        reverse("knowledge:dissemination_programme", args=[world.programme.uuid]),
        reverse("knowledge:programme_spread", args=[world.programme.uuid]),
    ):
        assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["programme_viewer", "partnership_viewer"])
def test_readers_read_but_get_403_on_writes_and_evidence(client, world, role):
    saved = DisseminationFactory(
        partnership=world.partnership, evidence_file=SimpleUploadedFile("list.pdf", b"%PDF-1.4 names")
    )
    client.force_login(getattr(world, role))
    page = client.get(reverse("knowledge:dissemination_detail", args=[saved.uuid]))
    assert page.status_code == 200 and "Download" not in page.content.decode()
    assert client.get(reverse("knowledge:dissemination_evidence", args=[saved.uuid])).status_code == 403
    assert client.get(reverse("knowledge:dissemination_edit", args=[saved.uuid])).status_code == 403
    assert client.post(reverse("knowledge:dissemination_delete", args=[saved.uuid])).status_code == 403
    create = reverse("knowledge:dissemination_create", args=[world.partnership.uuid])
    assert client.post(create, record_data()).status_code == 403
    assert DisseminationRecord.objects.count() == 1


def test_the_programme_grants_readers_evidence(client, world):
    world.programme.viewers_see_evidence = True
    world.programme.save()
    saved = DisseminationFactory(
        partnership=world.partnership, evidence_file=SimpleUploadedFile("list.pdf", b"%PDF-1.4 names")
    )
    client.force_login(world.programme_viewer)
    assert client.get(reverse("knowledge:dissemination_evidence", args=[saved.uuid])).status_code == 200


def test_member_edits_with_the_version_and_a_stale_version_is_refused(client, world):
    saved = DisseminationFactory(partnership=world.partnership)
    client.force_login(world.member)
    url = reverse("knowledge:dissemination_edit", args=[saved.uuid])
    fields = record_data(title="Renamed", version=saved.version)
    assert client.post(url, fields).status_code == 302
    saved.refresh_from_db()
    assert saved.title == "Renamed" and saved.version == 2
    stale = client.post(url, record_data(title="Again", version=1))
    assert stale.status_code == 400 and "Someone else changed" in stale.content.decode()


def test_programme_list_answers_in_a_fixed_number_of_queries(client, world):
    url = reverse("knowledge:dissemination_programme", args=[world.programme.uuid])
    DisseminationFactory(partnership=world.partnership)
    client.force_login(world.manager)
    few, _html = _queries(client, url)
    for _ in range(12):
        DisseminationFactory(partnership=world.partnership)
    DisseminationFactory(partnership=None, programme=world.programme)
    many, html = _queries(client, url)
    assert many == few
    assert html.count("/knowledge/dissemination/") >= 14
    download = client.get(url, {"format": "csv"})
    assert download.status_code == 200 and b"Talk" in download.content


def test_manager_records_programme_wide_dissemination(client, world):
    client.force_login(world.manager)
    url = reverse("knowledge:dissemination_programme_create", args=[world.programme.uuid])
    assert client.post(url, record_data()).status_code == 302
    assert DisseminationRecord.objects.get().partnership is None
    client.force_login(world.member)
    assert client.get(url).status_code == 404


# --- adoptions and spread --------------------------------------------------------------------------------


def adoption_data(**overrides):
    return {
        "site_kind": "institution",
        "level": "piloting",
        "reached_on": "2025-02-01",
        "led_by": "host",
        **overrides,
    }


def test_member_records_an_adoption_then_a_level_and_sees_both_in_the_spread(client, world):
    practice = practice_of(world.partnership)
    hospital = InstitutionFactory(name="Lira Regional Hospital")
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:adoption_create", args=[practice.uuid]),
        adoption_data(institution=str(hospital.uuid)),
    )
    adoption = Adoption.objects.get()
    assert response.status_code == 302 and adoption.institution == hospital
    level_url = reverse("knowledge:adoption_level_add", args=[adoption.uuid])
    assert client.post(level_url, {"level": "adopted", "reached_on": "2025-09-01"}).status_code == 302
    spread = client.get(reverse("knowledge:practice_spread", args=[practice.uuid])).content.decode()
    assert "Lira Regional Hospital" in spread and "<svg" in spread
    assert "Adopted" in spread and "2025-02-01" in spread


def test_a_bad_level_is_shown_on_the_adoption_page_and_nothing_changes(client, world):
    adoption = AdoptionFactory(practice=practice_of(world.partnership), level=Level.ADOPTED)
    client.force_login(world.member)
    response = client.post(
        reverse("knowledge:adoption_level_add", args=[adoption.uuid]),
        {"level": "piloting", "reached_on": "2025-12-01"},
    )
    assert response.status_code == 400 and "Levels are reached in order" in response.content.decode()
    assert AdoptionLevel.objects.count() == 1


def test_adoption_form_refuses_bad_input(client, world):
    practice = practice_of(world.partnership)
    client.force_login(world.member)
    response = client.post(reverse("knowledge:adoption_create", args=[practice.uuid]), adoption_data())
    assert response.status_code == 400 and not Adoption.objects.exists()


@pytest.mark.parametrize("status", [Practice.Status.DRAFT, Practice.Status.PUBLIC])
def test_outsider_gets_404_for_the_register_even_of_a_public_practice(client, world, status):
    practice = practice_of(world.partnership, status=status)
    adoption = AdoptionFactory(practice=practice)
    client.force_login(world.other_coordinator)
    assert client.get(reverse("knowledge:practice_spread", args=[practice.uuid])).status_code == 404
    assert client.get(reverse("knowledge:adoption_detail", args=[adoption.uuid])).status_code == 404
    assert client.post(reverse("knowledge:adoption_create", args=[practice.uuid])).status_code == 404


def test_programme_viewer_reads_the_spread_but_gets_403_on_writes(client, world):
    practice = practice_of(world.partnership)
    adoption = AdoptionFactory(practice=practice)
    client.force_login(world.programme_viewer)
    page = client.get(reverse("knowledge:practice_spread", args=[practice.uuid]))
    assert page.status_code == 200 and "Record an adoption" not in page.content.decode()
    assert (
        client.post(reverse("knowledge:adoption_create", args=[practice.uuid]), adoption_data()).status_code
        == 403
    )
    level = {"level": "adopted", "reached_on": "2025-03-01"}
    assert (
        client.post(reverse("knowledge:adoption_level_add", args=[adoption.uuid]), level).status_code == 403
    )


def test_viewer_does_not_see_the_register_of_a_draft(client, world):
    practice = practice_of(world.partnership, status=Practice.Status.DRAFT)
    client.force_login(world.programme_viewer)
    assert client.get(reverse("knowledge:practice_spread", args=[practice.uuid])).status_code == 404


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response.content.decode()


def test_spread_page_answers_in_a_fixed_number_of_queries(client, world):
    practice = practice_of(world.partnership)
    url = reverse("knowledge:practice_spread", args=[practice.uuid])
    AdoptionFactory(practice=practice, level=Level.PILOTING)
    client.force_login(world.member)
    few, _html = _queries(client, url)
    for index in range(8):
        AdoptionFactory(practice=practice, level=Level.values[index % 4])
    DisseminationFactory(partnership=world.partnership).practices.add(practice)
    many, html = _queries(client, url)
    assert many <= few + 1  # the dissemination list appears: one query, however many adoptions
    assert html.count("/knowledge/adoptions/") >= 9


def test_programme_spread_and_dashboard_show_the_figures(client, world):
    practice = practice_of(world.partnership, status=Practice.Status.PUBLIC)
    pillar = world.programme.pillars.create(code="knowledge", name="Expanding knowledge", order=5)
    practice.pillars.add(pillar)
    AdoptionFactory(practice=practice, site_kind="country", area="", country="UG", level=Level.NATIONAL)
    AdoptionFactory(practice=practice, level=Level.PILOTING, country="KE")
    DisseminationFactory(partnership=world.partnership, people_reached=300, date=datetime.date(2024, 6, 1))
    client.force_login(world.manager)
    url = reverse("knowledge:programme_spread", args=[world.programme.uuid])
    few, html = _queries(client, url)
    for country in ("TZ", "RW", "ET"):
        AdoptionFactory(practice=practice_of(world.partnership, title=country), country=country)
        DisseminationFactory(partnership=world.partnership, date=datetime.date(2021, 1, 1))
    assert _queries(client, url)[0] == few
    assert (
        "Uganda" in html
        and "Kenya" in html
        and "Expanding knowledge" in html
        and "Safer births bundle" in html
    )
    dashboard = client.get(reverse("monitoring:programme", args=[world.programme.uuid])).content.decode()
    assert 'id="pillar-5"' in dashboard
    assert '<dd id="pillar5-published">4</dd>' in dashboard
    assert "1 adoption, of 1 practice" in dashboard and "300" in dashboard


def test_the_institution_page_shows_south_to_south(client, world):
    host = PartnershipInstitution.objects.get(partnership=world.partnership, side=Side.HOST).institution
    world.partnership.start_date = datetime.date(2018, 1, 1)
    world.partnership.save()
    later = PartnershipFactory(programme=world.programme, sides=False, start_date=datetime.date(2023, 1, 1))
    PartnershipInstitution.objects.create(partnership=later, institution=host, side=Side.RESOURCE)
    PartnershipInstitution.objects.create(
        partnership=later, institution=InstitutionFactory(country="SS"), side=Side.HOST
    )
    client.force_login(world.manager)
    html = client.get(reverse("directory:detail", args=[host.uuid])).content.decode()
    assert 'id="south-to-south"' in html and later.title in html
    programme = client.get(
        reverse("knowledge:programme_spread", args=[world.programme.uuid])
    ).content.decode()
    assert host.name in programme
    # A member of the first partnership does not see the later one, so nothing is shown to them.
    client.force_login(world.member)
    assert (
        'id="south-to-south"'
        not in client.get(reverse("directory:detail", args=[host.uuid])).content.decode()
    )
