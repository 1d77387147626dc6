"""Tables people read, and their CSV and XLSX downloads, from one object so the three always agree.

A view builds a `Table` (columns with a header and a kind, then rows of plain values) and puts it in the page with
`{% include "core/includes/table.html" %}`; the same view answers `?format=csv` or `?format=xlsx` (with
`&table=<key>` when the page holds several tables) by handing its tables to `export_response`. The page, the CSV
and the XLSX then show the same rows with the same numbers: every number is rounded once, here, to the places its
kind shows (`PLACES`), and written in the reader's language on the page, in machine form (a dot for decimals, no
grouping) in the CSV, and as a number cell with a number format in the XLSX.

Kinds: `text`, `number`, `percent` (values in percentage points: 45.5 means 45.5 %), `money` (the column names
its currency; a money column without one is a programming error), `date` (a `datetime.date`). A text column
keeps a date, a time or a number it is given as such (shown in the reader's language, written as ISO 8601 or
plain digits in the CSV, and as a typed cell with a date format in the XLSX); anything else it holds is text.

User text is never a formula (issue 9, section 6): the XLSX goes through `twinning.core.spreadsheets`, and a CSV
text cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which Excel strips first) gets a
leading apostrophe, as OWASP advises. CSV is UTF-8 with a byte-order mark, so Excel opens accents correctly.
"""

import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from twinning.core.numbers import currency_decimals, format_percent, format_with
from twinning.core.rendering import as_text, degrades_to
from twinning.core.spreadsheets import FORMULA_STARTS, XLSX_TYPE, sheet_title, text_cell

KINDS = ("text", "number", "percent", "money", "date")
# What a text column keeps as it is given (everything else becomes text): the XLSX writes them as typed cells.
TYPED = (datetime.date, Decimal, int, float)
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
PLACES = {"number": 2, "percent": 1, "money": 2}
XLSX_FORMATS = {"number": "#,##0.##", "percent": "0.0%", "money": "#,##0.00", "date": "yyyy-mm-dd"}
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")
LIST_ROWS = 10_000  # a list's download stops here; narrow the filters for the rest
_CSV_FORMULA_STARTS = (*FORMULA_STARTS, "\t", "\r")
_KEY = re.compile(r"^[a-z0-9-]{1,60}$")


@dataclass(frozen=True)
class Column:
    """One column: its header, its kind (see the module), and for `money` the ISO 4217 currency of its values,
    or `currency_from`, the index of the column naming each row's own currency (a gift's fair value)."""

    header: str
    kind: str = "text"
    currency: str = ""
    places: int | None = (
        None  # decimal places shown, if not the currency's (`currency_decimals`): 0 for whole currency units
    )
    currency_from: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}; use one of {KINDS}.")
        if self.kind == "money" and not self.currency and self.currency_from is None:
            raise ValueError(f"The money column {self.header!r} names no currency.")

    @property
    def title(self) -> str:
        """The header as every output writes it: a money column says its currency ("Value (USD)")."""
        if self.kind == "money" and self.currency:
            return _("%(header)s (%(currency)s)") % {"header": self.header, "currency": self.currency}
        return str(self.header)

    @property
    def numeric(self) -> bool:
        return self.kind in PLACES

    @property
    def decimals(self) -> int:
        if self.places is not None:
            return self.places
        if self.kind == "money":
            return currency_decimals(self.currency)
        return PLACES.get(self.kind, 0)

    def decimals_in(self, row: Sequence[Any]) -> int:
        """The places of this column's value in `row`: a money column of each row's own currency takes that
        currency's."""
        if self.kind == "money" and self.places is None and self.currency_from is not None:
            return currency_decimals(str(row[self.currency_from] or ""))
        return self.decimals


@dataclass(frozen=True)
class Link:
    """A cell the page shows as a link; the downloads write its text."""

    text: str
    url: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Action:
    """A button the page shows at the end of a row (a POST to `url`); the downloads leave it out."""

    url: str
    label: str


