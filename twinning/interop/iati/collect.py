"""What an IATI export says about each partnership, read in a fixed number of queries whatever their number.

Reads start from what the caller may see (the partnership queryset passed in comes from `Partnership.objects
.visible_to(user)` or, for a published file, from the programme) and go through the other apps' selectors and
querysets: the plan in force (planning), results of approved periods only (monitoring: "export only figures that
are right", issue 14), allocations with their exchange rate (contributions), practices published publicly
(knowledge).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils import timezone

from twinning.contributions.models import Allocation
from twinning.contributions.selectors import allocations_with_fx
from twinning.directory.models import CountryPriority, InstitutionNeed
from twinning.knowledge.models import Practice, PracticePartnership
from twinning.monitoring.models import Result
from twinning.monitoring.selectors import in_approved_period
from twinning.partnerships.models import Partnership, Programme, StageChange
from twinning.partnerships.selectors import with_sides
from twinning.planning.models import DisaggregationOption, Plan, PlanIndicator, Target


class TargetRow(NamedTuple):
    option_id: int | None
    value: Decimal


class PracticeLink(NamedTuple):
    """A practice the partnership published publicly: a document-link to its public page."""

    uuid: str
    title: str
    language: str
    published_on: datetime.date | None


class ResultRow(NamedTuple):
    option_id: int | None
    value: Decimal | None
    score: Decimal | None
    text: str


@dataclass
class ActivityData:
    """One partnership as its `iati-activity` shows it. Targets and results are plain rows, not model
    instances: a large programme's file holds tens of thousands of them."""

    partnership: Partnership
    identifier: str
    allocations: list[Allocation] = field(default_factory=list)
    plan: Plan | None = None
    adoptions: list[PlanIndicator] = field(default_factory=list)
    # plan indicator id -> period id -> its targets (overall: option None; then one per option).
    targets: dict[int, dict[str, list[TargetRow]]] = field(default_factory=dict)
    # (indicator id, period id) -> the approved results of that period: the overall one and one per option.
    results: dict[tuple[int, str], list[ResultRow]] = field(default_factory=dict)
    health_areas: list[str] = field(default_factory=list)
    # The first day the partnership entered each stage (its stage history).
    stage_dates: dict[str, datetime.date] = field(default_factory=dict)
    # Its practices published publicly (the knowledge app), newest first.
    practices: list[PracticeLink] = field(default_factory=list)


@dataclass
class ExportData:
    programme: Programme
    activities: list[ActivityData]
    # disaggregation option id -> (its category's name, its name): the dimensions of targets and actuals.
    options: dict[int, tuple[str, str]] = field(default_factory=dict)


def activity_identifier(programme: Programme, partnership: Partnership) -> str:
    """The partnership's `iati-identifier`: the one it was imported with, else the programme's organisation
    identifier and the partnership's public id (stable, unique, and prefixed by the reporting organisation as
    the IATI ruleset asks).

    Raises: nothing.
    """
    return partnership.iati_identifier or f"{programme.iati_org_id}-{partnership.uuid}"


def _plans_in_force(ids: list[int]) -> dict[int, Plan]:
    """Each partnership's plan in force (planning.selectors.plan_in_force, for many at once): the highest
    agreed version."""
    plans: dict[int, Plan] = {}
    for plan in Plan.objects.filter(partnership_id__in=ids, agreed_at__isnull=False).order_by("-number"):
        plans.setdefault(plan.partnership_id, plan)
    return plans


def _adoptions(plans: list[Plan]) -> dict[int, list[PlanIndicator]]:
    adoptions: dict[int, list[PlanIndicator]] = defaultdict(list)
    rows = (
        PlanIndicator.objects.filter(plan__in=plans)
        .select_related("objective", "indicator")
        .order_by("plan_id", "objective__order", "objective__code", "indicator__code")
    )
    for adoption in rows:
        adoptions[adoption.plan_id].append(adoption)
    return adoptions


