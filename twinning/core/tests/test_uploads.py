"""Reading untrusted files: hostile workbooks are refused before parsing, rows stop at the limit, every
encoding people's tools write is read the same way, and no input raises anything but ValidationError."""

import contextlib
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from twinning.core import uploads
from twinning.core.uploads import MAX_CELL_CHARS, cell_number, read_table, read_workbook

SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def workbook(*rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_member(xlsx: bytes, name: str, content: bytes) -> bytes:
    """The workbook with one archive member replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


def sheet_xml(rows: str, dimension: str = "") -> bytes:
    return f"{SHEET_HEAD}{dimension}<sheetData>{rows}</sheetData></worksheet>".encode()


def inline_row(number: int | None, *values: str) -> str:
    attr = f' r="{number}"' if number is not None else ""
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f"<row{attr}>{cells}</row>"


def rows_of(source: object, max_rows: int = 1000) -> list[list[object]]:
    return list(read_table(source, max_rows=max_rows))  # type: ignore[arg-type]


@pytest.fixture
def parser_never_runs(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(uploads, "load_workbook", refuse)


# --- archives refused before any parsing ------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_the_workbook_is_opened(parser_never_runs):
    # 4 MB of one repeated cell packs into a few kilobytes: the ratio gives it away.
    bomb = with_member(workbook(["a"]), SHEET, sheet_xml(inline_row(1, "x" * 4_000_000)))
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError, match="too large or too densely packed"):
        rows_of(bomb)


def test_a_shared_strings_bomb_is_refused_before_the_workbook_is_opened(parser_never_runs):
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings += b"<si><t>a</t></si>" * 200_000 + b"</sst>"
    bomb = with_member(workbook(["a"]), "xl/sharedStrings.xml", strings)
    with pytest.raises(ValidationError, match="too large or too densely packed"):
        rows_of(bomb)


def test_members_past_the_size_limits_are_refused_whatever_their_ratio(monkeypatch, parser_never_runs):
    monkeypatch.setattr(uploads, "MAX_MEMBER_BYTES", 2000)
    big = with_member(workbook(["a"]), SHEET, sheet_xml(inline_row(1, "plain text " * 300)))
    with pytest.raises(ValidationError, match="too large"):
        rows_of(big)


def test_an_archive_with_too_many_members_is_refused(monkeypatch, parser_never_runs):
    monkeypatch.setattr(uploads, "MAX_ARCHIVE_MEMBERS", 12)
    crowded = workbook(["a"])
    for n in range(12):
        crowded = with_member(crowded, f"extra/{n}.bin", b"x")
    with pytest.raises(ValidationError, match="too large"):
        rows_of(crowded)


# --- rows streamed up to the limit -----------------------------------------------------------------------


def test_a_sheet_without_dimension_stops_at_the_row_limit():
    rows = "".join(inline_row(n, f"v{n}") for n in range(1, 5001))
    xlsx = with_member(workbook(["a"]), SHEET, sheet_xml(rows))
    read = []
    with pytest.raises(ValidationError, match="more than 100 rows"):
        for row in read_table(xlsx, max_rows=100):
            read.append(row)
    assert len(read) == 101  # the header and 100 rows, then it stopped


def test_rows_numbered_again_and_again_still_count_towards_the_limit():
    # openpyxl's own iterator yields none of these and parses to the end of the sheet.
    rows = inline_row(1, "head") + inline_row(2, "x") * 5000
    xlsx = with_member(workbook(["a"]), SHEET, sheet_xml(rows))
    with pytest.raises(ValidationError, match="more than 100 rows"):
        rows_of(xlsx, max_rows=100)


def test_a_false_dimension_neither_hides_rows_nor_pads_them():
    rows = inline_row(1, "a", "b") + inline_row(2, "1", "2") + inline_row(3, "3", "4")
    xlsx = with_member(workbook(["a"]), SHEET, sheet_xml(rows, '<dimension ref="A1:XFD1"/>'))
    assert rows_of(xlsx) == [["a", "b"], ["1", "2"], ["3", "4"]]


def test_a_huge_row_number_yields_blank_rows_only_up_to_the_limit():
    xlsx = with_member(workbook(["a"]), SHEET, sheet_xml(inline_row(1, "a") + inline_row(10**9, "b")))
    with pytest.raises(ValidationError, match="more than 50 rows"):
        rows_of(xlsx, max_rows=50)


def test_missing_rows_come_out_blank_so_row_numbers_match_the_sheet():
    xlsx = with_member(workbook(["a"]), SHEET, sheet_xml(inline_row(1, "a") + inline_row(3, "c")))
    assert rows_of(xlsx) == [["a"], [], ["c"]]


def test_a_cell_longer_than_excel_allows_is_refused_with_its_row():
    long_row = inline_row(2, "x" * (MAX_CELL_CHARS + 1))
    xlsx = with_member(workbook(["a"]), SHEET, sheet_xml(inline_row(1, "head") + long_row))
    with pytest.raises(ValidationError, match="Row 2 has a cell of more than 32,767 characters"):
        rows_of(xlsx)


def test_a_row_wider_than_the_limit_is_refused():
    with pytest.raises(ValidationError, match="more than 100 columns"):
        rows_of(workbook(["a"] * 101))


def test_a_number_cell_holding_text_is_a_clear_error():
    xlsx = with_member(
        workbook(["a"]), SHEET, sheet_xml(inline_row(1, "value") + '<row r="2"><c><v>12abc</v></c></row>')
    )
    with pytest.raises(ValidationError, match="Row 2 of the workbook cannot be read"):
        rows_of(xlsx)


def test_not_a_workbook_and_old_xls_are_refused_clearly():
    with pytest.raises(ValidationError, match=r"not a valid \.xlsx"):
        rows_of(b"PK\x03\x04garbage")
    with pytest.raises(ValidationError, match=r"Old \.xls"):
        rows_of(b"\xd0\xcf\x11\xe0rest")


def test_an_archive_of_a_zip_version_python_cannot_read_is_refused_clearly():
    # Found by the fuzz test: zipfile raises NotImplementedError for a central directory asking version 6.4.
    xlsx = bytearray(workbook(["a"]))
    entry = xlsx.index(b"PK\x01\x02")
    xlsx[entry + 6 : entry + 8] = (64).to_bytes(2, "little")
    with pytest.raises(ValidationError, match=r"not a valid \.xlsx"):
        rows_of(bytes(xlsx))


def test_workbook_values_keep_their_types():
    day = datetime.datetime(2024, 3, 1)
    assert rows_of(workbook(["n", "d"], [1.5, day])) == [["n", "d"], [1.5, day]]


# --- every sheet of a workbook (text extraction) -----------------------------------------------------------


def sheets(*named: tuple[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in named:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_every_sheet_is_read_in_the_workbooks_order():
    xlsx = sheets(("Costs", [["item", "cost"], ["oxygen", 120]]), ("Notes", [["kangaroo care"]]))
    got = list(read_workbook(io.BytesIO(xlsx), max_rows=100))
    assert got == [("Costs", ["item", "cost"]), ("Costs", ["oxygen", 120]), ("Notes", ["kangaroo care"])]
    # read_table stays with the first sheet, as the imports expect.
    assert rows_of(xlsx) == [["item", "cost"], ["oxygen", 120]]


def test_the_row_limit_counts_the_rows_of_all_sheets_together():
    xlsx = sheets(*((f"S{n}", [[f"r{i}"] for i in range(40)]) for n in range(5)))
    read = []
    with pytest.raises(ValidationError, match="more than 100 rows"):
        for row in read_workbook(io.BytesIO(xlsx), max_rows=100):
            read.append(row)
    assert len(read) == 101


def test_only_the_first_sheets_are_read():
    xlsx = sheets(*((f"S{n}", [[f"r{n}"]]) for n in range(5)))
    assert [title for title, _row in read_workbook(io.BytesIO(xlsx), max_rows=100, max_sheets=2)] == [
        "S0",
        "S1",
    ]


def test_gaps_between_rows_cost_nothing_when_every_sheet_is_read():
    # A row numbered in the billions would be a billion blank rows if the gaps were filled.
    xlsx = with_member(workbook(["a"]), SHEET, sheet_xml(inline_row(1, "a") + inline_row(10**9, "b")))
    assert [row for _title, row in read_workbook(io.BytesIO(xlsx), max_rows=5)] == [["a"], ["b"]]


def test_a_later_sheet_keeps_the_cell_bound():
    xlsx = sheets(("First", [["a"]]), ("Second", [["b"]]))
    long_cell = with_member(
        xlsx, "xl/worksheets/sheet2.xml", sheet_xml(inline_row(1, "x" * (MAX_CELL_CHARS + 1)))
    )
    with pytest.raises(ValidationError, match="more than 32,767 characters"):
        list(read_workbook(io.BytesIO(long_cell), max_rows=10))


def test_a_bomb_in_a_later_sheet_is_refused_before_the_workbook_is_opened(parser_never_runs):
    xlsx = sheets(("First", [["a"]]), ("Second", [["b"]]))
    bomb = with_member(xlsx, "xl/worksheets/sheet2.xml", sheet_xml(inline_row(1, "x" * 4_000_000)))
    with pytest.raises(ValidationError, match="too large or too densely packed"):
        list(read_workbook(io.BytesIO(bomb), max_rows=10))
    with pytest.raises(ValidationError, match=r"not a valid \.xlsx"):
        list(read_workbook(io.BytesIO(b"PK\x03\x04garbage"), max_rows=10))


# --- text tables: encodings and separators ------------------------------------------------------------------

TABLE = "currency;valid_from\nBRL;São Paulo €\n"
EXPECTED = [["currency", "valid_from"], ["BRL", "São Paulo €"]]


@pytest.mark.parametrize(
    "data",
    [
        TABLE.encode("utf-8"),
        b"\xef\xbb\xbf" + TABLE.encode("utf-8"),
        TABLE.encode("utf-16"),  # with its byte-order mark, as Excel saves "Unicode text"
        TABLE.encode("cp1252"),
        TABLE,  # text, as the API receives it
        "\ufeff" + TABLE,
    ],
    ids=["utf-8", "utf-8-bom", "utf-16", "windows-1252", "text", "text-bom"],
)
def test_every_encoding_people_save_reads_the_same(data):
    assert rows_of(data) == EXPECTED


def test_excel_unicode_text_is_tab_separated():
    data = "currency\tvalid_from\r\nBRL\t2024-01-01\r\n".encode("utf-16")
    assert rows_of(data) == [["currency", "valid_from"], ["BRL", "2024-01-01"]]


def test_bytes_that_are_no_text_are_refused_clearly():
    with pytest.raises(ValidationError, match="UTF-16"):
        rows_of(b"a,b\n\x81\x8d\x00,\x90\n")


def test_a_bare_carriage_return_ends_a_line():
    assert rows_of("a,b\r1,2\r") == [["a", "b"], ["1", "2"]]


def test_a_field_over_the_csv_module_limit_is_a_row_error():
    with pytest.raises(ValidationError, match="Row 2 has a cell of more than"):
        rows_of("a,b\n" + "x" * 140_000 + ",1\n")


def test_a_field_over_the_cell_limit_is_a_row_error():
    with pytest.raises(ValidationError, match="Row 3 has a cell of more than"):
        rows_of("a,b\n1,2\n" + "x" * (MAX_CELL_CHARS + 1) + ",1\n")


def test_text_rows_stop_at_the_limit():
    with pytest.raises(ValidationError, match="more than 3 rows"):
        rows_of("a\n" + "1\n" * 10, max_rows=3)


# --- numbers --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["1E999", "NaN", "nan", "12abc", "inf", float("nan"), float("inf"), "1,5", datetime.date(2024, 1, 1)],
)
def test_odd_numbers_are_refused_with_a_message(raw):
    with pytest.raises(ValidationError):
        cell_number(raw, limit=Decimal(10) ** 14)


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("12.5", Decimal("12.5")),
        (12.5, Decimal("12.5")),
        (3, Decimal(3)),
        (" 7 ", Decimal(7)),
        (True, Decimal(1)),
    ],
)
def test_numbers_read_as_typed(raw, number):
    assert cell_number(raw, limit=Decimal(10) ** 14) == number


def test_a_blank_cell_is_no_number():
    assert cell_number("  ", limit=Decimal(10)) is None and cell_number(None, limit=Decimal(10)) is None


# --- fuzz: anything in, ValidationError or rows out ---------------------------------------------------------


def _consume(data: object) -> None:
    with contextlib.suppress(ValidationError):
        rows_of(data, max_rows=50)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400))
def test_random_bytes_never_raise_anything_else(data):
    _consume(data)
    _consume(b"PK\x03\x04" + data)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list(',;\t"\r\n\x00ab1é\ufeff')), max_size=300))
def test_broken_csv_never_raises_anything_else(text):
    _consume(text)
    _consume(text.encode("utf-8"))


_GOOD = workbook(["value", "comment"], [1, "x"], [2.5, "y"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(_GOOD) - 1), st.binary(min_size=1, max_size=8))
def test_broken_xlsx_never_raises_anything_else(position, patch):
    _consume(_GOOD[:position] + patch + _GOOD[position + len(patch) :])


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_sheet_xml_never_raises_anything_else(body):
    from xml.sax.saxutils import escape

    _consume(with_member(_GOOD, SHEET, sheet_xml(f"<row><c><v>{escape(body)}</v></c></row>" + body)))


@pytest.mark.parametrize("text", ['a,b\nGBP,"unterminated\n', 'a,b\nGBP,"closed"then more\n'])
def test_a_quote_never_closed_or_text_after_a_closing_quote_is_refused_not_read(text):
    # Read leniently, the first became a cell holding the rest of the file (fresh tester, issue 10).
    with pytest.raises(ValidationError, match="cannot be read as CSV"):
        rows_of(text)


def test_a_quote_inside_an_unquoted_cell_is_still_read_as_it_is():
    assert rows_of('a,b\n5" screen,x\n') == [["a", "b"], ['5" screen', "x"]]


# --- an import's problems as a page lists them ------------------------------------------------------------------


def _expand(ranges: str) -> list[int]:
    numbers: list[int] = []
    for part in ranges.split(", "):
        first, _dash, last = part.partition("–")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


@given(
    st.lists(
        st.tuples(
            st.integers(0, 60), st.sampled_from(["rate", "valid_from"]), st.sampled_from(["bad", "gap"])
        ),
        min_size=1,
        max_size=80,
    )
)
@settings(max_examples=200, deadline=None)
def test_grouped_problems_name_every_bad_row_once_and_nothing_else(errors):
    rows = [uploads.RowProblem(row, column, f"v{row}", message) for row, column, message in errors]
    groups = uploads.group_problems(rows)
    for group in groups:
        # Computed apart: the rows that have this column and message, each once, in order.
        expected = sorted({r.row for r in rows if (r.column, r.message) == (group.column, group.message)})
        assert _expand(", ".join(group.ranges)) == expected
        shown = _expand(group.rows)
        assert shown == expected[: len(shown)] and (shown != expected) is group.rows_left_out
        assert group.count == sum((r.column, r.message) == (group.column, group.message) for r in rows)
        assert len(group.examples) <= 3 and len(set(group.examples)) == len(group.examples)
    assert {(g.column, g.message) for g in groups} == {(r.column, r.message) for r in rows}
    assert sum(g.count for g in groups) == len(rows)


def test_one_mistake_in_every_row_is_one_line():
    rows = [
        uploads.RowProblem(n, "valid_from", f"31/{n % 12 + 1}/2024", "Enter a valid date.")
        for n in range(2, 20_002)
    ]
    rows.append(uploads.RowProblem(7, "rate", "abc", "Enter a number."))
    first, second = uploads.group_problems(rows)
    assert (first.rows, first.count, first.more_values) == ("2–20001", 20_000, True)
    assert first.examples == ["31/3/2024", "31/4/2024", "31/5/2024"]
    assert (second.rows, second.count, second.examples) == ("7", 1, ["abc"])


def test_rows_scattered_through_a_big_file_are_listed_up_to_a_bound_and_counted():
    rows = [
        uploads.RowProblem(n, "rate", "-5", "The rate must be more than zero.") for n in range(2, 20_002, 5)
    ]
    [group] = uploads.group_problems(rows)
    assert group.count == 4_000 and group.rows_left_out
    assert group.rows.split(", ") == [str(n) for n in range(2, 2 + 5 * uploads.SHOWN_RANGES, 5)]
