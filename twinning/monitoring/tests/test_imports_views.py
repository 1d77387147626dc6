import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from twinning.monitoring import services
from twinning.monitoring.models import Evidence, PeriodReport, Result
from twinning.monitoring.tests.factories import monitored

pytestmark = pytest.mark.django_db
HEADER = "partnership,period,indicator,option,value,numerator,denominator,text,score,comment\n"


def upload(client, world, content: bytes, name="results.csv"):
    client.force_login(world.member)
    url = f"/monitoring/{world.partnership.uuid}/2024Q1/upload/"
    return client.post(url, {"file": SimpleUploadedFile(name, content)})


def test_csv_upload_creates_then_updates(client, world):
    monitored(world)
    body = HEADER + ",2024Q1,HW1,,12,,,,,from register\n,2024Q1,HW1,sex:female,7,,,,,\n,2024Q1,MDA,,,3,4,,,\n"
    assert upload(client, world, body.encode()).status_code == 302
    assert Result.objects.count() == 3
    assert upload(client, world, body.replace(",12,", ",13,").encode()).status_code == 302
    assert Result.objects.count() == 3
    assert Result.objects.get(option=None, indicator__code="HW1").value == 13


def test_every_bad_row_is_reported_and_nothing_written(client, world):
    monitored(world)
    body = (
        HEADER
        + ",2024Q1,HW1,,12,,,,,\n"
        + ",2024Q1,NOPE,,1,,,,,\n"
        + ",2024Q1,HW1,sex:other,1,,,,,\n"
        + ",2024Q1,MDA,,,5,4,,,\n"
        + ",2024Q2,HW1,,1,,,,,\n"
        + ",2024Q1,HW1,,twelve,,,,,\n"
    )
    response = upload(client, world, body.encode())
    assert response.status_code == 400
    errors = response.context["row_errors"]
    assert [(e.row, e.column) for e in errors] == [
        (3, "indicator"),
        (4, "option"),
        (5, "numerator"),
        (6, "period"),
        (7, "value"),
    ]
    assert b"twelve" in response.content
    assert not Result.objects.exists()


def test_template_round_trip_as_xlsx(client, world):
    monitored(world)
    client.force_login(world.member)
    response = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("partnership", "period", "indicator", "option")
    assert {r[2] for r in rows[1:]} == {"HW1", "MDA"}  # quarterly indicators only
    sheet.cell(row=2, column=5, value=9)
    out = io.BytesIO()
    sheet.parent.save(out)
    assert upload(client, world, out.getvalue(), "filled.xlsx").status_code == 302
    assert Result.objects.get().value == 9


def test_hostile_files_are_refused(client, world):
    monitored(world)
    assert upload(client, world, b"PK\x03\x04garbage", "x.xlsx").status_code == 400
    assert upload(client, world, b"\xff\xfe\x00bad", "x.csv").status_code == 400
    assert upload(client, world, b"a,b\n1,2\n", "x.txt").status_code == 400
    wb = Workbook()
    wb.active.append(["nothing", "useful"])
    out = io.BytesIO()
    wb.save(out)
    assert upload(client, world, out.getvalue(), "x.xlsx").status_code == 400
    assert not Result.objects.exists()


def test_locked_period_refuses_upload(client, world):
    m = monitored(world)
    services.result_save(actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "1"})
    services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    response = upload(client, world, (HEADER + ",2024Q1,HW1,,12,,,,,\n").encode())
    assert response.status_code == 400
    assert Result.objects.get().value == 1


