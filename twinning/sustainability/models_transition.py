"""Transition, graduation and life after funding (issue 13, second half).

- A programme's `GraduationPolicy` says what a graduation review checks (each criterion may be switched off), who
  signs a transition plan, and when follow-ups fall due after a partnership ends.
- A `TransitionPlan` (one per partnership) says what the host side takes over: `TransitionItem`s (activities,
  practices, roles) with who owns and funds each after the end and from when, `TransitionRisk`s with their
  mitigations, and `TransitionMilestone`s. Both sides sign it (and the ministry where the programme requires it);
  a change after a signature withdraws the signatures, as strategic plans do.
- A `GraduationReview` is opened by programme staff; its criteria are evaluated from what is recorded, and the
  decision (graduate, extend, close) keeps the evidence as it stood (`evidence`).
- A `FollowUp` is scheduled 1, 3 and 5 years (per programme) after a partnership graduates or closes: a short
  survey of the host coordinator about each planned activity and practice (`FollowUpItem`), with reminders sent
  once per step (`FollowUpReminder` is the sent-marker).
"""

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext, pgettext_lazy

from twinning.accounts import access
from twinning.core.choices import Choices, Side
from twinning.core.models import TwinningModel
from twinning.core.reference import shipped_format, shipped_name
from twinning.directory.models import Person
from twinning.partnerships.models import Partnership, Programme
from twinning.sustainability.limits import COMMENT_MAX, text_field

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User

DEFAULT_FOLLOW_UP_YEARS = "1,3,5"
MAX_FOLLOW_UP_YEARS = 25


