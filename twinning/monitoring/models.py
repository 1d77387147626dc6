"""Reporting periods, results, evidence, review and feedback (notifications are the accounts app's).

A result belongs to a partnership, an indicator, a DHIS2 period id and, for a disaggregated value, an option;
never to a plan version. A plan version only says which indicators are reported and against which targets, so
a revision of the plan neither hides nor duplicates a value already entered. Totals are never stored: progress
and roll-ups are computed at read time from these rows.
"""

import uuid as uuid_module
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import (
    FileExtensionValidator,
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    ProhibitNullCharactersValidator,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import UUID4
from django.utils.translation import gettext_lazy as _

from twinning.core import limits
from twinning.core.choices import Choices
from twinning.core.limits import text_field
from twinning.core.models import BackgroundJob, TwinningModel
from twinning.core.validators import validate_storable_decimal, validate_upload_content, validate_upload_size
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.models import DisaggregationOption, Indicator
from twinning.planning.periods import period_label, validate_period_id

EVIDENCE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "docx", "xlsx", "csv", "txt", "odt", "ods"]


class ProgrammeMonitoringSettings(TwinningModel):
    """How a programme judges progress and when reports are due."""

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="monitoring_settings", verbose_name=_("programme")
    )
    on_track_percent = models.DecimalField(
        # xgettext:no-python-format
        _("on track from (% of target)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("90"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    at_risk_percent = models.DecimalField(
        # xgettext:no-python-format
        _("at risk from (% of target)"),
        max_digits=6,
        decimal_places=2,
        default=Decimal("70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("report due (days after the period ends)"), default=30, validators=[MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("monitoring settings")
        verbose_name_plural = _("monitoring settings")
        constraints = [
            # Otherwise "at risk" would be a better grade than "on track".
            models.CheckConstraint(
                condition=Q(at_risk_percent__lte=models.F("on_track_percent")),
                name="thresholds_in_order",
                violation_error_message=_("The at-risk threshold cannot be above the on-track threshold."),
                violation_error_code="thresholds_order",
            )
        ]

    def __str__(self) -> str:
        return str(self.programme)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.at_risk_percent is not None
            and self.on_track_percent is not None
            and self.at_risk_percent > self.on_track_percent
        ):
            raise ValidationError(
                {"at_risk_percent": _("The at-risk threshold cannot be above the on-track threshold.")}
            )


NARRATIVE_MAX = 4000
NARRATIVE_FIELDS = ("achievements", "challenges", "next_steps")


def _narrative_field(label: Any) -> models.TextField:
    # The limits of the form and the API, on the model so every door applies them.
    return models.TextField(
        label, blank=True, validators=[MaxLengthValidator(NARRATIVE_MAX), ProhibitNullCharactersValidator()]
    )


class PeriodReport(TwinningModel):
    """A partnership's report for one period: the review workflow over that period's results, and the
    coordinators' short narrative of the period (achievements, challenges, next steps) that donor reports quote.
    """

    class Status(Choices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for correction")
        APPROVED = "approved", _("Approved")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="period_reports", verbose_name=_("partnership")
    )
    period = models.CharField(_("period"), max_length=8, validators=[validate_period_id])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    achievements = _narrative_field(_("achievements"))
    challenges = _narrative_field(_("challenges"))
    next_steps = _narrative_field(_("next steps"))

    class Meta:
        verbose_name = _("period report")
        verbose_name_plural = _("period reports")
        ordering = ["partnership_id", "-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period"],
                name="one_report_per_partnership_period",
                violation_error_message=_("The partnership already has a report for this period."),
                violation_error_code="duplicate_report",
            )
        ]

    def __str__(self) -> str:
        return f"{self.partnership} · {period_label(self.period)}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def has_narrative(self) -> bool:
        return any(getattr(self, name) for name in NARRATIVE_FIELDS)


TEXT_MAX = 4000
COMMENT_MAX = 2000