@dataclass
class Table:
    """A table of `columns` and `rows` (one value per column: str, Link, Decimal/int, date, or None for
    nothing), named `title` (the sheet and file name) and `key` (which table of a page `?table=` asks for).
    `actions`, when given, holds one Action or None per row, shown on the page only. `more_rows` is how many
    further rows a page's table left to its downloads, which the page then says (a programme-wide listing of
    hundreds of rows is for the spreadsheet, not for a phone on a slow link: issue 10)."""

    key: str
    title: str
    columns: Sequence[Column]
    rows: list[Sequence[Any]] = field(default_factory=list)
    caption: str = ""
    actions: list[Action | None] = field(default_factory=list)
    more_rows: int = 0

    def __post_init__(self) -> None:
        if not _KEY.match(self.key):
            raise ValueError(f"A table key is lowercase letters, digits and dashes: {self.key!r}.")
        self.rows = [self._clean_row(row) for row in self.rows]
        if self.actions and len(self.actions) != len(self.rows):
            raise ValueError(f"Table {self.key!r}: {len(self.actions)} actions for {len(self.rows)} rows.")

    def _clean_row(self, row: Sequence[Any]) -> list[Any]:
        if len(row) != len(self.columns):
            raise ValueError(
                f"Table {self.key!r}: a row of {len(row)} values for {len(self.columns)} columns."
            )
        return [
            clean_value(column, value, decimals=column.decimals_in(row))
            for column, value in zip(self.columns, row, strict=True)
        ]

    def headers(self) -> list[str]:
        return [c.title for c in self.columns]

    def html_rows(self) -> list[tuple[list[tuple[str, str, bool]], Action | None]]:
        """Each row as its cells (text in the reader's language, link or "", numeric) and its action, for the
        table partial."""
        actions = self.actions or [None] * len(self.rows)
        return [
            (
                [
                    (display(column, value), value.url if isinstance(value, Link) else "", column.numeric)
                    for column, value in zip(self.columns, row, strict=True)
                ],
                action,
            )
            for row, action in zip(self.rows, actions, strict=True)
        ]

    def filename(self, extension: str) -> str:
        return f"{slugify(self.title) or self.key}.{extension}"


def clean_value(column: Column, value: Any, *, decimals: int | None = None) -> Any:
    """`value` rounded to its column's places (`decimals`, else the column's; ROUND_HALF_UP, trailing zeros kept
    for money only, so money shows its currency's minor unit everywhere), so every output writes the same
    number; None stays None. A number column given text is a programming error (ValueError)."""
    if value is None or value == "":
        return None
    if column.numeric:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise ValueError(f"Column {column.header!r} holds numbers, not {value!r}.")
        places = column.decimals if decimals is None else decimals
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if column.kind != "money":
            number = (
                number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()
            )
        return number + 0  # no negative zero
    if column.kind == "date":
        if not isinstance(value, datetime.date):
            raise ValueError(f"Column {column.header!r} holds dates, not {value!r}.")
        return value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(value, Link) or (isinstance(value, TYPED) and not isinstance(value, bool)):
        return value  # a date, time or number in a text column stays typed (a date cell in the XLSX)
    return str(value)


@degrades_to(as_text)
def display(column: Column, value: Any) -> str:
    """A cleaned value as the page shows it, in the reader's language: "1,234.5", "45.5%", "12 Jan 2026"."""
    if value is None:
        return "—"
    if column.kind == "date":
        return date_format(value, "DATE_FORMAT")
    if column.numeric:
        if column.kind == "percent":
            return format_percent(value, decimals=column.decimals or 0)
        if column.kind == "money":  # cleaned to its currency's places: show them all
            places = _money_places(value)
            pattern = "#,##0" + ("." + "0" * places if places else "")
        else:
            pattern = "#,##0" + ("." + "#" * column.decimals if column.decimals else "")
        return format_with(value, pattern)
    if isinstance(value, datetime.datetime):
        return date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    if isinstance(value, Decimal | float):
        return format_with(value, None)
    return str(value)


def machine(column: Column, value: Any) -> str:
    """A cleaned value as the CSV writes it: numbers with a dot and no grouping, dates as ISO 8601, text made
    safe from formula evaluation."""
    if value is None:
        return ""
    if column.kind == "date":
        return str(value.isoformat())
    if column.numeric:
        return f"{value:f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return f"{value:f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)  # a negative number is a number, not a formula
    text = str(value)
    return "'" + text if text.startswith(_CSV_FORMULA_STARTS) else text


