"""The partnerships API: scoping by role, validation, stage changes, optimistic concurrency, query counts,
and the OpenAPI schema of the whole API."""

import datetime
import importlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from ninja import Schema

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.core.api import DECIMAL_PATTERN
from twinning.core.choices import Choices, Side
from twinning.directory.models import Institution
from twinning.directory.services import institution_create
from twinning.exchanges.models import Exchange, MentoringPair
from twinning.partnerships import api as partnerships_api
from twinning.partnerships.models import Partnership, Programme, StageChange, Stakeholder
from twinning.partnerships.selectors import partnership_today
from twinning.partnerships.services import (
    partnership_create,
    partnership_stage_change,
    programme_create,
    stakeholder_create,
)

URL = "/api/v1/partnerships"


@dataclass
class World:
    programme: Programme
    other_programme: Programme
    partnership: Partnership
    other_partnership: Partnership
    host: Institution
    resource: Institution
    spare: Institution
    manager: User
    me_officer: User
    finance: User
    programme_viewer: User
    coordinator: User
    member: User
    partnership_viewer: User
    other_manager: User
    outsider: User


def _user(email: str, **extra: Any) -> User:
    return User.objects.create_user(email, "pw", **extra)


def _staff(programme: Programme, role: str, email: str) -> User:
    user = _user(email)
    ProgrammeRole.objects.create(user=user, programme=programme, role=role)
    return user


def _member(partnership: Partnership, role: str, email: str) -> User:
    user = _user(email)
    PartnershipMembership.objects.create(user=user, partnership=partnership, side=Side.HOST, role=role)
    return user


@pytest.fixture
def world(db) -> World:
    admin = _user("admin@example.org", is_superuser=True, is_staff=True)
    programme = programme_create(actor=admin, name="Maternal health twinning")
    other_programme = programme_create(actor=admin, name="Surgical twinning")
    manager = _staff(programme, ProgrammeRole.Role.MANAGER, "manager@example.org")
    other_manager = _staff(other_programme, ProgrammeRole.Role.MANAGER, "other-manager@example.org")
    host = institution_create(actor=manager, name="Mbarara Regional Hospital", type="hospital", country="UG")
    resource = institution_create(
        actor=manager, name="Leeds Teaching Hospital", type="university", country="GB"
    )
    spare = institution_create(
        actor=manager, name="Moshi Nursing School", type="nursing_school", country="TZ"
    )
    partnership = partnership_create(
        actor=manager,
        programme=programme,
        title="Safer births",
        shared_goal="Fewer maternal deaths",
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2027, 12, 31),
        hosts=[host],
        resources=[resource],
    )
    stakeholder_create(
        actor=manager,
        partnership=partnership,
        kind=Stakeholder.Kind.MINISTRY,
        name="Ministry of Health, Uganda",
    )
    other_partnership = partnership_create(
        actor=other_manager,
        programme=other_programme,
        title="Safe surgery",
        hosts=[spare],
        resources=[resource],
    )
    return World(
        programme=programme,
        other_programme=other_programme,
        partnership=partnership,
        other_partnership=other_partnership,
        host=host,
        resource=resource,
        spare=spare,
        manager=manager,
        me_officer=_staff(programme, ProgrammeRole.Role.ME_OFFICER, "me@example.org"),
        finance=_staff(programme, ProgrammeRole.Role.FINANCE_OFFICER, "finance@example.org"),
        programme_viewer=_staff(programme, ProgrammeRole.Role.VIEWER, "viewer@example.org"),
        coordinator=_member(partnership, PartnershipMembership.Role.COORDINATOR, "coordinator@example.org"),
        member=_member(partnership, PartnershipMembership.Role.MEMBER, "member@example.org"),
        partnership_viewer=_member(partnership, PartnershipMembership.Role.VIEWER, "pviewer@example.org"),
        other_manager=other_manager,
        outsider=_user("outsider@example.org"),
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


def detail_url(partnership: Partnership) -> str:
    return f"{URL}/{partnership.uuid}"


READ_ONLY = ["finance", "programme_viewer", "member", "partnership_viewer"]


# --- listing -------------------------------------------------------------------------------------


def test_list_without_token_gets_401(client, world):
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers={"Authorization": "Bearer tw_forged"}).status_code == 401


