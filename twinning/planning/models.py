"""Community-based strategic planning: plans, how they were made, objectives, activities, indicators, targets.

Indicators are defined once, either by the programme (common indicators, `partnership` empty) or by one
partnership, and adopted into a plan by reference (PlanIndicator): a correction to a common indicator reaches
every partnership at once, and nothing is copied that could drift.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from twinning.core.choices import Choices, Side
from twinning.core.limits import NARRATIVE_MAX, TEXT_MAX, text_field
from twinning.core.models import ChoiceDisplay, TwinningModel
from twinning.core.reference import shipped_format, shipped_name
from twinning.core.validators import validate_dhis2_uid, validate_storable_decimal
from twinning.directory.models import CountryPriority, Person
from twinning.partnerships.models import Partnership, Pillar, Programme
from twinning.planning.periods import Frequency, validate_period_id


class Plan(TwinningModel):
    """One version of a partnership's strategic plan. Changing an agreed plan makes a new version."""

    class Status(Choices):
        DRAFT = "draft", _("Draft")
        AGREED = "agreed", _("Agreed")
        SUPERSEDED = "superseded", _("Superseded")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="plans", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=255)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    number = models.PositiveSmallIntegerField(_("plan version"), default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
        verbose_name=_("previous plan"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    requires_ministry_sign_off = models.BooleanField(_("ministry sign-off required"), default=False)

    class Meta:
        verbose_name = _("strategic plan")
        verbose_name_plural = _("strategic plans")
        ordering = ["partnership", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "number"],
                name="plan_number_per_partnership",
                violation_error_message=_("The partnership already has a plan with this version number."),
                violation_error_code="duplicate_number",
            ),
            # At most one plan a partnership is being worked on or in force; older versions are superseded.
            models.UniqueConstraint(
                fields=["partnership"],
                condition=~Q(status="superseded"),
                name="one_current_plan_per_partnership",
                violation_error_message=_(
                    "This partnership already has a plan. Change its draft, or make a new version of the agreed plan."
                ),
                violation_error_code="current_plan_exists",
            ),
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")),
                name="plan_years_in_order",
                violation_error_message=_("The plan cannot end before it starts."),
                violation_error_code="period_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shown_title} (v{self.number})"

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is one Twinning ships (the demo's "Strategic plan
        2024-2026", marked with gettext_noop in planning.demo), else as the partnership typed it. Every display
        of the title goes through here (or __str__), never the raw field."""
        return shipped_name(self.title)

    def clean(self) -> None:
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError({"last_year": _("The plan cannot end before it starts.")})


class PlanSignOff(ChoiceDisplay):
    """A side's (or the ministry's) agreement to one plan version."""

    class Party(Choices):
        HOST = Side.HOST, _("Host side")
        RESOURCE = Side.RESOURCE, _("Resource side")
        MINISTRY = "ministry", _("Ministry of health")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="sign_offs", verbose_name=_("strategic plan")
    )
    party = models.CharField(_("for"), max_length=10, choices=Party.choices)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signed by")
    )
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)
    note = text_field(_("note"), limit=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("plan sign-off")
        verbose_name_plural = _("plan sign-offs")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "party"],
                name="one_sign_off_per_party",
                violation_error_message=_("This party has already signed this version of the plan."),
                violation_error_code="duplicate_sign_off",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_party_display()}"


# The place the demo gives a planning consultation (planning.demo), stored in English, shown in the reader's language.
DEMO_EVENT_PLACE = gettext_noop("%(city)s community hall")


class PlanningEvent(TwinningModel):
    """A meeting or workshop where the plan was shaped, and who took part."""

    class Kind(Choices):
        MEETING = "meeting", _("Meeting")
        WORKSHOP = "workshop", _("Workshop")
        CONSULTATION = "consultation", _("Community consultation")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="events", verbose_name=_("strategic plan")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200)
    summary = text_field(_("summary"), limit=NARRATIVE_MAX, blank=True)

    class Meta:
        verbose_name = _("planning meeting or workshop")
        verbose_name_plural = _("planning meetings and workshops")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"

    @property
    def shown_place(self) -> str:
        """The place in the reader's language when the demo wrote it ("Gulu community hall"), else as typed."""
        return shipped_format(self.place, DEMO_EVENT_PLACE)


class PlanningParticipant(ChoiceDisplay):
    class Group(Choices):
        HOST_STAFF = "host_staff", _("Host institution staff")
        RESOURCE_STAFF = "resource_staff", _("Resource institution staff")
        COMMUNITY = "community", _("Community member")
        MINISTRY = "ministry", _("Ministry of health staff")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        OTHER = "other", _("Other")

    event = models.ForeignKey(
        PlanningEvent,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("planning meeting or workshop"),
    )
    name = models.CharField(_("name"), max_length=200)
    group = models.CharField(_("group"), max_length=20, choices=Group.choices)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("person")
    )

    class Meta:
        verbose_name = _("planning participant")
        verbose_name_plural = _("planning participants")
        ordering = ["group", "name"]

    def __str__(self) -> str:
        return self.name


