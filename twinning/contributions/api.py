"""The contributions ledger over the API: awards, allocations, cost share, rates, time entries, gifts, leverage.

Thin endpoints: the same selectors and services as the web pages, the same scoping (404 outside, 403 for a
read-only write). A write asks for write access in its lookup (`write=True`, `data_entry=True`,
`get_programme_for_finance`), before it reads its input: django-ninja validates the body first, and only a
refusal made before the input is read turns a reader's malformed request into the 403 a well-formed one gets
(`twinning.core.api`). Every amount is a decimal string in JSON; converted values are null when no exchange rate
covers the date (never guessed).
"""

import datetime
import decimal
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from twinning.accounts.access import require_receipt_signer
from twinning.accounts.api_auth import ApiRequest
from twinning.contributions import services
from twinning.contributions.models import (
    Award,
    Basis,
    ContributionStatus,
    CostShareClaim,
    ExchangeRate,
    Gift,
    TimeEntry,
    ValuationRate,
)
from twinning.contributions.selectors import (
    Figures,
    award_list,
    cost_share_report,
    get_award_for_user,
    get_claim_for_user,
    get_gift_for_user,
    get_programme_for_finance,
    get_time_entry_for_user,
    get_valuation_rate_for_user,
    gift_list,
    leverage_report,
    money,
    time_entry_list,
)
from twinning.core.api import (
    Country,
    ErrorOut,
    Input,
    PageQuery,
    Version,
    error_responses,
    omittable,
    paginate,
    patch_changes,
)
from twinning.core.choices import Side
from twinning.core.ids import parse_uuid
from twinning.core.numbers import MachineDecimal
from twinning.core.reference import currency_names
from twinning.directory.models import Institution, Person
from twinning.exchanges.models import Exchange
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff
from twinning.planning.models import Activity

router = Router(tags=["contributions"])

MAX_TEXT = 10_000


def _currency(value: str) -> str:
    value = value.strip().upper()
    if value not in currency_names():
        raise PydanticCustomError(
            "currency", _("%(value)s is not an ISO 4217 currency code.") % {"value": value[:10]}
        )
    return value


Currency = Annotated[str, AfterValidator(_currency)]
Money = Annotated[MachineDecimal, Field(ge=0, max_digits=16, decimal_places=2)]
Quantity = Annotated[MachineDecimal, Field(ge=0, max_digits=10, decimal_places=2)]


# --- schemas ----------------------------------------------------------------------------------------------


class AwardOut(Schema):
    uuid: UUID
    version: int
    donor: str
    reference: str
    title: str
    amount: decimal.Decimal
    currency: str
    start_date: datetime.date
    end_date: datetime.date
    cost_share_required: decimal.Decimal | None
    cost_share_basis: Basis
    allocated: decimal.Decimal = Field(description="Sum of its allocations, in the award's currency.")

    @staticmethod
    def resolve_allocated(obj: Any) -> decimal.Decimal:
        return obj.allocated if getattr(obj, "allocated", None) is not None else decimal.Decimal(0)


class AwardPage(Schema):
    count: int
    items: list[AwardOut]


class AwardIn(Input):
    donor: str = Field(min_length=1, max_length=200)
    reference: str = Field(min_length=1, max_length=100)
    title: str = Field("", max_length=255)
    amount: Money
    currency: Currency
    start_date: datetime.date
    end_date: datetime.date
    cost_share_required: Money | None = None
    cost_share_basis: Basis = Basis.GENERIC
    notes: str = Field("", max_length=MAX_TEXT)
    uuid: UUID | None = Field(None, description="Optional: a UUID the client generated.")


class AwardPatch(Input):
    donor: str = omittable(min_length=1, max_length=200)
    title: str = omittable(max_length=255)
    amount: Money = omittable()
    cost_share_required: Money | None = None
    cost_share_basis: Basis = omittable()
    notes: str = omittable(max_length=MAX_TEXT)
    version: Version = omittable()


class AllocationIn(Input):
    amount: Money
    notes: str = Field("", max_length=MAX_TEXT)


class AllocationOut(Schema):
    uuid: UUID
    partnership: UUID
    amount: decimal.Decimal

    @staticmethod
    def resolve_partnership(obj: Any) -> UUID:
        return obj.partnership.uuid


