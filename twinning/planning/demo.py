"""Demo strategic plans, written through the planning services so the demo has audit history.

Every partnership that reached the planning stage gets a 2024-2026 plan: agreed (signed by both sides, and by the
ministry where the plan asks for it) once it is in implementation or later, a draft while it is still planning.
The programme gets its common indicators and disaggregations; each plan adopts them, adds one or two of its own,
and sets a target for every period. One transition-stage plan was revised mid-term, so the demo shows a
superseded version too. The monitoring demo adds results against these plans.
"""

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.demo.data import COUNTRIES
from twinning.demo.plan import ANCHOR
from twinning.directory.models import CountryPriority, Institution, Person
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar, Programme, Stakeholder
from twinning.planning import services
from twinning.planning.models import (
    DEMO_EVENT_PLACE,
    Activity,
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
    PlanSignOff,
    Target,
)
from twinning.planning.periods import Period, periods_between
from twinning.planning.services.plans import _record_sign_off

FIRST_YEAR, LAST_YEAR = 2024, 2026
# Reached planning (a draft plan) or beyond it (an agreed plan). A partnership recorded late may have no
# "planning" row in its history, so the stages it reached count, not only the ones recorded.
AGREED_STAGES = {"implementation", "transition", "graduated"}
PLANNED_STAGES = {"planning", *AGREED_STAGES}
BATCH = 2000
# The demo plans' title, objectives and activities are fixed texts too: stored in English, marked for the
# catalogues, shown through Plan.shown_title, Objective.shown_statement and Activity.shown_title.
PLAN_TITLE = gettext_noop("Strategic plan 2024-2026")
REVISION_ACTIVITY = gettext_noop("Hand-over plan agreed with the district")

# Names stored in English and shown in the reader's language (gettext_noop puts them in the catalogues; the
# models' __str__ translates them through core.reference.shipped_name).
CATEGORIES = [
    ("sex", gettext_noop("Sex"), [("female", gettext_noop("Female")), ("male", gettext_noop("Male"))]),
    (
        "cadre",
        gettext_noop("Cadre"),
        [
            ("nurse", gettext_noop("Nurse")),
            ("midwife", gettext_noop("Midwife")),
            ("clinical_officer", gettext_noop("Clinical officer")),
            ("doctor", gettext_noop("Doctor")),
        ],
    ),
]

# code, name, definition, measure, unit, time, cross, frequency, categories
COMMON = [
    (
        "HW-TRAINED",
        gettext_noop("Health workers trained"),
        gettext_noop(
            "Health workers who completed a partnership training of at least two days in the period."
        ),
        "number",
        gettext_noop("people"),
        "sum",
        "sum",
        "quarterly",
        ["sex", "cadre"],
    ),
    (
        "TRIAGE",
        gettext_noop("Facilities with functioning triage"),
        gettext_noop(
            "Facilities where a trained triage nurse sorts every emergency arrival with a standard tool."
        ),
        "number",
        gettext_noop("facilities"),
        "latest",
        "sum",
        "six_monthly",
        [],
    ),
    (
        "MDA",
        gettext_noop("Maternal deaths audited (%)"),
        gettext_noop(
            "Maternal deaths in the period reviewed by a maternal death surveillance and response committee."
        ),
        "percentage",
        "%",
        "average",
        "average",
        "quarterly",
        [],
    ),
    (
        "COMMUNITY",
        gettext_noop("Community engagement"),
        gettext_noop(
            "How far the community shapes and follows the work, scored 1 (informed) to 5 (community-led)."
        ),
        "qualitative",
        gettext_noop("score 1-5"),
        "latest",
        "none",
        "six_monthly",
        [],
    ),
]

