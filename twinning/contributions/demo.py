"""Demo data for the contributions ledger: rates, exchange rates, awards from the programme's funders,
volunteer time and in-kind gifts worth a few hundred thousand US dollars per partnership-year.

Deterministic for a given random.Random and day (`today`, which the demo loader passes in). Rates and awards go through the services in the default profile (so
they have audit history; a few gifts of the flagship partnership walk the whole pledged → received → verified
path through the services too). Ledger rows are bulk-inserted: they are generated, valid by construction, and
the large profile needs tens of thousands of them for the benchmark.

Exchange rates are monthly; EUR has no rate for August 2023, and two gifts are dated then, so the reports
show amounts flagged as unconverted.
"""

import datetime
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from twinning.accounts.models import PartnershipMembership
from twinning.contributions import services
from twinning.contributions.models import (
    DEMO_AWARD_TITLE,
    Allocation,
    Award,
    Basis,
    ContributionStatus,
    CostShareClaim,
    ExchangeRate,
    Gift,
    GiftEvidence,
    TimeEntry,
    ValuationRate,
)
from twinning.directory.models import Person
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme

BATCH = 2000
CENT = Decimal("0.01")
MISSING_EUR_MONTH = (2023, 8)
FIRST_YEAR = 2018

# Generic volunteer-hour rates in USD by period (demo values, of the order of published national estimates).
GENERIC_RATES = [
    (datetime.date(2018, 1, 1), datetime.date(2020, 12, 31), Decimal("27.20")),
    (datetime.date(2021, 1, 1), datetime.date(2022, 12, 31), Decimal("29.95")),
    (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31), Decimal("31.80")),
    (datetime.date(2024, 1, 1), None, Decimal("33.49")),
]
# Fair-value hourly rates in USD by cadre (any country), and a few country-specific ones in local currency.
FAIR_BY_CADRE = {
    "surgeon": Decimal("128"),
    "physician": Decimal("96"),
    "pharmacist": Decimal("58"),
    "nurse": Decimal("46"),
    "midwife": Decimal("44"),
    "lab": Decimal("38"),
    "public_health": Decimal("52"),
    "educator": Decimal("41"),
    "manager": Decimal("55"),
    "clinical_officer": Decimal("35"),
    "chw": Decimal("18"),
    "other": Decimal("30"),
}
FAIR_GB = {
    "surgeon": Decimal("104"),
    "physician": Decimal("78"),
    "nurse": Decimal("33"),
    "midwife": Decimal("33"),
}
# Local rates: what the same hour costs where the work is done, in USD (any cadre).
LOCAL_DEFAULT = Decimal("7.50")

GIFT_LINES = {
    "equipment": [
        (gettext_noop("Patient monitors"), "market_price", (6000, 24000)),
        (gettext_noop("Ultrasound machine (portable)"), "donor_invoice", (18000, 42000)),
        (gettext_noop("Anaesthesia machine, refurbished"), "appraisal", (22000, 60000)),
        (gettext_noop("Laboratory centrifuges and analysers"), "replacement_cost", (8000, 35000)),
    ],
    "supplies": [
        (gettext_noop("Surgical consumables for a year of camps"), "donor_invoice", (9000, 30000)),
        (gettext_noop("Neonatal resuscitation kits"), "market_price", (3000, 12000)),
    ],
    "reference": [
        (gettext_noop("Clinical textbooks and journal subscriptions"), "market_price", (2000, 9000)),
        (gettext_noop("E-learning licences for nursing staff"), "donor_invoice", (4000, 15000)),
    ],
    "facilities": [
        (gettext_noop("Training room and skills lab use"), "market_price", (6000, 20000)),
        (gettext_noop("Staff housing for visiting volunteers"), "market_price", (5000, 16000)),
    ],
    "capital": [
        (gettext_noop("Renovation of the maternity theatre"), "appraisal", (30000, 90000)),
        (gettext_noop("Solar power for the laboratory"), "replacement_cost", (20000, 55000)),
    ],
    "logistics": [
        (gettext_noop("Air freight of donated equipment"), "donor_invoice", (4000, 14000)),
        (gettext_noop("Vehicle and fuel for outreach visits"), "market_price", (3000, 12000)),
    ],
    "other": [(gettext_noop("Translation of training materials"), "market_price", (1500, 6000))],
}
# Who the demo's gifts come from when not a partner institution: stored in English, shown in the reader's language
# (Gift.shown_contributor_name).
CONTRIBUTOR_NAMES = [
    gettext_noop("Ministry of Health"),
    gettext_noop("District health office"),
    gettext_noop("Community health committee"),
    gettext_noop("Rotary club"),
    gettext_noop("Medical supplies company"),
    gettext_noop("Alumni association"),
]
CONTRIBUTORS = [
    ("partner", 0.45),
    ("national_government", 0.18),
    ("local_government", 0.15),
    ("community", 0.10),
    ("private", 0.12),
]