class CostShareOut(Schema):
    award: UUID
    currency: str = Field(description="The programme's reporting currency.")
    funds_allocated: decimal.Decimal | None
    required: decimal.Decimal | None
    claimed: decimal.Decimal
    claimed_verified: decimal.Decimal
    share_met: decimal.Decimal | None
    unconverted_count: int


class ClaimIn(Input):
    gift: UUID | None = None
    time_entry: UUID | None = None


class ClaimOut(Schema):
    uuid: UUID
    award: UUID
    gift: UUID | None
    time_entry: UUID | None

    @staticmethod
    def resolve_award(obj: CostShareClaim) -> UUID:
        return obj.award.uuid

    @staticmethod
    def resolve_gift(obj: CostShareClaim) -> UUID | None:
        return obj.gift.uuid if obj.gift else None

    @staticmethod
    def resolve_time_entry(obj: CostShareClaim) -> UUID | None:
        return obj.time_entry.uuid if obj.time_entry else None


class RateOut(Schema):
    uuid: UUID
    basis: Basis
    cadre: str
    country: str
    hourly_rate: decimal.Decimal
    currency: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    source: str


class RateIn(Input):
    basis: Basis
    cadre: Person.Cadre | None = None
    country: Country = ""
    hourly_rate: Annotated[MachineDecimal, Field(ge=0, max_digits=12, decimal_places=2)]
    currency: Currency
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    source: str = Field("", max_length=300)


class ExchangeRateOut(Schema):
    uuid: UUID
    currency: str
    valid_from: datetime.date
    valid_to: datetime.date
    rate: decimal.Decimal
    source: str


class ExchangeRateIn(Input):
    currency: Currency
    valid_from: datetime.date
    valid_to: datetime.date
    rate: Annotated[MachineDecimal, Field(gt=0, max_digits=20, decimal_places=10)]
    source: str = Field("", max_length=300)


class ExchangeRateImportIn(Input):
    csv: str = Field(
        min_length=1, max_length=2_000_000, description="currency,valid_from,valid_to,rate[,source]"
    )


class ImportRowError(Schema):
    row: int
    column: str
    value: str
    message: str


class ImportErrorOut(ErrorOut):
    rows: list[ImportRowError] | None = Field(None, description="Every bad row of an import.")


class ImportOut(Schema):
    created: int


class TimeEntryOut(Schema):
    uuid: UUID
    version: int
    partnership: UUID
    side: Side
    person: UUID | None
    institution: UUID | None
    start_date: datetime.date
    end_date: datetime.date
    quantity: decimal.Decimal
    unit: TimeEntry.Unit
    hours: decimal.Decimal
    cadre: str
    country: str
    exchange: UUID | None
    activity: UUID | None
    description: str
    specialised_skill: bool
    status: ContributionStatus
    values: dict[str, decimal.Decimal | None] = Field(
        description="Worth on each basis in the reporting currency; null: no rate for the date."
    )
    cost_share_award: str | None

    @staticmethod
    def resolve_partnership(obj: Any) -> UUID:
        return obj.partnership.uuid

    @staticmethod
    def resolve_person(obj: Any) -> UUID | None:
        return obj.person.uuid if obj.person else None

    @staticmethod
    def resolve_institution(obj: Any) -> UUID | None:
        return obj.institution.uuid if obj.institution else None

    @staticmethod
    def resolve_exchange(obj: Any) -> UUID | None:
        return obj.exchange.uuid if obj.exchange else None

    @staticmethod
    def resolve_activity(obj: Any) -> UUID | None:
        return obj.activity.uuid if obj.activity else None

    @staticmethod
    def resolve_values(obj: Any) -> dict[str, decimal.Decimal | None]:
        return {
            b: (money(getattr(obj, f"value_{b}")) if getattr(obj, f"value_{b}", None) is not None else None)
            for b in Basis.values
        }

    @staticmethod
    def resolve_cost_share_award(obj: Any) -> str | None:
        return getattr(obj, "award_ref", None)


class TimeEntryPage(Schema):
    count: int
    items: list[TimeEntryOut]


