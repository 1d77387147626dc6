"""A count is never negative, whatever the door (entry form, API, import, service); an indicator that measures a
change says so (Indicator.allows_negative) and then takes negative numbers (issue "Numbers people can trust")."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from twinning.accounts.services import api_token_create
from twinning.core.uploads import read_table
from twinning.monitoring import imports, services
from twinning.monitoring.models import Result
from twinning.planning import services as planning
from twinning.planning.tests.factories import agree, common_indicator, draft_plan, objective

pytestmark = pytest.mark.django_db
REFUSED = "A count cannot be negative; enter 0 or more."


def adopted(world, **fields):
    indicator = common_indicator(world.manager, world.programme, "HW1", **fields)
    plan = draft_plan(world.coordinator, world.partnership)
    adoption = planning.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=objective(world.coordinator, plan), indicator=indicator
    )
    agree(world, plan)
    adoption.refresh_from_db()
    return adoption


def save(world, adoption, value):
    return services.result_save(
        actor=world.member, plan_indicator=adoption, period="2025Q1", values={"value": value}
    )


def test_the_service_refuses_a_negative_count_and_takes_a_negative_change(world):
    adoption = adopted(world)
    with pytest.raises(ValidationError) as refused:
        save(world, adoption, "-5")
    assert refused.value.message_dict == {"value": [REFUSED]}
    planning.indicator_update(
        actor=world.manager, indicator=adoption.indicator, data={"allows_negative": True}
    )
    adoption.refresh_from_db()
    assert save(world, adoption, "-5").value == -5


def test_the_entry_form_refuses_a_negative_count(client, world):
    adoption = adopted(world)
    client.force_login(world.member)
    prefix = f"{adoption.uuid}-total"
    url = f"/monitoring/{world.partnership.uuid}/2025Q1/rows/{adoption.uuid}/total/"
    response = client.post(url, {f"{prefix}-value": "-5"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert not Result.objects.exists()


def test_the_api_refuses_a_negative_count(client, world):
    adopted(world)
    _token, raw = api_token_create(actor=world.member, user=world.member, name="t")
    response = client.patch(
        "/api/v1/monitoring/results",
        {"partnership": str(world.partnership.uuid), "indicator": "HW1", "period": "2025Q1", "value": "-5"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422 and REFUSED in str(response.json())
    assert not Result.objects.exists()


def test_the_import_refuses_a_negative_count_and_takes_a_negative_change(world):
    adoption = adopted(world)
    rows = f"partnership,period,indicator,value\n{world.partnership.uuid},2025Q1,HW1,-5\n".encode()
    with pytest.raises(imports.ImportRejected) as refused:
        imports.results_import(
            actor=world.member, rows=read_table(rows, max_rows=10), programme=world.programme
        )
    assert [(e.row, e.column, e.message) for e in refused.value.row_errors] == [(2, "value", REFUSED)]
    planning.indicator_update(
        actor=world.manager, indicator=adoption.indicator, data={"allows_negative": True}
    )
    imports.results_import(actor=world.member, rows=read_table(rows, max_rows=10), programme=world.programme)
    assert Result.objects.get().value == -5


def test_only_a_number_may_allow_negative_values(world):
    with pytest.raises(ValidationError, match="Only a number indicator may allow negative values"):
        common_indicator(world.manager, world.programme, "PCT", measure="percentage", allows_negative=True)


def test_a_count_target_or_baseline_is_never_negative_either(world):
    indicator = common_indicator(world.manager, world.programme, "HW1")
    plan = draft_plan(world.coordinator, world.partnership)
    with pytest.raises(ValidationError, match="A count cannot be negative"):
        planning.plan_indicator_adopt(
            actor=world.coordinator,
            plan=plan,
            objective=objective(world.coordinator, plan),
            indicator=indicator,
            end_target=Decimal(-3),
        )
