"""Roll-ups and progress equal an independent plain-Python computation, for every aggregation rule."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.monitoring.models import Result
from twinning.monitoring.selectors import partnership_progress, programme_rollup
from twinning.monitoring.tests.factories import rules_grid

pytestmark = pytest.mark.django_db
QUARTERS = ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
RULES = [("number", "sum"), ("number", "average"), ("percentage", "sum"), ("percentage", "average")]
TIME_RULES = ["sum", "latest", "average"]


def _setup(world):
    return rules_grid(
        world,
        {
            (measure, cross, time_rule): (measure, time_rule, cross)
            for measure, cross in RULES
            for time_rule in TIME_RULES
        },
    )


def pct(n, d):
    return (n * 100 / d).quantize(Decimal("0.0001"))


values = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)
cell = st.one_of(st.none(), st.tuples(values, st.decimals(min_value=1, max_value=10_000, places=0)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.lists(st.lists(cell, min_size=4, max_size=4), min_size=3, max_size=3))
def test_programme_rollup_equals_plain_python(world, data):
    if not hasattr(world, "_monitoring"):
        world._monitoring = _setup(world)
    partnerships, indicators, _adoptions = world._monitoring
    Result.objects.all().delete()
    rows = []
    for p, per_quarter in zip(partnerships, data, strict=True):
        for quarter, found in zip(QUARTERS, per_quarter, strict=True):
            if found is None:
                continue
            a, b = found
            numerator, denominator = min(a, b), b
            for (measure, _cross, _time_rule), indicator in indicators.items():
                if measure == "number":
                    rows.append(Result(partnership=p, indicator=indicator, period=quarter, value=a))
                else:
                    rows.append(
                        Result(
                            partnership=p,
                            indicator=indicator,
                            period=quarter,
                            numerator=numerator,
                            denominator=denominator,
                            value=pct(numerator, denominator),
                        )
                    )
    Result.objects.bulk_create(rows)
    rollup = programme_rollup(world.programme, year=2024)
    found = {r.indicator.pk: dict((p, v) for p, v, _n in r.total_values()) for r in rollup.indicators}
    for (measure, cross, _time), indicator in indicators.items():
        for q_index, quarter in enumerate(QUARTERS):
            reported = [per[q_index] for per in data if per[q_index] is not None]
            if not reported:
                assert quarter not in found.get(indicator.pk, {})
                continue
            if measure == "number":
                nums = [a for a, _b in reported]
                expected = (
                    sum(nums) if cross == "sum" else (sum(nums) / len(nums)).quantize(Decimal("0.0001"))
                )
            else:
                parts = [(min(a, b), b) for a, b in reported]
                if cross == "sum":
                    expected = pct(sum(n for n, _ in parts), sum(d for _, d in parts))
                else:
                    expected = (sum(pct(n, d) for n, d in parts) / len(parts)).quantize(Decimal("0.0001"))
            assert found[indicator.pk][quarter] == expected, (measure, cross, quarter)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(per_quarter=st.lists(cell, min_size=4, max_size=4))
def test_progress_over_time_equals_plain_python(world, per_quarter):
    if not hasattr(world, "_monitoring"):
        world._monitoring = _setup(world)
    partnerships, indicators, adoptions = world._monitoring
    partnership = partnerships[0]
    Result.objects.all().delete()
    rows = []
    for quarter, found in zip(QUARTERS, per_quarter, strict=True):
        if found is None:
            continue
        a, b = found
        for measure, cross, time_rule in indicators:
            adoption = adoptions[(partnership.pk, (measure, cross, time_rule))]
            if measure == "number":
                rows.append(
                    Result(partnership=partnership, indicator=adoption.indicator, period=quarter, value=a)
                )
            else:
                n = min(a, b)
                rows.append(
                    Result(
                        partnership=partnership,
                        indicator=adoption.indicator,
                        period=quarter,
                        numerator=n,
                        denominator=b,
                        value=pct(n, b),
                    )
                )
    Result.objects.bulk_create(rows)
    _plan, progress_rows = partnership_progress(partnership, today=datetime.date(2025, 6, 1))
    achieved = {row.indicator.code: row.achieved for row in progress_rows}
    reported = [f for f in per_quarter if f is not None]
    for (measure, _cross, time_rule), indicator in indicators.items():
        if not reported:
            assert achieved[indicator.code] is None
            continue
        if measure == "number":
            nums = [a for a, _ in reported]
            expected = {
                "sum": sum(nums),
                "latest": nums[-1],
                "average": (sum(nums) / len(nums)).quantize(Decimal("0.0001")),
            }[time_rule]
        else:
            parts = [(min(a, b), b) for a, b in reported]
            pooled = pct(sum(n for n, _ in parts), sum(d for _, d in parts))
            expected = pct(*parts[-1]) if time_rule == "latest" else pooled
        assert achieved[indicator.code] == expected, (measure, time_rule)


small = st.integers(min_value=0, max_value=500)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.lists(
        st.lists(st.one_of(st.none(), st.tuples(st.booleans(), small, small, small)), min_size=4, max_size=4),
        min_size=3,
        max_size=3,
    )
)
def test_a_period_reported_only_by_its_breakdown_counts_alike_on_both_dashboards(world, data):
    """Issue 9: the programme roll-up counts a breakdown-only period with its derived total, as the partnership
    dashboard does, and both equal a plain computation (total if given, else the breakdown's sum)."""
    from twinning.planning.models import DisaggregationOption
    from twinning.planning.tests.factories import sex

    if not hasattr(world, "_breakdowns"):
        partnerships, indicators, _adoptions = rules_grid(world, {"n": ("number", "sum", "sum")})
        indicators["n"].categories.add(sex(world.manager, world.programme))
        options = {o.code: o for o in DisaggregationOption.objects.filter(category__code="sex")}
        world._breakdowns = partnerships, indicators["n"], options
    partnerships, indicator, options = world._breakdowns
    Result.objects.all().delete()
    rows = []
    expected: dict[str, Decimal] = {}
    for p, per_quarter in zip(partnerships, data, strict=True):
        for quarter, found in zip(QUARTERS, per_quarter, strict=True):
            if found is None:
                continue
            with_total, female, male, extra = found
            for code, value in (("female", female), ("male", male)):
                rows.append(
                    Result(
                        partnership=p, indicator=indicator, period=quarter, option=options[code], value=value
                    )
                )
            total = female + male + extra if with_total else female + male
            if with_total:
                rows.append(Result(partnership=p, indicator=indicator, period=quarter, value=total))
            expected[quarter] = expected.get(quarter, Decimal(0)) + total
    Result.objects.bulk_create(rows)
    rollup = programme_rollup(world.programme, year=2024)
    found = {p: v for r in rollup.indicators for p, v, _n in r.total_values()}
    assert found == expected
    dashboards: dict[str, Decimal] = {}
    for p in partnerships:
        _plan, (row,) = partnership_progress(p, today=datetime.date(2025, 6, 1))
        for point in row.points:
            if point.actual is not None:
                dashboards[point.period.id] = dashboards.get(point.period.id, Decimal(0)) + point.actual
    assert dashboards == expected
