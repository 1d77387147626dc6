"""Results spreadsheets: the XLSX template for a partnership and period, and the validating import.

Files are read through `twinning.core.uploads` (bounded: archive checked before parsing, rows streamed up to a
limit, cells capped). Every value is typed and checked as the entry form and the API check it, the model's
field rules included. Every bad row is reported (row, column, value, why) and nothing is written unless all
rows are good. The import never undoes newer work: the template carries each value's version; a row whose
value was changed by someone after the download is kept as they left it and reported as a conflict, and a row
equal to the stored value is left alone (its version is kept), so uploading the same file twice changes
nothing.

Validated rows go to a temporary table as they are read (COPY on PostgreSQL: bulk_create reaches only a tenth
of its speed) and are then read back beside the stored values one indicator-period group at a time, so memory
does not grow with the file (issue 14). New results are written with one INSERT … SELECT and changed ones with
one UPDATE … FROM that skips any row saved meanwhile. Both databases run the same code.
"""

import dataclasses
import datetime
import itertools
import logging
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.accounts.access import (
    in_data_entry_partnerships,
    is_programme_editor,
    partnership_access,
    require,
)
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import changes_recorded
from twinning.core.dates import local_today
from twinning.core.rendering import labelled
from twinning.core.services import create_with_audit
from twinning.core.spreadsheets import Sheet, workbook_bytes
from twinning.core.uploads import cell_number, cell_text, read_table
from twinning.monitoring import progress
from twinning.monitoring.models import ImportJob, PeriodReport, Result
from twinning.monitoring.services import clean_result_values
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import partnership_zones
from twinning.planning.models import DisaggregationOption, Indicator, Plan, PlanIndicator
from twinning.planning.periods import Period, parse_period, period_label

COLUMNS = [
    "partnership",
    "period",
    "indicator",
    "option",
    "value",
    "numerator",
    "denominator",
    "text",
    "score",
    "comment",
    "version",
]
REQUIRED = ["period", "indicator"]
VALUE_COLUMNS = ("value", "numerator", "denominator", "text", "score")
INFO_COLUMNS = ["indicator name", "measure", "unit", "target"]
MAX_ERRORS = 1000
MAX_ROWS = 20_000
# Files up to this size (a filled template of one period is tens of kilobytes) are imported during the
# request, so the person sees the outcome at once; larger ones go to the task worker (issue 10, finding 1).
INLINE_BYTES = 256 * 1024
LIMIT = Decimal(10) ** 14
CHUNK = 20_000
MAX_PERIODS = 10_000  # periods parsed and kept by one import (a plan of 10 years has 3,650 days)
PROGRESS_EVERY = 1000
Progress = Callable[[int], None]
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    message: str


class ImportRejected(ValidationError):
    """The file has bad rows; nothing was written."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        self.row_errors = errors
        self.total_errors = total
        super().__init__(
            _("%(count)s problem(s) found; nothing was imported. Correct the rows below and upload again.")
            % {"count": total},
            code="import_rejected",
        )


@dataclass(frozen=True)
class RowConflict:
    """A row left alone because the stored value is newer than the one the person started from."""

    row: int
    label: str  # indicator code, option and period
    message: str


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    reports: int = 0
    conflict_count: int = 0
    conflicts: list[RowConflict] = field(default_factory=list)


@dataclass
class _Target:
    """What a row may name in one partnership: its plan in force's indicators and their options."""

    plan: Plan
    # code -> (indicator id, measure, frequency, options by code)
    indicators: dict[str, tuple[int, str, str, dict[str, int]]] = field(default_factory=dict)


def outcome_summary(outcome: ImportOutcome) -> str:
    """One line saying what an import did, for the page and the job record."""
    return _(
        "Imported: %(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(conflicts)s conflicts, "
        "%(skipped)s blank rows skipped."
    ) % {
        "created": outcome.created,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "conflicts": outcome.conflict_count,
        "skipped": outcome.skipped,
    }


# --- validation and writing ------------------------------------------------------------------------------


def _number(value: Any, locale: str | None, limit: Decimal = LIMIT) -> Decimal | None:
    """Every number cell of a results file goes through here: the product's one number parser, in the
    uploader's locale for text cells (a Portuguese CSV says `12,5`)."""
    return cell_number(value, limit=limit, locale=locale)


@dataclass(frozen=True)
class _Scope:
    """What one import may touch and how it reads: the partnerships, the one named (and its period), today's
    date for "has the period started" (None: each partnership's local date), and the locale numbers typed as
    text are read in."""

    allowed: list[Partnership]
    partnership: Partnership | None
    period: str | None
    today: datetime.date | None
    locale: str | None


