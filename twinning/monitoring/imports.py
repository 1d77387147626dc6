"""Results spreadsheets: the XLSX template for a partnership and period, and the validating import.

The import treats every file as hostile: size and row limits, openpyxl in read-only mode (with defusedxml
installed, openpyxl parses with it), every value typed and checked. Every bad row is reported (row, column,
value, why) and nothing is written unless all rows are good. Uploading again updates the same results.

On PostgreSQL, validated new rows stream straight into the results table through COPY (bulk_create reaches
only a tenth of COPY's speed); rows that already exist are COPYed to a temporary table and updated from it in
one statement. SQLite uses bulk_create and bulk_update. Both run the same validation.
"""

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
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
from twinning.monitoring.models import PeriodReport, Result
from twinning.monitoring.services import clean_result_values
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.models import Indicator, Plan, PlanIndicator
from twinning.planning.periods import Period, parse_period

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
]
REQUIRED = ["period", "indicator"]
INFO_COLUMNS = ["indicator name", "measure", "unit", "target"]
MAX_ERRORS = 1000
LIMIT = Decimal(10) ** 14
Q4 = Decimal("0.0001")


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


@dataclass
class ImportOutcome:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    reports: int = 0


@dataclass
class _Target:
    """What a row may name in one partnership: its plan in force's indicators and their options."""

    plan: Plan
    # code -> (indicator id, measure, frequency, options by code)
    indicators: dict[str, tuple[int, str, str, dict[str, int]]] = field(default_factory=dict)


# --- reading files -------------------------------------------------------------------------------------


def read_table(file: IO[bytes], name: str, *, max_rows: int) -> Iterator[list[Any]]:
    """Rows of an uploaded CSV or XLSX (first sheet) as lists of cell values, header first."""
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        yield from _read_xlsx(file, max_rows)
    elif lower.endswith(".csv"):
        yield from _read_csv(file, max_rows)
    else:
        raise ValidationError(_("Upload an .xlsx or .csv file."))


def _read_csv(file: IO[bytes], max_rows: int) -> Iterator[list[Any]]:
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(text)
    try:
        for number, row in enumerate(reader):
            if number > max_rows:
                raise ValidationError(_("The file has more than %(max)s rows.") % {"max": max_rows})
            yield row
    except UnicodeDecodeError:
        raise ValidationError(_("The CSV file is not UTF-8 text.")) from None
    except csv.Error as exc:
        raise ValidationError(
            _("The CSV file cannot be read: %(error)s") % {"error": str(exc)[:200]}
        ) from None


def _read_xlsx(file: IO[bytes], max_rows: int) -> Iterator[list[Any]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise ValidationError(_("The file is not a valid .xlsx workbook.")) from None
    except Exception as exc:  # defusedxml refusals and other parser errors: hostile or broken input
        raise ValidationError(
            _("The workbook cannot be read safely (%(kind)s).") % {"kind": type(exc).__name__}
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True)):
            if number > max_rows:
                raise ValidationError(_("The file has more than %(max)s rows.") % {"max": max_rows})
            yield list(row)
    finally:
        workbook.close()


# --- validation and writing ------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


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


def _nullable(value: Decimal | None) -> str:
    return "\\N" if value is None else str(value)


def results_import(
    *,
    actor: User,
    rows: Iterable[list[Any]],
    programme: Programme,
    partnership: Partnership | None = None,
    period: str | None = None,
    source: str = "upload",
    today: datetime.date | None = None,
) -> ImportOutcome:
    """Validate every row, then create or update the results in one transaction; ImportRejected lists the bad rows.

    `rows` starts with the header. With `partnership` (and `period`) given, every row must be of that
    partnership (and period); a blank partnership or period cell means that one.
    """
    if partnership is not None:
        require(partnership_access(actor, partnership).can_enter_data)
    allowed = _allowed_partnerships(actor, programme, partnership)
    if not allowed:
        raise PermissionDenied
    with transaction.atomic():
        return _import(
            actor, iter(rows), programme, allowed, partnership, period, source, today or timezone.localdate()
        )


