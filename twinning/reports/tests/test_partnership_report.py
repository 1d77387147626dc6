"""The partnership donor report: its PDF and XLSX say what the dashboards' selectors say, to whom may see it."""

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from twinning.audit.models import AuditEvent
from twinning.monitoring import services
from twinning.monitoring.selectors import partnership_progress
from twinning.planning.periods import parse_period
from twinning.reports import documents
from twinning.reports import services as report_services
from twinning.reports.models import ReportJob
from twinning.reports.tasks import report_job_run
from twinning.reports.tests.factories import reported

pytestmark = pytest.mark.django_db


def url(world, period="2024", kind="pdf"):
    return reverse("reports:partnership", args=[world.partnership.uuid]) + f"?period={period}&format={kind}"


def ask_pdf(client, world, capture, period="2024", **headers):
    """Post the form for a PDF, the queued job run as the worker would; the response and the job."""
    with capture(execute=True):
        response = client.post(
            reverse("reports:partnership", args=[world.partnership.uuid]),
            {"period": period, "format": "pdf"},
            **headers,
        )
    return response, ReportJob.objects.filter(partnership=world.partnership).order_by("-created_at").first()


def pdf_of(client, world, capture, **kwargs) -> bytes:
    response, job = ask_pdf(client, world, capture, **kwargs)
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.uuid])
    assert job.status == ReportJob.Status.DONE, job.summary
    file = client.get(reverse("reports:job_file", args=[job.uuid]))
    assert file.status_code == 200 and file["Content-Type"] == "application/pdf"
    return b"".join(file.streaming_content)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def sheets(content: bytes):
    return load_workbook(io.BytesIO(content))


def iptt_rows(book):
    sheet = next(s for s in book.worksheets if s.title.startswith("IPTT"))
    header = [c.value for c in sheet[1]]
    return header, [
        dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(min_row=2)
    ]


def test_the_pdf_holds_the_cover_narrative_iptt_and_page_numbers(
    client, world, django_capture_on_commit_callbacks
):
    reported(world)
    client.force_login(world.coordinator)
    content = pdf_of(client, world, django_capture_on_commit_callbacks)
    text = pdf_text(content)
    assert "Partnership report" in text and world.partnership.title in text
    assert "Trained midwives" in text and "Secret draft" in text  # an insider's report holds drafts
    assert "Indicator performance tracking table" in text
    reader = PdfReader(io.BytesIO(content))
    pages = len(reader.pages)
    last = reader.pages[-1].extract_text()
    assert f"Page {pages} of {pages}" in last
    assert f"{world.programme.name} · 2024" in last  # the running head on every page but the cover


def test_the_xlsx_iptt_matches_the_dashboard_selector(client, world):
    r = reported(world)
    client.force_login(world.manager)
    response = client.get(url(world, kind="xlsx"))
    assert response.status_code == 200
    book = sheets(response.content)
    assert book.sheetnames[0] == "Report"
    header, rows = iptt_rows(book)
    _plan, progress = partnership_progress(
        world.partnership, today=parse_period("2024").end, approved_only=False
    )
    trained = next(p for p in progress if p.plan_indicator == r.m.trained)
    to_date = next(row for row in rows if row["Code"] == "HW1" and row["Period"] == "To date")
    assert to_date["Actual"] == trained.achieved == 111
    q1 = [row for row in rows if row["Code"] == "HW1" and row["Period"] == "Q1 2024"]
    assert [(row["Disaggregation"], row["Actual"]) for row in q1] == [("Total", 12), ("Sex: Female", 7)]
    # Frozen headers, and the percentage cells formatted as percentages.
    sheet = next(s for s in book.worksheets if s.title.startswith("IPTT"))
    assert sheet.freeze_panes == "A2"
    percent_col = header.index("% of target met") + 1
    assert all(
        c.number_format == "0.0%"
        for c in next(sheet.iter_cols(min_col=percent_col, max_col=percent_col, min_row=2))
        if c.value is not None
    )


def test_user_text_that_looks_like_a_formula_is_written_as_text(client, world):
    reported(world)
    client.force_login(world.coordinator)
    book = sheets(client.get(url(world, kind="xlsx")).content)
    sheet = book["Narrative"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value and str(c.value).startswith("=HYPER"))
    assert cell.data_type == "s"
    assert cell.quotePrefix


@pytest.mark.parametrize("role", ["programme_viewer", "partnership_viewer"])
def test_a_readers_report_holds_only_approved_periods(
    client, world, role, django_capture_on_commit_callbacks
):
    reported(world)
    client.force_login(getattr(world, role))
    text = pdf_text(pdf_of(client, world, django_capture_on_commit_callbacks))
    assert "Trained midwives" in text
    assert "Secret draft" not in text
    _header, rows = iptt_rows(sheets(client.get(url(world, kind="xlsx")).content))
    to_date = next(row for row in rows if row["Code"] == "HW1" and row["Period"] == "To date")
    assert to_date["Actual"] == 12  # 2024Q2's 99 is not approved


