"""Planning test data built through the services, so tests meet the same rows users make."""

from decimal import Decimal
from typing import Any

from twinning.partnerships.models import DEFAULT_PILLARS, Partnership, Pillar, Programme
from twinning.planning import services
from twinning.planning.models import DisaggregationCategory, Indicator, Objective, Plan, PlanIndicator


def pillars(programme: Programme) -> list[Pillar]:
    """The default five pillars (ProgrammeFactory, unlike programme_create, makes none)."""
    for order, (code, label) in enumerate(DEFAULT_PILLARS, start=1):
        Pillar.objects.get_or_create(
            programme=programme, code=code, defaults={"name": str(label), "order": order}
        )
    return list(Pillar.objects.filter(programme=programme))


def sex(actor: Any, programme: Programme, code: str = "sex") -> DisaggregationCategory:
    """The programme's sex disaggregation (female, male); the existing one if another fixture made it."""
    existing = DisaggregationCategory.objects.filter(programme=programme, code=code).first()
    if existing is not None:
        return existing
    return services.disaggregation_create(
        actor=actor,
        programme=programme,
        code=code,
        name="Sex",
        options=[("female", "Female"), ("male", "Male")],
    )


def common_indicator(actor: Any, programme: Programme, code: str = "HW1", **fields: Any) -> Indicator:
    fields.setdefault("frequency", "quarterly")
    return services.indicator_create(
        actor=actor,
        programme=programme,
        code=code,
        name=fields.pop("name", "Health workers trained"),
        **fields,
    )


def draft_plan(actor: Any, partnership: Partnership, **fields: Any) -> Plan:
    fields.setdefault("title", "Strategic plan")
    fields.setdefault("first_year", 2024)
    fields.setdefault("last_year", 2026)
    return services.plan_create(actor=actor, partnership=partnership, **fields)


def objective(actor: Any, plan: Plan, code: str = "O1") -> Objective:
    pillar = pillars(plan.partnership.programme)[0]
    return services.objective_create(
        actor=actor, plan=plan, code=code, statement="Safer births", pillar=pillar
    )


def plan_with_indicator(world: Any) -> tuple[Plan, Objective, PlanIndicator]:
    """A draft plan of world.partnership with one objective, one activity and a common indicator adopted."""
    plan = draft_plan(world.coordinator, world.partnership)
    obj = objective(world.coordinator, plan)
    services.activity_create(
        actor=world.coordinator, objective=obj, title="Triage training", responsible_side="host"
    )
    indicator = common_indicator(
        world.manager, world.programme, categories=[sex(world.manager, world.programme)]
    )
    adoption = services.plan_indicator_adopt(
        actor=world.coordinator,
        plan=plan,
        objective=obj,
        indicator=indicator,
        baseline_value=Decimal("3"),
        end_target=Decimal("120"),
    )
    return plan, obj, adoption


def agree(world: Any, plan: Plan) -> Plan:
    services.plan_sign_off(actor=world.coordinator, plan=plan, party="host")
    services.plan_sign_off(actor=world.resource_coordinator, plan=plan, party="resource")
    plan.refresh_from_db()
    return plan