def _money(value: float) -> Decimal:
    return Decimal(str(round(value / 10) * 10)).quantize(CENT)


def _months(until: datetime.date) -> list[datetime.date]:
    months = []
    year, month = FIRST_YEAR, 1
    while (year, month) <= (until.year, until.month):
        months.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _month_end(first: datetime.date) -> datetime.date:
    following = datetime.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


class _Rates:
    """The demo's exchange and generic rates, so leverage targets can be computed while generating."""

    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.fx: dict[tuple[str, int, int], Decimal] = {}
        gbp, eur = 1.27, 1.09
        for month in _months(today):
            gbp = min(1.42, max(1.12, gbp + rng.uniform(-0.02, 0.02)))
            eur = min(1.20, max(0.98, eur + rng.uniform(-0.015, 0.015)))
            self.fx[("GBP", month.year, month.month)] = Decimal(str(round(gbp, 4)))
            if (month.year, month.month) != MISSING_EUR_MONTH:
                self.fx[("EUR", month.year, month.month)] = Decimal(str(round(eur, 4)))

    def to_usd(self, currency: str, on: datetime.date) -> Decimal | None:
        if currency == "USD":
            return Decimal(1)
        return self.fx.get((currency, on.year, on.month))

    @staticmethod
    def generic(on: datetime.date) -> Decimal:
        return next(rate for start, end, rate in GENERIC_RATES if start <= on and (end is None or on <= end))


def clear_demo(programmes: QuerySet[Programme]) -> None:
    """Remove the ledger of the given (demo) programmes; the demo loader calls this before deleting them."""
    CostShareClaim.objects.filter(award__programme__in=programmes).delete()
    GiftEvidence.objects.filter(gift__partnership__programme__in=programmes).delete()
    Gift.objects.filter(partnership__programme__in=programmes).delete()
    TimeEntry.objects.filter(partnership__programme__in=programmes).delete()
    Allocation.objects.filter(award__programme__in=programmes).delete()
    Award.objects.filter(programme__in=programmes).delete()
    ValuationRate.objects.filter(programme__in=programmes).delete()
    ExchangeRate.objects.filter(programme__in=programmes).delete()


def load_demo(
    *,
    programme: Programme,
    partnerships: Sequence[Partnership],
    users: dict[str, Any],
    rng: random.Random,
    today: datetime.date,
    bulk: bool | None = None,
) -> None:
    """Write the demo ledger up to `today`. `bulk` (default: more than 40 partnerships) skips the services for
    rates and awards."""
    bulk = len(partnerships) > 40 if bulk is None else bulk
    admin = next((u for u in users.values() if u.is_superuser), None)
    finance = next((u for e, u in users.items() if e.startswith("finance@")), admin)
    rates = _Rates(rng, today)
    _write_rates(programme, rates, admin, bulk)

    active = [p for p in partnerships if p.start_date is not None and p.start_date <= today]
    signer = _signers([p.pk for p in active], admin)
    gifts, entries, verified_usd = _ledger(rng, active, rates, signer, finance, today)
    awards = _write_awards(programme, active, verified_usd, rng, admin, finance, bulk, today)
    _write_claims(awards, gifts, entries, rng)
    if not bulk and active:
        _flagship_through_services(programme, active, users, finance, rng, today)


# --- pieces ---------------------------------------------------------------------------------------------


