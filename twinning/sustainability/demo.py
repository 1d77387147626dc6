"""Demo data for transition, graduation and follow-up, written through the services so it has its history.

- The first partnership in transition has a signed transition plan (its activities handed over with owners and
  funders, a coordinator role, risks, milestones); the second has an open graduation review.
- The partnerships the demo plan graduated have their decided reviews and scheduled follow-ups.
- Two earlier graduates (they graduated more than three years before the demo's anchor date, so their 1- and
  3-year follow-ups have fallen due): the first answered both; the second answered the 1-year one, and its 3-year
  one is overdue. The first has no demo login, so the programme recorded its answers (as an administrator may);
  the second's host coordinator is the demo login `graduate-coordinator@` (GRADUATE_LOGIN), who answered the
  1-year follow-up and has the overdue 3-year one open to answer.
"""

import datetime
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_noop

from twinning.accounts.models import PartnershipMembership, User
from twinning.core.choices import Side
from twinning.demo.plan import ANCHOR, DEMO_EMAIL_DOMAIN
from twinning.directory.models import Institution, Person
from twinning.partnerships.models import (
    Partnership,
    PartnershipInstitution,
    Pillar,
    Programme,
    Stage,
    StageChange,
)
from twinning.partnerships.services import membership_add, partnership_create, partnership_stage_change
from twinning.planning import services as planning
from twinning.planning.models import Activity
from twinning.planning.selectors import plan_in_force
from twinning.sustainability import follow_ups, graduation_services
from twinning.sustainability import transition_services as services
from twinning.sustainability.graduation import Criterion, evaluate
from twinning.sustainability.models_transition import (
    DEMO_REASON_ALL_MET,
    DEMO_REASON_SOME_MET,
    DEMO_TRANSITION_SUMMARY,
    FollowUp,
    GraduationPolicy,
    GraduationReview,
    TransitionPlan,
)

FUNDERS = ["host_budget", "local_government", "ministry", "host_budget", "other_donor"]
# Names and fixed vocabulary the demo writes (a funding line, a role, a milestone, an item handed over): stored in
# English, marked for the catalogues here and shown in the reader's language through core.reference.shipped_name,
# as the shipped vocabularies are. The demo's sentences (a summary, a risk, a comment, a graduation reason) are
# marked the same way and shown through the `shipped` template filter or the models' shown_* properties.
FUNDING_DETAIL = {
    "host_budget": gettext_noop("Hospital recurrent budget, training line"),
    "local_government": gettext_noop("District health plan"),
    "ministry": gettext_noop("Ministry of health, quality-improvement programme"),
    "other_donor": gettext_noop("Global Fund grant, health-systems window"),
}
QUALITY_UNIT = gettext_noop("Head of the quality-improvement unit")
HOST_COORDINATOR_ROLE = gettext_noop("Partnership coordinator (host side)")
MILESTONES = [
    (gettext_noop("Budget line approved by the hospital board"), -60),
    (gettext_noop("Last joint review meeting"), 0),
]
RISKS = [
    (
        gettext_noop("Trained staff move to other posts"),
        gettext_noop("Train two deputies per skill; the host trainers keep the sessions running monthly."),
    ),
    (
        gettext_noop("The district budget is cut"),
        gettext_noop("The hospital board has approved the budget line; the ministry co-funds."),
    ),
]


@dataclass(frozen=True)
class EarlierGraduate:
    """A partnership that graduated years before the demo's anchor date, with what its own plan handed over: a
    surgical partnership hands over surgical work, a newborn-care one newborn care (a tester found the newborn-care
    partnership carrying the surgical one's items)."""

    title: str
    days_ago: int  # how long before the anchor it graduated
    answered: int  # how many of its follow-ups were answered
    shared_goal: str
    objective: str
    # (activity handed over, the role or unit that owns it after the end, who funds it)
    items: tuple[tuple[str, str, str], ...]
    comment: str  # what the host coordinator said in the follow-ups answered


