"""The contributions ledger: donor awards, volunteer time, in-kind gifts, valuation and exchange rates.

Values are never stored converted: a time entry's worth on each basis and every amount in the reporting
currency are computed when read (see selectors.py), from the rate valid on the contribution's date. A rate
entered later therefore revalues the ledger, and an amount with no rate stays visibly unconverted.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from twinning.core.choices import Choices, Side
from twinning.core.limits import NARRATIVE_MAX, text_field
from twinning.core.models import TwinningModel
from twinning.core.reference import shipped_format, shipped_name, validate_country, validate_currency
from twinning.core.rendering import labelled
from twinning.core.validators import validate_storable_decimal, validate_upload_content, validate_upload_size
from twinning.directory.models import Institution, Person
from twinning.partnerships.models import Partnership, Programme

# A day of volunteer time counts as this many hours when valued at an hourly rate.
HOURS_PER_DAY = 8
POSITIVE: list[Callable[[Any], None]] = [MinValueValidator(0), validate_storable_decimal]


def _period_clean(start: object, end: object, field: str = "end_date") -> None:
    if start and end and end < start:  # type: ignore[operator]
        raise ValidationError({field: _("The period cannot end before it starts.")})


class Basis(Choices):
    """The ways one hour of volunteer time is valued; reports show them side by side."""

    GENERIC = "generic", _("Generic volunteer-hour rate")
    FAIR_VALUE = "fair_value", _("Fair value by profession and country")
    LOCAL = "local", _("Local rate")


# The demo's award title (contributions.demo), stored in English and shown in the reader's language.
DEMO_AWARD_TITLE = gettext_noop("Twinning partnerships %(first)s–%(last)s")


class Award(TwinningModel):
    """Donor funding given to the programme, to be allocated to partnerships."""

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="awards", verbose_name=_("programme")
    )
    donor = models.CharField(_("donor"), max_length=200)
    reference = models.CharField(_("reference"), max_length=100)
    title = models.CharField(_("title"), max_length=255, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    start_date = models.DateField(_("starts"))
    end_date = models.DateField(_("ends"))
    cost_share_required = models.DecimalField(
        _("cost share required"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=POSITIVE,
        help_text=_("The in-kind match the donor requires, in the award's currency."),
    )
    cost_share_basis = models.CharField(
        _("cost-share valuation basis"),
        max_length=12,
        choices=Basis.choices,
        default=Basis.GENERIC,
        help_text=_("How the donor's cost-share rules value volunteer time."),
    )
    notes = text_field(_("notes"), limit=NARRATIVE_MAX, blank=True)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["programme", "-start_date", "reference"]
        constraints = [
            # The reference is how donors and finance name an award: two with one reference is a typing slip.
            models.UniqueConstraint(
                fields=["programme", "reference"],
                name="award_reference_per_programme",
                violation_error_message=_("The programme already has an award with this reference."),
                violation_error_code="duplicate_reference",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="award_period_order",
                violation_error_message=_("The award cannot end before it starts."),
                violation_error_code="period_order",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="award_amount_not_negative",
                violation_error_message=_("An award's amount cannot be negative."),
                violation_error_code="negative_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shown_donor} {self.reference}"

    @property
    def shown_donor(self) -> str:
        """The donor in the reader's language when it is one of the demo's funders (twinning.demo.plan), else as
        typed."""
        return shipped_name(self.donor)

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is the demo's (contributions.demo), else as typed."""
        return shipped_format(self.title, DEMO_AWARD_TITLE)

    def clean(self) -> None:
        _period_clean(self.start_date, self.end_date)