def _targets_for(partnerships: list[Partnership]) -> dict[str, tuple[Partnership, _Target]]:
    """Plan in force of each partnership with its indicators by code (4 queries whatever the count)."""
    ids = [p.pk for p in partnerships]
    plans: dict[int, Plan] = {}
    for plan in Plan.objects.filter(partnership_id__in=ids, agreed_at__isnull=False).order_by(
        "partnership_id", "-number"
    ):
        plans.setdefault(plan.partnership_id, plan)
    targets = {pid: _Target(plan) for pid, plan in plans.items()}
    by_plan = {plan.pk: targets[pid] for pid, plan in plans.items()}
    adoptions = list(
        PlanIndicator.objects.filter(plan_id__in=by_plan).values_list(
            "plan_id", "indicator_id", "indicator__code", "indicator__measure", "indicator__frequency"
        )
    )
    indicator_ids = {row[1] for row in adoptions}
    options: dict[int, dict[str, int]] = {}
    through = Indicator.categories.through
    category_options: dict[int, list[tuple[str, str, int]]] = {}
    from twinning.planning.models import DisaggregationOption

    for option_id, code, category_id, category_code in (
        DisaggregationOption.objects.filter(category__indicators__in=indicator_ids)
        .distinct()
        .values_list("pk", "code", "category_id", "category__code")
    ):
        category_options.setdefault(category_id, []).append((code, category_code, option_id))
    for indicator_id, category_id in through.objects.filter(indicator_id__in=indicator_ids).values_list(
        "indicator_id", "disaggregationcategory_id"
    ):
        found = options.setdefault(indicator_id, {})
        for code, category_code, option_id in category_options.get(category_id, []):
            found[f"{category_code}:{code}"] = option_id
            found.setdefault(code, option_id)
    for plan_id, indicator_id, code, measure, frequency in adoptions:
        by_plan[plan_id].indicators[code] = (indicator_id, measure, frequency, options.get(indicator_id, {}))
    return {str(p.uuid): (p, targets[p.pk]) for p in partnerships if p.pk in targets}


def _allowed_partnerships(actor: User, programme: Programme, only: Partnership | None) -> list[Partnership]:
    qs = Partnership.objects.filter(programme=programme)
    if only is not None:
        qs = qs.filter(pk=only.pk)
    if not is_programme_editor(actor, programme.pk):
        qs = qs.filter(in_data_entry_partnerships(actor, via=""))
    return list(qs)


