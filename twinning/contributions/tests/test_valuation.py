"""Valuation at read time: each basis, the most specific rate, currency conversion and the missing-rate case."""

import datetime
from decimal import Decimal

import pytest

from twinning.contributions.models import Basis, TimeEntry
from twinning.contributions.selectors import annotate_gift_values, annotate_time_values, leverage_report
from twinning.contributions.tests.factories import (
    AllocationFactory,
    AwardFactory,
    ExchangeRateFactory,
    GiftFactory,
    TimeEntryFactory,
    ValuationRateFactory,
)

pytestmark = pytest.mark.django_db


def valued(world, entry):
    return annotate_time_values(TimeEntry.objects.filter(pk=entry.pk), world.programme).get()


def test_each_basis_values_the_same_hours_with_its_own_rate(world):
    p = world.programme
    ValuationRateFactory(programme=p, basis=Basis.GENERIC, hourly_rate=Decimal("33.49"))
    ValuationRateFactory(
        programme=p, basis=Basis.FAIR_VALUE, cadre="nurse", country="GB", hourly_rate=Decimal("52")
    )
    ValuationRateFactory(
        programme=p, basis=Basis.LOCAL, country="GB", hourly_rate=Decimal("20"), currency="GBP"
    )
    ExchangeRateFactory(programme=p, currency="GBP", rate=Decimal("1.25"))
    entry = valued(world, TimeEntryFactory(partnership=world.partnership, quantity=Decimal(10)))
    assert entry.value_generic == Decimal("334.90")
    assert entry.value_fair_value == Decimal("520.00")
    assert entry.native_local == Decimal("200.00")
    assert entry.value_local == Decimal("250.00")


def test_the_most_specific_rate_valid_on_the_date_wins(world):
    p = world.programme
    ValuationRateFactory(programme=p, basis=Basis.FAIR_VALUE, hourly_rate=Decimal("10"))
    ValuationRateFactory(programme=p, basis=Basis.FAIR_VALUE, country="GB", hourly_rate=Decimal("20"))
    ValuationRateFactory(programme=p, basis=Basis.FAIR_VALUE, cadre="nurse", hourly_rate=Decimal("30"))
    ValuationRateFactory(
        programme=p,
        basis=Basis.FAIR_VALUE,
        cadre="nurse",
        country="GB",
        hourly_rate=Decimal("40"),
        valid_to=datetime.date(2023, 12, 31),
    )
    ValuationRateFactory(
        programme=p,
        basis=Basis.FAIR_VALUE,
        cadre="nurse",
        country="GB",
        hourly_rate=Decimal("45"),
        valid_from=datetime.date(2024, 1, 1),
    )
    entry = TimeEntryFactory(partnership=world.partnership, quantity=Decimal(1))
    assert valued(world, entry).rate_fair_value == Decimal("45")
    old = TimeEntryFactory(
        partnership=world.partnership,
        quantity=Decimal(1),
        start_date=datetime.date(2023, 6, 1),
        end_date=datetime.date(2023, 6, 1),
    )
    assert valued(world, old).rate_fair_value == Decimal("40")
    surgeon = TimeEntryFactory(partnership=world.partnership, quantity=Decimal(1), cadre="surgeon")
    assert valued(world, surgeon).rate_fair_value == Decimal("20")
    ugandan_surgeon = TimeEntryFactory(
        partnership=world.partnership, quantity=Decimal(1), cadre="surgeon", country="UG"
    )
    assert valued(world, ugandan_surgeon).rate_fair_value == Decimal("10")


def test_time_without_a_rate_has_no_value(world):
    entry = valued(world, TimeEntryFactory(partnership=world.partnership))
    assert entry.rate_generic is None
    assert entry.value_generic is None


def test_gift_in_another_currency_converts_at_the_rate_of_its_date(world):
    ExchangeRateFactory(programme=world.programme, currency="GBP", rate=Decimal("1.25"))
    gift = GiftFactory(partnership=world.partnership, currency="GBP", fair_value=Decimal("1000"))
    qs = annotate_gift_values(type(gift).objects.filter(pk=gift.pk), world.programme)
    assert qs.get().value == Decimal("1250.00")


def test_amount_without_a_rate_for_its_date_is_flagged_not_guessed(world):
    # A rate exists for 2024 only; the 2025 gift must not borrow it.
    ExchangeRateFactory(programme=world.programme, currency="GBP", rate=Decimal("1.25"))
    award = AwardFactory(
        programme=world.programme, start_date=datetime.date(2025, 1, 1), end_date=datetime.date(2025, 12, 31)
    )
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("10000"))
    GiftFactory(
        partnership=world.partnership,
        currency="GBP",
        fair_value=Decimal("1000"),
        gift_date=datetime.date(2025, 2, 1),
        status="verified",
        received_by=world.coordinator,
        received_on=datetime.date(2025, 2, 2),
    )
    GiftFactory(
        partnership=world.partnership,
        currency="USD",
        fair_value=Decimal("500"),
        gift_date=datetime.date(2025, 2, 1),
        status="verified",
        received_by=world.coordinator,
        received_on=datetime.date(2025, 2, 2),
    )
    report = leverage_report(programme=world.programme)
    assert report.total.gifts_verified == Decimal("500")
    assert report.total.leverage_verified == Decimal("0.05")
    [flag] = report.unconverted
    assert (flag.kind, flag.currency, flag.amount, flag.count) == ("gift", "GBP", Decimal("1000.00"), 1)


def test_time_valued_in_a_currency_without_a_rate_is_flagged_and_hours_without_a_rate_are_counted(world):
    p = world.programme
    award = AwardFactory(programme=p)
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("1000"))
    # The local rate is in GBP and GBP has a rate for 2024 only.
    ValuationRateFactory(programme=p, basis=Basis.LOCAL, hourly_rate=Decimal("10"), currency="GBP")
    ExchangeRateFactory(programme=p, currency="GBP", rate=Decimal("1.5"))
    TimeEntryFactory(
        partnership=world.partnership, quantity=Decimal(10), hours=Decimal(10), status="verified"
    )
    TimeEntryFactory(
        partnership=world.partnership,
        quantity=Decimal(4),
        hours=Decimal(4),
        status="verified",
        start_date=datetime.date(2025, 1, 6),
        end_date=datetime.date(2025, 1, 6),
    )
    local = leverage_report(programme=p, basis=Basis.LOCAL)
    assert local.total.time_verified == Decimal("150.00")
    [flag] = local.unconverted
    assert (flag.kind, flag.currency, flag.amount) == ("time", "GBP", Decimal("40.00"))
    generic = leverage_report(programme=p, basis=Basis.GENERIC)
    assert generic.unvalued_hours == Decimal(14)
    assert generic.total.time_verified == 0