class TimeEntryIn(Input):
    side: Side
    person: UUID | None = None
    institution: UUID | None = None
    start_date: datetime.date
    end_date: datetime.date
    quantity: Quantity
    unit: TimeEntry.Unit = TimeEntry.Unit.HOURS
    cadre: Person.Cadre | None = Field(None, description="Defaults to the person's.")
    country: Country = Field("", description="Defaults to the country of the person's institution.")
    exchange: UUID | None = Field(None, description="The exchange the time served.")
    activity: UUID | None = Field(None, description="The planned activity the time served.")
    description: str = Field("", max_length=MAX_TEXT)
    specialised_skill: bool = False
    status: ContributionStatus = ContributionStatus.RECEIVED
    uuid: UUID | None = Field(None, description="Optional: a UUID the client generated.")


class TimeEntryPatch(Input):
    start_date: datetime.date = omittable()
    end_date: datetime.date = omittable()
    quantity: Quantity = omittable()
    unit: TimeEntry.Unit = omittable()
    description: str = omittable(max_length=MAX_TEXT)
    specialised_skill: bool = omittable()
    version: Version = omittable()


class GiftOut(Schema):
    uuid: UUID
    version: int
    partnership: UUID
    category: Gift.Category
    contributor_kind: Gift.ContributorKind
    contributor_institution: UUID | None
    contributor_name: str
    receiving_side: Side
    description: str
    quantity: decimal.Decimal
    fair_value: decimal.Decimal
    currency: str
    gift_date: datetime.date
    valuation_technique: Gift.Technique
    valuation_source: str
    use: Gift.Use
    restrictions: str
    status: ContributionStatus
    received_on: datetime.date | None
    value: decimal.Decimal | None = Field(
        description="In the reporting currency; null: no rate for the date."
    )
    cost_share_award: str | None

    @staticmethod
    def resolve_partnership(obj: Any) -> UUID:
        return obj.partnership.uuid

    @staticmethod
    def resolve_contributor_institution(obj: Any) -> UUID | None:
        return obj.contributor_institution.uuid if obj.contributor_institution else None

    @staticmethod
    def resolve_value(obj: Any) -> decimal.Decimal | None:
        return money(obj.value) if getattr(obj, "value", None) is not None else None

    @staticmethod
    def resolve_cost_share_award(obj: Any) -> str | None:
        return getattr(obj, "award_ref", None)


class GiftPage(Schema):
    count: int
    items: list[GiftOut]


class GiftIn(Input):
    category: Gift.Category
    contributor_kind: Gift.ContributorKind
    contributor_institution: UUID | None = None
    contributor_name: str = Field("", max_length=255)
    receiving_side: Side = Side.HOST
    description: str = Field(min_length=1, max_length=MAX_TEXT)
    quantity: Quantity = decimal.Decimal(1)
    fair_value: Money
    currency: Currency
    gift_date: datetime.date
    valuation_technique: Gift.Technique
    valuation_source: str = Field("", max_length=300)
    use: Gift.Use = Gift.Use.USED
    restrictions: str = Field("", max_length=MAX_TEXT)
    uuid: UUID | None = Field(None, description="Optional: a UUID the client generated.")


class GiftPatch(Input):
    description: str = omittable(min_length=1, max_length=MAX_TEXT)
    quantity: Quantity = omittable()
    fair_value: Money = omittable()
    currency: Currency = omittable()
    gift_date: datetime.date = omittable()
    valuation_technique: Gift.Technique = omittable()
    valuation_source: str = omittable(max_length=300)
    use: Gift.Use = omittable()
    restrictions: str = omittable(max_length=MAX_TEXT)
    version: Version = omittable()


class ReceiveIn(Input):
    received_on: datetime.date | None = Field(
        None, description="Defaults to today where the receiving side is (its institution's time zone)."
    )


class FiguresOut(Schema):
    funds: decimal.Decimal
    inkind_pledged: decimal.Decimal
    inkind_verified: decimal.Decimal
    time_verified: decimal.Decimal
    gifts_verified: decimal.Decimal
    leverage_pledged: decimal.Decimal | None
    leverage_verified: decimal.Decimal | None


class PartnershipFiguresOut(FiguresOut):
    partnership: UUID
    title: str
    country: str