def _escape(text: str) -> str:
    if not text:
        return ""
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def results_import(
    *,
    actor: User,
    rows: Iterable[list[Any]],
    programme: Programme,
    partnership: Partnership | None = None,
    period: str | None = None,
    source: str = "upload",
    today: datetime.date | None = None,
    locale: str | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Validate every row, then create or update the results in one transaction; ImportRejected lists the bad rows.

    `rows` starts with the header (as `twinning.core.uploads.read_table` gives them). With `partnership` (and
    `period`) given, every row must be of that partnership (and period); a blank partnership or period cell
    means that one. Rows equal to the stored values are counted as unchanged and not written; rows naming a
    version older than the stored one are counted as conflicts and not written. Numbers typed as text are
    read as `locale` writes them (None: the machine form, `12.5`). `progress`, if given, is
    called with the number of rows read so far. Raises PermissionDenied, ValidationError for a file-level
    problem, ImportRejected for bad rows.
    """
    if partnership is not None:
        require(partnership_access(actor, partnership).can_enter_data)
    allowed = _allowed_partnerships(actor, programme, partnership)
    if not allowed:
        raise PermissionDenied
    with transaction.atomic():
        scope = _Scope(allowed, partnership, period, today, locale)
        outcome, touched = _import(actor, iter(rows), scope, progress)
        _audit(actor, touched, outcome, source)
    return outcome


def _import(
    actor: User, rows: Iterator[list[Any]], scope: _Scope, progress: Progress | None
) -> tuple[ImportOutcome, set[tuple[int, str]]]:
    """Check every row, then write what changed; returns the outcome and the (partnership, period) written.

    Good rows go to a temporary table as they are read (`_Stage`); the stored values are then read beside them
    one indicator-period group at a time (`_Pass`). Neither the file nor the stored results are held in memory,
    so a million-value import runs in the memory of a small one (issue 14, "Streaming").
    """
    check = _RowChecker(_header_index(next(rows, None)), scope)
    stage = _Stage(actor, timezone.now())
    line = 1
    for row in rows:
        line += 1
        checked = check.row(line, row)
        if checked is not None:
            stage.add(checked, check.locked(checked.key))
        if progress is not None and line % PROGRESS_EVERY == 0:
            progress(line - 1)
    stage.flush()
    plan = _Pass(check, stage)
    plan.run()
    if check.error_count:
        raise ImportRejected(sorted(check.errors, key=lambda e: e.row), check.error_count)
    plan.outcome.updated, stale = stage.write(plan.outcome.updated)
    for stale_line, label in stale:
        plan.conflict(
            stale_line, label, _("Someone changed this value while the file was imported; theirs is kept.")
        )
    stage.close()
    plan.outcome.conflicts.sort(key=lambda c: c.row)
    plan.outcome.skipped = check.skipped
    plan.outcome.reports = _ensure_reports(plan.touched, check.reports)
    return plan.outcome, plan.touched


def _breakdown_problems(
    group: tuple[int, int, str],
    values: dict[int | None, tuple[Any, ...]],
    rule: tuple[str, str],
    names: dict[int, tuple[str, str]],
) -> list[tuple[str, str]]:
    """Where one indicator-period's breakdown would disagree with its total once the file is written, as
    (column, message): the rule every door applies (progress.breakdown_problems, as the entry form and the API
    check each save; the complete-breakdown equality is checked at submission there and here alike).

    `group` is (partnership id, indicator id, period); `values` what the group will hold by option (None: the
    total), each (value, numerator, denominator, …); `rule` the indicator's (measure, breakdown rule); `names`
    each option's (category, name). Raises: nothing.
    """
    if len(values) < 2 or None not in values:
        return []  # no total, or no breakdown: nothing to compare (a breakdown alone derives its total)
    measure, breakdown = rule
    total_values = values[None]
    total = progress.Value(group[2], total_values[0], total_values[1], total_values[2])
    parts = [
        progress.Part(*names[o], v[0], v[1], v[2])
        for o, v in sorted(values.items(), key=lambda i: i[0] or 0)
        if o is not None
    ]
    return list(progress.breakdown_problems(measure, breakdown, total, parts))


def _header_index(header: list[Any] | None) -> dict[str, int]:
    if header is None:
        raise ValidationError(_("The file is empty."))
    names = [cell_text(h).lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ValidationError(
            _("Columns missing from the header row: %(names)s.") % {"names": ", ".join(missing)}
        )
    return {c: names.index(c) for c in COLUMNS if c in names}


class _Checked(NamedTuple):
    """A good row: where it goes, the version the person saw (if the file says), and the values (a tuple: one
    is made per row, and a frozen dataclass takes several times as long to build)."""

    line: int
    key: tuple[int, int, str, int | None]  # partnership, indicator, period, option
    seen_version: int | None
    values: tuple[Any, ...]  # value, numerator, denominator, text, score, comment
    label: str  # "HW1 sex:female 2024Q1", for the conflict report


class _RowChecker:
    """Validates rows one by one against what the actor may enter; collects every error."""

    def __init__(self, index: dict[str, int], scope: _Scope) -> None:
        allowed, scope_period = scope.allowed, scope.period
        self.index = index
        self.width = max(index.values()) + 1
        # Positions looked up once, not per row (None: the file has no such column).
        self.at = {c: index.get(c) for c in COLUMNS}
        self.value_positions = [index[c] for c in VALUE_COLUMNS if c in index]
        # The model's rules for the text fields, run on every row.
        self.text_fields = [(name, Result._meta.get_field(name)) for name in ("text", "comment")]
        self.targets = _targets_for(allowed)
        # Indicators whose numbers may be negative (a change), and those counted in whole numbers (one query).
        self.negative_ok: set[int] = set()
        self.whole_only: set[int] = set()
        for pk, allows_negative, whole_numbers in Indicator.objects.filter(
            pk__in={i[0] for _p, t in self.targets.values() for i in t.indicators.values()}
        ).values_list("pk", "allows_negative", "whole_numbers"):
            if allows_negative:
                self.negative_ok.add(pk)
            if whole_numbers:
                self.whole_only.add(pk)
        self.default_partnership = str(scope.partnership.uuid) if scope.partnership is not None else ""
        self.scope_period = scope_period
        # "Has the period started" is asked on each partnership's own date (its host's time zone).
        zones = partnership_zones([p.pk for p in allowed]) if scope.today is None else {}
        self.today = {p.pk: scope.today or local_today(zones.get(p.pk, "")) for p in allowed}
        self.locale = scope.locale
        self.reports = {
            (r.partnership_id, r.period): r.status
            for r in PeriodReport.objects.select_for_update().filter(partnership__in=allowed)
        }
        self.periods: dict[str, Period] = {}
        self.errors: list[RowError] = []
        self.error_count = 0
        self.skipped = 0
        indicator_ids = {i[0] for _p, t in self.targets.values() for i in t.indicators.values()}
        # What the breakdown check needs of each indicator and option (bounded by the plans, not the file).
        self.rules: dict[int, tuple[str, str, str]] = {
            pk: (code, measure, breakdown)
            for pk, code, measure, breakdown in Indicator.objects.filter(pk__in=indicator_ids).values_list(
                "pk", "code", "measure", "breakdown"
            )
        }
        option_ids = {
            o for _p, t in self.targets.values() for i in t.indicators.values() for o in i[3].values()
        }
        self.option_names: dict[int, tuple[str, str]] = {
            pk: (category, name)
            for pk, category, name in DisaggregationOption.objects.filter(pk__in=option_ids).values_list(
                "pk", "category__name", "name"
            )
        }

    def bad(self, row: int, column: str, value: Any, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, cell_text(value)[:100], message))

    def locked(self, key: tuple[int, int, str, int | None]) -> bool:
        """Whether the row's period is submitted or approved: it then refuses a change, not its own values given
        back (a re-imported export), which `_Pass` tells apart once it has read the stored value."""
        status = self.reports.get((key[0], key[2]))
        return status is not None and status not in PeriodReport.EDITABLE

    def cell(self, row: list[Any], column: str) -> Any:
        position = self.at[column]
        return row[position] if position is not None else None

    def row(self, line: int, row: list[Any]) -> _Checked | None:
        """The checked row, or None when it is blank or bad (then reported through `bad`)."""
        if len(row) < self.width:
            row = [*row, *([None] * (self.width - len(row)))]
        for position in self.value_positions:
            given = row[position]
            if given is not None and given != "":
                break
        else:  # no value given
            if any(v not in (None, "") for v in row):
                self.skipped += 1  # a template row left blank
            return None
        where = self._where(line, row)
        if where is None:
            return None
        key, measure, label = where
        values = self._values(line, row, measure, key[1] in self.negative_ok, key[1] in self.whole_only)
        if values is None:
            return None
        raw_version = self.cell(row, "version")
        seen_version = None
        if raw_version not in (None, ""):
            try:
                number = _number(raw_version, None, Decimal(2**31))
                seen_version = int(number) if number is not None and number == int(number) else None
            except ValidationError:
                pass
            if seen_version is None or seen_version < 1:
                self.bad(line, "version", raw_version, _("Leave the version as the template gave it."))
                return None
        return _Checked(line, key, seen_version, values, label)

    def _where(self, line: int, row: list[Any]) -> tuple[tuple[int, int, str, int | None], str, str] | None:
        """(Partnership, indicator, period, option), measure and a label of the row, or None if bad."""
        p_key = cell_text(self.cell(row, "partnership")) or self.default_partnership
        found = self.targets.get(p_key)
        if found is None:
            self.bad(
                line, "partnership", p_key, _("Not a partnership you can enter results for (give its UUID).")
            )
            return None
        _partnership, target = found
        partnership_id = target.plan.partnership_id  # not `partnership.pk`, a property: this runs once a row
        period_id = cell_text(row[self.index["period"]]) or self.scope_period or ""
        if self.scope_period and period_id != self.scope_period:
            self.bad(
                line,
                "period",
                period_id,
                _("This upload is for %(period)s only.") % {"period": period_label(self.scope_period)},
            )
            return None
        parsed = self._period(period_id)
        if parsed is None:
            self.bad(
                line,
                "period",
                period_id,
                _("Not a reporting period; use e.g. 2024, 2024S1, 2024Q1 or 202401."),
            )
            return None
        code = cell_text(row[self.index["indicator"]])
        adopted = target.indicators.get(code)
        if adopted is None:
            self.bad(line, "indicator", code, _("Not an indicator of this partnership's agreed plan."))
            return None
        indicator_id, measure, frequency, options = adopted
        if parsed.frequency != frequency:
            self.bad(
                line,
                "period",
                period_id,
                _("%(code)s is not reported for periods like %(period)s.")
                % {"code": code, "period": period_label(period_id)},
            )
            return None
        if (
            not target.plan.first_year <= parsed.year <= target.plan.last_year
            or parsed.start > self.today[partnership_id]
        ):
            self.bad(
                line,
                "period",
                period_id,
                _("%(period)s is not a period of the plan that has started.")
                % {"period": period_label(period_id)},
            )
            return None
        option_code = cell_text(self.cell(row, "option"))
        option_id = None
        if option_code:
            option_id = options.get(option_code)
            if option_id is None:
                self.bad(line, "option", option_code, _("Not a breakdown of %(code)s.") % {"code": code})
                return None
        label = " ".join(filter(None, (code, option_code, period_id)))
        return (partnership_id, indicator_id, period_id, option_id), measure, label

    def _period(self, period_id: str) -> Period | None:
        """The period `period_id` names, or None; periods read are kept (up to MAX_PERIODS: a file naming a
        million different ones must not hold them all), mistakes are not (they are few, and unbounded)."""
        parsed = self.periods.get(period_id)
        if parsed is None:
            try:
                parsed = parse_period(period_id)
            except ValueError:
                return None
            if len(self.periods) < MAX_PERIODS:
                self.periods[period_id] = parsed
        return parsed

    def _values(
        self, line: int, row: list[Any], measure: str, allows_negative: bool, whole_numbers: bool
    ) -> tuple[Any, ...] | None:
        """The typed values of a row, checked as the entry form and the API check them, or None if bad."""
        numbers: dict[str, Decimal | None] = {}
        failed = False
        for name in ("value", "numerator", "denominator", "score"):
            given = self.cell(row, name)
            if given is None:  # most cells of a row: only the measure's own are filled in
                numbers[name] = None
                continue
            try:
                numbers[name] = _number(given, self.locale)
            except ValidationError as exc:
                self.bad(line, name, given, " ".join(exc.messages))
                failed = True
        if failed:
            return None
        text = cell_text(self.cell(row, "text"))
        try:
            cleaned = clean_result_values(
                measure,
                {**numbers, "text": text},
                allows_negative=allows_negative,
                whole_numbers=whole_numbers,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.bad(line, name, self.cell(row, name), " ".join(messages))
            return None
        comment = cell_text(self.cell(row, "comment"))
        if "\x00" in comment:
            self.bad(line, "comment", "", _("Text may not contain NUL (0x00) characters."))
            return None
        # The model's own field rules (lengths and the like), whatever door the value comes through.
        for (name, model_field), value in zip(
            self.text_fields, (cleaned.get("text", ""), comment), strict=True
        ):
            if not value:
                continue  # Field.run_validators passes blank values
            try:
                model_field.run_validators(value)  # type: ignore[union-attr]
            except ValidationError as exc:
                self.bad(line, name, value, " ".join(exc.messages))
                return None
        if not cleaned:
            return None
        return (
            cleaned["value"],
            cleaned["numerator"],
            cleaned["denominator"],
            cleaned["text"],
            cleaned["score"],
            comment,
        )


STAGE = "monitoring_import_stage"
DECIDED = "monitoring_import_decided"
STAGE_COLUMNS = (
    "line, partnership_id, indicator_id, period, option_id, seen_version, locked, value, numerator, denominator, "
    "text, score, comment, label"
)
NUMBER_COLUMNS = ("value", "numerator", "denominator", "text", "score", "comment")
FETCH = 5000
_CURSORS = itertools.count()


class _Stage:
    """The file's good rows in a temporary table, then what the import decided for each, then the writes.

    Rows are (line, partnership id, indicator id, period, option id, version seen, locked, value, numerator,
    denominator, text, score, comment, label); numbers are kept as their exact text (SQLite would turn a
    NUMERIC into a float). `decided` holds (line, stored result id, its version read): no id means a new result.
    COPY on PostgreSQL, executemany on SQLite; the writes are one INSERT … SELECT and one UPDATE … FROM.
    The tables live only in this import's transaction (a rolled-back import takes them with it).
    """

    def __init__(self, actor: User, now: datetime.datetime) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.actor_id = getattr(actor, "pk", None)
        self.now = connection.ops.adapt_datetimefield_value(now)
        # Lines of COPY's text format on PostgreSQL, tuples for executemany elsewhere.
        self.rows: list[Any] = []
        self.decisions: list[Any] = []
        drop = " ON COMMIT DROP" if self.postgres else ""
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
            cursor.execute(f"DROP TABLE IF EXISTS {DECIDED}")
            cursor.execute(
                f"CREATE TEMP TABLE {STAGE} (line integer NOT NULL, partnership_id bigint NOT NULL, "
                "indicator_id bigint NOT NULL, period varchar(8) NOT NULL, option_id bigint, seen_version integer, "
                "locked smallint NOT NULL, value text, numerator text, denominator text, text text NOT NULL, "
                f"score text, comment text NOT NULL, label text NOT NULL){drop}"
            )
            cursor.execute(
                f"CREATE TEMP TABLE {DECIDED} (line integer NOT NULL, result_id bigint, result_version integer){drop}"
            )

    def add(self, row: "_Checked", locked: bool) -> None:
        value, numerator, denominator, text, score, comment = row.values
        partnership_id, indicator_id, period, option_id = row.key
        if self.postgres:
            # COPY's text format, written out (NULL as \\N): ids and numbers need no escaping, texts do (`_escape`).
            self.rows.append(
                f"{row.line}\t{partnership_id}\t{indicator_id}\t{_escape(period)}\t"
                f"{NULL if option_id is None else option_id}\t"
                f"{NULL if row.seen_version is None else row.seen_version}\t{1 if locked else 0}\t"
                f"{NULL if value is None else str(value)}\t{NULL if numerator is None else str(numerator)}\t"
                f"{NULL if denominator is None else str(denominator)}\t{_escape(text)}\t"
                f"{NULL if score is None else str(score)}\t{_escape(comment)}\t{_escape(row.label)}\n"
            )
        else:
            self.rows.append(
                (
                    row.line,
                    partnership_id,
                    indicator_id,
                    period,
                    option_id,
                    row.seen_version,
                    int(locked),
                    _text(value),
                    _text(numerator),
                    _text(denominator),
                    text,
                    _text(score),
                    comment,
                    row.label,
                )
            )
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        self.rows = self._put(STAGE, self.rows)

    def decide(self, line: int, stored: "_Stored | None") -> None:
        """Record that the row at `line` is to be written: new (no `stored`) or over the stored value read."""
        if self.postgres:
            self.decisions.append(
                f"{line}\t\\N\t\\N\n" if stored is None else f"{line}\t{stored.pk}\t{stored.version}\n"
            )
        else:
            self.decisions.append((line, None, None) if stored is None else (line, stored.pk, stored.version))
        if len(self.decisions) >= CHUNK:
            self.decisions = self._put(DECIDED, self.decisions)

    def _put(self, table: str, rows: list[Any]) -> list[Any]:
        """Write `rows` to `table` and return an empty list: on PostgreSQL lines of COPY's text format, ready
        written by `add` and `decide`; elsewhere tuples."""
        if not rows:
            return rows
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write("".join(rows))
            else:
                marks = ", ".join(["%s"] * len(rows[0]))
                cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
        return []

    def ordered(self) -> Iterator[tuple[Any, ...]]:
        """The staged rows by partnership, indicator, period, option and line: one group after another."""
        return _read(
            f"SELECT {STAGE_COLUMNS} FROM {STAGE} ORDER BY partnership_id, indicator_id, period{_binary()}, "
            "COALESCE(option_id, 0), line"
        )

    def stored(self) -> Iterator[tuple[Any, ...]]:
        """The stored results of the groups the file names, in the same order as `ordered`: (id, version,
        partnership id, indicator id, period, option id, value, numerator, denominator, text, score, comment),
        numbers as text."""
        number = "CAST(r.{} AS TEXT)"
        return _read(
            "SELECT r.id, r.version, r.partnership_id, r.indicator_id, r.period, r.option_id, "
            f"{number.format('value')}, {number.format('numerator')}, {number.format('denominator')}, r.text, "
            f"{number.format('score')}, r.comment FROM monitoring_result r JOIN (SELECT DISTINCT partnership_id, "
            f"indicator_id, period FROM {STAGE}) g ON r.partnership_id = g.partnership_id AND "
            "r.indicator_id = g.indicator_id AND r.period = g.period "
            f"ORDER BY r.partnership_id, r.indicator_id, r.period{_binary()}, COALESCE(r.option_id, 0)"
        )

    def write(self, updates: int) -> tuple[int, list[tuple[int, str]]]:
        """Write what was decided: the new results, then the changed ones still at the version read (a value
        saved meanwhile is never overwritten). Returns (results updated, [(line, label)] of the rows whose value
        moved on meanwhile, at most MAX_ERRORS)."""
        self.decisions = self._put(DECIDED, self.decisions)
        numeric = "CAST(s.{0} AS numeric)" if self.postgres else "s.{0}"
        values = ", ".join(
            f"{numeric.format(c)} AS {c}" if c not in ("text", "comment") else f"s.{c} AS {c}"
            for c in NUMBER_COLUMNS
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO monitoring_result (version, created_at, updated_at, partnership_id, indicator_id, "
                "period, option_id, value, numerator, denominator, text, score, comment, entered_by_id) "
                f"SELECT 1, %s, %s, s.partnership_id, s.indicator_id, s.period, s.option_id, {values}, %s "
                f"FROM {STAGE} s JOIN {DECIDED} d ON d.line = s.line WHERE d.result_id IS NULL",
                [self.now, self.now, self.actor_id],
            )
            if not updates:
                return 0, []
            assignments = ", ".join(f"{c} = u.{c}" for c in NUMBER_COLUMNS)
            cursor.execute(
                f"UPDATE monitoring_result SET {assignments}, version = monitoring_result.version + 1, "
                "updated_at = %s, entered_by_id = %s "
                f"FROM (SELECT d.result_id, d.result_version, {values} "
                f"FROM {STAGE} s JOIN {DECIDED} d ON d.line = s.line WHERE d.result_id IS NOT NULL) u "
                "WHERE monitoring_result.id = u.result_id AND monitoring_result.version = u.result_version",
                [self.now, self.actor_id],
            )
            done = cursor.rowcount
            if done == updates:
                return done, []
            cursor.execute(
                f"SELECT s.line, s.label FROM {STAGE} s JOIN {DECIDED} d ON d.line = s.line "
                "LEFT JOIN monitoring_result r ON r.id = d.result_id "
                "WHERE d.result_id IS NOT NULL AND (r.id IS NULL OR r.version <> d.result_version + 1 "
                "OR r.updated_at <> %s) ORDER BY s.line LIMIT %s",
                [self.now, MAX_ERRORS],
            )
            return done, [(line, label) for line, label in cursor.fetchall()]

    def close(self) -> None:
        # ON COMMIT DROP is not enough: a second import in the same transaction would find the tables there.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {STAGE}")
            cursor.execute(f"DROP TABLE {DECIDED}")


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _number_or_none(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


NULL = "\\N"  # COPY's text format


def _binary() -> str:
    # Both streams must sort periods as Python compares them (byte order), whatever the database's collation.
    return ' COLLATE "C"' if connection.vendor == "postgresql" else ""


def _read(sql: str) -> Iterator[tuple[Any, ...]]:
    """The rows of `sql`, FETCH at a time: a server-side cursor on PostgreSQL (psycopg's ordinary cursor would
    hold the whole answer), SQLite's own stepping elsewhere."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        with connection.connection.cursor(name=f"monitoring_import_{next(_CURSORS)}") as cursor:
            cursor.itersize = FETCH
            cursor.execute(sql)
            yield from cursor
        return
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while batch := cursor.fetchmany(FETCH):
            yield from batch


@dataclass(frozen=True)
class _Stored:
    pk: int
    version: int
    values: tuple[Any, ...]  # value, numerator, denominator, text, score, comment


class _Pass:
    """One ordered pass over the staged rows beside the stored values, one indicator-period group at a time:
    what the import will write, the rows it leaves alone and why, and the file's remaining row errors (a row
    repeated, a change to a locked period, a breakdown that disagrees with its total).

    A row equal to the stored value is unchanged and not written (its version stays). A row that names the
    version the person downloaded, when the stored value has moved on since, is a conflict: the newer value
    is kept and the row reported (issue 9, section 5). A file without a version column updates as before.
    """

    def __init__(self, check: _RowChecker, stage: _Stage) -> None:
        self.check = check
        self.stage = stage
        self.outcome = ImportOutcome()
        self.touched: set[tuple[int, str]] = set()

    def run(self) -> None:
        stored_groups = _groups(self.stage.stored(), 2)
        pending = next(stored_groups, None)
        for key, rows in _groups(self.stage.ordered(), 1):
            while pending is not None and pending[0] < key:
                pending = next(stored_groups, None)
            stored: dict[int | None, _Stored] = {}
            if pending is not None and pending[0] == key:
                for pk, version, *_where, option, v, n, d, text, score, comment in pending[1]:
                    values = (_number_or_none(v), _number_or_none(n), _number_or_none(d), text)
                    stored[option] = _Stored(pk, version, (*values, _number_or_none(score), comment))
            self._group(key, rows, stored)

    def _group(
        self, key: tuple[int, int, str], rows: list[tuple[Any, ...]], stored: dict[int | None, _Stored]
    ) -> None:
        check = self.check
        written: dict[int | None, tuple[Any, ...]] = {}
        seen: set[int | None] = set()
        last_line = 0
        for line, _p, _i, period, option, seen_version, locked, v, n, d, text, score, comment, label in rows:
            values = (  # as _number_or_none reads them, inline: once a row
                None if v is None else Decimal(v),
                None if n is None else Decimal(n),
                None if d is None else Decimal(d),
                text,
                None if score is None else Decimal(score),
                comment,
            )
            if option in seen:
                check.bad(
                    line,
                    "indicator",
                    label,
                    _("This indicator, period and breakdown appear twice in the file."),
                )
                continue
            seen.add(option)
            found = stored.get(option)
            if locked and (found is None or found.values != values):
                # A locked period refuses a change, not its own values given back (a re-imported export).
                check.bad(
                    line,
                    "period",
                    period,
                    _("The %(period)s results are submitted or approved and locked.")
                    % {"period": period_label(period)},
                )
                continue
            if found is None and seen_version is not None:
                self.conflict(line, label, _("The value was removed after the template was downloaded."))
                continue
            if found is not None and found.values == values:
                self.outcome.unchanged += 1
                continue
            if found is not None and seen_version is not None and seen_version != found.version:
                self.conflict(
                    line,
                    label,
                    _("Someone changed this value after the template was downloaded; theirs is kept."),
                )
                continue
            if found is None:
                self.outcome.created += 1
            else:
                self.outcome.updated += 1
            if not check.error_count:
                self.stage.decide(line, found)
            self.touched.add((key[0], key[2]))
            written[option] = values
            last_line = max(last_line, line)
        if not written or check.error_count:
            return
        will_hold = {**{o: s.values for o, s in stored.items()}, **written}
        names = {o: self._option_name(o) for o in will_hold if o is not None}
        code, measure, breakdown = check.rules[key[1]]
        for column, message in _breakdown_problems(key, will_hold, (measure, breakdown), names):
            check.bad(last_line, column, f"{code} {key[2]}", message)

    def _option_name(self, pk: int) -> tuple[str, str]:
        names = self.check.option_names
        if pk not in names:  # a stored value's option that the plan no longer names
            for found, category, name in DisaggregationOption.objects.filter(pk=pk).values_list(
                "pk", "category__name", "name"
            ):
                names[found] = (category, name)
        return names[pk]

    def conflict(self, line: int, label: str, message: str) -> None:
        self.outcome.conflict_count += 1
        if len(self.outcome.conflicts) < MAX_ERRORS:
            self.outcome.conflicts.append(RowConflict(line, label, message))


def _groups(
    rows: Iterator[tuple[Any, ...]], start: int
) -> Iterator[tuple[tuple[int, int, str], list[tuple[Any, ...]]]]:
    """Consecutive rows with the same (partnership, indicator, period), found at `start` in each row."""
    for key, group in itertools.groupby(rows, key=operator.itemgetter(start, start + 1, start + 2)):
        yield key, list(group)


def _ensure_reports(touched: set[tuple[int, str]], known: dict[tuple[int, str], str]) -> int:
    """Draft reports for the periods the import filled that had none yet."""
    missing = sorted(key for key in touched if key not in known)
    if missing and connection.vendor == "postgresql":
        # One statement, whatever the count: a million-value import can open tens of thousands of reports.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO monitoring_periodreport (uuid, version, created_at, updated_at, partnership_id, period, status, "
                "achievements, challenges, next_steps) "
                "SELECT gen_random_uuid(), 1, now(), now(), p, per, 'draft', '', '', '' "
                "FROM unnest(%s::bigint[], %s::text[]) AS t(p, per) "
                "ON CONFLICT DO NOTHING",
                [[p for p, _ in missing], [period for _, period in missing]],
            )
    elif missing:
        PeriodReport.objects.bulk_create(
            [PeriodReport(partnership_id=p, period=period) for p, period in missing],
            batch_size=1000,
            ignore_conflicts=True,
        )
    return len(touched)


