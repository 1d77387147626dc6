"""Reads for donor reports: who may ask for which report, for which periods, and the few figures no other app's
selector already gives (a period's narratives, the disaggregated values of the IPTT). Everything else a report
shows is read through the selectors of the app that owns it (see `twinning.reports.sections`).
"""

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.db import models
from django.http import Http404

from twinning.accounts.access import (
    PartnershipAccess,
    ProgrammeAccess,
    partnership_access,
    programme_access,
    require,
)
from twinning.accounts.models import User
from twinning.core.dates import latest_today, local_today
from twinning.core.reference import name_sort_key
from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.selectors import reporting_periods
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import (
    get_partnership_for_user,
    get_programme_for_staff,
    partnership_today,
    partnership_zones,
    programme_zones,
)
from twinning.planning.models import Plan, PlanIndicator, Target
from twinning.planning.periods import Frequency, Period, parse_period, periods_between
from twinning.reports.models import ReportJob


def get_partnership_for_report(
    user: User, partnership_uuid: UUID | str
) -> tuple[Partnership, PartnershipAccess]:
    """The partnership (programme loaded) and the user's access, when they may read its donor reports
    (PartnershipAccess.can_read_reports: everyone who reads the partnership).

    Raises: Http404, PermissionDenied.
    """
    partnership, access = get_partnership_for_user(user, partnership_uuid)
    require(access.can_read_reports)
    return partnership, access


def get_programme_for_report(user: User, programme_uuid: UUID | str) -> tuple[Programme, ProgrammeAccess]:
    """The programme and the user's access, when they may read its donor report (its staff, viewers included:
    ProgrammeAccess.can_read_reports); 404 for everyone else, as for the programme's dashboards.

    Raises: Http404, PermissionDenied.
    """
    programme = get_programme_for_staff(user, programme_uuid)
    access = programme_access(user, programme.pk, programme)
    require(access.can_read_reports)
    return programme, access


def partnership_report_periods(partnership: Partnership) -> list[Period]:
    """The periods a partnership report may cover, newest first: its reporting periods (those the results page
    lists) and every year they fall in. Empty without an agreed plan (2 queries).

    Raises: nothing.
    """
    periods = reporting_periods(partnership)
    years = {p.year for p in periods}
    found = {p.id: p for p in periods}
    for year in years:
        found.setdefault(str(year), parse_period(str(year)))
    return sorted(found.values(), key=lambda p: (p.start, -p.months), reverse=True)


def latest_period_with_data(periods: list[Period], results: "models.QuerySet[Result]") -> Period | None:
    """The newest of `periods` (newest first, as the *_report_periods give them) holding any of `results` (a
    year holds its quarters' results), so a report form does not open on an empty period; None when none
    does (1 query).

    Raises: nothing.
    """
    held = []
    for period_id in results.order_by().values_list("period", flat=True).distinct():
        try:
            held.append(parse_period(period_id))
        except ValueError:
            continue
    for period in periods:
        if any(period.start <= h.start and h.end <= period.end for h in held):
            return period
    return None


def programme_report_periods(programme: Programme) -> list[Period]:
    """The periods a programme report may cover, newest first: each year of its agreed plans that has begun
    somewhere among its partnerships, and each half and quarter of those years that has begun (2 queries).

    Raises: nothing.
    """
    span = Plan.objects.filter(partnership__programme=programme, agreed_at__isnull=False).values_list(
        "first_year", "last_year"
    )
    years: set[int] = set()
    for first, last in span:
        years.update(range(first, last + 1))
    today = latest_today(programme_zones(programme))
    periods: list[Period] = []
    for year in sorted(y for y in years if y <= today.year):
        for frequency in (Frequency.YEARLY, Frequency.SIX_MONTHLY, Frequency.QUARTERLY):
            periods += [
                p
                for p in periods_between(datetime.date(year, 1, 1), datetime.date(year, 12, 31), frequency)
                if p.start <= today
            ]
    return sorted(periods, key=lambda p: (p.start, -p.months), reverse=True)


def get_report_period(choices: list[Period], period_id: str) -> Period:
    """The period with this id among `choices` (partnership_report_periods or programme_report_periods).

    Raises: Http404.
    """
    for period in choices:
        if period.id == period_id:
            return period
    raise Http404


