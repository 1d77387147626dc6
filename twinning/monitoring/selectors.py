"""Reads for monitoring, always starting from what the user may see, each with a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from twinning.accounts.access import (
    PartnershipAccess,
    in_data_entry_partnerships,
    in_draft_partnerships,
    in_edited_programmes,
    in_visible_partnerships,
    require,
)
from twinning.accounts.models import Notification, User
from twinning.audit.services import cached_until_change
from twinning.core.dates import latest_today, local_today
from twinning.core.ids import parse_uuid
from twinning.monitoring import progress
from twinning.monitoring.models import (
    Evidence,
    ImportJob,
    PeriodReport,
    ProgrammeMonitoringSettings,
    Result,
    ReviewComment,
)
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar, Programme
from twinning.partnerships.selectors import (
    get_partnership_for_user,
    partnership_today,
    partnership_zones,
    programme_zones,
)
from twinning.planning.models import (
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Plan,
    PlanIndicator,
    Target,
)
from twinning.planning.periods import Period, parse_period, periods_between
from twinning.planning.selectors import plan_in_force


def get_period(period_id: str) -> Period:
    """The reporting period with this id ("2026Q1").

    Raises: Http404.
    """
    try:
        return parse_period(period_id)
    except ValueError:
        raise Http404 from None


def get_partnership_period_for_user(
    user: User, partnership_uuid: Any, period_id: str, *, write: bool = False
) -> tuple[Partnership, PartnershipAccess, Period]:
    """The partnership (404 outside scope, 403 for a read-only write) and a valid period (404 otherwise).

    Raises: Http404, PermissionDenied.
    """
    partnership, access = get_partnership_for_user(user, partnership_uuid, data_entry=write)
    period = get_reporting_period(partnership, period_id)
    return partnership, access, period


def reporting_periods(partnership: Partnership, *, today: datetime.date | None = None) -> list[Period]:
    """The partnership's reporting periods, newest first: for each frequency its plan in force reports at, the
    periods over the plan's years that have started by `today` (the host's local date by default). The same
    list the results page shows; any other period id answers 404 (get_reporting_period). Empty without an
    agreed plan (2 queries).

    Raises: nothing.
    """
    today = today or partnership_today(partnership)
    plan = plan_in_force(partnership)
    if plan is None:
        return []
    frequencies = sorted(
        set(PlanIndicator.objects.filter(plan=plan).values_list("indicator__frequency", flat=True))
    )
    periods: list[Period] = []
    for frequency in frequencies:
        periods += [
            p
            for p in periods_between(
                datetime.date(plan.first_year, 1, 1), datetime.date(plan.last_year, 12, 31), frequency
            )
            if p.start <= today
        ]
    periods.sort(key=lambda p: (p.start, -p.months), reverse=True)
    return periods


def get_reporting_period(partnership: Partnership, period_id: str) -> Period:
    """The period with this id when it is one of the partnership's reporting periods (reporting_periods), so
    a made-up period ("1999Q1", "9999Q4") never opens an entry page or creates a report.

    Raises: Http404.
    """
    period = get_period(period_id)
    if period.id not in {p.id for p in reporting_periods(partnership)}:
        raise Http404
    return period


def get_period_contents_for_user(
    user: User, partnership_uuid: Any, period_id: str
) -> tuple[Partnership, PartnershipAccess, Period, PeriodReport | None]:
    """The partnership, the user's access, a valid period and its report (None before anything was entered),
    when the user may read that period's results: readers (viewers) only once the period is approved
    (PartnershipAccess.can_see_period). 404 outside the user's scope or for a bad period, 403 for a reader
    asking for an unapproved period.

    Raises: Http404, PermissionDenied.
    """
    partnership, access, period = get_partnership_period_for_user(user, partnership_uuid, period_id)
    report = report_for(partnership, period.id)
    approved = report is not None and report.status == PeriodReport.Status.APPROVED
    require(access.can_see_period(approved=approved))
    return partnership, access, period, report


def approved_periods(partnership: Partnership) -> set[str]:
    """The ids of the partnership's approved periods (one query).

    Raises: nothing.
    """
    return set(
        PeriodReport.objects.filter(partnership=partnership, status=PeriodReport.Status.APPROVED).values_list(
            "period", flat=True
        )
    )


def in_approved_period() -> Exists:
    """A filter on results: true where the result's period report is approved (what readers see).

    Raises: nothing.
    """
    return Exists(
        PeriodReport.objects.filter(
            partnership_id=OuterRef("partnership_id"),
            period=OuterRef("period"),
            status=PeriodReport.Status.APPROVED,
        )
    )


def get_import_job_for_user(user: User, partnership: Partnership, period: str, job_uuid: UUID) -> ImportJob:
    """A background results import of `partnership` and `period`, only for the person who uploaded it (its
    details list values from their file); 404 for anyone else.

    Raises: Http404.
    """
    job = ImportJob.objects.filter(
        partnership=partnership, period=period, uuid=job_uuid, requested_by=user
    ).first()
    if job is None:
        raise Http404
    return job


def report_for(partnership: Partnership, period: str) -> PeriodReport | None:
    """The partnership's report for a period, or None if nothing was entered yet.

    Raises: nothing.
    """
    return PeriodReport.objects.filter(partnership=partnership, period=period).first()


# --- data entry ----------------------------------------------------------------------------------------


@dataclass
class EntryRow:
    plan_indicator: PlanIndicator
    option: DisaggregationOption | None
    result: Result | None
    target: Decimal | None
    # On the overall row: where the period's breakdown disagrees with it, and the total derived from the
    # breakdown when none was entered (progress.breakdown_problems, progress.derived_total).
    problems: list[str] = field(default_factory=list)
    derived: progress.Value | None = None

    @property
    def indicator(self) -> Indicator:
        return self.plan_indicator.indicator

    @property
    def key(self) -> str:
        return f"{self.plan_indicator.uuid}-{self.option.pk if self.option else 'total'}"

    @property
    def option_code(self) -> str:
        return self.option.code if self.option else ""


@dataclass
class EntryPage:
    plan: Plan | None
    period: Period
    report: PeriodReport | None
    rows: list[EntryRow] = field(default_factory=list)


def _option_prefetch() -> Prefetch:
    options = DisaggregationOption.objects.order_by("order", "name")
    categories = DisaggregationCategory.objects.order_by("name").prefetch_related(
        Prefetch("options", queryset=options)
    )
    return Prefetch("indicator__categories", queryset=categories)


def due_plan_indicators(plan: Plan, period: Period) -> list[PlanIndicator]:
    """The plan's indicators reported at the period's frequency (every row of the period's form).

    Raises: nothing.
    """
    if not plan.first_year <= period.year <= plan.last_year:
        return []
    return list(
        PlanIndicator.objects.filter(plan=plan, indicator__frequency=period.frequency)
        .select_related("indicator", "objective")
        .prefetch_related(_option_prefetch())
        .order_by("objective__order", "objective__code", "indicator__code")
    )


def entry_page(partnership: Partnership, period: Period) -> EntryPage:
    """Every row of the partnership's form for the period: each indicator due, overall and per option.

    Raises: nothing.
    """
    plan = plan_in_force(partnership)
    report = report_for(partnership, period.id)
    page = EntryPage(plan=plan, period=period, report=report)
    if plan is None:
        return page
    adoptions = due_plan_indicators(plan, period)
    # Values are the partnership's, whichever plan version they were entered under (see Result).
    results = {
        (r.indicator_id, r.option_id): r
        for r in Result.objects.filter(
            partnership=partnership, indicator_id__in=[a.indicator_id for a in adoptions], period=period.id
        )
    }
    targets = {
        (t.plan_indicator_id, t.option_id): t.value
        for t in Target.objects.filter(plan_indicator_id__in=[a.pk for a in adoptions], period=period.id)
    }
    for adoption in adoptions:
        adoption.plan = plan
        options: list[DisaggregationOption | None] = [None]
        for category in adoption.indicator.categories.all():
            options += list(category.options.all())
        rows = [
            EntryRow(
                adoption,
                option,
                results.get((adoption.indicator_id, option.pk if option else None)),
                targets.get((adoption.pk, option.pk if option else None)),
            )
            for option in options
        ]
        _check_rows(adoption.indicator, rows)
        page.rows += rows
    return page


def _check_rows(indicator: Indicator, rows: list[EntryRow]) -> None:
    """Put the breakdown's disagreements with the total, or the derived total, on the overall row."""
    overall = rows[0]
    total = overall.result
    parts = [
        progress.Part(
            str(r.option.category), str(r.option), r.result.value, r.result.numerator, r.result.denominator
        )
        for r in rows[1:]
        if r.option is not None and r.result is not None
    ]
    if total is None:
        overall.derived = progress.derived_total(
            indicator.measure, indicator.breakdown, indicator.missing_total, parts
        )
        return
    value = progress.Value(total.period, total.value, total.numerator, total.denominator)
    overall.problems = [
        message
        for _field, message in progress.breakdown_problems(
            indicator.measure, indicator.breakdown, value, parts, final=True
        )
    ]


def entry_row(plan_indicator: PlanIndicator, period: str, option: DisaggregationOption | None) -> EntryRow:
    """One row of the entry page: the stored result and target of an indicator for a period and option.

    Raises: nothing.
    """
    result = Result.objects.filter(
        partnership_id=plan_indicator.plan.partnership_id,
        indicator_id=plan_indicator.indicator_id,
        period=period,
        option=option,
    ).first()
    target = (
        Target.objects.filter(plan_indicator=plan_indicator, period=period, option=option)
        .values_list("value", flat=True)
        .first()
    )
    return EntryRow(plan_indicator, option, result, target)


def get_entry_target(
    partnership: Partnership, period: Period, plan_indicator_uuid: Any, option_id: Any
) -> tuple[PlanIndicator, DisaggregationOption | None]:
    """The adopted indicator (of the plan in force, due in the period) and option a row posts to; 404 else.

    `plan_indicator_uuid` may name the indicator's adoption in an earlier version of the partnership's plan.

    Raises: Http404.
    """
    plan = plan_in_force(partnership)
    if plan is None:
        raise Http404
    # Named by any version's adoption of the indicator: a form opened before a revision still posts to the
    # same value (results belong to the partnership and indicator, not to a plan version).
    adoption = (
        PlanIndicator.objects.filter(
            plan=plan,
            indicator__frequency=period.frequency,
            indicator__adoptions__uuid=parse_uuid(plan_indicator_uuid),
            indicator__adoptions__plan__partnership=partnership,
        )
        .select_related("indicator", "plan__partnership")
        .first()
    )
    if adoption is None:
        raise Http404
    option = None
    if option_id not in (None, "", "total"):
        try:
            pk = int(option_id)
        except (TypeError, ValueError):
            raise Http404 from None
        option = DisaggregationOption.objects.filter(pk=pk, category__indicators=adoption.indicator).first()
        if option is None:
            raise Http404
    return adoption, option


def conversation(report: PeriodReport | None, access: PartnershipAccess | None = None) -> list[ReviewComment]:
    """Top-level messages, oldest first, each with `thread_replies` (one query). With the reader's `access`,
    none for those who may not see the review conversation (PartnershipAccess.can_see_conversation).

    Raises: nothing.
    """
    if report is None or (access is not None and not access.can_see_conversation):
        return []
    comments = list(
        report.comments.select_related("author", "assignee", "done_by").order_by("created_at", "id")
    )
    replies: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in comments:
        if comment.parent_id:
            replies[comment.parent_id].append(comment)
    top = [c for c in comments if not c.parent_id]
    for comment in top:
        comment.thread_replies = replies.get(comment.pk, [])  # type: ignore[attr-defined]
    return top


def evidence_for(report: PeriodReport | None, access: PartnershipAccess | None = None) -> list[Evidence]:
    """The evidence files of a report, oldest first (none without a report). With the reader's `access`, none
    for those who may not see evidence (PartnershipAccess.can_see_evidence).

    Raises: nothing.
    """
    if report is None or (access is not None and not access.can_see_evidence):
        return []
    return list(report.evidence.select_related("uploaded_by").order_by("created_at"))


# --- partnership progress -------------------------------------------------------------------------------


@dataclass
class PeriodPoint:
    period: Period
    actual: Decimal | None
    target: Decimal | None
    cumulative: Decimal | None
    cumulative_target: Decimal | None
    text: str = ""
    derived: bool = False  # the total derived from the period's breakdown
    flagged: bool = False  # only the breakdown is reported, and the indicator does not derive the total


@dataclass
class IndicatorProgress:
    plan_indicator: PlanIndicator
    points: list[PeriodPoint]
    achieved: Decimal | None
    target_to_date: Decimal | None
    percent_of_target: Decimal | None
    grade: str | None

    @property
    def indicator(self) -> Indicator:
        return self.plan_indicator.indicator

    @property
    def grade_label(self) -> str:
        return str(progress.Grade.LABELS.get(self.grade or "", ""))


def partnership_progress(
    partnership: Partnership, *, today: datetime.date | None = None, approved_only: bool = False
) -> tuple[Plan | None, list[IndicatorProgress]]:
    """Actual against target for each indicator of the plan in force, per period and cumulative, as
    `partnerships_progress` computes it for one partnership (its queries, and one more without `today`).

    Raises: nothing.
    """
    today = today or partnership_today(partnership)
    return partnerships_progress([partnership], today={partnership.pk: today}, approved_only=approved_only)[
        partnership.pk
    ]


def partnerships_progress(
    partnerships: list[Partnership],
    *,
    today: dict[int, datetime.date],
    approved_only: bool = False,
) -> dict[int, tuple[Plan | None, list[IndicatorProgress]]]:
    """Each partnership's plan in force and actual against target for each of its indicators, per period and
    cumulative, as of its date in `today` (by partnership id), by partnership id: the same queries however many
    partnerships (6; 7 with `approved_only`, which counts only the approved periods' results, as readers see
    them).

    A period reported only by its breakdown counts with the total derived from it (progress.derived_total),
    marked `derived`, or is marked `flagged` and left out where the indicator says so.

    Raises: nothing.
    """
    ids = [p.pk for p in partnerships]
    plans: dict[int, Plan] = {}
    for candidate in (
        Plan.objects.filter(partnership_id__in=ids, agreed_at__isnull=False)
        .select_related("partnership__programme")
        .order_by("partnership_id", "-number")
    ):
        plans.setdefault(candidate.partnership_id, candidate)  # plan_in_force: the highest agreed number
    out: dict[int, tuple[Plan | None, list[IndicatorProgress]]] = {pk: (None, []) for pk in ids}
    if not plans:
        return out
    approved: dict[int, set[str]] | None = None
    if approved_only:
        approved = defaultdict(set)
        for partnership_id, period_id in PeriodReport.objects.filter(
            partnership_id__in=list(plans), status=PeriodReport.Status.APPROVED
        ).values_list("partnership_id", "period"):
            approved[partnership_id].add(period_id)
    programme_ids = {p.programme_id for p in partnerships}
    found_settings = {
        s.programme_id: s for s in ProgrammeMonitoringSettings.objects.filter(programme_id__in=programme_ids)
    }
    adoptions_of: dict[int, list[PlanIndicator]] = defaultdict(list)
    for adoption in (
        PlanIndicator.objects.filter(plan__in=list(plans.values()))
        .select_related("indicator", "objective")
        .order_by("objective__order", "indicator__code", "id")
    ):
        adoptions_of[adoption.plan_id].append(adoption)
    indicator_ids = {a.indicator_id for rows in adoptions_of.values() for a in rows}

    def shown(partnership_id: int, period_id: str) -> bool:
        return approved is None or period_id in approved[partnership_id]

    # The partnerships' results by indicator, whichever plan version they were entered under (see Result).
    values: dict[int, dict[int, dict[str, Result]]] = defaultdict(lambda: defaultdict(dict))
    for res in Result.objects.filter(
        partnership_id__in=list(plans), indicator_id__in=indicator_ids, option__isnull=True
    ).only("partnership_id", "indicator_id", "period", "value", "numerator", "denominator", "text"):
        if shown(res.partnership_id, res.period):
            values[res.partnership_id][res.indicator_id][res.period] = res
    parts: dict[int, dict[int, dict[str, list[progress.Part]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for res in Result.objects.filter(
        partnership_id__in=list(plans), indicator_id__in=indicator_ids, option__isnull=False
    ).select_related("option__category"):
        option = res.option
        assert option is not None  # filtered above
        if shown(res.partnership_id, res.period):
            parts[res.partnership_id][res.indicator_id][res.period].append(
                progress.Part(str(option.category), str(option), res.value, res.numerator, res.denominator)
            )
    targets: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for pi_id, target_period, target_value in Target.objects.filter(
        plan_indicator__plan__in=list(plans.values()), option__isnull=True
    ).values_list("plan_indicator_id", "period", "value"):
        targets[pi_id][target_period] = target_value
    for partnership in partnerships:
        plan = plans.get(partnership.pk)
        if plan is None:
            continue
        settings = found_settings.get(partnership.programme_id) or ProgrammeMonitoringSettings(
            programme_id=partnership.programme_id
        )
        out[partnership.pk] = (
            plan,
            _plan_progress(
                plan,
                adoptions_of[plan.pk],
                today[partnership.pk],
                settings,
                values[partnership.pk],
                parts[partnership.pk],
                targets,
            ),
        )
    return out


def _plan_progress(
    plan: Plan,
    adoptions: list[PlanIndicator],
    today: datetime.date,
    settings: ProgrammeMonitoringSettings,
    values: dict[int, dict[str, Result]],
    parts: dict[int, dict[str, list[progress.Part]]],
    targets: dict[int, dict[str, Decimal]],
) -> list[IndicatorProgress]:
    out = []
    for adoption in adoptions:
        indicator = adoption.indicator
        periods = [
            p
            for p in periods_between(
                datetime.date(plan.first_year, 1, 1),
                datetime.date(plan.last_year, 12, 31),
                indicator.frequency,
            )
            if p.start <= today
        ]
        mine = values.get(indicator.pk, {})
        goals = targets.get(adoption.pk, {})
        seen: list[progress.Value] = []
        seen_targets: list[progress.Value] = []
        points = []
        for period in periods:
            r: Result | None = mine.get(period.id)
            derived = flagged = False
            if r is None and parts.get(indicator.pk, {}).get(period.id):
                found = progress.derived_total(
                    indicator.measure,
                    indicator.breakdown,
                    indicator.missing_total,
                    parts[indicator.pk][period.id],
                )
                derived, flagged = found is not None, found is None
                if found is not None:
                    r = Result(
                        period=period.id,
                        value=found.value,
                        numerator=found.numerator,
                        denominator=found.denominator,
                    )
            if r is not None:
                seen.append(progress.Value(period.id, r.value, r.numerator, r.denominator))
            if period.id in goals:
                seen_targets.append(progress.Value(period.id, goals[period.id]))
            time_rule = indicator.time_aggregation
            points.append(
                PeriodPoint(
                    period=period,
                    actual=r.value if r else None,
                    target=goals.get(period.id),
                    cumulative=progress.combine_over_time(indicator.measure, time_rule, seen) if r else None,
                    cumulative_target=progress.combine_targets_over_time(
                        indicator.measure, time_rule, seen_targets, seen
                    ),
                    text=r.text if r else "",
                    derived=derived,
                    flagged=flagged,
                )
            )
        achieved = progress.combine_over_time(indicator.measure, indicator.time_aggregation, seen)
        reported = {v.period for v in seen}
        # Judge against the targets of the periods reported so far, not of periods still to come.
        to_date = progress.combine_targets_over_time(
            indicator.measure,
            indicator.time_aggregation,
            [t for t in seen_targets if t.period <= max(reported, default="")],
            seen,
        )
        pct = progress.achievement_percent(indicator.direction, achieved, to_date)
        out.append(
            IndicatorProgress(
                plan_indicator=adoption,
                points=points,
                achieved=achieved,
                target_to_date=to_date,
                percent_of_target=pct,
                grade=progress.grade(pct, settings.on_track_percent, settings.at_risk_percent),
            )
        )
    return out


# --- programme roll-up ------------------------------------------------------------------------------


@dataclass
class Cell:
    count: int = 0
    total: Decimal = Decimal(0)
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)

    def add(self, count: int, total: Any, numerator: Any, denominator: Any) -> None:
        self.count += count
        self.total += total or 0
        self.numerator += numerator or 0
        self.denominator += denominator or 0

    def combined(self, indicator: Indicator) -> Decimal | None:
        return progress.combine_across(
            indicator.measure,
            indicator.cross_aggregation,
            self.count,
            self.total,
            self.numerator,
            self.denominator,
        )


@dataclass
class IndicatorRollUp:
    indicator: Indicator
    periods: list[str] = field(default_factory=list)
    total: dict[str, Cell] = field(default_factory=dict)
    by_country: dict[str, dict[str, Cell]] = field(default_factory=dict)
    by_pillar: dict[int, dict[str, Cell]] = field(default_factory=dict)
    targets: dict[str, Decimal | None] = field(default_factory=dict)

    def total_values(self) -> list[tuple[str, Decimal | None, int]]:
        return [(p, self.total[p].combined(self.indicator), self.total[p].count) for p in self.periods]

    def total_rows(self) -> list[tuple[str, Decimal | None, int, Decimal | None]]:
        """(period, programme value, partnerships reporting, their targets combined) for each period."""
        return [(p, value, count, self.targets.get(p)) for p, value, count in self.total_values()]

    def country_rows(self) -> list[tuple[str, list[Decimal | None]]]:
        return [
            (country, [cells[p].combined(self.indicator) if p in cells else None for p in self.periods])
            for country, cells in sorted(self.by_country.items())
        ]

    def pillar_rows(self, pillars: dict[int, Pillar]) -> list[tuple[Pillar, list[Decimal | None]]]:
        return [
            (pillars[pk], [cells[p].combined(self.indicator) if p in cells else None for p in self.periods])
            for pk, cells in sorted(self.by_pillar.items(), key=lambda kv: pillars[kv[0]].order)
            if pk in pillars
        ]


@dataclass
class ProgrammeRollUp:
    first: int | None  # the range of years shown, both ends included
    last: int | None
    years: list[int]
    indicators: list[IndicatorRollUp]
    pillars: dict[int, Pillar]


def partnership_countries(programme: Programme) -> dict[int, str]:
    """Each partnership's host country (the first alphabetically when its hosts are in several).

    Raises: nothing.
    """
    found: dict[int, str] = {}
    for partnership_id, country in (
        PartnershipInstitution.objects.filter(partnership__programme=programme, side="host")
        .order_by("partnership_id", "institution__country")
        .values_list("partnership_id", "institution__country")
    ):
        found.setdefault(partnership_id, country)
    return found


def country_expression(countries: dict[int, str]) -> Case:
    """A CASE mapping the result's partnership to its host country, so one GROUP BY can group by country.

    Raises: nothing.
    """
    by_country: dict[str, list[int]] = defaultdict(list)
    for pk, country in countries.items():
        by_country[country].append(pk)
    whens = [When(partnership_id__in=ids, then=Value(c)) for c, ids in sorted(by_country.items())]
    return Case(*whens, default=Value(""), output_field=CharField())


def common_results(programme: Programme, *, approved_only: bool = False) -> QuerySet[Result]:
    """Overall results (no breakdown) of a programme's common indicators, every partnership's; with
    `approved_only`, only those of approved periods (what the programme's readers see).

    Raises: nothing.
    """
    qs = Result.objects.filter(
        option__isnull=True, indicator__programme=programme, indicator__partnership__isnull=True
    )
    return qs.filter(in_approved_period()) if approved_only else qs


def pillar_expression() -> Subquery:
    """The pillar a result counts under: its objective's pillar in the partnership's newest agreed plan
    version that measures the indicator (results belong to no plan version; see Result).

    Raises: nothing.
    """
    return Subquery(
        PlanIndicator.objects.filter(
            plan__partnership_id=OuterRef("partnership_id"),
            indicator_id=OuterRef("indicator_id"),
            plan__agreed_at__isnull=False,
        )
        .order_by("-plan__number")
        .values("objective__pillar_id")[:1]
    )


def in_years(qs: QuerySet[Result], first: int | None, last: int | None) -> QuerySet[Result]:
    """Results whose period falls in the years `first` to `last` (both included; None leaves that end open).

    Every period id starts with its four-digit year (2024, 2024S1, 2024Q1, 202401), so one range of ids is one
    range of years, and an index on the period serves it.

    Raises: nothing.
    """
    if first is not None:
        qs = qs.filter(period__gte=f"{first:04d}")
    if last is not None:
        qs = qs.filter(period__lt=f"{last + 1:04d}")
    return qs


def rollup_target_groups(
    programme: Programme, first: int | None, last: int | None, *, approved_only: bool = False
) -> list[Any]:
    """The targets behind the programme dashboard's values: for each combinable common indicator and period,
    the targets that the reporting partnerships' plans in force set for it (count, sum, Σ target × reported
    denominator, Σ denominator), so a period's programme target compares with its programme value.

    Raises: nothing.
    """
    in_force = (
        Plan.objects.filter(partnership_id=OuterRef(OuterRef("partnership_id")), agreed_at__isnull=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    target = Target.objects.filter(
        plan_indicator__plan_id=Subquery(in_force),
        plan_indicator__indicator_id=OuterRef("indicator_id"),
        period=OuterRef("period"),
        option__isnull=True,
    ).values("value")[:1]
    qs = common_results(programme, approved_only=approved_only).exclude(
        indicator__cross_aggregation=Indicator.CrossAggregation.NONE
    )
    qs = in_years(qs, first, last)
    return list(
        qs.annotate(target=Subquery(target))
        .filter(target__isnull=False)
        .values("indicator_id", "period")
        .annotate(
            n=Count("id"),
            total=Sum("target"),
            weighted=Sum(F("target") * F("denominator")),
            weight=Sum("denominator"),
        )
        .order_by()
    )


def rollup_groups(
    programme: Programme,
    first: int | None,
    last: int | None,
    countries: dict[int, str],
    *,
    approved_only: bool = False,
) -> list[Any]:
    """The one GROUP BY behind the programme dashboard: combinable common indicators by period, pillar and
    host country, with count, sums of values, numerators and denominators (all decomposable, so totals,
    by-country and by-pillar figures are exact sums of these groups).

    Raises: nothing.
    """
    qs = common_results(programme, approved_only=approved_only).exclude(
        indicator__cross_aggregation=Indicator.CrossAggregation.NONE
    )
    qs = in_years(qs, first, last)
    return list(
        qs.annotate(country=country_expression(countries), pillar=pillar_expression())
        .values("indicator_id", "period", "pillar", "country")
        .annotate(n=Count("id"), total=Sum("value"), num=Sum("numerator"), den=Sum("denominator"))
        .order_by()
    )


def rollup_derived_groups(
    programme: Programme,
    first: int | None,
    last: int | None,
    countries: dict[int, str],
    indicators: dict[int, Indicator],
    *,
    approved_only: bool = False,
) -> list[dict[str, Any]]:
    """The periods that partnerships reported only by their breakdown, each with the total derived from it
    exactly as the partnership dashboard derives it (progress.derived_total: none where the indicator flags
    such periods instead), shaped like `rollup_groups` rows (count 1) plus the partnership's target for that
    period (`target`, None without one); with `approved_only`, of approved periods only. One query, whatever
    the number of partnerships.

    Raises: nothing.
    """
    overall = Result.objects.filter(
        partnership_id=OuterRef("partnership_id"),
        indicator_id=OuterRef("indicator_id"),
        period=OuterRef("period"),
        option__isnull=True,
    )
    in_force = (
        Plan.objects.filter(partnership_id=OuterRef(OuterRef("partnership_id")), agreed_at__isnull=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    target = Target.objects.filter(
        plan_indicator__plan_id=Subquery(in_force),
        plan_indicator__indicator_id=OuterRef("indicator_id"),
        period=OuterRef("period"),
        option__isnull=True,
    ).values("value")[:1]
    qs = (
        Result.objects.filter(
            option__isnull=False,
            indicator__programme=programme,
            indicator__partnership__isnull=True,
            indicator__missing_total=Indicator.MissingTotal.DERIVE,
        )
        .exclude(indicator__cross_aggregation=Indicator.CrossAggregation.NONE)
        .exclude(indicator__breakdown=Indicator.Breakdown.APART)
        .filter(~Exists(overall))
    )
    if approved_only:
        qs = qs.filter(in_approved_period())
    groups: dict[tuple[int, int, str], list[Any]] = {}
    for row in (
        in_years(qs, first, last)
        .annotate(pillar=pillar_expression(), target=Subquery(target))
        .values_list(
            "partnership_id",
            "indicator_id",
            "period",
            "pillar",
            "target",
            "option__category__name",
            "option__name",
            "value",
            "numerator",
            "denominator",
        )
        .order_by()
    ):
        groups.setdefault((row[0], row[1], row[2]), []).append(row)
    out = []
    for (partnership_id, indicator_id, period), rows in groups.items():
        indicator = indicators.get(indicator_id)
        if indicator is None:
            continue
        parts = [progress.Part(r[5], r[6], r[7], r[8], r[9]) for r in rows]
        derived = progress.derived_total(
            indicator.measure, indicator.breakdown, indicator.missing_total, parts
        )
        if derived is None:
            continue
        out.append(
            {
                "indicator_id": indicator_id,
                "period": period,
                "pillar": rows[0][3],
                "country": countries.get(partnership_id, ""),
                "target": rows[0][4],
                "n": 1,
                "total": derived.value,
                "num": derived.numerator,
                "den": derived.denominator,
            }
        )
    return out


def programme_rollup(
    programme: Programme,
    *,
    year: int | None = None,
    first: int | None = None,
    last: int | None = None,
    approved_only: bool = False,
) -> ProgrammeRollUp:
    """Common indicators rolled up across the programme's partnerships, computed now from the results, with the
    reporting partnerships' targets combined by the same rule (8 queries), for the years `first` to `last`
    (both included; `year` is short for one year). With no years given, the latest year of the plans up to this
    year; a range given backwards is read forwards. With `approved_only`, only the results of approved periods
    count (what the programme's readers see). A period a partnership reported only by its breakdown counts with
    the total derived from it, as on the partnership dashboard (issue 9).

    Raises: nothing.
    """
    # The years come from the plans, not from scanning the results: that scan would cost as much as the roll-up.
    span = Plan.objects.filter(partnership__programme=programme, agreed_at__isnull=False).aggregate(
        first=Min("first_year"), last=Max("last_year")
    )
    # A year is shown once it has begun somewhere among the programme's partnerships (their hosts' dates).
    this_year = latest_today(programme_zones(programme)).year
    years = list(range(span["first"], min(span["last"], this_year) + 1)) if span["first"] else []
    if year is not None:
        first = last = year
    if first is None and last is None and years:
        first = last = years[-1]
    elif first is None:
        first = last
    elif last is None:
        last = first
    if first is not None and last is not None and first > last:
        first, last = last, first
    indicators = {
        i.pk: i
        for i in Indicator.objects.filter(programme=programme, partnership__isnull=True).order_by("code")
    }
    pillars = {p.pk: p for p in Pillar.objects.filter(programme=programme)}
    rollups = {
        pk: IndicatorRollUp(indicator=i)
        for pk, i in indicators.items()
        if i.cross_aggregation != Indicator.CrossAggregation.NONE
    }
    countries = partnership_countries(programme)
    derived = rollup_derived_groups(
        programme, first, last, countries, indicators, approved_only=approved_only
    )
    for g in [*rollup_groups(programme, first, last, countries, approved_only=approved_only), *derived]:
        rollup = rollups.get(g["indicator_id"])
        if rollup is None:
            continue
        period = g["period"]
        args = (g["n"], g["total"], g["num"], g["den"])
        rollup.total.setdefault(period, Cell()).add(*args)
        rollup.by_country.setdefault(g["country"], {}).setdefault(period, Cell()).add(*args)
        rollup.by_pillar.setdefault(g["pillar"], {}).setdefault(period, Cell()).add(*args)
    target_sums: dict[tuple[int, str], list[Any]] = {}
    for g in rollup_target_groups(programme, first, last, approved_only=approved_only):
        target_sums[g["indicator_id"], g["period"]] = [g["n"], g["total"], g["weighted"], g["weight"]]
    for g in derived:  # a partnership reporting by its breakdown alone reports: its target counts too
        if g["target"] is None:
            continue
        sums = target_sums.setdefault((g["indicator_id"], g["period"]), [0, None, None, None])
        den = g["den"]
        sums[0] += 1
        sums[1] = (sums[1] or 0) + g["target"]
        if den is not None:
            sums[2] = (sums[2] or 0) + g["target"] * den
            sums[3] = (sums[3] or 0) + den
    for (indicator_id, period), (n, total, weighted, weight) in target_sums.items():
        rollup = rollups.get(indicator_id)
        if rollup is not None:
            rollup.targets[period] = progress.combine_targets_across(
                rollup.indicator.measure, rollup.indicator.cross_aggregation, n, total, weighted, weight
            )
    for rollup in rollups.values():
        rollup.periods = sorted(rollup.total)
    return ProgrammeRollUp(
        first=first,
        last=last,
        years=years,
        indicators=[r for r in rollups.values()],
        pillars=pillars,
    )


# Bounds how long figures cached under the change stamp can miss a change made outside the services (the admin,
# a database restore); every change through the services renews the stamp at once.
ROLLUP_CACHE_SECONDS = 600


def programme_rollup_cached(
    programme: Programme,
    *,
    first: int | None = None,
    last: int | None = None,
    approved_only: bool = False,
) -> ProgrammeRollUp:
    """`programme_rollup`, kept in the shared cache under the audit change stamp (`audit.services.change_stamp`):
    the first request after any audited change commits computes it again (7 queries), later ones read it back
    (2 cache reads), for at most ROLLUP_CACHE_SECONDS. Computed afresh, and not cached, inside a transaction
    that has made changes itself.

    Raises: nothing.
    """
    # The date is part of the key: which years are shown depends on it.
    return cached_until_change(
        f"monitoring:rollup:{programme.pk}:{first}:{last}:{approved_only}:{timezone.now().date()}",
        lambda: programme_rollup(programme, first=first, last=last, approved_only=approved_only),
        ROLLUP_CACHE_SECONDS,
    )


def not_combinable_results(
    programme: Programme,
    *,
    first: int | None,
    last: int | None,
    approved_only: bool = False,
    limit: int,
) -> tuple[list[Any], int]:
    """The range's results of common indicators that do not combine across partnerships (a qualitative answer, a
    ratio that must not be summed), listed as they are, by indicator code, partnership title and period: at most
    `limit` of them (dicts with indicator__code, indicator__name, partnership__title, partnership__uuid, period,
    value, text, score) and how many there are in all (one COUNT query only when the limit cut the list).

    Kept out of the cached roll-up: a programme of 1,800 partnerships has thousands, which the dashboard lists
    only the first of and the download reads in full (issue 10).

    Raises: nothing.
    """
    if first is None:
        return [], 0
    results = in_years(
        common_results(programme, approved_only=approved_only).filter(
            indicator__cross_aggregation=Indicator.CrossAggregation.NONE
        ),
        first,
        last,
    )
    rows = list(
        results.values(
            "indicator__code",
            "indicator__name",
            "partnership__title",
            "partnership__uuid",
            "period",
            "value",
            "text",
            "score",
        ).order_by("indicator__code", "partnership__title", "period")[:limit]
    )
    return rows, (len(rows) if len(rows) < limit else results.count())


def not_combinable_results_cached(
    programme: Programme,
    *,
    first: int | None,
    last: int | None,
    approved_only: bool = False,
    limit: int,
) -> tuple[list[Any], int]:
    """`not_combinable_results`, kept in the shared cache under the audit change stamp like the roll-up
    (`programme_rollup_cached`, same key parts and lifetime): the dashboard reads its first NOT_COMBINABLE_SHOWN
    rows on every visit. Only small limits are kept (a download's LIST_ROWS rows are read afresh, not cached).
    Computed afresh, and not cached, inside a transaction that has made changes itself.

    Raises: nothing.
    """
    return cached_until_change(
        f"monitoring:not-combinable:{programme.pk}:{first}:{last}:{approved_only}:{limit}:{timezone.now().date()}",
        lambda: not_combinable_results(
            programme, first=first, last=last, approved_only=approved_only, limit=limit
        ),
        ROLLUP_CACHE_SECONDS if limit <= NOT_COMBINABLE_CACHED_ROWS else 0,  # 0: computed afresh, not kept
    )


# The dashboard shows 50 of them (views.NOT_COMBINABLE_SHOWN); larger reads are downloads.
NOT_COMBINABLE_CACHED_ROWS = 100


# --- what is due ----------------------------------------------------------------------------------------


@dataclass
class DueItem:
    partnership: Partnership
    period: Period
    status: str
    due_date: datetime.date
    overdue: bool

    @property
    def status_label(self) -> str:
        return str(dict(PeriodReport.Status.choices).get(self.status, self.status))


def _editable_periods(
    partnerships: list[Partnership], today: datetime.date | None, *, ended_only: bool
) -> tuple[list[DueItem], dict[tuple[int, str], str], Any]:
    """The started (or, with `ended_only`, ended) periods of each partnership's plan in force whose report is
    still editable, as DueItems, with every report's status and the DueItem maker (5 queries)."""
    ids = [p.pk for p in partnerships]
    plans: dict[int, Plan] = {}
    for agreed in Plan.objects.filter(partnership_id__in=ids, agreed_at__isnull=False).order_by(
        "partnership_id", "-number"
    ):
        plans.setdefault(agreed.partnership_id, agreed)
    frequencies: dict[int, set[str]] = defaultdict(set)
    for plan_id, frequency in (
        PlanIndicator.objects.filter(plan_id__in=[p.pk for p in plans.values()])
        .values_list("plan_id", "indicator__frequency")
        .distinct()
    ):
        frequencies[plan_id].add(frequency)
    reports = {
        (r["partnership_id"], r["period"]): r["status"]
        for r in PeriodReport.objects.filter(partnership_id__in=ids).values(
            "partnership_id", "period", "status"
        )
    }
    due_days = dict(
        ProgrammeMonitoringSettings.objects.filter(
            programme_id__in={p.programme_id for p in partnerships}
        ).values_list("programme_id", "report_due_days")
    )
    zones = partnership_zones(ids) if today is None else {}

    def local_date(partnership: Partnership) -> datetime.date:
        return today or local_today(zones.get(partnership.pk, ""))

    def item(partnership: Partnership, period: Period, status: str) -> DueItem:
        due = period.end + datetime.timedelta(days=due_days.get(partnership.programme_id, 30))
        return DueItem(partnership, period, status, due, local_date(partnership) > due)

    items = []
    for partnership in partnerships:
        plan = plans.get(partnership.pk)
        if plan is None:
            continue
        local = local_date(partnership)
        first = datetime.date(plan.first_year, 1, 1)
        last = min(datetime.date(plan.last_year, 12, 31), local)
        for frequency in sorted(frequencies.get(plan.pk, ())):
            for period in periods_between(first, last, frequency):
                if period.start > local or (ended_only and period.end >= local):
                    continue
                status = reports.get((partnership.pk, period.id), PeriodReport.Status.DRAFT)
                if status in PeriodReport.EDITABLE:
                    items.append(item(partnership, period, status))
    return items, reports, item


def due_for_partnerships(
    partnerships: list[Partnership], today: datetime.date | None = None
) -> list[DueItem]:
    """What each partnership should report (6 queries): ended periods of its plan in force whose report is not
    submitted yet, and every report returned for correction, whatever its period or plan (a report sent back is
    work to do even before its period ends or after the plan was revised). Returned reports come first, then by
    due date: the period's end plus the programme's `report_due_days`.

    Ended, due and overdue are judged on each partnership's own local date (its host institution's zone, see
    `partnerships.selectors.partnership_zones`), or on `today` for all when given.

    Raises: nothing.
    """
    if not partnerships:
        return []
    items, reports, item = _editable_periods(partnerships, today, ended_only=True)
    by_id = {p.pk: p for p in partnerships}
    listed = {(i.partnership.pk, i.period.id) for i in items}
    for (partnership_id, period_id), status in sorted(reports.items()):
        if status == PeriodReport.Status.RETURNED and (partnership_id, period_id) not in listed:
            items.append(item(by_id[partnership_id], parse_period(period_id), status))
    items.sort(key=lambda i: (i.status != PeriodReport.Status.RETURNED, i.due_date, i.partnership.title))
    return items


def open_for_partnerships(
    partnerships: list[Partnership], today: datetime.date | None = None
) -> list[DueItem]:
    """Every open period of each partnership: the periods of its plan in force that have started (on the
    partnership's local date, or `today`) and whose report is still editable (draft or returned), the current
    ones included, newest first within each partnership (in the given order). 5 queries, none when empty.

    Raises: nothing.
    """
    if not partnerships:
        return []
    items, _reports, _item = _editable_periods(partnerships, today, ended_only=False)
    order = {p.pk: n for n, p in enumerate(partnerships)}
    items.sort(key=lambda i: (order[i.partnership.pk], -i.period.start.toordinal(), i.period.months))
    return items


def due_for_user(user: User, *, today: datetime.date | None = None) -> list[DueItem]:
    """Reports the user should enter or correct, in partnerships where they coordinate or are a member, each
    judged on its partnership's local date unless `today` is given (see `due_for_partnerships`). 7 queries
    (one when they are in none).

    Raises: nothing.
    """
    partnerships = list(
        Partnership.objects.filter(in_data_entry_partnerships(user, via=""))
        .select_related("programme")
        .order_by("title")
    )
    return due_for_partnerships(partnerships, today)


def awaiting_review(user: User) -> QuerySet[PeriodReport]:
    """Submitted reports in the programmes the user reviews (manager or M&E officer), oldest first.

    Raises: nothing.
    """
    qs = PeriodReport.objects.filter(status=PeriodReport.Status.SUBMITTED).select_related("partnership")
    return qs.filter(in_edited_programmes(user, via="partnership__programme")).order_by("submitted_at", "id")


def unread_notifications(user: User) -> QuerySet[Notification]:
    """The user's notifications not read yet.

    Raises: nothing.
    """
    return Notification.objects.filter(user=user, read_at__isnull=True)


def open_action_items(user: User) -> QuerySet[ReviewComment]:
    """Action items assigned to the user and not done, by due date.

    Raises: nothing.
    """
    return (
        ReviewComment.objects.filter(assignee=user, is_action=True, done_at__isnull=True)
        .select_related("report__partnership")
        .order_by("due_date", "id")
    )


def visible_results(user: User) -> QuerySet[Result]:
    """Results of the partnerships the user may see (the API's starting point); for readers (viewers), only
    the results of approved periods (accounts/access.py, in_draft_partnerships).

    Raises: nothing.
    """
    qs = Result.objects.filter(partnership__in=Partnership.objects.visible_to(user))
    drafts = in_draft_partnerships(user)
    if drafts:  # an empty Q (an administrator's) lets every row through; OR-ed, it would let none
        qs = qs.filter(drafts | in_approved_period())
    return qs.select_related("indicator", "partnership", "option")


def visible_reports(user: User) -> QuerySet[PeriodReport]:
    """Period reports of the partnerships the user may see (the API's starting point).

    Raises: nothing.
    """
    return PeriodReport.objects.filter(in_visible_partnerships(user)).select_related("partnership")
