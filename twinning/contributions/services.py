"""Writes to the contributions ledger. Each service checks access first, validates, saves and audits atomically."""

import bisect
import datetime
import decimal
import uuid as uuid_module
from collections.abc import Iterator
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from twinning.accounts import notices
from twinning.accounts.access import (
    finance_duty_of,
    partnership_access,
    require,
    require_data_entry,
    require_finance,
    require_receipt_signer,
    side_coordinators_of,
)
from twinning.accounts.models import User
from twinning.accounts.notifications import notify
from twinning.audit.models import AuditEvent
from twinning.contributions.models import (
    HOURS_PER_DAY,
    Allocation,
    Award,
    ContributionStatus,
    CostShareClaim,
    ExchangeRate,
    Gift,
    GiftEvidence,
    TimeEntry,
    ValuationRate,
)
from twinning.core.services import (
    create_with_audit,
    delete_with_audit,
    lock_current,
    refuse_unknown_fields,
    sent_before,
    update_with_audit,
)
from twinning.core.uploads import RowProblem as RowError
from twinning.core.uploads import cell_number, cell_text, read_table
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import partnership_today

AWARD_FIELDS = (
    "donor",
    "reference",
    "title",
    "amount",
    "currency",
    "start_date",
    "end_date",
    "cost_share_required",
    "cost_share_basis",
    "notes",
)
TIME_FIELDS = (
    "side",
    "person",
    "institution",
    "start_date",
    "end_date",
    "quantity",
    "unit",
    "cadre",
    "country",
    "exchange",
    "activity",
    "description",
    "specialised_skill",
)
GIFT_FIELDS = (
    "category",
    "contributor_kind",
    "contributor_institution",
    "contributor_name",
    "receiving_side",
    "description",
    "quantity",
    "fair_value",
    "currency",
    "gift_date",
    "valuation_technique",
    "valuation_source",
    "use",
    "restrictions",
)
RATE_FIELDS = ("basis", "cadre", "country", "hourly_rate", "currency", "valid_from", "valid_to", "source")


CENT = decimal.Decimal("0.01")


def _uuid(value: Any) -> dict[str, Any]:
    return {"uuid": value} if value else {}


# --- awards and allocations -------------------------------------------------------------------------


@transaction.atomic
def award_create(
    *, actor: User, programme: Programme, uuid: uuid_module.UUID | None = None, **fields: Any
) -> Award:
    """Record donor funding for the programme (finance officers and programme editors).

    Raises: PermissionDenied, ValidationError, TypeError.
    """
    require_finance(actor, programme)
    refuse_unknown_fields(fields, AWARD_FIELDS, "award")
    return create_with_audit(
        actor=actor, obj=Award(programme=programme, **_uuid(uuid), **fields), parent=programme
    )