EARLIER_GRADUATES = [
    EarlierGraduate(
        title="Mbale–Edinburgh Surgical Skills Partnership",
        days_ago=3 * 365 + 120,
        answered=2,
        shared_goal=gettext_noop(
            "Safer surgery at the host hospital, taught and run by its own surgeons and theatre staff."
        ),
        objective=gettext_noop("Safer surgery run by the host hospital"),
        items=(
            (
                gettext_noop("Monthly skills-lab sessions run by host trainers"),
                gettext_noop("Skills-lab coordinator"),
                "host_budget",
            ),
            (
                gettext_noop("Quarterly morbidity and mortality review"),
                gettext_noop("Head of surgery"),
                "host_budget",
            ),
            (
                gettext_noop("Safe-surgery checklist audits at every operation"),
                gettext_noop("Theatre nursing manager"),
                "ministry",
            ),
        ),
        comment=gettext_noop(
            "The skills lab runs every month; two of the trainers have moved to the regional hospital."
        ),
    ),
    EarlierGraduate(
        title="Tamale–Oslo Newborn Care Partnership",
        days_ago=3 * 365 + 60,
        answered=1,
        shared_goal=gettext_noop(
            "Fewer newborn deaths at the host hospital: resuscitation at birth, kangaroo mother care and a "
            "special-care unit its own staff run."
        ),
        objective=gettext_noop("Newborn care run by the host hospital"),
        items=(
            (
                gettext_noop("Newborn resuscitation drills for every midwife each quarter"),
                gettext_noop("Midwife in charge of the labour ward"),
                "host_budget",
            ),
            (
                gettext_noop("Kangaroo mother care for every baby under 2 kg"),
                gettext_noop("Neonatal nursing officer"),
                "host_budget",
            ),
            (gettext_noop("Monthly perinatal death review"), gettext_noop("Head of paediatrics"), "ministry"),
        ),
        comment=gettext_noop(
            "Kangaroo mother care goes on in the newborn unit; the resuscitation drills have slowed since two "
            "midwives left."
        ),
    ),
]
# The demo login that coordinates the host side of the second earlier graduate (see the module docstring).
GRADUATE_LOGIN = f"graduate-coordinator@{DEMO_EMAIL_DOMAIN}"


def clear_demo(programmes: QuerySet[Programme]) -> None:
    """Remove the sustainability rows of the given (demo) programmes, which protect their partnerships."""
    FollowUp.objects.filter(partnership__programme__in=programmes).delete()
    GraduationReview.objects.filter(partnership__programme__in=programmes).delete()
    TransitionPlan.objects.filter(partnership__programme__in=programmes).delete()
    GraduationPolicy.objects.filter(programme__in=programmes).delete()