@pytest.mark.parametrize(
    ("who", "titles"),
    [
        ("manager", ["Safer births"]),
        ("programme_viewer", ["Safer births"]),
        ("partnership_viewer", ["Safer births"]),
        ("other_manager", ["Safe surgery"]),
        ("outsider", []),
    ],
)
def test_list_shows_only_what_the_user_may_see(client, world, who, titles):
    body = client.get(URL, headers=bearer(getattr(world, who))).json()
    assert [p["title"] for p in body["items"]] == titles
    assert body["count"] == len(titles)


def test_list_embeds_both_sides_by_uuid(client, world):
    item = client.get(URL, headers=bearer(world.manager)).json()["items"][0]
    assert item["uuid"] == str(world.partnership.uuid)
    assert item["programme"] == {"uuid": str(world.programme.uuid), "name": "Maternal health twinning"}
    assert item["hosts"] == [
        {"uuid": str(world.host.uuid), "name": "Mbarara Regional Hospital", "country": "UG"}
    ]
    assert item["resources"] == [
        {"uuid": str(world.resource.uuid), "name": "Leeds Teaching Hospital", "country": "GB"}
    ]
    assert "id" not in item


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "births"}, 1),
        ({"q": "surgery"}, 0),
        ({"stage": "scoping"}, 1),
        ({"stage": "implementation"}, 0),
        ({"country": "gb"}, 1),
        ({"country": "TZ"}, 0),
    ],
)
def test_list_filters(client, world, query, expected):
    assert client.get(URL, query, headers=bearer(world.manager)).json()["count"] == expected


def test_list_filters_by_programme(client, world):
    headers = bearer(world.manager)
    assert client.get(URL, {"programme": str(world.programme.uuid)}, headers=headers).json()["count"] == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"programme": "not-a-uuid"}, "programme"),
        ({"programme": "00000000-0000-0000-0000-000000000000"}, "programme"),
        ({"stage": "finished"}, "stage"),
        ({"country": "XX"}, "country"),
        ({"limit": 1000}, "limit"),
        ({"q": "\x00"}, "q"),
    ],
)
def test_bad_list_query_gets_422(client, world, query, field):
    response = client.get(URL, query, headers=bearer(world.manager))
    assert response.status_code == 422
    assert field in response.json()["errors"]


def test_another_programmes_uuid_as_filter_reads_like_an_unknown_one(client, world):
    response = client.get(URL, {"programme": str(world.other_programme.uuid)}, headers=bearer(world.manager))
    assert response.status_code == 422
    assert response.json()["errors"] == {"programme": ["Unknown programme."]}


def test_list_runs_the_same_number_of_queries_for_3_and_30_rows(client, world):
    headers = bearer(world.manager)
    client.get(URL, headers=headers)  # the first use of a token records it; keep that out of the count

    def count_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(URL, {"limit": 200}, headers=headers)
        return len(ctx.captured_queries), len(response.json()["items"])

    def add(n: int) -> None:
        for i in range(n):
            partnership_create(
                actor=world.manager,
                programme=world.programme,
                title=f"Partnership {i:02}",
                hosts=[
                    institution_create(actor=world.manager, name=f"Host {i}", type="hospital", country="UG")
                ],
                resources=[world.resource, world.spare],
            )

    add(2)
    small, rows = count_queries()
    assert rows == 3
    add(27)
    large, rows = count_queries()
    assert rows == 30
    assert large == small


def test_every_listed_partnership_reads_as_its_own_answer_does_page_by_page(client, world):
    """The list is built from plain rows (partnership_rows), the detail from the model: the shared fields must
    agree, sides in name order, for every partnership on every page, whatever the filter."""
    headers = bearer(world.manager)
    for i in range(4):
        partnership_create(
            actor=world.manager,
            programme=world.programme,
            title=f"Partnership {i}",
            start_date=datetime.date(2025, 1, 1 + i) if i % 2 else None,
            hosts=[
                institution_create(actor=world.manager, name=f"Host {3 - i}", type="hospital", country="UG"),
                world.host,
            ],
            resources=[world.resource, world.spare] if i % 2 else [world.spare],
        )
    for query in ({}, {"country": "GB"}, {"q": "Partnership"}):
        seen = []
        for offset in range(0, 6, 2):
            body = client.get(URL, {**query, "limit": 2, "offset": offset}, headers=headers).json()
            seen += body["items"]
        assert len(seen) == body["count"] > 0
        assert [item["title"] for item in seen] == sorted(item["title"] for item in seen)
        for item in seen:
            detail = client.get(f"{URL}/{item['uuid']}", headers=headers).json()
            assert item == {key: detail[key] for key in item}
            assert [side["name"] for side in item["hosts"]] == sorted(side["name"] for side in item["hosts"])