@transaction.atomic
def award_update(
    *, actor: User, award: Award, data: dict[str, Any], expected_version: int | None = None
) -> Award:
    """Change an award (finance staff); its amount may not fall below what is already allocated to
    partnerships.

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    require_finance(actor, award.programme)
    if "amount" in data:
        allocated = award.allocations.aggregate(total=Sum("amount"))["total"] or decimal.Decimal(0)
        if data["amount"] is not None and data["amount"] < allocated:
            raise ValidationError(
                {
                    "amount": _(
                        "%(allocated)s is already allocated to partnerships; the award cannot be smaller."
                    )
                    % {"allocated": allocated}
                }
            )
    return update_with_audit(
        actor=actor, obj=award, data=data, expected_version=expected_version, parent=award.programme
    )


@transaction.atomic
def allocation_set(
    *, actor: User, award: Award, partnership: Partnership, amount: decimal.Decimal, notes: str = ""
) -> Allocation:
    """Allocate part of an award to a partnership (or change its allocation). All allocations ≤ the award.

    Raises: PermissionDenied, ValidationError.
    """
    require_finance(actor, award.programme)
    if partnership.programme_id != award.programme_id:
        raise ValidationError({"partnership": _("The partnership is not in this award's programme.")})
    # Lock the award so two allocations saved at once cannot together exceed it.
    locked = Award.objects.select_for_update().get(pk=award.pk)
    others = award.allocations.exclude(partnership=partnership).aggregate(total=Sum("amount"))["total"]
    others = (others or decimal.Decimal(0)).quantize(CENT)
    total = locked.amount.quantize(CENT)
    if amount is not None and others + amount > total:
        raise ValidationError(
            {
                "amount": _(
                    "Only %(left)s %(currency)s of this award is left to allocate (%(award)s, of which %(others)s "
                    "is allocated to other partnerships)."
                )
                % {"left": total - others, "currency": locked.currency, "award": total, "others": others}
            }
        )
    existing = award.allocations.filter(partnership=partnership).first()
    if existing is not None:
        return update_with_audit(
            actor=actor, obj=existing, data={"amount": amount, "notes": notes}, parent=award
        )
    return create_with_audit(
        actor=actor,
        obj=Allocation(award=award, partnership=partnership, amount=amount, notes=notes),
        parent=award,
    )


# --- rates --------------------------------------------------------------------------------------------


def _overlaps(qs: Any, start: datetime.date, end: datetime.date | None) -> bool:
    if end is not None:
        qs = qs.filter(valid_from__lte=end)
    return bool(qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start)).exists())


@transaction.atomic
def valuation_rate_create(
    *, actor: User, programme: Programme, uuid: uuid_module.UUID | None = None, **fields: Any
) -> ValuationRate:
    """Add a dated hourly rate on one basis. Two rates for the same basis, cadre and country may not overlap.

    Raises: PermissionDenied, ValidationError.
    """
    require_finance(actor, programme)
    rate = ValuationRate(programme=programme, **_uuid(uuid), **fields)
    rate.full_clean()
    _check_rate_overlap(rate)
    return create_with_audit(actor=actor, obj=rate, parent=programme)


def _check_rate_overlap(rate: ValuationRate) -> None:
    same = ValuationRate.objects.filter(
        programme=rate.programme, basis=rate.basis, cadre=rate.cadre, country=rate.country
    ).exclude(pk=rate.pk)
    if _overlaps(same, rate.valid_from, rate.valid_to):
        raise ValidationError(
            {"valid_from": _("Another rate for this basis, cadre and country is valid during this period.")}
        )


@transaction.atomic
def valuation_rate_delete(*, actor: User, rate: ValuationRate) -> None:
    """Delete a valuation rate (finance staff).

    Raises: PermissionDenied.
    """
    require_finance(actor, rate.programme)
    delete_with_audit(actor=actor, obj=rate, parent=rate.programme)


def _exchange_rate_errors(rate: ExchangeRate, *, exclude: list[str] | None = None) -> dict[str, list[str]]:
    """Every problem of one rate on its own (the form's, the API's and the import's checks), by field.

    The programme is set by the service, never typed, so its foreign key is not looked up again (an import
    checks thousands of rates). Fields in `exclude` already failed and are not checked again.
    """
    errors: dict[str, list[str]] = {}
    try:
        rate.full_clean(
            exclude=["programme", *(exclude or [])], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if rate.currency == rate.programme.reporting_currency:
        errors.setdefault("currency", []).append(
            _("%(currency)s is the reporting currency; it needs no rate.") % {"currency": rate.currency}
        )
    if rate.rate is not None and rate.rate <= 0:
        errors.setdefault("rate", []).append(_("The rate must be more than zero."))
    return errors


@transaction.atomic
def exchange_rate_create(
    *,
    actor: User,
    programme: Programme,
    currency: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    rate: decimal.Decimal,
    source: str = "",
    uuid: uuid_module.UUID | None = None,
) -> ExchangeRate:
    """Add the rate of one currency into the reporting currency for a period (periods may not overlap).

    Raises: PermissionDenied, ValidationError.
    """
    require_finance(actor, programme)
    obj = ExchangeRate(
        programme=programme,
        currency=currency,
        valid_from=valid_from,
        valid_to=valid_to,
        rate=rate,
        source=source,
        **_uuid(uuid),
    )
    errors = _exchange_rate_errors(obj)
    if errors:
        raise ValidationError(errors)
    same = ExchangeRate.objects.filter(programme=programme, currency=currency)
    if _overlaps(same, valid_from, valid_to):
        raise ValidationError(
            {
                "valid_from": _("A rate for %(currency)s already covers part of this period.")
                % {"currency": currency}
            }
        )
    return create_with_audit(actor=actor, obj=obj, parent=programme)


class ImportRejected(ValidationError):
    """An import with bad rows: every bad row is listed and nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.row_errors = errors
        super().__init__(
            [
                _("Row %(row)s, %(column)s %(value)s: %(message)s")
                % {"row": e.row, "column": e.column, "value": repr(e.value), "message": e.message}
                for e in errors
            ]
        )


IMPORT_COLUMNS = ("currency", "valid_from", "valid_to", "rate")
MAX_IMPORT_ROWS = 20_000
RATE_LIMIT = decimal.Decimal(10) ** 10  # the model's 20 digits, 10 of them after the point


@transaction.atomic
def exchange_rates_import(
    *, actor: User, programme: Programme, data: IO[bytes] | bytes | str, locale: str | None = None
) -> list[ExchangeRate]:
    """Import exchange rates from a table (columns currency, valid_from, valid_to, rate, optional source).

    `data` is an uploaded file or bytes (CSV in UTF-8, UTF-16 or Windows-1252, tab-separated text, or XLSX)
    or text (a CSV sent through the API); both are read by `twinning.core.uploads.read_table`. Rates typed as
    text are read as `locale` writes numbers (the web: the user's language, `1,27` in Portuguese; None, as for
    the API: the machine form, `1.27`). Every row gets
    the checks the single-rate form gets (the model's field rules, the reporting currency, a positive rate),
    then every row is checked against the other rows and the stored rates for overlapping periods, in
    O(n log n). If any row is bad, ImportRejected lists them all (row, column, value, why) and nothing is
    written. Raises PermissionDenied for anyone but the programme's finance staff.

    Raises: PermissionDenied, ImportRejected.
    """
    require_finance(actor, programme)
    try:
        rows = read_table(data, max_rows=MAX_IMPORT_ROWS)
        columns = _rate_columns(next(rows, None))
        candidates, errors = _rate_rows(programme, rows, columns, locale)
    except ImportRejected:
        raise
    except ValidationError as exc:
        raise ImportRejected([RowError(0, "file", "", message) for message in exc.messages]) from None
    errors += _rate_overlaps(programme, candidates)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    if not candidates:
        raise ImportRejected([RowError(2, "file", "", _("The file has no rows."))])
    created = ExchangeRate.objects.bulk_create([rate for _number, rate in candidates])
    from twinning.audit.services import audit_record

    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=programme,
        changes={"exchange_rates_imported": [None, len(created)]},
        reason=_("Exchange rates imported from a file"),
    )
    return created