class Result(TwinningModel):
    """One reported value of a partnership's indicator for one period (overall, or for one disaggregation option).

    What a result belongs to: the partnership, the indicator, the period and the option, and nothing else. It
    does not belong to a plan version: the indicators a new version keeps (planning copies the adoption, which
    names the same Indicator row) find the values entered under the previous version, and a value is counted
    once however often the plan is revised. A database constraint keeps one row per such key.

    Typed by the indicator's measure: `value` for numbers and yes/no (1 or 0); `numerator` and `denominator`
    for percentages (`value` then holds the period's percentage, for reading; roll-ups divide the sums);
    `text` and an optional `score` for qualitative indicators.
    """

    # A database default too, so the bulk import can COPY rows without generating UUIDs in Python.
    uuid = models.UUIDField(
        _("public id"), default=uuid_module.uuid4, db_default=UUID4(), unique=True, editable=False
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="results", verbose_name=_("partnership")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="results", verbose_name=_("indicator")
    )
    period = models.CharField(_("period"), max_length=8, validators=[validate_period_id])
    option = models.ForeignKey(
        DisaggregationOption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("option"),
    )
    value = models.DecimalField(
        _("value"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[validate_storable_decimal],
    )
    numerator = models.DecimalField(
        _("numerator"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[validate_storable_decimal],
    )
    denominator = models.DecimalField(
        _("denominator"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[validate_storable_decimal],
    )
    # The limits of the entry form and the API, on the model so every door (imports too) applies them.
    text = models.TextField(
        _("text"),
        blank=True,
        validators=[MaxLengthValidator(TEXT_MAX), ProhibitNullCharactersValidator()],
    )
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    comment = models.TextField(
        _("comment"),
        blank=True,
        validators=[MaxLengthValidator(COMMENT_MAX), ProhibitNullCharactersValidator()],
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["partnership_id", "indicator_id", "period", "option_id"]
        constraints = [
            # One overall value and one value per option for a partnership's indicator and period, whatever
            # plan version it was entered under: otherwise a revision lets the same value be entered twice
            # and roll-ups count it twice. NULL never equals NULL, so the overall row needs its own partial
            # constraint or two "overall" rows could coexist.
            models.UniqueConstraint(
                fields=["partnership", "indicator", "period"],
                condition=Q(option__isnull=True),
                name="one_overall_result_per_partnership",
                violation_error_message=_(
                    "A result for this indicator and period is already entered: change it instead."
                ),
                violation_error_code="duplicate_result",
            ),
            models.UniqueConstraint(
                fields=["partnership", "indicator", "period", "option"],
                condition=Q(option__isnull=False),
                name="one_option_result_per_partnership",
                violation_error_message=_(
                    "A result for this indicator, period and category is already entered: change it instead."
                ),
                violation_error_code="duplicate_result",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="result_denominator_positive",
                violation_error_message=_("A denominator must be greater than zero."),
                violation_error_code="denominator",
            ),
        ]
        # The programme roll-up reads one indicator's results across all partnerships by period.
        indexes = [models.Index(fields=["indicator", "period"], name="result_indicator_period")]

    def __str__(self) -> str:
        # The history's object title: "Health workers trained · Q4 2026 · Female" (not "5 2026Q4").
        parts = [self.indicator.shown_name, period_label(self.period)]
        if self.option_id:
            parts.append(str(self.option))
        return " · ".join(parts)


class Evidence(TwinningModel):
    """A file backing a period's results; served only through an access-checked view."""

    report = models.ForeignKey(
        PeriodReport, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("report")
    )
    result = models.ForeignKey(
        Result,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="evidence",
        verbose_name=_("result"),
    )
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to="monitoring/evidence/%Y/",
        validators=[
            FileExtensionValidator(EVIDENCE_EXTENSIONS),
            validate_upload_size,
            validate_upload_content,
        ],
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class ReviewComment(TwinningModel):
    """One message in a period report's conversation; it may be an action item for someone."""

    class Kind(Choices):
        COMMENT = "comment", _("Comment")
        FEEDBACK = "feedback", _("Returned with feedback")
        APPROVAL = "approval", _("Approved")
        UNLOCK = "unlock", _("Unlocked")

    report = models.ForeignKey(
        PeriodReport, on_delete=models.CASCADE, related_name="comments", verbose_name=_("report")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("parent"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.COMMENT)
    # The review form's limit (forms.MessageForm), on the model so the API and imports apply it too.
    body = text_field(_("message"), limit=limits.TEXT_MAX)
    is_action = models.BooleanField(_("action item"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assignee"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("done by"),
    )

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class ImportJob(BackgroundJob, TwinningModel):
    """A results upload too large to import during the request: the task worker imports it, the page polls.

    The file is kept only until the job has run. `details` holds what the page lists afterwards: the conflicts
    (rows kept as someone else left them) or the row errors, as dictionaries of the import's dataclasses.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Nothing imported")
        FAILED = "failed", _("Failed")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partnership")
    )
    period = models.CharField(_("period"), max_length=8, validators=[validate_period_id])
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    file = models.FileField(_("file"), upload_to="monitoring/imports/%Y/", blank=True)
    source = models.CharField(_("file name"), max_length=100)
    # The uploader's language when they uploaded: numbers typed as text in the file are read its way.
    locale = models.CharField(_("locale"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    summary = models.TextField(_("summary"), blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))

    class Meta:
        verbose_name = _("results import")
        verbose_name_plural = _("results imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_status_display()})"  # type: ignore[attr-defined]