OBJECTIVES = {
    "models_of_care": [
        gettext_noop(
            "Introduce emergency triage and early warning scores in the host hospital and its referral facilities."
        ),
        gettext_noop(
            "Establish respectful maternity care and a maternal death review cycle in every labour ward."
        ),
    ],
    "community": [
        gettext_noop("Work with village health teams so that mothers and newborns reach care early."),
        gettext_noop("Give community members a standing voice in planning and reviewing the services."),
    ],
    "capacity": [
        gettext_noop("Build a sustainable cadre of trainers in emergency, maternal and newborn care."),
        gettext_noop("Train nurses and midwives in life-saving skills with on-the-job mentoring."),
    ],
    "professions": [
        gettext_noop("Strengthen the clinical officer and nursing curricula with supervised placements."),
    ],
    "knowledge": [
        gettext_noop("Document and share what works with the ministry and other districts."),
    ],
}

ACTIVITIES = {
    "models_of_care": [
        gettext_noop("Triage protocol workshop"),
        gettext_noop("Early warning score roll-out"),
        gettext_noop("Quarterly clinical audit"),
    ],
    "community": [
        gettext_noop("Community dialogue meetings"),
        gettext_noop("Village health team refresher"),
        gettext_noop("Feedback boards in the wards"),
    ],
    "capacity": [
        gettext_noop("Training of trainers course"),
        gettext_noop("Skills drills in the wards"),
        gettext_noop("Remote mentoring calls"),
    ],
    "professions": [
        gettext_noop("Curriculum review with the training school"),
        gettext_noop("Student placement exchange"),
    ],
    "knowledge": [
        gettext_noop("District learning event"),
        gettext_noop("Case study for the practice library"),
    ],
}

OWN = [
    (
        "MENTOR",
        gettext_noop("Mentoring sessions held"),
        "number",
        gettext_noop("sessions"),
        "sum",
        "none",
        "quarterly",
    ),
    (
        "PROTOCOLS",
        gettext_noop("Clinical protocols adopted by the hospital board"),
        "yes_no",
        "",
        "latest",
        "none",
        "yearly",
    ),
]


def _periods(frequency: str) -> list[Period]:
    return periods_between(datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31), frequency)


def _programme_framework(programme: Programme, editor: User) -> tuple[list[Indicator], dict[str, list[Any]]]:
    categories = {
        code: services.disaggregation_create(
            actor=editor, programme=programme, code=code, name=name, options=options
        )
        for code, name, options in CATEGORIES
    }
    indicators = [
        services.indicator_create(
            actor=editor,
            programme=programme,
            code=code,
            name=name,
            definition=definition,
            measure=measure,
            unit=unit,
            time_aggregation=time,
            cross_aggregation=cross,
            frequency=frequency,
            categories=[categories[c] for c in cats],
            # Every number of the demo counts (people, facilities, sessions).
            whole_numbers=measure == "number",
        )
        for code, name, definition, measure, unit, time, cross, frequency, cats in COMMON
    ]
    options = {
        code: list(DisaggregationOption.objects.filter(category=category).order_by("order"))
        for code, category in categories.items()
    }
    return indicators, options


def _stages(partnership: Partnership) -> set[str]:
    """The stages a partnership reached: its recorded history and its current stage."""
    return {*partnership.stage_changes.values_list("stage", flat=True), partnership.stage}