def _rate_columns(header: list[Any] | None) -> dict[str, int]:
    names = [cell_text(h).lower() for h in header or []]
    missing = [c for c in IMPORT_COLUMNS if c not in names]
    if missing:
        raise ImportRejected(
            [RowError(1, c, "", _("This column is missing from the header.")) for c in missing]
        )
    return {c: names.index(c) for c in (*IMPORT_COLUMNS, "source") if c in names}


def _rate_rows(
    programme: Programme, rows: Iterator[list[Any]], columns: dict[str, int], locale: str | None
) -> tuple[list[tuple[int, ExchangeRate]], list[RowError]]:
    """Each good row as (row number, unsaved rate), and the errors of the bad ones."""
    candidates: list[tuple[int, ExchangeRate]] = []
    errors: list[RowError] = []
    for number, row in enumerate(rows, start=2):
        cells = {c: (row[i] if i < len(row) else None) for c, i in columns.items()}
        if all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in cells.values()):
            continue
        shown = {c: cell_text(v) for c, v in cells.items()}
        found: dict[str, list[str]] = {}
        try:
            rate = cell_number(cells["rate"], limit=RATE_LIMIT, locale=locale)
        except ValidationError as exc:
            found["rate"] = exc.messages
            rate = None
        dates: dict[str, datetime.date | None] = {}
        for column in ("valid_from", "valid_to"):
            dates[column] = _date_cell(cells[column])
            if dates[column] is None and shown[column]:
                found[column] = [_("Not a date (YYYY-MM-DD).")]
        fields: dict[str, Any] = {
            "currency": shown["currency"].upper(),
            "rate": rate,
            "source": shown.get("source", ""),
            **dates,
        }
        obj = ExchangeRate(programme=programme, **fields)
        for column, messages in _exchange_rate_errors(obj, exclude=list(found)).items():
            found.setdefault(column, []).extend(messages)
        if found:
            errors += [
                RowError(number, column, shown.get(column, "")[:100], " ".join(messages))
                for column, messages in found.items()
            ]
        else:
            candidates.append((number, obj))
    return candidates, errors


