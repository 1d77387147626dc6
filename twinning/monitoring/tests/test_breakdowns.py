"""Breakdowns and totals agree: the options of one category never add up to more than the total (exactly the
total where the indicator says its breakdown is complete), and a period reported only by its breakdown counts
with its total derived from it."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from twinning.accounts.services import api_token_create
from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.selectors import entry_page, partnership_progress
from twinning.planning import services as planning
from twinning.planning.models import DisaggregationOption
from twinning.planning.periods import parse_period
from twinning.planning.tests.factories import agree, common_indicator, draft_plan, objective, sex

pytestmark = pytest.mark.django_db


def _setup(world, **indicator_fields):
    category = sex(world.manager, world.programme)
    indicator = common_indicator(
        world.manager, world.programme, "HW1", categories=[category], **indicator_fields
    )
    plan = draft_plan(world.coordinator, world.partnership)
    adoption = planning.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=objective(world.coordinator, plan), indicator=indicator
    )
    agree(world, plan)
    adoption.refresh_from_db()
    options = {o.code: o for o in DisaggregationOption.objects.filter(category=category)}
    return adoption, options


def _save(world, adoption, period, value, option=None, version=None):
    return services.result_save(
        actor=world.member,
        plan_indicator=adoption,
        period=period,
        option=option,
        values={"value": value},
        expected_version=version,
    )


def test_options_adding_up_to_more_than_the_total_are_refused_and_a_breakdown_alone_counts(world):
    adoption, options = _setup(world)
    _save(world, adoption, "2025Q1", "100")
    _save(world, adoption, "2025Q1", "80", options["female"])
    with pytest.raises(ValidationError) as refused:
        _save(world, adoption, "2025Q1", "70", options["male"])
    assert refused.value.message_dict == {
        "value": ["Female and Male add up to 150, more than the total 100."]
    }
    assert not Result.objects.filter(option=options["male"]).exists()
    # 2025Q2 only by its breakdown: 30 + 20, a derived total of 50.
    _save(world, adoption, "2025Q2", "30", options["female"])
    _save(world, adoption, "2025Q2", "20", options["male"])
    _plan, (row,) = partnership_progress(world.partnership, today=datetime.date(2025, 7, 15))
    q2 = next(p for p in row.points if p.period.id == "2025Q2")
    assert (q2.actual, q2.derived) == (Decimal(50), True)
    assert row.achieved == Decimal(150)
    page = entry_page(world.partnership, parse_period("2025Q2"))
    assert page.rows[0].derived is not None and page.rows[0].derived.value == Decimal(50)


def test_a_total_below_its_breakdown_is_refused_too(world):
    adoption, options = _setup(world)
    _save(world, adoption, "2025Q1", "80", options["female"])
    _save(world, adoption, "2025Q1", "70", options["male"])
    with pytest.raises(ValidationError, match="add up to 150, more than the total 100"):
        _save(world, adoption, "2025Q1", "100")
    _save(world, adoption, "2025Q1", "150")


def test_entry_page_shows_the_refusal_next_to_the_field(client, world):
    adoption, options = _setup(world)
    _save(world, adoption, "2025Q1", "100")
    _save(world, adoption, "2025Q1", "80", options["female"])
    client.force_login(world.member)
    male = options["male"]
    prefix = f"{adoption.uuid}-{male.pk}"
    response = client.post(
        f"/monitoring/{world.partnership.uuid}/2025Q1/rows/{adoption.uuid}/{male.pk}/",
        {f"{prefix}-value": "70"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.context["form"].errors["value"] == [
        "Female and Male add up to 150, more than the total 100."
    ]
    assert b"more than the total 100" in response.content


def test_api_refuses_with_a_clear_message(client, world):
    adoption, _options = _setup(world)
    _save(world, adoption, "2025Q1", "100")
    _token, raw = api_token_create(actor=world.member, user=world.member, name="t")
    payload = {"partnership": str(world.partnership.uuid), "indicator": "HW1", "period": "2025Q1"}
    for option, value in (("sex:female", "80"), ("sex:male", "70")):
        response = client.patch(
            "/api/v1/monitoring/results",
            {**payload, "option": option, "value": value},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
    assert response.status_code == 422
    assert "more than the total 100" in str(response.json())


def test_submission_refuses_a_breakdown_that_disagrees_with_its_total(world):
    adoption, options = _setup(world)
    _save(world, adoption, "2025Q1", "100")
    # Written around the services (as older data or a bulk path could be): the submission still catches it.
    for code, value in (("female", 80), ("male", 70)):
        Result.objects.create(
            partnership=world.partnership,
            indicator=adoption.indicator,
            period="2025Q1",
            option=options[code],
            value=value,
        )
    with pytest.raises(ValidationError, match="HW1: Female and Male add up to 150, more than the total 100"):
        services.report_submit(actor=world.member, partnership=world.partnership, period="2025Q1")
    assert PeriodReport.objects.get(period="2025Q1").status == PeriodReport.Status.DRAFT


def test_a_complete_breakdown_must_equal_the_total_at_submission(world):
    adoption, options = _setup(world, breakdown="complete")
    _save(world, adoption, "2025Q1", "100")
    _save(world, adoption, "2025Q1", "60", options["female"])
    _save(world, adoption, "2025Q1", "30", options["male"])  # allowed while typing: still below the total
    with pytest.raises(ValidationError, match="the breakdown is complete, so they must equal the total 100"):
        services.report_submit(actor=world.member, partnership=world.partnership, period="2025Q1")
    assert entry_page(world.partnership, parse_period("2025Q1")).rows[0].problems
    _save(world, adoption, "2025Q1", "40", options["male"], version=1)
    services.report_submit(actor=world.member, partnership=world.partnership, period="2025Q1")


def test_a_flagging_indicator_leaves_a_breakdown_only_period_out_and_marks_it(world):
    adoption, options = _setup(world, missing_total="flag")
    _save(world, adoption, "2025Q1", "100")
    _save(world, adoption, "2025Q2", "30", options["female"])
    _plan, (row,) = partnership_progress(world.partnership, today=datetime.date(2025, 7, 15))
    q2 = next(p for p in row.points if p.period.id == "2025Q2")
    assert (q2.actual, q2.flagged) == (None, True)
    assert row.achieved == Decimal(100)


def test_options_that_are_not_parts_of_the_total_are_not_checked(world):
    adoption, options = _setup(world, breakdown="apart")
    _save(world, adoption, "2025Q1", "6")
    _save(world, adoption, "2025Q1", "5", options["female"])
    _save(world, adoption, "2025Q1", "7", options["male"])
    assert Result.objects.count() == 3


def _import(world, text: str):
    from twinning.core.uploads import read_table
    from twinning.monitoring import imports

    return imports.results_import(
        actor=world.member, rows=read_table(text.encode(), max_rows=100), programme=world.programme
    )


def test_an_import_refuses_options_adding_up_to_more_than_the_total_and_counts_a_breakdown_alone(world):
    """Issue 9, section 3, through the results import: the same rule as the entry form and the API."""
    from twinning.monitoring.imports import ImportRejected

    adoption, _options = _setup(world)
    p = world.partnership.uuid
    head = "partnership,period,indicator,option,value\n"
    with pytest.raises(ImportRejected) as refused:
        _import(
            world, f"{head}{p},2025Q1,HW1,,100\n{p},2025Q1,HW1,sex:female,80\n{p},2025Q1,HW1,sex:male,70\n"
        )
    (error,) = refused.value.row_errors
    assert (error.row, error.column, error.value, error.message) == (
        4,
        "value",
        "HW1 2025Q1",
        "Female and Male add up to 150, more than the total 100.",
    )
    assert not Result.objects.exists()
    # Against what is stored too: a total below the stored breakdown is refused.
    _save(world, adoption, "2025Q1", "80", _options["female"])
    with pytest.raises(ImportRejected) as refused:
        _import(world, f"{head}{p},2025Q1,HW1,sex:male,70\n{p},2025Q1,HW1,,100\n")
    assert "add up to 150, more than the total 100" in refused.value.row_errors[0].message
    outcome = _import(world, f"{head}{p},2025Q1,HW1,,100\n{p},2025Q1,HW1,sex:male,20\n")
    outcome = _import(world, f"{head}{p},2025Q2,HW1,sex:female,30\n{p},2025Q2,HW1,sex:male,20\n")
    assert outcome.created == 2
    _plan, (row,) = partnership_progress(world.partnership, today=datetime.date(2025, 7, 15))
    assert row.achieved == Decimal(150)
    # The programme roll-up counts the breakdown-only quarter with its derived total, like the dashboard.
    from twinning.monitoring.selectors import programme_rollup

    (rollup,) = programme_rollup(world.programme, year=2025).indicators
    assert [(p, v) for p, v, _n in rollup.total_values()] == [
        ("2025Q1", Decimal(100)),
        ("2025Q2", Decimal(50)),
    ]
