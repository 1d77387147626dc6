"""Reads of the contributions ledger: valuation at read time, and the leverage, disclosure and cost-share reports.

Nothing converted or valued is stored. Each row's worth is an SQL expression: the hourly rate valid on the
entry's date (most specific cadre/country first) times its hours, times the exchange rate of the rate's
currency valid on that date. An amount with no exchange rate for its date gets a NULL value: it is left out of
converted totals and reported separately as unconverted, never converted with a guess. Reports aggregate in the
database (GROUP BY partnership, year, status) and roll up the few resulting rows in Python, so their query
count does not depend on the size of the ledger.
"""

import datetime
import decimal
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404

from twinning.accounts.access import (
    in_staff_programmes,
    in_visible_partnerships,
    require_data_entry,
    require_finance,
)
from twinning.accounts.models import User
from twinning.contributions.models import (
    Allocation,
    Award,
    Basis,
    ContributionStatus,
    CostShareClaim,
    ExchangeRate,
    Gift,
    TimeEntry,
    ValuationRate,
)
from twinning.core.ids import parse_uuid
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme
from twinning.partnerships.selectors import get_programme_for_staff

ZERO = decimal.Decimal(0)
CENT = decimal.Decimal("0.01")
RATE_FIELD = DecimalField(max_digits=20, decimal_places=10)
MONEY_FIELD = DecimalField(max_digits=24, decimal_places=6)
BASES = list(Basis)


# --- valuation expressions -----------------------------------------------------------------------------


def fx_expression(programme: Programme, currency: str, on: str) -> Case:
    """Reporting-currency units per unit of the currency in column `currency`, on the date in column `on`.

    NULL when no rate covers the date: the caller must treat that amount as unconverted.

    Raises: nothing.
    """
    rate = ExchangeRate.objects.filter(
        programme_id=programme.pk,
        currency=OuterRef(currency),
        valid_from__lte=OuterRef(on),
        valid_to__gte=OuterRef(on),
    ).values("rate")[:1]
    return Case(
        When(**{currency: programme.reporting_currency}, then=Value(decimal.Decimal(1))),
        default=Subquery(rate, output_field=RATE_FIELD),
        output_field=RATE_FIELD,
    )


