"""Professional exchanges (and the trainings among them) and mentoring pairs between the two sides."""

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from twinning.accounts import access
from twinning.core.choices import Choices, Side
from twinning.core.limits import NARRATIVE_MAX, REPORT_MAX, TEXT_MAX, text_field
from twinning.core.models import TwinningModel
from twinning.core.reference import shipped_name, validate_country
from twinning.core.validators import validate_upload_content, validate_upload_size
from twinning.directory.models import Person
from twinning.partnerships.models import Partnership

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User

REPORT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "txt", "rtf", "jpg", "jpeg", "png"]


class Sex(Choices):
    """Sex as recorded for disaggregation; the directory keeps none, so it lives on the training rows."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not recorded")


class TrainingSetting(Choices):
    IN_SERVICE = "in_service", _("In-service")
    PRE_SERVICE = "pre_service", _("Pre-service")


class ExchangeQuerySet(models.QuerySet["Exchange"]):
    def visible_to(self, user: "User | AnonymousUser") -> "ExchangeQuerySet":
        """Exchanges of the partnerships the user may see."""
        return self.filter(access.in_visible_partnerships(user))


class Exchange(TwinningModel):
    class Type(Choices):
        SITE_VISIT = "site_visit", _("Site visit")
        TRAINING = "training", _("Training course")
        WORKSHOP = "workshop", _("Workshop")
        CONFERENCE = "conference", _("Conference")
        PLACEMENT = "placement", _("Long-term placement")
        VIRTUAL = "virtual", _("Virtual exchange")

    class Direction(Choices):
        RESOURCE_TO_HOST = "resource_to_host", _("Resource to host")
        HOST_TO_RESOURCE = "host_to_resource", _("Host to resource")
        HOST_TO_HOST = "host_to_host", _("Host to host")

    class Status(Choices):
        PLANNED = "planned", _("Planned")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=255)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    # Stored, not computed in SQL: date arithmetic differs between SQLite and PostgreSQL, and person-day
    # totals are a plain SUM over participants when every exchange carries its own length.
    days = models.PositiveIntegerField(_("days"), default=1, editable=False)
    place = models.CharField(_("place"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[validate_country])
    purpose = text_field(_("purpose"), limit=TEXT_MAX, blank=True)
    objectives = models.ManyToManyField(
        "planning.Objective", blank=True, related_name="exchanges", verbose_name=_("objectives served")
    )
    activities = models.ManyToManyField(
        "planning.Activity", blank=True, related_name="exchanges", verbose_name=_("activities served")
    )
    trip_report = text_field(_("trip report"), limit=REPORT_MAX, blank=True)
    report_file = models.FileField(
        _("trip report file"),
        upload_to="exchanges/reports/%Y/",
        blank=True,
        validators=[FileExtensionValidator(REPORT_EXTENSIONS), validate_upload_size, validate_upload_content],
    )
    outcomes = text_field(_("outcomes"), limit=NARRATIVE_MAX, blank=True)
    host_learned = text_field(_("what the host side learned"), limit=NARRATIVE_MAX, blank=True)
    resource_learned = text_field(_("what the resource side learned"), limit=NARRATIVE_MAX, blank=True)

    objects = ExchangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("exchange")
        verbose_name_plural = _("exchanges")
        ordering = ["-start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="exchange_dates_in_order",
                violation_error_message=_("The exchange cannot end before it starts."),
                violation_error_code="period_order",
            ),
        ]
        indexes = [
            # The list and the summaries filter a partnership's exchanges and sort by date.
            models.Index(fields=["partnership", "start_date"], name="exchange_partnership_date"),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is one Twinning ships (the demo's, marked with gettext_noop
        in exchanges.demo), else as typed. Every display of the title goes through here (or __str__)."""
        return shipped_name(self.title)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The exchange cannot end before it starts.")})


def inclusive_days(start: Any, end: Any) -> int:
    """Length of a period counting both its first and its last day."""
    return (end - start).days + 1