def parse_years(text: str) -> list[int]:
    """The follow-up years of a policy ("1, 3,5" -> [1, 3, 5]), sorted and without repeats.

    Raises: ValidationError (not whole numbers, or outside 1 to MAX_FOLLOW_UP_YEARS).
    """
    years: set[int] = set()
    for part in (text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_FOLLOW_UP_YEARS:
            raise ValidationError(
                _("Give whole numbers of years from 1 to %(max)s, separated by commas (e.g. 1, 3, 5).")
                % {"max": MAX_FOLLOW_UP_YEARS}
            )
        years.add(int(part))
    return sorted(years)


def validate_years(text: str) -> None:
    parse_years(text)


class FundingSource(Choices):
    """Who pays for something after the funding period ends."""

    HOST_BUDGET = "host_budget", _("Host institution's budget line")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    MINISTRY = "ministry", _("Ministry of health")
    OTHER_DONOR = "other_donor", _("Another donor")
    PARTNER = "partner", _("The resource partner")
    NONE = "none", _("No funding")


class GraduationPolicy(TwinningModel):
    """What a programme's graduation reviews check, who signs transition plans, and when follow-ups fall due.

    A programme without a row uses the defaults below (`selectors.graduation_policy`). A threshold left empty
    switches its criterion off.
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="graduation_policy", verbose_name=_("programme")
    )
    min_readiness_score = models.DecimalField(
        _("transition readiness at least (0-100)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        default=Decimal("70"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "The combined score of the latest completed transition-readiness round. Empty: not checked."
        ),
    )
    min_on_track_percent = models.DecimalField(
        _("key indicators on track at least (%)"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        default=Decimal("75"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "Key indicators are the programme's common indicators in the partnership's plan (all of the plan's "
            "indicators when it adopted none). Empty: not checked."
        ),
    )
    require_signed_transition_plan = models.BooleanField(_("transition plan signed"), default=True)
    require_no_open_priority_actions = models.BooleanField(
        _("no overdue open actions"),
        default=True,
        help_text=_("Open joint actions and review action items past their due date hold graduation back."),
    )
    transition_requires_ministry = models.BooleanField(
        _("the ministry signs transition plans"), default=False
    )
    follow_up_years = models.CharField(
        _("follow-ups (years after the end)"),
        max_length=50,
        default=DEFAULT_FOLLOW_UP_YEARS,
        validators=[validate_years],
        help_text=_("Separated by commas, e.g. 1, 3, 5."),
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        _("first reminder (days before a follow-up is due)"),
        default=30,
        validators=[MaxValueValidator(365)],
    )

    class Meta:
        verbose_name = _("graduation policy")
        verbose_name_plural = _("graduation policies")

    def __str__(self) -> str:
        return str(self.programme)

    @property
    def years(self) -> list[int]:
        return parse_years(self.follow_up_years)


class TransitionPlanQuerySet(models.QuerySet["TransitionPlan"]):
    def visible_to(self, user: "User | AnonymousUser") -> "TransitionPlanQuerySet":
        """Transition plans of the partnerships the user may see."""
        return self.filter(access.in_visible_partnerships(user))


# The demo's transition-plan summary and graduation reasons (sustainability.demo): stored in English with their
# values filled in, shown in the reader's language (shown_summary, shown_reason). The activities a summary names,
# the criteria a reason lists and the reason's last sentence are shipped names too, and are translated with it.
DEMO_TRANSITION_SUMMARY = gettext_noop(
    "%(host)s takes over its activities (%(activities)s) and the coordinator's role when the grant ends; the "
    "district and the ministry fund what its own budget cannot."
)
DEMO_REASON_ALL_MET = gettext_noop("Every criterion met. %(why)s")
DEMO_REASON_SOME_MET = gettext_noop(
    "%(met)s of %(applying)s criteria met; not met: %(missing)s. The programme graduated it all the same: %(why)s"
)


class TransitionPlan(TwinningModel):
    """What the host side takes over when funding ends. One per partnership; signed by both sides (and the
    ministry when `requires_ministry_sign_off`, copied from the programme's policy when the plan is drafted)."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.PROTECT, related_name="transition_plan", verbose_name=_("partnership")
    )
    summary = text_field(_("summary"), blank=True)
    handover_date = models.DateField(_("host side takes over fully on"), null=True, blank=True)
    requires_ministry_sign_off = models.BooleanField(_("ministry sign-off required"), default=False)
    signed_at = models.DateTimeField(_("signed by all"), null=True, blank=True, editable=False)

    objects = TransitionPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("transition plan")
        verbose_name_plural = _("transition plans")
        ordering = ["partnership"]

    def __str__(self) -> str:
        return _("Transition plan of %(partnership)s") % {"partnership": self.partnership}

    @property
    def shown_summary(self) -> str:
        """The summary in the reader's language when the demo wrote it (DEMO_TRANSITION_SUMMARY), else as typed."""
        return shipped_format(self.summary, DEMO_TRANSITION_SUMMARY, names={"host": "", "activities": "; "})

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class TransitionSignOff(models.Model):
    """One party's signature on a transition plan as it stands; withdrawn when the plan changes."""

    class Party(Choices):
        HOST = Side.HOST, _("Host side")
        RESOURCE = Side.RESOURCE, _("Resource side")
        MINISTRY = "ministry", _("Ministry of health")

    plan = models.ForeignKey(
        TransitionPlan, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("transition plan")
    )
    party = models.CharField(_("for"), max_length=10, choices=Party.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)
    note = text_field(_("note"), limit=COMMENT_MAX, blank=True)

    class Meta:
        verbose_name = _("transition plan signature")
        verbose_name_plural = _("transition plan signatures")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "party"],
                name="one_transition_sign_off_per_party",
                violation_error_message=_("This party has already signed the transition plan."),
                violation_error_code="duplicate_sign_off",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_party_display()}"


class TransitionItem(TwinningModel):
    """Something the host side takes over (or lets end): an activity of the plan, a practice, or a role."""

    class Kind(Choices):
        ACTIVITY = "activity", _("Activity")
        PRACTICE = "practice", _("Practice")
        ROLE = "role", _("Role")

    plan = models.ForeignKey(
        TransitionPlan, on_delete=models.CASCADE, related_name="items", verbose_name=_("transition plan")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ACTIVITY)
    title = models.CharField(_("what"), max_length=255)
    activity = models.ForeignKey(
        "planning.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("activity of the plan"),
    )
    practice = models.ForeignKey(
        "knowledge.Practice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("practice of the library"),
    )
    continues = models.BooleanField(_("continues after the end"), default=True)
    owner = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    owner_role = models.CharField(_("responsible role or unit"), max_length=200, blank=True)
    funding_source = models.CharField(
        _("funded by"), max_length=20, choices=FundingSource.choices, default=FundingSource.HOST_BUDGET
    )
    funding_detail = models.CharField(_("budget line or funder"), max_length=255, blank=True)
    takes_over_on = models.DateField(_("host side takes over on"), null=True, blank=True)
    note = text_field(_("note"), blank=True)

    class Meta:
        verbose_name = _("transition item")
        verbose_name_plural = _("transition items")
        ordering = ["plan", "kind", "title", "id"]

    def __str__(self) -> str:
        return self.shown_title

    # The demo's items, roles and funding lines are fixed vocabulary marked for the catalogues (sustainability.demo):
    # shown in the reader's language; what people type has no catalogue entry and shows as written.
    @property
    def shown_title(self) -> str:
        return shipped_name(self.title)

    @property
    def shown_owner_role(self) -> str:
        return shipped_name(self.owner_role)

    @property
    def shown_funding_detail(self) -> str:
        return shipped_name(self.funding_detail)


