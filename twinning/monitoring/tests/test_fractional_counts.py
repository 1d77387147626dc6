"""A count is a whole number, whatever the door: the entry form, the API (and so the offline sync, which uses
it), the results import and the DHIS2 import that goes through it, a result's breakdown values, and a count's
targets, baseline and end target in planning. "Health workers trained" = 1250.5 was accepted (issue 15,
"numbers"). One rule, Indicator.count_error, beside "a count cannot be negative", for an indicator that counts in
whole numbers (DHIS2's INTEGER value types); any other number indicator (an average stay, hours, a change) keeps its
decimals."""

import json
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.core.uploads import read_table
from twinning.interop.dhis2.imports import ImportOptions, dhis2_import
from twinning.interop.tests.dhis2_world import HW1, ORG_UNIT, mapped
from twinning.monitoring import imports, services
from twinning.monitoring.models import Result
from twinning.monitoring.tests.test_negative_counts import adopted
from twinning.planning import services as planning
from twinning.planning.models import Indicator, PlanIndicator, Target
from twinning.planning.tests.factories import common_indicator, draft_plan, objective, plan_with_indicator

pytestmark = pytest.mark.django_db
WHOLE = "A count is a whole number; enter it without decimals."


def counting(indicator: Indicator) -> None:
    Indicator.objects.filter(pk=indicator.pk).update(whole_numbers=True)
    indicator.whole_numbers = True


def save(world, adoption, value, period="2025Q1"):
    return services.result_save(
        actor=world.member, plan_indicator=adoption, period=period, values={"value": value}
    )


def test_the_rule_refuses_fractions_of_a_count_only_and_negatives_of_anything_but_a_change():
    assert Indicator.count_error(Decimal("12.5"), allows_negative=False, whole_numbers=True) == WHOLE
    assert Indicator.count_error(Decimal("-1"), allows_negative=False).startswith(
        "A count cannot be negative"
    )
    assert Indicator.count_error(Decimal("12.0000"), allows_negative=False, whole_numbers=True) is None
    assert Indicator.count_error(Decimal("0"), allows_negative=False, whole_numbers=True) is None
    assert Indicator.count_error(Decimal("4.2"), allows_negative=False) is None  # an average stay in days
    assert Indicator.count_error(Decimal("-2.5"), allows_negative=True) is None


def test_the_service_refuses_a_fractional_count_and_takes_a_fractional_average(world):
    adoption = adopted(world, whole_numbers=True)
    with pytest.raises(ValidationError) as refused:
        save(world, adoption, "1250.5")
    assert refused.value.message_dict == {"value": [WHOLE]}
    assert not Result.objects.exists()
    assert save(world, adoption, "1250.0", "2025Q2").value == 1250
    planning.indicator_update(
        actor=world.manager, indicator=adoption.indicator, data={"whole_numbers": False}
    )
    adoption.refresh_from_db()
    assert save(world, adoption, "4.2").value == Decimal("4.2")


def test_only_a_number_indicator_counts_in_whole_numbers(world):
    adoption = adopted(world)
    with pytest.raises(ValidationError) as refused:
        planning.indicator_update(
            actor=world.manager,
            indicator=adoption.indicator,
            data={
                "measure": Indicator.Measure.PERCENTAGE,
                "whole_numbers": True,
                "cross_aggregation": "weighted",
            },
        )
    assert "whole_numbers" in refused.value.message_dict


def test_a_breakdown_value_of_a_count_is_whole_too(world):
    from twinning.monitoring.tests.factories import monitored

    m = monitored(world)
    counting(m.trained.indicator)
    female = m.sex.options.get(code="female")
    with pytest.raises(ValidationError) as refused:
        services.result_save(
            actor=world.member,
            plan_indicator=m.trained,
            period="2024Q1",
            option=female,
            values={"value": "3.5"},
        )
    assert refused.value.message_dict == {"value": [WHOLE]}
    assert not Result.objects.exists()