def within(period_id: str, period: Period) -> bool:
    """Whether the period `period_id` lies inside `period` (a quarter inside its year; a period inside itself).

    Raises: nothing.
    """
    try:
        inner = parse_period(period_id)
    except ValueError:
        return False
    return period.start <= inner.start and inner.end <= period.end


def report_as_of(partnership: Partnership, period: Period) -> datetime.date:
    """The date a report's figures are taken at: the period's last day, or the host's today while it runs.

    Raises: nothing.
    """
    return min(period.end, partnership_today(partnership))


def reports_as_of(partnerships: list[Partnership], period: Period) -> dict[int, datetime.date]:
    """`report_as_of` of each partnership, by id (one query).

    Raises: nothing.
    """
    zones = partnership_zones([p.pk for p in partnerships])
    return {pk: min(period.end, local_today(zone)) for pk, zone in zones.items()}


# --- narratives --------------------------------------------------------------------------------------


def period_narratives(
    partnerships: list[Partnership], period: Period, *, approved_only: bool
) -> list[PeriodReport]:
    """The period reports inside `period` (its quarters, months or itself) of `partnerships` that carry a
    narrative, by partnership title then period; with `approved_only`, approved ones only (what readers see,
    docs/ACCESS.md). One query.

    Raises: nothing.
    """
    qs = (
        PeriodReport.objects.filter(partnership__in=[p.pk for p in partnerships])
        .exclude(achievements="", challenges="", next_steps="")
        .select_related("partnership")
        .order_by("partnership__title", "partnership_id", "period")
    )
    if approved_only:
        qs = qs.filter(status=PeriodReport.Status.APPROVED)
    return [r for r in qs if within(r.period, period)]


# --- disaggregations -----------------------------------------------------------------------------------


@dataclass
class OptionValue:
    """One disaggregated value of an indicator for a period, with the option's target when the plan sets one."""

    category: str
    option: str
    order: tuple[str, int, str]
    value: Decimal | None
    target: Decimal | None


def breakdown_values(
    plans: dict[int, Plan], *, approved_only: bool
) -> dict[int, dict[tuple[int, str], list[OptionValue]]]:
    """By partnership id, the partnership's disaggregated results and option targets of its plan's (`plans`,
    by partnership id) indicators, keyed by (indicator id, period id), each list in category and option order:
    the rows the IPTT shows under an indicator's total. Values are the stored ones (Result.value; a
    percentage's percentage), never summed; with `approved_only`, only approved periods' results (targets are
    the plan's, shown to everyone who sees the plan). Three queries however many partnerships.

    Raises: nothing.
    """
    found: dict[int, dict[tuple[int, str], dict[int, OptionValue]]] = {pk: defaultdict(dict) for pk in plans}
    if not plans:
        return {}
    approved: dict[int, set[str]] = defaultdict(set)
    if approved_only:
        for partnership_id, period_id in PeriodReport.objects.filter(
            partnership_id__in=list(plans), status=PeriodReport.Status.APPROVED
        ).values_list("partnership_id", "period"):
            approved[partnership_id].add(period_id)
    indicators_of: dict[int, set[int]] = defaultdict(set)
    for plan_id, indicator_id in PlanIndicator.objects.filter(plan__in=list(plans.values())).values_list(
        "plan_id", "indicator_id"
    ):
        indicators_of[plan_id].add(indicator_id)
    indicator_ids = set().union(*indicators_of.values())
    results = Result.objects.filter(
        partnership_id__in=list(plans), option__isnull=False, indicator_id__in=indicator_ids
    ).select_related("option__category")
    for result in results:
        if result.indicator_id not in indicators_of[plans[result.partnership_id].pk]:
            continue  # another partnership's indicator, not in this plan
        if approved_only and result.period not in approved[result.partnership_id]:
            continue
        option = result.option
        assert option is not None  # filtered above
        found[result.partnership_id][result.indicator_id, result.period][option.pk] = OptionValue(
            str(option.category),  # in the reader's language, as the pages show it (shipped_name)
            str(option),
            (option.category.name, option.order, option.name),
            result.value,
            None,
        )
    partnership_of = {plan.pk: pk for pk, plan in plans.items()}
    targets = Target.objects.filter(
        plan_indicator__plan__in=list(plans.values()), option__isnull=False
    ).select_related("option__category", "plan_indicator")
    for target in targets:
        option = target.option
        assert option is not None
        rows = found[partnership_of[target.plan_indicator.plan_id]]
        key = (target.plan_indicator.indicator_id, target.period)
        row = rows[key].get(option.pk)
        if row is None:
            row = rows[key][option.pk] = OptionValue(
                str(option.category),
                str(option),
                (option.category.name, option.order, option.name),
                None,
                None,
            )
        row.target = target.value
    return {
        pk: {key: sorted(options.values(), key=lambda r: r.order) for key, options in rows.items()}
        for pk, rows in found.items()
    }