def _ledger(
    rng: random.Random,
    active: list[Partnership],
    rates: _Rates,
    signer: dict[int, Any],
    finance: Any,
    today: datetime.date,
) -> tuple[list[Gift], list[TimeEntry], dict[int, Decimal]]:
    """Every active partnership's gifts and volunteer time, year by year up to `today`, bulk-inserted; with the
    verified value of each partnership's contributions in US dollars (which sizes its awards)."""
    ids = [p.pk for p in active]
    people = _people(ids)
    institutions = _institutions(ids)
    gifts: list[Gift] = []
    entries: list[TimeEntry] = []
    verified_usd: dict[int, Decimal] = defaultdict(Decimal)
    for p in active:
        assert p.start_date is not None
        last = min(p.end_date or today, today)
        for year in range(max(p.start_date.year, FIRST_YEAR), last.year + 1):
            start = max(p.start_date, datetime.date(year, 1, 1))
            end = min(last, datetime.date(year, 12, 31))
            if end < start:
                continue
            current = year == today.year
            target = rng.uniform(180_000, 420_000) * ((end - start).days + 1) / 365
            year_gifts, year_entries = _year_rows(
                rng,
                p,
                start,
                end,
                target,
                current,
                people.get(p.pk, []),
                institutions.get(p.pk, {}),
                signer[p.pk],
                finance,
                today,
            )
            gifts += year_gifts
            entries += year_entries
            for g in year_gifts:
                fx = rates.to_usd(g.currency, g.gift_date)
                if g.status == ContributionStatus.VERIFIED and fx is not None:
                    verified_usd[p.pk] += g.fair_value * fx
            for e in year_entries:
                if e.status == ContributionStatus.VERIFIED:
                    verified_usd[p.pk] += e.hours * rates.generic(e.start_date)
    _add_unconverted_gifts(rng, active, gifts, signer, finance, institutions)
    Gift.objects.bulk_create(gifts, batch_size=BATCH)
    TimeEntry.objects.bulk_create(entries, batch_size=BATCH)
    return gifts, entries, verified_usd


def _write_rates(programme: Programme, rates: _Rates, admin: Any, bulk: bool) -> None:
    rows = _valuation_rows()
    fx_rows = [
        {
            "currency": cur,
            "valid_from": datetime.date(y, m, 1),
            "valid_to": _month_end(datetime.date(y, m, 1)),
            "rate": rate,
            "source": "Demo: monthly average",
        }
        for (cur, y, m), rate in sorted(rates.fx.items())
    ]
    if bulk:
        ValuationRate.objects.bulk_create(ValuationRate(programme=programme, **r) for r in rows)
        ExchangeRate.objects.bulk_create(
            (ExchangeRate(programme=programme, **r) for r in fx_rows), batch_size=BATCH
        )
        return
    for r in rows:
        services.valuation_rate_create(actor=admin, programme=programme, **r)
    csv = "currency,valid_from,valid_to,rate,source\n" + "".join(
        f"{r['currency']},{r['valid_from']},{r['valid_to']},{r['rate']},{r['source']}\n" for r in fx_rows
    )
    services.exchange_rates_import(actor=admin, programme=programme, data=csv)


def _valuation_rows() -> list[dict[str, Any]]:
    """The programme's volunteer-time rates: generic by period, fair value by cadre (and in GBP for the UK),
    and the host-country local rate."""
    rows: list[dict[str, Any]] = []
    for start, end, rate in GENERIC_RATES:
        rows.append(
            {
                "basis": Basis.GENERIC,
                "hourly_rate": rate,
                "currency": "USD",
                "valid_from": start,
                "valid_to": end,
                "source": "Demo: national volunteer-hour estimate",
            }
        )
    for cadre, rate in FAIR_BY_CADRE.items():
        rows.append(
            {
                "basis": Basis.FAIR_VALUE,
                "cadre": cadre,
                "hourly_rate": rate,
                "currency": "USD",
                "valid_from": datetime.date(FIRST_YEAR, 1, 1),
                "source": "Demo: salary survey, all countries",
            }
        )
    for cadre, rate in FAIR_GB.items():
        rows.append(
            {
                "basis": Basis.FAIR_VALUE,
                "cadre": cadre,
                "country": "GB",
                "hourly_rate": rate,
                "currency": "GBP",
                "valid_from": datetime.date(FIRST_YEAR, 1, 1),
                "source": "Demo: NHS pay bands",
            }
        )
    rows.append(
        {
            "basis": Basis.LOCAL,
            "hourly_rate": LOCAL_DEFAULT,
            "currency": "USD",
            "valid_from": datetime.date(FIRST_YEAR, 1, 1),
            "source": "Demo: host-country wage survey",
        }
    )
    return rows


def _signers(ids: list[int], admin: Any) -> dict[int, Any]:
    """Who signs for gifts in each partnership: a host-side member or coordinator when there is one."""
    signer: dict[int, Any] = dict.fromkeys(ids, admin)
    for m in (
        PartnershipMembership.objects.filter(partnership_id__in=ids, side="host")
        .select_related("user")
        .order_by("-role")  # members before coordinators
    ):
        signer[m.partnership_id] = m.user
    return signer