def _rate_query(programme: Programme | None, basis: str, prefix: str = "") -> QuerySet[ValuationRate]:
    """The rates of one basis that may value the entry at `prefix`, most specific and latest first (of the
    entry's own programme when `programme` is None)."""
    on = OuterRef(f"{prefix}start_date")
    programme_id = programme.pk if programme else OuterRef(f"{prefix}partnership__programme_id")
    return (
        ValuationRate.objects.filter(programme_id=programme_id, basis=basis, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .filter(Q(cadre=OuterRef(f"{prefix}cadre")) | Q(cadre=""))
        .filter(Q(country=OuterRef(f"{prefix}country")) | Q(country=""))
        .annotate(
            specificity=Case(When(cadre="", then=Value(0)), default=Value(2))
            + Case(When(country="", then=Value(0)), default=Value(1))
        )
        .order_by("-specificity", "-valid_from")
    )


def valuation_rate_exists(basis: str) -> Exists:
    """True for a time entry (the outer row) that some valuation rate of `basis` in its programme values on its
    date (the same rule as annotate_time_values; an entry without one is "not valued" on that basis).

    Raises: nothing.
    """
    return Exists(_rate_query(None, basis))


def annotate_time_values(
    qs: QuerySet[Any], programme: Programme, bases: Iterable[str] = BASES, prefix: str = ""
) -> QuerySet[Any]:
    """Add, per basis b: `rate_b` and `rate_currency_b` (NULL: no rate), `native_b` (hours × rate, in the
    rate's currency), `unit_value_b` (the rate in the reporting currency) and `value_b` (hours × unit value;
    NULL when there is no rate or no exchange rate for the date).

    `value_b` needs one correlated subquery per row: the exchange rate is looked up inside the rate's own
    subquery, for the one rate chosen, rather than by repeating the rate lookup. Annotations a query does not
    use cost nothing: `.values()` leaves them out of the SQL.

    Raises: nothing.
    """
    on = OuterRef(OuterRef(f"{prefix}start_date"))
    for basis in bases:
        rates = _rate_query(programme, basis, prefix)
        rate_fx = ExchangeRate.objects.filter(
            programme_id=programme.pk, currency=OuterRef("currency"), valid_from__lte=on, valid_to__gte=on
        ).values("rate")[:1]
        unit_values = rates.annotate(
            unit_value=ExpressionWrapper(
                F("hourly_rate")
                * Case(
                    When(currency=programme.reporting_currency, then=Value(decimal.Decimal(1))),
                    default=Subquery(rate_fx, output_field=RATE_FIELD),
                    output_field=RATE_FIELD,
                ),
                output_field=MONEY_FIELD,
            )
        ).values("unit_value")[:1]
        qs = qs.annotate(
            **{
                f"rate_{basis}": Subquery(rates.values("hourly_rate")[:1], output_field=RATE_FIELD),
                f"rate_currency_{basis}": Subquery(rates.values("currency")[:1]),
                f"unit_value_{basis}": Subquery(unit_values, output_field=MONEY_FIELD),
            }
        )
        qs = qs.annotate(
            **{
                f"native_{basis}": ExpressionWrapper(
                    F(f"{prefix}hours") * F(f"rate_{basis}"), output_field=MONEY_FIELD
                ),
                f"value_{basis}": ExpressionWrapper(
                    F(f"{prefix}hours") * F(f"unit_value_{basis}"), output_field=MONEY_FIELD
                ),
            }
        )
    return qs


def annotate_gift_values(qs: QuerySet[Any], programme: Programme, prefix: str = "") -> QuerySet[Any]:
    """Add `fx` and `value` (fair value in the reporting currency; NULL when no exchange rate covers the date).

    Raises: nothing.
    """
    qs = qs.annotate(fx=fx_expression(programme, f"{prefix}currency", f"{prefix}gift_date"))
    return qs.annotate(value=ExpressionWrapper(F(f"{prefix}fair_value") * F("fx"), output_field=MONEY_FIELD))


def money(value: Any) -> decimal.Decimal:
    """A number as money: Decimal rounded to the cent, None and empty as 0.00.

    Raises: nothing.
    """
    return decimal.Decimal(value or 0).quantize(CENT)


# --- the leverage report ------------------------------------------------------------------------------


@dataclass
class Figures:
    """In-kind value (reporting currency) and donor funds for one slice of the ledger."""

    funds: decimal.Decimal = ZERO
    time_pledged: decimal.Decimal = ZERO
    time_verified: decimal.Decimal = ZERO
    gifts_pledged: decimal.Decimal = ZERO
    gifts_verified: decimal.Decimal = ZERO
    hours_pledged: decimal.Decimal = ZERO
    hours_verified: decimal.Decimal = ZERO

    def add(self, other: "Figures") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def inkind_pledged(self) -> decimal.Decimal:
        return self.time_pledged + self.gifts_pledged

    @property
    def inkind_verified(self) -> decimal.Decimal:
        return self.time_verified + self.gifts_verified

    @property
    def leverage_verified(self) -> decimal.Decimal | None:
        return (self.inkind_verified / self.funds).quantize(CENT) if self.funds else None

    @property
    def leverage_pledged(self) -> decimal.Decimal | None:
        return (self.inkind_pledged / self.funds).quantize(CENT) if self.funds else None


@dataclass
class Unconverted:
    """An amount left out of the converted totals because no exchange rate covers its date."""

    partnership: str
    kind: str
    currency: str
    amount: decimal.Decimal
    count: int


@dataclass
class PartnershipRow:
    id: int
    uuid: Any
    title: str
    country: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Leverage:
    basis: str
    currency: str
    total: Figures
    partnerships: list[PartnershipRow]
    by_country: dict[str, Figures]
    by_year: dict[int, Figures]
    by_partnership_year: dict[int, dict[int, Figures]]
    time_by_basis: dict[str, tuple[decimal.Decimal, decimal.Decimal]]
    unvalued_hours: decimal.Decimal
    unconverted: list[Unconverted]


def _year_shares(
    start: datetime.date, end: datetime.date, until: datetime.date | None = None
) -> dict[int, decimal.Decimal]:
    """The share of an award's period that falls in each calendar year, by days (funds are spread evenly); with
    `until`, only the days up to it (an award not started by then has no share, a running one its days so far)."""
    total = (end - start).days + 1
    stop = end if until is None else min(end, until)
    shares = {}
    for year in range(start.year, stop.year + 1):
        first = max(start, datetime.date(year, 1, 1))
        last = min(stop, datetime.date(year, 12, 31))
        shares[year] = decimal.Decimal((last - first).days + 1) / decimal.Decimal(total)
    return shares


Cells = dict[int, dict[int, Figures]]  # partnership id → year → figures


def leverage_report(
    *,
    programme: Programme,
    basis: str = Basis.GENERIC,
    partnership: Partnership | None = None,
    until: datetime.date | None = None,
) -> Leverage:
    """Leverage = verified in-kind value (time on `basis` plus gifts) ÷ donor funds allocated, by partnership,
    country (of the host institution), year and programme, with pledged beside verified.

    "Pledged" is everything recorded, whatever its status; "verified" only what finance has verified. Donor
    funds are allocations converted at the award's start date and spread over the award's years by days.
    With `until` (a report's period end), figures "to date" then: donor funds only for the award's days up to
    it (none for an award not started), volunteer time that started and gifts given by then. Five queries
    whatever the ledger's size.

    Raises: nothing.
    """
    partnerships_qs = Partnership.objects.filter(programme=programme)
    if partnership is not None:
        partnerships_qs = partnerships_qs.filter(pk=partnership.pk)
    rows = _partnership_rows(partnerships_qs)
    titles = {pid: row.title for pid, row in rows.items()}
    cells: Cells = defaultdict(lambda: defaultdict(Figures))
    unconverted = _add_funds(cells, titles, partnerships_qs, programme, until)
    time_by_basis, unvalued, unconverted_time = _add_time(
        cells, titles, partnerships_qs, programme, basis, until
    )
    unconverted_gifts = _add_gifts(cells, titles, partnerships_qs, programme, until)

    total = Figures()
    by_country: dict[str, Figures] = defaultdict(Figures)
    by_year: dict[int, Figures] = defaultdict(Figures)
    for pid, years in cells.items():
        for year, figures in years.items():
            rows[pid].figures.add(figures)
            by_country[rows[pid].country].add(figures)
            by_year[year].add(figures)
            total.add(figures)
    return Leverage(
        basis=basis,
        currency=programme.reporting_currency,
        total=total,
        partnerships=list(rows.values()),
        by_country=dict(sorted(by_country.items())),
        by_year=dict(sorted(by_year.items())),
        by_partnership_year={pid: dict(sorted(y.items())) for pid, y in cells.items()},
        time_by_basis=time_by_basis,
        unvalued_hours=unvalued,
        unconverted=_merged([*unconverted, *unconverted_time, *unconverted_gifts]),
    )


def _partnership_rows(partnerships: QuerySet[Partnership]) -> dict[int, PartnershipRow]:
    """One row per partnership, in title order, with the country of its (first) host institution."""
    host_country = (
        PartnershipInstitution.objects.filter(partnership=OuterRef("pk"), side="host")
        .order_by("id")
        .values("institution__country")[:1]
    )
    return {
        p["id"]: PartnershipRow(id=p["id"], uuid=p["uuid"], title=p["title"], country=p["country"] or "")
        for p in partnerships.annotate(country=Subquery(host_country))
        .order_by("title", "id")
        .values("id", "uuid", "title", "country")
    }


def _add_funds(
    cells: Cells,
    titles: dict[int, str],
    partnerships: QuerySet[Partnership],
    programme: Programme,
    until: datetime.date | None = None,
) -> list[Unconverted]:
    """Add donor funds to `cells`, spread over each award's years (up to `until`); return the allocations no
    rate converts."""
    unconverted = []
    allocations_qs = Allocation.objects.filter(partnership__in=partnerships)
    if until is not None:
        allocations_qs = allocations_qs.filter(award__start_date__lte=until)
    with_fx: Any = allocations_with_fx(allocations_qs, programme)
    allocations = with_fx.values(
        "partnership_id", "amount", "award__currency", "award__start_date", "award__end_date", "fx"
    )
    for a in allocations:
        if a["fx"] is None:
            unconverted.append(
                Unconverted(titles[a["partnership_id"]], "funds", a["award__currency"], a["amount"], 1)
            )
            continue
        converted = money(a["amount"] * a["fx"])
        shares = list(_year_shares(a["award__start_date"], a["award__end_date"], until).items())
        whole = until is None or a["award__end_date"] <= until
        spread = ZERO
        for n, (year, share) in enumerate(shares):
            # Cents per year, the last year taking the remainder, so the years add up to the allocation exactly
            # (to its share so far when cut off at `until`).
            last = n == len(shares) - 1
            part = converted - spread if last and whole else money(converted * share)
            spread += part
            cells[a["partnership_id"]][year].funds += part
    return unconverted


def _add_time(
    cells: Cells,
    titles: dict[int, str],
    partnerships: QuerySet[Partnership],
    programme: Programme,
    basis: str,
    until: datetime.date | None = None,
) -> tuple[dict[str, tuple[decimal.Decimal, decimal.Decimal]], decimal.Decimal, list[Unconverted]]:
    """Add volunteer time valued on `basis` to `cells` (time started by `until`). Returns the (pledged,
    verified) value on every basis at once, the hours no rate values on `basis`, and the amounts no exchange
    rate converts."""
    entries = TimeEntry.objects.filter(partnership__in=partnerships)
    if until is not None:
        entries = entries.filter(start_date__lte=until)
    time_qs = annotate_time_values(entries, programme)
    aggregates: dict[str, Any] = {"hours_sum": Sum("hours")}
    for b in BASES:
        aggregates[f"v_{b}"] = Sum(f"value_{b}")
    time_by_basis: dict[str, list[decimal.Decimal]] = {b: [ZERO, ZERO] for b in BASES}
    for t in time_qs.values("partnership_id", "year", "status").annotate(**aggregates).order_by():
        cell = cells[t["partnership_id"]][t["year"]]
        verified = t["status"] == ContributionStatus.VERIFIED
        value = t[f"v_{basis}"] or ZERO
        cell.time_pledged += value
        cell.hours_pledged += t["hours_sum"] or ZERO
        if verified:
            cell.time_verified += value
            cell.hours_verified += t["hours_sum"] or ZERO
        for b in BASES:
            time_by_basis[b][0] += t[f"v_{b}"] or ZERO
            if verified:
                time_by_basis[b][1] += t[f"v_{b}"] or ZERO
    unvalued = ZERO
    unconverted = []
    for t in (
        time_qs.filter(**{f"unit_value_{basis}__isnull": True})
        .values("partnership_id", f"rate_currency_{basis}")
        .annotate(hours_sum=Sum("hours"), native_sum=Sum(f"native_{basis}"), n=Count("id"))
        .order_by()
    ):
        currency = t[f"rate_currency_{basis}"]
        if currency is None:
            unvalued += t["hours_sum"] or ZERO
        else:
            unconverted.append(
                Unconverted(titles[t["partnership_id"]], "time", currency, money(t["native_sum"]), t["n"])
            )
    return {b: (v[0], v[1]) for b, v in time_by_basis.items()}, unvalued, unconverted


def _add_gifts(
    cells: Cells,
    titles: dict[int, str],
    partnerships: QuerySet[Partnership],
    programme: Programme,
    until: datetime.date | None = None,
) -> list[Unconverted]:
    """Add gifts in kind (given by `until`) to `cells`; return the gifts no exchange rate converts."""
    unconverted = []
    given = Gift.objects.filter(partnership__in=partnerships)
    if until is not None:
        given = given.filter(gift_date__lte=until)
    gifts = annotate_gift_values(given, programme)
    for g in (
        gifts.values("partnership_id", "year", "status", "currency")
        .annotate(
            value_sum=Sum("value"),
            unconverted=Sum("fair_value", filter=Q(fx__isnull=True)),
            unconverted_n=Count("id", filter=Q(fx__isnull=True)),
        )
        .order_by()
    ):
        cell = cells[g["partnership_id"]][g["year"]]
        cell.gifts_pledged += g["value_sum"] or ZERO
        if g["status"] == ContributionStatus.VERIFIED:
            cell.gifts_verified += g["value_sum"] or ZERO
        if g["unconverted_n"]:
            unconverted.append(
                Unconverted(
                    titles[g["partnership_id"]], "gift", g["currency"], g["unconverted"], g["unconverted_n"]
                )
            )
    return unconverted


def _merged(unconverted: list[Unconverted]) -> list[Unconverted]:
    """One line per partnership, kind and currency, in that order."""
    merged: dict[tuple[str, str, str], Unconverted] = {}
    for u in unconverted:
        key = (u.partnership, u.kind, u.currency)
        if key in merged:
            merged[key].amount += u.amount
            merged[key].count += u.count
        else:
            merged[key] = u
    return sorted(merged.values(), key=lambda u: (u.partnership, u.kind, u.currency))


def allocations_with_fx(qs: QuerySet[Allocation], programme: Programme) -> QuerySet[Allocation]:
    """Allocations convert at their award's start date.

    Raises: nothing.
    """
    return qs.annotate(fx=fx_expression(programme, "award__currency", "award__start_date"))


# --- gifts-in-kind disclosure ----------------------------------------------------------------------------


@dataclass
class DisclosureRow:
    category: str
    category_label: str
    use: str
    use_label: str
    technique: str
    technique_label: str
    count: int
    value_pledged: decimal.Decimal
    value_received: decimal.Decimal
    value_verified: decimal.Decimal


@dataclass
class Disclosure:
    currency: str
    rows: list[DisclosureRow]
    by_category: dict[str, Figures]
    total: DisclosureRow
    unconverted: list[tuple[str, str, decimal.Decimal, int]]  # category, currency, amount, count


def disclosure_report(
    *, programme: Programme, partnership: Partnership | None = None, year: int | None = None
) -> Disclosure:
    """Gifts in kind by category, monetised or used, and valuation technique; values by status. Two queries.

    Raises: nothing.
    """
    gifts: Any = Gift.objects.filter(partnership__programme=programme)
    if partnership is not None:
        gifts = gifts.filter(partnership=partnership)
    if year is not None:
        gifts = gifts.filter(year=year)
    gifts = annotate_gift_values(gifts, programme)
    cells: dict[tuple[str, str, str], DisclosureRow] = {}
    categories = dict(Gift.Category.choices)
    uses = dict(Gift.Use.choices)
    techniques = dict(Gift.Technique.choices)
    for g in (
        gifts.values("category", "use", "valuation_technique", "status")
        .annotate(n=Count("id"), value_sum=Sum("value"))
        .order_by()
    ):
        key = (g["category"], g["use"], g["valuation_technique"])
        row = cells.get(key)
        if row is None:
            row = cells[key] = DisclosureRow(
                key[0],
                str(categories[key[0]]),
                key[1],
                str(uses[key[1]]),
                key[2],
                str(techniques[key[2]]),
                0,
                ZERO,
                ZERO,
                ZERO,
            )
        row.count += g["n"]
        setattr(row, f"value_{g['status']}", getattr(row, f"value_{g['status']}") + money(g["value_sum"]))
    order = {c: i for i, c in enumerate(categories)}
    rows = sorted(cells.values(), key=lambda r: (order[r.category], r.use, r.technique))
    total = DisclosureRow("", "", "", "", "", "", 0, ZERO, ZERO, ZERO)
    for r in rows:
        total.count += r.count
        total.value_pledged += r.value_pledged
        total.value_received += r.value_received
        total.value_verified += r.value_verified
    unconverted = [
        (str(categories[u["category"]]), u["currency"], u["amount"], u["n"])
        for u in gifts.filter(fx__isnull=True)
        .values("category", "currency")
        .annotate(amount=Sum("fair_value"), n=Count("id"))
        .order_by("category", "currency")
    ]
    return Disclosure(programme.reporting_currency, rows, {}, total, unconverted)


# --- cost share --------------------------------------------------------------------------------------------


@dataclass
class CostShare:
    award: Award
    currency: str
    funds_allocated: decimal.Decimal | None
    required: decimal.Decimal | None  # in the reporting currency; None when it cannot be converted
    claimed: decimal.Decimal
    claimed_verified: decimal.Decimal
    unconverted_count: int
    by_partnership: list[tuple[str, decimal.Decimal, decimal.Decimal, int]]

    @property
    def share_met(self) -> decimal.Decimal | None:
        return (self.claimed_verified / self.required).quantize(CENT) if self.required else None


def claims_with_values(award: Award) -> QuerySet[Any]:
    """The award's claims with `value` (reporting currency, NULL when unconverted) on the award's time basis.

    Raises: nothing.
    """
    basis = award.cost_share_basis
    programme = award.programme
    qs = annotate_time_values(
        CostShareClaim.objects.filter(award=award), programme, [basis], prefix="time_entry__"
    )
    qs = qs.annotate(
        gift_fx=fx_expression(programme, "gift__currency", "gift__gift_date"),
    )
    return qs.annotate(
        value=Case(
            When(gift__isnull=False, then=F("gift__fair_value") * F("gift_fx")),
            default=F(f"value_{basis}"),
            output_field=MONEY_FIELD,
        ),
        status=Case(When(gift__isnull=False, then=F("gift__status")), default=F("time_entry__status")),
        partnership_id=Case(
            When(gift__isnull=False, then=F("gift__partnership_id")), default=F("time_entry__partnership_id")
        ),
    )


def cost_share_report(*, award: Award) -> CostShare:
    """What counts toward one award's cost share, against what it requires. Three queries.

    Raises: nothing.
    """
    programme = award.programme
    fx_row = (
        Award.objects.filter(pk=award.pk)
        .annotate(fx=fx_expression(programme, "currency", "start_date"))
        .annotate(allocated=Sum("allocations__amount"))
        .values("fx", "allocated")
        .first()
    )
    fx = fx_row["fx"] if fx_row else None
    allocated = fx_row["allocated"] if fx_row else None
    required = award.cost_share_required * fx if (award.cost_share_required is not None and fx) else None
    titles = dict(Partnership.objects.filter(allocations__award=award).values_list("id", "title"))
    claims = claims_with_values(award)
    by_partnership: dict[int, list[Any]] = {}
    claimed = verified = ZERO
    unconverted = 0
    for row in (
        claims.values("partnership_id", "status")
        .annotate(
            value_sum=Sum("value"), n=Count("id"), unconverted=Count("id", filter=Q(value__isnull=True))
        )
        .order_by()
    ):
        entry = by_partnership.setdefault(
            row["partnership_id"], [titles.get(row["partnership_id"], "?"), ZERO, ZERO, 0]
        )
        value = row["value_sum"] or ZERO
        entry[1] += value
        entry[3] += row["n"]
        claimed += value
        if row["status"] == ContributionStatus.VERIFIED:
            entry[2] += value
            verified += value
        unconverted += row["unconverted"]
    return CostShare(
        award=award,
        currency=programme.reporting_currency,
        funds_allocated=money(allocated * fx) if (allocated is not None and fx) else None,
        required=money(required) if required is not None else None,
        claimed=money(claimed),
        claimed_verified=money(verified),
        unconverted_count=unconverted,
        by_partnership=sorted(
            ((t, money(v), money(ver), n) for t, v, ver, n in by_partnership.values()), key=lambda r: r[0]
        ),
    )


# --- scoped reads ------------------------------------------------------------------------------------------


def award_list(*, programme: Programme) -> QuerySet[Award]:
    """A programme's awards, newest first, each with `allocated` (sum of allocations) and `partnerships`
    (count).

    Raises: nothing.
    """
    return (
        Award.objects.filter(programme=programme)
        .annotate(allocated=Sum("allocations__amount"), partnerships=Count("allocations"))
        .order_by("-start_date", "reference")
    )


def _one(qs: QuerySet[Any], object_uuid: Any) -> Any:
    found = qs.filter(uuid=parse_uuid(object_uuid)).first()
    if found is None:
        raise Http404
    return found


def get_programme_for_finance(user: User, programme_uuid: Any) -> Programme:
    """A programme the user is staff of (Http404 otherwise) whose ledger's money side they manage (awards,
    rates, exchange rates: `require_finance`, the rule the services apply; PermissionDenied otherwise). Asked
    before a request's input is read, so a reader's write answers 403 whatever it carries.

    Raises: Http404, PermissionDenied.
    """
    programme = get_programme_for_staff(user, programme_uuid)
    require_finance(user, programme)
    return programme


def get_award_for_user(user: User, award_uuid: Any, *, write: bool = False) -> Award:
    """An award of a programme the user is staff of, with its programme; Http404 otherwise. With write=True
    (changing it, its allocations or its cost-share claims) the user must manage the programme's finance
    (`require_finance`, as the services); PermissionDenied otherwise.

    Raises: Http404, PermissionDenied.
    """
    award = _one(Award.objects.filter(in_staff_programmes(user)).select_related("programme"), award_uuid)
    if write:
        require_finance(user, award.programme)
    return award


def get_claim_for_user(user: User, claim_uuid: Any) -> CostShareClaim:
    """A cost-share claim on an award of a programme the user is staff of; Http404 otherwise.

    Raises: Http404.
    """
    claims = CostShareClaim.objects.filter(in_staff_programmes(user, via="award__programme"))
    return _one(claims.select_related("award__programme"), claim_uuid)


def get_valuation_rate_for_user(user: User, rate_uuid: Any) -> ValuationRate:
    """A valuation rate of a programme the user is staff of; Http404 otherwise.

    Raises: Http404.
    """
    return _one(
        ValuationRate.objects.filter(in_staff_programmes(user)).select_related("programme"), rate_uuid
    )


def get_time_entry_for_user(user: User, entry_uuid: Any, *, write: bool = False) -> TimeEntry:
    """A time entry of a partnership the user may see, with its partnership and programme; Http404 otherwise.
    With write=True the user must enter data in the partnership (`require_data_entry`, as the services);
    PermissionDenied otherwise.

    Raises: Http404, PermissionDenied.
    """
    entries = TimeEntry.objects.filter(in_visible_partnerships(user))
    entry = _one(entries.select_related("partnership__programme"), entry_uuid)
    if write:
        require_data_entry(user, entry.partnership)
    return entry


def get_gift_for_user(user: User, gift_uuid: Any, *, write: bool = False) -> Gift:
    """A gift of a partnership the user may see, with its partnership and programme; Http404 otherwise.
    With write=True the user must enter data in the partnership (`require_data_entry`, as the services);
    PermissionDenied otherwise. (Signing for its arrival is the receiving side's: `require_receipt_signer`.)

    Raises: Http404, PermissionDenied.
    """
    gift = _one(
        Gift.objects.filter(in_visible_partnerships(user)).select_related("partnership__programme"), gift_uuid
    )
    if write:
        require_data_entry(user, gift.partnership)
    return gift


def time_entry_list(*, partnership: Partnership) -> QuerySet[TimeEntry]:
    """A partnership's volunteer time, newest first, valued on every basis, with the award it counts towards.

    Raises: nothing.
    """
    qs = TimeEntry.objects.filter(partnership=partnership).select_related(
        "person", "institution", "activity", "exchange", "partnership"
    )
    qs = annotate_time_values(qs, partnership.programme)
    return qs.annotate(
        award_ref=Subquery(
            CostShareClaim.objects.filter(time_entry=OuterRef("pk")).values("award__reference")[:1]
        )
    ).order_by("-start_date", "-id")


def gift_list(*, partnership: Partnership) -> QuerySet[Gift]:
    """A partnership's gifts in kind, newest first, valued in the reporting currency, with the award they
    count towards and their evidence count.

    Raises: nothing.
    """
    qs = Gift.objects.filter(partnership=partnership).select_related("contributor_institution", "partnership")
    qs = annotate_gift_values(qs, partnership.programme)
    return qs.annotate(
        award_ref=Subquery(CostShareClaim.objects.filter(gift=OuterRef("pk")).values("award__reference")[:1]),
        evidence_count=Count("evidence"),
    ).order_by("-gift_date", "-id")