class YearFiguresOut(FiguresOut):
    year: int


class UnconvertedOut(Schema):
    partnership: str
    kind: str
    currency: str
    amount: decimal.Decimal


class LeverageOut(Schema):
    basis: Basis
    currency: str
    total: FiguresOut
    by_year: list[YearFiguresOut]
    partnerships: list[PartnershipFiguresOut]
    unconverted: list[UnconvertedOut]


class LeverageQuery(Schema):
    basis: Basis = Basis.GENERIC


# --- helpers ----------------------------------------------------------------------------------------------


def _figures(f: Figures) -> dict[str, Any]:
    return {
        "funds": money(f.funds),
        "inkind_pledged": money(f.inkind_pledged),
        "inkind_verified": money(f.inkind_verified),
        "time_verified": money(f.time_verified),
        "gifts_verified": money(f.gifts_verified),
        "leverage_pledged": f.leverage_pledged,
        "leverage_verified": f.leverage_verified,
    }


def _leverage_out(report: Any) -> dict[str, Any]:
    return {
        "basis": report.basis,
        "currency": report.currency,
        "total": _figures(report.total),
        "by_year": [{"year": y, **_figures(f)} for y, f in report.by_year.items()],
        "partnerships": [
            {"partnership": r.uuid, "title": r.title, "country": r.country, **_figures(r.figures)}
            for r in report.partnerships
        ],
        "unconverted": [vars(u) for u in report.unconverted],
    }


def _in_partnership(model: Any, value: UUID | None, field: str, **lookup: Any) -> Any:
    if value is None:
        return None
    obj = model.objects.filter(uuid=value, **lookup).first()
    if obj is None:
        raise ValidationError({field: [_("Unknown in this partnership.")]})
    return obj


def _time_links(partnership: Partnership, data: dict[str, Any]) -> dict[str, Any]:
    data["person"] = _in_partnership(
        Person, data.get("person"), "person", institution__side_links__partnership=partnership
    )
    data["institution"] = _in_partnership(
        Institution, data.get("institution"), "institution", side_links__partnership=partnership
    )
    data["exchange"] = _in_partnership(Exchange, data.get("exchange"), "exchange", partnership=partnership)
    data["activity"] = _in_partnership(
        Activity, data.get("activity"), "activity", objective__plan__partnership=partnership
    )
    data["cadre"] = data.get("cadre") or ""
    return data


def _valued_time(entry: TimeEntry) -> TimeEntry:
    return time_entry_list(partnership=entry.partnership).get(pk=entry.pk)


def _valued_gift(gift: Gift) -> Gift:
    return gift_list(partnership=gift.partnership).get(pk=gift.pk)


# --- awards -------------------------------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_uuid}/awards",
    response={200: AwardPage, **error_responses(404)},
    summary="List a programme's awards",
)
def awards_list(request: ApiRequest, programme_uuid: str, page: Query[PageQuery]) -> dict[str, Any]:
    programme = get_programme_for_staff(request.auth, programme_uuid)
    return paginate(award_list(programme=programme), page)


@router.post(
    "/programmes/{programme_uuid}/awards",
    response={201: AwardOut, **error_responses(403, 404)},
    summary="Record donor funding",
)
def awards_create(request: ApiRequest, programme_uuid: str, payload: AwardIn) -> Status:
    programme = get_programme_for_finance(request.auth, programme_uuid)
    award = services.award_create(actor=request.auth, programme=programme, **payload.model_dump())
    return Status(201, award)


@router.get("/awards/{award_uuid}", response={200: AwardOut, **error_responses(404)}, summary="Get an award")
def award_detail(request: ApiRequest, award_uuid: str) -> Award:
    award = get_award_for_user(request.auth, award_uuid)
    return award_list(programme=award.programme).get(pk=award.pk)


@router.patch(
    "/awards/{award_uuid}",
    response={200: AwardOut, **error_responses(403, 404, 409)},
    summary="Update an award",
)
def award_patch(request: ApiRequest, award_uuid: str, payload: AwardPatch) -> Award:
    award = get_award_for_user(request.auth, award_uuid, write=True)
    data, version = patch_changes(payload)
    services.award_update(actor=request.auth, award=award, data=data, expected_version=version)
    return award_list(programme=award.programme).get(pk=award.pk)


