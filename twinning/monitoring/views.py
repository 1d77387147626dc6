from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from twinning.accounts.access import PartnershipAccess, history_for_user, programme_access, require
from twinning.accounts.models import User
from twinning.core.exports import LIST_ROWS, Column, Link, Table, export_response, requested_format
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only
from twinning.core.numbers import current_locale, query_int
from twinning.core.offline import offline_page
from twinning.core.pagination import history_page
from twinning.core.reference import shipped_name
from twinning.core.uploads import read_table
from twinning.monitoring import imports, selectors, services
from twinning.monitoring.figures import progress_chart, progress_table, rollup_chart, rollup_tables
from twinning.monitoring.forms import (
    ROW_VALUE_FIELDS,
    CommentForm,
    EvidenceForm,
    FeedbackForm,
    NarrativeForm,
    NoteForm,
    ReasonForm,
    ResultRowForm,
    SettingsForm,
    UploadForm,
    attach_row_errors,
    entry_error_summary,
    posted_row_keys,
    typed_rows,
)
from twinning.monitoring.models import PeriodReport
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import get_programme_for_staff, partnership_today
from twinning.planning.periods import Period, period_label


def _flags(user: User, access: PartnershipAccess) -> dict[str, bool]:
    return {
        "can_enter": access.can_enter_data,
        "can_review": access.can_review,
        "can_see_conversation": access.can_see_conversation,
        "can_see_evidence": access.can_see_evidence,
        "can_see_drafts": access.can_see_drafts,
    }


# --- what is due -------------------------------------------------------------------------------------


@login_required
def due_view(request: AuthedRequest) -> HttpResponse:
    context = {
        "due": selectors.due_for_user(request.user),
        "awaiting": selectors.awaiting_review(request.user)[:100],
        "actions": selectors.open_action_items(request.user)[:100],
        "notifications": list(request.user.notifications.all()[:50]),
    }
    return render(request, "monitoring/due.html", context)


@login_required
@post_only
def notifications_read_view(request: AuthedRequest) -> HttpResponse:
    services.notifications_mark_read(actor=request.user)
    return redirect("monitoring:due")


# --- partnership dashboard -----------------------------------------------------------------------------


NOT_COMBINABLE_SHOWN = 50  # rows on the dashboard; its downloads hold up to LIST_ROWS


def _not_combinable_table(rows: list[Any], total: int) -> Table:
    def result(row: dict[str, Any]) -> str:
        if row["text"]:
            text = shipped_name(row["text"])  # the demo's qualitative results are shipped texts
            text = text if len(text) <= 80 else text[:79] + "…"
            return text if row["score"] is None else f"{text} ({row['score'].normalize():f})"
        return "" if row["value"] is None else f"{row['value'].normalize():f}"

    # One reverse() for every row: the download may list a value for each of thousands of partnership periods.
    url = reverse("monitoring:partnership", args=[UUID(int=0)]).replace(str(UUID(int=0)), "{}")
    return Table(
        key="not-combinable",
        title=_("Not combinable: by partnership"),
        more_rows=total - len(rows),
        columns=[Column(_("Indicator")), Column(_("Partnership")), Column(_("Period")), Column(_("Result"))],
        rows=[
            (
                # As the indicator's own display writes it (Indicator.__str__): the code and the name in the
                # reader's language when it is a shipped one (the demo's), read from the values() row.
                f"{row['indicator__code']} {shipped_name(row['indicator__name'])}",
                Link(row["partnership__title"], url.format(row["partnership__uuid"])),
                period_label(row["period"]),
                result(row),
            )
            for row in rows
        ],
    )