def _target_value(indicator: Indicator, step: int, steps: int, scale: int, rng: random.Random) -> Decimal:
    """A plausible rising target: people trained per quarter, facilities, percentages, scores."""
    share = Decimal(step + 1) / Decimal(steps)
    if indicator.measure == "percentage":
        return Decimal(min(100, 40 + round(55 * share)))
    if indicator.measure == "qualitative":
        return Decimal(min(5, 2 + round(3 * share)))
    if indicator.measure == "yes_no":
        return Decimal(1 if step >= 1 else 0)
    if indicator.time_aggregation == "latest":
        return Decimal(max(1, round(scale * share)))
    return Decimal(scale + rng.randint(0, scale // 2 + 1))


def _target_values(
    indicator: Indicator, options: dict[str, list[DisaggregationOption]], rng: random.Random, scale: int
) -> tuple[dict[tuple[str, Any], Decimal | None], Decimal]:
    """A target for every period (overall, and for each disaggregation's options: a share of a count, the same
    level for a percentage), and the end-of-plan target that follows from them: their sum for a summed count,
    else the last period's (a percentage target is a level and is never added)."""
    periods = _periods(indicator.frequency)
    values: dict[tuple[str, Any], Decimal | None] = {}
    categories = list(indicator.categories.all())
    overall = []
    for step, period in enumerate(periods):
        total = _target_value(indicator, step, len(periods), scale, rng)
        overall.append(total)
        values[(period.id, None)] = total
        for category in categories:
            split = options[category.code]
            if indicator.measure == "percentage":
                for option in split:
                    values[(period.id, option)] = total
                continue
            weights = [rng.randint(1, 4) for _ in split]
            shares = [total * w // sum(weights) for w in weights]
            shares[0] += total - sum(shares)
            for option, share in zip(split, shares, strict=True):
                values[(period.id, option)] = share
    summed = indicator.time_aggregation == "sum" and indicator.measure != "percentage"
    end = sum(overall, Decimal(0)) if summed else overall[-1]
    return values, end


def _status(start: datetime.date, end: datetime.date, rng: random.Random) -> tuple[str, str]:
    """An agreed plan's activity status as of the demo's anchor date, whatever the real date."""
    if end < ANCHOR:
        return (
            ("done", gettext_noop("Completed as planned."))
            if rng.random() < 0.85
            else ("delayed", gettext_noop("Finishing late: staff turnover."))
        )
    if start <= ANCHOR:
        return "in_progress", rng.choice(
            [
                gettext_noop("Under way."),
                gettext_noop("About half done."),
                gettext_noop("First round finished."),
            ]
        )
    return "planned", ""


def _plan_one(
    *,
    partnership: Partnership,
    editor: User,
    common: list[Indicator],
    options: dict[str, list[DisaggregationOption]],
    pillars: list[Pillar],
    rng: random.Random,
    agreed: bool,
    ministry: User,
) -> Plan:
    links = list(PartnershipInstitution.objects.filter(partnership=partnership).select_related("institution"))
    host = next(link.institution for link in links if link.side == "host")
    people = {
        side: list(
            Person.objects.filter(
                institution__in=[link.institution for link in links if link.side == side]
            ).order_by("full_name")
        )
        for side in ("host", "resource")
    }
    has_ministry = Stakeholder.objects.filter(
        partnership=partnership, kind=Stakeholder.Kind.MINISTRY
    ).exists()
    plan = services.plan_create(
        actor=editor,
        partnership=partnership,
        title=PLAN_TITLE,
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
        requires_ministry_sign_off=has_ministry,
    )
    _planning_events(plan, editor, host, people, rng)
    by_pillar = _objectives_and_activities(plan, editor, host, people, pillars, rng, agreed)
    _indicators(plan, partnership, editor, common, options, by_pillar, rng)
    if agreed:
        _sign(plan, partnership, ministry)
    return plan


def _planning_events(
    plan: Plan, editor: User, host: Institution, people: dict[str, list[Person]], rng: random.Random
) -> None:
    """The community consultation and the joint planning workshop the plan came out of, with who took part."""
    country = next((c for c in COUNTRIES if c.code == host.country), COUNTRIES[0])

    def community(n: int) -> list[dict[str, Any]]:
        return [
            {
                "name": f"{rng.choice(country.given)} {rng.choice(country.family)}",
                "group": "community",
                "organisation": rng.choice(
                    [
                        gettext_noop("Village health team"),
                        gettext_noop("Women's group"),
                        gettext_noop("Youth association"),
                        gettext_noop("Parish council"),
                    ]
                ),
            }
            for _ in range(n)
        ]

    def staff(side: str, n: int) -> list[dict[str, Any]]:
        group = "host_staff" if side == "host" else "resource_staff"
        chosen = rng.sample(people[side], min(n, len(people[side])))
        return [
            {"name": p.full_name, "group": group, "organisation": p.institution.name, "person": p}
            for p in chosen
        ]

    ministry_people = [
        {
            "name": f"Dr {rng.choice(country.given)} {rng.choice(country.family)}",
            "group": "ministry",
            "organisation": country.ministry,
        },
        {
            "name": f"{rng.choice(country.given)} {rng.choice(country.family)}",
            "group": "local_government",
            "organisation": gettext_noop("District health office"),
        },
    ]
    services.planning_event_create(
        actor=editor,
        plan=plan,
        kind="consultation",
        date=datetime.date(2023, 9, rng.randint(4, 28)),
        place=DEMO_EVENT_PLACE % {"city": host.city},
        summary=gettext_noop(
            "Listening session with community members on the care they need and what stops them reaching it."
        ),
        participants=community(rng.randint(4, 6)) + staff("host", 2) + ministry_people[1:],
    )
    services.planning_event_create(
        actor=editor,
        plan=plan,
        kind="workshop",
        date=datetime.date(2023, 11, rng.randint(6, 24)),
        place=host.name,
        summary=gettext_noop(
            "Joint planning workshop: objectives, activities and indicators agreed by both sides."
        ),
        participants=staff("host", 3) + staff("resource", 3) + ministry_people + community(2),
    )


def _objectives_and_activities(
    plan: Plan,
    editor: User,
    host: Institution,
    people: dict[str, list[Person]],
    pillars: list[Pillar],
    rng: random.Random,
    agreed: bool,
) -> dict[str, Objective]:
    """An objective per chosen pillar with two or three activities each; returns the objectives by pillar code."""
    pillar_by_code = {p.code: p for p in pillars}
    extra = rng.sample(["professions", "knowledge"], rng.randint(0, 1))
    chosen_pillars = ["models_of_care", "community", "capacity", *extra]
    priorities = list(CountryPriority.objects.filter(country=host.country).order_by("rank")[:4])
    objectives: list[Objective] = []
    for n, code in enumerate(chosen_pillars, start=1):
        objective = services.objective_create(
            actor=editor,
            plan=plan,
            code=f"O{n}",
            statement=rng.choice(OBJECTIVES[code]),
            pillar=pillar_by_code[code],
            priorities=rng.sample(priorities, min(len(priorities), rng.randint(1, 2))),
        )
        objectives.append(objective)
        for title in rng.sample(ACTIVITIES[code], min(len(ACTIVITIES[code]), rng.randint(2, 3))):
            start = datetime.date(rng.randint(FIRST_YEAR, LAST_YEAR), rng.choice([1, 3, 4, 7, 9, 10]), 1)
            end = min(
                start + datetime.timedelta(days=rng.choice([60, 120, 240, 400])),
                datetime.date(LAST_YEAR, 12, 31),
            )
            side = rng.choice(["host", "host", "resource"])
            # A draft plan's work has not started; an agreed plan's activities are tracked as of the demo date.
            status, note = _status(start, end, rng) if agreed else ("planned", "")
            services.activity_create(
                actor=editor,
                objective=objective,
                title=title,
                start_date=start,
                end_date=end,
                responsible_side=side,
                responsible_person=rng.choice(people[side]) if people[side] else None,
                status=status,
                progress_note=note,
            )
    return dict(zip(chosen_pillars, objectives, strict=True))


def _indicators(
    plan: Plan,
    partnership: Partnership,
    editor: User,
    common: list[Indicator],
    options: dict[str, list[DisaggregationOption]],
    by_pillar: dict[str, Objective],
    rng: random.Random,
) -> None:
    """The programme's common indicators adopted under their objectives, one or two of the partnership's own,
    each with a baseline and a target for every period."""
    placement = {
        "HW-TRAINED": by_pillar["capacity"],
        "TRIAGE": by_pillar["models_of_care"],
        "MDA": by_pillar["models_of_care"],
        "COMMUNITY": by_pillar["community"],
    }
    scale = rng.randint(8, 25)
    for indicator in common:
        values, end_target = _target_values(
            indicator, options, rng, scale if indicator.code != "TRIAGE" else rng.randint(3, 8)
        )
        adoption = services.plan_indicator_adopt(
            actor=editor,
            plan=plan,
            objective=placement[indicator.code],
            indicator=indicator,
            baseline_value=Decimal(
                {"percentage": 35, "qualitative": 2}.get(indicator.measure, rng.randint(0, 3))
            ),
            baseline_date=datetime.date(2023, 12, 31),
            baseline_note=gettext_noop("From the baseline assessment at the planning workshop."),
            end_target=end_target,
        )
        services.targets_save(actor=editor, plan_indicator=adoption, values=values)
    for code, name, measure, unit, time, cross, frequency in OWN[: rng.randint(1, 2)]:
        own = services.indicator_create(
            actor=editor,
            programme=partnership.programme,
            partnership=partnership,
            code=code,
            name=name,
            measure=measure,
            unit=unit,
            time_aggregation=time,
            cross_aggregation=cross,
            frequency=frequency,
            whole_numbers=measure == "number",
        )
        values, end_target = _target_values(own, options, rng, 4)
        adoption = services.plan_indicator_adopt(
            actor=editor,
            plan=plan,
            objective=by_pillar["capacity"],
            indicator=own,
            baseline_value=Decimal(0),
            end_target=end_target,
        )
        services.targets_save(actor=editor, plan_indicator=adoption, values=values)


def _sign(plan: Plan, partnership: Partnership, ministry: User) -> None:
    coordinators = dict(
        PartnershipMembership.objects.filter(
            partnership=partnership, role=PartnershipMembership.Role.COORDINATOR
        ).values_list("side", "user")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=coordinators.values())}
    for party in services.required_parties(plan):
        if party == PlanSignOff.Party.MINISTRY:
            services.plan_sign_off(
                actor=ministry,
                plan=plan,
                party=party,
                note=gettext_noop("Signed by the district health officer at the validation meeting."),
            )
        elif party in coordinators:
            services.plan_sign_off(actor=users[coordinators[party]], plan=plan, party=party)
        else:
            # Most demo partnerships have no coordinator logins; the sign-off is recorded as the programme
            # manager having filed the side's signed copy.
            _record_sign_off(
                actor=ministry,
                plan=plan,
                party=party,
                note=gettext_noop("Signed copy filed by the programme office."),
            )


def load_demo(
    *,
    programme: Programme,
    partnerships: list[Partnership],
    users: dict[str, User],
    rng: random.Random,
    through_services: set[int] | None = None,
) -> None:
    """Plans for every demo partnership that reached the planning stage (see the module docstring).

    `through_services` (the large and huge profiles) names the partnership ids whose plans go through the
    services, with audit history; every other plan is a bulk-inserted copy of the first of those, so a programme
    of thousands of partnerships loads in seconds and still has a plan, targets and (from the monitoring demo)
    results in each of them. None (the default demo) writes every plan through the services.
    """
    roles: dict[str, int] = dict(
        ProgrammeRole.objects.filter(programme=programme).values_list("role", "user_id")
    )
    by_pk = {u.pk: u for u in users.values()}
    admin = next(u for u in users.values() if u.is_superuser)
    editor = by_pk.get(roles.get(ProgrammeRole.Role.ME_OFFICER, admin.pk), admin)
    manager = by_pk.get(roles.get(ProgrammeRole.Role.MANAGER, editor.pk), editor)
    common, options = _programme_framework(programme, editor)
    pillars = list(Pillar.objects.filter(programme=programme))
    revised = False
    copies: list[tuple[Partnership, bool]] = []
    template: Plan | None = None
    for partnership in partnerships:
        stages = _stages(partnership)
        if not stages & PLANNED_STAGES:
            continue
        agreed = bool(stages & AGREED_STAGES)
        if through_services is not None and partnership.pk not in through_services:
            copies.append((partnership, agreed))
            continue
        plan = _plan_one(
            partnership=partnership,
            editor=editor,
            common=common,
            options=options,
            pillars=pillars,
            rng=rng,
            agreed=agreed,
            ministry=manager,
        )
        template = template or plan
        if partnership.stage == "transition" and not revised:
            revised = True
            _revise(plan, partnership, editor, manager)
    if copies:
        assert template is not None, "a bulk demo plans at least one partnership through the services"
        _copy_plan(template, copies)


def _copy_plan(template: Plan, copies: list[tuple[Partnership, bool]]) -> None:
    """Bulk-insert a copy of `template` (its objectives, activities, common indicators and their targets) for
    each (partnership, agreed) given: generated benchmark data, valid by construction, without audit rows."""
    now = timezone.now()
    objectives = list(template.objectives.order_by("order"))
    activities = list(Activity.objects.filter(objective__plan=template))
    adoptions = list(template.plan_indicators.filter(indicator__partnership__isnull=True))
    targets = list(Target.objects.filter(plan_indicator__in=adoptions))
    plans = Plan.objects.bulk_create(
        [
            Plan(
                partnership=partnership,
                title=template.title,
                first_year=template.first_year,
                last_year=template.last_year,
                status=Plan.Status.AGREED if agreed else Plan.Status.DRAFT,
                agreed_at=now if agreed else None,
            )
            for partnership, agreed in copies
        ],
        batch_size=BATCH,
    )
    new_objectives = Objective.objects.bulk_create(
        [
            Objective(plan=plan, code=o.code, statement=o.statement, pillar_id=o.pillar_id, order=o.order)
            for plan in plans
            for o in objectives
        ],
        batch_size=BATCH,
    )
    objective_of = {
        (plan.pk, o.pk): new
        for (plan, o), new in zip(
            ((plan, o) for plan in plans for o in objectives), new_objectives, strict=True
        )
    }
    Activity.objects.bulk_create(
        [
            Activity(
                objective=objective_of[(plan.pk, a.objective_id)],
                title=a.title,
                start_date=a.start_date,
                end_date=a.end_date,
                responsible_side=a.responsible_side,
                status=a.status if plan.status == Plan.Status.AGREED else Activity.Status.PLANNED,
                progress_note=a.progress_note if plan.status == Plan.Status.AGREED else "",
            )
            for plan in plans
            for a in activities
        ],
        batch_size=BATCH,
    )
    new_adoptions = PlanIndicator.objects.bulk_create(
        [
            PlanIndicator(
                plan=plan,
                objective=objective_of[(plan.pk, a.objective_id)],
                indicator_id=a.indicator_id,
                baseline_value=a.baseline_value,
                baseline_date=a.baseline_date,
                baseline_note=a.baseline_note,
                end_target=a.end_target,
            )
            for plan in plans
            for a in adoptions
        ],
        batch_size=BATCH,
    )
    adoption_of = {
        (plan.pk, a.pk): new
        for (plan, a), new in zip(
            ((plan, a) for plan in plans for a in adoptions), new_adoptions, strict=True
        )
    }
    Target.objects.bulk_create(
        (
            Target(
                plan_indicator=adoption_of[(plan.pk, t.plan_indicator_id)],
                period=t.period,
                option_id=t.option_id,
                value=t.value,
            )
            for plan in plans
            for t in targets
        ),
        batch_size=BATCH,
    )


def _revise(plan: Plan, partnership: Partnership, editor: User, manager: User) -> None:
    """A mid-term review: a new version with one more activity, agreed again; version 1 stays readable."""
    new = services.plan_new_version(
        actor=editor,
        plan=plan,
        reason=gettext_noop("Mid-term review, June 2025: sustainability activity added."),
    )
    objective = new.objectives.order_by("order").first()
    assert objective is not None
    services.activity_create(
        actor=editor,
        objective=objective,
        title=REVISION_ACTIVITY,
        start_date=datetime.date(2025, 7, 1),
        end_date=datetime.date(2026, 6, 30),
        responsible_side="host",
        status=Activity.Status.IN_PROGRESS,
        progress_note=gettext_noop("Draft shared with the district health team."),
    )
    _sign(new, partnership, manager)


def clear_demo(programmes: Any) -> None:
    """Delete the planning rows of the given programmes, which protect their partnerships from deletion."""
    plans = Plan.objects.filter(partnership__programme__in=programmes)
    # Versions point at the one they replace (PROTECT); unlink them so they can go in one delete.
    plans.update(previous=None)
    plans.delete()
    Indicator.objects.filter(programme__in=programmes).delete()
    DisaggregationCategory.objects.filter(programme__in=programmes).delete()