@router.get(
    "/awards/{award_uuid}/allocations",
    response={200: list[AllocationOut], **error_responses(404)},
    summary="An award's allocations",
)
def allocations_list(request: ApiRequest, award_uuid: str) -> Any:
    award = get_award_for_user(request.auth, award_uuid)
    return list(award.allocations.select_related("partnership").order_by("partnership__title"))


@router.put(
    "/awards/{award_uuid}/allocations/{partnership_uuid}",
    response={200: AllocationOut, **error_responses(403, 404)},
    summary="Allocate part of an award to a partnership (allocations cannot exceed the award)",
)
def allocation_put(request: ApiRequest, award_uuid: str, partnership_uuid: str, payload: AllocationIn) -> Any:
    award = get_award_for_user(request.auth, award_uuid, write=True)
    partnership = Partnership.objects.filter(
        programme=award.programme, uuid=parse_uuid(partnership_uuid)
    ).first()
    if partnership is None:
        raise Http404
    return services.allocation_set(
        actor=request.auth, award=award, partnership=partnership, amount=payload.amount, notes=payload.notes
    )


@router.get(
    "/awards/{award_uuid}/cost-share",
    response={200: CostShareOut, **error_responses(404)},
    summary="Cost-share report of an award",
)
def cost_share(request: ApiRequest, award_uuid: str) -> dict[str, Any]:
    report = cost_share_report(award=get_award_for_user(request.auth, award_uuid))
    return {
        "award": report.award.uuid,
        "currency": report.currency,
        "funds_allocated": report.funds_allocated,
        "required": report.required,
        "claimed": report.claimed,
        "claimed_verified": report.claimed_verified,
        "share_met": report.share_met,
        "unconverted_count": report.unconverted_count,
    }


@router.post(
    "/awards/{award_uuid}/claims",
    response={201: ClaimOut, **error_responses(403, 404)},
    summary="Count a gift or time entry toward the award's cost share (once only)",
)
def claim_create(request: ApiRequest, award_uuid: str, payload: ClaimIn) -> Status:
    award = get_award_for_user(request.auth, award_uuid, write=True)
    if (payload.gift is None) == (payload.time_entry is None):
        raise ValidationError(_("Name one gift or one time entry."))
    scope = {"partnership__programme": award.programme}
    gift = Gift.objects.filter(uuid=payload.gift, **scope).first() if payload.gift else None
    entry = TimeEntry.objects.filter(uuid=payload.time_entry, **scope).first() if payload.time_entry else None
    if gift is None and entry is None:
        raise ValidationError({"gift" if payload.gift else "time_entry": [_("Unknown in this programme.")]})
    claim = services.cost_share_claim(actor=request.auth, award=award, gift=gift, time_entry=entry)
    return Status(201, claim)


@router.delete(
    "/claims/{claim_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Withdraw a cost-share claim",
)
def claim_delete(request: ApiRequest, claim_uuid: str) -> Status:
    claim = get_claim_for_user(request.auth, claim_uuid)
    services.cost_share_withdraw(actor=request.auth, claim=claim)
    return Status(204, None)


# --- rates -------------------------------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_uuid}/rates",
    response={200: list[RateOut], **error_responses(404)},
    summary="Valuation rates for volunteer time",
)
def rates_list(request: ApiRequest, programme_uuid: str) -> Any:
    programme = get_programme_for_staff(request.auth, programme_uuid)
    return list(
        ValuationRate.objects.filter(programme=programme).order_by("basis", "cadre", "country", "-valid_from")
    )


@router.post(
    "/programmes/{programme_uuid}/rates",
    response={201: RateOut, **error_responses(403, 404)},
    summary="Add a dated valuation rate",
)
def rates_create(request: ApiRequest, programme_uuid: str, payload: RateIn) -> Status:
    programme = get_programme_for_finance(request.auth, programme_uuid)
    data = payload.model_dump()
    data["cadre"] = data["cadre"] or ""
    return Status(201, services.valuation_rate_create(actor=request.auth, programme=programme, **data))


