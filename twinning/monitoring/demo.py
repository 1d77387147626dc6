"""Demo results: every agreed demo plan's indicators reported from 2024 up to the latest ended period, with
period reports in every review state: older periods approved, then per partnership the latest period
submitted, returned with feedback and a conversation (with an action item), still a draft, or not started
(overdue). Values are written in bulk (a few thousand rows); the review steps go through the services so they
carry audit history and notifications.
"""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport, Result
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.models import Indicator, Plan, PlanIndicator, Target
from twinning.planning.periods import Period, periods_between
from twinning.planning.selectors import plan_in_force

FEEDBACK = [
    gettext_noop(
        "The female and male figures do not add up to the total; please check the training register."
    ),
    gettext_noop("The denominator looks like last quarter's; please confirm with the records office."),
    gettext_noop("Please attach the attendance sheets for the two trainings counted here."),
]


ACHIEVEMENTS = [
    gettext_noop(
        "Trained two cohorts of midwives in emergency obstetric care; the skills lab is now used every week."
    ),
    gettext_noop("The joint maternal death audit committee met monthly and closed four of its six actions."),
    gettext_noop(
        "Introduced the early warning score chart on both maternity wards, with a nurse champion per shift."
    ),
]
CHALLENGES = [
    gettext_noop("Two trainers left for other posts; the resource side covered the gap remotely."),
    gettext_noop("Stock-outs of magnesium sulphate for three weeks held back the protocol roll-out."),
    gettext_noop("Power cuts made the online mentoring sessions hard to keep on schedule."),
]
NEXT_STEPS = [
    gettext_noop(
        "Certify the first trainers from our own staff and start the cascade to the district hospitals."
    ),
    gettext_noop("Present the audit findings to the regional health management team."),
    gettext_noop("Agree a procurement plan for the emergency trays with the ministry."),
]


def _narrative(rng: random.Random) -> dict[str, str]:
    """A period report's narrative, as coordinators write it (issue 14)."""
    return {
        "achievements": rng.choice(ACHIEVEMENTS),
        "challenges": rng.choice(CHALLENGES),
        "next_steps": rng.choice(NEXT_STEPS),
    }


def _value(indicator: Indicator, target: Decimal | None, rng: random.Random) -> dict[str, Any]:
    if indicator.measure == Indicator.Measure.PERCENTAGE:
        denominator = Decimal(rng.randint(8, 40))
        share = min(Decimal(1), (target or Decimal(70)) / 100 * Decimal(rng.uniform(0.7, 1.15)))
        numerator = (denominator * share).quantize(Decimal(1))
        return {
            "numerator": numerator,
            "denominator": denominator,
            "value": (numerator * 100 / denominator).quantize(Decimal("0.0001")),
        }
    if indicator.measure == Indicator.Measure.YES_NO:
        return {"value": Decimal(1 if rng.random() < 0.7 else 0)}
    if indicator.measure == Indicator.Measure.QUALITATIVE:
        return {
            "text": rng.choice(
                [
                    gettext_noop("Triage nurses now lead the morning handover."),
                    gettext_noop("Community health workers refer earlier."),
                ]
            ),
            "score": Decimal(rng.randint(2, 5)),
        }
    base = target if target is not None else Decimal(rng.randint(5, 40))
    return {"value": (base * Decimal(rng.uniform(0.55, 1.2))).quantize(Decimal(1))}


def _enterer(partnership: Partnership, manager: User) -> User:
    membership = (
        PartnershipMembership.objects.filter(partnership=partnership, role__in=["coordinator", "member"])
        .select_related("user")
        .first()
    )
    return membership.user if membership else manager


def load_demo(
    *,
    programme: Programme,
    partnerships: list[Partnership],
    users: dict[str, User],
    rng: random.Random,
    today: datetime.date,
    through_services: set[int] | None = None,
) -> None:
    """Results and period reports for the periods ended by `today` (the demo plans end with 2026).

    `through_services` (the large and huge profiles) names the partnership ids whose latest report is walked
    through the review services; every other partnership's reports are bulk-inserted as approved. None (the
    default demo) walks every partnership's latest report.
    """
    today = min(today, datetime.date(2026, 12, 31))
    staff = {r.role: r.user for r in ProgrammeRole.objects.filter(programme=programme).select_related("user")}
    admin = next(u for u in users.values() if u.is_superuser)
    manager = staff.get(ProgrammeRole.Role.MANAGER, admin)
    reviewer = staff.get(ProgrammeRole.Role.ME_OFFICER, manager)
    results: list[Result] = []
    reports: list[tuple[Partnership, list[str]]] = []
    for partnership in partnerships:
        plan = plan_in_force(partnership)
        if plan is None:
            continue
        period_ids = _plan_results(partnership, plan, today, rng, results)
        if period_ids:
            reports.append((partnership, period_ids))
    Result.objects.bulk_create(results, batch_size=1000)
    now = timezone.now()
    states = ["submitted", "returned", "draft", "approved"]
    for index, (partnership, period_ids) in enumerate(reports):
        walked = through_services is None or partnership.pk in through_services
        PeriodReport.objects.bulk_create(
            [
                PeriodReport(
                    partnership=partnership,
                    period=pid,
                    status="approved",
                    submitted_at=now,
                    reviewed_at=now,
                    reviewed_by=reviewer,
                    **_narrative(rng),
                )
                for pid in period_ids[: -1 if walked else None]
            ]
        )
        if not walked:
            continue
        _latest_report(
            partnership,
            period_ids[-1],
            states[index % len(states)],
            index,
            enterer=_enterer(partnership, manager),
            writer=manager,
            reviewer=reviewer,
            rng=rng,
            today=today,
        )