class Allocation(TwinningModel):
    """The part of an award given to one partnership, in the award's currency."""

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("award")
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("partnership")
    )
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, validators=POSITIVE)
    notes = text_field(_("notes"), limit=NARRATIVE_MAX, blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["award", "partnership__title"]
        constraints = [
            # One row per award and partnership; a change of amount edits it, so sums are never double.
            models.UniqueConstraint(
                fields=["award", "partnership"],
                name="allocation_once_per_award",
                violation_error_message=_(
                    "This partnership already has an allocation from this award: change it instead."
                ),
                violation_error_code="duplicate_allocation",
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="allocation_amount_not_negative",
                violation_error_message=_("An allocation cannot be negative."),
                violation_error_code="negative_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} → {self.partnership}"


class ValuationRate(TwinningModel):
    """An hourly rate on one basis, valid for a period, optionally for one cadre and/or one country.

    The most specific rate valid on an entry's date wins: cadre and country, then cadre, then country, then
    neither; among equals the one that started last.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="valuation_rates", verbose_name=_("programme")
    )
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    cadre = models.CharField(
        _("profession or cadre"),
        max_length=30,
        choices=Person.Cadre.choices,
        blank=True,
        help_text=_("Blank: any."),
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[validate_country], help_text=_("Blank: any.")
    )
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=12, decimal_places=2, validators=POSITIVE)
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Blank: until further notice.")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("valuation rate")
        verbose_name_plural = _("valuation rates")
        ordering = ["programme", "basis", "cadre", "country", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="valuation_rate_period_order",
                violation_error_message=_("The period cannot end before it starts."),
                violation_error_code="period_order",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__gte=0),
                name="valuation_rate_not_negative",
                violation_error_message=_("An hourly rate cannot be negative."),
                violation_error_code="negative_rate",
            ),
        ]
        indexes = [
            # Valuing an entry looks up the rate of one basis valid on a date.
            models.Index(fields=["programme", "basis", "valid_from"], name="valuation_rate_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} {self.cadre or '*'}/{self.country or '*'} {self.hourly_rate} {self.currency}"

    def clean(self) -> None:
        _period_clean(self.valid_from, self.valid_to, "valid_to")


class ExchangeRate(TwinningModel):
    """How many units of the programme's reporting currency one unit of `currency` is worth over a period."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="exchange_rates", verbose_name=_("programme")
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=20,
        decimal_places=10,
        validators=[MinValueValidator(0), validate_storable_decimal],
        help_text=_("Reporting-currency units for one unit of this currency."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["programme", "currency", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=models.F("valid_from")),
                name="exchange_rate_period_order",
                violation_error_message=_("The period cannot end before it starts."),
                violation_error_code="period_order",
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message=_("An exchange rate must be greater than zero."),
                violation_error_code="rate_not_positive",
            ),
            # Overlapping periods are refused by the service; equal starts are refused here too.
            models.UniqueConstraint(
                fields=["programme", "currency", "valid_from"],
                name="exchange_rate_once_per_start",
                violation_error_message=_(
                    "A rate for this currency already starts on this date: change it instead."
                ),
                violation_error_code="duplicate_rate",
            ),
        ]
        indexes = [models.Index(fields=["programme", "currency", "valid_from"], name="exchange_rate_lookup")]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}–{self.valid_to}: {self.rate}"

    def clean(self) -> None:
        _period_clean(self.valid_from, self.valid_to, "valid_to")


class ContributionStatus(Choices):
    PLEDGED = "pledged", _("Pledged")
    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Verified")


class TimeEntry(TwinningModel):
    """Volunteer time given to a partnership by a person or an institution."""

    class Unit(Choices):
        HOURS = "hours", _("Hours")
        DAYS = "days", _("Days")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="time_entries", verbose_name=_("partnership")
    )
    side = models.CharField(_("giving side"), max_length=10, choices=Side.choices)
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("person"),
    )
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="time_entries",
        verbose_name=_("institution"),
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    quantity = models.DecimalField(
        _("time given"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.HOURS)
    # Derived from quantity and unit by the service, so reports sum one column.
    hours = models.DecimalField(_("hours"), max_digits=12, decimal_places=2, editable=False)
    cadre = models.CharField(_("profession or cadre"), max_length=30, choices=Person.Cadre.choices)
    country = models.CharField(
        _("country of the volunteer"),
        max_length=2,
        validators=[validate_country],
        help_text=_("Chooses the fair-value and local rates."),
    )
    exchange = models.ForeignKey(
        "exchanges.Exchange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="time_entries",
        verbose_name=_("exchange"),
    )
    activity = models.ForeignKey(
        "planning.Activity",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="time_entries",
        verbose_name=_("activity"),
    )
    description = text_field(_("what was done"), limit=NARRATIVE_MAX, blank=True)
    specialised_skill = models.BooleanField(_("specialised skill"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ContributionStatus.choices, default=ContributionStatus.RECEIVED
    )
    # Stored (not extracted) because reports group by it: see STACK_NOTES on ExtractYear.
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="time_entry_period",
                violation_error_message=_("The period cannot end before it starts."),
                violation_error_code="period_order",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(institution__isnull=False),
                name="time_entry_has_giver",
                violation_error_message=_("Say who gave the time: a person or an institution."),
                violation_error_code="no_giver",
            ),
            models.CheckConstraint(
                condition=Q(hours__gte=0),
                name="time_entry_hours_not_negative",
                violation_error_message=_("Hours cannot be negative."),
                violation_error_code="negative_hours",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "year", "status"], name="time_entry_report")]

    def __str__(self) -> str:
        return f"{self.quantity} {self.get_unit_display().lower()} ({self.start_date})"

    def clean(self) -> None:
        _period_clean(self.start_date, self.end_date)
        # Who gave the time is said once, by the constraint time_entry_has_giver.


