"""DHIS2 imports: data value sets (JSON, XML, CSV) and ADX into results, with a summary in DHIS2's own shape.

Each value is named back to Twinning by the mapping (see the package docstring) and handed, as a row, to the
results import (`monitoring.imports.results_import`): the one validating write path of results, with the entry
form's rules (measures, counts, breakdowns, periods of the plan that have started, reports submitted or approved
and locked), write access checked for every partnership a value touches, COPY on PostgreSQL, and an audit event
per partnership. Values stream from the file to the database, one at a time.

Modes, as DHIS2's: by default (`atomic`, DHIS2's `atomicMode=ALL`) nothing is written unless every value can be;
with `atomic=False` (`atomicMode=NONE`) the values with a conflict are left out and the rest imported, and the
summary says so. A dry run checks and counts everything and writes nothing. A value equal to the stored one is
ignored, so importing the same file twice changes nothing the second time.

Counts are DHIS2's: every value read is imported, updated, deleted or ignored, and a value with a conflict is
one of the ignored ("Ignored: 3 (2 with a conflict)").

importStrategy (`ImportOptions.strategy`): CREATE_AND_UPDATE (the default) as above, or DELETE, supported as
DHIS2 does it: each value names a stored result (its figure does not matter), which is deleted through the
results service (`monitoring.services.result_save`, where a blank value deletes), so the entry form's rules
hold: data entry rights on the partnership, and a result of a submitted or approved (locked) period is never
deleted but reported as a conflict naming the lock (approved results are unlocked by programme staff first, on
the results page, which records why). A value with nothing stored is ignored. Atomic mode deletes nothing if
one value is refused; per-value mode deletes the others. Each deletion is audited on its period's report.
Deletions go one value at a time (a few queries each), not through COPY. Other DHIS2 strategies (CREATE,
UPDATE, NEW_AND_UPDATES) are refused with a message.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import in_data_entry_partnerships, is_programme_editor
from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.interop.dhis2.ids import DEFAULT_COMBO_NAMES, IdScheme, id_scheme
from twinning.interop.dhis2.parse import FileRefused, Header, Opener, RawValue, read
from twinning.interop.dhis2.parse import values as read_values
from twinning.monitoring.imports import COLUMNS, ImportOutcome, ImportRejected, results_import
from twinning.monitoring.models import Result
from twinning.monitoring.services import result_save
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme
from twinning.planning.models import DisaggregationOption, Indicator, PlanIndicator

Measure = Indicator.Measure
MAX_CONFLICTS = 1000
MAX_PASSES = 10
HEADER = COLUMNS[
    :10
]  # partnership, period, indicator, option, value, numerator, denominator, text, score, comment
BLANK: list[Any] = [None] * len(HEADER)
PROPERTY = {
    "partnership": "attributeOptionCombo",
    "period": "period",
    "indicator": "dataElement",
    "option": "categoryOptionCombo",
    "comment": "comment",
}
Progress = Callable[[int], None]
DELETE = "DELETE"
STRATEGIES = ("CREATE_AND_UPDATE", DELETE)


@dataclass(frozen=True)
class ImportOptions:
    """How to import: DHIS2's parameters. Id schemes left None are taken from the file, else UID."""

    dry_run: bool = False
    atomic: bool = True
    strategy: str = "CREATE_AND_UPDATE"  # DHIS2's importStrategy: CREATE_AND_UPDATE or DELETE
    id_scheme: str | None = None
    data_element_id_scheme: str | None = None
    org_unit_id_scheme: str | None = None
    category_option_combo_id_scheme: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "dryRun": self.dry_run,
            "atomicMode": "ALL" if self.atomic else "NONE",
            "importStrategy": self.strategy,
            "idScheme": self.id_scheme or "",
            "dataElementIdScheme": self.data_element_id_scheme or "",
            "orgUnitIdScheme": self.org_unit_id_scheme or "",
            "categoryOptionComboIdScheme": self.category_option_combo_id_scheme or "",
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ImportOptions":
        return cls(
            dry_run=bool(data.get("dryRun")),
            atomic=data.get("atomicMode", "ALL") != "NONE",
            strategy=data.get("importStrategy") or "CREATE_AND_UPDATE",
            id_scheme=data.get("idScheme") or None,
            data_element_id_scheme=data.get("dataElementIdScheme") or None,
            org_unit_id_scheme=data.get("orgUnitIdScheme") or None,
            category_option_combo_id_scheme=data.get("categoryOptionComboIdScheme") or None,
        )


