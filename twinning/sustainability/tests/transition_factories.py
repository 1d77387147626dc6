"""Transition, graduation and follow-up test data, built through the services so tests meet the rows users make."""

import datetime
from decimal import Decimal
from typing import Any

from twinning.monitoring.models import Result
from twinning.partnerships.models import Partnership
from twinning.planning import services as planning
from twinning.planning.models import Activity, Plan
from twinning.planning.tests.factories import agree, common_indicator, draft_plan, objective
from twinning.sustainability import transition_services as services
from twinning.sustainability.models_transition import TransitionPlan

TODAY = datetime.date(2025, 1, 15)


def plan_activities(world: Any, count: int) -> list[Activity]:
    """`count` activities of a draft plan of world.partnership, titled "Triage training 1", 2, ..."""
    plan = draft_plan(world.coordinator, world.partnership)
    obj = objective(world.coordinator, plan)
    return [
        planning.activity_create(
            actor=world.coordinator, objective=obj, title=f"Triage training {n + 1}", responsible_side="host"
        )
        for n in range(count)
    ]


def signed_plan(world: Any, *, items: int = 1) -> TransitionPlan:
    """world.partnership's transition plan with `items` activities of its plan taken over (each complete: the
    activity, the unit that owns it and the host's budget funding it), signed by both sides."""
    plan = services.transition_plan_create(
        actor=world.coordinator, partnership=world.partnership, summary="Handover"
    )
    for activity in plan_activities(world, items) if items else []:
        services.transition_item_add(
            actor=world.coordinator,
            plan=plan,
            title=activity.title,
            kind="activity",
            activity=activity,
            owner_role="Training unit",
            funding_source="host_budget",
        )
    services.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")
    services.transition_plan_sign(actor=world.resource_coordinator, plan=plan, party="resource")
    plan.refresh_from_db()
    return plan


def agreed_plan_with_results(
    world: Any, *, achieved: Decimal, partnership: Partnership | None = None
) -> Plan:
    """An agreed 2024 plan with one activity and the common indicator HW1 (target 10 a quarter in 2024), and
    `achieved` reported for each quarter of 2024 (so it is on track when `achieved` >= 9)."""
    partnership = partnership or world.partnership
    plan = draft_plan(world.coordinator, partnership, first_year=2024, last_year=2024)
    obj = objective(world.coordinator, plan)
    planning.activity_create(
        actor=world.coordinator, objective=obj, title="Triage training", responsible_side="host"
    )
    indicator = common_indicator(world.manager, world.programme)
    adoption = planning.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=obj, indicator=indicator
    )
    for quarter in ("2024Q1", "2024Q2", "2024Q3", "2024Q4"):
        planning.target_set(
            actor=world.coordinator, plan_indicator=adoption, period=quarter, value=Decimal("10")
        )
        Result.objects.create(partnership=partnership, indicator=indicator, period=quarter, value=achieved)
    return agree(world, plan)


def activities(partnership: Partnership) -> list[Activity]:
    return list(Activity.objects.filter(objective__plan__partnership=partnership))
