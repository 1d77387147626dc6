import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.accounts.services import api_token_create
from twinning.monitoring.models import Result
from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db
URL = "/api/v1/monitoring"


def auth(user):
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def put(client, world, user, **body):
    payload = {"partnership": str(world.partnership.uuid), "indicator": "HW1", "period": "2024Q1", **body}
    return client.patch(f"{URL}/results", payload, content_type="application/json", **auth(user))


def test_member_enters_then_updates_with_version(client, world):
    monitored(world)
    response = put(client, world, world.member, value="12")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["value"] == "12.0000" or float(body["value"]) == 12
    assert put(client, world, world.member, value="13", version=body["version"]).status_code == 200
    stale = put(client, world, world.coordinator, value="14", version=body["version"])
    assert stale.status_code == 409
    assert Result.objects.get().value == 13


def test_option_and_bad_input(client, world):
    monitored(world)
    assert put(client, world, world.member, value="5", option="sex:female").json()["option"] == "sex:female"
    bad = put(client, world, world.member, value="5", option="sex:other")
    assert bad.status_code == 422 and "option" in bad.json()["errors"]
    assert put(client, world, world.member, value="5", period="2024-1").status_code == 422
    assert put(client, world, world.member, value="5", indicator="NOPE").status_code == 422
    assert put(client, world, world.member, value="5", surprise=1).status_code == 422


def test_viewer_gets_403_and_outsider_404(client, world):
    monitored(world)
    assert put(client, world, world.partnership_viewer, value="5").status_code == 403
    # Who enters data nowhere is refused before the body is read (403); who does elsewhere does not see the
    # partnership the body names (404, as in a path).
    assert put(client, world, world.outsider, value="5").status_code == 403
    assert put(client, world, world.other_coordinator, value="5").status_code == 404
    response = client.get(f"{URL}/results?partnership={world.partnership.uuid}", **auth(world.outsider))
    assert response.json()["count"] == 0


def test_workflow_over_the_api(client, world):
    monitored(world)
    put(client, world, world.member, value="5")
    base = f"{URL}/reports/{world.partnership.uuid}/2024Q1"
    assert (
        client.post(f"{base}/submit", {}, content_type="application/json", **auth(world.member)).json()[
            "status"
        ]
        == "submitted"
    )
    assert (
        client.post(
            f"{base}/return", {"feedback": "x"}, content_type="application/json", **auth(world.coordinator)
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"{base}/return", {"feedback": ""}, content_type="application/json", **auth(world.me_officer)
        ).status_code
        == 422
    )
    returned = client.post(
        f"{base}/return", {"feedback": "Recount"}, content_type="application/json", **auth(world.me_officer)
    )
    assert returned.json()["status"] == "returned"
    client.post(f"{base}/submit", {}, content_type="application/json", **auth(world.coordinator))
    assert (
        client.post(f"{base}/approve", {}, content_type="application/json", **auth(world.manager)).json()[
            "status"
        ]
        == "approved"
    )
    assert put(client, world, world.member, value="6", version=1).status_code == 422
    assert client.get(f"{base}", **auth(world.outsider)).status_code == 404


def test_a_non_reviewers_bad_review_body_is_403_where_a_reviewers_is_422(client, world):
    # django-ninja refuses a bad body before the view runs; the view's reviewer check still answers first.
    monitored(world)
    put(client, world, world.member, value="5")
    base = f"{URL}/reports/{world.partnership.uuid}/2024Q1"
    client.post(f"{base}/submit", {}, content_type="application/json", **auth(world.member))
    bad = {"feedback": "", "reason": "", "note": 1, "surprise": True}
    for step in ("return", "approve", "unlock"):
        for user in (world.programme_viewer, world.partnership_viewer, world.coordinator):
            response = client.post(f"{base}/{step}", bad, content_type="application/json", **auth(user))
            assert response.status_code == 403, (step, user)
        response = client.post(
            f"{base}/{step}", bad, content_type="application/json", **auth(world.me_officer)
        )
        assert response.status_code == 422, step
    assert client.get(base, **auth(world.member)).json()["status"] == "submitted"


def test_results_list_query_count_is_constant(client, world):
    m = monitored(world)
    headers = auth(world.manager)
    put(client, world, world.member, value="5")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{URL}/results", **headers).status_code == 200
        return len(queries)

    count()  # warm-up: the first request also records the token's use
    small = count()
    for option in m.sex.options.all():
        put(client, world, world.member, value="2", option=f"sex:{option.code}")
    put(client, world, world.member, value="2", period="2024Q2")
    assert count() == small
    assert client.get(f"{URL}/results", **headers).json()["count"] == 4