@dataclass(frozen=True)
class Conflict:
    """One value DHIS2 would call a conflict: the object it names, why, which value (0-based) and which field."""

    object: str
    value: str
    index: int | None = None
    property: str = ""


@dataclass
class ImportSummary:
    """What an import did, in DHIS2's ImportSummary shape (`as_dhis2`)."""

    status: str = "SUCCESS"  # SUCCESS, WARNING (per-value mode left values out), ERROR (nothing imported)
    description: str = ""
    imported: int = 0
    updated: int = 0
    ignored: int = 0
    deleted: int = 0
    read: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    conflict_count: int = 0
    options: ImportOptions = field(default_factory=ImportOptions)

    @property
    def ignored_text(self) -> str:
        """The ignored count and how many had a conflict, in the reader's language."""
        return ignored_text(self.ignored, self.conflict_count)

    def as_dhis2(self) -> dict[str, Any]:
        return {
            "responseType": "ImportSummary",
            "status": self.status,
            "description": self.description,
            "importOptions": self.options.as_dict(),
            "importCount": {
                "imported": self.imported,
                "updated": self.updated,
                "ignored": self.ignored,
                "deleted": self.deleted,
            },
            "conflicts": [
                {
                    "object": c.object,
                    "value": c.value,
                    "indexes": [] if c.index is None else [c.index],
                    "property": c.property,
                }
                for c in self.conflicts
            ],
            "totalConflicts": self.conflict_count,
            "valuesRead": self.read,
        }

    @classmethod
    def from_dhis2(cls, data: dict[str, Any]) -> "ImportSummary":
        """The summary as stored on an import record (for its page)."""
        counts = data.get("importCount") or {}
        return cls(
            status=data.get("status", ""),
            description=data.get("description", ""),
            imported=counts.get("imported", 0),
            updated=counts.get("updated", 0),
            ignored=counts.get("ignored", 0),
            deleted=counts.get("deleted", 0),
            read=data.get("valuesRead", 0),
            conflicts=[
                Conflict(
                    c.get("object", ""),
                    c.get("value", ""),
                    (c.get("indexes") or [None])[0],
                    c.get("property", ""),
                )
                for c in data.get("conflicts", [])
            ],
            conflict_count=data.get("totalConflicts", 0),
            options=ImportOptions.from_dict(data.get("importOptions") or {}),
        )


class _Conflicts:
    """Conflicts counted, the first MAX_CONFLICTS kept (memory must not grow with the file)."""

    def __init__(self) -> None:
        self.kept: list[Conflict] = []
        self.count = 0

    def add(self, conflict: Conflict) -> None:
        self.count += 1
        if len(self.kept) < MAX_CONFLICTS:
            self.kept.append(conflict)


@dataclass(frozen=True)
class _Schemes:
    data_element: str

    @classmethod
    def of(cls, options: ImportOptions, header: Header) -> "_Schemes":
        """The id schemes in force: the request's, else the file's, else UID. Twinning keeps codes for data
        elements only; org units and combos are always named by UID, so a code scheme for them is refused."""
        given = header.id_schemes

        def pick(specific: str | None, key: str) -> str | None:
            return id_scheme(specific or options.id_scheme or given.get(key) or given.get("idScheme"))

        element = pick(options.data_element_id_scheme, "dataElementIdScheme")
        if element is None:
            raise ValidationError(_("Data elements can be named by UID or CODE only."))
        for specific, key in (
            (options.org_unit_id_scheme, "orgUnitIdScheme"),
            (options.category_option_combo_id_scheme, "categoryOptionComboIdScheme"),
        ):
            scheme = id_scheme(specific or given.get(key))
            if scheme != IdScheme.UID:
                raise ValidationError(
                    _("Twinning names org units and category option combos by UID only (%(key)s).")
                    % {"key": key}
                )
        return cls(element)