def _audit(actor: User, touched: set[tuple[int, str]], outcome: ImportOutcome, source: str) -> None:
    """One audit event per partnership the import changed, naming its periods (not one per value: an import
    may hold a million)."""
    if not touched:
        return
    periods: dict[int, list[str]] = {}
    for partnership_id, period in touched:
        periods.setdefault(partnership_id, []).append(period)
    partnership_type = ContentType.objects.get_for_model(Partnership)
    titles = dict(Partnership.objects.filter(pk__in=periods).values_list("pk", "title"))
    # The counts, not a sentence: the history words them in the reader's language (core.history.CHANGE_FORMATS).
    summary = {
        "created": outcome.created,
        "updated": outcome.updated,
        "conflicts": outcome.conflict_count,
        "source": source[:100],
    }
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor=actor if getattr(actor, "pk", None) else None,
                action=AuditEvent.Action.UPDATE,
                target_type=partnership_type,
                target_id=str(pk),
                target_repr=titles.get(pk, "")[:300],
                changes={
                    "results imported": [None, summary],
                    "periods": [None, ", ".join(sorted(found))[:2000]],
                },
                reason=_("Results imported"),
            )
            for pk, found in periods.items()
        ],
        batch_size=1000,
    )
    changes_recorded()


# --- the template ------------------------------------------------------------------------------------------