def _coordinator(partnership: Partnership, side: str) -> User | None:
    membership = (
        PartnershipMembership.objects.filter(partnership=partnership, side=side, role="coordinator")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _sign(plan: TransitionPlan, admin: User) -> None:
    """Both sides sign: their coordinators where the demo has them, else their signed copies are filed."""
    for side in (Side.HOST, Side.RESOURCE):
        coordinator = _coordinator(plan.partnership, side)
        if coordinator is not None:
            services.transition_plan_sign(actor=coordinator, plan=plan, party=side)
        else:
            services.record_signature(
                actor=admin, plan=plan, party=side, note=gettext_noop("Signed copy filed by the programme.")
            )


def _transition_plan(
    partnership: Partnership, actor: User, admin: User, rng: random.Random
) -> TransitionPlan:
    end = partnership.end_date or ANCHOR + datetime.timedelta(days=180)
    agreed = plan_in_force(partnership)
    activities = list(Activity.objects.filter(objective__plan=agreed).order_by("pk")[:4]) if agreed else []
    host = (
        PartnershipInstitution.objects.filter(partnership=partnership, side=Side.HOST)
        .select_related("institution")
        .order_by("pk")
        .first()
    )
    # The summary names this partnership's host and its own activities, not work another partnership does.
    handed_over = "; ".join(a.title for a in activities[:2]) or gettext_noop("the partnership's activities")
    plan = services.transition_plan_create(
        actor=actor,
        partnership=partnership,
        summary=DEMO_TRANSITION_SUMMARY
        % {
            "host": host.institution.name if host else gettext_noop("The host institution"),
            "activities": handed_over,
        },
        handover_date=end,
    )
    host_people = list(
        Person.objects.filter(
            institution__side_links__partnership=partnership, institution__side_links__side="host"
        ).order_by("full_name")[:4]
    )
    for n, activity in enumerate(activities):
        funder = FUNDERS[n % len(FUNDERS)]
        services.transition_item_add(
            actor=actor,
            plan=plan,
            kind="activity",
            title=activity.title,
            activity=activity,
            owner=host_people[n % len(host_people)] if host_people else None,
            owner_role="" if host_people else QUALITY_UNIT,
            funding_source=funder,
            funding_detail=FUNDING_DETAIL.get(funder, ""),
            takes_over_on=end - datetime.timedelta(days=90 - 30 * n),
        )
    services.transition_item_add(
        actor=actor,
        plan=plan,
        kind="role",
        title=HOST_COORDINATOR_ROLE,
        owner_role=QUALITY_UNIT,
        funding_source="host_budget",
        funding_detail=FUNDING_DETAIL["host_budget"],
        takes_over_on=end,
    )
    for risk, mitigation in RISKS:
        services.transition_risk_add(actor=actor, plan=plan, risk=risk, mitigation=mitigation)
    for title, days in MILESTONES:
        services.transition_milestone_add(
            actor=actor, plan=plan, title=title, due_date=end + datetime.timedelta(days=days)
        )
    _sign(plan, admin)
    return plan


def demo_reason(criteria: Sequence[Criterion], why: str) -> str:
    """A graduation reason that says what the criteria evaluation says: "Every criterion met" only when every
    criterion that applies is met; otherwise which ones were not, and why the programme graduated it anyway."""
    applying = [c for c in criteria if c.applies]
    missing = [c.label for c in applying if not c.met]
    if not missing:
        return DEMO_REASON_ALL_MET % {"why": why}
    return DEMO_REASON_SOME_MET % {
        "met": len(applying) - len(missing),
        "applying": len(applying),
        "missing": ", ".join(missing),
        "why": why,
    }


def _decided_review(partnership: Partnership, manager: User, ended_on: datetime.date, why: str) -> None:
    """A review decided on `ended_on`, for a partnership whose graduation the demo's history already records;
    its reason agrees with the criteria as evaluated then (`demo_reason`)."""
    criteria = evaluate(partnership, today=ended_on).criteria
    review = GraduationReview.objects.create(
        partnership=partnership,
        opened_by=manager,
        decision=GraduationReview.Decision.GRADUATE,
        reason=demo_reason(criteria, why),
        decided_on=ended_on,
        decided_by=manager,
        evidence=[c.as_json() for c in criteria],
    )
    review.created_at = datetime.datetime.combine(ended_on, datetime.time(9), tzinfo=datetime.UTC)
    GraduationReview.objects.filter(pk=review.pk).update(created_at=review.created_at)


def _answer(follow_up: FollowUp, actor: User, rng: random.Random, said: str) -> None:
    answers = {}
    for q in follow_up.items.all():
        status = rng.choice(["running", "running", "adapted", "stopped"])
        funded = "" if status == "stopped" else rng.choice(["host_budget", "local_government", "ministry"])
        answers[q.pk] = follow_ups.ItemAnswer(status=status, funded_by=funded)
    follow_ups.follow_up_answer(
        actor=actor,
        follow_up=follow_up,
        answers=answers,
        staff_retained=rng.choice(["all", "most", "most", "some"]),
        partner_contact=rng.choice(["regular", "occasional"]),
        comment=(
            "Recorded by the programme from the host coordinator's answers by phone. "
            if actor.is_superuser
            else ""
        )
        + said,
    )


def _free_institutions(programme: Programme) -> tuple[Institution, Institution]:
    """A host and a resource institution in no partnership yet, from the countries each side comes from."""
    links = PartnershipInstitution.objects.filter(partnership__programme=programme)
    free = Institution.objects.exclude(pk__in=links.values("institution")).order_by("name")
    host_countries = set(links.filter(side="host").values_list("institution__country", flat=True))
    resource_countries = set(links.filter(side="resource").values_list("institution__country", flat=True))
    host = free.filter(country__in=host_countries - resource_countries).first()
    resource = free.filter(country__in=resource_countries - host_countries).first()
    if host is None or resource is None:
        raise LookupError("The demo directory has no free institutions for the earlier graduates.")
    return host, resource


def _earlier_graduate(
    programme: Programme,
    admin: User,
    manager: User,
    spec: EarlierGraduate,
    index: int,
    coordinator: User | None = None,
) -> None:
    ended = ANCHOR - datetime.timedelta(days=spec.days_ago)
    host, resource = _free_institutions(programme)
    partnership = partnership_create(
        actor=admin,
        # The same every load, as the demo plan's partnerships are.
        uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"https://twinning.example.org/demo/{spec.title}"),
        programme=programme,
        title=spec.title,
        hosts=[host],
        resources=[resource],
        shared_goal=spec.shared_goal,
        start_date=ended - datetime.timedelta(days=4 * 365),
        end_date=ended,
        stage=Stage.IMPLEMENTATION,
        stage_since=ended - datetime.timedelta(days=4 * 365),
    )
    plan = services.transition_plan_create(actor=admin, partnership=partnership, handover_date=ended)
    # A transition item names the activity of the partnership's plan it hands over: a short plan of their own.
    pillar = Pillar.objects.filter(programme=programme).order_by("order", "pk").first()
    if pillar is None:
        raise LookupError("The demo programme has no pillars for the earlier graduates' plans.")
    their_plan = planning.plan_create(
        actor=admin,
        partnership=partnership,
        title=gettext_noop("Strategic plan"),
        first_year=ended.year - 3,
        last_year=ended.year,
    )
    objective = planning.objective_create(
        actor=admin,
        plan=their_plan,
        code="O1",
        statement=spec.objective,
        pillar=pillar,
    )
    for title, owner_role, funder in spec.items:
        activity = planning.activity_create(
            actor=admin, objective=objective, title=title, responsible_side=Side.HOST
        )
        services.transition_item_add(
            actor=admin,
            plan=plan,
            kind="activity",
            title=title,
            activity=activity,
            owner_role=owner_role,
            funding_source=funder,
            funding_detail=FUNDING_DETAIL.get(funder, ""),
        )
    _sign(plan, admin)
    partnership_stage_change(
        actor=manager, partnership=partnership, stage=Stage.GRADUATED, changed_on=ended, note="Graduated"
    )
    _decided_review(
        partnership, manager, ended, gettext_noop("the host hospital funds the work from its own budget.")
    )
    scheduled = follow_ups.follow_ups_schedule(
        actor=manager, partnership=partnership, decided_on=ended, outcome=GraduationReview.Decision.GRADUATE
    )
    if coordinator is not None:
        # Memberships outlive the partnership: its host coordinator answers the follow-ups years later.
        membership_add(
            actor=admin, partnership=partnership, user=coordinator, side=Side.HOST, role="coordinator"
        )
    rng = random.Random(index)
    for follow_up in sorted(scheduled, key=lambda f: f.years_after)[: spec.answered]:
        _answer(follow_up, coordinator or admin, rng, spec.comment)