class _Resolver:
    """Names DHIS2 identifiers back to Twinning's objects, for one programme and one user (six queries)."""

    def __init__(
        self, actor: User, programme: Programme, only: Partnership | None, schemes: _Schemes
    ) -> None:
        self.programme = programme
        self.only = only
        partnerships = Partnership.objects.filter(programme=programme)
        self.visible = set(partnerships.visible_to(actor).values_list("pk", flat=True))
        writable = (
            partnerships
            if is_programme_editor(actor, programme.pk)
            else partnerships.filter(in_data_entry_partnerships(actor, via=""))
        )
        self.writable = set(writable.values_list("pk", flat=True))
        self.uuid: dict[int, str] = {}
        self.by_combo: dict[str, int] = {}
        for pk, uuid, combo in partnerships.values_list("pk", "uuid", "dhis2_attribute_option_combo"):
            self.uuid[pk] = str(uuid)
            if combo:
                self.by_combo[combo] = pk
        self.resolved: dict[tuple[str, str], int] = {}  # (attribute option combo, org unit) -> partnership
        self.hosted: dict[str, list[int]] = {}
        self.sites: dict[int, set[str]] = {}
        for pk, side, unit in (
            PartnershipInstitution.objects.filter(partnership__programme=programme)
            .exclude(institution__dhis2_org_unit="")
            .values_list("partnership_id", "side", "institution__dhis2_org_unit")
        ):
            self.sites.setdefault(pk, set()).add(unit)
            if side == Side.HOST:
                self.hosted.setdefault(unit, []).append(pk)
        name = "dhis2_data_element_code" if schemes.data_element == IdScheme.CODE else "dhis2_data_element"
        self.elements: dict[str, tuple[str, str, int | None, int]] = {
            key: (code, measure, partnership_id, pk)
            for key, code, measure, partnership_id, pk in Indicator.objects.filter(programme=programme)
            .exclude(**{name: ""})
            .values_list(name, "code", "measure", "partnership_id", "pk")
        }
        # Stored percentages by (partnership, indicator), read when the file first names the pair.
        self.results: dict[tuple[int, int], dict[tuple[str, str], list[Decimal | None]]] = {}
        self.combos: dict[str, str] = {}
        self.categories: dict[str, dict[str, str]] = {}
        for combo, option, category in DisaggregationOption.objects.filter(
            category__programme=programme
        ).values_list("dhis2_category_option_combo", "code", "category__code"):
            key = f"{category}:{option}"
            if combo:
                self.combos[combo] = key
            self.categories.setdefault(category, {})[option] = key
            if combo:
                self.categories[category][combo] = key

    def partnership(self, raw: RawValue) -> int | Conflict:
        """The partnership a value belongs to: by its attribute option combo, else the org unit's host.

        What it answers depends on the (attribute option combo, org unit) pair alone (and on this import's
        mapping and access, fixed for its length), so a pair found once is not worked out again. Only pairs
        naming a partnership are kept: they are bounded by the mapping, not the file; conflicts are not kept,
        so a file of a million bad pairs holds no more memory than a good one."""
        pair = (raw.attribute_option_combo, raw.org_unit)
        kept = self.resolved.get(pair)
        if kept is not None:
            return kept
        found = self._partnership(*pair)
        if not isinstance(found, Conflict):
            self.resolved[pair] = found
        return found

    def _partnership(self, combo: str, unit: str) -> int | Conflict:
        if combo.startswith("!"):
            return Conflict(
                combo[1:],
                _("Attribute categories other than the attribute option combo are not read."),
                property="attributeOptionCombo",
            )
        if combo not in DEFAULT_COMBO_NAMES and combo != self.programme.dhis2_attribute_option_combo:
            pk = self.by_combo.get(combo)
            if pk is None or pk not in self.visible:
                return Conflict(
                    combo,
                    _("No partnership of the programme has this attribute option combo."),
                    property="attributeOptionCombo",
                )
            if unit not in self.sites.get(pk, ()):
                return Conflict(
                    unit, _("This org unit is not one of the partnership's institutions."), property="orgUnit"
                )
        else:
            found = [pk for pk in self.hosted.get(unit, []) if pk in self.visible]
            if not found:
                return Conflict(
                    unit,
                    _("No partnership of the programme you may see is hosted at this org unit."),
                    property="orgUnit",
                )
            if len(found) > 1:
                return Conflict(
                    unit,
                    _(
                        "Several partnerships are hosted at this org unit: give each value its partnership's attribute option combo."
                    ),
                    property="orgUnit",
                )
            pk = found[0]
        if self.only is not None and pk != self.only.pk:
            return Conflict(
                combo or unit,
                _("This import is for %(partnership)s only.") % {"partnership": self.only.title},
                property="attributeOptionCombo",
            )
        if pk not in self.writable:
            return Conflict(
                combo or unit,
                _("You may not enter results for this partnership."),
                property="attributeOptionCombo",
            )
        return pk

    def stored(
        self, partnership: int, indicator: int, period: str, option: str
    ) -> tuple[Decimal | None, Decimal | None, Decimal | None, Decimal | None] | None:
        """The stored (value, numerator, denominator, score) of this result, or None when there is none (one
        query per partnership and indicator the file names, only for the measures that need it: a percentage and
        a qualitative result, whose DHIS2 value carries only part of what is stored)."""
        pair = (partnership, indicator)
        if pair not in self.results:
            self.results[pair] = {
                (result_period, f"{category}:{option_code}" if option_code else ""): stored
                for result_period, category, option_code, *stored in Result.objects.filter(
                    partnership_id=partnership, indicator_id=indicator
                ).values_list(
                    "period",
                    "option__category__code",
                    "option__code",
                    "value",
                    "numerator",
                    "denominator",
                    "score",
                )
            }
        found = self.results[pair].get((period, option))
        return None if found is None else (found[0], found[1], found[2], found[3])

    def option(self, raw: RawValue) -> str | Conflict:
        """The option key ("category:option") of a value, "" for the overall value."""
        if raw.categories:
            if len(raw.categories) > 1:
                return Conflict(
                    ",".join(raw.categories),
                    _("Twinning breaks a value down by one disaggregation at a time."),
                    property="categoryOptionCombo",
                )
            ((category, option),) = raw.categories.items()
            key = self.categories.get(category, {}).get(option)
            if key is None:
                return Conflict(
                    f"{category}={option}",
                    _("No disaggregation option of the programme has this category and option."),
                    property="categoryOptionCombo",
                )
            return key
        combo = raw.category_option_combo
        if combo in DEFAULT_COMBO_NAMES:
            return ""
        key = self.combos.get(combo)
        if key is None:
            return Conflict(
                combo,
                _("No disaggregation option of the programme has this category option combo."),
                property="categoryOptionCombo",
            )
        return key