def template_rows(partnership: Partnership, period: Period) -> list[list[Any]]:
    """The rows of the template for one partnership and period: every due indicator, overall and per option."""
    from twinning.monitoring.selectors import entry_page

    page = entry_page(partnership, period)
    rows = []
    for row in page.rows:
        indicator = row.indicator
        option = row.option
        r = row.result
        rows.append(
            [
                str(partnership.uuid),
                period.id,
                indicator.code,
                f"{option.category.code}:{option.code}" if option else "",
                r.value if r and indicator.measure != Indicator.Measure.PERCENTAGE else None,
                r.numerator if r else None,
                r.denominator if r else None,
                r.text if r else "",
                r.score if r else None,
                r.comment if r else "",
                r.version if r else None,
                indicator.shown_name + (f" — {labelled(option.category, option)}" if option else ""),
                indicator.get_measure_display(),  # type: ignore[attr-defined]
                indicator.shown_unit,
                row.target,
            ]
        )
    return rows


def template_workbook(partnership: Partnership, period: Period) -> bytes:
    """The results template as XLSX: a Results sheet (COLUMNS, then INFO_COLUMNS) and a Help sheet."""
    help_lines = [
        _(
            "Fill in value (numbers; 1 or 0 for yes/no), numerator and denominator (percentages) or text and score (qualitative)."
        ),
        _(
            "Leave a row blank to skip it. Do not change the partnership, period, indicator, option or version columns."
        ),
        _(
            "The version tells which value you started from: if someone changes a value after you download this "
            "file, your upload keeps their value and lists the row as a conflict."
        ),
        _("Columns after 'version' are for your information and are ignored on upload."),
        _("Partnership: %(title)s. Period: %(period)s.")
        % {"title": partnership.title, "period": period.label()},
    ]
    return workbook_bytes(
        [
            Sheet(
                "Results",
                [*COLUMNS, *INFO_COLUMNS],
                template_rows(partnership, period),
                widths=[38, 9, 14, 18, 12, 12, 12, 30, 8, 30, 8, 40, 18, 10, 10],
            ),
            Sheet("Help", [], [[line] for line in help_lines], freeze_header=False),
        ]
    )


