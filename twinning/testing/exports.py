"""Reading a page's table and its CSV and XLSX downloads back, so tests can check that all three agree.

`downloads_agree(client, url, key)` fetches the page and both downloads of table `key` and returns the rows the
page shows; it asserts that the CSV and the XLSX hold the same header and the same values, numbers compared as
numbers (the page's text parsed in the page's language, the CSV's in machine form, the XLSX's as cells).
"""

import csv
import datetime
import io
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import Any

from babel.numbers import parse_decimal
from openpyxl import load_workbook


class _TableParser(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # >0 while inside the table
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and (self.depth or dict(attrs).get("id") == self.table_id):
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("td", "th") and "actions-col" not in (dict(attrs).get("class") or ""):
            self.cell = []  # a row's action button is the page's alone

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
        elif self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def page_rows(html: str, key: str) -> list[list[str]]:
    """The header and body rows of the table `key` as the page shows them (cell text)."""
    parser = _TableParser(f"table-{key}")
    parser.feed(html)
    rows = [row for row in parser.rows if row]
    assert rows, f"No table {key!r} on the page"
    if len(rows) == 2 and len(rows[1]) == 1 and len(rows[0]) > 1:
        return rows[:1]  # "Nothing to show."
    return rows


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode()), "CSV without a byte-order mark: Excel would garble accents"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet.freeze_panes == "A2"
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _page_value(text: str, locale: str) -> Any:
    if text in ("—", ""):
        return None
    number = text.removesuffix("%").replace("\xa0", "").replace("\u202f", "")
    try:
        return parse_decimal(number, locale=locale, strict=True)
    except Exception:
        return text


def _csv_value(text: str) -> Any:
    if text == "":
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def downloads_agree(client: Any, url: str, key: str, *, locale: str = "en") -> list[list[str]]:
    """Fetch `url` and its CSV and XLSX downloads of table `key`; assert all three hold the same rows.

    Numbers agree as numbers (a percent cell in the XLSX holds the fraction); dates as dates (the page's are in
    the reader's words, so only the downloads' are compared). Returns the page's rows, header first.
    """
    joiner = "&" if "?" in url else "?"
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    shown = page_rows(page.content.decode(), key)
    from_csv = client.get(f"{url}{joiner}format=csv&table={key}")
    from_xlsx = client.get(f"{url}{joiner}format=xlsx&table={key}")
    assert from_csv.status_code == from_xlsx.status_code == 200
    assert from_csv["Content-Type"].startswith("text/csv")
    assert (
        "attachment" in from_csv["Content-Disposition"] and "attachment" in from_xlsx["Content-Disposition"]
    )
    csv_table, xlsx_table = csv_rows(from_csv.content), xlsx_rows(from_xlsx.content)
    assert shown[0] == csv_table[0] == [str(h) for h in xlsx_table[0]], (
        shown[0],
        csv_table[0],
        xlsx_table[0],
    )
    assert len(shown) == len(csv_table) == len(xlsx_table), (len(shown), len(csv_table), len(xlsx_table))
    for page_row, csv_row, xlsx_row in zip(shown[1:], csv_table[1:], xlsx_table[1:], strict=True):
        for p, c, x in zip(page_row, csv_row, xlsx_row, strict=True):
            xlsx_value = _xlsx_value(x)
            if isinstance(xlsx_value, datetime.date):
                assert c == xlsx_value.isoformat() and p not in ("", "—"), (p, c, x)
            elif isinstance(xlsx_value, Decimal):
                page_value, csv_value = _page_value(p, locale), _csv_value(c)
                fraction = p.endswith("%")
                assert page_value == csv_value == (xlsx_value * 100 if fraction else xlsx_value), (p, c, x)
            else:
                plain = c[1:] if c.startswith("'") and c[1:2] in ("=", "+", "-", "@", "\t", "\r") else c
                text = None if p in ("—", "") else p
                assert text == (plain or None) == xlsx_value, (p, c, x)
    return shown
