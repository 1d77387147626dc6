"""The exchange-rate import: every malformed input is a row error (never a 500) and writes nothing, every
encoding reads the same through the web and the API, the model's rules apply, and downloads keep formula-like
text as text."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from twinning.accounts.services import api_token_create
from twinning.contributions import services
from twinning.contributions.models import CostShareClaim, ExchangeRate
from twinning.contributions.tests.factories import (
    AllocationFactory,
    AwardFactory,
    ExchangeRateFactory,
    GiftFactory,
)

pytestmark = pytest.mark.django_db
HEADER = "currency,valid_from,valid_to,rate,source\n"


def web_import(client, world, data: bytes, name="rates.csv", user=None):
    client.force_login(user or world.finance)
    return client.post(
        reverse("contributions:exchange_rate_import", args=[world.programme.uuid]),
        {"file": SimpleUploadedFile(name, data)},
    )


def api_import(world, text: str, user=None):
    user = user or world.finance
    tokens = world.__dict__.setdefault("tokens", {})  # one per user: Hypothesis calls this many times
    if user.pk not in tokens:
        tokens[user.pk] = api_token_create(actor=user, user=user, name="test")[1]
    raw = tokens[user.pk]
    return Client().post(
        f"/api/v1/contributions/programmes/{world.programme.uuid}/exchange-rates/import",
        data=json.dumps({"csv": text}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )


def rejected(world, data) -> list[tuple[int, str]]:
    with pytest.raises(services.ImportRejected) as exc:
        services.exchange_rates_import(actor=world.finance, programme=world.programme, data=data)
    assert not ExchangeRate.objects.exists()
    return [(e.row, e.column) for e in exc.value.row_errors]


# --- issue 10, finding 6 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate", ["1E999", "NaN", "12abc", "Infinity", "1e10"])
def test_odd_numbers_are_row_errors(world, rate):
    assert rejected(world, HEADER + f"GBP,2024-01-01,2024-12-31,{rate},\n") == [(2, "rate")]


def test_a_field_over_131072_characters_is_an_error_not_a_500(client, world):
    body = HEADER + "GBP,2024-01-01,2024-12-31,1.2," + "x" * 140_000 + "\n"
    assert rejected(world, body) == [(0, "file")]
    response = web_import(client, world, body.encode())
    assert response.status_code == 400 and "more than 32,767 characters" in response.content.decode()
    assert api_import(world, body[:1_900_000]).status_code == 422
    assert not ExchangeRate.objects.exists()


def test_a_bare_carriage_return_ends_a_row(client, world):
    body = "currency,valid_from,valid_to,rate\rGBP,2024-01-01,2024-12-31,1.2\rEUR,2024-01-01,2024-12-31,1.1\r"
    assert web_import(client, world, body.encode()).status_code == 302
    assert ExchangeRate.objects.count() == 2


def test_the_source_is_held_to_the_models_limit(world):
    assert rejected(world, HEADER + "GBP,2024-01-01,2024-12-31,1.2," + "s" * 301 + "\n") == [(2, "source")]


def test_a_date_that_is_no_date_is_a_row_error_whatever_the_other_cells(world):
    body = HEADER + "GBP,soon,2024-12-31,abc,\nEUR,,,,x\n"
    assert rejected(world, body) == [
        (2, "rate"),
        (2, "valid_from"),
        (3, "valid_from"),
        (3, "valid_to"),
        (3, "rate"),
    ]


# --- encodings: the same through the web and the API ---------------------------------------------------------


def test_every_encoding_reads_the_same_through_the_web(client, world):
    text = "currency;valid_from;valid_to;rate;source\nGBP;2024-01-01;2024-12-31;1.27;Banco Central €\n"
    for n, data in enumerate(
        [
            text.encode("utf-8"),
            b"\xef\xbb\xbf" + text.encode("utf-8"),
            text.replace(";", "\t").encode("utf-16"),
            text.encode("cp1252"),
        ]
    ):
        ExchangeRate.objects.all().delete()
        assert web_import(client, world, data, f"rates{n}.csv").status_code == 302
        assert ExchangeRate.objects.get().source == "Banco Central €"


def test_the_api_reads_text_with_a_byte_order_mark_and_semicolons(world):
    response = api_import(world, "\ufeffcurrency;valid_from;valid_to;rate\nGBP;2024-01-01;2024-12-31;1.27\n")
    assert response.status_code == 201 and ExchangeRate.objects.get().rate == Decimal("1.27")


def test_bytes_in_no_known_encoding_are_refused_clearly(client, world):
    response = web_import(client, world, b"currency,valid_from\n\x81\x8d\x90\n")
    assert response.status_code == 400 and "UTF-16" in response.content.decode()


def test_a_workbook_of_rates_imports_too(client, world):
    book = Workbook()
    book.active.append(["currency", "valid_from", "valid_to", "rate"])
    book.active.append(["GBP", datetime.datetime(2024, 1, 1), datetime.datetime(2024, 12, 31), 1.27])
    out = io.BytesIO()
    book.save(out)
    assert web_import(client, world, out.getvalue(), "rates.xlsx").status_code == 302
    assert ExchangeRate.objects.get().valid_to == datetime.date(2024, 12, 31)


# --- overlaps, checked in one sweep ------------------------------------------------------------------------------


def test_overlaps_with_other_rows_and_stored_rates_are_each_reported(world):
    ExchangeRateFactory(
        programme=world.programme,
        currency="KES",
        valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2024, 1, 31),
    )
    body = (
        HEADER + "GBP,2024-03-01,2024-12-31,1.3,\n"  # overlapped by row 4, which starts earlier
        "GBP,2025-01-01,2025-12-31,1.3,\n"  # fine
        "GBP,2024-01-01,2024-03-01,1.2,\n"  # overlaps row 2 on 1 March
        "KES,2023-12-01,2024-01-01,0.01,\n"  # overlaps the stored rate on 1 January
        "KES,2024-02-01,2024-02-29,0.01,\n"  # fine
    )
    with pytest.raises(services.ImportRejected) as exc:
        services.exchange_rates_import(actor=world.finance, programme=world.programme, data=body)
    assert [(e.row, e.message) for e in exc.value.row_errors] == [
        (4, "Overlaps row 2."),
        (5, "Overlaps a rate already entered."),
    ]


# --- who may import ----------------------------------------------------------------------------------------------


def test_outsiders_get_404_and_read_only_staff_403(client, world):
    body = (HEADER + "GBP,2024-01-01,2024-12-31,1.2,\n").encode()
    assert web_import(client, world, body, user=world.outsider).status_code == 404
    assert web_import(client, world, body, user=world.coordinator).status_code == 404
    assert web_import(client, world, body, user=world.programme_viewer).status_code == 403
    assert api_import(world, body.decode(), user=world.outsider).status_code == 404
    assert api_import(world, body.decode(), user=world.programme_viewer).status_code == 403
    assert not ExchangeRate.objects.exists()


# --- fuzz ----------------------------------------------------------------------------------------------------------

_FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_PARTS = st.sampled_from(
    [",", ";", "\t", '"', "\r", "\n", "\x00", "GBP", "2024-01-01", "1E999", "NaN", "-1", "0", "é", "x" * 400]
)


@_FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_answer_500(client, world, data):
    for payload in (data, b"PK\x03\x04" + data):
        assert web_import(client, world, payload).status_code == 400
    assert not ExchangeRate.objects.exists()


@_FUZZ
@given(parts=st.lists(_PARTS, max_size=40))
def test_broken_csv_never_answers_500_on_the_web_or_the_api(client, world, parts):
    text = HEADER + "".join(parts)
    for response in (web_import(client, world, text.encode()), api_import(world, text)):
        assert response.status_code in (201, 302, 400, 422)
        if response.status_code in (400, 422):
            assert not ExchangeRate.objects.exists()
        ExchangeRate.objects.all().delete()


def _rates_workbook() -> bytes:
    book = Workbook()
    book.active.append(["currency", "valid_from", "valid_to", "rate"])
    book.active.append(["GBP", "2024-01-01", "2024-12-31", 1.2])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_GOOD_XLSX = _rates_workbook()


@_FUZZ
@given(
    position=st.integers(min_value=0, max_value=len(_GOOD_XLSX) - 1), patch=st.binary(min_size=1, max_size=6)
)
def test_broken_xlsx_never_answers_500(client, world, position, patch):
    data = _GOOD_XLSX[:position] + patch + _GOOD_XLSX[position + len(patch) :]
    response = web_import(client, world, data, "rates.xlsx")
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not ExchangeRate.objects.exists()
    ExchangeRate.objects.all().delete()


# --- issue 9, section 6: downloads keep formula-like text as text -----------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "+1", "-cmd", "@SUM(A1)"])
def test_the_cost_share_download_keeps_formula_like_text_as_text(client, world, text):
    award = AwardFactory(programme=world.programme)
    AllocationFactory(award=award, partnership=world.partnership)
    gift = GiftFactory(partnership=world.partnership, description=text)
    CostShareClaim.objects.create(award=award, gift=gift)
    client.force_login(world.finance)
    response = client.get(reverse("contributions:cost_share_xlsx", args=[award.uuid]))
    cell = load_workbook(io.BytesIO(response.content)).worksheets[2].cell(row=2, column=4)
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)


# --- issue 9, section 4: rates typed as text are read the user's way on the web, the machine way by the API -----


def test_a_portuguese_rate_file_reads_decimal_commas_and_the_api_refuses_them(client, world):
    client.force_login(world.finance)
    client.post("/i18n/setlang/", {"language": "pt"})
    body = "currency;valid_from;valid_to;rate\nGBP;2024-01-01;2024-12-31;1,27\n"
    assert web_import(client, world, body.encode()).status_code == 302
    assert ExchangeRate.objects.get().rate == Decimal("1.27")
    ExchangeRate.objects.all().delete()
    response = api_import(world, body)
    assert response.status_code == 422 and response.json()["rows"][0]["column"] == "rate"
    assert not ExchangeRate.objects.exists()


def test_a_quote_never_closed_refuses_the_file_with_its_line(client, world):
    body = HEADER + 'GBP,2030-04-01,2030-04-30,1.25,"unterminated\n'
    assert rejected(world, body) == [(0, "file")]
    response = web_import(client, world, body.encode())
    assert response.status_code == 400 and "cannot be read as CSV" in response.content.decode()
    assert not ExchangeRate.objects.exists()


def test_one_mistake_in_20000_rows_is_one_line_on_a_light_page_and_every_row_in_the_api(client, world):
    body = HEADER + "".join(f"GBP,31/{n % 12 + 1}/2024,2024-12-31,1.27,\n" for n in range(20_000))
    response = web_import(client, world, body.encode())
    assert response.status_code == 400
    html = response.content.decode()
    problems = html[
        html.index('id="import-errors"') : html.index("</table>", html.index('id="import-errors"'))
    ]
    assert problems.count("<tr>") == 2  # the header and the one problem
    assert "2–20001" in problems and "20000 rows" in problems
    assert len(response.content) < 40_000  # it was 2.3 MB with a line per row
    assert not ExchangeRate.objects.exists()

    answer = api_import(world, body)
    assert answer.status_code == 422
    assert [row["row"] for row in answer.json()["rows"]] == list(range(2, 20_002))