def _people(ids: list[int]) -> dict[int, list[tuple[Any, str, str, str]]]:
    """(person, side, cadre, country) of each partnership's institutions."""
    found: dict[int, list[tuple[Any, str, str, str]]] = defaultdict(list)
    links = PartnershipInstitution.objects.filter(partnership_id__in=ids).values_list(
        "partnership_id", "institution_id", "side", "institution__country"
    )
    by_institution: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for pid, iid, side, country in links:
        by_institution[iid].append((pid, side, country))
    for person in Person.objects.filter(institution_id__in=by_institution).only(
        "id", "institution_id", "cadre"
    ):
        for pid, side, country in by_institution[person.institution_id]:
            found[pid].append((person, side, person.cadre, country))
    return found


def _institutions(ids: list[int]) -> dict[int, dict[str, list[tuple[int, str, str]]]]:
    found: dict[int, dict[str, list[tuple[int, str, str]]]] = defaultdict(lambda: defaultdict(list))
    for pid, iid, side, name, country in PartnershipInstitution.objects.filter(
        partnership_id__in=ids
    ).values_list("partnership_id", "institution_id", "side", "institution__name", "institution__country"):
        found[pid][side].append((iid, name, country))
    return found


def _status(rng: random.Random, current: bool) -> str:
    roll = rng.random()
    if current:
        return "pledged" if roll < 0.35 else "received" if roll < 0.6 else "verified"
    return "pledged" if roll < 0.05 else "received" if roll < 0.13 else "verified"


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _year_rows(
    rng: random.Random,
    p: Partnership,
    start: datetime.date,
    end: datetime.date,
    target: float,
    current: bool,
    people: list[tuple[Any, str, str, str]],
    institutions: dict[str, list[tuple[int, str, str]]],
    signer: Any,
    finance: Any,
    today: datetime.date,
) -> tuple[list[Gift], list[TimeEntry]]:
    # About a quarter of the value is volunteer time, the rest gifts.
    time_budget = target * rng.uniform(0.18, 0.32)
    entries = _time_entries(rng, p, start, end, time_budget, current, people, finance, today)
    gifts = _gifts(rng, p, start, end, target * 0.75, current, institutions, signer, finance, today)
    return gifts, entries


def _time_entries(
    rng: random.Random,
    p: Partnership,
    start: datetime.date,
    end: datetime.date,
    time_budget: float,
    current: bool,
    people: list[tuple[Any, str, str, str]],
    finance: Any,
    today: datetime.date,
) -> list[TimeEntry]:
    """Volunteer time worth about `time_budget` US dollars, mostly given by the resource side's people."""
    entries: list[TimeEntry] = []
    resource_people = [x for x in people if x[1] == "resource"] or people
    while time_budget > 0 and resource_people:
        person, side, cadre, country = rng.choice(resource_people if rng.random() < 0.8 else people)
        on = _day(rng, start, end)
        days = rng.choice([2, 3, 5, 5, 10, 10, 15])
        by_days = rng.random() < 0.7
        quantity = Decimal(days) if by_days else Decimal(rng.choice([6, 12, 20, 36, 60]))
        hours = quantity * 8 if by_days else quantity
        status = _status(rng, current)
        status = "received" if status == "pledged" and on <= today else status
        entries.append(
            TimeEntry(
                partnership=p,
                side=side,
                person=person,
                start_date=on,
                end_date=min(on + datetime.timedelta(days=max(days - 1, 0)), end) if by_days else on,
                quantity=quantity,
                unit="days" if by_days else "hours",
                hours=hours,
                cadre=cadre,
                country=country,
                description=gettext_noop("Clinical mentoring and teaching on the wards")
                if cadre != "manager"
                else gettext_noop("Management support"),
                specialised_skill=cadre in ("surgeon", "physician", "pharmacist", "lab"),
                status=status,
                year=on.year,
                verified_by=finance if status == "verified" else None,
                verified_at=timezone.now() if status == "verified" else None,
            )
        )
        time_budget -= float(hours) * 32
    return entries