# --- detail --------------------------------------------------------------------------------------


def test_detail_shows_sides_stakeholders_and_stage_history(client, world):
    partnership_stage_change(
        actor=world.manager, partnership=world.partnership, stage="matching", note="Twins proposed"
    )
    response = client.get(detail_url(world.partnership), headers=bearer(world.partnership_viewer))
    assert response.status_code == 200
    body = response.json()
    assert body["shared_goal"] == "Fewer maternal deaths"
    assert body["start_date"] == "2025-01-01"
    assert body["stage"] == "matching"
    assert [h["uuid"] for h in body["hosts"]] == [str(world.host.uuid)]
    assert [s["name"] for s in body["stakeholders"]] == ["Ministry of Health, Uganda"]
    assert [c["stage"] for c in body["stage_history"]] == ["matching", "scoping"]
    assert body["stage_history"][0]["note"] == "Twins proposed"


@pytest.mark.parametrize("who", ["outsider", "other_manager"])
def test_outsider_gets_404_on_detail(client, world, who):
    response = client.get(detail_url(world.partnership), headers=bearer(getattr(world, who)))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_malformed_uuid_gets_404(client, world):
    assert client.get(f"{URL}/42", headers=bearer(world.manager)).status_code == 404


# --- creating ------------------------------------------------------------------------------------


def valid_body(world: World, **change: Any) -> dict[str, Any]:
    return {
        "programme": str(world.programme.uuid),
        "title": "Emergency care twinning",
        "shared_goal": "Triage in every ward",
        "start_date": "2026-01-01",
        "end_date": "2028-12-31",
        "hosts": [str(world.host.uuid)],
        "resources": [str(world.resource.uuid), str(world.spare.uuid)],
        **change,
    }


@pytest.mark.parametrize("who", ["manager", "me_officer"])
def test_programme_editor_creates_a_partnership(client, world, who):
    response = post(client, URL, valid_body(world), bearer(getattr(world, who)))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Emergency care twinning"
    assert body["stage"] == "scoping"
    assert [r["name"] for r in body["resources"]] == ["Leeds Teaching Hospital", "Moshi Nursing School"]
    assert [c["stage"] for c in body["stage_history"]] == ["scoping"]
    assert Partnership.objects.filter(uuid=body["uuid"], programme=world.programme).exists()


@pytest.mark.parametrize("who", ["finance", "programme_viewer", "coordinator", "partnership_viewer"])
def test_read_only_user_cannot_create_a_partnership(client, world, who):
    before = Partnership.objects.count()
    response = post(client, URL, valid_body(world), bearer(getattr(world, who)))
    assert response.status_code == 403
    assert Partnership.objects.count() == before


def test_manager_of_another_programme_cannot_name_this_programme(client, world):
    # The programme is the one object the request is about, named in the body: hidden answers 404, as in a path.
    response = post(client, URL, valid_body(world), bearer(world.other_manager))
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
    # ... and reads as one that does not exist.
    missing = valid_body(world, programme="00000000-0000-0000-0000-000000000000")
    response = post(client, URL, missing, bearer(world.manager))
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"start_date": "2026-02-30"}, "start_date"),
        ({"start_date": "10000-01-01"}, "start_date"),
        ({"title": ""}, "title"),
        ({"title": "t" * 256}, "title"),
        ({"title": "Safe\x00births"}, "title"),
        ({"shared_goal": "g\x00"}, "shared_goal"),
        ({"shared_goal": "g" * 10_001}, "shared_goal"),
        ({"programme": 1}, "programme"),
        ({"hosts": []}, "hosts"),
        ({"hosts": [1]}, "hosts.0"),
        ({"hosts": ["00000000-0000-0000-0000-000000000000"]}, "hosts"),
        ({"resources": ["00000000-0000-0000-0000-000000000000"] * 21}, "resources"),
        ({"hosts": "__HOST__", "resources": "__HOST__"}, "resources"),
        ({"stage": "implementation"}, "stage"),
        ({"id": 3}, "id"),
    ],
)
def test_bad_input_gets_422_with_field_errors_and_writes_nothing(client, world, change, field):
    if change.get("hosts") == "__HOST__":
        change = {"hosts": [str(world.host.uuid)], "resources": [str(world.host.uuid)]}
    headers = bearer(world.manager)
    before = (Partnership.objects.count(), StageChange.objects.count(), AuditEvent.objects.count())
    response = post(client, URL, valid_body(world, **change), headers)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"], response.json()
    assert (Partnership.objects.count(), StageChange.objects.count(), AuditEvent.objects.count()) == before