def _plan_results(
    partnership: Partnership, plan: Plan, today: datetime.date, rng: random.Random, results: list[Result]
) -> list[str]:
    """Add to `results` a value for every adopted indicator and period that ended before `today` (split over
    the options of a number's first disaggregation); returns the ids of those periods, oldest first."""
    adoptions = list(
        PlanIndicator.objects.filter(plan=plan)
        .select_related("indicator")
        .prefetch_related("indicator__categories__options")
    )
    targets = {
        (t.plan_indicator_id, t.period, t.option_id): t.value
        for t in Target.objects.filter(plan_indicator__plan=plan)
    }
    ended: dict[str, Period] = {}
    for adoption in adoptions:
        indicator = adoption.indicator
        periods = [
            p
            for p in periods_between(
                datetime.date(plan.first_year, 1, 1),
                datetime.date(plan.last_year, 12, 31),
                indicator.frequency,
            )
            if p.end < today
        ]
        # The latest period of a quarter of the partnerships is not started yet: it shows as overdue.
        if partnership.pk % 4 == 0 and periods:
            periods = periods[:-1]
        for period in periods:
            ended[period.id] = period
            overall = _value(indicator, targets.get((adoption.pk, period.id, None)), rng)
            results.append(Result(partnership=partnership, indicator=indicator, period=period.id, **overall))
            if indicator.measure == Indicator.Measure.NUMBER and overall.get("value") is not None:
                for category in list(indicator.categories.all())[:1]:
                    options = list(category.options.all())
                    remaining = overall["value"]
                    for i, option in enumerate(options):
                        share = (
                            remaining
                            if i == len(options) - 1
                            else (remaining * Decimal(rng.uniform(0.3, 0.7))).quantize(Decimal(1))
                        )
                        remaining -= share
                        results.append(
                            Result(
                                partnership=partnership,
                                indicator=indicator,
                                period=period.id,
                                option=option,
                                value=share,
                            )
                        )
    return sorted(ended, key=lambda pid: (ended[pid].end, ended[pid].months))


def _latest_report(
    partnership: Partnership,
    latest: str,
    state: str,
    index: int,
    *,
    enterer: User,
    writer: User,
    reviewer: User,
    rng: random.Random,
    today: datetime.date,
) -> None:
    """The latest period's report in the given review state, walked there through the services; its narrative
    written (by `writer`, who edits the partnership) before it is submitted."""
    services.report_narrative_save(actor=writer, partnership=partnership, period=latest, data=_narrative(rng))
    if state == "draft":
        return
    report = services.report_submit(actor=enterer, partnership=partnership, period=latest)
    if state in ("returned", "approved") or index % 3 == 1:
        report = services.report_return(actor=reviewer, report=report, feedback=rng.choice(FEEDBACK))
        feedback = report.comments.get(kind="feedback")
        services.comment_add(
            actor=enterer,
            report=report,
            parent=feedback,
            body=gettext_noop("Thanks, we are checking the register this week."),
        )
        services.comment_add(
            actor=reviewer,
            report=report,
            body=gettext_noop("Please attach the corrected register."),
            assignee=enterer,
            due_date=today + datetime.timedelta(days=14),
        )
    if state == "approved":
        report = services.report_submit(actor=enterer, partnership=partnership, period=latest)
        services.report_approve(
            actor=reviewer, report=report, note=gettext_noop("Thank you for the corrections.")
        )


def clear_demo(programmes: Any) -> None:
    """Remove the demo programmes' results and reports (they protect plans and partnerships from deletion)."""
    Result.objects.filter(partnership__programme__in=programmes).delete()
    PeriodReport.objects.filter(partnership__programme__in=programmes).delete()