@router.delete(
    "/rates/{rate_uuid}", response={204: None, **error_responses(403, 404)}, summary="Delete a valuation rate"
)
def rate_delete(request: ApiRequest, rate_uuid: str) -> Status:
    rate = get_valuation_rate_for_user(request.auth, rate_uuid)
    services.valuation_rate_delete(actor=request.auth, rate=rate)
    return Status(204, None)


@router.get(
    "/programmes/{programme_uuid}/exchange-rates",
    response={200: list[ExchangeRateOut], **error_responses(404)},
    summary="Exchange rates into the reporting currency",
)
def exchange_rates_list(request: ApiRequest, programme_uuid: str) -> Any:
    programme = get_programme_for_staff(request.auth, programme_uuid)
    return list(ExchangeRate.objects.filter(programme=programme).order_by("currency", "-valid_from"))


@router.post(
    "/programmes/{programme_uuid}/exchange-rates",
    response={201: ExchangeRateOut, **error_responses(403, 404)},
    summary="Add an exchange rate for a period",
)
def exchange_rates_create(request: ApiRequest, programme_uuid: str, payload: ExchangeRateIn) -> Status:
    programme = get_programme_for_finance(request.auth, programme_uuid)
    return Status(
        201, services.exchange_rate_create(actor=request.auth, programme=programme, **payload.model_dump())
    )


@router.post(
    "/programmes/{programme_uuid}/exchange-rates/import",
    response={201: ImportOut, **error_responses(403, 404), 422: ImportErrorOut},
    summary="Import exchange rates from CSV: all rows or none",
)
def exchange_rates_import(request: ApiRequest, programme_uuid: str, payload: ExchangeRateImportIn) -> Status:
    """A file with any bad row answers 422 with every bad row (row, column, value, why); nothing is written."""
    programme = get_programme_for_finance(request.auth, programme_uuid)
    try:
        created = services.exchange_rates_import(actor=request.auth, programme=programme, data=payload.csv)
    except services.ImportRejected as exc:
        return Status(
            422,
            {
                "detail": _("Nothing was imported."),
                "errors": {"csv": exc.messages},
                "rows": [vars(e) for e in exc.row_errors],
            },
        )
    return Status(201, {"created": len(created)})


# --- time entries ------------------------------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_uuid}/time-entries",
    response={200: TimeEntryPage, **error_responses(404)},
    summary="A partnership's volunteer time, valued on each basis",
)
def time_entries_list(request: ApiRequest, partnership_uuid: str, page: Query[PageQuery]) -> dict[str, Any]:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    return paginate(time_entry_list(partnership=partnership), page)


@router.post(
    "/partnerships/{partnership_uuid}/time-entries",
    response={201: TimeEntryOut, **error_responses(403, 404)},
    summary="Record volunteer time",
)
def time_entries_create(request: ApiRequest, partnership_uuid: str, payload: TimeEntryIn) -> Status:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid, data_entry=True)
    data = _time_links(partnership, payload.model_dump())
    entry = services.time_entry_create(actor=request.auth, partnership=partnership, **data)
    return Status(201, _valued_time(entry))


@router.get(
    "/time-entries/{entry_uuid}",
    response={200: TimeEntryOut, **error_responses(404)},
    summary="Get a time entry",
)
def time_entry_detail(request: ApiRequest, entry_uuid: str) -> TimeEntry:
    return _valued_time(get_time_entry_for_user(request.auth, entry_uuid))


@router.patch(
    "/time-entries/{entry_uuid}",
    response={200: TimeEntryOut, **error_responses(403, 404, 409)},
    summary="Change a time entry (not once verified)",
)
def time_entry_patch(request: ApiRequest, entry_uuid: str, payload: TimeEntryPatch) -> TimeEntry:
    entry = get_time_entry_for_user(request.auth, entry_uuid, write=True)
    data, version = patch_changes(payload)
    services.time_entry_update(actor=request.auth, entry=entry, data=data, expected_version=version)
    return _valued_time(entry)


@router.delete(
    "/time-entries/{entry_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Delete a time entry (not once verified)",
)
def time_entry_delete(request: ApiRequest, entry_uuid: str) -> Status:
    services.time_entry_delete(actor=request.auth, entry=get_time_entry_for_user(request.auth, entry_uuid))
    return Status(204, None)