def _percentage(value: str, stored: tuple[Decimal | None, ...] | None) -> list[Any] | Conflict:
    """The cells of a percentage's row: a DHIS2 value carries only the percentage, so the one it may bring is
    the stored one (as an export wrote it), which keeps its numerator and denominator and changes nothing."""
    try:
        given = Decimal(value.strip())
    except InvalidOperation:
        given = None
    percentage, numerator, denominator = stored[:3] if stored is not None else (None, None, None)
    if percentage is None or numerator is None or denominator is None:
        reason = _(
            "A percentage needs its numerator and denominator; a DHIS2 value carries only the percentage."
        )
        return Conflict(value[:50], reason, property="value")
    if given is not None and given.is_finite() and given == percentage:
        return [None, numerator, denominator, "", None]
    reason = _(
        "A percentage needs its numerator and denominator; a DHIS2 value carries only the percentage, "
        "and this one differs from the stored %(percentage)s."
    ) % {"percentage": format(percentage.normalize(), "f")}
    return Conflict(value[:50], reason, property="value")


def _values(measure: str, value: str, stored_score: Decimal | None = None) -> list[Any] | Conflict:
    """The value, numerator, denominator, text and score cells of a row for a DHIS2 value of `measure` (not a
    percentage: see `_percentage`). A qualitative result's DHIS2 value is its text alone: the row keeps the
    stored score (`stored_score`), so a re-imported export changes nothing and new text leaves the score as it
    was (found by a fresh tester: the score was cleared, and in a locked period the unchanged text refused)."""
    if measure == Measure.YES_NO:
        answer = {"true": "1", "1": "1", "false": "0", "0": "0"}.get(value.strip().lower())
        if answer is None:
            return Conflict(value[:50], _("A yes/no value is true or false."), property="value")
        return [answer, None, None, "", None]
    if measure == Measure.QUALITATIVE:
        return [None, None, None, value, stored_score]
    return [value.strip(), None, None, "", None]


