"""Real-browser test: a coordinator downloads the partnership's donor report as PDF (prepared in the background)
and as XLSX, and the programme
manager prepares the programme report and downloads it when it is ready."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from twinning.partnerships.tests.test_browser import sign_in
from twinning.reports.tests.factories import reported

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def download(page: Page, button: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_bytes()


def test_coordinator_downloads_the_partnership_report_as_pdf_and_xlsx(page: Page, live_server, world):
    reported(world)
    sign_in(page, live_server, world.coordinator.email)
    page.goto(f"{live_server.url}/partnerships/{world.partnership.uuid}/")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Donor report")
    page.get_by_label("Period").select_option(label="2024")
    page.get_by_label("PDF (to read and print)").check()
    page.get_by_role("button", name="Download the report").click()
    # The PDF is prepared by the task worker (run at once by the test settings); its page then offers the file.
    expect(page.locator("#job-status")).to_have_text("Ready")
    with page.expect_download() as info:
        page.locator("#download-report").click()
    pdf = Path(info.value.path()).read_bytes()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Trained midwives" in text and "Indicator performance tracking table" in text

    page.go_back()
    page.get_by_label("Period").select_option(label="2024")
    page.get_by_label("XLSX (a workbook to work with)").check()
    book = load_workbook(io.BytesIO(download(page, "Download the report")))
    iptt = next(s for s in book.worksheets if s.title.startswith("IPTT"))
    header = [c.value for c in iptt[1]]
    rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in iptt.iter_rows(min_row=2)]
    assert any(r["Code"] == "HW1" and r["Period"] == "Q1 2024" and r["Actual"] == 12 for r in rows)


def test_manager_prepares_the_programme_report_and_downloads_it(page: Page, live_server, world):
    reported(world)
    sign_in(page, live_server, world.manager.email)
    page.goto(f"{live_server.url}/reports/programmes/{world.programme.uuid}/")
    page.get_by_label("Period").select_option(label="2024")
    page.get_by_label("PDF (to read and print)").check()
    page.get_by_role("button", name="Prepare the report").click()
    # The test settings run tasks at once; the worker's page then offers the file.
    expect(page.locator("#job-status")).to_have_text("Ready")
    with page.expect_download() as info:
        page.locator("#download-report").click()
    text = "\n".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "Programme report" in text and "Trained midwives" in text