# --- updating ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "me_officer", "coordinator"])
def test_editor_updates_a_partnership(client, world, who):
    response = patch(
        client,
        detail_url(world.partnership),
        {"title": "Safer births, phase 2", "version": 1},
        bearer(getattr(world, who)),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Safer births, phase 2"
    assert response.json()["version"] == 2
    assert response.json()["shared_goal"] == "Fewer maternal deaths"


def test_update_may_clear_a_date(client, world):
    response = patch(client, detail_url(world.partnership), {"end_date": None}, bearer(world.manager))
    assert response.status_code == 200
    assert response.json()["end_date"] is None


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_user_cannot_update_a_partnership(client, world, who):
    response = patch(
        client, detail_url(world.partnership), {"title": "Hijacked"}, bearer(getattr(world, who))
    )
    assert response.status_code == 403
    world.partnership.refresh_from_db()
    assert (world.partnership.title, world.partnership.version) == ("Safer births", 1)


@pytest.mark.parametrize("who", ["outsider", "other_manager"])
def test_outsider_gets_404_on_update(client, world, who):
    response = patch(
        client, detail_url(world.partnership), {"title": "Hijacked"}, bearer(getattr(world, who))
    )
    assert response.status_code == 404


def another_client_saves_the_goal_first(world: World, monkeypatch: Any) -> None:
    """Between this request's read of the partnership and its save, another client's change commits."""
    real_update = partnerships_api.partnership_update

    def update(**kwargs: Any) -> Partnership:
        real_update(
            actor=world.coordinator,
            partnership=Partnership.objects.get(pk=world.partnership.pk),
            data={"shared_goal": "No mother dies giving birth"},
        )
        return real_update(**kwargs)

    monkeypatch.setattr(partnerships_api, "partnership_update", update)


def test_patch_without_version_keeps_a_change_another_client_saved_meanwhile(client, world, monkeypatch):
    """Two clients change different fields of one partnership at the same moment: both changes stay."""
    another_client_saves_the_goal_first(world, monkeypatch)
    response = patch(
        client, detail_url(world.partnership), {"title": "Safer births, phase 2"}, bearer(world.manager)
    )
    assert response.status_code == 200, response.content
    assert (response.json()["title"], response.json()["shared_goal"]) == (
        "Safer births, phase 2",
        "No mother dies giving birth",
    )
    world.partnership.refresh_from_db()
    assert (world.partnership.title, world.partnership.shared_goal, world.partnership.version) == (
        "Safer births, phase 2",
        "No mother dies giving birth",
        3,
    )


def test_patch_with_the_version_read_before_a_concurrent_change_gets_409(client, world, monkeypatch):
    another_client_saves_the_goal_first(world, monkeypatch)
    response = patch(
        client,
        detail_url(world.partnership),
        {"title": "Safer births, phase 2", "version": 1},
        bearer(world.manager),
    )
    assert response.status_code == 409
    world.partnership.refresh_from_db()
    assert (world.partnership.title, world.partnership.shared_goal) == (
        "Safer births",
        "No mother dies giving birth",
    )


def test_stale_version_gets_409_and_keeps_the_other_change(client, world):
    headers = bearer(world.manager)
    assert (
        patch(client, detail_url(world.partnership), {"title": "First", "version": 1}, headers).status_code
        == 200
    )
    response = patch(client, detail_url(world.partnership), {"title": "Second", "version": 1}, headers)
    assert response.status_code == 409
    assert set(response.json()) == {"detail"}
    world.partnership.refresh_from_db()
    assert world.partnership.title == "First"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"end_date": "2024-12-31"}, "end_date"),
        ({"title": None}, "title"),
        ({"title": "x\x00"}, "title"),
        ({"version": -1}, "version"),
        ({"version": 10**30}, "version"),
        ({"stage": "closed"}, "stage"),
        ({}, "__all__"),
        ({"version": 1}, "__all__"),
    ],
)
def test_bad_update_gets_422_and_changes_nothing(client, world, change, field):
    response = patch(client, detail_url(world.partnership), change, bearer(world.manager))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    world.partnership.refresh_from_db()
    assert (world.partnership.title, world.partnership.end_date, world.partnership.version) == (
        "Safer births",
        datetime.date(2027, 12, 31),
        1,
    )