def _date_cell(value: Any) -> datetime.date | None:
    """A date cell: a workbook's date, or ISO 8601 text; None when blank or not a date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(cell_text(value))
    except ValueError:
        return None


def _rate_overlaps(programme: Programme, candidates: list[tuple[int, ExchangeRate]]) -> list[RowError]:
    """Rows whose period overlaps another row's of the same currency, or a stored rate's.

    Sorted sweeps, not pairwise comparison: 20,000 rows used to take 17 s (issue 10, finding 8).
    """
    errors: list[RowError] = []
    by_currency: dict[str, list[tuple[int, ExchangeRate]]] = {}
    for number, rate in candidates:
        by_currency.setdefault(rate.currency, []).append((number, rate))
    stored: dict[str, list[tuple[datetime.date, datetime.date]]] = {}
    for currency, start, end in (
        ExchangeRate.objects.filter(programme=programme, currency__in=by_currency)
        .order_by("currency", "valid_from")
        .values_list("currency", "valid_from", "valid_to")
    ):
        stored.setdefault(currency, []).append((start, end))
    for currency, rows in by_currency.items():
        rows.sort(key=lambda item: (item[1].valid_from, item[0]))
        reach: tuple[datetime.date, int] | None = None  # the latest end so far, and its row
        clashing: set[int] = set()
        for number, rate in rows:
            if reach is not None and rate.valid_from <= reach[0]:
                later, earlier = max(number, reach[1]), min(number, reach[1])
                if later not in clashing:
                    clashing.add(later)
                    later_rate = rate if later == number else next(r for n, r in rows if n == later)
                    errors.append(
                        RowError(
                            later,
                            "valid_from",
                            later_rate.valid_from.isoformat(),
                            _("Overlaps row %(row)s.") % {"row": earlier},
                        )
                    )
            if reach is None or rate.valid_to > reach[0]:
                reach = (rate.valid_to, number)
        errors += _stored_overlaps(stored.get(currency, []), [r for r in rows if r[0] not in clashing])
    return errors


def _stored_overlaps(
    stored: list[tuple[datetime.date, datetime.date]], rows: list[tuple[int, ExchangeRate]]
) -> list[RowError]:
    """Rows overlapping a stored rate: binary search on the stored starts, with the latest end up to each."""
    if not stored:
        return []
    starts = [start for start, _end in stored]
    reach: list[datetime.date] = []
    for _start, end in stored:
        reach.append(max(end, reach[-1]) if reach else end)
    errors = []
    for number, rate in rows:
        before = bisect.bisect_right(starts, rate.valid_to) - 1
        if before >= 0 and reach[before] >= rate.valid_from:
            errors.append(
                RowError(
                    number,
                    "valid_from",
                    rate.valid_from.isoformat(),
                    _("Overlaps a rate already entered."),
                )
            )
    return errors


# --- volunteer time ---------------------------------------------------------------------------------


def _time_derived(entry: TimeEntry) -> None:
    """Hours, year, and the cadre and country of a person when not given: what reports group by."""
    if entry.quantity is not None:
        factor = HOURS_PER_DAY if entry.unit == TimeEntry.Unit.DAYS else 1
        entry.hours = entry.quantity * factor
    if entry.start_date:
        entry.year = entry.start_date.year
    if entry.person_id and not entry.cadre:
        entry.cadre = entry.person.cadre  # type: ignore[union-attr]
    if not entry.country:
        giver = entry.person.institution if entry.person_id else entry.institution  # type: ignore[union-attr]
        if giver is not None:
            entry.country = giver.country


def _check_time_links(entry: TimeEntry) -> None:
    errors: dict[str, list[str]] = {}
    if entry.activity_id is not None:
        activity = entry.activity
        if activity.objective.plan.partnership_id != entry.partnership_id:  # type: ignore[union-attr]
            errors["activity"] = [_("The activity belongs to another partnership.")]
    exchange = getattr(entry, "exchange", None)
    if (
        exchange is not None
        and getattr(exchange, "partnership_id", entry.partnership_id) != entry.partnership_id
    ):
        errors["exchange"] = [_("The exchange belongs to another partnership.")]
    if errors:
        raise ValidationError(errors)


def _check_time_given(entry: TimeEntry) -> None:
    """Time recorded as received (given) cannot start after today: later time is pledged. "Today" is the latest
    date at either side of the partnership (the volunteer's and the host's), so that no one is refused a day that
    has begun where they are (issue 9: rules about today use the local date of the place)."""
    if entry.status == ContributionStatus.PLEDGED or entry.start_date is None:
        return
    partnership = entry.partnership
    today = max(partnership_today(partnership, side="host"), partnership_today(partnership, side="resource"))
    if entry.start_date > today:
        raise ValidationError(
            {
                "start_date": _(
                    "Time cannot be received before it is given: record time still to come as pledged."
                )
            }
        )


@transaction.atomic
def time_entry_create(
    *,
    actor: User,
    partnership: Partnership,
    uuid: uuid_module.UUID | None = None,
    status: str = ContributionStatus.RECEIVED,
    **fields: Any,
) -> TimeEntry:
    """Record volunteer time given to a partnership (coordinators, members, programme editors); whoever verifies
    the programme's contributions (`finance_duty_of`) is notified, in-app now and by email on commit. A `uuid`
    already used for this partnership's time returns that entry unchanged (an offline client's create sent again);
    one naming another record raises ClientIdTaken.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, partnership)
    # An offline client sends its create again when the first answer was lost: it was written once.
    if (sent := sent_before(TimeEntry, uuid=uuid, partnership=partnership, fields=fields)) is not None:
        return sent
    if status == ContributionStatus.VERIFIED:
        raise ValidationError({"status": _("Record the time first; a finance officer verifies it.")})
    entry = TimeEntry(partnership=partnership, status=status, recorded_by=actor, **_uuid(uuid), **fields)
    _time_derived(entry)
    _check_time_links(entry)
    _check_time_given(entry)
    entry = create_with_audit(actor=actor, obj=entry, parent=partnership)
    if entry.status == ContributionStatus.RECEIVED:
        _notify_time_recorded(actor, entry)
    return entry