class Objective(TwinningModel):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("strategic plan")
    )
    code = models.CharField(_("code"), max_length=20)
    statement = text_field(_("statement"), limit=TEXT_MAX)
    pillar = models.ForeignKey(
        Pillar, on_delete=models.PROTECT, related_name="objectives", verbose_name=_("pillar")
    )
    priorities = models.ManyToManyField(
        CountryPriority,
        blank=True,
        related_name="objectives",
        verbose_name=_("country health priorities served"),
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="objective_code_per_plan",
                violation_error_message=_("Another objective of this plan has this code."),
                violation_error_code="duplicate_code",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.shown_statement[:60]}"

    @property
    def shown_statement(self) -> str:
        """The statement in the reader's language when it is one of the demo's (planning.demo.OBJECTIVES, marked
        with gettext_noop), else as the partnership wrote it. Every display goes through here (or __str__)."""
        return shipped_name(self.statement)


class Activity(TwinningModel):
    class Status(Choices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DELAYED = "delayed", _("Delayed")
        CANCELLED = "cancelled", _("Cancelled")

    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="activities", verbose_name=_("objective")
    )
    title = models.CharField(_("title"), max_length=255)
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    responsible_side = models.CharField(_("responsible side"), max_length=10, choices=Side.choices)
    responsible_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        verbose_name=_("responsible person"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    progress_note = text_field(_("progress note"), limit=TEXT_MAX, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["objective", "start_date", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="activity_dates_in_order",
                violation_error_message=_("The activity cannot end before it starts."),
                violation_error_code="period_order",
            )
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is one of the demo's (planning.demo.ACTIVITIES, marked with
        gettext_noop), else as the partnership wrote it. Every display goes through here (or __str__)."""
        return shipped_name(self.title)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The activity cannot end before it starts.")})


class DisaggregationCategory(models.Model):
    """A way results are broken down (sex, cadre, age group), defined once by the programme."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="disaggregations", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("disaggregation")
        verbose_name_plural = _("disaggregations")
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="disaggregation_code_per_programme",
                violation_error_message=_("The programme already has a disaggregation with this code."),
                violation_error_code="duplicate_code",
            )
        ]

    def __str__(self) -> str:
        # The shipped and demo categories (sex, cadre) in the reader's language; a programme's own name as typed.
        return shipped_name(self.name)


