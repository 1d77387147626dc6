"""Background work: programme reports, and partnership PDF reports, are built by the task worker
(`twinning db_worker`)."""

import logging
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from twinning.accounts.access import partnership_access, programme_access
from twinning.planning.periods import parse_period
from twinning.reports import documents, selectors
from twinning.reports.models import ReportJob
from twinning.reports.sections import Scope, step_count

logger = logging.getLogger(__name__)
BUILT = 90  # the share of the progress bar the sections take; rendering the file takes the rest


def report_job_run(job_id: int) -> None:
    """Build one queued report (a programme's, or a partnership's) as the person who asked for it, in their language, recording progress
    (after each section and each partnership's IPTT) and then the file, or why it failed, on the job.

    Raises: nothing (an unexpected error is logged and recorded as failed: the worker goes on with other jobs).
    """
    job = (
        ReportJob.objects.select_related("programme", "partnership__programme", "requested_by")
        .filter(pk=job_id, status=ReportJob.Status.QUEUED)
        .first()
    )
    if job is None:
        return
    ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.RUNNING, started_at=timezone.now())
    user = job.requested_by
    partnership = job.partnership
    access = (
        None
        if user is None
        else partnership_access(user, partnership)
        if partnership is not None
        else programme_access(user, job.programme_id, job.programme)
    )
    if user is None or access is None or not access.can_read_reports:
        reason = (
            _("You may no longer read this partnership's reports.")
            if partnership is not None
            else _("You may no longer read this programme's reports.")
        )
        _finish(job, ReportJob.Status.FAILED, reason)
        return
    try:
        with translation.override(job.language or None):
            scope = Scope(
                user=user,
                programme=job.programme,
                partnerships=[partnership]
                if partnership is not None
                else selectors.partnerships_in_report(job.programme),
                period=parse_period(job.period),
                approved_only=not access.can_see_drafts,
                partnership=partnership,
            )
            scope.on_step = _recorder(job.pk, step_count(scope))
            document = documents.report_build(
                user=user,
                programme=job.programme,
                partnership=partnership,
                period=scope.period,
                approved_only=scope.approved_only,
                scope=scope,
            )
            content = (
                documents.report_pdf(document) if job.format == "pdf" else documents.report_xlsx(document)
            )
            filename = document.filename(job.format)
    except Exception:
        logger.exception("Report job %s failed", job.pk)
        _finish(job, ReportJob.Status.FAILED, _("The report could not be prepared. Try again later."))
        return
    job.file.save(filename, ContentFile(content), save=False)
    ReportJob.objects.filter(pk=job.pk).update(
        file=job.file.name,
        filename=filename[:120],
        status=ReportJob.Status.DONE,
        progress=100,
        finished_at=timezone.now(),
    )


def _recorder(job_id: int, steps: int) -> Callable[[], None]:
    done = [0, 0]  # steps done, progress last written

    def record() -> None:
        done[0] += 1
        progress = min(BUILT, done[0] * BUILT // max(steps, 1))
        # Written only when the bar moves: at most BUILT updates, however many partnerships the report has.
        if progress != done[1]:
            done[1] = progress
            ReportJob.objects.filter(pk=job_id).update(progress=progress)

    return record


def _finish(job: ReportJob, status: str, summary: str) -> None:
    ReportJob.objects.filter(pk=job.pk).update(status=status, summary=summary, finished_at=timezone.now())


@task
def report_job_task(job_id: int) -> None:
    """The task worker's entry point; takes the job's id so the worker reads the current row."""
    report_job_run(job_id)