def _notify_time_recorded(actor: User, entry: TimeEntry) -> None:
    """Recorded time waits for finance: tell whoever verifies the programme's contributions."""
    partnership = entry.partnership
    notify(
        User.objects.filter(finance_duty_of(partnership.programme_id)),
        actor=actor,
        message=notices.notice(
            gettext_noop("%(partnership)s recorded %(hours)s hours of volunteer time to verify."),
            partnership=notices.text(partnership.title),
            hours=notices.number(entry.hours),
        ),
        url=reverse("contributions:verification") + "?show=time",
    )


@transaction.atomic
def time_entry_update(
    *, actor: User, entry: TimeEntry, data: dict[str, Any], expected_version: int | None = None
) -> TimeEntry:
    """Change a volunteer time entry that is not verified yet; hours, year, cadre and country are derived
    again.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict.
    """
    require_data_entry(actor, entry.partnership)
    # Checked and derived on the row as it is now: a verification or an edit saved meanwhile counts.
    probe = lock_current(entry, expected_version)
    if probe.status == ContributionStatus.VERIFIED:
        raise ValidationError(_("Verified time cannot be changed."))
    for key, value in data.items():
        setattr(probe, key, value)
    if "person" in data or "institution" in data:
        probe.country = data.get("country", "")
        probe.cadre = data.get("cadre", "")
    _time_derived(probe)
    _check_time_links(probe)
    _check_time_given(probe)
    derived = {k: getattr(probe, k) for k in ("hours", "year", "cadre", "country")}
    return update_with_audit(
        actor=actor,
        obj=entry,
        data={**data, **derived},
        expected_version=expected_version,
        parent=entry.partnership,
    )


@transaction.atomic
def time_entry_verify(*, actor: User, entry: TimeEntry) -> TimeEntry:
    """A finance officer or programme editor confirms the time was given as recorded.

    Raises: PermissionDenied, ValidationError.
    """
    require_finance(actor, entry.partnership.programme)
    current = lock_current(entry)  # the state as it is now: a concurrent change of status counts
    if current.status != ContributionStatus.RECEIVED:
        raise ValidationError(
            _("Only time that has been received can be verified (this entry is %(status)s).")
            % {"status": current.get_status_display().lower()}  # type: ignore[attr-defined]
        )
    return update_with_audit(
        actor=actor,
        obj=entry,
        data={"status": ContributionStatus.VERIFIED, "verified_by": actor, "verified_at": timezone.now()},
        parent=entry.partnership,
        action=AuditEvent.Action.UPDATE,
    )


