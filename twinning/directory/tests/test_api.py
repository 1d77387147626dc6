"""The institution directory API: tokens, scoping, validation, optimistic concurrency and query counts."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.accounts.services import api_token_create, api_token_revoke
from twinning.audit.models import AuditEvent
from twinning.core.choices import Side
from twinning.directory.models import Institution
from twinning.directory.services import institution_create
from twinning.partnerships.services import partnership_create, programme_create

URL = "/api/v1/institutions"


@dataclass
class Directory:
    admin: User
    manager: User
    programme_viewer: User
    coordinator: User
    outsider: User
    host: Institution
    resource: Institution
    unrelated: Institution


def _user(email: str, **extra: Any) -> User:
    return User.objects.create_user(email, "pw", **extra)


@pytest.fixture
def directory(db) -> Directory:
    admin = _user("admin@example.org", is_superuser=True, is_staff=True)
    programme = programme_create(actor=admin, name="Maternal health twinning")
    manager = _user("manager@example.org")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    viewer = _user("viewer@example.org")
    ProgrammeRole.objects.create(user=viewer, programme=programme, role=ProgrammeRole.Role.VIEWER)
    host = institution_create(
        actor=manager, name="Mbarara Regional Hospital", type="hospital", country="UG", city="Mbarara"
    )
    resource = institution_create(
        actor=manager, name="Leeds Teaching Hospital", type="university", country="GB", city="Leeds"
    )
    unrelated = institution_create(
        actor=manager, name="Nairobi Nursing School", type="nursing_school", country="KE"
    )
    partnership = partnership_create(
        actor=manager, programme=programme, title="Safer births", hosts=[host], resources=[resource]
    )
    coordinator = _user("coordinator@example.org")
    PartnershipMembership.objects.create(
        user=coordinator, partnership=partnership, side=Side.HOST, role=PartnershipMembership.Role.COORDINATOR
    )
    return Directory(
        admin, manager, viewer, coordinator, _user("outsider@example.org"), host, resource, unrelated
    )


def bearer(user: User) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, user=user, name="tests")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def client() -> Client:
    return Client()


def post(client: Client, url: str, data: Any, headers: dict[str, str]) -> Any:
    return client.post(url, data, content_type="application/json", headers=headers)


def patch(client: Client, url: str, data: Any, headers: dict[str, str]) -> Any:
    return client.patch(url, data, content_type="application/json", headers=headers)


# --- authentication ------------------------------------------------------------------------------


def test_request_without_token_gets_401(client, directory):
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize(
    "header",
    ["Bearer tw_not-a-real-token", "Bearer ", "Bearer", "Basic dXNlcjpwYXNz", "tw_no-scheme"],
)
def test_invalid_token_gets_401(client, directory, header):
    response = client.get(URL, headers={"Authorization": header})
    assert response.status_code == 401


def test_revoked_token_gets_401(client, directory):
    token, raw = api_token_create(actor=directory.manager, user=directory.manager, name="laptop")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(URL, headers=headers).status_code == 200
    api_token_revoke(actor=directory.manager, token=token)
    assert client.get(URL, headers=headers).status_code == 401


def test_token_of_deactivated_user_gets_401(client, directory):
    headers = bearer(directory.manager)
    User.objects.filter(pk=directory.manager.pk).update(is_active=False)
    assert client.get(URL, headers=headers).status_code == 401


def test_bad_token_is_not_rescued_by_a_session(client, directory):
    client.force_login(directory.manager)
    response = client.get(URL, headers={"Authorization": "Bearer tw_wrong"})
    assert response.status_code == 401


def test_signed_in_browser_may_read_with_its_session(client, directory):
    client.force_login(directory.outsider)
    assert client.get(URL).status_code == 200


def test_session_write_without_csrf_token_gets_403_and_writes_nothing(directory):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(directory.manager)
    before = Institution.objects.count()
    response = browser.post(
        URL, {"name": "X", "type": "hospital", "country": "UG"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Institution.objects.count() == before


def test_token_write_needs_no_csrf_token(directory):
    api_client = Client(enforce_csrf_checks=True)
    response = post(
        api_client, URL, {"name": "X", "type": "hospital", "country": "UG"}, bearer(directory.manager)
    )
    assert response.status_code == 201


# --- reading -------------------------------------------------------------------------------------


def test_any_signed_in_user_lists_the_directory(client, directory):
    response = client.get(URL, headers=bearer(directory.outsider))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [i["name"] for i in body["items"]] == [
        "Leeds Teaching Hospital",
        "Mbarara Regional Hospital",
        "Nairobi Nursing School",
    ]
    assert "id" not in body["items"][0]
    assert body["items"][0]["uuid"] == str(directory.resource.uuid)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"q": "mbarara"}, ["Mbarara Regional Hospital"]),
        ({"country": "gb"}, ["Leeds Teaching Hospital"]),
        ({"type": "nursing_school"}, ["Nairobi Nursing School"]),
        ({"expertise": "maternal-newborn"}, ["Mbarara Regional Hospital"]),
        ({"expertise": "no-such-area"}, []),
    ],
)
def test_list_filters(client, directory, query, names):
    headers = bearer(directory.manager)
    patch(client, f"{URL}/{directory.host.uuid}", {"expertise": ["maternal-newborn"]}, headers)
    body = client.get(URL, query, headers=headers).json()
    assert [i["name"] for i in body["items"]] == names
    assert body["count"] == len(names)


def test_list_pages_with_limit_and_offset(client, directory):
    body = client.get(URL, {"limit": 1, "offset": 1}, headers=bearer(directory.outsider)).json()
    assert body["count"] == 3
    assert [i["name"] for i in body["items"]] == ["Mbarara Regional Hospital"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": 201}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"offset": 10**20}, "offset"),
        ({"limit": "ten"}, "limit"),
        ({"country": "XX"}, "country"),
        ({"type": "castle"}, "type"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_list_query_gets_422_naming_the_parameter(client, directory, query, field):
    response = client.get(URL, query, headers=bearer(directory.outsider))
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_detail_shows_the_profile(client, directory):
    response = client.get(f"{URL}/{directory.host.uuid}", headers=bearer(directory.outsider))
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Mbarara Regional Hospital"
    assert body["country"] == "UG"
    assert body["country_name"] == "Uganda"
    assert body["version"] == 1
    assert body["needs"] == []


@pytest.mark.parametrize("name", ["00000000-0000-0000-0000-000000000000", "not-a-uuid", "1"])
def test_unknown_institution_gets_404(client, directory, name):
    response = client.get(f"{URL}/{name}", headers=bearer(directory.manager))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_list_runs_the_same_number_of_queries_for_3_and_30_rows(client, directory):
    headers = bearer(directory.outsider)
    client.get(URL, headers=headers)  # the first use of a token records it; keep that out of the count

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"limit": 200}, headers=headers)
        return len(ctx.captured_queries), len(response.json()["items"])

    small, rows = count_queries()
    assert rows == 3
    for n in range(27):
        institution_create(
            actor=directory.manager,
            name=f"Clinic {n}",
            type="hospital",
            country="UG",
            languages=[],
            expertise=[],
        )
    patch(client, f"{URL}/{directory.host.uuid}", {"languages": ["en", "sw"]}, bearer(directory.manager))
    large, rows = count_queries()
    assert rows == 30
    assert large == small


# --- creating ------------------------------------------------------------------------------------

VALID = {
    "name": "Gulu Regional Referral Hospital",
    "type": "hospital",
    "country": "UG",
    "city": "Gulu",
    "time_zone": "Africa/Kampala",
    "capacity": 2,
    "languages": ["en", "sw"],
    "expertise": ["surgery-anaesthesia"],
    "needs": ["emergency-care", "laboratory"],
}


def test_programme_manager_creates_an_institution(client, directory):
    response = post(client, URL, VALID, bearer(directory.manager))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == VALID["name"]
    assert body["languages"] == ["en", "sw"]
    assert [a["code"] for a in body["expertise"]] == ["surgery-anaesthesia"]
    assert sorted(a["code"] for a in body["needs"]) == ["emergency-care", "laboratory"]
    institution = Institution.objects.get(uuid=body["uuid"])
    assert AuditEvent.objects.filter(target_id=str(institution.pk), action=AuditEvent.Action.CREATE).exists()


def test_coordinator_creates_an_institution(client, directory):
    assert post(client, URL, VALID, bearer(directory.coordinator)).status_code == 201


@pytest.mark.parametrize("who", ["programme_viewer", "outsider"])
def test_read_only_user_cannot_create_an_institution(client, directory, who):
    before = Institution.objects.count()
    response = post(client, URL, VALID, bearer(getattr(directory, who)))
    assert response.status_code == 403
    assert Institution.objects.count() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"country": ""}, "country"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"name": "Nul\x00Hospital"}, "name"),
        ({"city": "Gulu\x00"}, "city"),
        ({"description": "x" * 10_001}, "description"),
        ({"capacity": 10**30}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"capacity": 51}, "capacity"),
        ({"capacity": "many"}, "capacity"),
        ({"type": "castle"}, "type"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"website": "not a url"}, "website"),
        ({"iati_org_id": "nope"}, "iati_org_id"),
        ({"languages": ["xx"]}, "languages"),
        ({"languages": ["en\x00"]}, "languages"),
        ({"expertise": ["no-such-area"]}, "expertise"),
        ({"needs": "laboratory"}, "needs"),
        ({"id": 7}, "id"),
    ],
)
def test_bad_input_gets_422_with_field_errors_and_writes_nothing(client, directory, change, field):
    headers = bearer(directory.manager)
    before = (Institution.objects.count(), AuditEvent.objects.count())
    response = post(client, URL, {**VALID, **change}, headers)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    assert field in body["errors"], body
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)
    assert (Institution.objects.count(), AuditEvent.objects.count()) == before


def test_missing_required_fields_are_each_reported(client, directory):
    response = post(client, URL, {}, bearer(directory.manager))
    assert response.status_code == 422
    assert {"name", "type", "country"} <= set(response.json()["errors"])


def test_malformed_json_gets_422(client, directory):
    response = client.post(
        URL, "{not json", content_type="application/json", headers=bearer(directory.manager)
    )
    assert response.status_code == 422
    assert "body" in response.json()["errors"]


# --- updating ------------------------------------------------------------------------------------


def test_manager_updates_an_institution_with_its_version(client, directory):
    url = f"{URL}/{directory.host.uuid}"
    response = patch(client, url, {"city": "Mbarara City", "version": 1}, bearer(directory.manager))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["city"] == "Mbarara City"
    assert body["version"] == 2
    assert body["name"] == "Mbarara Regional Hospital"  # fields not sent stay as they were


def test_update_sets_areas_and_shows_them(client, directory):
    url = f"{URL}/{directory.host.uuid}"
    body = patch(
        client, url, {"expertise": ["oncology"], "needs": ["pharmacy"]}, bearer(directory.manager)
    ).json()
    assert [a["code"] for a in body["expertise"]] == ["oncology"]
    assert [a["code"] for a in body["needs"]] == ["pharmacy"]


def test_stale_version_gets_409_and_keeps_the_other_change(client, directory):
    url = f"{URL}/{directory.host.uuid}"
    headers = bearer(directory.manager)
    assert patch(client, url, {"city": "First", "version": 1}, headers).status_code == 200
    response = patch(client, url, {"city": "Second", "version": 1}, headers)
    assert response.status_code == 409
    assert response.json()["detail"]
    directory.host.refresh_from_db()
    assert directory.host.city == "First"


def test_coordinator_updates_the_institution_on_their_side(client, directory):
    response = patch(
        client, f"{URL}/{directory.host.uuid}", {"city": "Mbarara"}, bearer(directory.coordinator)
    )
    assert response.status_code == 200


def test_coordinator_cannot_update_the_other_sides_institution(client, directory):
    response = patch(
        client, f"{URL}/{directory.resource.uuid}", {"city": "York"}, bearer(directory.coordinator)
    )
    assert response.status_code == 403
    directory.resource.refresh_from_db()
    assert directory.resource.city == "Leeds"


@pytest.mark.parametrize("who", ["programme_viewer", "outsider"])
def test_read_only_user_cannot_update_an_institution(client, directory, who):
    response = patch(
        client, f"{URL}/{directory.host.uuid}", {"city": "Elsewhere"}, bearer(getattr(directory, who))
    )
    assert response.status_code == 403
    directory.host.refresh_from_db()
    assert (directory.host.city, directory.host.version) == ("Mbarara", 1)


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_viewer", 403), ("outsider", 403), ("coordinator", 422), ("manager", 422)],
)
def test_a_bad_update_answers_403_to_who_may_not_change_it_and_422_to_who_may(client, directory, who, status):
    # django-ninja refuses the body before the view runs; the refusal still follows who may change the row.
    response = patch(
        client, f"{URL}/{directory.host.uuid}", {"country": "ZZ"}, bearer(getattr(directory, who))
    )
    assert response.status_code == status, response.content
    directory.host.refresh_from_db()
    assert (directory.host.country, directory.host.version) == ("UG", 1)


def test_update_of_unknown_institution_gets_404(client, directory):
    url = f"{URL}/00000000-0000-0000-0000-000000000000"
    assert patch(client, url, {"city": "X"}, bearer(directory.manager)).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"country": "ZZ"}, "country"),
        ({"name": "a\x00"}, "name"),
        ({"version": 0}, "version"),
        ({"version": 2**40}, "version"),
        ({"capacity": 2**63}, "capacity"),
        ({"uuid": "00000000-0000-0000-0000-000000000000"}, "uuid"),
    ],
)
def test_bad_update_gets_422_and_changes_nothing(client, directory, change, field):
    response = patch(client, f"{URL}/{directory.host.uuid}", change, bearer(directory.manager))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    directory.host.refresh_from_db()
    assert (directory.host.name, directory.host.country, directory.host.version) == (
        "Mbarara Regional Hospital",
        "UG",
        1,
    )
