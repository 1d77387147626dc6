"""Matching rounds: who applies with how many places, the weights, the computed proposals and the decisions."""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from twinning.accounts import access
from twinning.core.choices import Choices, Side
from twinning.core.limits import TEXT_MAX, text_field
from twinning.core.models import BackgroundJob, TwinningModel
from twinning.core.reference import shipped_name
from twinning.directory.models import Institution
from twinning.matching.engine.scoring import DEFAULT_WEIGHTS, PARTS
from twinning.partnerships.models import Partnership, Programme

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User

PART_LABELS = {
    "coverage": _("Expertise covers needs"),
    "text": _("Descriptions alike"),
    "mutual": _("Host expertise covers resource needs"),
    "type": _("Institution type"),
    "specialties": _("Shared specialties"),
    "language": _("Working languages"),
    "time_zone": _("Time-zone difference"),
    "capacity": _("Places left"),
    "prior_ties": _("Earlier partnership together"),
}
CONSTRAINT_LABELS = {
    "no_language": _("No common working language"),
    "no_capacity": _("No places left"),
    "conflict": _("Declared conflict"),
}
MAX_WEIGHT = 100


class RoundQuerySet(models.QuerySet["MatchingRound"]):
    def visible_to(self, user: "User | AnonymousUser") -> "RoundQuerySet":
        """Rounds of the programmes the user is staff of (rounds are programme work, not partnership work)."""
        return self.filter(access.in_staff_programmes(user))


def _weight_field(name: str, label: Any) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label, default=DEFAULT_WEIGHTS[name], validators=[MaxValueValidator(MAX_WEIGHT)]
    )