@transaction.atomic
def time_entry_delete(*, actor: User, entry: TimeEntry) -> None:
    """Delete a volunteer time entry that is not verified yet.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, entry.partnership)
    if entry.status == ContributionStatus.VERIFIED:
        raise ValidationError(_("Verified time cannot be deleted."))
    delete_with_audit(actor=actor, obj=entry, parent=entry.partnership)


# --- in-kind gifts ------------------------------------------------------------------------------------


def _check_gift(gift: Gift) -> None:
    errors: dict[str, list[str]] = {}
    if gift.contributor_kind == Gift.ContributorKind.PARTNER:
        if gift.contributor_institution_id is None:
            errors["contributor_institution"] = [_("Choose the partner institution that gave it.")]
        elif not gift.partnership.side_links.filter(institution_id=gift.contributor_institution_id).exists():
            errors["contributor_institution"] = [_("The institution is not a partner in this partnership.")]
        elif not gift.contributor_name:
            gift.contributor_name = gift.contributor_institution.name  # type: ignore[union-attr]
    if errors:
        raise ValidationError(errors)
    if gift.gift_date:
        gift.year = gift.gift_date.year


@transaction.atomic
def gift_create(
    *, actor: User, partnership: Partnership, uuid: uuid_module.UUID | None = None, **fields: Any
) -> Gift:
    """Record a pledged in-kind gift (coordinators, members, programme editors); the coordinators of the
    receiving side, who sign for its arrival, are notified (in-app now, email on commit). A `uuid` already used for
    this partnership's gift returns that gift unchanged (an offline client's create sent again); one naming another
    record raises ClientIdTaken.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    require_data_entry(actor, partnership)
    if (sent := sent_before(Gift, uuid=uuid, partnership=partnership, fields=fields)) is not None:
        return sent  # sent again by an offline client whose first answer was lost
    gift = Gift(
        partnership=partnership, status=ContributionStatus.PLEDGED, recorded_by=actor, **_uuid(uuid), **fields
    )
    _check_gift(gift)
    gift = create_with_audit(actor=actor, obj=gift, parent=partnership)
    _notify_gift_pledged(actor, gift)
    return gift


def _gift_url(gift: Gift) -> str:
    return reverse("contributions:gift_detail", args=[gift.partnership.uuid, gift.uuid])


def _notify_gift_pledged(actor: User, gift: Gift) -> None:
    """A pledged gift waits for the receiving side's signature: tell that side's coordinators."""
    partnership = gift.partnership
    notify(
        User.objects.filter(side_coordinators_of(partnership.pk, gift.receiving_side)),
        actor=actor,
        message=notices.notice(
            gettext_noop("A gift to %(partnership)s waits for your side to sign for its arrival: %(gift)s"),
            partnership=notices.text(partnership.title),
            # The demo's descriptions are shipped texts: each reader sees them in their own language.
            gift=notices.shipped(gift.description[:80]),
        ),
        url=_gift_url(gift),
    )


@transaction.atomic
def gift_update(
    *, actor: User, gift: Gift, data: dict[str, Any], expected_version: int | None = None
) -> Gift:
    """Change a gift in kind that is not verified yet; its year and contributor name are derived again.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict.
    """
    require_data_entry(actor, gift.partnership)
    # Checked and derived on the row as it is now: a verification or an edit saved meanwhile counts.
    probe = lock_current(gift, expected_version)
    if probe.status == ContributionStatus.VERIFIED:
        raise ValidationError(_("A verified gift cannot be changed."))
    probe.partnership = gift.partnership  # the same partnership, already loaded: no second query
    for key, value in data.items():
        setattr(probe, key, value)
    _check_gift(probe)
    data = {**data, "year": probe.year, "contributor_name": probe.contributor_name}
    return update_with_audit(
        actor=actor, obj=gift, data=data, expected_version=expected_version, parent=gift.partnership
    )


@transaction.atomic
def gift_receive(*, actor: User, gift: Gift, received_on: datetime.date | None = None) -> Gift:
    """Someone on the receiving side signs for the gift: it arrived, on this date. Whoever verifies the
    programme's contributions (`finance_duty_of`) is notified (in-app now, email on commit).

    Raises: PermissionDenied, ValidationError.
    """
    require_receipt_signer(actor, gift)
    if lock_current(gift).status != ContributionStatus.PLEDGED:  # as it is now, not as it was read
        raise ValidationError(_("This gift has already been signed for."))
    today = partnership_today(gift.partnership, side=gift.receiving_side)  # where it is received
    received_on = received_on or today
    if received_on > today:
        raise ValidationError({"received_on": _("A gift cannot be received in the future.")})
    gift = update_with_audit(
        actor=actor,
        obj=gift,
        data={"status": ContributionStatus.RECEIVED, "received_by": actor, "received_on": received_on},
        parent=gift.partnership,
    )
    partnership = gift.partnership
    notify(
        User.objects.filter(finance_duty_of(partnership.programme_id)),
        actor=actor,
        message=notices.notice(
            gettext_noop("A gift to %(partnership)s was signed for and waits for verification: %(gift)s"),
            partnership=notices.text(partnership.title),
            # The demo's descriptions are shipped texts: each reader sees them in their own language.
            gift=notices.shipped(gift.description[:80]),
        ),
        url=_gift_url(gift),
    )
    return gift