def partnerships_in_report(programme: Programme) -> list[Partnership]:
    """The programme's partnerships a programme report covers (every one its staff see), by title as the
    reader's language sorts it (`name_sort_key`: "Éthiopie …" before "Ukraine …", which a database's byte order
    would not); their programme loaded. One query.

    Raises: nothing.
    """
    found = (
        Partnership.objects.filter(programme=programme).select_related("programme").order_by("title", "id")
    )
    return sorted(found, key=lambda p: name_sort_key(p.title))


# --- report jobs -------------------------------------------------------------------------------------------


def may_read_job(user: User, job: ReportJob) -> bool:
    """Whether `user` may still read the reports `job` is about: the partnership's (its programme loaded) for a
    partnership report, else the programme's.

    Raises: nothing.
    """
    if job.partnership is not None:
        return partnership_access(user, job.partnership).can_read_reports
    return programme_access(user, job.programme_id, job.programme).can_read_reports


def get_report_job_for_user(user: User, job_uuid: UUID | str) -> ReportJob:
    """A report job (a programme's or a partnership's), for the person who asked for it while they may still
    read those reports; 404 for anyone else (a report holds what its asker may see, not what another may).

    Raises: Http404.
    """
    job = (
        ReportJob.objects.select_related("programme", "partnership__programme")
        .filter(uuid=job_uuid, requested_by=user)
        .first()
    )
    if job is None or not may_read_job(user, job):
        raise Http404
    return job


def recent_report_jobs(
    user: User, programme: Programme, limit: int = 10, partnership: Partnership | None = None
) -> list[ReportJob]:
    """The user's latest report jobs of `programme` (its programme reports), or of `partnership`, newest first
    (one query).

    Raises: nothing.
    """
    jobs = ReportJob.objects.filter(programme=programme, requested_by=user)
    jobs = jobs.filter(partnership=partnership) if partnership is not None else jobs.filter(partnership=None)
    return list(jobs.order_by("-created_at")[:limit])


@dataclass
class Slice:
    """One country's or one pillar's share of a programme report: partnerships, overall results reported in the
    period, exchanges that ran in the period with their participants, and contributions to date (in the
    programme's reporting currency)."""

    partnerships: int = 0
    indicators: int = 0
    results: int = 0
    exchanges: int = 0
    people: int = 0
    funds: Decimal = Decimal(0)
    inkind_pledged: Decimal = Decimal(0)
    inkind_verified: Decimal = Decimal(0)


@dataclass
class Breakdown:
    """A programme report's figures by host country (ISO code) and by pillar (name, in the pillars' order)."""

    by_country: dict[str, Slice]
    by_pillar: dict[str, Slice]


