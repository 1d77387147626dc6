"""Leverage against an independent computation: random ledgers, valued and summed in plain Python."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.contributions.models import Basis, ExchangeRate, Gift, TimeEntry, ValuationRate
from twinning.contributions.selectors import leverage_report
from twinning.contributions.tests.factories import AllocationFactory, AwardFactory
from twinning.testing.factories import PartnershipFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db

CADRES = ["nurse", "surgeon", "midwife"]
COUNTRIES = ["GB", "UG"]
# GBP has a rate for 2024 only; EUR never has one: both missing-rate cases occur.
FX = {("GBP", 2024): Decimal("1.25")}
GENERIC = Decimal("29.95")
# "" = any: overlapping rates, so only the most specific one gives the expected value.
FAIR = {
    ("nurse", "GB"): Decimal("48.50"),
    ("nurse", ""): Decimal("40.00"),
    ("surgeon", ""): Decimal("120.00"),
    ("", "UG"): Decimal("9.00"),
    ("", ""): Decimal("25.00"),
}
LOCAL_GBP = Decimal("15.00")

money = st.decimals(min_value=Decimal("0"), max_value=Decimal("90000"), places=2, allow_nan=False)
day = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2025, 12, 31))
status = st.sampled_from(["pledged", "received", "verified"])
gift = st.tuples(st.integers(0, 1), money, st.sampled_from(["USD", "GBP", "EUR"]), day, status)
entry = st.tuples(
    st.integers(0, 1),
    st.decimals(min_value=Decimal("0.5"), max_value=Decimal("400"), places=1, allow_nan=False),
    st.sampled_from(CADRES),
    st.sampled_from(COUNTRIES),
    day,
    st.sampled_from(["received", "verified"]),
)


def fx(currency, on):
    return Decimal(1) if currency == "USD" else FX.get((currency, on.year))


def expected_time_value(hours, cadre, country, on, basis):
    if basis == Basis.GENERIC:
        return hours * GENERIC
    if basis == Basis.FAIR_VALUE:
        for key in ((cadre, country), (cadre, ""), ("", country), ("", "")):
            if key in FAIR:
                return hours * FAIR[key]
        return None
    rate = fx("GBP", on)
    return hours * LOCAL_GBP * rate if rate is not None else None


def build(gifts, entries, allocations):
    programme = ProgrammeFactory()
    user = UserFactory()
    partnerships = [PartnershipFactory(programme=programme) for _ in range(2)]
    ExchangeRate.objects.create(
        programme=programme,
        currency="GBP",
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2024, 12, 31),
        rate=FX[("GBP", 2024)],
    )
    ValuationRate.objects.create(
        programme=programme,
        basis=Basis.GENERIC,
        hourly_rate=GENERIC,
        currency="USD",
        valid_from=datetime.date(2000, 1, 1),
    )
    for (cadre, country), rate in FAIR.items():
        ValuationRate.objects.create(
            programme=programme,
            basis=Basis.FAIR_VALUE,
            cadre=cadre,
            country=country,
            hourly_rate=rate,
            currency="USD",
            valid_from=datetime.date(2000, 1, 1),
        )
    ValuationRate.objects.create(
        programme=programme,
        basis=Basis.LOCAL,
        hourly_rate=LOCAL_GBP,
        currency="GBP",
        valid_from=datetime.date(2000, 1, 1),
    )
    for index, amount in enumerate(allocations):
        award = AwardFactory(
            programme=programme, start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2025, 12, 31)
        )
        AllocationFactory(award=award, partnership=partnerships[index % 2], amount=amount)
    for p, value, currency, on, st_ in gifts:
        Gift.objects.create(
            partnership=partnerships[p],
            category="supplies",
            contributor_kind="community",
            contributor_name="c",
            description="d",
            fair_value=value,
            currency=currency,
            gift_date=on,
            valuation_technique="appraisal",
            status=st_,
            year=on.year,
            received_by=None if st_ == "pledged" else user,
            received_on=None if st_ == "pledged" else on,
        )
    for p, hours, cadre, country, on, st_ in entries:
        institution = partnerships[p].side_links.first().institution
        TimeEntry.objects.create(
            partnership=partnerships[p],
            side="resource",
            institution=institution,
            start_date=on,
            end_date=on,
            quantity=hours,
            hours=hours,
            cadre=cadre,
            country=country,
            status=st_,
            year=on.year,
        )
    return programme, partnerships


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    gifts=st.lists(gift, max_size=8),
    entries=st.lists(entry, max_size=8),
    allocations=st.lists(money.filter(lambda m: m > 0), min_size=1, max_size=3),
    basis=st.sampled_from(list(Basis)),
)
def test_leverage_matches_a_plain_python_computation(db, gifts, entries, allocations, basis):
    programme, partnerships = build(gifts, entries, allocations)
    report = leverage_report(programme=programme, basis=basis)

    funds = [Decimal(0), Decimal(0)]
    for index, amount in enumerate(allocations):
        funds[index % 2] += amount
    verified = [Decimal(0), Decimal(0)]
    pledged = [Decimal(0), Decimal(0)]
    unconverted_gifts = Decimal(0)
    for p, value, currency, on, st_ in gifts:
        rate = fx(currency, on)
        if rate is None:
            unconverted_gifts += value
            continue
        pledged[p] += value * rate
        if st_ == "verified":
            verified[p] += value * rate
    for p, hours, cadre, country, on, st_ in entries:
        value = expected_time_value(hours, cadre, country, on, basis)
        if value is None:
            continue
        pledged[p] += value
        if st_ == "verified":
            verified[p] += value

    rows = {row.id: row.figures for row in report.partnerships}
    for index, partnership in enumerate(partnerships):
        figures = rows[partnership.pk]
        assert abs(figures.funds - funds[index]) < Decimal("0.01")
        assert abs(figures.inkind_verified - verified[index]) < Decimal("0.02")
        assert abs(figures.inkind_pledged - pledged[index]) < Decimal("0.02")
    total_verified = sum(verified)
    assert abs(report.total.inkind_verified - total_verified) < Decimal("0.05")
    expected_leverage = (total_verified / sum(funds)).quantize(Decimal("0.01"))
    assert report.total.leverage_verified is not None
    assert abs(report.total.leverage_verified - expected_leverage) <= Decimal("0.01")
    flagged: Decimal = sum((u.amount for u in report.unconverted if u.kind == "gift"), Decimal(0))
    assert flagged == unconverted_gifts
    # Funds spread over the years add back up to the whole.
    spread: Decimal = sum((f.funds for f in report.by_year.values()), Decimal(0))
    assert abs(spread - sum(funds)) < Decimal("0.01")