def _row(resolver: _Resolver, raw: RawValue) -> list[Any] | Conflict | None:
    """A results-import row for the value, a Conflict, or None for a value to ignore (empty, or deleted)."""
    if raw.deleted or (raw.value == "" and not (raw.adx and raw.comment)):
        return None
    element = resolver.elements.get(raw.data_element)
    if element is None:
        return Conflict(
            raw.data_element,
            _("No indicator of the programme has this data element."),
            property="dataElement",
        )
    code, measure, own, indicator = element
    if raw.period.startswith("!"):
        return Conflict(
            raw.period[1:], _("Not a monthly, quarterly, six-monthly or yearly period."), property="period"
        )
    partnership = resolver.partnership(raw)
    if isinstance(partnership, Conflict):
        return partnership
    if own is not None and own != partnership:
        return Conflict(
            raw.data_element,
            _("This data element is another partnership's own indicator."),
            property="dataElement",
        )
    option = resolver.option(raw)
    if isinstance(option, Conflict):
        return option
    value, comment = raw.value, raw.comment
    if raw.adx and measure == Measure.QUALITATIVE:
        value, comment = raw.comment, ""  # ADX carries text in the annotation
    if measure == Measure.PERCENTAGE:
        values = _percentage(value, resolver.stored(partnership, indicator, raw.period, option))
    elif measure == Measure.QUALITATIVE:
        stored = resolver.stored(partnership, indicator, raw.period, option)
        values = _values(measure, value, stored[3] if stored else None)
    else:
        values = _values(measure, value)
    if isinstance(values, Conflict):
        return values
    return [resolver.uuid[partnership], raw.period, code, option, *values, comment]


class _Rollback(Exception):
    """Raised inside the import's transaction to undo it (a dry run, or a refused atomic import)."""


@dataclass
class _Pass:
    """One run through the file: the rows handed to the results import, and what was left out on the way."""

    resolver: _Resolver
    skip: set[int]
    conflicts: _Conflicts = field(default_factory=_Conflicts)
    read: int = 0
    ignored: int = 0

    def rows(self, values: Iterator[RawValue], progress: Progress | None) -> Iterator[list[Any]]:
        yield list(HEADER)
        for index, raw in enumerate(values):
            self.read = index + 1
            if progress is not None and self.read % 10_000 == 0:
                progress(self.read)
            row = _row(self.resolver, raw)
            if row is None:
                self.ignored += 1
                yield BLANK
            elif isinstance(row, Conflict):
                self.conflicts.add(Conflict(row.object, row.value, index, row.property))
                yield BLANK
            elif index in self.skip:
                yield BLANK
            else:
                yield row


def _rejected_conflicts(exc: ImportRejected) -> list[Conflict]:
    """The results import's bad rows as conflicts (its row 2 is the file's first value)."""
    return [Conflict(e.value, e.message, e.row - 2, PROPERTY.get(e.column, "value")) for e in exc.row_errors]


def dhis2_import(
    *,
    actor: User,
    programme: Programme,
    opener: Opener,
    fmt: str,
    options: ImportOptions,
    partnership: Partnership | None = None,
    source: str = "DHIS2",
    progress: Progress | None = None,
) -> ImportSummary:
    """Import a DHIS2 file (`opener` opens it afresh each time it is called: the file is read in passes, never
    held) into `programme`'s results, or only `partnership`'s, as `actor`; returns DHIS2's ImportSummary.

    Every value must name a partnership the actor enters data in (else a conflict, as is every value the
    mapping cannot name or the results import refuses). With `options.atomic`, one conflict means nothing is
    written (status ERROR); without it, conflicting values are left out (WARNING). `options.dry_run` writes
    nothing and reports what would happen. A file that cannot be read gives status ERROR and its reason.

    Raises: nothing for the file's content (the summary says it); PermissionDenied when the actor enters
    results in no partnership of the programme (or not in `partnership`).
    """
    summary = ImportSummary(options=options)
    if options.strategy not in STRATEGIES:
        return _refused(
            summary,
            ValidationError(
                _("Twinning imports with the strategy CREATE_AND_UPDATE or DELETE only, not %(strategy)s.")
                % {"strategy": options.strategy[:40]}
            ),
        )
    try:
        header, _values_unused = read(opener, fmt)  # the values are read in the passes below
        resolver = _Resolver(actor, programme, partnership, _Schemes.of(options, header))
    except (FileRefused, ValidationError) as exc:
        return _refused(summary, exc)
    if not (resolver.writable if partnership is None else partnership.pk in resolver.writable):
        raise PermissionDenied
    try:
        with transaction.atomic():
            if options.strategy == DELETE:
                _run_delete(actor, opener, fmt, header, resolver, summary, progress)
            else:
                _run(
                    actor, programme, partnership, (opener, fmt, header), resolver, summary, source, progress
                )
            if options.dry_run or summary.status == "ERROR":
                raise _Rollback
    except _Rollback:
        pass
    except FileRefused as exc:
        return _refused(summary, exc)
    _describe(summary)
    return summary