class TransitionRisk(TwinningModel):
    plan = models.ForeignKey(
        TransitionPlan, on_delete=models.CASCADE, related_name="risks", verbose_name=_("transition plan")
    )
    risk = models.CharField(_("risk"), max_length=500)
    mitigation = text_field(_("mitigation"), blank=True)

    class Meta:
        verbose_name = _("transition risk")
        verbose_name_plural = _("transition risks")
        ordering = ["plan", "created_at", "id"]

    def __str__(self) -> str:
        return self.risk[:80]


class TransitionMilestone(TwinningModel):
    plan = models.ForeignKey(
        TransitionPlan, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("transition plan")
    )
    title = models.CharField(_("milestone"), max_length=255)
    due_date = models.DateField(_("due"))

    class Meta:
        verbose_name = _("transition milestone")
        verbose_name_plural = _("transition milestones")
        ordering = ["plan", "due_date", "id"]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """In the reader's language when it is the demo's fixed vocabulary (see TransitionItem.shown_title)."""
        return shipped_name(self.title)


class GraduationReviewQuerySet(models.QuerySet["GraduationReview"]):
    def visible_to(self, user: "User | AnonymousUser") -> "GraduationReviewQuerySet":
        """Graduation reviews of the partnerships the user may see."""
        return self.filter(access.in_visible_partnerships(user))


class GraduationReview(TwinningModel):
    """Programme staff's review of whether a partnership graduates. Open until decided; at most one open review
    per partnership. The decision keeps the criteria as they were evaluated then (`evidence`)."""

    class Decision(Choices):
        # Read as the decision taken (a noun in the pipeline, the reviews and the follow-ups), not a command.
        GRADUATE = "graduate", pgettext_lazy("graduation decision", "Graduate")
        EXTEND = "extend", pgettext_lazy("graduation decision", "Extend")
        CLOSE = "close", pgettext_lazy("graduation decision", "Close")

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="graduation_reviews",
        verbose_name=_("partnership"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("opened by"),
    )
    note = text_field(_("note"), blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    reason = text_field(_("reason"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("decided by"),
    )
    extended_to = models.DateField(_("funding extended to"), null=True, blank=True)
    # The criteria as evaluated when the decision was recorded: [{code, label, met, applies, evidence}].
    evidence = models.JSONField(_("evidence"), default=list, blank=True, editable=False)

    objects = GraduationReviewQuerySet.as_manager()

    class Meta:
        verbose_name = _("graduation review")
        verbose_name_plural = _("graduation reviews")
        ordering = ["partnership", "-created_at"]
        constraints = [
            # Two open reviews of one partnership would let two decisions move its stage at once.
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(decision=""),
                name="one_open_graduation_review",
                violation_error_message=_("A graduation review of this partnership is already open."),
                violation_error_code="review_open",
            ),
            models.CheckConstraint(
                condition=Q(decision="") | (Q(decided_on__isnull=False) & ~Q(reason="")),
                name="graduation_decision_dated_with_reason",
                violation_error_message=_("A graduation decision needs its date and its reason."),
                violation_error_code="decision_incomplete",
            ),
        ]

    def __str__(self) -> str:
        return _("Graduation review of %(partnership)s") % {"partnership": self.partnership}

    @property
    def shown_reason(self) -> str:
        """The reason in the reader's language when the demo wrote it (DEMO_REASON_ALL_MET, DEMO_REASON_SOME_MET),
        else as typed."""
        return shipped_format(
            self.reason, DEMO_REASON_ALL_MET, DEMO_REASON_SOME_MET, names={"missing": ", ", "why": ""}
        )

    @property
    def is_open(self) -> bool:
        return not self.decision


class FollowUpQuerySet(models.QuerySet["FollowUp"]):
    def visible_to(self, user: "User | AnonymousUser") -> "FollowUpQuerySet":
        """Follow-ups of the partnerships the user may see (ended ones included: see access.py)."""
        return self.filter(access.in_visible_partnerships(user))


class FollowUp(TwinningModel):
    """A survey of the host side some years after the partnership ended (graduated or closed)."""

    class StaffRetained(Choices):
        ALL = "all", _("All of them")
        MOST = "most", _("Most of them")
        SOME = "some", _("Some of them")
        NONE = "none", _("None of them")

    class Contact(Choices):
        REGULAR = "regular", _("Yes, regularly")
        OCCASIONAL = "occasional", _("Now and then")
        NONE = "none", _("No")

    # An answer's change is named by its question's title and holds the question's codes (follow_ups.py): the
    # history reads them through the items' choices, in the reader's language (core.history).
    history_parts = "items"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("partnership")
    )
    years_after = models.PositiveSmallIntegerField(
        _("years after the end"), validators=[MinValueValidator(1), MaxValueValidator(MAX_FOLLOW_UP_YEARS)]
    )
    ended_on = models.DateField(_("partnership ended on"))
    outcome = models.CharField(_("ended as"), max_length=10, choices=GraduationReview.Decision.choices)
    due_date = models.DateField(_("due"))
    opens_on = models.DateField(_("open from"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )
    staff_retained = models.CharField(
        _("trained staff still in post"), max_length=10, choices=StaffRetained.choices, blank=True
    )
    partner_contact = models.CharField(
        _("contact with the partner continuing"), max_length=12, choices=Contact.choices, blank=True
    )
    comment = text_field(_("anything else"), blank=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "partnership", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "years_after"],
                name="one_follow_up_per_year",
                violation_error_message=_(
                    "The partnership already has a follow-up this many years after the end."
                ),
                violation_error_code="duplicate_follow_up",
            ),
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("due_date")),
                name="follow_up_opens_first",
                violation_error_message=_("A follow-up cannot open after its due date."),
                violation_error_code="opens_after_due",
            ),
        ]
        indexes = [models.Index(fields=["answered_at", "due_date"], name="follow_up_open_due")]

    def __str__(self) -> str:
        return ngettext(
            "%(partnership)s: follow-up after %(years)s year",
            "%(partnership)s: follow-up after %(years)s years",
            self.years_after,
        ) % {
            "partnership": self.partnership,
            "years": self.years_after,
        }

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.is_answered and self.due_date < today