def csv_bytes(table: Table) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark (so Excel reads the accents), header row first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([machine(Column("h"), h) for h in table.headers()])
    for row in table.rows:
        writer.writerow([machine(c, v) for c, v in zip(table.columns, row, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    """The tables as one XLSX, a sheet each: bold frozen header, number cells with their kind's format
    (percent cells hold the fraction, 0.455 for 45.5 %), dates as date cells, text through `text_cell`."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(title=sheet_title(table.title, taken))
        sheet.freeze_panes = "A2"
        header = []
        for name in table.headers():
            cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", name))
            cell.data_type = "s"
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells: list[Any] = []
            for column, value in zip(table.columns, row, strict=True):
                if value is None:
                    cells.append(None)
                elif column.kind in XLSX_FORMATS:
                    cell = WriteOnlyCell(sheet, value / 100 if column.kind == "percent" else value)
                    cell.number_format = _xlsx_format(column, value)
                    cells.append(cell)
                else:
                    cells.append(_typed_cell(sheet, value))
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _typed_cell(sheet: Any, value: Any) -> Any:
    """A text column's cell: a date or time as a date cell with its format (in the server's local time: Excel
    has no time zones), a number as a number cell, anything else as text that is never a formula."""
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(
            sheet, timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        )
        cell.number_format = XLSX_DATETIME
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = XLSX_FORMATS["date"]
        return cell
    if isinstance(value, TYPED) and not isinstance(value, bool):
        return WriteOnlyCell(sheet, value)
    return text_cell(sheet, str(value))


def _xlsx_format(column: Column, value: Any = None) -> str:
    # A count shows "#,##0" when whole: Excel shows "#,##0.##" as "181." (a stray dot) for 181; a fraction
    # shows one to `decimals` places ("#,##0.0#" for 2.5 → "2.5").
    if column.kind == "money":
        places = _money_places(value) if isinstance(value, Decimal) else column.decimals
        return "#,##0" + ("." + "0" * places if places else "")
    if column.kind == "number":
        if column.decimals == 0 or (isinstance(value, int | Decimal) and value == int(value)):
            return "#,##0"
        return "#,##0.0" + "#" * (column.decimals - 1)
    return XLSX_FORMATS[column.kind]


def _money_places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def requested_format(request: HttpRequest) -> str | None:
    """ "csv" or "xlsx" when the request asks for a download (`?format=`), else None (the page)."""
    value = request.GET.get("format", "")
    return value if value in FORMATS else None


def list_download(
    request: HttpRequest, rows: Iterable[Any], build: Callable[[Iterable[Any]], Table]
) -> HttpResponse | None:
    """For a paged list: the download the request asks for, of every row the list's filters select (at most
    `LIST_ROWS`, the page's own table builder `build` turning rows into the Table), else None.

    `rows` is the list's scoped queryset before paging; slicing it keeps the download to one query per
    prefetch, however many rows.

    Raises: Http404 (a `table` key the list does not have).
    """
    if requested_format(request) is None:
        return None
    rows = rows[:LIST_ROWS] if hasattr(rows, "__getitem__") else rows
    return export_response(request, [build(rows)])


def export_response(request: HttpRequest, tables: Sequence[Table]) -> HttpResponse | None:
    """The download the request asks for (`?format=csv|xlsx`, `&table=<key>`, the first table by default), or
    None when it asks for the page. The caller built `tables` with the same scoped selector as the page.

    Raises: Http404 (a `table` key the page does not have).
    """
    kind = requested_format(request)
    if kind is None:
        return None
    key = request.GET.get("table", "")
    chosen = [t for t in tables if t.key == key] if key else list(tables[:1])
    if not chosen:
        raise Http404
    table = chosen[0]
    if kind == "csv":
        response = HttpResponse(csv_bytes(table), content_type=CSV_TYPE)
    else:
        response = HttpResponse(xlsx_bytes([table]), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, table.filename(kind))
    return response
