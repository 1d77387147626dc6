"""Writing XLSX downloads: the one writer every spreadsheet the product hands out goes through.

User text is always stored as text (issue 9, section 6): a name or comment starting with `=`, `+`, `-` or `@`
would otherwise become a formula when the file is opened, and run there (CSV/formula injection). Such cells
are written as string cells with Excel's "quote prefix" style, so the text shows unchanged, is never
evaluated, and stays text when someone edits the cell. Control characters XML cannot hold are dropped
instead of failing the download. Rows are streamed with openpyxl's write-only workbook (little memory).
"""

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")
SHEET_TITLE_LIMIT = 31  # Excel refuses a longer sheet name
_NOT_IN_SHEET_TITLES = re.compile(r"[\\/*?:\[\]]")
_APOSTROPHES_AT_ENDS = re.compile(r"^[' ]+|[' ]+$")
_TRAILING_PUNCTUATION = " -\u2013\u2014,.;:\u00b7"


def sheet_title(text: str, taken: set[str]) -> str:
    """A sheet name Excel accepts for `text` that is not yet in `taken` (compared without case, as Excel
    compares), added to `taken`.

    Excel's rules for sheet names: at most 31 characters; none of \\ / * ? : [ ] (each becomes a space); no
    apostrophe at either end; not "History", which Excel keeps for itself. A longer text is cut at the last word
    break that leaves room for "…" (inside a word only when its first half holds no break), so "Contributions
    and leverage to date" becomes "Contributions and leverage to…"; a name already taken gets " (2)", " (3)"… still
    within 31 characters. Characters XML cannot hold are dropped; an empty result is "Sheet". Raises nothing."""
    base = ILLEGAL_CHARACTERS_RE.sub("", _NOT_IN_SHEET_TITLES.sub(" ", text))
    base = _APOSTROPHES_AT_ENDS.sub("", " ".join(base.split())) or "Sheet"
    used = {title.casefold() for title in taken} | {"history"}
    title, number = _fit_sheet_title(base, ""), 1
    while title.casefold() in used:
        number += 1
        title = _fit_sheet_title(base, f" ({number})")
    taken.add(title)
    return title


def _fit_sheet_title(base: str, suffix: str) -> str:
    room = SHEET_TITLE_LIMIT - len(suffix)
    if len(base) <= room:
        return base + suffix
    cut = base[:room]  # a break right after the room left for "…" still counts
    space = cut.rfind(" ")
    cut = cut[:space] if space > room // 2 else cut[: room - 1]
    return cut.rstrip(_TRAILING_PUNCTUATION + "'") + "\u2026" + suffix


@dataclass
class Sheet:
    """One sheet: a title (made a name Excel accepts by `sheet_title`), a bold header row, the rows, optional widths."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = field(default_factory=tuple)
    freeze_header: bool = True


def text_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """What to append for `value`: text that could start a formula becomes a quoted string cell; other
    values pass unchanged (Decimal stays a number)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith(FORMULA_STARTS):
            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"  # openpyxl took the leading "=" for a formula
            cell.quotePrefix = True
            return cell
    return value


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX file of `sheets`, every cell written through `text_cell`."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for spec in sheets:
        sheet = book.create_sheet(title=sheet_title(spec.title, taken))
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        if spec.freeze_header and spec.header:
            sheet.freeze_panes = "A2"
        if spec.header:
            header = []
            for name in spec.header:
                cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", str(name)))
                cell.data_type = "s"
                cell.font = Font(bold=True)
                header.append(cell)
            sheet.append(header)
        for row in spec.rows:
            sheet.append([text_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(filename: str, sheets: Sequence[Sheet]) -> HttpResponse:
    """A download of `sheets` named `filename` (quoted safely whatever characters it holds)."""
    response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