@pytest.mark.parametrize("role", ["outsider", "other_coordinator"])
def test_outsider_gets_404(client, world, role, django_capture_on_commit_callbacks):
    reported(world)
    client.force_login(getattr(world, role))
    assert client.get(url(world)).status_code == 404
    assert client.get(url(world, kind="xlsx")).status_code == 404
    assert client.get(reverse("reports:partnership", args=[world.partnership.uuid])).status_code == 404
    response, job = ask_pdf(client, world, django_capture_on_commit_callbacks)
    assert response.status_code == 404 and job is None
    with pytest.raises(PermissionDenied):
        report_services.report_job_create(
            actor=getattr(world, role),
            programme=world.programme,
            partnership=world.partnership,
            period=parse_period("2024"),
            format="pdf",
            language="en",
        )


def test_the_pdf_is_queued_audited_and_given_to_the_asker_only(
    client, world, django_capture_on_commit_callbacks
):
    reported(world)
    client.force_login(world.partnership_viewer)  # a reader may ask for the report too
    pdf_of(client, world, django_capture_on_commit_callbacks)
    job = ReportJob.objects.get(partnership=world.partnership)
    assert job.requested_by == world.partnership_viewer and job.programme == world.programme
    assert AuditEvent.objects.for_object(job).filter(action="create").exists()
    page = client.get(reverse("reports:partnership", args=[world.partnership.uuid])).content.decode()
    assert reverse("reports:job", args=[job.uuid]) in page  # listed among the asker's recent reports
    for who in (world.coordinator, world.manager, world.outsider, world.other_coordinator):
        client.force_login(who)
        assert client.get(reverse("reports:job", args=[job.uuid])).status_code == 404
        assert client.get(reverse("reports:job_file", args=[job.uuid])).status_code == 404


