import pytest
from django.test import Client

from twinning.accounts.services import api_token_create
from twinning.matching.models import MatchDecision, MatchingRound
from twinning.matching.tests.factories import small_round

pytestmark = pytest.mark.django_db


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_round_lifecycle_over_the_api(world, django_capture_on_commit_callbacks):
    client = api(world.manager)
    response = client.post(
        "/api/v1/matching/rounds",
        {"programme": str(world.programme.uuid), "name": "API round", "weights": {"coverage": 50}},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["weights"]["coverage"] == 50
    round, apps = small_round(world.manager, world.programme)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/matching/rounds/{round.uuid}/run")
    assert response.status_code == 202
    assert client.get(f"/api/v1/matching/rounds/{round.uuid}/job").json()["status"] == "done"
    results = client.get(f"/api/v1/matching/rounds/{round.uuid}/results").json()
    assert len(results["optimal"]["pairs"]) == 2
    pair = results["optimal"]["pairs"][0]
    assert abs(sum(p["points"] for p in pair["parts"]) - float(pair["score"])) < 0.05
    assert results["stable"]["unmatched"][0]["institution"]["name"] == "CHU de Québec"
    candidates = client.get(f"/api/v1/matching/rounds/{round.uuid}/candidates/{apps['gulu'].uuid}").json()
    assert {c["institution"]["name"]: c["excluded_by"] for c in candidates["excluded"]}[
        "Hospices de Lyon"
    ] == ["no_language"]
    response = client.post(
        f"/api/v1/matching/rounds/{round.uuid}/decisions",
        {"action": "accept", "host": str(apps["gulu"].uuid), "proposed": str(apps["leeds"].uuid)},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["partnership"]


def test_viewer_gets_403_outsider_404_and_bad_input_422(world):
    round, apps = small_round(world.manager, world.programme)
    body = {"action": "accept", "host": str(apps["gulu"].uuid), "proposed": str(apps["leeds"].uuid)}
    url = f"/api/v1/matching/rounds/{round.uuid}/decisions"
    assert api(world.programme_viewer).post(url, body, content_type="application/json").status_code == 403
    assert api(world.coordinator).post(url, body, content_type="application/json").status_code == 404
    assert api(world.coordinator).get(f"/api/v1/matching/rounds/{round.uuid}").status_code == 404
    bad = {**body, "action": "override", "reason": ""}
    response = api(world.manager).post(url, bad, content_type="application/json")
    assert response.status_code == 422 and "reason" in response.json()["errors"]
    assert not MatchDecision.objects.exists()
    response = api(world.manager).post(
        "/api/v1/matching/rounds",
        {"programme": str(world.programme.uuid), "name": "x", "weights": {"coverage": 101}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert MatchingRound.objects.count() == 1


def test_profile_put_replaces_details_and_refuses_unknown_areas(world):
    inst = world.partnership.side_links.get(side="host").institution
    client = api(world.coordinator)
    url = f"/api/v1/matching/institutions/{inst.uuid}/profile"
    body = {"needs": [{"area": "laboratory", "priority": 3, "description": "cultures"}], "expertise": []}
    assert client.put(url, body, content_type="application/json").json()["needs"][0]["priority"] == 3
    body["needs"][0]["area"] = "nope"
    assert client.put(url, body, content_type="application/json").status_code == 422
    assert inst.need_items.get().area.code == "laboratory"
    assert (
        api(world.member)
        .put(url, {"needs": [], "expertise": []}, content_type="application/json")
        .status_code
        == 403
    )


def test_round_list_queries_are_constant(world, django_assert_max_num_queries):
    from twinning.matching import services

    for n in range(5):
        services.round_create(actor=world.manager, programme=world.programme, name=f"R{n}")
    client = api(world.manager)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/matching/rounds")
    assert response.json()["count"] == 5


def test_find_a_twin_over_the_api_and_start_a_partnership(world):
    from twinning.directory.models import Language
    from twinning.matching.tests.test_twins import gulu_and_candidates

    Language.objects.get_or_create(code="no", defaults={"name": "Norwegian"})
    from twinning.partnerships.models import Partnership

    gulu, others = gulu_and_candidates()
    url = f"/api/v1/matching/institutions/{gulu.uuid}/twins"
    found = api(world.outsider).get(url, {"weight_language": 20}).json()
    assert found["role"] == "host" and found["pool"] == "resource" and found["weights"]["language"] == 20
    top = found["ranked"][0]
    assert top["institution"]["name"] == "Leeds Teaching Hospitals"
    assert abs(sum(p["points"] for p in top["parts"]) - top["score"]) < 0.05
    excluded = {c["institution"]["name"]: c["excluded_by"] for c in found["excluded"]}
    assert excluded["Oslo University Hospital"] == ["no_language"]
    zero = {f"weight_{p}": 0 for p in ("coverage", "text", "mutual", "type", "specialties")}
    zero.update({f"weight_{p}": 0 for p in ("language", "time_zone", "capacity", "prior_ties")})
    assert api(world.outsider).get(url, zero).status_code == 422
    # A programme the user is not staff of is refused, not used.
    assert api(world.outsider).get(url, {"programme": str(world.programme.uuid)}).status_code == 422

    payload = {
        "programme": str(world.programme.uuid),
        "candidate": str(others[0].uuid),
        "role": "host",
        "reason": "Found over the API",
    }
    start = f"{url}/partnership"
    assert (
        api(world.programme_viewer).post(start, payload, content_type="application/json").status_code == 403
    )
    response = api(world.manager).post(start, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    assert Partnership.objects.get(uuid=response.json()["partnership"]).stage == "scoping"
    assert (
        api(world.manager).post(start, {**payload, "reason": ""}, content_type="application/json").status_code
        == 422
    )


@pytest.mark.parametrize(
    ("path", "reader", "writer"),
    [
        ("profile", "member", "coordinator"),
        ("twins/partnership", "programme_viewer", "manager"),
        ("twins/round", "programme_viewer", "me_officer"),
    ],
)
def test_a_bad_body_answers_403_to_a_reader_and_422_to_who_may_write(world, path, reader, writer):
    # django-ninja refuses the body before the view runs; the answer still follows who may act here.
    inst = world.partnership.side_links.get(side="host").institution
    url = f"/api/v1/matching/institutions/{inst.uuid}/{path}"
    bad = {"needs": "none", "role": "nobody"}
    method = "put" if path == "profile" else "post"
    refused = getattr(api(getattr(world, reader)), method)(url, bad, content_type="application/json")
    assert refused.status_code == 403, refused.content
    invalid = getattr(api(getattr(world, writer)), method)(url, bad, content_type="application/json")
    assert invalid.status_code == 422, invalid.content
