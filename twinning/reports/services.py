"""Writes for reports: asking for a programme's or a partnership's report, which the task worker then builds
(`reports.tasks`)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from twinning.accounts.access import partnership_access, programme_access, require
from twinning.accounts.models import User
from twinning.core.services import create_with_audit
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.periods import Period
from twinning.reports.models import ReportJob


@transaction.atomic
def report_job_create(
    *,
    actor: User,
    programme: Programme,
    period: Period,
    format: str,
    language: str,
    partnership: Partnership | None = None,
) -> ReportJob:
    """Queue the programme's report (or, given `partnership`, that partnership's: its programme loaded) for
    `period` in `format` ("pdf" or "xlsx"), to be written in `language` (the asker's), for the task worker once
    the transaction commits. Audited on the programme (on the partnership for a partnership's report). The
    caller gave a period the report may cover (reports.selectors.*_report_periods); the worker checks the
    actor's access again when it runs.

    Raises: PermissionDenied (may not read the reports: ProgrammeAccess / PartnershipAccess.can_read_reports),
    ValidationError.
    """
    if partnership is not None:
        require(partnership_access(actor, partnership).can_read_reports)
    else:
        require(programme_access(actor, programme.pk, programme).can_read_reports)
    if format not in ReportJob.Format.values:
        raise ValidationError({"format": _("Choose PDF or XLSX.")})
    job = create_with_audit(
        actor=actor,
        obj=ReportJob(
            programme=programme,
            partnership=partnership,
            period=period.id,
            format=format,
            language=language[:10],
            requested_by=actor,
        ),
        parent=partnership or programme,
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from twinning.reports.tasks import report_job_task

    report_job_task.enqueue(job_id)
