"""A write that names its object in the body, not the path (`PATCH /monitoring/results`, `POST /exchanges`), is held
to the same answers as one that names it in the path (the rule is in `twinning.core.api`):

- a caller who may write nothing of that kind anywhere (the programme's viewer) gets 403 whatever the body, a
  malformed one included, where they got 422 (a tester's finding: it says the route would take a well-formed body
  from them); whoever passes that floor still gets the 422 of a bad body;
- the one object the request is about, when the caller may not see it (another partnership's, another programme's)
  or it does not exist, answers 404 `{"detail": "Not found."}` like every other cross-partnership request, where it
  answered 422 naming the field.

Every write route of the API whose path names no object is walked, so a new one is held to the rule too."""

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from twinning.accounts.models import ProgrammeRole
from twinning.api import api
from twinning.contributions.tests.test_api import bearer, call
from twinning.core.tests.test_api_hidden_before_invalid import PATH_PARAMETER, _walk
from twinning.exchanges.models import Exchange
from twinning.knowledge.tests.factories import PracticeFactory
from twinning.monitoring.models import Result
from twinning.testing.factories import programme_staff

pytestmark = pytest.mark.django_db

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _body_addressed() -> list[tuple[str, str]]:
    """(method, path) of every write operation whose path names no object: its object is named in the body."""
    routes: list[tuple[str, str]] = []
    for prefix, router in api._routers:
        for path, operation in _walk(prefix, router):
            if PATH_PARAMETER.search(path):
                continue
            routes.extend((method, path) for method in operation.methods if method in WRITE_METHODS)
    return list(dict.fromkeys(routes))


BODY_WRITES = _body_addressed()
IDS = [f"{m} {p}" for m, p in BODY_WRITES]

# Malformed bodies as a client sends them: not JSON, JSON but not an object, an object with nothing known in it.
MALFORMED = {"not-json": b"{bad json", "not-an-object": b'"nonsense"', "unknown-field": b'{"foo": 1}'}

# Routes left whose malformed body the programme's viewer still gets 422 for, with the reason (none now): strict,
# so a route that gets it right leaves the list.
LEFT: dict[str, str] = {}


def _send(method: str, path: str, user: Any, raw: bytes) -> Any:
    return getattr(Client(), method.lower())(
        "/api/v1" + path, data=raw, content_type="application/json", **bearer(user)
    )


def test_the_walk_finds_the_body_addressed_writes():
    assert ("PATCH", "/monitoring/results") in BODY_WRITES
    assert ("POST", "/exchanges") in BODY_WRITES
    assert ("POST", "/exchanges/mentoring") in BODY_WRITES
    assert len(BODY_WRITES) >= 12


def _viewer_param(route: tuple[str, str], kind: str) -> Any:
    name = f"{route[0]} {route[1]}"
    marks = [pytest.mark.xfail(reason=LEFT[name], strict=True)] if name in LEFT else []
    return pytest.param(*route, kind, id=f"{name} {kind}", marks=marks)


@pytest.mark.parametrize(
    ("method", "path", "kind"), [_viewer_param(route, kind) for route in BODY_WRITES for kind in MALFORMED]
)
def test_a_viewers_malformed_body_answers_403(world, method, path, kind):
    response = _send(method, path, world.programme_viewer, MALFORMED[kind])
    assert response.status_code == 403, (response.status_code, response.content[:300])


@pytest.mark.parametrize(("method", "path"), BODY_WRITES, ids=IDS)
@pytest.mark.parametrize("kind", list(MALFORMED))
def test_a_writers_malformed_body_still_answers_422(world, method, path, kind):
    # The programme's manager passes every floor (they enter data, edit partnerships and the programme).
    response = _send(method, path, world.manager, MALFORMED[kind])
    assert response.status_code == 422, (response.status_code, response.content[:300])
    assert response.json()["errors"]


def _result(world: Any, **overrides: Any) -> dict[str, Any]:
    return {"partnership": str(world.partnership.uuid), "indicator": "X", "period": "2024Q1", **overrides}


def _exchange(world: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "partnership": str(world.partnership.uuid),
        "title": "Lab quality workshop",
        "type": "workshop",
        "direction": "host_to_host",
        "start_date": "2025-07-01",
        "end_date": "2025-07-03",
        **overrides,
    }


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("patch", "/monitoring/results", lambda w: _result(w, value="12,5")),
        ("patch", "/monitoring/results", lambda w: _result(w)),
        ("post", "/exchanges", lambda w: "nonsense"),
        ("post", "/exchanges", lambda w: {"partnership": str(w.partnership.uuid)}),
        ("post", "/exchanges", lambda w: _exchange(w, start_date="not-a-date")),
        ("post", "/exchanges", lambda w: _exchange(w)),
    ],
    ids=[
        "result-bad-value",
        "result-valid",
        "exchange-not-object",
        "exchange-only-partnership",
        "exchange-bad-date",
        "exchange-valid",
    ],
)
def test_the_findings_requests_of_the_viewer_answer_403(world, method, path, body):
    response = call(method, "/api/v1" + path, world.programme_viewer, body(world))
    assert response.status_code == 403, (response.status_code, response.content[:300])
    assert not Exchange.objects.exists() and not Result.objects.exists()