def load_demo(
    *,
    programme: Programme,
    partnerships: Sequence[Partnership],
    users: dict[str, Any],
    rng: random.Random,
    today: datetime.date,
) -> None:
    """The demo programme's transition plans, graduation reviews and follow-ups (see the module's docstring)."""
    admin = next(u for u in users.values() if u.is_superuser)
    manager = next((u for u in users.values() if u.email.startswith("manager@")), admin)
    services.graduation_policy_set(actor=manager, programme=programme, data={"min_on_track_percent": 60})
    in_transition = [p for p in partnerships if p.stage == Stage.TRANSITION]
    if in_transition:
        first = in_transition[0]
        _transition_plan(first, _coordinator(first, Side.HOST) or manager, admin, rng)
    if len(in_transition) > 1:
        graduation_services.graduation_review_open(
            actor=manager,
            partnership=in_transition[1],
            note=gettext_noop("Funding ends this year: check readiness."),
        )
    for partnership in partnerships:
        if partnership.stage != Stage.GRADUATED:
            continue
        ended = (
            StageChange.objects.filter(partnership=partnership, stage=Stage.GRADUATED)
            .values_list("changed_on", flat=True)
            .first()
        )
        if ended is None:
            continue
        _decided_review(
            partnership,
            manager,
            ended,
            gettext_noop("the host side runs the work, and the follow-ups will show what lasts."),
        )
        follow_ups.follow_ups_schedule(
            actor=manager,
            partnership=partnership,
            decided_on=ended,
            outcome=GraduationReview.Decision.GRADUATE,
        )
    graduate_login = users.get(GRADUATE_LOGIN)
    for index, spec in enumerate(EARLIER_GRADUATES, start=1):
        coordinator = graduate_login if index == len(EARLIER_GRADUATES) else None
        _earlier_graduate(programme, admin, manager, spec, index, coordinator)
