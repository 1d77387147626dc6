"""Targets combine by what they measure: a percentage (ratio) target is never added, over time or across
partnerships; every measure and rule is checked against an independent plain-Python computation."""

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.monitoring import services
from twinning.monitoring.models import Result
from twinning.monitoring.progress import Grade
from twinning.monitoring.selectors import partnership_progress, programme_rollup
from twinning.monitoring.tests.factories import rules_grid
from twinning.planning import services as planning
from twinning.planning.models import Indicator, Target
from twinning.planning.tests.factories import agree, common_indicator, draft_plan, objective

pytestmark = pytest.mark.django_db
QUARTERS = ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
MEASURES = ["number", "percentage", "yes_no", "qualitative"]
TIME_RULES = ["sum", "latest", "average"]
CROSS_RULES = ["sum", "average", "none"]
Q = Decimal("0.0001")


def test_percentage_targets_are_not_added_over_periods(world):
    """80 % targeted in 2025Q1 and 2025Q2, 40/50 reported in both: 80 % against 80 %, on track."""
    indicator = common_indicator(
        world.manager, world.programme, "CSR", name="Clients satisfied", measure="percentage"
    )
    assert indicator.time_aggregation == Indicator.TimeAggregation.SUM  # the default rule
    plan = draft_plan(world.coordinator, world.partnership)
    adoption = planning.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=objective(world.coordinator, plan), indicator=indicator
    )
    for quarter in ("2025Q1", "2025Q2"):
        planning.target_set(
            actor=world.coordinator, plan_indicator=adoption, period=quarter, value=Decimal(80)
        )
    agree(world, plan)
    adoption.refresh_from_db()
    for quarter in ("2025Q1", "2025Q2"):
        services.result_save(
            actor=world.member,
            plan_indicator=adoption,
            period=quarter,
            values={"numerator": "40", "denominator": "50"},
        )
    _plan, rows = partnership_progress(world.partnership, today=datetime.date(2025, 7, 15))
    (row,) = rows
    assert row.target_to_date == Decimal(80)
    assert row.achieved == Decimal(80)
    assert row.percent_of_target == Decimal(100)
    assert row.grade == Grade.ON_TRACK
    assert [p.cumulative_target for p in row.points if p.period.id in ("2025Q1", "2025Q2")] == [80, 80]


# --- every measure and rule against an independent computation ---------------------------------------------


def _world_setup(world):
    return rules_grid(
        world,
        {
            (measure, time_rule, cross): (measure, time_rule, cross)
            for measure, time_rule, cross in itertools.product(MEASURES, TIME_RULES, CROSS_RULES)
        },
    )


def _fill(world, quarters_by_partnership):
    """Write the targets and results: for each partnership, per quarter (target, reported) where reported is
    None or (numerator-or-value, denominator)."""
    partnerships, indicators, adoptions = world._targets
    Result.objects.all().delete()
    Target.objects.all().delete()
    results, targets = [], []
    for p, quarters in zip(partnerships, quarters_by_partnership, strict=True):
        for quarter, (target, reported) in zip(QUARTERS, quarters, strict=True):
            for key, indicator in indicators.items():
                measure = key[0]
                if target is not None and measure != "qualitative":
                    value = {"number": target * 5, "percentage": target, "yes_no": Decimal(target > 50)}[
                        measure
                    ]
                    targets.append(Target(plan_indicator=adoptions[(p.pk, key)], period=quarter, value=value))
                if reported is None:
                    continue
                a, b = reported
                fields = {
                    "number": {"value": a},
                    "percentage": {"numerator": min(a, b), "denominator": b, "value": pct(min(a, b), b)},
                    "yes_no": {"value": Decimal(a > b)},
                    "qualitative": {"text": "story"},
                }[measure]
                results.append(Result(partnership=p, indicator=indicator, period=quarter, **fields))
    Target.objects.bulk_create(targets)
    Result.objects.bulk_create(results)


def pct(n, d):
    return (n * 100 / d).quantize(Q)


def target_value(measure, target):
    return {"number": target * 5, "percentage": target, "yes_no": Decimal(target > 50)}.get(measure)


def expected_target_to_date(measure, time_rule, quarters):
    """Independently: what the achievement to date would be had every period up to the last reported one met
    its target; a percentage target is averaged (weighted by the reported denominators), never added."""
    if measure == "qualitative":
        return None
    reported = [q for q, (_t, r) in zip(QUARTERS, quarters, strict=True) if r is not None]
    if not reported:
        return None
    last = max(reported)
    goals = [
        (q, target_value(measure, t), r)
        for q, (t, r) in zip(QUARTERS, quarters, strict=True)
        if q <= last and t is not None
    ]
    if not goals:
        return None
    values = [g for _q, g, _r in goals]
    if time_rule == "latest":
        return values[-1]
    if measure == "percentage":
        weighted = [(g, r[1]) for _q, g, r in goals if r is not None]
        if weighted:
            return (sum(g * d for g, d in weighted) / sum(d for _g, d in weighted)).quantize(Q)
        return (sum(values) / len(values)).quantize(Q)
    if time_rule == "average":
        return (sum(values) / len(values)).quantize(Q)
    return sum(values)


def expected_programme_target(measure, cross, entries):
    """Independently: the reporting partnerships' targets of a period, combined by the rule across them."""
    if measure == "qualitative" or cross == "none" or not entries:
        return None
    values = [g for g, _d in entries]
    if cross == "average":
        return (sum(values) / len(values)).quantize(Q)
    if measure == "percentage":
        return (sum(g * d for g, d in entries) / sum(d for _g, d in entries)).quantize(Q)
    return sum(values)


target = st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=1))
reported = st.one_of(
    st.none(),
    st.tuples(
        st.decimals(min_value=0, max_value=1000, places=2), st.decimals(min_value=1, max_value=1000, places=0)
    ),
)
quarter = st.tuples(target, reported)
partnership_quarters = st.lists(quarter, min_size=4, max_size=4)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(partnership_quarters, min_size=3, max_size=3))
def test_targets_combine_by_measure_and_rule_over_time_and_across_partnerships(world, data):
    if not hasattr(world, "_targets"):
        world._targets = _world_setup(world)
    partnerships, indicators, _adoptions = world._targets
    _fill(world, data)

    # Over time, in each partnership's progress.
    for p, quarters in zip(partnerships, data, strict=True):
        _plan, rows = partnership_progress(p, today=datetime.date(2025, 6, 1))
        found = {row.indicator.pk: row.target_to_date for row in rows}
        for (measure, time_rule, _cross), indicator in indicators.items():
            expected = expected_target_to_date(measure, time_rule, quarters)
            assert found[indicator.pk] == expected, (measure, time_rule, quarters)

    # Across partnerships, on the programme dashboard: the targets of the partnerships reporting the period.
    rollup = {r.indicator.pk: r for r in programme_rollup(world.programme, year=2024).indicators}
    for (measure, _time, cross), indicator in indicators.items():
        for q_index, quarter_id in enumerate(QUARTERS):
            entries = [
                (target_value(measure, quarters[q_index][0]), quarters[q_index][1][1])
                for quarters in data
                if quarters[q_index][1] is not None and quarters[q_index][0] is not None
            ]
            expected = expected_programme_target(measure, cross, entries)
            got = rollup[indicator.pk].targets.get(quarter_id) if indicator.pk in rollup else None
            assert got == expected, (measure, cross, quarter_id, entries)
