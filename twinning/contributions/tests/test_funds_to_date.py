"""Donor funds "to date" (a report's period end): only the award days that have come, none for awards not begun."""

import datetime
from decimal import Decimal

import pytest

from twinning.contributions.selectors import leverage_report
from twinning.contributions.tests.factories import AllocationFactory, AwardFactory
from twinning.planning.periods import parse_period
from twinning.reports import documents
from twinning.reports.tests.factories import reported

pytestmark = pytest.mark.django_db


def awards(world):
    # 2024-01-01 to 2025-12-31 is 731 days: 73,100.00 is 100.00 a day. The second award starts in 2026.
    running = AwardFactory(
        programme=world.programme, start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2025, 12, 31)
    )
    AllocationFactory(award=running, partnership=world.partnership, amount=Decimal("73100.00"))
    later = AwardFactory(
        programme=world.programme, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 12, 31)
    )
    AllocationFactory(award=later, partnership=world.partnership, amount=Decimal("50000.00"))


def test_funds_to_date_stop_at_the_day(world):
    awards(world)
    whole = leverage_report(programme=world.programme, partnership=world.partnership)
    assert whole.total.funds == Decimal("123100.00")  # the ledger's own page: every allocation
    assert {y: f.funds for y, f in whole.by_year.items()} == {
        2024: Decimal("36600.00"),
        2025: Decimal("36500.00"),
        2026: Decimal("50000.00"),
    }
    end_2024 = leverage_report(
        programme=world.programme, partnership=world.partnership, until=datetime.date(2024, 12, 31)
    )
    assert end_2024.total.funds == Decimal("36600.00")  # 366 days; nothing of 2025 or of the 2026 award
    assert set(end_2024.by_year) == {2024}
    mid_2024 = leverage_report(programme=world.programme, until=datetime.date(2024, 6, 30))
    assert mid_2024.total.funds == Decimal("18200.00")  # 182 days
    assert leverage_report(programme=world.programme, until=datetime.date(2023, 12, 31)).total.funds == 0
    end = leverage_report(programme=world.programme, until=datetime.date(2026, 12, 31))
    assert end.total.funds == Decimal("123100.00")  # every award over: the whole allocations, to the cent


def test_the_reports_totals_stop_at_the_periods_end(world):
    reported(world)
    awards(world)
    document = documents.report_build(
        user=world.manager,
        programme=world.programme,
        partnership=world.partnership,
        period=parse_period("2024Q2"),
        approved_only=False,
    )
    section = next(s for s in document.sections if s.key == "contributions")
    total = next(t for t in section.sheets if t.key == "leverage-total")
    assert total.rows[0][1] == Decimal("18200.00")  # funds to 30 June 2024, not the 123,100.00 allocated
    years = next(t for t in section.sheets if t.key == "years")
    assert [(row[0], row[1]) for row in years.rows] == [("2024", Decimal("18200.00"))]