def _periods_table(
    partnership: Partnership, periods: list[tuple[Period, PeriodReport | None]], *, drafts: bool
) -> Table:
    # Readers (drafts=False) open only approved periods (docs/ACCESS.md); the others are listed with their status.
    def period(p: Period, report: PeriodReport | None) -> Any:
        if drafts or (report is not None and report.status == PeriodReport.Status.APPROVED):
            return Link(p.label(), reverse("monitoring:entry", args=[partnership.uuid, p.id]))
        return p.label()

    return Table(
        key="periods",
        title=_("Reporting periods"),
        columns=[Column(_("Period")), Column(_("Report"))],
        rows=[
            (
                period(p, report),
                report.get_status_display() if report else _("Not started"),
            )
            for p, report in periods
        ],
    )


@login_required
def partnership_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = selectors.get_partnership_for_user(request.user, partnership_uuid)
    today = partnership_today(partnership)  # the host's date: which periods have started there
    plan, rows = selectors.partnership_progress(
        partnership, today=today, approved_only=not access.can_see_drafts
    )
    reports = {r.period: r for r in PeriodReport.objects.filter(partnership=partnership)}
    periods = selectors.reporting_periods(partnership, today=today)  # the only periods that open (404 else)
    with_reports = [(p, reports.get(p.id)) for p in periods]
    tables = [progress_table(row) for row in rows]
    periods_table = _periods_table(partnership, with_reports, drafts=access.can_see_drafts)
    download = export_response(request, [*tables, periods_table])
    if download is not None:
        return download
    context = {
        "partnership": partnership,
        "access": access,
        "plan": plan,
        "rows": [(row, progress_chart(row), table) for row, table in zip(rows, tables, strict=True)],
        "periods": with_reports,
        "periods_table": periods_table,
        **_flags(request.user, access),
    }
    return render(request, "monitoring/partnership.html", context)


# --- data entry ------------------------------------------------------------------------------------------


def _entry_context(
    request: AuthedRequest,
    partnership: Partnership,
    access: PartnershipAccess,
    period: Period,
    *,
    page: selectors.EntryPage | None = None,
    rows: list[tuple[selectors.EntryRow, ResultRowForm]] | None = None,
    page_errors: list[str] | None = None,
    **forms: Any,
) -> dict[str, Any]:
    page = page or selectors.entry_page(partnership, period)
    report = page.report
    flags = _flags(request.user, access)
    editable = flags["can_enter"] and (report is None or report.is_editable)
    if rows is None:
        rows = [(row, ResultRowForm.for_row(row)) for row in page.rows]
    return {
        "partnership": partnership,
        "access": access,
        "period": period,
        "page": page,
        "report": report,
        "report_statuses": PeriodReport.Status.choices,
        "rows": rows,
        "page_errors": page_errors or [],
        "error_summary": entry_error_summary(rows),
        "editable": editable,
        "thread": selectors.conversation(report),
        "evidence": selectors.evidence_for(report),
        "events": history_page(request, history_for_user(request.user, report)) if report else [],
        "history_full": access.can_enter_data or access.can_review,
        "comment_form": forms.get("comment_form") or CommentForm(partnership=partnership),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "reason_form": forms.get("reason_form") or ReasonForm(),
        "note_form": NoteForm(),
        "evidence_form": forms.get("evidence_form") or EvidenceForm(),
        "narrative_form": forms.get("narrative_form") or NarrativeForm.for_report(report),
        "can_write_narrative": access.can_write_narrative and (report is None or report.is_editable),
        **flags,
    }


@login_required
@offline_page
def entry_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    partnership, access, period, _report = selectors.get_period_contents_for_user(
        request.user, partnership_uuid, period_id
    )
    return render(request, "monitoring/entry.html", _entry_context(request, partnership, access, period))


