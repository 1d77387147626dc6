import uuid

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from twinning.accounts.services import api_token_create
from twinning.core.choices import Side
from twinning.exchanges.models import Exchange, MentoringSession, Participant
from twinning.exchanges.tests.factories import (
    ExchangeFactory,
    MentoringPairFactory,
    ParticipantFactory,
    side_person,
)
from twinning.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/exchanges"


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def body(world, **overrides):
    return {
        "partnership": str(world.partnership.uuid),
        "title": "Lab quality workshop",
        "type": "workshop",
        "direction": "host_to_host",
        "status": "completed",
        "start_date": "2025-07-01",
        "end_date": "2025-07-03",
        **overrides,
    }


def test_member_logs_an_exchange_and_adds_travellers(world):
    client = api(world.member)
    response = client.post(URL, body(world), content_type="application/json")
    assert response.status_code == 201, response.json()
    exchange = response.json()
    assert exchange["days"] == 3
    person = side_person(world.partnership, Side.HOST)
    added = client.post(
        f"{URL}/{exchange['uuid']}/participants",
        {"person": str(person.uuid), "role": "traveller", "sex": "male"},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["side"] == "host"
    detail = client.get(f"{URL}/{exchange['uuid']}").json()
    assert detail["person_days"] == 3 and len(detail["participants"]) == 1


def test_bad_input_is_422_and_writes_nothing(world):
    response = api(world.member).post(
        URL, body(world, end_date="2025-06-01", type="holiday"), content_type="application/json"
    )
    assert response.status_code == 422
    assert "type" in response.json()["errors"]
    assert not Exchange.objects.exists()


def test_end_before_start_is_422(world):
    response = api(world.member).post(
        URL, body(world, end_date="2025-06-01"), content_type="application/json"
    )
    assert response.status_code == 422
    assert "end_date" in response.json()["errors"]


def test_viewer_may_read_but_not_write(world):
    exchange = ExchangeFactory(partnership=world.partnership)
    client = api(world.partnership_viewer)
    assert client.get(f"{URL}/{exchange.uuid}").status_code == 200
    assert client.post(URL, body(world), content_type="application/json").status_code == 403
    response = client.patch(f"{URL}/{exchange.uuid}", {"place": "x"}, content_type="application/json")
    assert response.status_code == 403


def test_a_viewers_bad_body_is_403_where_a_members_is_422(world):
    # django-ninja refuses a bad body before the view runs; the view's write lookup still answers for a reader.
    exchange = ExchangeFactory(partnership=world.partnership)
    pair = MentoringPairFactory(partnership=world.partnership)
    bad = {"title": "", "count": 0, "status": "unheard-of", "duration_minutes": -1}
    writes = [
        ("patch", f"{URL}/{exchange.uuid}"),
        ("post", f"{URL}/{exchange.uuid}/participants"),
        ("post", f"{URL}/{exchange.uuid}/trainee-groups"),
        ("patch", f"{URL}/mentoring/{pair.uuid}"),
        ("post", f"{URL}/mentoring/{pair.uuid}/sessions"),
    ]
    viewer, member = api(world.partnership_viewer), api(world.member)
    for method, url in writes:
        assert getattr(viewer, method)(url, bad, content_type="application/json").status_code == 403, url
        assert getattr(member, method)(url, bad, content_type="application/json").status_code == 422, url
    assert not Participant.objects.exists() and not MentoringSession.objects.exists()


def test_outsider_gets_404_and_an_empty_list(world):
    exchange = ExchangeFactory(partnership=world.partnership)
    client = api(world.outsider)
    assert client.get(f"{URL}/{exchange.uuid}").status_code == 404
    assert client.get(URL).json()["count"] == 0
    # Who enters data nowhere is refused before the body is read; who does elsewhere gets 404 for the partnership
    # the body names, as in a path, and as for one that does not exist.
    response = client.post(URL, body(world), content_type="application/json")
    assert response.status_code == 403
    other = api(world.other_coordinator)
    for partnership in (world.partnership.uuid, uuid.uuid4()):
        response = other.post(URL, body(world, partnership=str(partnership)), content_type="application/json")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_stale_patch_is_409(world):
    exchange = ExchangeFactory(partnership=world.partnership, version=2)
    response = api(world.coordinator).patch(
        f"{URL}/{exchange.uuid}", {"place": "Lira", "version": 1}, content_type="application/json"
    )
    assert response.status_code == 409


def test_person_from_elsewhere_is_422(world):
    exchange = ExchangeFactory(partnership=world.partnership)
    response = api(world.member).post(
        f"{URL}/{exchange.uuid}/participants",
        {"person": str(PersonFactory().uuid), "role": "traveller"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert not Participant.objects.exists()


def test_list_query_count_is_constant(world):
    client = api(world.manager)
    ParticipantFactory(exchange=ExchangeFactory(partnership=world.partnership))
    client.get(URL)  # the first use of a token also records when it was used
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for _ in range(6):
        ParticipantFactory(exchange=ExchangeFactory(partnership=world.partnership))
    with CaptureQueriesContext(connection) as many:
        data = client.get(URL).json()
    assert len(many) == len(few)
    assert data["count"] == 7 and data["items"][0]["person_days"] == 5


def test_mentoring_over_the_api(world):
    client = api(world.member)
    mentor = side_person(world.partnership, Side.RESOURCE)
    mentee = side_person(world.partnership, Side.HOST)
    response = client.post(
        f"{URL}/mentoring",
        {"partnership": str(world.partnership.uuid), "mentor": str(mentor.uuid), "mentee": str(mentee.uuid)},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    pair = response.json()["uuid"]
    logged = client.post(
        f"{URL}/mentoring/{pair}/sessions",
        {"date": "2025-03-01", "mode": "in_person", "duration_minutes": 90},
        content_type="application/json",
    )
    assert logged.status_code == 201
    listed = client.get(f"{URL}/mentoring", {"partnership": str(world.partnership.uuid)}).json()
    assert listed["items"][0]["minutes"] == 90
    changed = client.patch(
        f"{URL}/mentoring/{pair}", {"status": "completed"}, content_type="application/json"
    )
    assert changed.json()["status"] == "completed"


def test_session_of_another_programme_is_404(world):
    pair = MentoringPairFactory(partnership=world.other_partnership)
    response = api(world.member).post(
        f"{URL}/mentoring/{pair.uuid}/sessions",
        {"date": "2025-03-01", "mode": "remote", "duration_minutes": 30},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not MentoringSession.objects.exists()


def test_summary_for_partnership_and_programme(world):
    ExchangeFactory(partnership=world.partnership)
    assert (
        api(world.member).get(f"{URL}/summary", {"partnership": str(world.partnership.uuid)}).status_code
        == 200
    )
    assert (
        api(world.member).get(f"{URL}/summary", {"programme": str(world.programme.uuid)}).status_code == 422
    )
    data = api(world.finance).get(f"{URL}/summary", {"programme": str(world.programme.uuid)}).json()
    assert sum(d["completed"] for d in data["directions"]) == 1


def test_every_exchanges_operation_declares_its_error_responses(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, ops in schema["paths"].items():
        if not path.startswith(URL):
            continue
        for method, op in ops.items():
            expected = {"401", "422", "429"}
            if "{" in path or method != "get":
                # A write without a path names its partnership in the body: 404 as in a path (core.api).
                expected.add("404")
            if method != "get":
                expected.add("403")
            if method == "patch":
                expected.add("409")
            declared = {code for code in op["responses"] if code.startswith(("4", "5"))}
            assert declared == expected, (method, path, declared)


def test_a_setting_nobody_chose_stays_unset_through_the_api(world):
    """Issue 9: a traveller added without a training setting is not recorded as in-service."""
    client = api(world.member)
    exchange = client.post(URL, body(world), content_type="application/json").json()
    person = side_person(world.partnership, Side.HOST)
    added = client.post(
        f"{URL}/{exchange['uuid']}/participants",
        {"person": str(person.uuid), "role": "traveller"},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["setting"] is None
    group = client.post(
        f"{URL}/{exchange['uuid']}/trainee-groups",
        {"sex": "female", "cadre": "nurse", "count": 4},
        content_type="application/json",
    )
    assert group.status_code == 201 and group.json()["setting"] is None
    assert list(Participant.objects.values_list("setting", flat=True)) == [""]
    summary = client.get(f"/api/v1/exchanges/summary?partnership={world.partnership.uuid}").json()
    assert summary["trained_by_setting"] == {"in_service": 0, "pre_service": 0, "not_recorded": 4}
