"""Donor report pages: choose a period and a format; a partnership's XLSX downloads at once, a partnership's
PDF and a programme's report run as a background job whose page shows its progress and then a download link."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language

from twinning.core.http import AuthedRequest
from twinning.core.spreadsheets import XLSX_TYPE
from twinning.monitoring.models import Result
from twinning.reports import documents, selectors, services
from twinning.reports.forms import ReportForm


@login_required
def partnership_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    """The form. Posted (or asked in the query) with XLSX, the workbook itself: fast enough to answer directly.
    Posted with PDF, the report is queued for the task worker (laying out its tables takes seconds) and the
    job's page opens; a PDF asked in the query only fills the form in."""
    partnership, access = selectors.get_partnership_for_report(request.user, partnership_uuid)
    periods = selectors.partnership_report_periods(partnership)
    data = request.POST if request.method == "POST" else request.GET if "period" in request.GET else None
    latest = (
        None if data is not None else selectors.latest_period_with_data(periods, partnership.results.all())
    )
    form = ReportForm(data, periods=periods, initial={"period": latest.id} if latest else None)
    if data is not None and form.is_valid():
        if form.cleaned_data["format"] == "xlsx":
            # In the asking person's language: the one the request is served in (LocaleMiddleware).
            document = documents.report_build(
                user=request.user,
                programme=partnership.programme,
                partnership=partnership,
                period=form.cleaned_data["period"],
                approved_only=not access.can_see_drafts,
            )
            return documents.report_response(document, "xlsx")
        if request.method == "POST":
            job = services.report_job_create(
                actor=request.user,
                programme=partnership.programme,
                partnership=partnership,
                period=form.cleaned_data["period"],
                format="pdf",
                language=get_language() or "",
            )
            return redirect("reports:job", job.uuid)
    context = {
        "partnership": partnership,
        "form": form,
        "approved_only": not access.can_see_drafts,
        "jobs": selectors.recent_report_jobs(request.user, partnership.programme, partnership=partnership),
    }
    return render(request, "reports/partnership.html", context, status=400 if form.errors else 200)


@login_required
def programme_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """The form; a valid one queues the report for the task worker and opens the job's page."""
    programme, access = selectors.get_programme_for_report(request.user, programme_uuid)
    periods = selectors.programme_report_periods(programme)
    latest = (
        None
        if request.method == "POST"
        else selectors.latest_period_with_data(
            periods, Result.objects.filter(partnership__programme=programme)
        )
    )
    form = ReportForm(
        request.POST or None, periods=periods, initial={"period": latest.id} if latest else None
    )
    if request.method == "POST" and form.is_valid():
        job = services.report_job_create(
            actor=request.user,
            programme=programme,
            period=form.cleaned_data["period"],
            format=form.cleaned_data["format"],
            language=get_language() or "",
        )
        return redirect("reports:job", job.uuid)
    context = {
        "programme": programme,
        "form": form,
        "approved_only": not access.can_see_drafts,
        "jobs": selectors.recent_report_jobs(request.user, programme),
    }
    return render(request, "reports/programme.html", context, status=400 if form.errors else 200)


@login_required
def job_view(request: AuthedRequest, report_job_uuid: UUID) -> HttpResponse:
    """A report's progress, then its download link; htmx polls the status part while it runs."""
    job = selectors.get_report_job_for_user(request.user, report_job_uuid)
    if request.htmx:
        return render(request, "reports/includes/job.html", {"job": job})
    return render(request, "reports/job.html", {"job": job})


@login_required
def job_file_view(request: AuthedRequest, report_job_uuid: UUID) -> FileResponse:
    """The finished report, for the person who asked for it (404 before it is ready)."""
    job = selectors.get_report_job_for_user(request.user, report_job_uuid)
    if job.status != job.Status.DONE or not job.file:
        raise Http404
    content_type = documents.PDF_TYPE if job.format == "pdf" else XLSX_TYPE
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=job.filename, content_type=content_type
    )