def test_a_pdf_asked_in_the_query_only_fills_the_form_in(client, world):
    reported(world)
    client.force_login(world.coordinator)
    response = client.get(url(world, period="2024Q1"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert 'value="2024Q1" selected' in response.content.decode()
    assert not ReportJob.objects.exists()


def test_the_xlsx_still_downloads_at_once_when_posted(client, world):
    reported(world)
    client.force_login(world.coordinator)
    response = client.post(
        reverse("reports:partnership", args=[world.partnership.uuid]), {"period": "2024", "format": "xlsx"}
    )
    assert response.status_code == 200 and "Narrative" in sheets(response.content).sheetnames
    assert not ReportJob.objects.exists()


def test_a_partnership_job_whose_asker_lost_access_fails_with_a_reason(world):
    from twinning.accounts.models import PartnershipMembership as Membership

    reported(world)
    job = report_services.report_job_create(
        actor=world.member,
        programme=world.programme,
        partnership=world.partnership,
        period=parse_period("2024"),
        format="pdf",
        language="en",
    )
    Membership.objects.filter(user=world.member, partnership=world.partnership).delete()
    report_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and "partnership" in job.summary


def test_a_period_outside_the_plan_is_refused(client, world, django_capture_on_commit_callbacks):
    reported(world)
    client.force_login(world.coordinator)
    assert client.get(url(world, period="1999")).status_code == 400
    assert client.get(url(world, kind="docx")).status_code == 400
    response, job = ask_pdf(client, world, django_capture_on_commit_callbacks, period="1999")
    assert response.status_code == 400 and job is None


def test_the_form_lists_the_periods(client, world):
    reported(world)
    client.force_login(world.member)
    page = client.get(reverse("reports:partnership", args=[world.partnership.uuid])).content.decode()
    assert 'value="2024Q1"' in page and 'value="2024"' in page


def test_the_report_is_in_the_language_of_the_person_asking(
    client, world, django_capture_on_commit_callbacks
):
    reported(world)
    client.force_login(world.coordinator)
    text = pdf_text(pdf_of(client, world, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "janvier 2024" in text  # the cover's dates, in French
    english = pdf_of(client, world, django_capture_on_commit_callbacks, HTTP_ACCEPT_LANGUAGE="en")
    assert "janvier 2024" not in pdf_text(english)


def test_the_report_takes_the_same_queries_whatever_its_size(world):
    r = reported(world)
    period = parse_period("2024")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            documents.report_build(
                user=world.manager,
                programme=world.programme,
                partnership=world.partnership,
                period=period,
                approved_only=False,
            )
        return len(queries)

    before = count()
    female = r.m.sex.options.get(code="female")
    for period_id in ("2024Q3", "2024Q4"):
        for option in (None, female):
            services.result_save(
                actor=world.member,
                plan_indicator=r.m.trained,
                period=period_id,
                option=option,
                values={"value": Decimal(3)},
            )
        services.report_narrative_save(
            actor=world.coordinator,
            partnership=world.partnership,
            period=period_id,
            data={"achievements": "More"},
        )
    assert count() == before


def test_the_report_holds_the_sustainability_and_practice_sections(world):
    reported(world)
    document = documents.report_build(
        user=world.programme_viewer,
        programme=world.programme,
        partnership=world.partnership,
        period=parse_period("2024"),
        approved_only=True,
    )
    keys = [s.key for s in document.sections]
    assert keys[-2:] == ["sustainability", "practices"]
    html = documents.report_html(document)
    assert "No assessment round has been completed by both sides yet." in html
    assert "No practice of these partnerships is published yet." in html
    assert {t.key for t in document.sections[-1].sheets} == {"practices"}


def test_the_report_holds_the_transition_plan(world):
    from twinning.sustainability import transition_services as transition

    reported(world)
    plan = transition.transition_plan_create(actor=world.coordinator, partnership=world.partnership)
    for n in (1, 2):
        transition.transition_item_add(
            actor=world.coordinator,
            plan=plan,
            kind="role",
            title=f"Triage training {n}",
            owner_role="Training unit",
        )
    transition.transition_plan_sign(actor=world.coordinator, plan=plan, party="host")
    transition.transition_plan_sign(actor=world.resource_coordinator, plan=plan, party="resource")
    document = documents.report_build(
        user=world.programme_viewer,
        programme=world.programme,
        partnership=world.partnership,
        period=parse_period("2024"),
        approved_only=True,
    )
    sustainability = next(s for s in document.sections if s.key == "sustainability")
    sheet = next(t for t in sustainability.sheets if t.key == "transition")
    assert [row[2] for row in sheet.rows] == ["Triage training 1", "Triage training 2"]
    assert {row[1] for row in sheet.rows} == {"Signed"} and {row[5] for row in sheet.rows} == {
        "Training unit"
    }
    html = documents.report_html(document)
    assert "Triage training 2" in html and "Host institution&#x27;s budget line" in html


def boxes_past_the_right_edge(html: str) -> list[str]:
    """Every box of the laid-out PDF whose right edge passes its page's content area (tables, rows, cells
    and the text in them), named by its element and page."""
    from weasyprint import HTML
    from weasyprint.formatting_structure import boxes

    out = []
    for number, page in enumerate(HTML(string=html).render().pages, start=1):
        page_box = page._page_box
        right = page_box.content_box_x() + page_box.width + 0.01
        for box in page_box.descendants():
            if isinstance(box, (boxes.PageBox, boxes.MarginBox)) or box.element_tag in ("html", "body"):
                continue
            if getattr(box, "position_x", None) is None or getattr(box, "width", None) is None:
                continue
            if box.position_x + box.margin_width() > right:
                out.append(f"page {number}: <{box.element_tag}> {type(box).__name__}")
    return out


def test_wide_tables_and_long_words_stay_within_the_page(world):
    r = reported(world)
    long_word = "Antenatal" * 20  # no space to break at (the name stays within 255 characters)
    type(r.m.trained.indicator).objects.filter(pk=r.m.trained.indicator.pk).update(
        name=f"Health workers trained in {long_word} care", code="HW-LONGCODE"
    )
    services.report_narrative_save(
        actor=world.coordinator,
        partnership=world.partnership,
        period="2024Q3",
        data={"achievements": long_word},
    )
    document = documents.report_build(
        user=world.manager,
        programme=world.programme,
        partnership=world.partnership,
        period=parse_period("2024"),
        approved_only=False,
    )
    html = documents.report_html(document)
    assert long_word in html
    assert boxes_past_the_right_edge(html) == []


def test_the_iptt_is_on_landscape_pages(world):
    reported(world)
    document = documents.report_build(
        user=world.manager,
        programme=world.programme,
        partnership=world.partnership,
        period=parse_period("2024"),
        approved_only=False,
    )
    from weasyprint import HTML

    pages = HTML(string=documents.report_html(document)).render().pages
    iptt = [
        p
        for p in pages
        if any(
            b.element is not None and b.element.get("id") == "section-iptt" for b in p._page_box.descendants()
        )
    ]
    assert iptt and all(p.width > p.height for p in iptt)
    assert pages[0].width < pages[0].height  # the cover stays portrait


def test_the_period_select_opens_on_the_latest_period_with_data(client, world):
    reported(world)  # results in 2024Q1 and 2024Q2; the plan runs to 2026
    client.force_login(world.coordinator)
    page = client.get(reverse("reports:partnership", args=[world.partnership.uuid])).content.decode()
    assert re.search(r'<option value="2024Q2" selected>', page)
    assert not re.search(r'<option value="20(25|26)[^"]*" selected>', page)
