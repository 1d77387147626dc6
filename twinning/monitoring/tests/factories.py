"""Monitoring test data: an agreed plan with one indicator of each measure, built through planning's services."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from twinning.partnerships.models import Pillar
from twinning.planning import services as planning
from twinning.planning.models import DisaggregationCategory, Indicator, Objective, Plan, PlanIndicator
from twinning.planning.tests.factories import agree, common_indicator, draft_plan, objective, sex
from twinning.testing.factories import InstitutionFactory, PartnershipFactory


@dataclass
class Monitored:
    plan: Plan
    trained: PlanIndicator  # number, quarterly, sum over time, by sex
    deaths: PlanIndicator  # percentage, quarterly
    protocol: PlanIndicator  # yes/no, yearly, latest
    story: PlanIndicator  # qualitative, yearly, not combinable
    sex: DisaggregationCategory


def monitored(world: Any, partnership: Any = None, *, indicators: dict[str, Any] | None = None) -> Monitored:
    """An agreed 2024-2026 plan of world.partnership (or `partnership`) with four adopted common indicators."""
    partnership = partnership or world.partnership
    programme = partnership.programme
    found = indicators or {}
    category = DisaggregationCategory.objects.filter(programme=programme, code="sex").first() or sex(
        world.manager, programme
    )
    if not found:
        found = {
            "trained": common_indicator(world.manager, programme, "HW1", categories=[category]),
            "deaths": common_indicator(
                world.manager,
                programme,
                "MDA",
                name="Maternal deaths audited",
                measure="percentage",
                time_aggregation="sum",
            ),
            "protocol": common_indicator(
                world.manager,
                programme,
                "PROT",
                name="Protocol adopted",
                measure="yes_no",
                frequency="yearly",
                time_aggregation="latest",
            ),
            "story": common_indicator(
                world.manager,
                programme,
                "STORY",
                name="Change story",
                measure="qualitative",
                frequency="yearly",
                cross_aggregation="none",
            ),
        }
    coordinator = partnership.memberships.filter(role="coordinator", side="host").first()
    actor = coordinator.user if coordinator else world.manager
    plan = draft_plan(actor, partnership)
    obj = objective(actor, plan)
    adopted = {
        key: planning.plan_indicator_adopt(actor=actor, plan=plan, objective=obj, indicator=indicator)
        for key, indicator in found.items()
    }
    for quarter in ("2024Q1", "2024Q2", "2024Q3", "2024Q4"):
        planning.target_set(
            actor=actor, plan_indicator=adopted["trained"], period=quarter, value=Decimal("10")
        )
        planning.target_set(
            actor=actor, plan_indicator=adopted["deaths"], period=quarter, value=Decimal("80")
        )
    planning.target_set(actor=actor, plan_indicator=adopted["protocol"], period="2024", value=Decimal("1"))
    if coordinator:
        plan = agree(world, plan) if partnership == world.partnership else _agree_other(plan, partnership)
    return Monitored(plan=plan, sex=category, **adopted)


def _agree_other(plan: Plan, partnership: Any) -> Plan:
    for side in ("host", "resource"):
        membership = partnership.memberships.filter(role="coordinator", side=side).first()
        planning.plan_sign_off(actor=membership.user, plan=plan, party=side)
    plan.refresh_from_db()
    return plan


def rules_grid(
    world: Any, rules: dict[Any, tuple[str, str, str]]
) -> tuple[list[Any], dict[Any, Any], dict[Any, Any]]:
    """One common indicator per entry of `rules` (key -> (measure, time rule, cross rule)), adopted by agreed
    2024 plans of world.partnership and two more partnerships hosted in Kenya and Uganda.

    Returns (partnerships, indicators by key, adoptions by (partnership pk, key)). Written straight to the
    models: the roll-up tests need every combination, including ones the planning services would refuse.
    """
    pillar = Pillar.objects.create(programme=world.programme, code="cap", name="Capacity", order=1)
    indicators = {
        key: Indicator.objects.create(
            programme=world.programme,
            code=f"{measure[:3]}-{time_rule[:3]}-{cross[:3]}",
            name="x",
            measure=measure,
            time_aggregation=time_rule,
            cross_aggregation=cross,
        )
        for key, (measure, time_rule, cross) in rules.items()
    }
    partnerships = [world.partnership]
    for country in ("KE", "UG"):
        p = PartnershipFactory(programme=world.programme, sides=False)
        p.side_links.create(institution=InstitutionFactory(country=country), side="host")
        partnerships.append(p)
    adoptions = {}
    for p in partnerships:
        plan = Plan.objects.create(
            partnership=p,
            title="P",
            first_year=2024,
            last_year=2024,
            status="agreed",
            agreed_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        )
        goal = Objective.objects.create(plan=plan, code="O", statement="s", pillar=pillar)
        for key, indicator in indicators.items():
            adoptions[(p.pk, key)] = PlanIndicator.objects.create(
                plan=plan, objective=goal, indicator=indicator
            )
    return partnerships, indicators, adoptions


def measures_a_change(adoption: PlanIndicator) -> PlanIndicator:
    """Make the adopted number indicator measure a change (allows_negative): no longer a count, so it takes
    decimals. For tests about reading or storing a decimal number, not about counts (a count is whole)."""
    Indicator.objects.filter(pk=adoption.indicator_id).update(allows_negative=True)
    adoption.indicator.allows_negative = True
    return adoption