def test_row_save_with_htmx_and_stale_version(client, world):
    m = monitored(world)
    client.force_login(world.member)
    url = f"/monitoring/{world.partnership.uuid}/2024Q1/rows/{m.trained.uuid}/total/"
    prefix = f"{m.trained.uuid}-total"
    response = client.post(url, {f"{prefix}-value": "12"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Saved" in response.content
    stale = client.post(url, {f"{prefix}-value": "13"}, HTTP_HX_REQUEST="true")
    # The typed value stays on the row beside what is stored now, with the version moved on to save it knowingly.
    assert b"Someone else saved this value while you were typing; it now reads 12" in stale.content
    assert b'value="13"' in stale.content
    bad = client.post(url, {f"{prefix}-value": "abc", f"{prefix}-version": "1"}, HTTP_HX_REQUEST="true")
    assert b"Enter a number" in bad.content
    assert Result.objects.get().value == 12


def test_row_form_uses_prefix(client, world):
    monitored(world)
    client.force_login(world.member)
    page = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/")
    assert page.status_code == 200
    assert b"Submit for review" in page.content


def test_evidence_is_served_only_in_scope(client, world):
    m = monitored(world)
    services.result_save(actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "1"})
    client.force_login(world.member)
    base = f"/monitoring/{world.partnership.uuid}/2024Q1"
    assert (
        client.post(
            f"{base}/evidence/", {"title": "Reg", "file": SimpleUploadedFile("r.exe", b"MZ")}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"{base}/evidence/", {"title": "Reg", "file": SimpleUploadedFile("r.pdf", b"%PDF-1.4")}
        ).status_code
        == 302
    )
    evidence = Evidence.objects.get()
    assert client.get(f"{base}/evidence/{evidence.uuid}/").status_code == 200
    client.force_login(world.outsider)
    assert client.get(f"{base}/evidence/{evidence.uuid}/").status_code == 404


@pytest.mark.parametrize("page", ["partnership", "entry", "programme"])
def test_dashboards_query_count_does_not_grow(client, world, page):
    m = monitored(world)
    client.force_login(world.manager)
    services.result_save(actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "2"})
    url = {
        "partnership": f"/monitoring/{world.partnership.uuid}/",
        "entry": f"/monitoring/{world.partnership.uuid}/2024Q1/",
        "programme": f"/monitoring/programmes/{world.programme.uuid}/?year=2024",
    }[page]

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for quarter in ("2024Q2", "2024Q3", "2024Q4", "2025Q1"):
        services.result_save(
            actor=world.member, plan_indicator=m.trained, period=quarter, values={"value": "4"}
        )
        services.result_save(
            actor=world.member,
            plan_indicator=m.deaths,
            period=quarter,
            values={"numerator": "1", "denominator": "2"},
        )
    for option in m.sex.options.all():
        services.result_save(
            actor=world.member,
            plan_indicator=m.trained,
            period="2024Q1",
            option=option,
            values={"value": "1"},
        )
    services.comment_add(actor=world.manager, report=PeriodReport.objects.get(period="2024Q1"), body="More")
    assert count() == small


def test_due_page_and_home_show_overdue_periods(client, world):
    monitored(world)
    client.force_login(world.member)
    response = client.get("/monitoring/")
    assert response.status_code == 200
    assert b"Overdue" in response.content
    home = client.get("/")
    assert b"Results due" in home.content


def test_programme_dashboard_rolls_up(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "12"}
    )
    client.force_login(world.manager)
    response = client.get(f"/monitoring/programmes/{world.programme.uuid}/?year=2024")
    assert response.status_code == 200
    assert b"<svg" in response.content and b"HW1" in response.content
    client.force_login(world.coordinator)
    assert client.get(f"/monitoring/programmes/{world.programme.uuid}/").status_code == 404


def test_return_and_unlock_need_their_reason_and_change_nothing_without_it(client, world):
    m = monitored(world)
    services.result_save(actor=world.member, plan_indicator=m.trained, period="2024Q1", values={"value": "1"})
    report = services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    base = f"/monitoring/{world.partnership.uuid}/2024Q1"
    client.force_login(world.me_officer)
    assert client.post(f"{base}/return/", {"feedback": ""}).status_code == 400
    report.refresh_from_db()
    assert report.status == "submitted"
    response = client.post(f"{base}/return/", {"feedback": "Check Q1 totals against the register"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned"

    services.report_submit(actor=world.member, partnership=world.partnership, period="2024Q1")
    services.report_approve(actor=world.me_officer, report=PeriodReport.objects.get(pk=report.pk))
    assert client.post(f"{base}/unlock/", {"reason": ""}).status_code == 400
    report.refresh_from_db()
    assert report.status == "approved"
    assert client.post(f"{base}/unlock/", {"reason": "Register corrected"}).status_code == 302
    report.refresh_from_db()
    assert report.status != "approved"


def test_the_template_names_breakdown_options_in_the_readers_language(client, world):
    """Issue 15: the label column wrote the shipped option in English ("— Female") on a French template."""
    monitored(world)
    client.force_login(world.member)
    client.cookies["django_language"] = "fr"
    response = client.get(f"/monitoring/{world.partnership.uuid}/2024Q1/template.xlsx")
    cells = [
        str(c)
        for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        for c in row
    ]
    assert any(c.endswith("— Sexe\u00a0: Femme") for c in cells)
    assert not any(c.endswith("Female") for c in cells)