class Participant(TwinningModel):
    """A named person taking part in an exchange. Person-days are participants x the exchange's days."""

    class Role(Choices):
        TRAVELLER = "traveller", _("Traveller")
        HOST = "host", _("Host")
        TRAINER = "trainer", _("Trainer")
        TRAINEE = "trainee", _("Trainee")

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="participants", verbose_name=_("exchange")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="exchange_participations", verbose_name=_("person")
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    # Blank until someone says which: a default would record a choice nobody made (issue 9).
    setting = models.CharField(
        _("in-service or pre-service"), max_length=12, choices=TrainingSetting.choices, blank=True
    )

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["exchange", "role", "person__full_name"]
        constraints = [
            # One role per person per exchange, so person-days and people trained never count anyone twice.
            models.UniqueConstraint(
                fields=["exchange", "person"],
                name="participant_once_per_exchange",
                violation_error_message=_(
                    "This person is already a participant of the exchange: change their role instead."
                ),
                violation_error_code="duplicate_participant",
            ),
        ]
        indexes = [models.Index(fields=["person", "role"], name="participant_person_role")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class TraineeGroup(TwinningModel):
    """People trained who are not named: a count for one sex, cadre and setting in one training."""

    exchange = models.ForeignKey(
        Exchange, on_delete=models.CASCADE, related_name="trainee_groups", verbose_name=_("exchange")
    )
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices)
    cadre = models.CharField(_("cadre"), max_length=30, choices=Person.Cadre.choices)
    # Blank until someone says which: a default would record a choice nobody made (issue 9).
    setting = models.CharField(
        _("in-service or pre-service"), max_length=12, choices=TrainingSetting.choices, blank=True
    )
    count = models.PositiveIntegerField(
        _("people trained"), validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )

    class Meta:
        verbose_name = _("unnamed trainees")
        verbose_name_plural = _("unnamed trainees")
        ordering = ["exchange", "cadre", "sex"]
        constraints = [
            models.UniqueConstraint(
                fields=["exchange", "sex", "cadre", "setting"],
                name="trainee_group_once_per_breakdown",
                violation_error_message=_(
                    "The exchange already counts unnamed trainees of this sex, cadre and setting: "
                    "change that count instead."
                ),
                violation_error_code="duplicate_group",
            ),
            models.CheckConstraint(
                condition=Q(count__gte=1),
                name="trainee_group_count_positive",
                violation_error_message=_("A count of unnamed trainees is at least 1."),
                violation_error_code="count_not_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} {self.get_cadre_display()} ({self.get_sex_display()})"


class MentoringPairQuerySet(models.QuerySet["MentoringPair"]):
    def visible_to(self, user: "User | AnonymousUser") -> "MentoringPairQuerySet":
        """Mentoring pairs of the partnerships the user may see."""
        return self.filter(access.in_visible_partnerships(user))


class MentoringPair(TwinningModel):
    class Status(Choices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        COMPLETED = "completed", _("Completed")
        ENDED = "ended", _("Ended early")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="mentoring_pairs", verbose_name=_("partnership")
    )
    mentor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="mentoring_as_mentor", verbose_name=_("mentor")
    )
    mentee = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="mentoring_as_mentee", verbose_name=_("mentee")
    )
    # The mentor's side; the mentee is on the other one (pairs cross the partnership in either direction).
    mentor_side = models.CharField(_("mentor's side"), max_length=10, choices=Side.choices)
    goals = text_field(_("goals"), limit=TEXT_MAX, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)

    objects = MentoringPairQuerySet.as_manager()

    class Meta:
        verbose_name = _("mentoring pair")
        verbose_name_plural = _("mentoring pairs")
        ordering = ["partnership", "mentor__full_name", "mentee__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "mentor", "mentee"],
                name="mentoring_pair_once_per_partnership",
                violation_error_message=_(
                    "This mentor and mentee are already paired in the partnership: open that pairing instead."
                ),
                violation_error_code="duplicate_pair",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("mentee")),
                name="mentoring_not_self",
                violation_error_message=_("A person cannot mentor themselves: choose another mentee."),
                violation_error_code="self_mentoring",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="mentoring_dates_in_order",
                violation_error_message=_("The pairing cannot end before it starts."),
                violation_error_code="period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The pairing cannot end before it starts.")})

    @property
    def mentee_side(self) -> str:
        return Side.RESOURCE if self.mentor_side == Side.HOST else Side.HOST


class MentoringSession(TwinningModel):
    class Mode(Choices):
        IN_PERSON = "in_person", _("In person")
        REMOTE = "remote", _("Remote")

    pair = models.ForeignKey(
        MentoringPair, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("mentoring pair")
    )
    date = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    notes = text_field(_("notes"), limit=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        ordering = ["pair", "-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1) & Q(duration_minutes__lte=24 * 60),
                name="mentoring_session_duration_range",
                violation_error_message=_("A session lasts at least 1 minute and at most 24 hours."),
                violation_error_code="duration_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pair}: {self.date}"