# --- the one object a body is about: 404 when the caller may not see it -------------------------------------


def _subject_requests(world: Any) -> list[tuple[str, dict[str, Any]]]:
    """(route, body) for every body-addressed write whose body names the one object it is about, naming
    `world`'s partnership (or programme, or a draft practice of the partnership); each body validates."""
    partnership = str(world.partnership.uuid)
    practice = str(PracticeFactory(partnership=world.partnership).uuid)
    some = str(uuid.uuid4())
    return [
        ("PATCH /monitoring/results", _result(world)),
        ("POST /exchanges", _exchange(world)),
        ("POST /exchanges/mentoring", {"partnership": partnership, "mentor": some, "mentee": some}),
        (
            "POST /knowledge/dissemination",
            {
                "partnership": partnership,
                "kind": "presentation",
                "title": "Talk",
                "date": "2025-02-01",
                "audience": "academia",
            },
        ),
        (
            "POST /knowledge/dissemination",
            {
                "programme": str(world.programme.uuid),
                "kind": "presentation",
                "title": "Talk",
                "date": "2025-02-01",
                "audience": "academia",
            },
        ),
        (
            "POST /knowledge/adoptions",
            {
                "practice": practice,
                "site_kind": "district",
                "area": "Gulu",
                "country": "UG",
                "level": "piloting",
                "reached_on": "2025-02-01",
                "led_by": "host",
            },
        ),
        ("POST /sustainability/transition-plans", {"partnership": partnership}),
        ("POST /sustainability/graduation-reviews", {"partnership": partnership}),
        (
            "POST /sustainability/rounds",
            {"partnership": partnership, "instrument": some, "due_date": "2026-12-31"},
        ),
        (
            "POST /partnerships",
            {"programme": str(world.programme.uuid), "title": "New", "hosts": [some], "resources": [some]},
        ),
        ("POST /matching/rounds", {"programme": str(world.programme.uuid), "name": "Round"}),
    ]


def _with(body: dict[str, Any], value: str) -> dict[str, Any]:
    subject = next(key for key in ("partnership", "programme", "practice") if key in body)
    return {**body, subject: value}


def test_another_partnerships_object_in_the_body_answers_404_as_a_missing_one(world):
    # The other programme's manager passes every floor (they edit a programme), as its coordinator passes those
    # of data entry: both may write such things, only not here.
    other_editor = programme_staff(world.other_partnership.programme, ProgrammeRole.Role.MANAGER)
    requests = _subject_requests(world)
    routes = {route for route, _body in requests}
    # Every body-addressed write but these names its one object in the body: creating an institution names none;
    # a practice comes from several partnerships (each one unknown is 422, naming the field).
    assert routes | {"POST /institutions", "POST /knowledge/practices"} == set(IDS)
    # One token each: a person may hold only so many.
    clients = {user.pk: Client(**bearer(user)) for user in (world.other_coordinator, other_editor)}

    def send(method: str, path: str, user: Any, body: dict[str, Any]) -> Any:
        return getattr(clients[user.pk], method.lower())(
            "/api/v1" + path, data=json.dumps(body), content_type="application/json"
        )

    for route, body in requests:
        method, path = route.split(" ", 1)
        for user in (world.other_coordinator, other_editor):
            if user is world.other_coordinator and route.split(" ", 1)[1] in (
                "/sustainability/graduation-reviews",
                "/partnerships",
                "/matching/rounds",
            ):
                continue  # programme editors' work: a coordinator is refused at the floor (403)
            hidden = send(method, path, user, body)
            assert hidden.status_code == 404, (route, user.email, hidden.status_code, hidden.content[:300])
            assert hidden.json() == {"detail": "Not found."}
            missing = send(method, path, user, _with(body, str(uuid.uuid4())))
            assert (missing.status_code, missing.json()) == (404, {"detail": "Not found."}), route
    assert not Exchange.objects.exists() and not Result.objects.exists()


def test_a_coordinator_is_refused_the_programme_editors_body_addressed_writes_whatever_the_body(world):
    for path in ("/sustainability/graduation-reviews", "/partnerships", "/matching/rounds"):
        response = _send("POST", path, world.other_coordinator, b'{"foo": 1}')
        assert response.status_code == 403, (path, response.status_code)


def test_an_outsider_who_may_write_nothing_gets_403_for_another_partnerships_result(world):
    # The floor answers before the partnership is looked up: it says nothing about which partnerships exist.
    response = call("patch", "/api/v1/monitoring/results", world.outsider, _result(world))
    assert response.status_code == 403
    response = call("post", "/api/v1/exchanges", world.outsider, _exchange(world))
    assert response.status_code == 403


def test_a_members_bad_result_still_names_the_field(world):
    response = _send(
        "PATCH", "/monitoring/results", world.member, json.dumps(_result(world, value="12,5")).encode()
    )
    assert response.status_code == 422
    assert "value" in response.json()["errors"]