def _gifts(
    rng: random.Random,
    p: Partnership,
    start: datetime.date,
    end: datetime.date,
    gift_budget: float,
    current: bool,
    institutions: dict[str, list[tuple[int, str, str]]],
    signer: Any,
    finance: Any,
    today: datetime.date,
) -> list[Gift]:
    """In-kind gifts worth about `gift_budget` US dollars, from the partners and the host's government and
    community."""
    gifts: list[Gift] = []
    while gift_budget > 0:
        category = rng.choices(list(GIFT_LINES), weights=[5, 3, 2, 2, 1, 2, 1])[0]
        description, technique, (low, high) = rng.choice(GIFT_LINES[category])
        kind, name, contributor_institution = _contributor(rng, institutions)
        currency = "USD"
        if kind == "partner" and rng.random() < 0.6:
            currency = rng.choice(["GBP", "EUR"])
        value = _money(rng.uniform(low, high))
        on = _day(rng, start, end)
        if (currency == "EUR") and (on.year, on.month) == MISSING_EUR_MONTH:
            currency = "USD"  # the two unconverted gifts are placed on purpose, below
        status = _status(rng, current)
        received_on = min(on + datetime.timedelta(days=rng.randint(0, 20)), today)
        gifts.append(
            Gift(
                partnership=p,
                category=category,
                contributor_kind=kind,
                contributor_institution_id=contributor_institution,
                contributor_name=name,
                receiving_side="host",
                description=description,
                quantity=Decimal(rng.choice([1, 1, 1, 2, 4, 10])),
                fair_value=value,
                currency=currency,
                gift_date=on,
                valuation_technique=technique,
                valuation_source=gettext_noop("Supplier quotation") if technique == "market_price" else "",
                use="monetised" if rng.random() < 0.04 else "used",
                restrictions=gettext_noop("For the maternity unit only") if rng.random() < 0.1 else "",
                status=status,
                year=on.year,
                received_by=signer if status != "pledged" else None,
                received_on=received_on if status != "pledged" else None,
                verified_by=finance if status == "verified" else None,
                verified_at=timezone.now() if status == "verified" else None,
            )
        )
        gift_budget -= float(value) * float(rates_hint(currency))
    return gifts


def _contributor(
    rng: random.Random, institutions: dict[str, list[tuple[int, str, str]]]
) -> tuple[str, str, int | None]:
    """Who gives a gift: (contributor kind, name, institution id when it is one of the partners)."""
    kind = rng.choices([k for k, _ in CONTRIBUTORS], weights=[w for _, w in CONTRIBUTORS])[0]
    if kind == "partner":
        side = "resource" if rng.random() < 0.8 else "host"
        iid, name, _country = rng.choice(institutions.get(side) or institutions["host"])
        return kind, name, iid
    name = {
        "national_government": CONTRIBUTOR_NAMES[0],
        "local_government": CONTRIBUTOR_NAMES[1],
        "community": CONTRIBUTOR_NAMES[2],
        "private": rng.choice(CONTRIBUTOR_NAMES[3:]),
    }[kind]
    return kind, name, None


def rates_hint(currency: str) -> Decimal:
    return {"USD": Decimal(1), "GBP": Decimal("1.27"), "EUR": Decimal("1.09")}[currency]


def _add_unconverted_gifts(
    rng: random.Random,
    active: list[Partnership],
    gifts: list[Gift],
    signer: dict[int, Any],
    finance: Any,
    institutions: dict[int, dict[str, list[tuple[int, str, str]]]],
) -> None:
    """Two verified EUR gifts in the month with no EUR rate: the reports must flag them, not convert them."""
    month = datetime.date(*MISSING_EUR_MONTH, 14)
    hosts = [
        p
        for p in active
        if p.start_date and p.start_date <= month and (p.end_date is None or p.end_date >= month)
    ]
    for p, value in zip(hosts[:2], (Decimal("12400.00"), Decimal("5350.00")), strict=False):
        resource = institutions[p.pk].get("resource") or institutions[p.pk]["host"]
        iid, name, _country = resource[0]
        gifts.append(
            Gift(
                partnership=p,
                category="equipment",
                contributor_kind="partner",
                contributor_institution_id=iid,
                contributor_name=name,
                receiving_side="host",
                description=gettext_noop("Infusion pumps (shipment from Europe)"),
                quantity=Decimal(6),
                fair_value=value,
                currency="EUR",
                gift_date=month,
                valuation_technique="donor_invoice",
                valuation_source=gettext_noop("Invoice from the manufacturer"),
                use="used",
                status="verified",
                year=month.year,
                received_by=signer[p.pk],
                received_on=month,
                verified_by=finance,
                verified_at=timezone.now(),
            )
        )


