"""Factories for the contributions ledger (rows written directly: tests of services call the services)."""

import datetime
import decimal

import factory
from factory.django import DjangoModelFactory

from twinning.contributions.models import (
    Allocation,
    Award,
    Basis,
    ContributionStatus,
    ExchangeRate,
    Gift,
    TimeEntry,
    ValuationRate,
)
from twinning.testing.factories import PartnershipFactory, ProgrammeFactory


class AwardFactory(DjangoModelFactory[Award]):
    class Meta:
        model = Award

    programme = factory.SubFactory(ProgrammeFactory)
    donor = "Global Health Fund"
    reference = factory.Sequence(lambda n: f"GHF-{n:04d}")
    amount = decimal.Decimal("1000000.00")
    currency = "USD"
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2024, 12, 31)


class AllocationFactory(DjangoModelFactory[Allocation]):
    class Meta:
        model = Allocation

    award = factory.SubFactory(AwardFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    amount = decimal.Decimal("100000.00")


class ValuationRateFactory(DjangoModelFactory[ValuationRate]):
    class Meta:
        model = ValuationRate

    programme = factory.SubFactory(ProgrammeFactory)
    basis = Basis.GENERIC
    hourly_rate = decimal.Decimal("30.00")
    currency = "USD"
    valid_from = datetime.date(2020, 1, 1)


class ExchangeRateFactory(DjangoModelFactory[ExchangeRate]):
    class Meta:
        model = ExchangeRate

    programme = factory.SubFactory(ProgrammeFactory)
    currency = "GBP"
    valid_from = datetime.date(2024, 1, 1)
    valid_to = datetime.date(2024, 12, 31)
    rate = decimal.Decimal("1.25")


class TimeEntryFactory(DjangoModelFactory[TimeEntry]):
    class Meta:
        model = TimeEntry

    partnership = factory.SubFactory(PartnershipFactory)
    side = "resource"
    institution = factory.LazyAttribute(lambda o: o.partnership.side_links.get(side="resource").institution)
    start_date = datetime.date(2024, 3, 1)
    end_date = datetime.date(2024, 3, 5)
    quantity = decimal.Decimal("10")
    unit = TimeEntry.Unit.HOURS
    hours = factory.LazyAttribute(lambda o: o.quantity * (8 if o.unit == "days" else 1))
    cadre = "nurse"
    country = "GB"
    status = ContributionStatus.RECEIVED
    year = factory.LazyAttribute(lambda o: o.start_date.year)


class GiftFactory(DjangoModelFactory[Gift]):
    class Meta:
        model = Gift

    partnership = factory.SubFactory(PartnershipFactory)
    category = Gift.Category.EQUIPMENT
    contributor_kind = Gift.ContributorKind.PRIVATE
    contributor_name = "A donor"
    description = "Ultrasound machine"
    fair_value = decimal.Decimal("20000.00")
    currency = "USD"
    gift_date = datetime.date(2024, 5, 1)
    valuation_technique = Gift.Technique.MARKET_PRICE
    status = ContributionStatus.PLEDGED
    year = factory.LazyAttribute(lambda o: o.gift_date.year)
