"""An object the caller may not see answers 404 whatever the request carries: django-ninja validates the body and
query before the view runs, so an outsider's incomplete body to another partnership's time entries answered 422
(saying the partnership exists) where every other request of theirs answers 404. Every route of the API whose
path names an object is walked: with objects nobody can see and input that cannot validate, each answers 404."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from ninja.params.models import BodyModel, FileModel, FormModel, QueryModel

from twinning.api import api
from twinning.contributions.models import TimeEntry
from twinning.contributions.tests.test_api import API as CONTRIBUTIONS
from twinning.contributions.tests.test_api import bearer, call

pytestmark = pytest.mark.django_db

PATH_PARAMETER = re.compile(r"{(?:\w+:)?(\w+)}")


def _walk(prefix: str, router: Any) -> Iterator[tuple[str, Any]]:
    for path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            yield prefix + path, operation
    for mount in router._routers:
        yield from _walk(prefix + mount[0], mount[1])


def _routes() -> list[tuple[str, str, str]]:
    """(method, path, what the request sends) for every operation whose path names an object and which takes a
    body or a paged query: the requests that validation could refuse before the view runs."""
    routes = []
    for prefix, router in api._routers:
        for path, operation in _walk(prefix, router):
            if not PATH_PARAMETER.search(path):
                continue
            has_body = any(issubclass(m, (BodyModel, FormModel, FileModel)) for m in operation.models)
            queries = [m for m in operation.models if issubclass(m, QueryModel)]
            paged = any("limit" in str(m.model_json_schema()) for m in queries)
            for method in operation.methods:
                if has_body:
                    routes.append((method, path, "body"))
                elif paged:
                    routes.append((method, path, "query"))
    return routes


ROUTES = _routes()


def _url(path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        return "2024Q1" if match.group(1) == "period" else str(uuid.uuid4())

    return "/api/v1" + PATH_PARAMETER.sub(fill, path)


def test_the_walk_finds_the_nested_write_routes():
    walked = {(method, path) for method, path, _sent in ROUTES}
    assert ("POST", "/contributions/partnerships/{partnership_uuid}/time-entries") in walked
    assert ("PATCH", "/sustainability/transition-plans/{uuidstr:plan_uuid}") in walked
    assert len([route for route in ROUTES if route[2] == "body"]) > 60


@pytest.mark.parametrize(("method", "path", "sent"), ROUTES, ids=[f"{m} {p}" for m, p, _s in ROUTES])
def test_an_unseen_object_answers_404_whatever_the_input(world, method, path, sent):
    url = _url(path)
    if sent == "query":
        response = call(method.lower(), url + "?limit=0&offset=-1", world.outsider)
    else:
        response = call(method.lower(), url, world.outsider, {"not-a-field": ["\x01"]})
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert response.json() == {"detail": "Not found."}


def test_an_outsiders_incomplete_time_entry_for_another_partnership_answers_404_a_members_422(world):
    url = f"{CONTRIBUTIONS}/partnerships/{world.partnership.uuid}/time-entries"
    incomplete = {"side": "host"}
    assert call("post", url, world.outsider, incomplete).status_code == 404
    assert call("post", url, world.other_coordinator, incomplete).status_code == 404
    refused = call("post", url, world.member, incomplete)
    assert refused.status_code == 422 and "quantity" in refused.json()["errors"]
    unparseable = Client().post(
        url, data=b"{not json", content_type="application/json", **bearer(world.outsider)
    )
    assert unparseable.status_code == 404
    assert not TimeEntry.objects.exists()


def test_a_bad_page_of_another_partnerships_list_answers_404(world):
    url = f"{CONTRIBUTIONS}/partnerships/{world.partnership.uuid}/gifts?limit=0"
    assert call("get", url, world.outsider).status_code == 404
    assert call("get", url, world.member).status_code == 422
