"""One table, three outputs: the page's cells, the CSV and the XLSX write the same rounded numbers."""

import datetime
import io
from decimal import Decimal

import pytest
from django.test import RequestFactory
from django.utils import translation
from openpyxl import load_workbook

from twinning.core.charts import ticks
from twinning.core.exports import Column, Link, Table, csv_bytes, export_response, xlsx_bytes


def _table():
    return Table(
        key="money",
        title="Leverage: by partnership",
        columns=[
            Column("Partnership"),
            Column("Value", "money", currency="USD"),
            Column("Share", "percent"),
            Column("Hours", "number"),
            Column("Since", "date"),
        ],
        rows=[
            (
                Link("=cmd|' /C calc'!A0", "/p/1/"),
                Decimal("1234.565"),
                Decimal("45.55"),
                3,
                datetime.date(2026, 1, 31),
            ),
            ("Équipe", None, Decimal("0"), Decimal("2.50"), None),
        ],
    )


def test_numbers_are_rounded_once_for_every_output():
    table = _table()
    with translation.override("en"):
        cells = [[text for text, _url, _num in row] for row, _action in table.html_rows()]
    assert cells[0][1:4] == ["1,234.57", "45.6%", "3"]
    assert cells[1] == ["Équipe", "—", "0%", "2.5", "—"]
    assert table.headers()[1] == "Value (USD)"


def test_the_page_writes_numbers_and_dates_in_the_readers_language():
    with translation.override("fr"):
        cells = [text for text, _url, _num in _table().html_rows()[0][0]]
    assert (
        cells[1] == "1\u202f234,57" and cells[2] == "45,6\u00a0%"
    )  # CLDR: a no-break space before % in French
    assert cells[4] == "31 janvier 2026"


def test_csv_has_a_bom_machine_numbers_and_no_formula():
    text = csv_bytes(_table()).decode("utf-8")
    assert text.startswith("\ufeffPartnership,Value (USD),Share,Hours,Since\r\n")
    assert "'=cmd|' /C calc'!A0,1234.57,45.6,3,2026-01-31\r\n" in text
    assert "Équipe,,0,2.5,\r\n" in text


def test_xlsx_has_typed_cells_formats_a_frozen_header_and_no_formula():
    sheet = load_workbook(io.BytesIO(xlsx_bytes([_table()]))).worksheets[0]
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert first[0].data_type == "s" and first[0].value == "=cmd|' /C calc'!A0" and first[0].quotePrefix
    assert (first[1].value, first[1].number_format) == (1234.57, "#,##0.00")
    assert (first[2].value, first[2].number_format) == (pytest.approx(0.456), "0.0%")
    assert first[4].value == datetime.datetime(2026, 1, 31)


def test_a_money_column_must_name_its_currency_and_rows_must_fit_the_columns():
    with pytest.raises(ValueError):
        Column("Value", "money")
    with pytest.raises(ValueError):
        Table(key="t", title="t", columns=[Column("a")], rows=[("x", "y")])
    with pytest.raises(ValueError):
        Table(key="t", title="t", columns=[Column("n", "number")], rows=[("many",)])


def test_export_response_answers_the_page_the_chosen_table_or_404():
    from django.http import Http404

    tables = [_table(), Table(key="other", title="Other", columns=[Column("a")], rows=[("x",)])]
    factory = RequestFactory()
    assert export_response(factory.get("/"), tables) is None
    response = export_response(factory.get("/", {"format": "csv", "table": "other"}), tables)
    assert response is not None
    assert response["Content-Disposition"] == 'attachment; filename="other.csv"'
    first = export_response(factory.get("/", {"format": "xlsx"}), tables)
    assert first is not None
    assert first["Content-Disposition"] == 'attachment; filename="leverage-by-partnership.xlsx"'
    with pytest.raises(Http404):
        export_response(factory.get("/", {"format": "csv", "table": "nope"}), tables)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 37, [0, 10, 20, 30, 40]),
        (-3, 9, [-5, 0, 5, 10]),
        (0, 0.8, [0, "0.2", "0.4", "0.6", "0.8"]),
        (5, 5, [0, 2, 4, 6]),
    ],
)
def test_a_value_axis_has_round_ticks_from_zero(low, high, expected):
    assert ticks(low, high) == [Decimal(str(v)) for v in expected]


def test_xlsx_whole_counts_have_no_stray_decimal_point():
    # "#,##0.##" made Excel show 3 as "3." (a tester saw "181."): whole counts are "#,##0", fractions keep places.
    sheet = load_workbook(io.BytesIO(xlsx_bytes([_table()]))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2, max_row=3))
    assert (rows[0][3].value, rows[0][3].number_format) == (3, "#,##0")
    assert (rows[1][3].value, rows[1][3].number_format) == (2.5, "#,##0.0#")
    assert "." not in rows[0][3].number_format


def _mixed_text_column():
    return Table(
        key="mixed",
        title="Mixed",
        columns=[Column("Item"), Column("Value")],
        rows=[
            ("Starts", datetime.date(2024, 1, 1)),
            ("Prepared", datetime.datetime(2024, 3, 5, 14, 30, tzinfo=datetime.UTC)),
            ("Amount", Decimal("-12.50")),
            ("Count", -3),
            ("Ratio", 0.25),
            ("Formula", "=1+2"),
            ("Plus", "+SUM(A1)"),
            ("Minus", "-2+3"),
            ("At", "@cmd"),
            ("Yes", True),
        ],
    )


def test_a_text_column_keeps_dates_and_numbers_typed_in_the_xlsx_and_user_text_stays_text(settings):
    settings.TIME_ZONE = "UTC"
    sheet = load_workbook(io.BytesIO(xlsx_bytes([_mixed_text_column()]))).worksheets[0]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    assert cells["Starts"].value == datetime.datetime(2024, 1, 1)
    assert cells["Starts"].is_date and cells["Starts"].number_format == "yyyy-mm-dd"
    assert cells["Prepared"].value == datetime.datetime(2024, 3, 5, 14, 30)
    assert cells["Prepared"].is_date and cells["Prepared"].number_format == "yyyy-mm-dd hh:mm"
    assert (cells["Amount"].data_type, cells["Amount"].value) == ("n", -12.5)
    assert (cells["Count"].data_type, cells["Count"].value) == ("n", -3)
    assert (cells["Ratio"].data_type, cells["Ratio"].value) == ("n", 0.25)
    for key, text in (("Formula", "=1+2"), ("Plus", "+SUM(A1)"), ("Minus", "-2+3"), ("At", "@cmd")):
        assert (cells[key].data_type, cells[key].value) == ("s", text), key
    assert cells["Yes"].value == "True"  # a bool is not a number: written as text


def test_a_text_column_writes_typed_values_in_the_readers_language_and_the_csv_in_machine_form():
    table = _mixed_text_column()
    with translation.override("en"):
        cells = dict((row[0][0], row[1][0]) for row, _action in table.html_rows())
    assert cells["Starts"] == "Jan. 1, 2024"
    assert cells["Count"] == "-3"
    text = csv_bytes(table).decode("utf-8")
    assert "Starts,2024-01-01\r\n" in text and "Amount,-12.50\r\n" in text and "Count,-3\r\n" in text
    assert "Formula,'=1+2\r\n" in text and "Minus,'-2+3\r\n" in text and "At,'@cmd\r\n" in text