@transaction.atomic
def gift_verify(*, actor: User, gift: Gift) -> Gift:
    """A finance officer or programme editor confirms the gift and its value, after it was signed for.

    Raises: PermissionDenied, ValidationError.
    """
    require_finance(actor, gift.partnership.programme)
    if lock_current(gift).status != ContributionStatus.RECEIVED:  # as it is now, not as it was read
        raise ValidationError(_("Only a gift that has been signed for can be verified."))
    return update_with_audit(
        actor=actor,
        obj=gift,
        data={"status": ContributionStatus.VERIFIED, "verified_by": actor, "verified_at": timezone.now()},
        parent=gift.partnership,
    )


@transaction.atomic
def gift_evidence_add(*, actor: User, gift: Gift, file: Any, description: str = "") -> GiftEvidence:
    """Attach a file (receipt, photo, valuation) to a gift: data entry people or finance staff.

    Raises: PermissionDenied, ValidationError.
    """
    access = partnership_access(actor, gift.partnership)
    require(access.can_read)
    require(access.can_enter_data or access.can_manage_finance)
    return create_with_audit(
        actor=actor,
        obj=GiftEvidence(gift=gift, file=file, description=description, uploaded_by=actor),
        parent=gift,
    )


# --- cost share ---------------------------------------------------------------------------------------


@transaction.atomic
def cost_share_claim(
    *, actor: User, award: Award, gift: Gift | None = None, time_entry: TimeEntry | None = None
) -> CostShareClaim:
    """Count one contribution toward an award's cost share. A contribution counts toward one award at most.

    Raises: PermissionDenied, ValidationError.
    """
    require_finance(actor, award.programme)
    contribution: Gift | TimeEntry | None = gift or time_entry
    if contribution is None or (gift is not None and time_entry is not None):
        raise ValidationError(_("Name one gift or one time entry."))
    if contribution.partnership.programme_id != award.programme_id:  # type: ignore[union-attr]
        raise ValidationError(_("The contribution is not in this award's programme."))
    if not award.allocations.filter(partnership_id=contribution.partnership_id).exists():  # type: ignore[union-attr]
        raise ValidationError(
            _(
                "%(partnership)s has no allocation from %(award)s, so its contributions cannot count toward it."
            )
            % {"partnership": contribution.partnership, "award": award}  # type: ignore[union-attr]
        )
    lookup = {"gift": gift} if gift is not None else {"time_entry": time_entry}
    existing = CostShareClaim.objects.filter(**lookup).select_related("award").first()
    if existing is not None:
        raise ValidationError(_already_counted(existing.award, award))
    claim = CostShareClaim(award=award, claimed_by=actor, **lookup)
    try:
        with transaction.atomic():
            return create_with_audit(actor=actor, obj=claim, parent=award)
    except IntegrityError:
        # Someone counted it in the same moment: the unique constraint is the last word.
        existing = CostShareClaim.objects.filter(**lookup).select_related("award").first()
        raise ValidationError(_already_counted(existing.award if existing else award, award)) from None


def _already_counted(current: Award, wanted: Award) -> str:
    if current.pk == wanted.pk:
        return _("This contribution already counts toward %(award)s's cost share.") % {"award": current}
    return _(
        "This contribution already counts toward %(current)s's cost share; a contribution counts toward one "
        "award only. Withdraw it there first."
    ) % {"current": current}


@transaction.atomic
def cost_share_withdraw(*, actor: User, claim: CostShareClaim) -> None:
    """Stop counting a contribution towards an award's cost share (finance staff).

    Raises: PermissionDenied.
    """
    require_finance(actor, claim.award.programme)
    delete_with_audit(actor=actor, obj=claim, parent=claim.award)
