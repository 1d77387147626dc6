"""Sheet names: every title a download gives becomes a name Excel accepts, cut at a word, never twice the same."""

import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from twinning.core.exports import Column, Table, xlsx_bytes
from twinning.core.spreadsheets import SHEET_TITLE_LIMIT, Sheet, sheet_title, workbook_bytes


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis():
    assert sheet_title("Contributions and leverage to date", set()) == "Contributions and leverage to…"
    assert sheet_title("IPTT Strengthening neonatal care in Kisumu", set()) == "IPTT Strengthening neonatal…"
    assert sheet_title("Contributions et effet de levier à ce jour", set()) == "Contributions et effet de…"


def test_one_long_word_is_cut_inside_it():
    assert sheet_title("A" * 40, set()) == "A" * 30 + "…"


def test_names_excel_forbids_or_keeps_for_itself_are_changed():
    assert sheet_title("Results 2024/25: Q1 [draft]?", set()) == "Results 2024 25 Q1 draft"
    assert sheet_title("'quoted'", set()) == "quoted"
    assert sheet_title("History", set()) == "History (2)"
    assert sheet_title("  ", set()) == "Sheet"


def test_a_taken_name_gets_a_number_within_the_limit():
    taken: set[str] = set()
    first = sheet_title("IPTT Strengthening neonatal care in Kisumu", taken)
    second = sheet_title("IPTT Strengthening neonatal care in Nakuru", taken)
    third = sheet_title("iptt strengthening neonatal care in Eldoret", taken)
    assert (first, second, third) == (
        "IPTT Strengthening neonatal…",
        "IPTT Strengthening… (2)",
        "iptt strengthening… (3)",
    )
    assert taken == {first, second, third}


@given(st.lists(st.text(max_size=80), min_size=1, max_size=8))
def test_any_titles_give_distinct_names_excel_accepts(titles):
    taken: set[str] = set()
    names = [sheet_title(title, taken) for title in titles]
    assert len({name.casefold() for name in names}) == len(names)
    book = Workbook()
    for name in names:
        assert 0 < len(name) <= SHEET_TITLE_LIMIT
        assert name[0] != "'" and name[-1] != "'" and name.casefold() != "history"
        book.create_sheet(title=name)  # openpyxl raises on a name Excel would refuse


def test_both_writers_name_their_sheets_the_same_way():
    long = "Contributions and leverage to date"
    table = Table(key="t", title=long, columns=[Column("A")], rows=[["x"]])
    from_tables = load_workbook(io.BytesIO(xlsx_bytes([table, table]))).sheetnames
    from_sheets = load_workbook(io.BytesIO(workbook_bytes([Sheet(long, ["A"], [["x"]])] * 2))).sheetnames
    assert from_tables == from_sheets == ["Contributions and leverage to…", "Contributions and leverage… (2)"]
