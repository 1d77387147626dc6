"""Reports over the API: the same access and content as the pages."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from twinning.accounts.services import api_token_create
from twinning.reports.models import ReportJob
from twinning.reports.tests.factories import reported

pytestmark = pytest.mark.django_db


def auth(user) -> dict[str, str]:
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_lists_the_periods_and_queues_the_partnership_pdf(
    client, world, django_capture_on_commit_callbacks
):
    reported(world)
    headers = auth(world.coordinator)
    base = f"/api/v1/reports/partnerships/{world.partnership.uuid}"
    periods = client.get(f"{base}/periods", **headers).json()
    assert {"2024", "2024Q1"} <= {p["period"] for p in periods}
    assert client.get(f"{base}?period=2024&format=pdf", **headers).status_code == 422  # a PDF is queued
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            base, {"period": "2024", "format": "pdf"}, content_type="application/json", **headers
        )
    assert response.status_code == 202
    assert response.json()["partnership"] == str(world.partnership.uuid)
    job = client.get(f"/api/v1/reports/jobs/{response.json()['uuid']}", **headers).json()
    assert job["status"] == "done" and job["download"]
    file = client.get(job["download"], **headers)
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(file.streaming_content))).pages)
    assert "Trained midwives" in text
    # The job is the asker's only, and an outsider may not queue one.
    assert client.get(job["download"], **auth(world.manager)).status_code == 404
    assert (
        client.post(
            base, {"period": "2024", "format": "pdf"}, content_type="application/json", **auth(world.outsider)
        ).status_code
        == 404
    )


def test_api_gives_a_reader_an_xlsx_of_approved_periods_only(client, world):
    reported(world)
    response = client.get(
        f"/api/v1/reports/partnerships/{world.partnership.uuid}?period=2024&format=xlsx",
        **auth(world.partnership_viewer),
    )
    book = load_workbook(io.BytesIO(response.content))
    texts = {str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value}
    assert "Trained midwives" in texts and "Secret draft" not in texts


def test_api_refuses_an_outsider_and_a_bad_period(client, world):
    reported(world)
    base = f"/api/v1/reports/partnerships/{world.partnership.uuid}"
    assert client.get(f"{base}?period=2024", **auth(world.outsider)).status_code == 404
    assert client.get(f"{base}?period=1999", **auth(world.coordinator)).status_code == 422
    assert client.get(f"{base}?period=2024&format=docx", **auth(world.coordinator)).status_code == 422


def test_api_queues_a_programme_report_and_gives_its_file_to_the_asker_only(
    client, world, django_capture_on_commit_callbacks
):
    reported(world)
    headers = auth(world.programme_viewer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/reports/programmes/{world.programme.uuid}",
            {"period": "2024", "format": "xlsx"},
            content_type="application/json",
            **headers,
        )
    assert response.status_code == 202, response.content
    job = response.json()
    detail = client.get(f"/api/v1/reports/jobs/{job['uuid']}", **headers).json()
    assert detail["status"] == ReportJob.Status.DONE and detail["progress"] == 100
    download = client.get(detail["download"], **headers)
    assert download.status_code == 200
    assert load_workbook(io.BytesIO(b"".join(download.streaming_content))).sheetnames[0] == "Report"
    assert client.get(f"/api/v1/reports/jobs/{job['uuid']}", **auth(world.manager)).status_code == 404
    assert (
        client.post(
            f"/api/v1/reports/programmes/{world.programme.uuid}",
            {"period": "2024"},
            content_type="application/json",
            **auth(world.coordinator),
        ).status_code
        == 404
    )