# --- stage changes -------------------------------------------------------------------------------


def stage_url(partnership: Partnership) -> str:
    return f"{detail_url(partnership)}/stage"


def test_coordinator_moves_the_partnership_to_the_next_stage(client, world):
    # Today where the host is (a stage change is dated there), which is tomorrow in UTC late in the evening.
    today = partnership_today(world.partnership).isoformat()
    response = post(
        client,
        stage_url(world.partnership),
        {"stage": "matching", "changed_on": today, "note": "Twins agreed", "version": 1},
        bearer(world.coordinator),
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["stage"] == "matching"
    assert body["version"] == 2
    change = next(c for c in body["stage_history"] if c["stage"] == "matching")
    assert (change["changed_on"], change["note"]) == (today, "Twins agreed")
    assert len(body["stage_history"]) == 2


@pytest.mark.parametrize("who", READ_ONLY)
def test_read_only_user_cannot_change_the_stage(client, world, who):
    response = post(client, stage_url(world.partnership), {"stage": "matching"}, bearer(getattr(world, who)))
    assert response.status_code == 403
    assert StageChange.objects.filter(partnership=world.partnership).count() == 1


def test_outsider_gets_404_on_stage_change(client, world):
    response = post(client, stage_url(world.partnership), {"stage": "matching"}, bearer(world.outsider))
    assert response.status_code == 404


def test_stage_change_with_stale_version_gets_409(client, world):
    partnership_stage_change(actor=world.manager, partnership=world.partnership, stage="matching")
    response = post(
        client, stage_url(world.partnership), {"stage": "agreement", "version": 1}, bearer(world.manager)
    )
    assert response.status_code == 409
    world.partnership.refresh_from_db()
    assert world.partnership.stage == "matching"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"stage": "scoping"}, "stage"),
        ({"stage": "sideways"}, "stage"),
        ({}, "stage"),
        ({"stage": "matching", "changed_on": "tomorrow"}, "changed_on"),
        ({"stage": "matching", "changed_on": "__FUTURE__"}, "changed_on"),
        ({"stage": "matching", "note": "\x00"}, "note"),
    ],
)
def test_bad_stage_change_gets_422_and_changes_nothing(client, world, body, field):
    if body.get("changed_on") == "__FUTURE__":
        future = partnership_today(world.partnership) + datetime.timedelta(days=1)
        body = {**body, "changed_on": future.isoformat()}
    response = post(client, stage_url(world.partnership), body, bearer(world.manager))
    assert response.status_code == 422
    assert field in response.json()["errors"]
    world.partnership.refresh_from_db()
    assert (world.partnership.stage, world.partnership.version) == ("scoping", 1)
    assert StageChange.objects.filter(partnership=world.partnership).count() == 1


# --- the OpenAPI schema --------------------------------------------------------------------------


