"""Reports over the API: thin endpoints over selectors and services, scoped like the pages (404 outside the
user's scope; a report holds only what its asker may see)."""

import datetime
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from twinning.accounts.api_auth import ApiRequest
from twinning.core.api import Input, error_responses
from twinning.core.spreadsheets import XLSX_TYPE
from twinning.planning.periods import Period
from twinning.reports import documents, selectors, services
from twinning.reports.models import ReportJob

router = Router(tags=["reports"])

PeriodId = Field(..., min_length=4, max_length=8, pattern=r"^\d{4}(\d{2}|S[12]|Q[1-4])?$", examples=["2024"])
BINARY = {"schema": {"type": "string", "format": "binary"}}
FILE_RESPONSE = {
    "responses": {
        200: {
            "description": "The report, as a PDF or XLSX download.",
            "content": {documents.PDF_TYPE: BINARY, XLSX_TYPE: BINARY},
        }
    }
}


class PeriodOut(Schema):
    period: str = Field(description="The DHIS2 period identifier the report is asked for with, e.g. 2024Q1.")
    label: str
    start: datetime.date
    end: datetime.date


class ReportQuery(Schema):
    period: str = PeriodId
    format: Literal["xlsx"] = Field(
        "xlsx", description="XLSX only: a PDF is prepared in the background (POST to the same address)."
    )


class ProgrammeReportIn(Input):
    period: str = PeriodId
    format: Literal["pdf", "xlsx"] = "pdf"


class ReportJobOut(Schema):
    uuid: UUID
    programme: UUID
    partnership: UUID | None = Field(None, description="Set for a partnership's report.")
    period: str
    format: str
    status: str
    progress: int = Field(..., description="Percentage done while the report is prepared.")
    summary: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    download: str | None = Field(None, description="The report's address once it is ready.")

    @staticmethod
    def resolve_programme(obj: ReportJob) -> UUID:
        return obj.programme.uuid

    @staticmethod
    def resolve_partnership(obj: ReportJob) -> UUID | None:
        return obj.partnership.uuid if obj.partnership is not None else None

    @staticmethod
    def resolve_download(obj: ReportJob) -> str | None:
        if obj.status != ReportJob.Status.DONE:
            return None
        return reverse("api:reports_job_file", args=[obj.uuid])


def _periods(periods: list[Period]) -> list[dict[str, Any]]:
    return [{"period": p.id, "label": p.label(), "start": p.start, "end": p.end} for p in periods]


def _chosen(periods: list[Period], period_id: str) -> Period:
    try:
        return selectors.get_report_period(periods, period_id)
    except Http404:
        raise ValidationError({"period": [_("Not a period this report may cover.")]}) from None


@router.get(
    "/partnerships/{partnership_uuid}/periods",
    response={200: list[PeriodOut], **error_responses(404)},
    summary="The periods a partnership report may cover",
)
def partnership_periods(request: ApiRequest, partnership_uuid: UUID) -> list[dict[str, Any]]:
    partnership, _access = selectors.get_partnership_for_report(request.auth, partnership_uuid)
    return _periods(selectors.partnership_report_periods(partnership))


@router.get(
    "/partnerships/{partnership_uuid}",
    response=error_responses(404),
    summary="A partnership's donor report for a period as XLSX",
    openapi_extra={"responses": {200: {"description": "The workbook.", "content": {XLSX_TYPE: BINARY}}}},
)
def partnership_report(
    request: ApiRequest, partnership_uuid: UUID, query: Query[ReportQuery]
) -> HttpResponse:
    """Answered at once, in the language the request asks for (Accept-Language). For the PDF, POST."""
    partnership, access = selectors.get_partnership_for_report(request.auth, partnership_uuid)
    period = _chosen(selectors.partnership_report_periods(partnership), query.period)
    document = documents.report_build(
        user=request.auth,
        programme=partnership.programme,
        partnership=partnership,
        period=period,
        approved_only=not access.can_see_drafts,
    )
    return documents.report_response(document, "xlsx")


@router.post(
    "/partnerships/{partnership_uuid}",
    response={202: ReportJobOut, **error_responses(403, 404)},
    summary="Ask for a partnership's donor report (prepared in the background)",
)
def partnership_report_job(
    request: ApiRequest, partnership_uuid: UUID, payload: ProgrammeReportIn
) -> tuple[int, ReportJob]:
    """Queues the report (PDF or XLSX); poll the job until its `download` address appears."""
    partnership, _access = selectors.get_partnership_for_report(request.auth, partnership_uuid)
    period = _chosen(selectors.partnership_report_periods(partnership), payload.period)
    job = services.report_job_create(
        actor=request.auth,
        programme=partnership.programme,
        partnership=partnership,
        period=period,
        format=payload.format,
        language=get_language() or "",
    )
    return 202, job


@router.get(
    "/programmes/{programme_uuid}/periods",
    response={200: list[PeriodOut], **error_responses(404)},
    summary="The periods a programme report may cover",
)
def programme_periods(request: ApiRequest, programme_uuid: UUID) -> list[dict[str, Any]]:
    programme, _access = selectors.get_programme_for_report(request.auth, programme_uuid)
    return _periods(selectors.programme_report_periods(programme))


@router.post(
    "/programmes/{programme_uuid}",
    response={202: ReportJobOut, **error_responses(403, 404)},
    summary="Ask for a programme's donor report (prepared in the background)",
)
def programme_report(
    request: ApiRequest, programme_uuid: UUID, payload: ProgrammeReportIn
) -> tuple[int, ReportJob]:
    """Queues the report; poll the job until its `download` address appears."""
    programme, _access = selectors.get_programme_for_report(request.auth, programme_uuid)
    period = _chosen(selectors.programme_report_periods(programme), payload.period)
    job = services.report_job_create(
        actor=request.auth,
        programme=programme,
        period=period,
        format=payload.format,
        language=get_language() or "",
    )
    return 202, job


@router.get(
    "/jobs/{job_uuid}",
    response={200: ReportJobOut, **error_responses(404)},
    summary="A report's progress (a programme's or a partnership's)",
)
def job_detail(request: ApiRequest, job_uuid: UUID) -> ReportJob:
    return selectors.get_report_job_for_user(request.auth, job_uuid)


@router.get(
    "/jobs/{job_uuid}/file",
    response=error_responses(404),
    summary="A finished report",
    url_name="reports_job_file",
    openapi_extra=FILE_RESPONSE,
)
def job_file(request: ApiRequest, job_uuid: UUID) -> FileResponse:
    job = selectors.get_report_job_for_user(request.auth, job_uuid)
    if job.status != ReportJob.Status.DONE or not job.file:
        raise Http404
    content_type = documents.PDF_TYPE if job.format == "pdf" else XLSX_TYPE
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type
    )
