"""Assessment instruments (data, not code) and the rounds in which both sides of a partnership answer them.

An instrument (a partnership health check, a sustainability capacity assessment, a transition-readiness scorecard,
or one a programme writes) has versions; a version has sections, a section has items, and an item is a statement
answered on a scale with labelled points. A version is frozen once anyone has answered it (an answer given, not an
answer sheet merely opened or saved blank): a change after that makes a new version, so every result names the
version it used (issue 13).

A round asks one partnership to answer one version by a due date. Each person on a side answers on their own sheet
(`Response`); a side's coordinator then submits the side, and the side's score is the average of its submitted
sheets. Until both sides have submitted, neither sees the other's answers (`AssessmentRound.is_revealed`; the rule
is `access.sees_assessment_answers`).
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from twinning.accounts import access
from twinning.core.choices import Choices, Side
from twinning.core.models import TwinningModel
from twinning.core.reference import shipped_name
from twinning.partnerships.models import Partnership, Programme
from twinning.sustainability.limits import COMMENT_MAX, text_field

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User

# The widest scale an item may use: 0-10 is the widest in common use (a net-promoter style question).
SCALE_LOWEST = 0
SCALE_HIGHEST = 10


class InstrumentQuerySet(models.QuerySet["Instrument"]):
    def visible_to(self, user: "User | AnonymousUser") -> "InstrumentQuerySet":
        """The instruments shipped with Twinning, and those of the programmes the user may see."""
        return self.filter(access.in_visible_instruments(user))


class Instrument(TwinningModel):
    """A questionnaire both sides of a partnership answer, in one or more versions."""

    class Kind(Choices):
        HEALTH_CHECK = "health_check", _("Partnership health check")
        SUSTAINABILITY = "sustainability", _("Sustainability capacity")
        READINESS = "readiness", _("Transition readiness")
        OTHER = "other", _("Other")

    # Empty for the instruments shipped with Twinning (every programme may use them); otherwise the programme
    # whose staff wrote it, which alone sees and uses it.
    programme = models.ForeignKey(
        Programme,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="instruments",
        verbose_name=_("programme"),
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = text_field(_("description"), blank=True)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment instrument")
        verbose_name_plural = _("assessment instruments")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="instrument_code_per_programme",
                violation_error_message=_(
                    "The programme already has an assessment instrument with this code."
                ),
                violation_error_code="duplicate_code",
            ),
            # NULL programmes are distinct in a unique constraint, so the shipped codes need their own.
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(programme__isnull=True),
                name="instrument_code_shipped",
                violation_error_message=_("A shipped assessment instrument already has this code."),
                violation_error_code="duplicate_code",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_name

    # The shipped instruments' texts are stored in English and marked for the catalogues (migration 0002); they
    # are shown in the reader's language. A programme's own wording has no catalogue entry and shows as written.
    @property
    def shown_name(self) -> str:
        return shipped_name(self.name)

    @property
    def shown_description(self) -> str:
        return shipped_name(self.description)


def version_name(instrument: str, number: int) -> str:
    """An instrument's version as people name it, in the reader's language: "<instrument>, version <number>"
    (`instrument`: its shown name)."""
    return _("%(instrument)s, version %(number)s") % {"instrument": instrument, "number": number}


class InstrumentVersion(TwinningModel):
    """One wording of an instrument. `frozen_at` is set when the first answer is given against it (a point, "not
    applicable" or a comment: `Answer.objects.given()`); from then on its sections and items never change (a change
    makes the next version). A sheet saved with nothing on it freezes nothing: a programme may still correct an
    instrument that nobody has really answered (a tester's finding, issue 13)."""

    instrument = models.ForeignKey(
        Instrument, on_delete=models.CASCADE, related_name="versions", verbose_name=_("instrument")
    )
    number = models.PositiveIntegerField(_("version"), validators=[MinValueValidator(1)])
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True, editable=False)
    note = text_field(_("what changed"), blank=True)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"],
                name="instrument_version_number_once",
                violation_error_message=_("The instrument already has a version with this number."),
                violation_error_code="duplicate_version",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="instrument_version_number_positive",
                violation_error_message=_("A version number is 1 or more."),
                violation_error_code="version_not_positive",
            ),
        ]

    def __str__(self) -> str:
        return version_name(str(self.instrument), self.number)

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Section(models.Model):
    """A group of items (a principle, a domain); section scores are the mean of their items' scores."""

    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="sections", verbose_name=_("version")
    )
    code = models.SlugField(_("code"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    description = text_field(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                name="section_code_per_version",
                violation_error_message=_(
                    "This version of the instrument already has a section with this code."
                ),
                violation_error_code="duplicate_code",
            )
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language (see Instrument.shown_name)."""
        return shipped_name(self.title)

    @property
    def shown_description(self) -> str:
        return shipped_name(self.description)


class Item(models.Model):
    """A statement answered on a scale from `scale_min` to `scale_max`, one label per point
    (`scale_labels[0]` names `scale_min`); with `allows_not_applicable`, "not applicable" is also an answer."""

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="items", verbose_name=_("section")
    )
    code = models.SlugField(_("code"), max_length=50)
    statement = text_field(_("statement"), limit=COMMENT_MAX)
    guidance = text_field(_("guidance"), blank=True)
    scale_min = models.SmallIntegerField(
        _("lowest point"),
        default=1,
        validators=[MinValueValidator(SCALE_LOWEST), MaxValueValidator(SCALE_HIGHEST)],
    )
    scale_max = models.SmallIntegerField(
        _("highest point"),
        default=5,
        validators=[MinValueValidator(SCALE_LOWEST), MaxValueValidator(SCALE_HIGHEST)],
    )
    scale_labels = models.JSONField(_("labels of the points"), default=list, blank=True)
    allows_not_applicable = models.BooleanField(_("'not applicable' allowed"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["section", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["section", "code"],
                name="item_code_per_section",
                violation_error_message=_("The section already has a statement with this code."),
                violation_error_code="duplicate_code",
            ),
            # At least two points, or a score cannot be normalised to 0-100.
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")),
                name="item_scale_in_order",
                violation_error_message=_("The highest point must be above the lowest."),
                violation_error_code="scale_order",
            ),
            models.CheckConstraint(
                condition=Q(scale_min__gte=SCALE_LOWEST) & Q(scale_max__lte=SCALE_HIGHEST),
                name="item_scale_in_range",
                violation_error_message=_("A scale runs between 0 and 10."),
                violation_error_code="scale_range",
            ),
        ]

    def __str__(self) -> str:
        return self.shown_statement[:80]

    @property
    def shown_statement(self) -> str:
        """The statement in the reader's language (see Instrument.shown_name)."""
        return shipped_name(self.statement)

    @property
    def shown_guidance(self) -> str:
        return shipped_name(self.guidance)

    def clean(self) -> None:
        if self.scale_min is None or self.scale_max is None:
            return
        if self.scale_max <= self.scale_min:
            raise ValidationError({"scale_max": _("The highest point must be above the lowest.")})
        labels = self.scale_labels or []
        if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
            raise ValidationError({"scale_labels": _("Give the labels as a list of texts.")})
        if labels and len(labels) != self.points:
            raise ValidationError(
                {
                    "scale_labels": ngettext(
                        "Give one label for each of the %(count)s point, or none.",
                        "Give one label for each of the %(count)s points, or none.",
                        self.points,
                    )
                    % {"count": self.points}
                }
            )

    @property
    def points(self) -> int:
        return self.scale_max - self.scale_min + 1

    def point_choices(self) -> list[tuple[int, str]]:
        """(value, label) for each point of the scale, lowest first; a point without a label reads as its number."""
        labels = [shipped_name(label) for label in self.scale_labels or []]
        return [
            (value, f"{value} · {labels[i]}" if i < len(labels) and labels[i] else str(value))
            for i, value in enumerate(range(self.scale_min, self.scale_max + 1))
        ]


class AssessmentRoundQuerySet(models.QuerySet["AssessmentRound"]):
    def visible_to(self, user: "User | AnonymousUser") -> "AssessmentRoundQuerySet":
        """Rounds of the partnerships the user may see (their answers follow `access.sees_assessment_answers`)."""
        return self.filter(access.in_visible_partnerships(user))

    def not_cancelled(self) -> "AssessmentRoundQuerySet":
        return self.filter(cancelled_at__isnull=True)

    def revealed(self) -> "AssessmentRoundQuerySet":
        """Rounds both sides have submitted: only these have results."""
        return self.filter(host_submitted_at__isnull=False, resource_submitted_at__isnull=False)


class AssessmentRound(TwinningModel):
    """One partnership answering one instrument version by a due date, each side on its own."""

    class Status(Choices):
        OPEN = "open", _("Waiting for both sides")
        WAITING_HOST = "waiting_host", _("Waiting for the host side")
        WAITING_RESOURCE = "waiting_resource", _("Waiting for the resource side")
        COMPLETE = "complete", _("Both sides submitted")
        CANCELLED = "cancelled", pgettext_lazy("assessment round status", "Cancelled")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="assessment_rounds", verbose_name=_("partnership")
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="rounds",
        verbose_name=_("instrument version"),
    )
    # Blank when nobody typed one: the round is then called by its instrument and year in the reader's language
    # (shown_title), not in the language of whoever opened it.
    title = models.CharField(_("title"), max_length=200, blank=True)
    due_date = models.DateField(_("due"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    # Who may change or cancel the round (access.PartnershipAccess.can_change_assessment_round): a round the
    # programme asked for is the programme's to change; one the partnership opened for itself is its own too.
    opened_by_programme = models.BooleanField(_("opened by the programme"), default=True, editable=False)
    # A cancelled round stays, with every sheet as it was (handed-in answers are never lost): it takes no more
    # answers, reminds nobody, and is listed as cancelled with the reason (needed once answers were handed in).
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
        verbose_name=_("cancelled by"),
    )
    cancel_reason = text_field(_("why the round was cancelled"), blank=True)
    host_submitted_at = models.DateTimeField(_("host side submitted"), null=True, blank=True, editable=False)
    resource_submitted_at = models.DateTimeField(
        _("resource side submitted"), null=True, blank=True, editable=False
    )

    objects = AssessmentRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment round")
        verbose_name_plural = _("assessment rounds")
        ordering = ["partnership", "-due_date", "-created_at"]
        indexes = [
            # The programme view and trends read a partnership's rounds of one version, newest first.
            models.Index(
                fields=["partnership", "instrument_version", "due_date"], name="round_partnership_version"
            ),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The typed title as typed, else the instrument's name in the reader's language and the due year
        ("Sustainability assessment 2026"). Lists select_related("instrument_version__instrument")."""
        if self.title:
            return self.title
        return f"{self.instrument_version.instrument.shown_name} {self.due_date.year}"

    def submitted_at(self, side: str) -> Any:
        return self.host_submitted_at if side == Side.HOST else self.resource_submitted_at

    @property
    def is_revealed(self) -> bool:
        """Both sides have submitted: from now on both see each other's answers and the results."""
        return self.host_submitted_at is not None and self.resource_submitted_at is not None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_open(self) -> bool:
        """Still taking answers: neither cancelled nor complete. Only an open round's due date and title change."""
        return not self.is_cancelled and not self.is_revealed

    @property
    def status(self) -> str:
        if self.is_cancelled:
            return self.Status.CANCELLED
        if self.is_revealed:
            return self.Status.COMPLETE
        if self.host_submitted_at:
            return self.Status.WAITING_RESOURCE
        if self.resource_submitted_at:
            return self.Status.WAITING_HOST
        return self.Status.OPEN

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)


class Response(TwinningModel):
    """One person's answer sheet in a round, for their side. Counted in the side's score once submitted."""

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="responses", verbose_name=_("round")
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("respondent")
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("answer sheet")
        verbose_name_plural = _("answer sheets")
        ordering = ["round", "side", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "respondent"],
                name="response_once_per_respondent",
                violation_error_message=_(
                    "This person already has an answer sheet in this round: change it instead."
                ),
                violation_error_code="duplicate_response",
            ),
        ]
        indexes = [models.Index(fields=["round", "side"], name="response_round_side")]

    def __str__(self) -> str:
        return _("%(round)s: answers of %(side)s side") % {
            "round": self.round,
            "side": self.get_side_display(),
        }


