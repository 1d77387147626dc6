"""How values combine over time and across partnerships, and how progress is graded. Plain functions on
numbers, so the same rules serve the pages, the API and the tests' independent checks."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from twinning.planning.models import Indicator

HUNDRED = Decimal(100)
QUANT = Decimal("0.0001")
# Measures whose disaggregated values are parts of the overall one.
ADDITIVE = (Indicator.Measure.NUMBER, Indicator.Measure.PERCENTAGE)
# Rules under which a percentage pools its numerators and denominators (a mean weighted by the denominators):
# "weighted", and "sum" as older indicators may still say (a percentage is never added).
POOLED = (Indicator.CrossAggregation.WEIGHTED, Indicator.CrossAggregation.SUM)


@dataclass(frozen=True)
class Value:
    """One period's value: `value`, or for a percentage its numerator and denominator."""

    period: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def percent(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (numerator * HUNDRED / denominator).quantize(QUANT)


def combine_over_time(measure: str, time_aggregation: str, values: Sequence[Value]) -> Decimal | None:
    """The indicator's achievement over `values` (any order): sum, latest or average of the periods.

    Percentages pool their parts: the sum and the average over periods are both Σnumerator/Σdenominator
    (a period with more cases weighs more), the latest is the latest period's own percentage.
    """
    if measure == Indicator.Measure.QUALITATIVE:
        return None
    rows = sorted((v for v in values if v.value is not None or v.denominator), key=lambda v: v.period)
    if not rows:
        return None
    if time_aggregation == Indicator.TimeAggregation.LATEST:
        last = rows[-1]
        return (
            percent(last.numerator, last.denominator)
            if measure == Indicator.Measure.PERCENTAGE
            else last.value
        )
    if measure == Indicator.Measure.PERCENTAGE:
        return percent(
            Decimal(sum((v.numerator or 0 for v in rows), Decimal(0))),
            Decimal(sum((v.denominator or 0 for v in rows), Decimal(0))),
        )
    total = sum((v.value for v in rows if v.value is not None), Decimal(0))
    if time_aggregation == Indicator.TimeAggregation.AVERAGE:
        return (total / len(rows)).quantize(QUANT)
    return total


def combine_targets_over_time(
    measure: str, time_aggregation: str, targets: Sequence[Value], reported: Sequence[Value] = ()
) -> Decimal | None:
    """The target to date over the periods of `targets` (any order): what the achievement over those periods
    would be had every period met its target exactly, so that it compares with combine_over_time's value.

    Numbers and yes/no combine their targets by the time rule, as their values are (sum, latest, average).
    A percentage (or any ratio) target is a level and is never added: the latest rule takes the latest period's
    target; the sum and average rules, which pool numerators and denominators, take the mean of the period
    targets weighted by the denominators `reported` for those periods (the plain mean where no period with a
    target has a denominator yet). Qualitative indicators have no target. Targets are `Value.value`.
    """
    if measure == Indicator.Measure.QUALITATIVE:
        return None
    rows = sorted((t for t in targets if t.value is not None), key=lambda t: t.period)
    if not rows:
        return None
    if measure != Indicator.Measure.PERCENTAGE:
        return combine_over_time(Indicator.Measure.NUMBER, time_aggregation, rows)
    if time_aggregation == Indicator.TimeAggregation.LATEST:
        return rows[-1].value
    weights = {v.period: v.denominator for v in reported if v.denominator}
    return _mean([(t.value, weights.get(t.period)) for t in rows])


def _mean(pairs: Sequence[tuple[Decimal | None, Decimal | None]]) -> Decimal | None:
    """Mean of the values weighted by their weights; only the weighted ones count when any has a weight,
    else the plain mean."""
    values = [(v, w) for v, w in pairs if v is not None]
    weighted = [(v, w) for v, w in values if w]
    if weighted:
        total = Decimal(sum((w for _v, w in weighted), Decimal(0)))
        return (Decimal(sum((v * w for v, w in weighted), Decimal(0))) / total).quantize(QUANT)
    if not values:
        return None
    return (Decimal(sum((v for v, _w in values), Decimal(0))) / len(values)).quantize(QUANT)


def combine_targets_across(
    measure: str,
    cross_aggregation: str,
    count: int,
    total: Decimal | None,
    weighted_total: Decimal | None = None,
    weight: Decimal | None = None,
) -> Decimal | None:
    """Partnerships' targets of one period combined by the indicator's rule across partnerships, from SQL sums.

    `count` targets summing to `total`; for percentages also Σ(target × the denominator the partnership reported)
    and Σ denominators. Summed numbers and yes/no add their targets, averaged ones take the mean; a percentage
    target is never added: a pooled (summed) percentage takes the mean weighted by the partnerships'
    denominators (the plain mean where none has one), an averaged one the plain mean. Not combinable and
    qualitative indicators answer None.
    """
    if (
        count == 0
        or total is None
        or cross_aggregation == Indicator.CrossAggregation.NONE
        or measure == Indicator.Measure.QUALITATIVE
    ):
        return None
    if measure == Indicator.Measure.PERCENTAGE and cross_aggregation in POOLED:
        if weight and weighted_total is not None:
            return (weighted_total / weight).quantize(QUANT)
        return (total / count).quantize(QUANT)
    if cross_aggregation in (Indicator.CrossAggregation.AVERAGE, Indicator.CrossAggregation.WEIGHTED):
        return (total / count).quantize(QUANT)
    return total


def cumulative(measure: str, time_aggregation: str, values: Sequence[Value]) -> list[Decimal | None]:
    """The achievement to date after each period of `values` (in period order)."""
    ordered = sorted(values, key=lambda v: v.period)
    return [combine_over_time(measure, time_aggregation, ordered[: i + 1]) for i in range(len(ordered))]


class Grade:
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    LABELS = {ON_TRACK: _("On track"), AT_RISK: _("At risk"), OFF_TRACK: _("Off track")}


def achievement_percent(direction: str, achieved: Decimal | None, target: Decimal | None) -> Decimal | None:
    """How much of the target is achieved, in percent, whichever way is better."""
    if achieved is None or target is None:
        return None
    if direction == Indicator.Direction.DECREASE:
        # Lower is better: reaching the target or going below it is 100 % or more.
        if achieved <= 0:
            return HUNDRED * 10 if target >= 0 else None
        return (target * HUNDRED / achieved).quantize(Decimal("0.1"))
    if direction == Indicator.Direction.MAINTAIN:
        if target == 0:
            return HUNDRED if achieved == 0 else Decimal(0)
        return max(Decimal(0), HUNDRED - abs(achieved - target) * HUNDRED / abs(target)).quantize(
            Decimal("0.1")
        )
    if target <= 0:
        return HUNDRED if achieved >= target else Decimal(0)
    return (achieved * HUNDRED / target).quantize(Decimal("0.1"))


def grade(percent_of_target: Decimal | None, on_track: Decimal, at_risk: Decimal) -> str | None:
    if percent_of_target is None:
        return None
    if percent_of_target >= on_track:
        return Grade.ON_TRACK
    if percent_of_target >= at_risk:
        return Grade.AT_RISK
    return Grade.OFF_TRACK


def combine_across(
    measure: str,
    cross_aggregation: str,
    count: int,
    total: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
) -> Decimal | None:
    """Partnerships' values of one period combined by the indicator's rule, from SQL sums.

    `count` values summing to `total`; for percentages also the sums of numerators and denominators.
    A summed percentage is pooled (Σnumerator/Σdenominator); an averaged one is the mean of the percentages
    (`total` then sums the partnerships' percentages). Not combinable answers None.
    """
    if (
        cross_aggregation == Indicator.CrossAggregation.NONE
        or count == 0
        or measure == Indicator.Measure.QUALITATIVE
    ):
        return None
    if measure == Indicator.Measure.PERCENTAGE and cross_aggregation in POOLED:
        return percent(numerator, denominator)
    if total is None:
        return None
    if cross_aggregation in (Indicator.CrossAggregation.AVERAGE, Indicator.CrossAggregation.WEIGHTED):
        return (total / count).quantize(QUANT)
    return total


# --- breakdowns and totals ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One disaggregated value of a period: its option's category and name, and the value or the parts."""

    category: str
    option: str
    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None


def _category_sums(parts: Sequence[Part]) -> dict[str, tuple[list[str], Decimal, Decimal, Decimal]]:
    """Per category: its option names, Σ values, Σ numerators, Σ denominators."""
    sums: dict[str, tuple[list[str], Decimal, Decimal, Decimal]] = {}
    for p in parts:
        names, value, numerator, denominator = sums.get(p.category, ([], Decimal(0), Decimal(0), Decimal(0)))
        sums[p.category] = (
            [*names, p.option],
            value + (p.value or 0),
            numerator + (p.numerator or 0),
            denominator + (p.denominator or 0),
        )
    return sums


def _names(names: list[str]) -> str:
    return ", ".join(names[:-1]) + (gettext(" and ") if len(names) > 1 else "") + names[-1]


def _fmt(number: Decimal) -> str:
    return f"{number.normalize():f}"


def breakdown_problems(
    measure: str, rule: str, total: Value | None, parts: Sequence[Part], *, final: bool = False
) -> list[tuple[str, str]]:
    """Why a period's breakdown disagrees with its total, as (field, message) pairs; empty when it agrees.

    The options of one category are parts of the total (Indicator.breakdown): they may add up to at most the
    total, or, where the indicator says its breakdown is complete, `final`ly (at submission) to exactly the total.
    Numbers compare values; percentages compare numerators and denominators. Yes/no and qualitative indicators,
    rules saying the options are not parts of the total, and periods without a total have nothing to check.
    """
    if total is None or rule == Indicator.Breakdown.APART or measure not in ADDITIVE:
        return []
    problems: list[tuple[str, str]] = []
    for _category, (names, value, numerator, denominator) in sorted(_category_sums(parts).items()):
        checks = (
            [("value", value, total.value, "")]
            if measure == Indicator.Measure.NUMBER
            else [
                ("numerator", numerator, total.numerator, gettext("numerators")),
                ("denominator", denominator, total.denominator, gettext("denominators")),
            ]
        )
        for field, got, limit, what in checks:
            if limit is None or not (
                got > limit or (final and rule == Indicator.Breakdown.COMPLETE and got != limit)
            ):
                continue
            # Worded only for a problem: imports check every breakdown of a file here.
            label = _names(names) if not what else f"{_names(names)} ({what})"
            if got > limit:
                problems.append(
                    (
                        field,
                        gettext("%(options)s add up to %(sum)s, more than the total %(total)s.")
                        % {"options": label, "sum": _fmt(got), "total": _fmt(limit)},
                    )
                )
            elif final and rule == Indicator.Breakdown.COMPLETE and got != limit:
                problems.append(
                    (
                        field,
                        gettext(
                            "%(options)s add up to %(sum)s; the breakdown is complete, so they must equal the "
                            "total %(total)s."
                        )
                        % {"options": label, "sum": _fmt(got), "total": _fmt(limit)},
                    )
                )
    return problems


def derived_total(measure: str, rule: str, missing_total: str, parts: Sequence[Part]) -> Value | None:
    """The total of a period reported only by its breakdown, where the indicator says to derive it: the
    largest category's sum (each category's options are parts of the total, so none can exceed it; for a
    complete breakdown they all equal it). None where the indicator flags such periods instead, or the options
    are not parts of the total. The Value's `period` is left blank."""
    if (
        not parts
        or rule == Indicator.Breakdown.APART
        or missing_total != Indicator.MissingTotal.DERIVE
        or measure not in ADDITIVE
    ):
        return None
    sums = _category_sums(parts).values()
    if measure == Indicator.Measure.PERCENTAGE:
        _n, _v, numerator, denominator = max(sums, key=lambda s: (s[3], s[2]))
        if not denominator:
            return None
        return Value("", percent(numerator, denominator), numerator, denominator)
    return Value("", max(s[1] for s in sums))