def test_the_entry_form_refuses_a_fractional_count_in_the_users_language(client, world):
    adoption = adopted(world, whole_numbers=True)
    client.force_login(world.member)
    prefix = f"{adoption.uuid}-total"
    url = f"/monitoring/{world.partnership.uuid}/2025Q1/rows/{adoption.uuid}/total/"
    response = client.post(url, {f"{prefix}-value": "12.5"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and WHOLE in response.content.decode()
    assert not Result.objects.exists()
    response = client.post(
        url, {f"{prefix}-value": "12,5"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert "Un décompte est un nombre entier" in response.content.decode()
    assert not Result.objects.exists()


def api_put(client, world, **body):
    _token, raw = api_token_create(actor=world.member, user=world.member, name="t")
    payload = {"partnership": str(world.partnership.uuid), "indicator": "HW1", "period": "2025Q1", **body}
    return client.patch(
        "/api/v1/monitoring/results",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def test_the_api_refuses_a_fractional_count(client, world):
    adopted(world, whole_numbers=True)
    response = api_put(client, world, value="1250.5")
    assert response.status_code == 422 and WHOLE in str(response.json())
    assert not Result.objects.exists()


def test_the_offline_sync_under_its_client_uuid_is_refused_the_same(client, world):
    adopted(world, whole_numbers=True)
    response = api_put(client, world, value="12.5", uuid=str(uuid.uuid4()))
    assert response.status_code == 422 and WHOLE in str(response.json())
    assert not Result.objects.exists()


def test_the_import_names_each_fractional_count_and_writes_nothing(world):
    adopted(world, whole_numbers=True)
    rows = (
        "partnership,period,indicator,value\n"
        f"{world.partnership.uuid},2025Q1,HW1,12\n"
        f"{world.partnership.uuid},2025Q2,HW1,1250.5\n"
    ).encode()
    with pytest.raises(imports.ImportRejected) as refused:
        imports.results_import(
            actor=world.member, rows=read_table(rows, max_rows=10), programme=world.programme
        )
    assert [(e.row, e.column, e.message) for e in refused.value.row_errors] == [(3, "value", WHOLE)]
    assert not Result.objects.exists()


def test_the_dhis2_import_reports_a_fractional_count_as_a_conflict_and_writes_nothing(world):
    mapped(world)
    Indicator.objects.filter(code="HW1").update(whole_numbers=True)
    events = AuditEvent.objects.count()
    data = json.dumps(
        {
            "dataValues": [
                {"dataElement": HW1, "period": "2024Q1", "orgUnit": ORG_UNIT, "value": "12"},
                {"dataElement": HW1, "period": "2024Q2", "orgUnit": ORG_UNIT, "value": "12.5"},
            ]
        }
    ).encode()
    summary = dhis2_import(
        actor=world.manager,
        programme=world.programme,
        opener=lambda: __import__("io").BytesIO(data),
        fmt="json",
        options=ImportOptions(),
    )
    assert summary.status == "ERROR" and summary.imported == 0
    assert [(c.index, c.property) for c in summary.conflicts] == [(1, "value")]
    assert WHOLE in summary.conflicts[0].value
    assert not Result.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_count_target_baseline_or_end_target_is_whole(world):
    indicator = common_indicator(world.manager, world.programme, "HW1", whole_numbers=True)
    plan = draft_plan(world.coordinator, world.partnership)
    goal = objective(world.coordinator, plan)
    for field in ("end_target", "baseline_value"):
        with pytest.raises(ValidationError) as refused:
            planning.plan_indicator_adopt(
                actor=world.coordinator,
                plan=plan,
                objective=goal,
                indicator=indicator,
                **{field: Decimal("10.5")},
            )
        assert refused.value.message_dict == {field: [WHOLE]}
    assert not PlanIndicator.objects.exists()
    adoption = planning.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=goal, indicator=indicator, end_target=Decimal(120)
    )
    with pytest.raises(ValidationError) as refused:
        planning.plan_indicator_update(
            actor=world.coordinator,
            plan_indicator=adoption,
            data={"end_target": Decimal("120.5")},
            expected_version=adoption.version,
        )
    assert refused.value.message_dict == {"end_target": [WHOLE]}
    adoption.refresh_from_db()
    assert adoption.end_target == 120


def test_the_targets_grid_and_api_refuse_a_fractional_count_target(client, world):
    _plan, _o, adoption = plan_with_indicator(world)
    counting(adoption.indicator)
    client.force_login(world.coordinator)
    save_url = reverse("planning:targets_save", args=[world.partnership.uuid, adoption.uuid])
    response = client.post(save_url, {"t-2024Q1-_all": "10", "t-2024Q1-sex.female": "4.5"})
    assert response.status_code == 400 and WHOLE in response.content.decode()
    assert not Target.objects.exists()
    _token, raw = api_token_create(actor=world.coordinator, user=world.coordinator, name="t")
    response = client.put(
        f"/api/v1/planning/plan-indicators/{adoption.uuid}/targets",
        {"targets": [{"period": "2024Q1", "value": "10"}, {"period": "2024Q2", "value": "10.5"}]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422 and response.json()["errors"] == {"2024Q2": [WHOLE]}
    assert not Target.objects.exists()
