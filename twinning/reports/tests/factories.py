"""Report test data: the monitoring factories' agreed plan, with results, a narrative and an approved period."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from twinning.monitoring import services
from twinning.monitoring.models import PeriodReport
from twinning.monitoring.tests.factories import Monitored, monitored


@dataclass
class Reported:
    m: Monitored
    approved: PeriodReport  # 2024Q1: 12 trained (7 female), a narrative, approved
    draft: PeriodReport  # 2024Q2: 99 trained, a narrative, a draft


def reported(world: Any, *, hostile: str = '=HYPERLINK("http://evil")') -> Reported:
    """2024Q1 approved (12 trained, 7 of them female, narrative "Trained midwives"); 2024Q2 a draft (99 trained,
    narrative "Secret draft"). The 2024Q1 challenges start with `hostile` (a would-be formula)."""
    m = monitored(world)
    female = m.sex.options.get(code="female")
    for period, value in (("2024Q1", "12"), ("2024Q2", "99")):
        services.result_save(
            actor=world.member, plan_indicator=m.trained, period=period, values={"value": Decimal(value)}
        )
    services.result_save(
        actor=world.member,
        plan_indicator=m.trained,
        period="2024Q1",
        option=female,
        values={"value": Decimal(7)},
    )
    services.report_narrative_save(
        actor=world.coordinator,
        partnership=world.partnership,
        period="2024Q1",
        data={"achievements": "Trained midwives", "challenges": hostile, "next_steps": "Audit deaths"},
    )
    services.report_narrative_save(
        actor=world.coordinator,
        partnership=world.partnership,
        period="2024Q2",
        data={"achievements": "Secret draft"},
    )
    report = services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    approved = services.report_approve(actor=world.manager, report=report)
    draft = PeriodReport.objects.get(partnership=world.partnership, period="2024Q2")
    return Reported(m=m, approved=approved, draft=draft)