def _refused(summary: ImportSummary, exc: Exception) -> ImportSummary:
    message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    summary.status = "ERROR"
    summary.description = message
    summary.conflicts = [Conflict("file", message)]
    summary.conflict_count = 1
    return summary


def _run(
    actor: User,
    programme: Programme,
    partnership: Partnership | None,
    file: tuple[Opener, str, Header],
    resolver: _Resolver,
    summary: ImportSummary,
    source: str,
    progress: Progress | None,
) -> None:
    """The import's passes, inside its transaction: one in atomic mode; in per-value mode, again without the
    values the results import refused, until it takes the rest (each attempt in a savepoint)."""
    skip: set[int] = set()
    rejected: list[Conflict] = []
    rejected_count = 0
    for _attempt in range(MAX_PASSES):
        current = _Pass(resolver, skip)
        try:
            with transaction.atomic():
                outcome: ImportOutcome | None = results_import(
                    actor=actor,
                    rows=current.rows(read_values(*file), progress),
                    programme=programme,
                    partnership=partnership,
                    source=source[:100],
                )
        except ImportRejected as exc:
            outcome = None
            found = _rejected_conflicts(exc)
            rejected.extend(found)
            rejected_count += exc.total_errors
            if summary.options.atomic or not found:
                break
            skip |= {c.index for c in found if c.index is not None}
            continue
        except PermissionDenied:
            outcome = None
            current.conflicts.add(Conflict("file", _("You may not enter results for these partnerships.")))
        break
    _count(summary, current, outcome, rejected, rejected_count)


def _count(
    summary: ImportSummary,
    current: _Pass,
    outcome: ImportOutcome | None,
    rejected: list[Conflict],
    rejected_count: int,
) -> None:
    summary.read = current.read
    summary.conflicts = (current.conflicts.kept + rejected)[:MAX_CONFLICTS]
    summary.conflict_count = current.conflicts.count + rejected_count
    written = outcome is not None and (not summary.options.atomic or not summary.conflict_count)
    # As DHIS2 counts: every value read is imported, updated, deleted or ignored, and a value with a conflict
    # is one of the ignored (the summary says how many of them had one).
    if not written or outcome is None:
        summary.status = "ERROR"
        summary.ignored = summary.read
        return
    summary.imported = outcome.created
    summary.updated = outcome.updated
    summary.ignored = max(0, summary.read - outcome.created - outcome.updated)
    summary.status = "WARNING" if summary.conflict_count else "SUCCESS"


def _place(resolver: _Resolver, raw: RawValue) -> tuple[int, int, str] | Conflict:
    """The (partnership, indicator, option key) a value names, or its Conflict (for a deletion)."""
    element = resolver.elements.get(raw.data_element)
    if element is None:
        return Conflict(
            raw.data_element,
            _("No indicator of the programme has this data element."),
            property="dataElement",
        )
    _code, _measure, own, indicator = element
    if raw.period.startswith("!"):
        return Conflict(
            raw.period[1:], _("Not a monthly, quarterly, six-monthly or yearly period."), property="period"
        )
    partnership = resolver.partnership(raw)
    if isinstance(partnership, Conflict):
        return partnership
    if own is not None and own != partnership:
        return Conflict(
            raw.data_element,
            _("This data element is another partnership's own indicator."),
            property="dataElement",
        )
    option = resolver.option(raw)
    if isinstance(option, Conflict):
        return option
    return partnership, indicator, option


def _delete_one(
    actor: User, programme: Programme, raw: RawValue, place: tuple[int, int, str], options: dict[str, int]
) -> bool | Conflict:
    """Delete the stored result a value names through the results service (access, the plan in force, and the
    lock of submitted and approved periods checked there, the deletion audited); False when none is stored."""
    partnership, indicator, key = place
    option: int | None = None
    if key:
        if key not in options:
            category, code = key.split(":", 1)
            found = DisaggregationOption.objects.filter(
                category__programme=programme, category__code=category, code=code
            ).values_list("pk", flat=True)
            options[key] = next(iter(found), 0)
        option = options[key] or None
    result = (
        Result.objects.filter(
            partnership_id=partnership, indicator_id=indicator, period=raw.period, option_id=option
        )
        .select_related("option")
        .first()
    )
    if result is None:
        return False
    adoption = (
        PlanIndicator.objects.filter(
            plan__partnership_id=partnership, plan__agreed_at__isnull=False, indicator_id=indicator
        )
        .select_related("plan__partnership", "indicator")
        .order_by("-plan__number")
        .first()
    )
    if adoption is None:
        return Conflict(
            raw.data_element,
            _(
                "This indicator is not in the partnership's plan in force, so its values cannot be deleted here."
            ),
            property="dataElement",
        )
    try:
        result_save(
            actor=actor,
            plan_indicator=adoption,
            period=raw.period,
            option=result.option,
            values={},
            expected_version=result.version,
        )
    except (ValidationError, PermissionDenied) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else _("You may not delete it.")
        return Conflict(raw.period, reason, property="period")
    return True


