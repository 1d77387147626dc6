"""The results import: it never undoes newer work, reports truthfully, applies the model's rules whatever the
door, turns every malformed file into an error (never a 500) and writes nothing then."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from twinning.core.uploads import read_table
from twinning.monitoring import imports, services
from twinning.monitoring.models import ImportJob, Result
from twinning.monitoring.tests.factories import measures_a_change, monitored
from twinning.planning.models import Plan

pytestmark = pytest.mark.django_db
HEADER = "partnership,period,indicator,option,value,numerator,denominator,text,score,comment\n"
VALUE, COMMENT, VERSION = 5, 10, 11  # template columns (1-based)


def upload(client, world, content: bytes, name="results.csv", user=None):
    client.force_login(user or world.member)
    url = f"/monitoring/{world.partnership.uuid}/2024Q1/upload/"
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def job_url(world, job) -> str:
    return f"/monitoring/{world.partnership.uuid}/2024Q1/imports/{job.uuid}/"


def template(client, world):
    client.force_login(world.member)
    response = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def row_of(sheet, code: str, option: str = "") -> int:
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if row[2] == code and (row[3] or "") == option:
            return number
    raise AssertionError(f"{code} {option} not in the template")


def saved(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def import_rows(world, rows, user=None):
    return imports.results_import(
        actor=user or world.member,
        rows=read_table(rows, max_rows=1000),
        programme=world.programme,
        partnership=world.partnership,
        period="2024Q1",
    )


# --- issue 9, section 5: never undo newer work, report truthfully ----------------------------------------------


def test_an_old_workbook_keeps_the_corrected_value_and_reports_the_conflict(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "11"}
    )
    book = template(client, world)  # the member downloads: 11, version 1
    sheet = book.active
    services.result_save(  # the coordinator then corrects it to 15
        actor=world.coordinator,
        plan_indicator=m.trained,
        period="2024Q1",
        values={"value": "15"},
        expected_version=1,
    )
    sheet.cell(row=row_of(sheet, "HW1", "sex:female"), column=VALUE, value=6)  # one other row filled

    response = upload(client, world, saved(book), "results.xlsx")

    assert response.status_code == 200
    overall = Result.objects.get(indicator=m.trained.indicator, option=None)
    assert (overall.value, overall.version) == (15, 2)
    assert Result.objects.get(indicator=m.trained.indicator, option__code="female").value == 6
    conflicts = response.context["outcome"].conflicts
    assert [(c.row, c.label) for c in conflicts] == [(row_of(sheet, "HW1"), "HW1 2024Q1")]
    assert "1 new, 0 updated, 0 unchanged, 1 conflicts" in response.content.decode()


def test_uploading_the_same_file_twice_changes_nothing_the_second_time(client, world):
    m = monitored(world)
    body = (HEADER + ",2024Q1,HW1,,12,,,,,from register\n,2024Q1,MDA,,,3,4,,,\n").encode()
    assert upload(client, world, body).status_code == 302
    assert import_rows(world, body).updated == 0  # the service says it too

    response = upload(client, world, body)

    assert response.status_code == 302
    *_first, message = (str(m) for m in get_messages(response.wsgi_request))
    assert "0 new, 0 updated, 2 unchanged" in message
    assert sorted(Result.objects.values_list("indicator_id", "version")) == sorted(
        [(m.trained.indicator_id, 1), (m.deaths.indicator_id, 1)]
    )


def test_rows_the_user_did_not_change_are_not_written(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "11"}
    )
    book = template(client, world)
    sheet = book.active
    sheet.cell(row=row_of(sheet, "MDA"), column=6, value=3)
    sheet.cell(row=row_of(sheet, "MDA"), column=7, value=4)

    outcome = import_rows(world, saved(book))

    assert (outcome.created, outcome.updated, outcome.unchanged, outcome.conflict_count) == (1, 0, 1, 0)
    assert Result.objects.get(indicator=m.trained.indicator).version == 1


def test_a_changed_row_at_the_version_downloaded_is_updated(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "11"}
    )
    book = template(client, world)
    sheet = book.active
    sheet.cell(row=row_of(sheet, "HW1"), column=VALUE, value=12)

    outcome = import_rows(world, saved(book))

    assert (outcome.updated, outcome.conflict_count) == (1, 0)
    result = Result.objects.get(indicator=m.trained.indicator)
    assert (result.value, result.version) == (12, 2)


def test_a_value_removed_since_the_download_is_a_conflict_not_a_new_value(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "11"}
    )
    book = template(client, world)
    services.result_save(
        actor=world.coordinator, plan_indicator=m.trained, period="2024Q1", values={}, expected_version=1
    )
    outcome = import_rows(world, saved(book))
    assert (outcome.created, outcome.conflict_count) == (0, 1)
    assert not Result.objects.exists()


def test_a_version_that_is_no_number_is_a_row_error(world):
    monitored(world)
    with pytest.raises(imports.ImportRejected) as exc:
        import_rows(world, HEADER.strip() + ",version\n,2024Q1,HW1,,12,,,,,,abc\n")
    assert [(e.row, e.column) for e in exc.value.row_errors] == [(2, "version")]


# --- issue 10, finding 7: the model's limits whatever the door -------------------------------------------------


def test_a_comment_longer_than_the_form_allows_is_refused_by_the_import(client, world):
    monitored(world)
    body = HEADER + ",2024Q1,HW1,,12,,,,," + "x" * 2001 + "\n"
    response = upload(client, world, body.encode())
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [(2, "comment")]
    assert not Result.objects.exists()
    assert (
        upload(client, world, (HEADER + ",2024Q1,HW1,,12,,,,," + "x" * 2000 + "\n").encode()).status_code
        == 302
    )


def test_the_service_applies_the_same_comment_limit(world):
    m = monitored(world)
    with pytest.raises(ValidationError) as exc:
        services.result_save(
            actor=world.member,
            plan_indicator=m.trained,
            period="2024Q1",
            values={"value": "1"},
            comment="x" * 2001,
        )
    assert "comment" in exc.value.message_dict
    assert not Result.objects.exists()


# --- issue 10, finding 6: odd numbers are row errors, never a 500 -----------------------------------------------


def sheet_with_value_cells(*cells: str) -> bytes:
    """A results workbook whose value cells are written raw, as a hostile or broken file could hold them."""
    book = Workbook()
    book.active.append(HEADER.strip().split(","))
    out = io.BytesIO()
    book.save(out)
    rows = "".join(
        f'<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>2024Q1</t></is></c>'
        f'<c r="C{n}" t="inlineStr"><is><t>HW1</t></is></c>{cell.format(ref=f"E{n}")}</row>'
        for n, cell in enumerate(cells, start=2)
    )
    header = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in HEADER.strip().split(","))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{header}</row>{rows}</sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            target.writestr(item.filename, content)
    return result.getvalue()


def test_odd_numbers_in_a_workbook_are_row_errors(client, world):
    monitored(world)
    xlsx = sheet_with_value_cells(
        '<c r="{ref}"><v>1E999</v></c>',  # a number cell too large for a float: infinity
        '<c r="{ref}" t="inlineStr"><is><t>NaN</t></is></c>',
        '<c r="{ref}" t="inlineStr"><is><t>12abc</t></is></c>',
    )
    response = upload(client, world, xlsx, "results.xlsx")
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [
        (2, "value"),
        (3, "value"),
        (4, "value"),
    ]
    assert not Result.objects.exists()


def test_a_number_cell_holding_letters_is_a_clear_error(client, world):
    monitored(world)
    response = upload(client, world, sheet_with_value_cells('<c r="{ref}"><v>12abc</v></c>'), "r.xlsx")
    assert response.status_code == 400
    assert "Row 2 of the workbook cannot be read" in response.content.decode()
    assert not Result.objects.exists()


@pytest.mark.parametrize("number", ["1E999", "NaN", "12abc", "-inf", "1e14"])
def test_odd_numbers_in_a_csv_are_row_errors(client, world, number):
    monitored(world)
    response = upload(client, world, (HEADER + f",2024Q1,HW1,,{number},,,,,\n").encode())
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [(2, "value")]
    assert not Result.objects.exists()


def test_every_encoding_uploads_the_same(client, world):
    monitored(world)

    def body(value: int, separator: str = ",") -> str:
        return (HEADER + f",2024Q1,HW1,,{value},,,,,São Paulo register\n").replace(",", separator)

    files = [
        body(12).encode("utf-8"),
        b"\xef\xbb\xbf" + body(13).encode("utf-8"),
        body(14, "\t").encode("utf-16"),  # Excel's "Unicode text"
        body(15, ";").encode("cp1252"),
    ]
    for value, data in enumerate(files, start=12):
        assert upload(client, world, data, "results.txt").status_code == 302
        result = Result.objects.get()
        assert (result.value, result.comment) == (value, "São Paulo register")


# --- who may upload ------------------------------------------------------------------------------------------


def test_outsiders_get_404_and_read_only_members_403(client, world):
    monitored(world)
    body = (HEADER + ",2024Q1,HW1,,12,,,,,\n").encode()
    assert upload(client, world, body, user=world.outsider).status_code == 404
    assert upload(client, world, body, user=world.other_coordinator).status_code == 404
    assert upload(client, world, body, user=world.partnership_viewer).status_code == 403
    assert upload(client, world, body, user=world.programme_viewer).status_code == 403
    assert not Result.objects.exists()


# --- issue 9, section 6: text that looks like a formula stays text ----------------------------------------------


def test_the_template_writes_formula_like_comments_as_text(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.member,
        plan_indicator=m.trained,
        period="2024Q1",
        values={"value": "1"},
        comment='=HYPERLINK("http://evil.example","x")',
    )
    sheet = template(client, world).active
    cell = sheet.cell(row=row_of(sheet, "HW1"), column=COMMENT)
    assert cell.value == '=HYPERLINK("http://evil.example","x")'
    assert cell.data_type == "s" and cell.quotePrefix


# --- fuzz: any file answers an error page, never a 500, and writes nothing -------------------------------------


def ready(world) -> None:
    """The agreed plan, made once: Hypothesis runs every example in the same test (and transaction)."""
    if not Plan.objects.filter(partnership=world.partnership).exists():
        monitored(world)


_FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_CSV_PARTS = st.sampled_from(
    [
        ",",
        ";",
        "\t",
        '"',
        "\r",
        "\n",
        "\x00",
        "2024Q1",
        "HW1",
        "1E999",
        "NaN",
        "sex:female",
        "x" * 300,
        "-1",
        "é",
    ]
)


@_FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_never_answer_500(client, world, data):
    ready(world)
    for name in ("r.csv", "r.xlsx"):
        assert upload(client, world, data, name).status_code == 400
        assert upload(client, world, b"PK\x03\x04" + data, name).status_code == 400
    assert not Result.objects.exists()


@_FUZZ
@given(parts=st.lists(_CSV_PARTS, max_size=40))
def test_broken_csv_never_answers_500(client, world, parts):
    ready(world)
    response = upload(client, world, (HEADER + "".join(parts)).encode(), "r.csv")
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not Result.objects.exists()
    Result.objects.all().delete()


_GOOD_XLSX = sheet_with_value_cells('<c r="{ref}"><v>3</v></c>')


@_FUZZ
@given(
    position=st.integers(min_value=0, max_value=len(_GOOD_XLSX) - 1), patch=st.binary(min_size=1, max_size=6)
)
def test_broken_xlsx_never_answers_500(client, world, position, patch):
    ready(world)
    data = _GOOD_XLSX[:position] + patch + _GOOD_XLSX[position + len(patch) :]
    response = upload(client, world, data, "r.xlsx")
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not Result.objects.exists()
    Result.objects.all().delete()


# --- issue 10, finding 1: large uploads are imported by the task worker -------------------------------------


@pytest.fixture
def small_inline_limit(monkeypatch):
    monkeypatch.setattr(imports, "INLINE_BYTES", 50)


def test_a_large_upload_is_imported_by_the_worker_and_its_page_shows_the_outcome(
    client, world, small_inline_limit, django_capture_on_commit_callbacks
):
    monitored(world)
    body = (HEADER + ",2024Q1,HW1,,12,,,,,\n,2024Q1,HW1,sex:female,7,,,,,\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, world, body)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == job_url(world, job)
    job.refresh_from_db()
    assert (job.status, job.requested_by, job.rows_read) == ("done", world.member, 2)
    assert "2 new, 0 updated" in job.summary
    assert not job.file  # the stored copy is gone once imported
    assert set(Result.objects.values_list("value", flat=True)) == {7, 12}
    page = client.get(job_url(world, job))
    assert page.status_code == 200 and "2 new, 0 updated" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()  # finished: nothing left to poll


def test_a_queued_import_page_polls_until_the_job_is_done(client, world, small_inline_limit):
    monitored(world)
    upload(client, world, (HEADER + ",2024Q1,HW1,,12,,,,,\n").encode())  # the worker has not run it yet
    job = ImportJob.objects.get()
    assert job.status == "queued" and not Result.objects.exists()
    fragment = client.get(job_url(world, job), HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert 'hx-trigger="every 2s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


def test_a_large_upload_with_bad_rows_imports_nothing_and_lists_them(
    client, world, small_inline_limit, django_capture_on_commit_callbacks
):
    monitored(world)
    body = (HEADER + ",2024Q1,HW1,,12,,,,,\n,2024Q1,NOPE,,1,,,,,\n,2024Q1,HW1,,1E999,,,,,\n").encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, body)
    job = ImportJob.objects.get()
    assert job.status == "rejected"
    assert [(e["row"], e["column"]) for e in job.details["errors"]] == [(3, "indicator"), (4, "value")]
    assert not Result.objects.exists()
    assert "NOPE" in client.get(job_url(world, job)).content.decode()


def test_a_large_upload_that_cannot_be_read_is_recorded_as_refused(
    client, world, small_inline_limit, django_capture_on_commit_callbacks
):
    monitored(world)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, world, b"PK\x03\x04" + b"\x00" * 100, "results.xlsx")
    job = ImportJob.objects.get()
    assert job.status == "rejected" and "not a valid .xlsx" in job.summary
    assert not Result.objects.exists()


def test_only_the_uploader_sees_an_import_job(client, world, small_inline_limit):
    monitored(world)
    upload(client, world, (HEADER + ",2024Q1,HW1,,12,,,,,\n").encode())
    job = ImportJob.objects.get()
    for user, status in [
        (world.member, 200),
        (world.coordinator, 404),
        (world.outsider, 404),
        (world.other_coordinator, 404),
        (world.partnership_viewer, 403),
    ]:
        client.force_login(user)
        assert client.get(job_url(world, job)).status_code == status, user


# --- issue 9, section 4: numbers in files are read the uploader's way -------------------------------------------


def choose_language(client, world, language: str) -> None:
    client.force_login(world.member)
    client.post("/i18n/setlang/", {"language": language})  # the language chooser at the foot of every page


def test_a_portuguese_csv_with_decimal_commas_imports_12_5(client, world):
    measures_a_change(monitored(world).trained)
    choose_language(client, world, "pt")
    body = HEADER.replace(",", ";") + ";2024Q1;HW1;;12,5;;;;;\n;2024Q1;MDA;;;4,5;50;;;\n"
    response = client.post(
        f"/monitoring/{world.partnership.uuid}/2024Q1/upload/",
        {"file": SimpleUploadedFile("resultados.csv", body.encode("cp1252"))},
    )
    assert response.status_code == 302
    m_values = dict(Result.objects.values_list("indicator__code", "value"))
    assert m_values == {"HW1": Decimal("12.5"), "MDA": Decimal("9")}


def test_an_english_csv_with_a_decimal_comma_is_a_row_error_never_125(client, world):
    monitored(world)
    choose_language(client, world, "en")
    body = HEADER.replace(",", ";") + ";2024Q1;HW1;;12,5;;;;;\n"
    response = client.post(
        f"/monitoring/{world.partnership.uuid}/2024Q1/upload/",
        {"file": SimpleUploadedFile("results.csv", body.encode())},
    )
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["row_errors"]] == [(2, "value")]
    assert not Result.objects.exists()