@login_required
@post_only
def row_save_view(
    request: AuthedRequest, partnership_uuid: UUID, period_id: str, adoption_uuid: UUID, option_key: str
) -> HttpResponse:
    """Save one row. The row's Save button posts the whole page's form (to keep what is typed in the other
    rows when there is no JavaScript); only this row's fields are read."""
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    adoption, chosen = selectors.get_entry_target(partnership, period, adoption_uuid, option_key)
    # The same as EntryRow.key of the form that posted (it may name an earlier plan version's adoption).
    prefix = f"{adoption_uuid}-{chosen.pk if chosen else 'total'}"
    form = ResultRowForm(request.POST.copy(), measure=adoption.indicator.measure, prefix=prefix)
    saved = False
    refusal: ValidationError | None = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.result_save(
                actor=request.user,
                plan_indicator=adoption,
                period=period.id,
                option=chosen,
                values={k: data.get(k) for k in ROW_VALUE_FIELDS},
                comment=data.get("comment") or "",
                expected_version=data.get("version"),
                access=access,
            )
            saved = True
        except ValidationError as exc:
            refusal = exc
    row = selectors.entry_row(adoption, period.id, chosen)
    if saved:
        form = ResultRowForm.for_row(row)
    elif refusal is not None:
        attach_row_errors([(row, form)], {row.key: refusal})
    if request.htmx:
        context = {
            "row": row,
            "form": form,
            "partnership": partnership,
            "period": period,
            "editable": True,
            "saved": saved,
        }
        return render(request, "monitoring/includes/row.html", context)
    if saved:
        messages.success(request, _("Saved."))
        if not posted_row_keys(request.POST) - {prefix}:
            return _back(partnership, period)
    # Without JavaScript the whole page posted here: every other row keeps what was typed in it.
    page = selectors.entry_page(partnership, period)
    rows = [(r, form if r.key == row.key else f) for r, f in typed_rows(request.POST, page.rows)]
    context = _entry_context(request, partnership, access, period, page=page, rows=rows)
    if saved:
        context["saved_row"] = row.key  # the row says "Saved" at its button, as when JavaScript saved it
    return render(request, "monitoring/entry.html", context, status=200 if saved else 400)


class _NotAllParsed(Exception):
    """Rolls back a page save whose parsed rows passed while other rows could not be read."""


def _save_typed(
    request: AuthedRequest, partnership: Partnership, access: PartnershipAccess, period: Period
) -> HttpResponse | None:
    """Save every row posted with the page (all or none); None when saved, else the page again with every
    typed value and each refusal beside its field (400)."""
    page = selectors.entry_page(partnership, period)
    rows = typed_rows(request.POST, page.rows)
    page_errors: list[str] = []
    if posted_row_keys(request.POST) - {row.key for row in page.rows}:
        page_errors.append(
            _("The plan changed since this page was opened; some rows you typed are no longer reported.")
        )
    entries = [entry for row, form in rows if form.is_bound and (entry := form.entry(row)) is not None]
    valid = all(form.is_valid() for _row, form in rows)
    if not page_errors:
        # The rows that parsed are checked by the service even when others did not (negative counts, the
        # breakdowns), so one submit reports every error of every row; with an unparsed row nothing is kept.
        try:
            with transaction.atomic():
                services.results_save(
                    actor=request.user,
                    partnership=partnership,
                    period=period.id,
                    entries=entries,
                    access=access,
                )
                if not valid:
                    raise _NotAllParsed
        except _NotAllParsed:
            pass
        except services.ResultsRejected as exc:
            attach_row_errors(rows, exc.row_errors)
        except ValidationError as exc:
            page_errors += exc.messages
        else:
            return None
    context = _entry_context(
        request, partnership, access, period, page=page, rows=rows, page_errors=page_errors
    )
    return render(request, "monitoring/entry.html", context, status=400)


@login_required
@post_only
def save_all_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    refused = _save_typed(request, partnership, access, period)
    if refused is not None:
        return refused
    messages.success(request, _("Every value is saved."))
    return _back(partnership, period)


def _back(partnership: Partnership, period: Period) -> HttpResponse:
    return redirect("monitoring:entry", partnership.uuid, period.id)


def _report_or_404(partnership: Partnership, period: Period) -> PeriodReport:
    report = selectors.report_for(partnership, period.id)
    if report is None:
        raise Http404
    return report


