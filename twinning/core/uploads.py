"""Reading untrusted spreadsheets and text tables with bounds: the one door every import goes through.

Every file a user uploads is treated as hostile (issue 10, finding 1). Before an XLSX is opened its ZIP
archive is checked (number of members, each member's uncompressed size, the total and the compression ratio),
so a zip bomb or a shared-strings bomb is refused before any XML is parsed. Rows are then streamed (openpyxl's
read-only mode, its declared sheet size ignored, never asked for `max_row`) and reading stops at the row
limit; every cell is capped in length. Text tables (CSV, or tab-separated "Unicode text" as Excel saves it)
are decoded from UTF-8 with or without a byte-order mark, UTF-16 with its mark, or Windows-1252, the same way
whether the bytes came through the web or as text through the API, and the separator (comma, semicolon or
tab) is taken from the header line.

Whatever is malformed ends as a `ValidationError` with a message a person can act on, never another
exception: callers turn it into a form error, a 422 or a row error.
"""

import csv
import datetime
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.worksheet._reader import WorkSheetParser

from twinning.core.numbers import parse_decimal

logger = logging.getLogger(__name__)

# Excel's own limit per cell: a workbook saved by a spreadsheet program never has a longer one.
MAX_CELL_CHARS = 32_767
MAX_COLUMNS = 100
# Sheets read for text extraction; a workbook is limited to MAX_ARCHIVE_MEMBERS members anyway.
MAX_SHEETS = 100
# A results template or a rate table has about 15 archive members; a workbook with a few images, some dozens.
MAX_ARCHIVE_MEMBERS = 200
# Bounds on what the XML parser may be fed: a 20,000-row template is about 3 MB of sheet XML.
MAX_MEMBER_BYTES = 48 * 1024 * 1024
MAX_ARCHIVE_BYTES = 96 * 1024 * 1024
# Spreadsheet XML compresses 5 to 30 times; a bomb compresses hundreds or thousands of times. Small members
# (styles, a short sheet) may compress better than that without being a danger, so the ratio is checked
# only from 1 MB up.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format


Row = list[Any]


def read_table(source: IO[bytes] | bytes | str, *, max_rows: int) -> Iterator[Row]:
    """Rows of an uploaded XLSX (first sheet) or text table as lists of cell values, header first.

    `source` is a binary file (an upload), bytes, or text already decoded (a CSV sent in a JSON body). XLSX is
    recognised by its content, not its name. Cells of text tables are strings; XLSX cells are what openpyxl
    gives (str, int, float, bool, datetime or None). Raises ValidationError when the file is not a workbook or
    a readable text table, when an archive member is too large or compresses suspiciously well, when a cell is
    longer than MAX_CELL_CHARS or a row wider than MAX_COLUMNS, and when there are more than `max_rows` rows
    after the header. Rows are yielded as they are read: a caller may stop early.
    """
    if isinstance(source, str):
        yield from _read_text(_strip_bom(source), max_rows)
        return
    data = source if isinstance(source, bytes) else None
    head = data[:4] if data is not None else _peek(source)  # type: ignore[arg-type]
    if head == _ZIP_MAGIC:
        yield from _read_xlsx(io.BytesIO(data) if data is not None else source, max_rows)  # type: ignore[arg-type]
    elif head == _OLE_MAGIC:
        raise ValidationError(_("Old .xls workbooks cannot be read; save the file as .xlsx or CSV."))
    else:
        raw = data if data is not None else source.read()  # type: ignore[union-attr]
        yield from _read_text(decode_text(raw), max_rows)


def _peek(file: IO[bytes]) -> bytes:
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    return head


