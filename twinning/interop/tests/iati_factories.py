"""IATI test data: a programme with an IATI organisation, a monitored partnership with approved and unapproved
results, and allocations in two currencies, all written through the apps' services."""

import datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from twinning.contributions.tests.factories import AllocationFactory, AwardFactory, ExchangeRateFactory
from twinning.monitoring import services as monitoring
from twinning.monitoring.tests.factories import Monitored

ORG = "XI-IATI-TEST1"


def with_org(world: Any) -> None:
    world.programme.iati_org_id = ORG
    world.programme.save()


def approve(world: Any, m: Monitored, period: str, values: dict[str, Decimal]) -> None:
    """Enter the trained indicator's total and the female value for `period`, then submit and approve it."""
    female = m.sex.options.get(code="female")
    monitoring.result_save(
        actor=world.coordinator, plan_indicator=m.trained, period=period, values={"value": values["total"]}
    )
    monitoring.result_save(
        actor=world.coordinator,
        plan_indicator=m.trained,
        period=period,
        option=female,
        values={"value": values["female"]},
    )
    monitoring.report_submit(actor=world.coordinator, partnership=world.partnership, period=period)
    report = world.partnership.period_reports.get(period=period)
    monitoring.report_approve(actor=world.manager, report=report)


def funded(world: Any) -> None:
    """Two awards, in US dollars and in euros (with a rate), allocated to world.partnership."""
    usd = AwardFactory(programme=world.programme, donor="Fondation Santé Bien-être", currency="USD")
    eur = AwardFactory(
        programme=world.programme,
        currency="EUR",
        start_date=datetime.date(2024, 7, 1),
        end_date=datetime.date(2025, 6, 30),
    )
    ExchangeRateFactory(
        programme=world.programme,
        currency="EUR",
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2025, 12, 31),
        rate=Decimal("1.1"),
    )
    AllocationFactory(award=usd, partnership=world.partnership, amount=Decimal("100000"))
    AllocationFactory(award=eur, partnership=world.partnership, amount=Decimal("50000"))


def parse(content: bytes) -> etree._Element:
    return etree.fromstring(content, etree.XMLParser(resolve_entities=False, no_network=True))
