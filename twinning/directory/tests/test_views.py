import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.audit.models import AuditEvent
from twinning.directory.models import (
    CountryPriority,
    HealthArea,
    Institution,
    InstitutionNeed,
    Language,
    Person,
)
from twinning.directory.services import institution_update
from twinning.testing.factories import InstitutionFactory, PersonFactory

pytestmark = pytest.mark.django_db


def host_institution(world) -> Institution:
    return world.partnership.side_links.get(side="host").institution


def institution_data(**extra):
    return {
        "name": "Mulago National Referral Hospital",
        "short_name": "Mulago",
        "type": "hospital",
        "country": "UG",
        "city": "Kampala",
        "languages": ["en", "sw"],
        "expertise": ["surgery-anaesthesia"],
        "needs": ["emergency-care", "laboratory"],
        "capacity": 2,
        **extra,
    }


class TestDirectory:
    def test_search_and_filters(self, client, world):
        InstitutionFactory(name="Kenyatta Hospital", country="KE", city="Nairobi")
        InstitutionFactory(name="Makerere University", country="UG", type="university")
        client.force_login(world.outsider)  # the directory is open to every signed-in user
        response = client.get(reverse("directory:list"), {"q": "kenyatta"})
        assert "Kenyatta Hospital" in response.text and "Makerere" not in response.text
        response = client.get(reverse("directory:list"), {"country": "UG", "type": "university"})
        assert "Makerere University" in response.text and "Kenyatta" not in response.text
        response = client.get(reverse("directory:list"), {"q": "nairobi"})
        assert "Kenyatta Hospital" in response.text

    def test_the_list_names_languages_in_the_readers_language(self, client, world):
        institution = InstitutionFactory(name="Kenyatta Hospital", country="KE", city="Nairobi")
        institution.languages.set(
            [Language.objects.get_or_create(code="en", defaults={"name": "English"})[0]]
        )
        client.force_login(world.outsider)
        response = client.get(reverse("directory:list"), {"q": "kenyatta"}, HTTP_ACCEPT_LANGUAGE="fr")
        assert "<td>anglais</td>" in response.content.decode()

    def test_filter_by_expertise(self, client, world):
        surgeon = InstitutionFactory(name="Surgical Centre")
        surgeon.expertise_items.create(area=HealthArea.objects.get(code="surgery-anaesthesia"))
        InstitutionFactory(name="Lab Centre")
        client.force_login(world.manager)
        response = client.get(reverse("directory:list"), {"expertise": "surgery-anaesthesia"})
        assert "Surgical Centre" in response.text and "Lab Centre" not in response.text

    def test_list_is_paginated_with_a_constant_query_count(self, client, world):
        client.force_login(world.manager)
        url = reverse("directory:list")
        client.get(url)
        with CaptureQueriesContext(connection) as few:
            client.get(url)
        for i in range(30):
            institution = InstitutionFactory(name=f"Extra {i:02d}")
            institution.languages.add(Language.objects.get(code="fr"))
        with CaptureQueriesContext(connection) as many:
            response = client.get(url)
        assert len(many) == len(few)
        assert "Page 1 of 2" in response.text

    def test_bad_page_number_gives_a_page(self, client, world):
        client.force_login(world.manager)
        assert client.get(reverse("directory:list"), {"page": "999"}).status_code == 200
        assert client.get(reverse("directory:list"), {"page": "x"}).status_code == 200

    def test_unknown_uuid_is_404(self, client, world):
        client.force_login(world.manager)
        url = reverse("directory:detail", args=["00000000-0000-0000-0000-000000000000"])
        assert client.get(url).status_code == 404