class MatchingRound(TwinningModel):
    class Status(Choices):
        OPEN = "open", _("Open")
        COMPUTING = "computing", _("Computing")
        COMPUTED = "computed", _("Computed")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="matching_rounds", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=200)
    description = text_field(_("description"), limit=TEXT_MAX, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    weight_coverage = _weight_field("coverage", _("weight: expertise covers needs"))
    weight_text = _weight_field("text", _("weight: descriptions alike"))
    weight_mutual = _weight_field("mutual", _("weight: host expertise covers resource needs"))
    weight_type = _weight_field("type", _("weight: institution type"))
    weight_specialties = _weight_field("specialties", _("weight: shared specialties"))
    weight_language = _weight_field("language", _("weight: working languages"))
    weight_time_zone = _weight_field("time_zone", _("weight: time-zone difference"))
    weight_capacity = _weight_field("capacity", _("weight: places left"))
    weight_prior_ties = _weight_field("prior_ties", _("weight: earlier partnership together"))
    top_k = models.PositiveSmallIntegerField(
        _("candidates kept per institution"),
        default=25,
        validators=[MaxValueValidator(200)],
        help_text=_(
            "Large rounds are solved over each institution's best candidates only; "
            "more candidates come closer to the best total but take longer."
        ),
    )
    computed_at = models.DateTimeField(_("computed"), null=True, blank=True)
    optimal_total = models.DecimalField(
        _("optimal total"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    stable_total = models.DecimalField(
        _("stable total"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("matching round")
        verbose_name_plural = _("matching rounds")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_coverage__gt=0)
                | Q(weight_text__gt=0)
                | Q(weight_mutual__gt=0)
                | Q(weight_type__gt=0)
                | Q(weight_specialties__gt=0)
                | Q(weight_language__gt=0)
                | Q(weight_time_zone__gt=0)
                | Q(weight_capacity__gt=0)
                | Q(weight_prior_ties__gt=0),
                name="matching_round_some_weight",
                violation_error_message=_("Give at least one part of the score a weight above zero."),
                violation_error_code="no_weight",
            )
        ]

    def __str__(self) -> str:
        return self.shown_name

    @property
    def shown_name(self) -> str:
        """The name in the reader's language when it is the demo's (matching.demo), else as staff typed it."""
        return shipped_name(self.name)

    @property
    def weights(self) -> dict[str, int]:
        return {part: getattr(self, f"weight_{part}") for part in PARTS}


class RoundApplicant(TwinningModel):
    """An institution taking part in a round on one side, with the number of twins it can take."""

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="applicants", verbose_name=_("matching round")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="round_applications",
        verbose_name=_("institution"),
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    capacity = models.PositiveSmallIntegerField(
        _("places"), default=1, validators=[MaxValueValidator(50)], help_text=_("How many twins it can take.")
    )

    class Meta:
        verbose_name = _("round applicant")
        verbose_name_plural = _("round applicants")
        ordering = ["side", "institution__name"]
        # One side per round: being both host and resource would let an institution twin with itself.
        constraints = [
            models.UniqueConstraint(
                fields=["round", "institution"],
                name="applicant_once_per_round",
                violation_error_message=_("This institution is already in the round."),
                violation_error_code="duplicate_applicant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.get_side_display()})"


class DeclaredConflict(TwinningModel):
    """Two institutions a programme must not pair (a dispute, a shared owner, an audit...)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="matching_conflicts", verbose_name=_("programme")
    )
    institution_a = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("first institution")
    )
    institution_b = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="+", verbose_name=_("second institution")
    )
    reason = text_field(_("reason"), limit=TEXT_MAX)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("declared by"),
    )

    class Meta:
        verbose_name = _("declared conflict")
        verbose_name_plural = _("declared conflicts")
        ordering = ["-created_at"]
        # Stored in one order (the service sorts the pair) so a pair is declared once.
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "institution_a", "institution_b"],
                name="conflict_once_per_pair",
                violation_error_message=_("This conflict is already declared."),
                violation_error_code="duplicate_conflict",
            ),
            models.CheckConstraint(
                condition=Q(institution_a__lt=models.F("institution_b")),
                name="conflict_pair_ordered",
                violation_error_message=_("A conflict is declared between two different institutions."),
                violation_error_code="conflict_with_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.institution_a} / {self.institution_b}"


class MatchingJob(BackgroundJob, TwinningModel):
    """One computation of a round; the round page polls its progress."""

    class Status(Choices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="jobs", verbose_name=_("matching round")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished"))
    seconds = models.FloatField(null=True, blank=True, verbose_name=_("duration (seconds)"))

    class Meta:
        verbose_name = _("matching job")
        verbose_name_plural = _("matching jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.round}: {self.get_status_display()}"


class ProposedPair(models.Model):
    """A pair in the optimal assignment, the stable one or both, with its score explained part by part."""

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="pairs", verbose_name=_("matching round")
    )
    host = models.ForeignKey(
        RoundApplicant, on_delete=models.CASCADE, related_name="+", verbose_name=_("host institution")
    )
    resource = models.ForeignKey(
        RoundApplicant, on_delete=models.CASCADE, related_name="+", verbose_name=_("resource institution")
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    parts = models.JSONField(_("parts"), default=dict)
    in_optimal = models.BooleanField(_("in the optimal assignment"), default=False)
    in_stable = models.BooleanField(_("in the stable assignment"), default=False)

    class Meta:
        verbose_name = _("proposed pair")
        verbose_name_plural = _("proposed pairs")
        ordering = ["host__institution__name", "-score"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "host", "resource"],
                name="pair_once_per_round",
                violation_error_message=_("This pair is already proposed in the round."),
                violation_error_code="duplicate_pair",
            )
        ]

    def __str__(self) -> str:
        return f"{self.host_id} - {self.resource_id}: {self.score}"


class UnmatchedApplicant(models.Model):
    """An applicant left without a twin by one of the assignments, and why."""

    class Method(Choices):
        OPTIMAL = "optimal", _("Optimal")
        STABLE = "stable", _("Stable")

    class Reason(Choices):
        NO_PLACES = "no_places", _("It has no places left.")
        NO_ACCEPTABLE = "no_acceptable", _("Every candidate is excluded by a hard constraint.")
        OUTSCORED = (
            "outscored",
            _("Its acceptable candidates' places went to pairs that add more to the total score."),
        )
        PREFERRED_OTHERS = (
            "preferred_others",
            _("Every acceptable candidate filled its places with institutions it ranks higher."),
        )

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="unmatched", verbose_name=_("matching round")
    )
    applicant = models.ForeignKey(
        RoundApplicant, on_delete=models.CASCADE, related_name="+", verbose_name=_("applicant")
    )
    method = models.CharField(max_length=10, choices=Method.choices, verbose_name=_("matching method"))
    reason = models.CharField(max_length=20, choices=Reason.choices, verbose_name=_("reason"))
    detail = models.JSONField(default=dict, verbose_name=_("details"))

    class Meta:
        verbose_name = _("unmatched applicant")
        verbose_name_plural = _("unmatched applicants")
        ordering = ["method", "applicant__side", "applicant__institution__name"]

    def __str__(self) -> str:
        return f"{self.applicant_id} ({self.method}): {self.reason}"


class MatchDecision(TwinningModel):
    """A person's decision on a host's twin: accept a proposed pair, or override it (another twin or none)."""

    class Kind(Choices):
        ACCEPTED = "accepted", _("Accepted")
        OVERRIDDEN = "overridden", _("Overridden")

    round = models.ForeignKey(
        MatchingRound, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("matching round")
    )
    kind = models.CharField(_("decision"), max_length=12, choices=Kind.choices)
    host = models.ForeignKey(
        RoundApplicant, on_delete=models.PROTECT, related_name="+", verbose_name=_("host institution")
    )
    resource = models.ForeignKey(
        RoundApplicant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The twin chosen; empty when an override pairs the host with nobody."),
        verbose_name=_("resource institution"),
    )
    proposed_resource = models.ForeignKey(
        RoundApplicant,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed resource institution"),
    )
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    reason = text_field(_("reason"), limit=TEXT_MAX, blank=True)
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matching_decisions",
        verbose_name=_("partnership"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("matching decision")
        verbose_name_plural = _("matching decisions")
        ordering = ["-created_at"]
        constraints = [
            # A pair becomes a partnership once.
            models.UniqueConstraint(
                fields=["round", "host", "resource"],
                condition=Q(resource__isnull=False),
                name="decision_once_per_pair",
                violation_error_message=_("This pair is already decided."),
                violation_error_code="duplicate_decision",
            ),
            models.CheckConstraint(
                condition=~Q(kind="overridden") | ~Q(reason=""),
                name="override_has_reason",
                violation_error_message=_("Say why you override the proposal."),
                violation_error_code="override_without_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.host} → {self.resource or '—'} ({self.get_kind_display()})"
