"""Donor reports built in the background (a programme's, and a partnership's PDF): a job row the page polls, holding the finished file."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from twinning.core.models import BackgroundJob, TwinningModel
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.periods import validate_period_id


class ReportJob(BackgroundJob, TwinningModel):
    """A donor report the task worker builds (`reports.tasks`): the programme's, or with `partnership` set that
    partnership's; `progress` is 0-100 while it runs, `file` holds the report once done. Only the person who
    asked sees the job and downloads the file, and only while they may still read the programme's (or the
    partnership's) reports (reports.selectors.get_report_job_for_user)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "XLSX"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("partnership"),
    )
    period = models.CharField(_("period"), max_length=8, validators=[validate_period_id])
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    # The asker's language when they asked: the worker writes the report in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="reports/%Y/", blank=True)
    filename = models.CharField(_("file name"), max_length=120, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))

    class Meta:
        verbose_name = _("programme report")
        verbose_name_plural = _("programme reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.programme} · {self.period} ({self.format})"