def _import(
    actor: User,
    rows: Iterator[list[Any]],
    programme: Programme,
    allowed: list[Partnership],
    scope: Partnership | None,
    scope_period: str | None,
    source: str,
    today: datetime.date,
) -> ImportOutcome:
    header = next(rows, None)
    if header is None:
        raise ValidationError(_("The file is empty."))
    names = [_cell(h).lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ValidationError(
            _("Columns missing from the header row: %(names)s.") % {"names": ", ".join(missing)}
        )
    index = {c: names.index(c) for c in COLUMNS if c in names}
    width = len(names)
    targets = _targets_for(allowed)
    default_partnership = str(scope.uuid) if scope is not None else ""
    reports = {
        (r.partnership_id, r.period): r.status
        for r in PeriodReport.objects.select_for_update().filter(partnership__in=allowed)
    }
    periods: dict[str, Period | None] = {}
    editable = PeriodReport.EDITABLE
    now = timezone.now()
    errors: list[RowError] = []
    error_count = 0
    seen: set[tuple[int, int, str, int | None]] = set()
    touched: set[tuple[int, str]] = set()
    outcome = ImportOutcome()
    new_rows: list[tuple[Any, ...]] = []
    # (partnership_id, indicator_id, period, option_id) of the values that exist already, read once: asking
    # per chunk would re-read every earlier row of the same indicators as the table fills (quadratic on a
    # million-row import).
    existing_qs = Result.objects.filter(partnership__in=allowed)
    if scope_period:
        existing_qs = existing_qs.filter(period=scope_period)
    existing: dict[tuple[int, int, str, int | None], int] = {
        (partnership_id, indicator_id, period, option): pk
        for pk, partnership_id, indicator_id, period, option in existing_qs.values_list(
            "pk", "partnership_id", "indicator_id", "period", "option_id"
        ).iterator(chunk_size=20000)
    }
    writer = _Writer(actor, now, existing)

    def bad(row: int, column: str, value: Any, message: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_ERRORS:
            errors.append(RowError(row, column, _cell(value)[:100], message))

    i_p, i_per, i_ind, i_opt = (
        index.get("partnership"),
        index["period"],
        index["indicator"],
        index.get("option"),
    )
    i_val, i_num, i_den = index.get("value"), index.get("numerator"), index.get("denominator")
    i_text, i_score, i_com = index.get("text"), index.get("score"), index.get("comment")
    number_measure = Indicator.Measure.NUMBER
    line = 1
    for row in rows:
        line += 1
        if len(row) < width:
            row = [*row, *([None] * (width - len(row)))]
        raw_value = row[i_val] if i_val is not None else None
        raw_num = row[i_num] if i_num is not None else None
        raw_den = row[i_den] if i_den is not None else None
        raw_text = row[i_text] if i_text is not None else None
        raw_score = row[i_score] if i_score is not None else None
        if (
            raw_value in (None, "")
            and raw_num in (None, "")
            and raw_den in (None, "")
            and raw_text in (None, "")
            and raw_score in (None, "")
        ):
            if all(v in (None, "") for v in row):
                continue
            outcome.skipped += 1  # a template row left blank
            continue
        p_key = row[i_p] if i_p is not None else ""
        p_key = p_key.strip() if type(p_key) is str else _cell(p_key)
        p_key = p_key or default_partnership
        found = targets.get(p_key)
        if found is None:
            bad(line, "partnership", p_key, _("Not a partnership you can enter results for (give its UUID)."))
            continue
        the_partnership, target = found
        period_id = row[i_per]
        period_id = period_id if isinstance(period_id, str) else _cell(period_id)
        if period_id == "" and scope_period:
            period_id = scope_period
        if scope_period and period_id != scope_period:
            bad(
                line, "period", period_id, _("This upload is for %(period)s only.") % {"period": scope_period}
            )
            continue
        if period_id in periods:
            parsed = periods[period_id]
        else:
            try:
                parsed = parse_period(period_id)
            except ValueError:
                parsed = None
            periods[period_id] = parsed
        if parsed is None:
            bad(
                line,
                "period",
                period_id,
                _("Not a reporting period; use e.g. 2024, 2024S1, 2024Q1 or 202401."),
            )
            continue
        code = row[i_ind]
        code = code if isinstance(code, str) else _cell(code)
        adopted = target.indicators.get(code)
        if adopted is None:
            bad(line, "indicator", code, _("Not an indicator of this partnership's agreed plan."))
            continue
        indicator_id, measure, frequency, options = adopted
        if parsed.frequency != frequency:
            bad(
                line,
                "period",
                period_id,
                _("%(code)s is not reported for periods like %(period)s.")
                % {"code": code, "period": period_id},
            )
            continue
        if not target.plan.first_year <= parsed.year <= target.plan.last_year or parsed.start > today:
            bad(
                line,
                "period",
                period_id,
                _("%(period)s is not a period of the plan that has started.") % {"period": period_id},
            )
            continue
        option_id = None
        if i_opt is not None:
            option_code = row[i_opt]
            option_code = option_code if isinstance(option_code, str) else _cell(option_code)
            if option_code:
                option_id = options.get(option_code)
                if option_id is None:
                    bad(line, "option", option_code, _("Not a breakdown of %(code)s.") % {"code": code})
                    continue
        status = reports.get((the_partnership.pk, period_id))
        if status is not None and status not in editable:
            bad(
                line,
                "period",
                period_id,
                _("The %(period)s results are submitted or approved and locked.") % {"period": period_id},
            )
            continue
        if (
            measure == number_measure
            and raw_num in (None, "")
            and raw_den in (None, "")
            and raw_text in (None, "")
            and raw_score in (None, "")
        ):
            # The common case, kept lean: one Decimal parse.
            try:
                value = Decimal(raw_value if isinstance(raw_value, str) else _cell(raw_value))
            except InvalidOperation:
                bad(line, "value", raw_value, _("Enter a number."))
                continue
            if not value.is_finite() or abs(value) >= LIMIT:
                bad(line, "value", raw_value, _("Enter a number below 100,000,000,000,000."))
                continue
            fields = (value, None, None, "", None)
        else:
            try:
                cleaned = clean_result_values(
                    measure,
                    {
                        "value": _cell(raw_value),
                        "numerator": _cell(raw_num),
                        "denominator": _cell(raw_den),
                        "text": _cell(raw_text),
                        "score": _cell(raw_score),
                    },
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    bad(line, name, row[index[name]] if name in index else "", " ".join(messages))
                continue
            fields = (
                cleaned["value"],
                cleaned["numerator"],
                cleaned["denominator"],
                cleaned["text"],
                cleaned["score"],
            )
        comment = row[i_com] if i_com is not None else ""
        comment = comment.strip() if type(comment) is str else _cell(comment)
        if "\x00" in comment or "\x00" in fields[3]:
            bad(line, "comment", "", _("Text may not contain NUL (0x00) characters."))
            continue
        key = (the_partnership.pk, indicator_id, period_id, option_id)
        if key in seen:
            bad(line, "indicator", code, _("This indicator, period and breakdown appear twice in the file."))
            continue
        seen.add(key)
        touched.add((the_partnership.pk, period_id))
        if error_count:
            continue
        new_rows.append((the_partnership.pk, indicator_id, period_id, option_id, *fields, comment))
        if len(new_rows) >= 20000:
            writer.write(new_rows, outcome)
            new_rows = []
    if error_count:
        raise ImportRejected(errors, error_count)
    if new_rows:
        writer.write(new_rows, outcome)
    writer.finish(outcome)
    outcome.reports = _ensure_reports(touched, reports)
    _audit(actor, touched, outcome, source)
    return outcome


class _Writer:
    """Creates new results and updates existing ones, in chunks; COPY on PostgreSQL, bulk ORM elsewhere."""

    def __init__(
        self, actor: User, now: datetime.datetime, existing: dict[tuple[int, int, str, int | None], int]
    ) -> None:
        self.existing = existing
        self.actor_id = getattr(actor, "pk", None)
        self.now = now
        self.postgres = connection.vendor == "postgresql"
        self.updates: list[tuple[Any, ...]] = []

    def write(self, chunk: list[tuple[Any, ...]], outcome: ImportOutcome) -> None:
        existing = self.existing
        fresh = []
        for row in chunk:
            pk = existing.get((row[0], row[1], row[2], row[3]))
            if pk is None:
                fresh.append(row)
            else:
                self.updates.append((pk, *row[4:]))
        outcome.created += len(fresh)
        if self.postgres:
            self._copy_new(fresh)
        else:
            Result.objects.bulk_create(
                [
                    Result(
                        partnership_id=r[0],
                        indicator_id=r[1],
                        period=r[2],
                        option_id=r[3],
                        value=r[4],
                        numerator=r[5],
                        denominator=r[6],
                        text=r[7],
                        score=r[8],
                        comment=r[9],
                        entered_by_id=self.actor_id,
                    )
                    for r in fresh
                ],
                batch_size=1000,
            )

    def _copy_new(self, rows: list[tuple[Any, ...]]) -> None:
        now = self.now.isoformat()
        actor = "\\N" if self.actor_id is None else str(self.actor_id)
        head = f"1\t{now}\t{now}\t"
        lines = [
            f"{head}{r[0]}\t{r[1]}\t{r[2]}\t{_nullable(r[3])}\t{_nullable(r[4])}\t{_nullable(r[5])}\t"
            f"{_nullable(r[6])}\t{_escape(r[7])}\t{_nullable(r[8])}\t{_escape(r[9])}\t{actor}\n"
            for r in rows
        ]
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
            with raw.copy(
                "COPY monitoring_result (version, created_at, updated_at, partnership_id, indicator_id, period, "
                "option_id, value, numerator, denominator, text, score, comment, entered_by_id) FROM STDIN"
            ) as copy:
                copy.write("".join(lines))

    def finish(self, outcome: ImportOutcome) -> None:
        outcome.updated = len(self.updates)
        if not self.updates:
            return
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(
                    "CREATE TEMP TABLE monitoring_result_import (id bigint, value numeric, numerator numeric, "
                    "denominator numeric, text text, score numeric, comment text) ON COMMIT DROP"
                )
                with cursor.cursor.copy("COPY monitoring_result_import FROM STDIN") as copy:
                    copy.write(
                        "".join(
                            f"{u[0]}\t{_nullable(u[1])}\t{_nullable(u[2])}\t{_nullable(u[3])}\t{_escape(u[4])}\t"
                            f"{_nullable(u[5])}\t{_escape(u[6])}\n"
                            for u in self.updates
                        )
                    )
                cursor.execute(
                    "UPDATE monitoring_result r SET value = i.value, numerator = i.numerator, "
                    "denominator = i.denominator, text = i.text, score = i.score, comment = i.comment, "
                    "version = r.version + 1, updated_at = %s, entered_by_id = %s "
                    "FROM monitoring_result_import i WHERE r.id = i.id",
                    [self.now, self.actor_id],
                )
            return
        objs = Result.objects.in_bulk([u[0] for u in self.updates])
        changed = []
        for pk, value, numerator, denominator, text, score, comment in self.updates:
            obj = objs[pk]
            obj.value, obj.numerator, obj.denominator, obj.text, obj.score, obj.comment = (
                value,
                numerator,
                denominator,
                text,
                score,
                comment,
            )
            obj.version += 1
            obj.updated_at = self.now
            obj.entered_by_id = self.actor_id
            changed.append(obj)
        Result.objects.bulk_update(
            changed,
            [
                "value",
                "numerator",
                "denominator",
                "text",
                "score",
                "comment",
                "version",
                "updated_at",
                "entered_by",
            ],
            batch_size=500,
        )


def _ensure_reports(touched: set[tuple[int, str]], known: dict[tuple[int, str], str]) -> int:
    """Draft reports for the periods the import filled that had none yet."""
    missing = sorted(key for key in touched if key not in known)
    if missing and connection.vendor == "postgresql":
        # One statement, whatever the count: a million-value import can open tens of thousands of reports.
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO monitoring_periodreport (uuid, version, created_at, updated_at, partnership_id, period, status) "
                "SELECT gen_random_uuid(), 1, now(), now(), p, per, 'draft' FROM unnest(%s::bigint[], %s::text[]) AS t(p, per) "
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
    summary = _("%(created)s created, %(updated)s updated from %(source)s") % {
        "created": outcome.created,
        "updated": outcome.updated,
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
                indicator.name + (f" — {option.name}" if option else ""),
                indicator.get_measure_display(),  # type: ignore[attr-defined]
                indicator.unit,
                row.target,
            ]
        )
    return rows


def template_workbook(partnership: Partnership, period: Period) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Results"
    sheet.append([*COLUMNS, *INFO_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in template_rows(partnership, period):
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    sheet.freeze_panes = "A2"
    for column, width in zip(
        "ABCDEFGHIJKLMN", [38, 9, 14, 18, 12, 12, 12, 30, 8, 30, 40, 18, 10, 10], strict=True
    ):
        sheet.column_dimensions[column].width = width
    help_sheet = workbook.create_sheet("Help")
    for line in [
        _(
            "Fill in value (numbers; 1 or 0 for yes/no), numerator and denominator (percentages) or text and score (qualitative)."
        ),
        _(
            "Leave a row blank to skip it. Do not change the partnership, period, indicator or option columns."
        ),
        _("Columns after 'comment' are for your information and are ignored on upload."),
        _("Partnership: %(title)s. Period: %(period)s.")
        % {"title": partnership.title, "period": period.label()},
    ]:
        help_sheet.append([line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