@login_required
@post_only
def submit_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    """Save every value typed on the page (as Save all does), then submit; a refused save shows the page
    again with every typed value, and a refused submission keeps the saved values."""
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    if posted_row_keys(request.POST):
        refused = _save_typed(request, partnership, access, period)
        if refused is not None:
            return refused
    try:
        services.report_submit(actor=request.user, partnership=partnership, period=period.id)
    except ValidationError as exc:
        why = " ".join(exc.messages)
        if posted_row_keys(request.POST):
            why = _("Your values are saved, but the report is not submitted: %(why)s") % {"why": why}
        messages.error(request, why)
    else:
        messages.success(request, _("Submitted for review. The programme's reviewers are notified."))
    return _back(partnership, period)


@login_required
@post_only
def narrative_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    """Save the period report's narrative; a refused one comes back on the entry page with what was typed."""
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    require(access.can_write_narrative)
    form = NarrativeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.report_narrative_save(
                actor=request.user,
                partnership=partnership,
                period=period.id,
                data={name: data[name] for name in ("achievements", "challenges", "next_steps")},
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The narrative is saved."))
            return redirect(reverse("monitoring:entry", args=[partnership.uuid, period.id]) + "#narrative")
    context = _entry_context(request, partnership, access, period, narrative_form=form)
    return render(request, "monitoring/entry.html", context, status=400)


def _reviewer_form_action(
    request: AuthedRequest,
    partnership_uuid: UUID,
    period_id: str,
    *,
    form_class: Any,
    form_key: str,
    action: Any,
    success: str,
) -> HttpResponse:
    """A review action that needs a written reason (return, unlock): on a bad form or a refusal the
    entry page comes back with the form's errors; on success, a message and back to the page."""
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id
    )
    require(access.can_review)
    report = _report_or_404(partnership, period)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(report, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return _back(partnership, period)
    context = _entry_context(request, partnership, access, period, **{form_key: form})
    return render(request, "monitoring/entry.html", context, status=400)


@login_required
@post_only
def return_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    return _reviewer_form_action(
        request,
        partnership_uuid,
        period_id,
        form_class=FeedbackForm,
        form_key="feedback_form",
        action=lambda report, data: services.report_return(
            actor=request.user, report=report, feedback=data["feedback"]
        ),
        success=_("Returned with your feedback."),
    )


@login_required
@post_only
def approve_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id
    )
    require(access.can_review)
    report = _report_or_404(partnership, period)
    form = NoteForm(request.POST)
    note = form.cleaned_data.get("note", "") if form.is_valid() else ""
    try:
        services.report_approve(actor=request.user, report=report, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved; the results are locked."))
    return _back(partnership, period)


@login_required
@post_only
def unlock_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    return _reviewer_form_action(
        request,
        partnership_uuid,
        period_id,
        form_class=ReasonForm,
        form_key="reason_form",
        action=lambda report, data: services.report_unlock(
            actor=request.user, report=report, reason=data["reason"]
        ),
        success=_("Unlocked for correction."),
    )


@login_required
@post_only
def comment_add_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id
    )
    require(access.can_discuss)
    form = CommentForm(request.POST, partnership=partnership)
    if form.is_valid():
        data = form.cleaned_data
        from django.db import transaction

        try:
            with transaction.atomic():
                report = services.report_get_or_create(partnership, period.id)
                parent = None
                if data.get("parent"):
                    parent = report.comments.filter(uuid=data["parent"]).first()
                    if parent is None:
                        raise ValidationError({"parent": _("That message is not in this conversation.")})
                services.comment_add(
                    actor=request.user,
                    report=report,
                    body=data["body"],
                    parent=parent,
                    assignee=data.get("assignee"),
                    due_date=data.get("due_date"),
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your message is posted."))
            return redirect(f"{request.path.rsplit('/comments/', 1)[0]}/#conversation")
    context = _entry_context(request, partnership, access, period, comment_form=form)
    return render(request, "monitoring/entry.html", context, status=400)


@login_required
@post_only
def action_done_view(
    request: AuthedRequest, partnership_uuid: UUID, period_id: str, review_comment_uuid: UUID
) -> HttpResponse:
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id
    )
    require(access.can_discuss)
    report = _report_or_404(partnership, period)
    comment = report.comments.filter(uuid=review_comment_uuid).select_related("report__partnership").first()
    if comment is None:
        raise Http404
    try:
        services.action_item_set_done(
            actor=request.user, comment=comment, done=request.POST.get("done", "1") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{request.path.rsplit('/comments/', 1)[0]}/#conversation")


# --- evidence -----------------------------------------------------------------------------------------------


@login_required
@post_only
def evidence_add_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    partnership, access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        from django.db import transaction

        try:
            with transaction.atomic():
                report = services.report_get_or_create(partnership, period.id)
                services.evidence_add(
                    actor=request.user,
                    report=report,
                    file=form.cleaned_data["file"],
                    title=form.cleaned_data["title"],
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The file is attached."))
            return _back(partnership, period)
    context = _entry_context(request, partnership, access, period, evidence_form=form)
    return render(request, "monitoring/entry.html", context, status=400)


def _evidence(partnership: Partnership, period: Period, result_evidence_uuid: UUID) -> Any:
    report = _report_or_404(partnership, period)
    evidence = report.evidence.filter(uuid=result_evidence_uuid).select_related("report__partnership").first()
    if evidence is None or not evidence.file:
        raise Http404
    return evidence


@login_required
def evidence_file_view(
    request: AuthedRequest, partnership_uuid: UUID, period_id: str, result_evidence_uuid: UUID
) -> FileResponse:
    """Evidence files are served only through this scoped view, never from a public media URL; readers get
    them only from an approved period of a programme that grants them evidence (403 otherwise)."""
    partnership, access, period, _report = selectors.get_period_contents_for_user(
        request.user, partnership_uuid, period_id
    )
    require(access.can_see_evidence)
    evidence = _evidence(partnership, period, result_evidence_uuid)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=Path(evidence.file.name or "").name
    )


@login_required
@post_only
def evidence_delete_view(
    request: AuthedRequest, partnership_uuid: UUID, period_id: str, result_evidence_uuid: UUID
) -> HttpResponse:
    partnership, _access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    evidence = _evidence(partnership, period, result_evidence_uuid)
    try:
        services.evidence_delete(actor=request.user, evidence=evidence)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(partnership, period)


# --- spreadsheets ----------------------------------------------------------------------------------------------


@login_required
def template_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    # The template carries the period's values: readers get it once the period is approved.
    partnership, _access, period, _report = selectors.get_period_contents_for_user(
        request.user, partnership_uuid, period_id
    )
    response = HttpResponse(
        imports.template_workbook(partnership, period),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="results-{period.id}.xlsx"'
    return response


@login_required
def upload_view(request: AuthedRequest, partnership_uuid: UUID, period_id: str) -> HttpResponse:
    partnership, _access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    form = UploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"partnership": partnership, "period": period, "form": form}
    if request.method == "POST" and form.is_valid() and form.cleaned_data["file"].size > imports.INLINE_BYTES:
        job = imports.import_job_create(
            actor=request.user,
            partnership=partnership,
            period=period.id,
            upload=form.cleaned_data["file"],
            locale=current_locale(),
        )
        return redirect("monitoring:import_job", partnership.uuid, period.id, job.uuid)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = imports.results_import(
                actor=request.user,
                rows=read_table(upload, max_rows=imports.MAX_ROWS),
                programme=partnership.programme,
                partnership=partnership,
                period=period.id,
                source=upload.name[:100],
                locale=current_locale(),
            )
        except imports.ImportRejected as exc:
            context.update(row_errors=exc.row_errors, total_errors=exc.total_errors)
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            summary = imports.outcome_summary(outcome)
            if not outcome.conflict_count:
                messages.success(request, summary)
                return _back(partnership, period)
            # Conflicts are shown on this page, row by row, rather than in a one-line message.
            messages.warning(request, summary)
            context["outcome"] = outcome
    return render(request, "monitoring/upload.html", context, status=400 if form.errors else 200)


@login_required
def import_job_view(
    request: AuthedRequest, partnership_uuid: UUID, period_id: str, job_uuid: UUID
) -> HttpResponse:
    """A background import's progress and outcome, for the person who uploaded the file (404 for anyone else);
    htmx polls the status part while the job runs."""
    partnership, _access, period = selectors.get_partnership_period_for_user(
        request.user, partnership_uuid, period_id, write=True
    )
    job = selectors.get_import_job_for_user(request.user, partnership, period.id, job_uuid)
    context = {"partnership": partnership, "period": period, "job": job}
    if request.htmx:
        return render(request, "monitoring/includes/import_job.html", context)
    return render(request, "monitoring/import_job.html", context)


# --- programme ----------------------------------------------------------------------------------------------------


@login_required
def programme_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid)

    def year(name: str) -> int | None:
        return query_int(request.GET.get(name, ""), minimum=1000, maximum=9999)

    # `year` is the one-year address older links and bookmarks use.
    first, last = year("from") or year("year"), year("to") or year("year")
    access = programme_access(request.user, programme.pk)
    # Readers count only approved periods, on the page and in its downloads alike.
    rollup = selectors.programme_rollup_cached(
        programme, first=first, last=last, approved_only=not access.can_see_drafts
    )
    shown = [r for r in rollup.indicators if r.periods]

    def tables() -> dict[int, tuple[Table, Table, Table]]:
        return {r.indicator.pk: rollup_tables(r, rollup.pillars) for r in shown}

    def not_combinable(limit: int) -> Table:
        return _not_combinable_table(
            *selectors.not_combinable_results_cached(
                programme,
                first=rollup.first,
                last=rollup.last,
                approved_only=not access.can_see_drafts,
                limit=limit,
            )
        )

    if requested_format(request):
        download = export_response(
            request, [t for three in tables().values() for t in three] + [not_combinable(LIST_ROWS)]
        )
        if download is not None:
            return download

    def indicators() -> list[tuple[Any, ...]]:
        built = tables()
        return [(r, rollup_chart(r), *built[r.indicator.pk]) for r in shown]

    context = {
        "programme": programme,
        "rollup": rollup,
        # Built only when the page's figures are rendered, not when they are read back from the cache
        # ({% cached_section %}: they show stored results only, no form input).
        "cache_sections": True,
        "indicators": SimpleLazyObject(indicators),
        "not_combinable": SimpleLazyObject(lambda: not_combinable(NOT_COMBINABLE_SHOWN)),
        "can_edit": access.can_edit,
        "can_manage": access.can_manage,
        "approved_only": not access.can_see_drafts,
    }
    return render(request, "monitoring/programme.html", context)


@login_required
def settings_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    programme = get_programme_for_staff(request.user, programme_uuid, write=True)
    current = services.monitoring_settings(programme)
    form = SettingsForm(
        request.POST or None,
        initial={
            "version": current.version,
            "on_track_percent": current.on_track_percent,
            "at_risk_percent": current.at_risk_percent,
            "report_due_days": current.report_due_days,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.monitoring_settings_update(
                actor=request.user,
                programme=programme,
                data={k: data[k] for k in ("on_track_percent", "at_risk_percent", "report_due_days")},
                expected_version=data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("monitoring:programme", programme.uuid)
    return render(
        request,
        "monitoring/settings.html",
        {"programme": programme, "form": form},
        status=400 if form.errors else 200,
    )