def _run_delete(
    actor: User,
    opener: Opener,
    fmt: str,
    header: Header,
    resolver: _Resolver,
    summary: ImportSummary,
    progress: Progress | None,
) -> None:
    """DHIS2's importStrategy=DELETE, inside the import's transaction: each value names a stored result, which
    is deleted through `monitoring.services.result_save` (a blank value deletes), one at a time in its own
    savepoint, so a refused one (a submitted or approved period, no data entry right) is a conflict and never
    deleted. The value's own figure does not matter, as in DHIS2; a value with nothing stored is ignored."""
    conflicts = _Conflicts()
    options: dict[str, int] = {}
    read_count = deleted = 0
    for index, raw in enumerate(read_values(opener, fmt, header)):
        read_count = index + 1
        if progress is not None and read_count % 10_000 == 0:
            progress(read_count)
        place = _place(resolver, raw)
        done = (
            place
            if isinstance(place, Conflict)
            else _delete_one(actor, resolver.programme, raw, place, options)
        )
        if isinstance(done, Conflict):
            conflicts.add(Conflict(done.object, done.value, index, done.property))
        elif done:
            deleted += 1
    summary.read = read_count
    summary.conflicts = conflicts.kept
    summary.conflict_count = conflicts.count
    if summary.options.atomic and conflicts.count:
        summary.status = "ERROR"
        summary.ignored = read_count
        return
    summary.deleted = deleted
    summary.ignored = read_count - deleted
    summary.status = "WARNING" if conflicts.count else "SUCCESS"


def ignored_text(ignored: int, conflicts: int) -> str:
    """How many values were ignored and how many of those had a conflict, as DHIS2 counts them."""
    return ngettext(
        "Ignored: %(ignored)s (%(conflicts)s with a conflict).",
        "Ignored: %(ignored)s (%(conflicts)s with a conflict).",
        conflicts,
    ) % {"ignored": ignored, "conflicts": conflicts}


def _describe(summary: ImportSummary) -> None:
    counts = {
        "imported": summary.imported,
        "updated": summary.updated,
        "deleted": summary.deleted,
        "conflicts": summary.conflict_count,
    }
    if summary.status == "ERROR":
        text = (
            ngettext(
                "Nothing was imported: %(conflicts)s conflict. Correct it, or import in per-value mode to leave it out.",
                "Nothing was imported: %(conflicts)s conflicts. Correct them, or import in per-value mode to leave them out.",
                summary.conflict_count,
            )
            % counts
        )
    elif summary.status == "WARNING":
        text = (
            _(
                "Per-value mode, values with a conflict were left out: %(imported)s imported, %(updated)s updated, %(deleted)s deleted."
            )
            % counts
        )
    elif summary.read and not (summary.imported or summary.updated or summary.deleted):
        # A success that changed nothing says so, and why, rather than "0 imported, 0 updated, 0 deleted".
        summary.description = f"{_unchanged_text(summary.options)} {summary.ignored_text}"
        return
    else:
        text = _("%(imported)s imported, %(updated)s updated, %(deleted)s deleted.") % counts
    text = f"{text} {summary.ignored_text}"
    if summary.options.dry_run:
        text = _("Dry run, nothing was written. %(what)s") % {"what": text}
    summary.description = text


def _unchanged_text(options: ImportOptions) -> str:
    if options.strategy == "DELETE":
        if options.dry_run:
            return _("Importing this file would delete nothing: none of its values is recorded.")
        return _("Nothing changed: none of the file's values is recorded, so there was nothing to delete.")
    if options.dry_run:
        return _("Importing this file would change nothing: every value in it is already recorded.")
    return _("Nothing changed: every value in the file is already recorded.")