class TestInstitutionWrites:
    def test_editor_creates_with_languages_expertise_and_needs(self, client, world):
        client.force_login(world.me_officer)
        response = client.post(reverse("directory:create"), institution_data())
        institution = Institution.objects.get(name="Mulago National Referral Hospital")
        assert response.status_code == 302
        assert set(institution.languages.values_list("code", flat=True)) == {"en", "sw"}
        assert set(institution.needs.values_list("code", flat=True)) == {"emergency-care", "laboratory"}
        assert AuditEvent.objects.filter(target_id=str(institution.pk), action="create").exists()

    def test_bad_country_and_iati_id_are_refused(self, client, world):
        client.force_login(world.manager)
        response = client.post(
            reverse("directory:create"), institution_data(country="XX", iati_org_id="nonsense")
        )
        assert response.status_code == 400
        assert "IATI" in response.text
        assert not Institution.objects.filter(name="Mulago National Referral Hospital").exists()

    def test_viewer_cannot_create(self, client, world):
        client.force_login(world.programme_viewer)
        assert client.post(reverse("directory:create"), institution_data()).status_code == 403
        assert not Institution.objects.filter(name="Mulago National Referral Hospital").exists()

    def test_coordinator_edits_their_own_institution_keeping_need_details(self, client, world):
        institution = host_institution(world)
        lab = HealthArea.objects.get(code="laboratory")
        InstitutionNeed.objects.create(
            institution=institution, area=lab, priority=3, description="No microbiology"
        )
        client.force_login(world.coordinator)
        data = institution_data(name="Renamed", needs=["laboratory", "pharmacy"], version=institution.version)
        response = client.post(reverse("directory:edit", args=[institution.uuid]), data)
        assert response.status_code == 302
        institution.refresh_from_db()
        assert institution.name == "Renamed"
        kept = institution.need_items.get(area=lab)
        assert kept.priority == 3 and kept.description == "No microbiology"
        event = AuditEvent.objects.filter(target_id=str(institution.pk), action="update").latest("at")
        assert "needs" in event.changes and "name" in event.changes

    def test_resource_coordinator_cannot_edit_the_host_institution(self, client, world):
        institution = host_institution(world)
        client.force_login(world.resource_coordinator)
        url = reverse("directory:edit", args=[institution.uuid])
        assert client.post(url, institution_data(version=1)).status_code == 403

    def test_concurrent_edit_is_detected(self, world):
        institution = host_institution(world)
        institution_update(
            actor=world.manager, institution=institution, data={"city": "Gulu"}, expected_version=1
        )
        from twinning.core.services import VersionConflict

        stale = Institution.objects.get(pk=institution.pk)
        stale.version = 1
        with pytest.raises(VersionConflict):
            institution_update(
                actor=world.me_officer, institution=stale, data={"city": "Lira"}, expected_version=1
            )
        institution.refresh_from_db()
        assert institution.city == "Gulu"


class TestPeople:
    def test_people_are_hidden_from_outsiders(self, client, world):
        institution = host_institution(world)
        PersonFactory(institution=institution, full_name="Dr Achieng Otieno", email="a@example.org")
        client.force_login(world.outsider)
        response = client.get(reverse("directory:detail", args=[institution.uuid]))
        assert response.status_code == 200 and "Achieng" not in response.text
        client.force_login(world.member)
        assert "Achieng" in client.get(reverse("directory:detail", args=[institution.uuid])).text

    def test_coordinator_adds_a_person(self, client, world):
        institution = host_institution(world)
        client.force_login(world.coordinator)
        response = client.post(
            reverse("directory:person_add", args=[institution.uuid]),
            {"full_name": "Sr Mary Auma", "cadre": "nurse", "languages": ["en"], "is_volunteer": "on"},
        )
        assert response.status_code == 302
        person = Person.objects.get(full_name="Sr Mary Auma")
        assert person.is_volunteer and person.institution == institution
        assert AuditEvent.objects.for_object(institution).filter(target_id=str(person.pk)).exists()

    def test_person_with_bad_email_is_refused(self, client, world):
        institution = host_institution(world)
        client.force_login(world.coordinator)
        response = client.post(
            reverse("directory:person_add", args=[institution.uuid]),
            {"full_name": "X", "email": "nope", "cadre": "nurse"},
        )
        assert response.status_code == 400 and not Person.objects.filter(full_name="X").exists()


class TestPriorities:
    def test_editor_records_a_priority_and_everyone_reads_it(self, client, world):
        client.force_login(world.manager)
        response = client.post(
            reverse("directory:priorities"),
            {
                "country": "UG",
                "text": "Reduce maternal mortality",
                "source_document": "HSDP III",
                "stated_on": "2025-07-01",
                "rank": 1,
            },
        )
        assert response.status_code == 302
        assert CountryPriority.objects.filter(country="UG").count() == 1
        client.force_login(world.outsider)
        assert "Reduce maternal mortality" in client.get(reverse("directory:priorities")).text

    def test_viewer_cannot_record(self, client, world):
        client.force_login(world.programme_viewer)
        response = client.post(reverse("directory:priorities"), {"country": "UG", "text": "x"})
        assert response.status_code == 403 and not CountryPriority.objects.exists()