def test_openapi_schema_loads(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/institutions", "/api/v1/partnerships/{partnership_uuid}/stage"} <= set(schema["paths"])
    assert {"BearerAuth", "SessionAuth"} <= set(schema["components"]["securitySchemes"])


def test_every_operation_declares_its_error_responses(client, db):
    """Every operation of every app declares the errors it can answer, in the one error shape."""
    schema = client.get("/api/v1/openapi.json").json()
    schemas = schema["components"]["schemas"]
    operations = [(path, method, op) for path, ops in schema["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 9
    for path, method, op in operations:
        expected = {"401", "422", "429"}
        if "{" in path:
            expected.add("404")
        if method != "get":
            expected.add("403")
        declared = {code for code in op["responses"] if code.startswith(("4", "5"))}
        # 409 (a stale version or a state that changed meanwhile) is declared by the writes that can meet it; 403
        # by the reads that refuse a reader what they may know exists (a draft plan version, docs/ACCESS.md).
        allowed = expected | ({"409"} if method != "get" else {"403"})
        # 404 by the writes whose body names the one object they are about (a result's partnership, a new
        # partnership's programme): hidden or missing, it answers as in a path (twinning.core.api).
        if method != "get" and "{" not in path:
            allowed.add("404")
        # 413 (a file over the upload limit) by the operations that take a file.
        if "multipart/form-data" in op.get("requestBody", {}).get("content", {}):
            allowed.add("413")
        assert expected <= declared <= allowed, (
            method,
            path,
            declared,
        )
        for code in declared:
            ref = op["responses"][code]["content"]["application/json"]["schema"]["$ref"]
            error_schema = schemas[ref.rsplit("/", 1)[-1]]
            # ErrorOut itself, or a richer error (an import's row list) that still carries `detail`.
            assert "detail" in error_schema.get("required", []), (method, path, code, ref)
    error = schema["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["detail"]
    # `labels` names each field of `errors` in the reader's language (issue "Field conditions").
    assert set(error["properties"]) == {"detail", "errors", "labels"}


def test_no_operation_names_objects_by_integer_id(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    for path in schema["paths"]:
        assert "{id}" not in path and "_id}" not in path
    for name, component in schema["components"]["schemas"].items():
        assert "id" not in component.get("properties", {}), name


def _choice_lists() -> dict[str, type[Choices]]:
    found: dict[str, type[Choices]] = {}
    pending = list(Choices.__subclasses__())
    while pending:
        choices = pending.pop()
        found[choices.__qualname__.replace(".", "")] = choices
        pending.extend(choices.__subclasses__())
    return found


def test_every_choice_list_in_the_schema_has_its_own_name_and_its_own_values(client, db):
    """`Institution.Type` and `Exchange.Type` once shared one schema name, and one overwrote the other."""
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    choice_lists = _choice_lists()
    enums = {name: schema["enum"] for name, schema in schemas.items() if "enum" in schema}
    assert {"InstitutionType", "ExchangeType", "ExchangeStatus", "MentoringPairStatus", "PlanStatus"} <= set(
        enums
    )
    for name, values in enums.items():
        assert values == list(choice_lists[name].values), name


@pytest.mark.parametrize(
    ("schema_name", "field", "choices"),
    [
        ("InstitutionCreate", "type", Institution.Type),
        ("InstitutionUpdate", "type", Institution.Type),
        ("ExchangeCreate", "type", Exchange.Type),
        ("ExchangeCreate", "status", Exchange.Status),
        ("PairUpdate", "status", MentoringPair.Status),
    ],
)
def test_a_field_is_documented_with_its_own_choices(client, db, schema_name, field, choices):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    prop = schemas[schema_name]["properties"][field]
    # A field with a default refers to its schema through a one-item allOf.
    ref = prop["$ref"] if "$ref" in prop else prop["allOf"][0]["$ref"]
    assert schemas[ref.rsplit("/", 1)[-1]]["enum"] == list(choices.values)


def test_every_decimal_sent_as_text_is_documented_with_its_pattern(client, db):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    decimals = [
        (name, field, prop["anyOf"])
        for name, schema in schemas.items()
        for field, prop in schema.get("properties", {}).items()
        if {"number", "string"} <= {option.get("type") for option in prop.get("anyOf", [])}
    ]
    assert len(decimals) >= 10
    for name, field, options in decimals:
        text = [o for o in options if o.get("type") == "string"]
        assert all(o.get("pattern") == DECIMAL_PATTERN for o in text), (name, field, options)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/exchanges/not-a-uuid",
        "/api/v1/exchanges/mentoring/not-a-uuid",
        "/api/v1/exchanges/00000000-0000-0000-0000-000000000000/participants/not-a-uuid",
        "/api/v1/institutions/not-a-uuid",
        "/api/v1/partnerships/not-a-uuid",
        "/api/v1/contributions/gifts/not-a-uuid",
        "/api/v1/no-such-thing",
    ],
)
def test_every_api_404_answers_json(client, world, path):
    response = client.get(path, headers=bearer(world.manager))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize("path", ["/api/v1/exchanges/not-a-uuid", "/api/v1/no-such-thing"])
@pytest.mark.parametrize("method", ["post", "patch", "delete"])
def test_a_write_to_an_address_the_api_does_not_have_answers_json_404(world, path, method):
    # With the CSRF check on, as for a real client: it must not turn this 404 into an HTML 403.
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(path, headers=bearer(world.manager))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_no_two_api_schemas_share_a_name(db):
    """The schema document merges every operation's schemas by name: a second `ParticipantOut` (planning's
    participants) once replaced the exchanges' one, so a plan's participants were documented as an exchange's."""
    importlib.import_module("twinning.api")  # every router, so every schema class exists
    names: dict[str, list[str]] = {}
    pending = list(Schema.__subclasses__())
    while pending:
        schema = pending.pop()
        pending.extend(schema.__subclasses__())
        if schema.__module__.startswith("twinning."):
            names.setdefault(schema.__name__, []).append(schema.__module__)
    assert {name: modules for name, modules in names.items() if len(modules) > 1} == {}
