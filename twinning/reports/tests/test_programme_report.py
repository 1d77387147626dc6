"""The programme donor report: a background job with progress and a download for the person who asked; its
content is what the programme dashboard's and each partnership's selectors give."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from twinning.audit.models import AuditEvent
from twinning.monitoring.selectors import programme_rollup
from twinning.planning.periods import parse_period
from twinning.reports import documents, services
from twinning.reports.models import ReportJob
from twinning.reports.sections import SECTIONS, Block, SectionSpec, register_section
from twinning.reports.selectors import partnerships_in_report
from twinning.reports.tasks import report_job_run
from twinning.reports.tests.factories import reported

pytestmark = pytest.mark.django_db


def ask(client, world, who, period="2024", kind="xlsx", django_capture_on_commit_callbacks=None):
    client.force_login(who)
    return client.post(
        reverse("reports:programme", args=[world.programme.uuid]), {"period": period, "format": kind}
    )


def run_job(client, world, who, django_capture_on_commit_callbacks, **kwargs) -> ReportJob:
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, world, who, **kwargs)
    assert response.status_code == 302, response.content
    return ReportJob.objects.get(requested_by=who)


def test_a_programme_report_is_queued_audited_and_built_by_the_worker(
    client, world, django_capture_on_commit_callbacks
):
    reported(world)
    job = run_job(client, world, world.manager, django_capture_on_commit_callbacks)
    assert job.status == ReportJob.Status.DONE and job.progress == 100
    assert AuditEvent.objects.for_object(job).filter(action="create").exists()
    page = client.get(reverse("reports:job", args=[job.uuid])).content.decode()
    assert "download-report" in page
    response = client.get(reverse("reports:job_file", args=[job.uuid]))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert "Programme summary" in book.sheetnames
    assert sum(1 for name in book.sheetnames if name.startswith("IPTT")) == len(
        partnerships_in_report(world.programme)
    )


def test_the_programme_summary_sheet_matches_the_dashboard_rollup(
    client, world, django_capture_on_commit_callbacks
):
    reported(world)
    job = run_job(client, world, world.me_officer, django_capture_on_commit_callbacks)
    book = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("reports:job_file", args=[job.uuid])).streaming_content))
    )
    sheet = book["Programme summary"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, [c.value for c in r], strict=True)) for r in sheet.iter_rows(min_row=2)]
    rollup = programme_rollup(world.programme, first=2024, last=2024)
    expected = {(r.indicator.code, p): v for r in rollup.indicators for p, v, _n, _t in r.total_rows()}
    found = {(row["Code"], row["Period"]): row["Programme"] for row in rows}
    assert found == {
        (code, parse_period(p).label()): float(v) if v is not None else None
        for (code, p), v in expected.items()
    }
    assert found[("HW1", "Q1 2024")] == 12


def test_the_viewers_pdf_counts_only_approved_periods(client, world, django_capture_on_commit_callbacks):
    reported(world)
    job = run_job(client, world, world.programme_viewer, django_capture_on_commit_callbacks, kind="pdf")
    content = b"".join(client.get(reverse("reports:job_file", args=[job.uuid])).streaming_content)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "Trained midwives" in text and "Secret draft" not in text
    assert "Programme report" in text


def test_only_the_asker_sees_the_job_and_its_file(client, world, django_capture_on_commit_callbacks):
    reported(world)
    job = run_job(client, world, world.manager, django_capture_on_commit_callbacks)
    for who in (world.me_officer, world.outsider, world.coordinator):
        client.force_login(who)
        assert client.get(reverse("reports:job", args=[job.uuid])).status_code == 404
        assert client.get(reverse("reports:job_file", args=[job.uuid])).status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "member", "partnership_viewer", "outsider"])
def test_who_is_not_programme_staff_gets_404(client, world, role):
    reported(world)
    assert ask(client, world, getattr(world, role)).status_code == 404
    with pytest.raises(PermissionDenied):
        services.report_job_create(
            actor=getattr(world, role),
            programme=world.programme,
            period=parse_period("2024"),
            format="pdf",
            language="en",
        )


def test_a_bad_period_or_format_is_refused(client, world):
    reported(world)
    assert ask(client, world, world.manager, period="1999").status_code == 400
    assert ask(client, world, world.manager, kind="docx").status_code == 400
    assert not ReportJob.objects.exists()


def test_a_job_whose_asker_lost_access_fails_with_a_reason(world):
    from twinning.accounts.models import ProgrammeRole

    reported(world)
    job = services.report_job_create(
        actor=world.finance,
        programme=world.programme,
        period=parse_period("2024"),
        format="pdf",
        language="en",
    )
    ProgrammeRole.objects.filter(user=world.finance).delete()
    report_job_run(job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED and job.summary


def test_the_programme_report_takes_a_fixed_number_of_queries_per_partnership(world):
    from twinning.monitoring import services as monitoring

    r = reported(world)
    period = parse_period("2024")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            documents.report_build(
                user=world.manager,
                programme=world.programme,
                partnerships=partnerships_in_report(world.programme),
                period=period,
                approved_only=False,
            )
        return len(queries)

    before = count()
    for period_id in ("2024Q3", "2024Q4"):
        monitoring.result_save(
            actor=world.member, plan_indicator=r.m.trained, period=period_id, values={"value": Decimal(4)}
        )
    assert count() == before


def grow(world, r, number: int) -> None:
    """One more partnership of the programme with all a report shows: an agreed plan with results (a total
    and a breakdown), an approved period with a narrative, a completed health check and a published practice."""
    from twinning.knowledge.models import Practice
    from twinning.knowledge.tests.factories import PracticeFactory
    from twinning.monitoring import services as monitoring
    from twinning.monitoring.tests.factories import monitored
    from twinning.sustainability.models import Instrument
    from twinning.sustainability.tests.factories import RoundFactory, sheet, small_version, submit_sides
    from twinning.testing.factories import PartnershipFactory, partnership_member

    partnership = PartnershipFactory(programme=world.programme, title=f"Grown {number}")
    coordinator = partnership_member(partnership, email=f"grown{number}@example.org")
    partnership_member(partnership, side="resource", email=f"grown-resource{number}@example.org")
    m = monitored(
        world,
        partnership,
        indicators={k: getattr(r.m, k).indicator for k in ("trained", "deaths", "protocol", "story")},
    )
    female = r.m.sex.options.get(code="female")
    for period in ("2024Q1", "2024Q2"):
        monitoring.result_save(
            actor=coordinator, plan_indicator=m.trained, period=period, values={"value": Decimal(5)}
        )
    monitoring.result_save(
        actor=coordinator,
        plan_indicator=m.trained,
        period="2024Q1",
        option=female,
        values={"value": Decimal(2)},
    )
    monitoring.report_narrative_save(
        actor=coordinator, partnership=partnership, period="2024Q1", data={"achievements": "Grown"}
    )
    report = monitoring.report_submit(actor=coordinator, partnership=partnership, period="2024Q1")
    monitoring.report_approve(actor=world.manager, report=report)
    version = small_version()
    Instrument.objects.filter(pk=version.instrument_id).update(kind=Instrument.Kind.HEALTH_CHECK)
    health_check = RoundFactory(partnership=partnership, instrument_version=version)
    items = {item.pk: 4 for section in version.sections.all() for item in section.items.all()}
    sheet(health_check, coordinator, "host", items)
    sheet(health_check, world.manager, "resource", items)
    submit_sides(health_check, "host", "resource")
    PracticeFactory(partnership=partnership, status=Practice.Status.PUBLIC)


def test_the_programme_report_takes_as_many_queries_for_a_grown_programme(world):
    """A programme of two partnerships and the same programme grown to five: the same number of queries."""
    r = reported(world)
    grow(world, r, 1)
    period = parse_period("2024")

    def count() -> tuple[int, documents.ReportDocument]:
        with CaptureQueriesContext(connection) as queries:
            document = documents.report_build(
                user=world.manager,
                programme=world.programme,
                partnerships=partnerships_in_report(world.programme),
                period=period,
                approved_only=True,
            )
            documents.report_xlsx(document)
        return len(queries), document

    small, document = count()
    assert len(document.scope.partnerships) == 2
    for number in (2, 3, 4):
        grow(world, r, number)
    grown, document = count()
    assert len(document.scope.partnerships) == 5
    sheets = {t.key: t for s in document.sections for t in s.sheets}
    assert len(sheets["assessments"].rows) == 4 * 3  # overall and two sections per side, of four partnerships
    assert len(sheets["practices"].rows) == 4
    assert sum(1 for key in sheets if key.startswith("iptt-")) == 5
    assert grown == small


def test_a_registered_section_appears_in_every_report(world):
    reported(world)

    def build(scope, section):
        section.blocks.append(Block("text", text="Health checks: 3 of 4 done"))

    register_section(SectionSpec("health-checks", "Health checks", build), after="exchanges")
    try:
        document = documents.report_build(
            user=world.manager,
            programme=world.programme,
            partnership=world.partnership,
            period=parse_period("2024"),
            approved_only=False,
        )
        keys = [s.key for s in document.sections]
        assert keys.index("health-checks") == keys.index("exchanges") + 1
        assert "Health checks: 3 of 4 done" in documents.report_html(document)
        with pytest.raises(ValueError):
            register_section(SectionSpec("health-checks", "Again", build))
    finally:
        SECTIONS[:] = [s for s in SECTIONS if s.key != "health-checks"]


def _workbook(world):
    document = documents.report_build(
        user=world.manager,
        programme=world.programme,
        partnerships=partnerships_in_report(world.programme),
        period=parse_period("2024"),
        approved_only=False,
    )
    return load_workbook(io.BytesIO(documents.report_xlsx(document)))


def _rows(sheet):
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]


def _exchanges(world):
    import datetime

    from twinning.exchanges.tests.factories import ExchangeFactory, ParticipantFactory

    first = ExchangeFactory(
        partnership=world.partnership,
        start_date=datetime.date(2024, 3, 4),
        end_date=datetime.date(2024, 3, 8),
    )
    second = ExchangeFactory(
        partnership=world.partnership,
        start_date=datetime.date(2024, 9, 2),
        end_date=datetime.date(2024, 9, 3),
    )
    ExchangeFactory(  # another year: not in the 2024 report's figures
        partnership=world.partnership,
        start_date=datetime.date(2023, 5, 1),
        end_date=datetime.date(2023, 5, 2),
    )
    ParticipantFactory(exchange=first)
    ParticipantFactory(exchange=first)
    ParticipantFactory(exchange=second)


def test_the_workbook_sums_the_programme_by_country_with_frozen_headers_and_number_formats(world):
    from twinning.core.reference import country_name
    from twinning.monitoring.models import Result
    from twinning.reports.selectors import within

    reported(world)
    _exchanges(world)
    book = _workbook(world)
    sheet = book["By country"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    rows = {row["Country"].value: row for row in _rows(sheet)}
    partnerships = partnerships_in_report(world.programme)
    host = world.partnership.side_links.get(side="host").institution.country
    ours = rows[country_name(host)]
    results = [
        r
        for r in Result.objects.filter(partnership__in=partnerships, option=None)
        if r.partnership.side_links.get(side="host").institution.country == host
        and within(r.period, parse_period("2024"))
    ]
    assert results
    assert ours["Results reported in the period"].value == len(results)
    assert (ours["Exchanges in the period"].value, ours["People in them"].value) == (2, 3)
    assert ours["Partnerships"].number_format == "#,##0"
    money = next(key for key in ours if key.startswith("Donor funds"))
    assert ours[money].data_type == "n" and ours[money].number_format == "#,##0.00"
    total = rows["Total"]
    assert total["Partnerships"].value == len(partnerships)
    assert total["Exchanges in the period"].value == 2


def test_the_workbook_sums_the_programme_by_pillar(world):
    from twinning.partnerships.models import Pillar
    from twinning.planning.models import Objective

    reported(world)
    _exchanges(world)
    sheet = _workbook(world)["By pillar"]
    assert sheet.freeze_panes == "A2"
    rows = {row["Pillar"].value: row for row in _rows(sheet)}
    for pillar in Pillar.objects.filter(programme=world.programme):
        working = (
            Objective.objects.filter(pillar=pillar, plan__agreed_at__isnull=False)
            .values("plan__partnership")
            .distinct()
            .count()
        )
        assert rows[pillar.name]["Partnerships"].value == working
    worked = Objective.objects.filter(plan__partnership=world.partnership, plan__agreed_at__isnull=False)
    ours = rows[worked.first().pillar.name]
    assert (ours["Exchanges in the period"].value, ours["People in them"].value) == (2, 3)
    assert ours["Results reported in the period"].value > 0


def test_the_exchanges_sheet_ends_with_a_total_row(world):
    reported(world)
    _exchanges(world)
    book = _workbook(world)
    sheet = book[next(name for name in book.sheetnames if name.startswith("Exchanges in"))]
    last = [c.value for c in list(sheet.iter_rows())[-1]]
    header = [c.value for c in sheet[1]]
    total = dict(zip(header, last, strict=True))
    assert total["Partnership"] == "Total"
    assert total["Exchange"] == "2 exchanges"
    assert total["People"] == 3


def test_the_cover_writes_its_dates_as_date_cells(world):
    reported(world)
    sheet = _workbook(world)["Report"]
    cells = {row[0].value: row[1] for row in sheet.iter_rows(min_row=2)}
    starts, ends, prepared = cells["Period starts"], cells["Period ends"], cells["Prepared"]
    assert starts.is_date and starts.value.date().isoformat() == "2024-01-01"
    assert starts.number_format == "yyyy-mm-dd"
    assert ends.is_date and ends.value.date().isoformat() == "2024-12-31"
    assert prepared.is_date and prepared.number_format == "yyyy-mm-dd hh:mm"