# --- imports in the background -----------------------------------------------------------------------------


@transaction.atomic
def import_job_create(
    *, actor: User, partnership: Partnership, period: str, upload: Any, locale: str | None = None
) -> ImportJob:
    """Store an uploaded results file and queue its import for the task worker (after the request commits).

    `locale` is how the uploader writes numbers (see `results_import`), kept on the job for the worker.
    Checks the actor may enter results for `partnership` (PermissionDenied) and `period` (ValidationError);
    the import itself checks everything again when it runs, as this actor.
    """
    require(partnership_access(actor, partnership).can_enter_data)
    job = ImportJob(
        partnership=partnership,
        period=period,
        requested_by=actor,
        file=upload,
        source=(upload.name or "")[:100],
        locale=locale or "",
    )
    job = create_with_audit(actor=actor, obj=job, parent=partnership)
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    import_job_task.enqueue(job_id)


def import_job_run(job_id: int) -> None:
    """Run one queued import job as the person who uploaded it, recording the outcome on the job.

    A rejected file (bad rows, unreadable, no longer allowed) is recorded with its reasons; an unexpected error
    is logged and recorded as failed. Either way nothing is imported then, and the stored file is deleted.
    """
    job = (
        ImportJob.objects.select_related("partnership__programme", "requested_by")
        .filter(pk=job_id, status=ImportJob.Status.QUEUED)
        .first()
    )
    if job is None:
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, started_at=timezone.now())
    done: dict[str, Any] = {}
    try:
        if job.requested_by is None:  # the account was removed while the job waited
            raise PermissionDenied
        with job.file.open("rb") as source, _progress_recorder(job.pk) as progress:
            outcome = results_import(
                actor=job.requested_by,
                rows=read_table(source, max_rows=MAX_ROWS),
                programme=job.partnership.programme,
                partnership=job.partnership,
                period=job.period,
                source=job.source,
                locale=job.locale or None,
                progress=progress,
            )
    except ImportRejected as exc:
        rows = [dataclasses.asdict(e) for e in exc.row_errors]
        done = _finished(
            ImportJob.Status.REJECTED, " ".join(exc.messages), errors=rows, total=exc.total_errors
        )
    except (ValidationError, PermissionDenied) as exc:
        messages = (
            exc.messages
            if isinstance(exc, ValidationError)
            else [_("You may no longer enter these results.")]
        )
        done = _finished(ImportJob.Status.REJECTED, " ".join(messages))
    except Exception:  # recorded for the page; the worker must go on with other jobs
        logger.exception("Results import job %s failed", job.pk)
        done = _finished(
            ImportJob.Status.FAILED, _("The import failed and nothing was imported. Try again later.")
        )
    else:
        conflicts = [dataclasses.asdict(c) for c in outcome.conflicts]
        done = _finished(
            ImportJob.Status.DONE, outcome_summary(outcome), conflicts=conflicts, total=outcome.conflict_count
        )
        done["rows_read"] = outcome.created + outcome.updated + outcome.unchanged + outcome.skipped
    finally:
        job.file.delete(save=False)  # the data now lives in the results (or was refused): keep no copy
    ImportJob.objects.filter(pk=job.pk).update(file="", **done)


@task
def import_job_task(job_id: int) -> None:
    """The task worker's entry point (`twinning db_worker`); takes the job's id so the worker reads the current row."""
    import_job_run(job_id)


def _finished(status: str, summary: str, **details: Any) -> dict[str, Any]:
    return {"status": status, "summary": summary, "details": details, "finished_at": timezone.now()}


@contextmanager
def _progress_recorder(job_id: int) -> Iterator[Progress | None]:
    """A callback writing the rows read so far to the job, for the page that polls it.

    The import runs in one transaction, so its own connection's writes stay invisible until the end: the count
    goes through a second connection. On SQLite a second writer would wait for the import's lock, so there the
    page shows "running" without a count.
    """
    if connection.vendor != "postgresql":
        yield None
        return
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    table = ImportJob._meta.db_table

    def record(rows: int) -> None:
        with other.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET rows_read = %s WHERE id = %s", [rows, job_id])

    try:
        yield record
    finally:
        other.close()