@router.post(
    "/time-entries/{entry_uuid}/verify",
    response={200: TimeEntryOut, **error_responses(403, 404)},
    summary="Verify a time entry (finance officers and programme editors)",
)
def time_entry_verify(request: ApiRequest, entry_uuid: str) -> TimeEntry:
    entry = get_time_entry_for_user(request.auth, entry_uuid)
    services.time_entry_verify(actor=request.auth, entry=entry)
    return _valued_time(entry)


# --- gifts ----------------------------------------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_uuid}/gifts",
    response={200: GiftPage, **error_responses(404)},
    summary="A partnership's in-kind gifts",
)
def gifts_list(request: ApiRequest, partnership_uuid: str, page: Query[PageQuery]) -> dict[str, Any]:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    return paginate(gift_list(partnership=partnership), page)


@router.post(
    "/partnerships/{partnership_uuid}/gifts",
    response={201: GiftOut, **error_responses(403, 404)},
    summary="Record a pledged in-kind gift",
)
def gifts_create(request: ApiRequest, partnership_uuid: str, payload: GiftIn) -> Status:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid, data_entry=True)
    data = payload.model_dump()
    data["contributor_institution"] = _in_partnership(
        Institution,
        data.get("contributor_institution"),
        "contributor_institution",
        side_links__partnership=partnership,
    )
    gift = services.gift_create(actor=request.auth, partnership=partnership, **data)
    return Status(201, _valued_gift(gift))


@router.get("/gifts/{gift_uuid}", response={200: GiftOut, **error_responses(404)}, summary="Get a gift")
def gift_detail(request: ApiRequest, gift_uuid: str) -> Gift:
    return _valued_gift(get_gift_for_user(request.auth, gift_uuid))


@router.patch(
    "/gifts/{gift_uuid}",
    response={200: GiftOut, **error_responses(403, 404, 409)},
    summary="Change a gift (not once verified)",
)
def gift_patch(request: ApiRequest, gift_uuid: str, payload: GiftPatch) -> Gift:
    gift = get_gift_for_user(request.auth, gift_uuid, write=True)
    data, version = patch_changes(payload)
    services.gift_update(actor=request.auth, gift=gift, data=data, expected_version=version)
    return _valued_gift(gift)


@router.post(
    "/gifts/{gift_uuid}/receive",
    response={200: GiftOut, **error_responses(403, 404)},
    summary="Sign for a gift's receipt (the receiving side's coordinator or member)",
)
def gift_receive(request: ApiRequest, gift_uuid: str, payload: ReceiveIn) -> Gift:
    gift = get_gift_for_user(request.auth, gift_uuid)
    require_receipt_signer(request.auth, gift)
    services.gift_receive(actor=request.auth, gift=gift, received_on=payload.received_on)
    return _valued_gift(gift)


@router.post(
    "/gifts/{gift_uuid}/verify",
    response={200: GiftOut, **error_responses(403, 404)},
    summary="Verify a received gift (finance officers and programme editors)",
)
def gift_verify(request: ApiRequest, gift_uuid: str) -> Gift:
    gift = get_gift_for_user(request.auth, gift_uuid)
    services.gift_verify(actor=request.auth, gift=gift)
    return _valued_gift(gift)


# --- leverage ---------------------------------------------------------------------------------------------------


@router.get(
    "/programmes/{programme_uuid}/leverage",
    response={200: LeverageOut, **error_responses(404)},
    summary="Leverage of donor funds across the programme",
)
def programme_leverage(
    request: ApiRequest, programme_uuid: str, query: Query[LeverageQuery]
) -> dict[str, Any]:
    programme = get_programme_for_staff(request.auth, programme_uuid)
    return _leverage_out(leverage_report(programme=programme, basis=query.basis))


@router.get(
    "/partnerships/{partnership_uuid}/leverage",
    response={200: LeverageOut, **error_responses(404)},
    summary="Leverage of donor funds in one partnership",
)
def partnership_leverage(
    request: ApiRequest, partnership_uuid: str, query: Query[LeverageQuery]
) -> dict[str, Any]:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    return _leverage_out(
        leverage_report(programme=partnership.programme, basis=query.basis, partnership=partnership)
    )