class FollowUpItem(models.Model):
    """One planned activity or practice asked about in a follow-up; its title is kept as it was asked."""

    class Status(Choices):
        RUNNING = "running", _("Still running")
        ADAPTED = "adapted", _("Running, adapted")
        STOPPED = "stopped", _("Stopped")

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="items", verbose_name=_("follow-up")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TransitionItem.Kind.choices)
    title = models.CharField(_("what"), max_length=255)
    transition_item = models.ForeignKey(
        TransitionItem,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("transition item"),
    )
    activity = models.ForeignKey(
        "planning.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("activity"),
    )
    practice = models.ForeignKey(
        "knowledge.Practice",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("practice"),
    )
    status = models.CharField(_("now"), max_length=10, choices=Status.choices, blank=True)
    funded_by = models.CharField(_("funded by"), max_length=20, choices=FundingSource.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    class Meta:
        verbose_name = _("follow-up question")
        verbose_name_plural = _("follow-up questions")
        ordering = ["follow_up", "order", "id"]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """In the reader's language when it is the demo's fixed vocabulary (see TransitionItem.shown_title)."""
        return shipped_name(self.title)


class FollowUpReminder(models.Model):
    """The sent-marker of one reminder step of a follow-up: written in the same transaction as the claim, so a
    step is sent once however often the worker runs it (the unique constraint is what makes it once)."""

    class Step(Choices):
        OPEN = "open", _("The follow-up is open")
        DUE = "due", _("The follow-up is due today")
        OVERDUE = "overdue", _("The follow-up is overdue")

    follow_up = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("follow-up")
    )
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)

    class Meta:
        verbose_name = _("follow-up reminder")
        verbose_name_plural = _("follow-up reminders")
        ordering = ["follow_up", "sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "step"],
                name="follow_up_step_sent_once",
                violation_error_message=_("This reminder has already been sent."),
                violation_error_code="reminder_sent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.follow_up}: {self.get_step_display()}"