class Gift(TwinningModel):
    """An in-kind gift to a partnership: pledged, then received (signed for by the receiving side), verified."""

    class Category(Choices):
        EQUIPMENT = "equipment", _("Equipment")
        SUPPLIES = "supplies", _("Supplies")
        REFERENCE = "reference", _("Reference materials")
        FACILITIES = "facilities", _("Facilities or space")
        CAPITAL = "capital", _("Capital improvements")
        LOGISTICS = "logistics", _("Logistics and transport")
        OTHER = "other", _("Other")

    class ContributorKind(Choices):
        PARTNER = "partner", _("Partner institution")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        NATIONAL_GOVERNMENT = "national_government", _("National government")
        COMMUNITY = "community", _("Community")
        PRIVATE = "private", _("Private donor")

    class Technique(Choices):
        MARKET_PRICE = "market_price", _("Market price")
        REPLACEMENT_COST = "replacement_cost", _("Replacement cost")
        APPRAISAL = "appraisal", _("Independent appraisal")
        DONOR_INVOICE = "donor_invoice", _("Donor's invoice")
        OTHER = "other", _("Other")

    class Use(Choices):
        USED = "used", _("Used in the programme")
        MONETISED = "monetised", _("Monetised")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="gifts", verbose_name=_("partnership")
    )
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    contributor_kind = models.CharField(_("contributor"), max_length=20, choices=ContributorKind.choices)
    contributor_institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gifts",
        verbose_name=_("contributor institution"),
    )
    contributor_name = models.CharField(_("contributor's name"), max_length=255)
    receiving_side = models.CharField(
        _("receiving side"), max_length=10, choices=Side.choices, default=Side.HOST
    )
    description = text_field(_("description"), limit=NARRATIVE_MAX)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    fair_value = models.DecimalField(
        _("fair value"),
        max_digits=16,
        decimal_places=2,
        validators=POSITIVE,
        help_text=_("Of the whole gift, all units together."),
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    gift_date = models.DateField(_("date of the gift"), help_text=_("Chooses the exchange rate."))
    valuation_technique = models.CharField(_("valuation technique"), max_length=20, choices=Technique.choices)
    valuation_source = models.CharField(_("valuation source"), max_length=300, blank=True)
    use = models.CharField(_("monetised or used"), max_length=10, choices=Use.choices, default=Use.USED)
    restrictions = text_field(_("restrictions"), limit=NARRATIVE_MAX, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ContributionStatus.choices, default=ContributionStatus.PLEDGED
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("received by"),
    )
    received_on = models.DateField(_("received"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)

    class Meta:
        verbose_name = _("in-kind gift")
        verbose_name_plural = _("in-kind gifts")
        ordering = ["-gift_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fair_value__gte=0),
                name="gift_value_not_negative",
                violation_error_message=_("A gift's fair value cannot be negative."),
                violation_error_code="negative_value",
            ),
            # A received or verified gift always says who signed for it and when.
            models.CheckConstraint(
                condition=Q(status="pledged") | (Q(received_by__isnull=False) & Q(received_on__isnull=False)),
                name="gift_receipt_signed",
                violation_error_message=_(
                    "A received gift says who signed for it and on what date: fill in both, or keep the gift pledged."
                ),
                violation_error_code="receipt_unsigned",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "year", "status"], name="gift_report")]

    def __str__(self) -> str:
        return labelled(self.get_category_display(), self.shown_description[:60])

    @property
    def shown_description(self) -> str:
        """What was given, in the reader's language when the demo wrote it (contributions.demo, gettext_noop),
        else as typed."""
        return shipped_name(self.description)

    @property
    def shown_contributor_name(self) -> str:
        """Who gave it, in the reader's language when the demo named them ("Ministry of Health", marked with
        gettext_noop in contributions.demo), else as typed (an institution's or a person's name)."""
        return shipped_name(self.contributor_name)


EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "doc", "docx", "odt", "xlsx", "ods", "csv"]


class GiftEvidence(TwinningModel):
    """A receipt, invoice, appraisal or photo backing a gift's value. Served only through a scoped view."""

    gift = models.ForeignKey(
        Gift, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("in-kind gift")
    )
    file = models.FileField(
        _("file"),
        upload_to="contributions/evidence/%Y/",
        validators=[
            FileExtensionValidator(EVIDENCE_EXTENSIONS),
            validate_upload_size,
            validate_upload_content,
        ],
    )
    description = models.CharField(_("description"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.description or self.file.name or ""


class CostShareClaim(TwinningModel):
    """A contribution counted toward one award's cost share.

    At most one claim per contribution: the unique constraints make counting a gift or an hour twice
    impossible even if two finance officers try at once; the service refuses it first with a clear message.
    """

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="claims", verbose_name=_("award"))
    time_entry = models.ForeignKey(
        TimeEntry,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cost_share_claims",
        verbose_name=_("time entry"),
    )
    gift = models.ForeignKey(
        Gift,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cost_share_claims",
        verbose_name=_("in-kind gift"),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("claimed by"),
    )

    class Meta:
        verbose_name = _("cost-share claim")
        verbose_name_plural = _("cost-share claims")
        ordering = ["award", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(time_entry__isnull=False) & Q(gift__isnull=True))
                | (Q(time_entry__isnull=True) & Q(gift__isnull=False)),
                name="cost_share_claim_one_contribution",
                violation_error_message=_("Name one gift or one time entry."),
                violation_error_code="one_contribution",
            ),
            models.UniqueConstraint(
                fields=["time_entry"],
                name="time_entry_counted_once",
                violation_error_message=_(
                    "This time entry already counts toward an award's cost share; withdraw it there first."
                ),
                violation_error_code="counted_twice",
            ),
            models.UniqueConstraint(
                fields=["gift"],
                name="gift_counted_once",
                violation_error_message=_(
                    "This gift already counts toward an award's cost share; withdraw it there first."
                ),
                violation_error_code="counted_twice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award}: {self.gift or self.time_entry}"