def _write_awards(
    programme: Programme,
    active: list[Partnership],
    verified_usd: dict[int, Decimal],
    rng: random.Random,
    admin: Any,
    finance: Any,
    bulk: bool,
    today: datetime.date,
) -> list[Award]:
    """One award per funder over the programme's years, allocated so each partnership's leverage is 0.4–0.9."""
    funders = programme.funder_list or ["Demo donor"]
    if not active:
        return []
    start = min(p.start_date for p in active if p.start_date)
    start = datetime.date(max(start.year, FIRST_YEAR), 1, 1)
    end = datetime.date(today.year, 12, 31)  # funding disbursed to date; later years are future awards
    shares = [rng.uniform(0.5, 1.5) for _ in funders]
    total_share = sum(shares)
    allocations: dict[int, list[Decimal]] = {}
    for p in active:
        funds = (
            verified_usd[p.pk] / Decimal(str(rng.uniform(0.4, 0.9)))
            if verified_usd[p.pk]
            else Decimal(150_000)
        )
        allocations[p.pk] = [(funds * Decimal(str(s / total_share))).quantize(Decimal("100")) for s in shares]
    awards = []
    for n, funder in enumerate(funders):
        allocated = sum((a[n] for a in allocations.values()), Decimal(0))
        fields: dict[str, Any] = {
            "donor": funder,
            "reference": f"{''.join(w[0] for w in funder.split())}-{start.year}-{n + 1:02d}",
            "title": DEMO_AWARD_TITLE % {"first": start.year, "last": end.year},
            "amount": (allocated * Decimal("1.04")).quantize(Decimal("1000")),
            "currency": "USD",
            "start_date": start,
            "end_date": end,
            "cost_share_required": (allocated * Decimal("0.25")).quantize(Decimal("1000")),
            "cost_share_basis": Basis.GENERIC,
        }
        if bulk:
            award = Award.objects.create(programme=programme, **fields)
            Allocation.objects.bulk_create(
                Allocation(award=award, partnership_id=pid, amount=a[n]) for pid, a in allocations.items()
            )
        else:
            award = services.award_create(actor=finance, programme=programme, **fields)
            for p in active:
                services.allocation_set(
                    actor=finance, award=award, partnership=p, amount=allocations[p.pk][n]
                )
        awards.append(award)
    return awards


def _write_claims(
    awards: list[Award], gifts: list[Gift], entries: list[TimeEntry], rng: random.Random
) -> None:
    """Count about a third of the contributions toward one award's cost share each."""
    if not awards:
        return
    claims = [
        CostShareClaim(award=rng.choice(awards), gift=g) for g in gifts if g.pk and rng.random() < 0.35
    ] + [
        CostShareClaim(award=rng.choice(awards), time_entry=e)
        for e in entries
        if e.pk and rng.random() < 0.35
    ]
    CostShareClaim.objects.bulk_create(claims, batch_size=BATCH)


def _flagship_through_services(
    programme: Programme,
    active: list[Partnership],
    users: dict[str, Any],
    finance: Any,
    rng: random.Random,
    today: datetime.date,
) -> None:
    """A few gifts of the demo logins' partnership walk the whole path through the services (audit history)."""
    member = next((u for e, u in users.items() if e.startswith("member@")), None)
    if member is None:
        return
    flagship = Partnership.objects.filter(memberships__user=member).first()
    if flagship is None or flagship.start_date is None:
        return
    on = today - datetime.timedelta(days=30)
    for description, value, steps in (
        (gettext_noop("Defibrillators for the emergency unit (two)"), Decimal("9800.00"), 3),
        (gettext_noop("Printed clinical guidelines for district clinics"), Decimal("2150.00"), 2),
        (gettext_noop("Cold-chain refrigerator for vaccines"), Decimal("6400.00"), 1),
    ):
        gift = services.gift_create(
            actor=member,
            partnership=flagship,
            category="equipment" if steps != 2 else "reference",
            contributor_kind="local_government",
            contributor_name=CONTRIBUTOR_NAMES[1],
            receiving_side="host",
            description=description,
            quantity=Decimal(1),
            fair_value=value,
            currency="USD",
            gift_date=on,
            valuation_technique="market_price",
            valuation_source=gettext_noop("Two supplier quotations"),
        )
        if steps >= 2:
            gift = services.gift_receive(actor=member, gift=gift, received_on=on + datetime.timedelta(days=3))
        if steps >= 3:
            services.gift_verify(actor=finance, gift=gift)
