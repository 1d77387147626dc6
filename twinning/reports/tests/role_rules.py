"""Who may use each reports URL (see twinning/testing/roles.py)."""

from typing import Any

from twinning.reports.models import ReportJob
from twinning.testing import roles


def own_job(role: str) -> Any:
    """A programme report job: only the person who asked (the manager here); 404 for everyone else."""
    if role == "anonymous":
        return 302
    return 200 if role == "manager" else 404


def staff_post(role: str) -> Any:
    """Asking for a programme report: its staff (an empty form is refused with 400); 404 for the rest."""
    if role == "anonymous":
        return 302
    return roles.OK if role in roles.PROGRAMME_STAFF else 404


def partnership_post(role: str) -> Any:
    if role == "anonymous":
        return 302
    return 404 if role in roles.OUTSIDERS else roles.OK


RULES = {
    # Everyone who reads the partnership reads its report (a reader's holds approved periods only).
    "reports:partnership": ("get", roles.partnership_read),
    # Asking for its PDF (queued): the same people (an empty form is refused with 400).
    "reports:partnership#post": ("post", partnership_post),
    # The programme's report is for its staff, viewers included.
    "reports:programme": ("get", roles.programme_read),
    "reports:programme#post": ("post", staff_post),
    "reports:job": ("get", own_job),
    "reports:job_file": ("get", own_job),
}


def objects(world: Any) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    job = ReportJob(
        programme=world.programme,
        period="2024",
        format="pdf",
        requested_by=world.manager,
        status=ReportJob.Status.DONE,
        filename="report.pdf",
    )
    job.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
    job.save()
    return {"report_job_uuid": job.uuid}