class DisaggregationOption(models.Model):
    category = models.ForeignKey(
        DisaggregationCategory,
        on_delete=models.CASCADE,
        related_name="options",
        verbose_name=_("disaggregation"),
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))
    dhis2_category_option_combo = models.CharField(
        _("DHIS2 category option combo"), max_length=11, blank=True, validators=[validate_dhis2_uid]
    )

    class Meta:
        verbose_name = _("disaggregation option")
        verbose_name_plural = _("disaggregation options")
        ordering = ["category", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"],
                name="option_code_per_category",
                violation_error_message=_("This disaggregation already has an option with this code."),
                violation_error_code="duplicate_code",
            ),
            # Two options with one combo could not be told apart in a DHIS2 file.
            models.UniqueConstraint(
                fields=["category", "dhis2_category_option_combo"],
                condition=~Q(dhis2_category_option_combo=""),
                name="option_dhis2_combo_per_category",
                violation_error_message=_(
                    "Another option of this disaggregation already has this DHIS2 category option combo."
                ),
                violation_error_code="duplicate_combo",
            ),
        ]

    def __str__(self) -> str:
        return shipped_name(self.name)


class Indicator(TwinningModel):
    """What is measured. Common to the programme when `partnership` is empty, else one partnership's own."""

    class Measure(Choices):
        NUMBER = "number", _("Number")
        PERCENTAGE = "percentage", _("Percentage (numerator / denominator)")
        YES_NO = "yes_no", _("Yes / no")
        QUALITATIVE = "qualitative", _("Qualitative (text, optional score)")

    class Direction(Choices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")
        MAINTAIN = "maintain", _("Keep at target")

    class TimeAggregation(Choices):
        SUM = "sum", _("Sum over periods")
        LATEST = "latest", _("Latest value")
        AVERAGE = "average", _("Average of periods")

    class CrossAggregation(Choices):
        SUM = "sum", _("Sum across partnerships")
        WEIGHTED = "weighted", _("Weighted mean across partnerships (numerators over denominators)")
        AVERAGE = "average", _("Average across partnerships")
        NONE = "none", _("Not combinable")

    class Breakdown(Choices):
        PART = "part", _("Options are parts of the total (they add up to at most the total)")
        COMPLETE = "complete", _("The breakdown is complete (options add up to exactly the total)")
        APART = "apart", _("Options are not parts of the total (rates, averages)")

    class MissingTotal(Choices):
        DERIVE = "derive", _("Derive it from the breakdown")
        FLAG = "flag", _("Flag the period as missing its total")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="indicators", verbose_name=_("programme")
    )
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_indicators",
        verbose_name=_("partnership"),
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=255)
    definition = text_field(_("definition"), limit=TEXT_MAX, blank=True)
    measure = models.CharField(_("measure"), max_length=12, choices=Measure.choices, default=Measure.NUMBER)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    time_aggregation = models.CharField(
        _("over time"), max_length=10, choices=TimeAggregation.choices, default=TimeAggregation.SUM
    )
    cross_aggregation = models.CharField(
        _("across partnerships"),
        max_length=10,
        choices=CrossAggregation.choices,
        default=CrossAggregation.SUM,
    )
    frequency = models.CharField(
        _("reporting frequency"), max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    categories = models.ManyToManyField(
        DisaggregationCategory, blank=True, related_name="indicators", verbose_name=_("disaggregated by")
    )
    # How the disaggregated values relate to the overall one; results' services and progress read these.
    breakdown = models.CharField(
        _("breakdown and total"), max_length=10, choices=Breakdown.choices, default=Breakdown.PART
    )
    missing_total = models.CharField(
        _("period reported only by its breakdown"),
        max_length=10,
        choices=MissingTotal.choices,
        default=MissingTotal.DERIVE,
    )
    # A count cannot fall below zero; an indicator measuring a change (a net gain or loss) may say it can.
    allows_negative = models.BooleanField(
        _("negative values allowed"),
        default=False,
        help_text=_(
            "Only for a number that measures a change (a net gain or loss); a count is never negative."
        ),
    )
    # DHIS2's INTEGER value types: a count (people trained, sessions held) has no decimals; an average, a rate or
    # a quantity (days, hours, a mean score) has. Only the indicator knows which.
    whole_numbers = models.BooleanField(
        _("whole numbers only"),
        default=False,
        help_text=_(
            "For a count (people trained, sessions held): results, targets and baselines without decimals."
        ),
    )
    dhis2_data_element = models.CharField(
        _("DHIS2 data element"), max_length=11, blank=True, validators=[validate_dhis2_uid]
    )
    # DHIS2 codes are at most 50 characters; files exchanged with idScheme=CODE name data elements by them.
    dhis2_data_element_code = models.CharField(
        _("DHIS2 data element code"),
        max_length=50,
        blank=True,
        validators=[ProhibitNullCharactersValidator()],
    )

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["programme", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                condition=Q(partnership__isnull=True),
                name="common_indicator_code",
                violation_error_message=_("Another indicator has this code; choose another."),
                violation_error_code="duplicate_code",
            ),
            models.UniqueConstraint(
                fields=["partnership", "code"],
                condition=Q(partnership__isnull=False),
                name="own_indicator_code",
                violation_error_message=_("Another indicator has this code; choose another."),
                violation_error_code="duplicate_code",
            ),
            # A DHIS2 data element names one indicator of a programme, or imports could not say which.
            models.UniqueConstraint(
                fields=["programme", "dhis2_data_element"],
                condition=~Q(dhis2_data_element=""),
                name="indicator_dhis2_uid_per_programme",
                violation_error_message=_(
                    "Another indicator of the programme already has this DHIS2 data element."
                ),
                violation_error_code="duplicate_data_element",
            ),
            models.UniqueConstraint(
                fields=["programme", "dhis2_data_element_code"],
                condition=~Q(dhis2_data_element_code=""),
                name="indicator_dhis2_code_per_programme",
                violation_error_message=_(
                    "Another indicator of the programme already has this DHIS2 data element code."
                ),
                violation_error_code="duplicate_data_element_code",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.shown_name}"

    @property
    def shown_name(self) -> str:
        """The name in the reader's language when it is one Twinning ships (the demo's indicators, marked with
        gettext_noop where the demo defines them), else as the programme typed it. Every display of the name
        goes through here (or __str__), never the raw field."""
        return shipped_name(self.name)

    @property
    def shown_unit(self) -> str:
        """The unit in the reader's language when it is a shipped one (the demo's "people"), else as typed; ""
        when there is none. For a display that always names the unit (the measure column); after the name, use
        unit_to_show."""
        return shipped_name(self.unit)

    @property
    def unit_to_show(self) -> str:
        """The unit to show after the name ("%"), in the reader's language when it is a shipped one ("people"),
        or "" when there is none or the name already ends with it in brackets ("Maternal deaths audited (%)"),
        so the label never reads "(%) (%)"."""
        if not self.unit or self.name.rstrip().endswith(f"({self.unit})"):
            return ""
        return shipped_name(self.unit)

    @staticmethod
    def default_cross_aggregation(measure: str) -> str:
        """The rule across partnerships an indicator gets when nobody chose one: a percentage is never added
        (weighted by its denominators), a qualitative one is not combinable, counts and yes/no add up."""
        if measure == Indicator.Measure.PERCENTAGE:
            return Indicator.CrossAggregation.WEIGHTED
        if measure == Indicator.Measure.QUALITATIVE:
            return Indicator.CrossAggregation.NONE
        return Indicator.CrossAggregation.SUM

    @staticmethod
    def count_error(value: Decimal, *, allows_negative: bool, whole_numbers: bool = False) -> str | None:
        """Why `value` cannot be a number of a number indicator, or None if it can: the one rule every door
        shares (results through the entry form, API, imports and offline sync; targets and baselines).

        A number is never negative unless its indicator `allows_negative` (it measures a change), and has no
        decimals when the indicator counts in `whole_numbers` (DHIS2's INTEGER_ZERO_OR_POSITIVE value type):
        12.5 health workers trained is a typing error, an average stay of 4.2 days is not.

        Raises: nothing.
        """
        if value < 0 and not allows_negative:
            return gettext("A count cannot be negative; enter 0 or more.")
        if whole_numbers and value != value.to_integral_value():
            return gettext("A count is a whole number; enter it without decimals.")
        return None

    def clean(self) -> None:
        # A percentage added across partnerships means nothing (40 % + 50 % is not 90 %); a weighted mean needs
        # the numerators and denominators only a percentage has (issue "Numbers people can trust").
        if self.measure == self.Measure.PERCENTAGE and self.cross_aggregation == self.CrossAggregation.SUM:
            raise ValidationError(
                {
                    "cross_aggregation": _(
                        "A percentage is never added across partnerships: choose the weighted or the plain mean."
                    )
                }
            )
        if self.whole_numbers and self.measure != self.Measure.NUMBER:
            raise ValidationError({"whole_numbers": _("Only a number indicator counts in whole numbers.")})
        if self.allows_negative and self.measure != self.Measure.NUMBER:
            raise ValidationError(
                {"allows_negative": _("Only a number indicator may allow negative values.")}
            )
        if (
            self.measure != self.Measure.PERCENTAGE
            and self.cross_aggregation == self.CrossAggregation.WEIGHTED
        ):
            raise ValidationError(
                {
                    "cross_aggregation": _(
                        "Only a percentage (numerator over denominator) has a weighted mean."
                    )
                }
            )

    @property
    def is_common(self) -> bool:
        return self.partnership_id is None


class PlanIndicator(TwinningModel):
    """An indicator adopted (by reference) into a plan, under one objective, with its baseline and end target."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="plan_indicators", verbose_name=_("strategic plan")
    )
    objective = models.ForeignKey(
        Objective, on_delete=models.CASCADE, related_name="plan_indicators", verbose_name=_("objective")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("indicator")
    )
    baseline_value = models.DecimalField(
        _("baseline"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[validate_storable_decimal],
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_note = text_field(_("baseline note"), limit=TEXT_MAX, blank=True)
    end_target = models.DecimalField(
        _("end-of-plan target"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[validate_storable_decimal],
    )

    class Meta:
        verbose_name = _("plan indicator")
        verbose_name_plural = _("plan indicators")
        # Ordering by the key columns, not the relations: following plan and objective (whose own orderings
        # lead back to the plan) makes Django refuse the query with "Infinite loop caused by ordering".
        ordering = ["plan_id", "objective_id", "indicator__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "indicator"],
                name="indicator_once_per_plan",
                violation_error_message=_("This plan already measures this indicator."),
                violation_error_code="duplicate_indicator",
            )
        ]

    def __str__(self) -> str:
        return str(self.indicator)


class Target(TwinningModel):
    """The target of one adopted indicator for one period, overall (no option) or for one disaggregation option."""

    plan_indicator = models.ForeignKey(
        PlanIndicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("plan indicator")
    )
    period = models.CharField(_("period"), max_length=8, validators=[validate_period_id])
    option = models.ForeignKey(
        DisaggregationOption,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
        verbose_name=_("disaggregation option"),
    )
    value = models.DecimalField(
        _("target"), max_digits=18, decimal_places=4, validators=[validate_storable_decimal]
    )

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan_indicator_id", "period"]  # key column: see PlanIndicator.Meta.ordering
        constraints = [
            models.UniqueConstraint(
                fields=["plan_indicator", "period"],
                condition=Q(option__isnull=True),
                name="one_overall_target",
                violation_error_message=_(
                    "This indicator already has a target for this period: change it instead."
                ),
                violation_error_code="duplicate_target",
            ),
            models.UniqueConstraint(
                fields=["plan_indicator", "period", "option"],
                condition=Q(option__isnull=False),
                name="one_target_per_option",
                violation_error_message=_(
                    "This indicator already has a target for this period and category: change it instead."
                ),
                violation_error_code="duplicate_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_indicator} {self.period}: {self.value}"