def report_breakdown(
    *,
    user: User,
    programme: Programme,
    partnerships: list[Partnership],
    period: Period,
    approved_only: bool,
    leverage: Any,
) -> Breakdown:
    """The report's partnerships summed by their host institution's country and by the pillars of their plan
    in force: a partnership's overall results of the periods inside `period` (only approved periods' with
    `approved_only`), its exchanges that ran in `period` (those `user` may see) with their participants, and
    its contributions to date from `leverage` (contributions.selectors.leverage_report). A partnership counts
    under each pillar it works in, so the pillars' figures may add up to more than the programme's; under a
    pillar, results are those of the indicators adopted for that pillar's objectives. A constant number of
    queries, whatever the size.

    Raises: nothing.
    """
    from twinning.exchanges.selectors import exchange_list  # reports sit above exchanges
    from twinning.partnerships.models import PartnershipInstitution, Pillar
    from twinning.planning.models import Objective

    ids = [p.pk for p in partnerships]
    country: dict[int, str] = {}
    for pk, code in (
        PartnershipInstitution.objects.filter(partnership_id__in=ids, side="host")
        .order_by("pk")
        .values_list("partnership_id", "institution__country")
    ):
        country.setdefault(pk, code or "")
    in_force: dict[int, int] = {}
    for pk, plan in (
        Plan.objects.filter(partnership_id__in=ids, agreed_at__isnull=False)
        .order_by("partnership_id", "-number")
        .values_list("partnership_id", "pk")
    ):
        in_force.setdefault(pk, plan)
    plan_owner = {plan: pk for pk, plan in in_force.items()}
    pillars = {pk: name for pk, name in Pillar.objects.filter(programme=programme).values_list("pk", "name")}
    order = list(pillars)
    works_in: dict[int, set[int]] = defaultdict(set)
    for plan, pillar in Objective.objects.filter(plan_id__in=plan_owner, pillar__isnull=False).values_list(
        "plan_id", "pillar_id"
    ):
        works_in[plan_owner[plan]].add(pillar)
    # Indicators adopted in each plan in force, with the pillars of the objectives they serve.
    adopted: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for plan, indicator, pillar in PlanIndicator.objects.filter(plan_id__in=plan_owner).values_list(
        "plan_id", "indicator_id", "objective__pillar_id"
    ):
        found = adopted[plan_owner[plan]][indicator]
        if pillar is not None:
            found.add(pillar)
    results = Result.objects.filter(partnership_id__in=ids, option__isnull=True)
    if approved_only:
        from twinning.monitoring.selectors import in_approved_period

        results = results.filter(in_approved_period())
    inside: dict[str, bool] = {}
    counted: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for pk, indicator, period_id in results.values_list(
        "partnership_id", "indicator_id", "period"
    ).iterator():
        if period_id not in inside:
            inside[period_id] = within(period_id, period)
        if inside[period_id]:
            counted[pk][indicator] += 1
    exchanges: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, people in (
        exchange_list(user=user, programme=programme)
        .filter(partnership_id__in=ids, start_date__lte=period.end, end_date__gte=period.start)
        .values_list("partnership_id", "participant_count")  # type: ignore[misc]  # annotated by exchange_list
    ):
        exchanges[pk][0] += 1
        exchanges[pk][1] += people or 0
    money = {row.id: row.figures for row in leverage.partnerships}

    by_country: dict[str, Slice] = {}
    by_pillar: dict[str, Slice] = {pillars[pk]: Slice() for pk in order}
    for pk in ids:
        own = Slice(
            partnerships=1,
            indicators=len(adopted.get(pk, {})),
            results=sum(counted[pk].values()) if pk in counted else 0,
            exchanges=exchanges[pk][0] if pk in exchanges else 0,
            people=exchanges[pk][1] if pk in exchanges else 0,
        )
        figures = money.get(pk)
        if figures is not None:
            own.funds, own.inkind_pledged = figures.funds, figures.inkind_pledged
            own.inkind_verified = figures.inkind_verified
        add_slice(by_country.setdefault(country.get(pk, ""), Slice()), own)
        for pillar in works_in.get(pk, set()):
            serving = [i for i, found in adopted.get(pk, {}).items() if pillar in found]
            share = dataclasses.replace(
                own,
                indicators=len(serving),
                results=sum(counted[pk].get(i, 0) for i in serving) if pk in counted else 0,
            )
            add_slice(by_pillar[pillars[pillar]], share)
    return Breakdown(by_country=by_country, by_pillar=by_pillar)


def add_slice(total: Slice, part: Slice) -> None:
    """Add `part`'s figures to `total`'s. Raises: nothing."""
    for name in total.__dataclass_fields__:
        setattr(total, name, getattr(total, name) + getattr(part, name))