def _targets(plans: list[Plan]) -> dict[int, dict[str, list[TargetRow]]]:
    targets: dict[int, dict[str, list[TargetRow]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Target.objects.filter(plan_indicator__plan__in=plans)
        .order_by("plan_indicator_id", "period", "option__order", "option_id")
        .values_list("plan_indicator_id", "period", "option_id", "value")
    )
    for adoption_id, period, option_id, value in rows:
        targets[adoption_id][period].append(TargetRow(option_id, value))
    return targets


def _results(ids: list[int]) -> dict[int, dict[tuple[int, str], list[ResultRow]]]:
    results: dict[int, dict[tuple[int, str], list[ResultRow]]] = defaultdict(lambda: defaultdict(list))
    rows = (
        Result.objects.filter(partnership_id__in=ids)
        .filter(in_approved_period())
        .order_by("indicator_id", "period", "option__category__name", "option__order", "option_id")
        .values_list("partnership_id", "indicator_id", "period", "option_id", "value", "score", "text")
    )
    for partnership_id, indicator_id, period, option_id, value, score, text in rows:
        results[partnership_id][(indicator_id, period)].append(ResultRow(option_id, value, score, text))
    return results


def _health_areas(plans: dict[int, Plan], partnerships: list[Partnership]) -> dict[int, list[str]]:
    """The health areas a partnership works on: those of the country priorities its plan's objectives serve,
    else its host institutions' needs."""
    areas: dict[int, set[str]] = defaultdict(set)
    by_plan = {plan.pk: pid for pid, plan in plans.items()}
    served = CountryPriority.objects.filter(objectives__plan_id__in=by_plan, area__isnull=False).values_list(
        "objectives__plan_id", "area__code"
    )
    for plan_id, code in served:
        areas[by_plan[plan_id]].add(code)
    hosts: dict[int, list[int]] = defaultdict(list)
    for p in partnerships:
        if p.pk not in areas:
            for link in p.host_links:  # type: ignore[attr-defined]
                hosts[link.institution_id].append(p.pk)
    needs = InstitutionNeed.objects.filter(institution_id__in=hosts).values_list(
        "institution_id", "area__code"
    )
    for institution_id, code in needs:
        for pid in hosts[institution_id]:
            areas[pid].add(code)
    return {pid: sorted(codes) for pid, codes in areas.items()}


def _public_practices(ids: list[int]) -> dict[int, list[PracticeLink]]:
    """The practices published publicly (Practice.objects.public(): what anyone may read) of each partnership,
    newest first (one query)."""
    found: dict[int, list[PracticeLink]] = defaultdict(list)
    links = (
        PracticePartnership.objects.filter(partnership_id__in=ids, practice__in=Practice.objects.public())
        .order_by("-practice__published_at", "practice__title", "practice_id")
        .values_list(
            "partnership_id",
            "practice__uuid",
            # The title its author last confirmed free of personal data, as on its public page.
            "practice__public_text__title",
            "practice__language",
            "practice__published_at",
        )
    )
    for partnership_id, uuid, title, language, published in links:
        found[partnership_id].append(
            PracticeLink(
                str(uuid), str(title or ""), language, timezone.localdate(published) if published else None
            )
        )
    return found


def collect(programme: Programme, partnerships: QuerySet[Partnership]) -> ExportData:
    """Everything the export writes for these partnerships of the programme (about ten queries in all).

    `partnerships` must already be limited to what the reader may see.

    Raises: nothing.
    """
    rows = list(with_sides(partnerships.filter(programme=programme)).order_by("title", "id"))
    ids = [p.pk for p in rows]
    plans = _plans_in_force(ids)
    adoptions = _adoptions(list(plans.values()))
    targets = _targets(list(plans.values()))
    results = _results(ids)
    options = {
        pk: (category, name)
        for pk, category, name in DisaggregationOption.objects.filter(
            category__programme=programme
        ).values_list("pk", "category__name", "name")
    }
    areas = _health_areas(plans, rows)
    allocations: dict[int, list[Allocation]] = defaultdict(list)
    qs = allocations_with_fx(Allocation.objects.filter(partnership_id__in=ids), programme)
    for allocation in qs.select_related("award").order_by("award__start_date", "award__reference"):
        allocations[allocation.partnership_id].append(allocation)
    stage_dates: dict[int, dict[str, datetime.date]] = defaultdict(dict)
    changes = StageChange.objects.filter(partnership_id__in=ids).order_by("changed_on", "id")
    for pid, stage, on in changes.values_list("partnership_id", "stage", "changed_on"):
        stage_dates[pid].setdefault(stage, on)
    practices = _public_practices(ids)
    activities = []
    for p in rows:
        plan = plans.get(p.pk)
        activities.append(
            ActivityData(
                partnership=p,
                identifier=activity_identifier(programme, p),
                allocations=allocations[p.pk],
                plan=plan,
                adoptions=adoptions[plan.pk] if plan else [],
                targets={a.pk: dict(targets[a.pk]) for a in adoptions[plan.pk]} if plan else {},
                results=dict(results.get(p.pk, {})),
                health_areas=areas.get(p.pk, []),
                stage_dates=stage_dates[p.pk],
                practices=practices[p.pk],
            )
        )
    return ExportData(programme=programme, activities=activities, options=options)