# --- text tables ------------------------------------------------------------------------------------------


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def decode_text(data: bytes) -> str:
    """Text of an uploaded table: UTF-8 (with or without a byte-order mark), UTF-16 with its mark (Excel's
    "Unicode text"), or else Windows-1252. Raises ValidationError for anything else, or text with NUL."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        # Windows-1252 leaves five bytes undefined, so binary files still fail there.
        encodings = ["utf-8", "cp1252"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return _strip_bom(text)
    raise ValidationError(
        _(
            "The file is not a spreadsheet or text table we can read. Save it as .xlsx, or as CSV in UTF-8, "
            "UTF-16 (Unicode text) or Windows-1252."
        )
    )


def _separator(text: str) -> str:
    header = text.split("\n", 1)[0].split("\r", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_text(text: str, max_rows: int) -> Iterator[Row]:
    if "\x00" in text:
        raise ValidationError(_("The text contains NUL (0x00) characters; is it really a table?"))
    # newline="" lets the csv module see every line ending itself, a bare carriage return included. Strict: a quote
    # never closed (the rest of the file would become one cell) or text after a closing quote is refused with its
    # line, not read as something the file does not say.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text), strict=True)
    number = 0
    try:
        for row in reader:
            number += 1
            _check_row(row, number, max_rows)
            yield row
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise _too_long(reader.line_num) from None
        raise ValidationError(
            _("Line %(line)s cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": str(exc)}
        ) from None


def _too_long(row: int) -> ValidationError:
    return ValidationError(
        _("Row %(row)s has a cell of more than %(max)s characters.")
        % {"row": row, "max": f"{MAX_CELL_CHARS:,}"}
    )


def _check_row(row: Row, number: int, max_rows: int) -> None:
    if number > max_rows + 1:
        raise ValidationError(_("The file has more than %(max)s rows.") % {"max": f"{max_rows:,}"})
    if len(row) > MAX_COLUMNS and any(v not in (None, "") for v in row[MAX_COLUMNS:]):
        raise ValidationError(
            _("Row %(row)s has more than %(max)s columns.") % {"row": number, "max": MAX_COLUMNS}
        )
    for value in row:
        if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
            raise _too_long(number)


# --- XLSX ---------------------------------------------------------------------------------------------------


def check_archive(file: IO[bytes]) -> None:
    """Refuse an XLSX archive that would take unbounded memory or time to parse, before anything is parsed.

    Checks the member count (MAX_ARCHIVE_MEMBERS), each member's declared uncompressed size
    (MAX_MEMBER_BYTES), their total (MAX_ARCHIVE_BYTES) and each large member's compression ratio
    (MAX_RATIO). The declared sizes can be trusted: Python's zipfile never inflates a member past its declared
    size (it fails the CRC check instead). Raises ValidationError; leaves the file at its start.
    """
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError, ValueError):
        # NotImplementedError: a zip feature Python cannot read (say, a later zip version); still not a workbook.
        raise ValidationError(_("The file is not a valid .xlsx workbook.")) from None
    finally:
        file.seek(0)
    refused = ValidationError(
        _("The workbook is too large or too densely packed to be read safely; split it or save it again.")
    )
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise refused
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_MEMBER_BYTES or total > MAX_ARCHIVE_BYTES:
            raise refused
        if member.file_size > RATIO_FROM_BYTES and member.file_size > MAX_RATIO * max(
            member.compress_size, 1
        ):
            raise refused


def _open_workbook(file: IO[bytes]) -> Any:
    check_archive(file)
    try:
        # openpyxl parses with defusedxml when it is installed (it is a dependency): no entity expansion.
        return load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError):
        raise ValidationError(_("The file is not a valid .xlsx workbook.")) from None
    except Exception as exc:  # defusedxml refusals and other parser errors: hostile or broken input
        raise ValidationError(
            _("The workbook cannot be read safely (%(kind)s).") % {"kind": type(exc).__name__}
        ) from None


def _unreadable_row(number: int, exc: Exception) -> ValidationError:
    # A cell openpyxl cannot convert (e.g. a number cell holding "12abc").
    return ValidationError(
        _("Row %(row)s of the workbook cannot be read (%(kind)s); check its cells.")
        % {"row": number, "kind": type(exc).__name__}
    )


def _read_xlsx(file: IO[bytes], max_rows: int) -> Iterator[Row]:
    workbook = _open_workbook(file)
    number = 0
    try:
        sheets = workbook.worksheets
        if not sheets:
            raise ValidationError(_("The workbook has no sheet."))
        for values in _sheet_rows(sheets[0]):
            number += 1
            _check_row(values, number, max_rows)
            yield values
    except ValidationError:
        raise
    except Exception as exc:
        raise _unreadable_row(number + 1, exc) from None
    finally:
        workbook.close()


def read_workbook(
    file: IO[bytes], *, max_rows: int, max_sheets: int = MAX_SHEETS
) -> Iterator[tuple[str, Row]]:
    """(sheet title, row) for the rows of every worksheet of an uploaded XLSX, sheet after sheet in the
    workbook's order (hidden sheets included; chart sheets hold no cells): what text extraction reads.

    The same bounds as `read_table`: the archive is checked before anything is parsed, each sheet's rows are
    streamed whatever size it declares, cells are capped at MAX_CELL_CHARS and rows at MAX_COLUMNS.
    `max_rows` bounds the rows of all sheets together (ValidationError past it), and only the first
    `max_sheets` sheets are read. Only rows present in the file count and come out (no blank rows for the
    gaps between numbered rows, so a row numbered in the billions costs nothing). Raises ValidationError when
    the file is not a workbook or cannot be read safely. Rows are yielded as they are read: a caller may stop
    early.
    """
    workbook = _open_workbook(file)
    number = 0
    try:
        for sheet in workbook.worksheets[:max_sheets]:
            for values in _sheet_rows(sheet, pad=False):
                number += 1
                _check_row(values, number, max_rows)
                yield sheet.title, values
    except ValidationError:
        raise
    except Exception as exc:
        raise _unreadable_row(number + 1, exc) from None
    finally:
        workbook.close()


def _sheet_rows(sheet: Any, *, pad: bool = True) -> Iterator[Row]:
    """Every <row> element of a read-only sheet, in file order, one list of values per spreadsheet row.

    openpyxl's own row iterator trusts the sheet's declared size (a false <dimension> hides rows or pads each
    to thousands of columns) and silently skips a row numbered at or before an earlier one, so a sheet of a
    million rows all numbered 1 is parsed to the end without yielding once. Driving its sheet parser directly
    (as its iterator does) gives one yield per row element, so the row limit always applies. Rows missing
    between two numbered rows come out blank, so row numbers match the spreadsheet's (unless `pad` is False).
    """
    workbook = sheet.parent
    expected = 1
    with sheet._get_source() as source:
        parser = WorkSheetParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for index, cells in parser.parse():
            while pad and expected < index:
                expected += 1
                yield []
            expected = max(expected, index) + 1
            width = max((cell["column"] for cell in cells), default=0)
            values: Row = [None] * min(width, MAX_COLUMNS + 1)
            for cell in cells:
                column = cell["column"]
                if column <= MAX_COLUMNS:
                    values[column - 1] = cell["value"]
                elif cell["value"] not in (None, ""):
                    values[MAX_COLUMNS] = cell["value"]  # reported as too wide by the row check
            yield values


# --- cells ----------------------------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as trimmed text: numbers without a spurious ".0", dates as ISO 8601, blank as ""."""
    if type(value) is str:  # most cells, first: imports call this several times a row
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def cell_number(value: Any, *, limit: Decimal, locale: str | None = None) -> Decimal | None:
    """The number in a cell, or None for a blank cell; every way a number enters through an import.

    Accepts what a spreadsheet stores (int, float, Decimal; True/False as 1/0) and text, read by the product's
    one number parser (`twinning.core.numbers.parse_decimal`) as `locale` writes numbers ("pt": `12,5`), or in
    the machine form (`12.5`) when `locale` is None, as for the API. Raises ValidationError for text that is
    not a number in that form (letters, NaN, exponents such as 1E999), infinity, dates, and numbers whose
    magnitude reaches `limit`.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        raise ValidationError(_("Enter a number, not a date."))
    if isinstance(value, str):
        number = parse_decimal(value, locale=locale)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, bool | int):
        number = Decimal(int(value))
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        raise ValidationError(_("Enter a number."))
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    if abs(number) >= limit:
        raise ValidationError(_("Enter a number below %(limit)s.") % {"limit": f"{limit:,.0f}"})
    return number


# --- PDF ----------------------------------------------------------------------------------------------------

# PDF names that make a reader run something: script, a program to launch, files hidden inside.
_ACTIVE_PDF_NAMES = {b"JavaScript", b"JS", b"Launch", b"EmbeddedFile", b"EmbeddedFiles", b"RichMedia", b"XFA"}
_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
_HEX = re.compile(rb"#([0-9A-Fa-f]{2})")


def refuse_active_pdf(file: IO[bytes]) -> None:
    """Refuse a PDF with script, launch actions or embedded files: looked for in the raw bytes (names decoded
    from their #xx escapes) and, through pypdf, in the catalogue and the objects inside compressed streams.
    Every upload that accepts a PDF goes through it (practice documents, record evidence, results and gift
    evidence, agreements, trip reports: core.validators.validate_upload_content). Raises ValidationError;
    leaves the file at its start."""
    data = file.read()
    file.seek(0)
    refused = ValidationError(
        _(
            "The PDF contains active content (scripts, launch actions or embedded files); save it again without it."
        ),
        code="unsafe",
    )
    for match in _PDF_NAME.finditer(data):
        name = _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), match.group(1))
        if name in _ACTIVE_PDF_NAMES:
            raise refused
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        root: Any = reader.trailer["/Root"]
        names: Any = root.get("/Names") or {}
        if "/JavaScript" in names or "/EmbeddedFiles" in names or "/AA" in root:
            raise refused
        action = root.get("/OpenAction")
        if action is not None and hasattr(action, "get") and action.get("/S") in ("/JavaScript", "/Launch"):
            raise refused
    except ValidationError:
        raise
    except Exception:  # a damaged PDF: the raw scan above found nothing active; extraction will say the rest
        logger.info("pypdf could not read a PDF's catalogue", exc_info=True)


# --- an import's problems, as a page lists them ------------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """One bad value of an import: its row number in the file (1 is the header), column, value and why."""

    row: int
    column: str
    value: str
    message: str


SHOWN_RANGES = 50


@dataclass
class ProblemGroup:
    """One problem (a column and a message) and every row of an import that has it: `rows` as ranges of row
    numbers ("2–4, 7"), `count` rows in all, up to three of their distinct values as `examples`."""

    column: str
    message: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    more_values: bool = False
    row_numbers: list[int] = field(default_factory=list, repr=False)

    @property
    def ranges(self) -> list[str]:
        """Every row as ranges of consecutive row numbers, in order: ["2–4", "7"]."""
        numbers = sorted(set(self.row_numbers))
        ranges: list[str] = []
        start = 0
        while start < len(numbers):
            end = start
            while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
                end += 1
            ranges.append(str(numbers[start]) if start == end else f"{numbers[start]}–{numbers[end]}")
            start = end + 1
        return ranges

    @property
    def rows(self) -> str:
        """The first SHOWN_RANGES ranges, as a page lists them ("2–4, 7"); `rows_left_out` says if there are more
        (rows scattered through a big file: 4,000 row numbers made a 149 KB page, fresh tester of issue 10; the
        count says how many rows in all)."""
        return ", ".join(self.ranges[:SHOWN_RANGES])

    @property
    def rows_left_out(self) -> bool:
        return len(self.ranges) > SHOWN_RANGES


def group_problems(errors: Iterable[RowProblem], examples: int = 3) -> list[ProblemGroup]:
    """An import's row errors (`RowProblem`s, or objects with the same fields) grouped by column and message, in
    the order each problem first appears: a file whose 20,000 rows share one mistake is one line on the page
    rather than 20,000 (a 2.3 MB page on a slow link, fresh tester of issue 10), and every bad row is still named
    (the issue's "imports report every bad row"). The full list stays on the exception (`row_errors`) and in the
    API's answer.

    Raises: nothing.
    """
    groups: dict[tuple[str, str], ProblemGroup] = {}
    for error in errors:
        key = (str(error.column), str(error.message))
        group = groups.get(key)
        if group is None:
            group = groups[key] = ProblemGroup(column=key[0], message=key[1])
        group.count += 1
        group.row_numbers.append(int(error.row))
        value = str(error.value)
        if value not in group.examples:
            if len(group.examples) < examples:
                group.examples.append(value)
            else:
                group.more_values = True
    return list(groups.values())