class AnswerQuerySet(models.QuerySet["Answer"]):
    def given(self) -> "AnswerQuerySet":
        """Answers with something on them: a point, "not applicable" or a comment. A blank row (a sheet saved
        before anything was chosen) is not an answer; it does not freeze the instrument version."""
        return self.exclude(value__isnull=True, not_applicable=False, comment="")


class Answer(models.Model):
    """One sheet's answer to one item: a point on the item's scale, or "not applicable" (then `value` is empty);
    neither means not answered yet."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("answer sheet")
    )
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers", verbose_name=_("item"))
    value = models.SmallIntegerField(_("answer"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = text_field(_("comment"), limit=COMMENT_MAX, blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "item"],
                name="answer_once_per_item",
                violation_error_message=_(
                    "This statement is already answered on the answer sheet: change that answer instead."
                ),
                violation_error_code="duplicate_answer",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(not_applicable=False),
                name="answer_value_or_not_applicable",
                violation_error_message=_("Give a point on the scale or mark it not applicable, not both."),
                violation_error_code="value_and_not_applicable",
            ),
        ]
        indexes = [models.Index(fields=["item", "response"], name="answer_item_response")]

    def __str__(self) -> str:
        return f"{self.item}: {self.value if self.value is not None else '—'}"

    def clean(self) -> None:
        if self.value is not None and self.not_applicable:
            return  # the constraint answer_value_or_not_applicable says so, once
        if self.not_applicable and not self.item.allows_not_applicable:
            raise ValidationError(_("This statement cannot be answered 'not applicable'."))
        if self.value is not None and not self.item.scale_min <= self.value <= self.item.scale_max:
            raise ValidationError(
                _("Choose a point from %(low)s to %(high)s.")
                % {"low": self.item.scale_min, "high": self.item.scale_max}
            )


class AssessmentAction(TwinningModel):
    """One action of the joint action plan the partnership agrees from a round's results."""

    class Status(Choices):
        # A context of their own: the word agrees with "action" (feminine in French and Portuguese).
        OPEN = "open", pgettext_lazy("action status", "Open")
        IN_PROGRESS = "in_progress", pgettext_lazy("action status", "In progress")
        DONE = "done", pgettext_lazy("action status", "Done")
        DROPPED = "dropped", pgettext_lazy("action status", "Dropped")

    round = models.ForeignKey(
        AssessmentRound, on_delete=models.CASCADE, related_name="actions", verbose_name=_("round")
    )
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("section")
    )
    title = models.CharField(_("action"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)

    class Meta:
        verbose_name = _("joint action")
        verbose_name_plural = _("joint actions")
        ordering = ["round", "due_date", "created_at"]

    def __str__(self) -> str:
        return self.title


# Transition plans, graduation reviews and post-funding follow-ups live in their own module (issue 13).
from twinning.sustainability.models_transition import (  # noqa: E402, F401
    FollowUp,
    FollowUpItem,
    FollowUpReminder,
    FundingSource,
    GraduationPolicy,
    GraduationReview,
    TransitionItem,
    TransitionMilestone,
    TransitionPlan,
    TransitionRisk,
    TransitionSignOff,
)
