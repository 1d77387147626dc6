import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from twinning.accounts.services import api_token_create
from twinning.knowledge.models import Adoption, DisseminationRecord, Level, Practice
from twinning.knowledge.tests.spread_factories import AdoptionFactory, DisseminationFactory, practice_of
from twinning.testing.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/knowledge"


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def record_body(world, **overrides):
    return {
        "partnership": str(world.partnership.uuid),
        "kind": "article",
        "title": "Bundle outcomes in two hospitals",
        "date": "2025-03-10",
        "audience": "academia",
        "doi": "doi:10.1186/s12913-024-10000-1",
        "people_reached": 800,
        **overrides,
    }


def test_member_records_and_updates_dissemination(world):
    client = api(world.member)
    practice = practice_of(world.partnership)
    response = client.post(
        f"{URL}/dissemination",
        record_body(world, practices=[str(practice.uuid)]),
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["doi"] == "10.1186/s12913-024-10000-1"
    assert created["practices"] == [{"uuid": str(practice.uuid), "title": practice.title}]
    patched = client.patch(
        f"{URL}/dissemination/{created['uuid']}",
        {"people_reached": None, "version": created["version"]},
        content_type="application/json",
    )
    assert patched.status_code == 200 and patched.json()["people_reached"] is None
    stale = client.patch(
        f"{URL}/dissemination/{created['uuid']}",
        {"title": "x", "version": 1},
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_bad_input_is_422_and_writes_nothing(world):
    client = api(world.member)
    for overrides in (
        {"doi": "12.3/not"},
        {"people_reached": -1},
        {"kind": "tweet"},
        {"practices": ["5b0c8c4e-4b8e-4d43-9b7f-3d3f2b6f2a11"]},
        {"title": "nul\x00"},
    ):
        response = client.post(
            f"{URL}/dissemination", record_body(world, **overrides), content_type="application/json"
        )
        assert response.status_code == 422, (overrides, response.json())
    # The partnership the record is for is the one object the request is about: another one answers 404, as in a
    # path (twinning.core.api).
    response = client.post(
        f"{URL}/dissemination",
        record_body(world, partnership=str(world.other_partnership.uuid)),
        content_type="application/json",
    )
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    assert not DisseminationRecord.objects.exists()


def test_viewer_gets_403_and_outsider_404(world):
    saved = DisseminationFactory(partnership=world.partnership)
    viewer = api(world.programme_viewer)
    assert viewer.get(f"{URL}/dissemination/{saved.uuid}").status_code == 200
    assert (
        viewer.post(f"{URL}/dissemination", record_body(world), content_type="application/json").status_code
        == 403
    )
    assert viewer.delete(f"{URL}/dissemination/{saved.uuid}").status_code == 403
    outsider = api(world.other_coordinator)
    assert outsider.get(f"{URL}/dissemination/{saved.uuid}").status_code == 404
    assert outsider.delete(f"{URL}/dissemination/{saved.uuid}").status_code == 404
    assert outsider.get(f"{URL}/dissemination").json()["count"] == 0


def test_dissemination_list_answers_in_a_fixed_number_of_queries(world):
    client = api(world.manager)
    DisseminationFactory(partnership=world.partnership)
    with CaptureQueriesContext(connection) as few:
        client.get(f"{URL}/dissemination")
    for _ in range(10):
        DisseminationFactory(partnership=world.partnership)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"{URL}/dissemination", {"programme": str(world.programme.uuid)})
    assert response.json()["count"] == 11
    assert len(many.captured_queries) <= len(few.captured_queries) + 1  # the programme named in the filter


def test_member_records_an_adoption_and_its_levels(world):
    client = api(world.member)
    practice = practice_of(world.partnership)
    hospital = InstitutionFactory(country="KE")
    response = client.post(
        f"{URL}/adoptions",
        {
            "practice": str(practice.uuid),
            "site_kind": "institution",
            "institution": str(hospital.uuid),
            "led_by": "host",
            "level": "adapting",
            "reached_on": "2024-02-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    adoption = response.json()
    assert adoption["country"] == "KE" and adoption["current_level"] == "adapting"
    added = client.post(
        f"{URL}/adoptions/{adoption['uuid']}/levels",
        {"level": "adopted", "reached_on": "2025-01-15"},
        content_type="application/json",
    )
    assert added.status_code == 201
    detail = added.json()
    assert detail["current_level"] == "adopted" and detail["since"] == "2025-01-15"
    assert [row["level"] for row in detail["levels"]] == ["adapting", "adopted"]
    refused = client.post(
        f"{URL}/adoptions/{adoption['uuid']}/levels",
        {"level": "piloting", "reached_on": "2025-06-01"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    listed = client.get(f"{URL}/adoptions", {"practice": str(practice.uuid), "level": "adopted"}).json()
    assert listed["count"] == 1


def test_adoption_readers_and_outsiders(world):
    practice = practice_of(world.partnership, status=Practice.Status.PUBLIC)
    adoption = AdoptionFactory(practice=practice)
    viewer = api(world.partnership_viewer)
    assert viewer.get(f"{URL}/adoptions/{adoption.uuid}").status_code == 200
    level = {"level": "adopted", "reached_on": "2025-03-01"}
    assert (
        viewer.post(
            f"{URL}/adoptions/{adoption.uuid}/levels", level, content_type="application/json"
        ).status_code
        == 403
    )
    outsider = api(world.outsider)
    assert outsider.get(f"{URL}/adoptions/{adoption.uuid}").status_code == 404
    assert outsider.get(f"{URL}/adoptions").json()["count"] == 0
    assert Adoption.objects.get().levels.count() == 1


def test_pillar5_figures_over_the_api(world):
    practice = practice_of(world.partnership)
    AdoptionFactory(practice=practice, site_kind="country", area="", level=Level.NATIONAL)
    DisseminationFactory(partnership=world.partnership, date=datetime.date(2025, 2, 1), people_reached=50)
    figures = api(world.programme_viewer).get(f"{URL}/programmes/{world.programme.uuid}/pillar5").json()
    assert figures["practices_published"] == 1 and figures["national_adoptions"] == 1
    assert figures["adoptions_by_level"]["national"] == 1
    assert figures["reach_by_year"] == [{"year": 2025, "records": 1, "people": 50, "facilities": 6}]
    assert api(world.member).get(f"{URL}/programmes/{world.programme.uuid}/pillar5").status_code == 404
