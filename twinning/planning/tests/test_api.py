"""The planning API: scoping, the sign-off and version flow, targets validation, declared errors, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from twinning.accounts.services import api_token_create
from twinning.api import api
from twinning.planning import services
from twinning.planning.models import Objective, Plan, Target
from twinning.planning.tests.factories import agree, pillars, plan_with_indicator, sex

pytestmark = pytest.mark.django_db

URL = "/api/v1/planning"


class Api:
    def __init__(self, user):
        _token, raw = api_token_create(actor=user, user=user, name="test")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path):
        return self.client.get(URL + path)

    def post(self, path, body):
        return self.client.post(URL + path, body, content_type="application/json")

    def patch(self, path, body):
        return self.client.patch(URL + path, body, content_type="application/json")

    def put(self, path, body):
        return self.client.put(URL + path, body, content_type="application/json")

    def delete(self, path):
        return self.client.delete(URL + path)


def test_full_flow_create_plan_objective_activity_adopt_targets_sign(world):
    pillars(world.programme)
    manager = Api(world.manager)
    category = manager.post(
        f"/programmes/{world.programme.uuid}/disaggregations",
        {
            "code": "sex",
            "name": "Sex",
            "options": [{"code": "female", "name": "Female"}, {"code": "male", "name": "Male"}],
        },
    )
    assert category.status_code == 201, category.json()
    indicator = manager.post(
        f"/programmes/{world.programme.uuid}/indicators",
        {"code": "HW1", "name": "Health workers trained", "frequency": "yearly", "categories": ["sex"]},
    )
    assert indicator.status_code == 201, indicator.json()
    assert indicator.json()["common"] is True

    coordinator = Api(world.coordinator)
    created = coordinator.post(
        f"/partnerships/{world.partnership.uuid}/plans",
        {"title": "Plan 2024-2026", "first_year": 2024, "last_year": 2026},
    )
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert (plan["status"], plan["number"], plan["required_parties"]) == ("draft", 1, ["host", "resource"])
    objective = coordinator.post(
        f"/plans/{plan['uuid']}/objectives", {"code": "O1", "statement": "Safer births", "pillar": "capacity"}
    )
    assert objective.status_code == 201, objective.json()
    activity = coordinator.post(
        f"/objectives/{objective.json()['uuid']}/activities",
        {"title": "Triage course", "responsible_side": "resource", "start_date": "2024-03-01"},
    )
    assert activity.status_code == 201, activity.json()
    adoption = coordinator.post(
        f"/plans/{plan['uuid']}/indicators",
        {
            "objective": objective.json()["uuid"],
            "indicator": indicator.json()["uuid"],
            "baseline_value": "0",
            "end_target": "90",
        },
    )
    assert adoption.status_code == 201, adoption.json()
    targets = coordinator.put(
        f"/plan-indicators/{adoption.json()['uuid']}/targets",
        {
            "targets": [
                {"period": "2024", "value": "30"},
                {"period": "2024", "option": "sex.female", "value": "18"},
            ]
        },
    )
    assert targets.status_code == 200, targets.json()
    assert {(t["period"], t["option"], Decimal(t["value"])) for t in targets.json()} == {
        ("2024", None, Decimal(30)),
        ("2024", "sex.female", Decimal(18)),
    }
    assert coordinator.post(f"/plans/{plan['uuid']}/sign-offs", {"party": "host"}).status_code == 201
    signed = Api(world.resource_coordinator).post(f"/plans/{plan['uuid']}/sign-offs", {"party": "resource"})
    assert signed.json()["status"] == "agreed"
    detail = Api(world.partnership_viewer).get(f"/plans/{plan['uuid']}").json()
    [obj] = detail["objectives"]
    assert obj["indicators"][0]["indicator"]["code"] == "HW1"
    assert len(obj["indicators"][0]["targets"]) == 2
    assert obj["activities"][0]["title"] == "Triage course"


def test_agreed_plan_edit_is_refused_with_a_clear_message_and_new_version_works(world):
    plan, objective, _adoption = plan_with_indicator(world)
    agree(world, plan)
    coordinator = Api(world.coordinator)
    refused = coordinator.patch(f"/objectives/{objective.uuid}", {"statement": "Changed"})
    assert refused.status_code == 422
    assert "Make a new version" in refused.json()["detail"]
    progress = coordinator.patch(f"/activities/{objective.activities.get().uuid}", {"status": "in_progress"})
    assert progress.status_code == 200 and progress.json()["status"] == "in_progress"
    new = coordinator.post(f"/plans/{plan.uuid}/versions", {"reason": "Mid-term review"})
    assert new.status_code == 201
    assert (new.json()["number"], new.json()["status"]) == (2, "draft")
    old = coordinator.get(f"/plans/{plan.uuid}")
    assert old.status_code == 200 and old.json()["status"] == "superseded"
    versions = coordinator.get(f"/partnerships/{world.partnership.uuid}/plans").json()
    assert [v["number"] for v in versions] == [2, 1]


def test_outsider_gets_404_and_read_only_gets_403(world):
    plan, objective, adoption = plan_with_indicator(world)
    outsider = Api(world.other_coordinator)
    assert outsider.get(f"/plans/{plan.uuid}").status_code == 404
    assert outsider.patch(f"/objectives/{objective.uuid}", {"statement": "x"}).status_code == 404
    assert outsider.get(f"/indicators/{adoption.indicator.uuid}").status_code == 404
    assert outsider.get(f"/programmes/{world.programme.uuid}/indicators").status_code == 404
    member = Api(world.member)
    assert member.get(f"/plans/{plan.uuid}").status_code == 200
    assert member.patch(f"/objectives/{objective.uuid}", {"statement": "x"}).status_code == 403
    assert member.post(f"/plans/{plan.uuid}/sign-offs", {"party": "host"}).status_code == 403
    assert member.put(f"/plan-indicators/{adoption.uuid}/targets", {"targets": []}).status_code == 403
    assert member.get(f"/programmes/{world.programme.uuid}/indicators").status_code == 200
    coordinator = Api(world.coordinator)
    assert (
        coordinator.post(
            f"/programmes/{world.programme.uuid}/indicators", {"code": "X", "name": "X"}
        ).status_code
        == 403
    )
    assert coordinator.patch(f"/indicators/{adoption.indicator.uuid}", {"name": "X"}).status_code == 403
    Objective.objects.get(statement="Safer births")


def test_bad_targets_answer_422_per_row_and_write_nothing(world):
    _plan, _o, adoption = plan_with_indicator(world)
    cadre = services.disaggregation_create(
        actor=world.manager,
        programme=world.programme,
        code="cadre",
        name="Cadre",
        options=[("nurse", "Nurse")],
    )
    assert cadre
    response = Api(world.coordinator).put(
        f"/plan-indicators/{adoption.uuid}/targets",
        {
            "targets": [
                {"period": "2024Q1", "value": "5"},
                {"period": "2024", "value": "5"},
                {"period": "2029Q1", "value": "5"},
                {"period": "2024Q2", "option": "cadre.nurse", "value": "5"},
            ]
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"2024", "2029Q1", "2024Q2/nurse"}
    assert "not a quarterly period" in errors["2024"][0]
    assert not Target.objects.exists()
    unknown = Api(world.coordinator).put(
        f"/plan-indicators/{adoption.uuid}/targets",
        {"targets": [{"period": "2024Q1", "option": "sex.other", "value": "1"}]},
    )
    assert unknown.status_code == 422 and "targets.0.option" in unknown.json()["errors"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"title": "", "first_year": 2024, "last_year": 2026}, "title"),
        ({"title": "P", "first_year": 1800, "last_year": 2026}, "first_year"),
        ({"title": "P", "first_year": 2024, "last_year": 2026, "colour": "red"}, "colour"),
        ({"title": "P\x00", "first_year": 2024, "last_year": 2026}, "title"),
        ({"title": "P", "first_year": 2026, "last_year": 2024}, "last_year"),
    ],
)
def test_bad_plan_input_answers_422(world, body, field):
    response = Api(world.coordinator).post(f"/partnerships/{world.partnership.uuid}/plans", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Plan.objects.exists()


def test_stale_version_answers_409(world):
    _plan, objective, _pi = plan_with_indicator(world)
    response = Api(world.coordinator).patch(
        f"/objectives/{objective.uuid}", {"statement": "x", "version": 99}
    )
    assert response.status_code == 409


def test_plan_detail_query_count_does_not_grow(world):
    plan, objective, _adoption = plan_with_indicator(world)
    client = Api(world.member)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/plans/{plan.uuid}").status_code == 200
        return len(ctx.captured_queries)

    count()  # the first request also stamps the token's last use
    small = count()
    category = world.programme.disaggregations.get()
    for n in range(5):
        o = services.objective_create(
            actor=world.manager, plan=plan, code=f"X{n}", statement="x", pillar=objective.pillar
        )
        services.activity_create(actor=world.manager, objective=o, title="a", responsible_side="host")
        indicator = services.indicator_create(
            actor=world.manager, programme=world.programme, code=f"X{n}", name="x", categories=[category]
        )
        pi = services.plan_indicator_adopt(actor=world.manager, plan=plan, objective=o, indicator=indicator)
        services.targets_save(
            actor=world.manager,
            plan_indicator=pi,
            values={("2024Q1", None): Decimal(1), ("2024Q1", category.options.first()): Decimal(1)},
        )
    assert count() == small


def test_common_indicator_correction_shows_in_the_adopting_plan(world):
    plan, _o, adoption = plan_with_indicator(world)
    sex_category = adoption.indicator.categories.get()
    assert sex_category.code == "sex"
    response = Api(world.me_officer).patch(
        f"/indicators/{adoption.indicator.uuid}", {"definition": "Completed 3+ days"}
    )
    assert response.status_code == 200
    detail = Api(world.coordinator).get(f"/plans/{plan.uuid}").json()
    assert detail["objectives"][0]["indicators"][0]["indicator"]["definition"] == "Completed 3+ days"


def test_every_planning_operation_declares_its_errors():
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/planning"):
            continue
        for method, operation in operations.items():
            statuses = {str(s) for s in operation["responses"]}
            assert {"401", "422", "429"} <= statuses, (method, path)
            if "{" in path:
                assert "404" in statuses, (method, path)
            if method != "get":
                assert "403" in statuses, (method, path)


def test_sex_factory_used(world):
    assert sex(world.manager, world.programme).options.count() == 2


@pytest.mark.parametrize(
    ("role", "shown"), [("programme_viewer", False), ("partnership_viewer", False), ("member", True)]
)
def test_a_signer_without_a_name_is_named_by_address_only_to_those_who_see_contacts(world, role, shown):
    world.coordinator.full_name = ""
    world.coordinator.save()
    plan, _objective, _adoption = plan_with_indicator(world)
    agree(world, plan)
    detail = Api(getattr(world, role)).get(f"/plans/{plan.uuid}").json()
    signers = {s["party"]: s["signed_by"] for s in detail["sign_offs"]}
    assert signers["resource"] == world.resource_coordinator.full_name
    assert signers["host"] == (world.coordinator.email if shown else "(no name given)")


def test_a_new_percentage_is_weighted_across_partnerships_never_summed(world, client):
    """Issue 9: a percentage defined without a rule across partnerships is not "sum" (40 % + 50 % is not 90 %);
    asking for "sum" is refused; a number still adds up; the web form leaves the rule to the measure."""
    from twinning.planning.models import Indicator

    api = Api(world.manager)
    made = api.post(
        f"/programmes/{world.programme.uuid}/indicators",
        {"code": "PCT", "name": "Share", "measure": "percentage"},
    )
    assert made.status_code == 201 and made.json()["cross_aggregation"] == "weighted"
    summed = api.post(
        f"/programmes/{world.programme.uuid}/indicators",
        {"code": "PCT2", "name": "Share", "measure": "percentage", "cross_aggregation": "sum"},
    )
    assert summed.status_code == 422 and "never added" in summed.content.decode()
    count = api.post(f"/programmes/{world.programme.uuid}/indicators", {"code": "N", "name": "Count"})
    assert count.json()["cross_aggregation"] == "sum"
    services.indicator_create(
        actor=world.manager, programme=world.programme, code="Q", name="Q", measure="qualitative"
    )
    assert Indicator.objects.get(code="Q").cross_aggregation == "none"
    client.force_login(world.manager)
    page = client.get(f"/planning/programmes/{world.programme.uuid}/indicators/new/")
    assert page.status_code == 200
    assert '<option value="" selected>By measure' in page.content.decode()
