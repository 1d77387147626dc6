from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from twinning.core.choices import Choices
from twinning.core.limits import NARRATIVE_MAX, text_field
from twinning.core.models import TwinningModel
from twinning.core.reference import (
    country_name,
    language_name,
    shipped_format,
    shipped_name,
    validate_country,
    validate_time_zone,
)
from twinning.core.rendering import labelled
from twinning.core.validators import validate_dhis2_uid
from twinning.directory.shipped import INSTITUTION_DESCRIPTIONS


class Language(models.Model):
    """ISO 639-1 languages, seeded from pycountry by a data migration."""

    code = models.CharField(_("code"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name"]

    def __str__(self) -> str:
        return language_name(self.code, self.name)


class HealthArea(models.Model):
    """One area of the health-system taxonomy used for expertise, needs and priorities."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent area"),
    )
    order = models.PositiveSmallIntegerField(default=0, verbose_name=_("order"))

    class Meta:
        verbose_name = _("health-system area")
        verbose_name_plural = _("health-system areas")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return shipped_name(self.name)


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def search(self, text: str) -> "InstitutionQuerySet":
        text = text.strip()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(short_name__icontains=text)
            | models.Q(city__icontains=text)
        )


class Institution(TwinningModel):
    class Type(Choices):
        HOSPITAL = "hospital", _("Hospital")
        UNIVERSITY = "university", _("University or medical school")
        NURSING_SCHOOL = "nursing_school", _("Nursing or allied-health school")
        MINISTRY = "ministry", _("Ministry or department of health")
        PUBLIC_HEALTH_AGENCY = "public_health_agency", _("Public-health agency")
        PROFESSIONAL_ASSOCIATION = "professional_association", _("Professional association")
        NGO = "ngo", _("NGO")
        COMMUNITY = "community", _("Community organisation")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    region = models.CharField(_("region"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    languages = models.ManyToManyField(
        Language, blank=True, related_name="institutions", verbose_name=_("languages")
    )
    website = models.URLField(_("website"), blank=True)
    description = text_field(_("description"), limit=NARRATIVE_MAX, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, validators=[validate_time_zone])
    capacity = models.PositiveSmallIntegerField(
        _("partnerships it can take on"), default=1, validators=[MaxValueValidator(50)]
    )
    iati_org_id = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        blank=True,
        validators=[
            RegexValidator(
                r"^[A-Za-z]{2}(-[A-Za-z0-9]+)+(-[A-Za-z0-9._]+)*$",
                _("Use the IATI form: a registration-agency prefix and a number, e.g. GB-CHC-202918."),
            )
        ],
    )
    dhis2_org_unit = models.CharField(
        _("DHIS2 organisation unit"), max_length=11, blank=True, validators=[validate_dhis2_uid]
    )
    expertise = models.ManyToManyField(
        HealthArea,
        through="InstitutionExpertise",
        related_name="expert_institutions",
        blank=True,
        verbose_name=_("expertise"),
    )
    needs = models.ManyToManyField(
        HealthArea,
        through="InstitutionNeed",
        related_name="needy_institutions",
        blank=True,
        verbose_name=_("needs"),
    )

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["name"]
        indexes = [
            # The directory filters by country and type together, and sorts by name.
            models.Index(fields=["country", "type", "name"], name="institution_country_type"),
            models.Index(fields=["name"], name="institution_name"),
        ]
        constraints = [
            # An org unit is one place: two institutions with it would make a DHIS2 value's owner ambiguous.
            models.UniqueConstraint(
                fields=["dhis2_org_unit"],
                condition=~models.Q(dhis2_org_unit=""),
                name="institution_dhis2_org_unit_unique",
                violation_error_message=_("Another institution already has this DHIS2 organisation unit."),
                violation_error_code="duplicate_org_unit",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def shown_description(self) -> str:
        """The description in the reader's language when the demo wrote it (twinning.demo.data's
        INSTITUTION_DESCRIPTIONS, its figures kept), else as typed (core.reference.shipped_format)."""
        return shipped_format(self.description, *INSTITUTION_DESCRIPTIONS.values())

    @property
    def country_name(self) -> str:
        return country_name(self.country)


class InstitutionExpertise(models.Model):
    class Depth(models.IntegerChoices):
        BASIC = 1, _("Basic")
        ESTABLISHED = 2, _("Established")
        LEADING = 3, _("Leading")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="expertise_items", verbose_name=_("institution")
    )
    area = models.ForeignKey(
        HealthArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("health-system area")
    )
    depth = models.PositiveSmallIntegerField(_("depth"), choices=Depth.choices, default=Depth.ESTABLISHED)
    description = text_field(_("description"), limit=NARRATIVE_MAX, blank=True)

    class Meta:
        verbose_name = _("institution's expertise")
        verbose_name_plural = _("institutions' expertise")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "area"],
                name="expertise_once_per_area",
                violation_error_message=_("The institution already lists this area of expertise."),
                violation_error_code="duplicate_expertise",
            )
        ]

    def __str__(self) -> str:
        return labelled(self.institution, self.area)


class InstitutionNeed(models.Model):
    class Priority(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="need_items", verbose_name=_("institution")
    )
    area = models.ForeignKey(
        HealthArea, on_delete=models.PROTECT, related_name="+", verbose_name=_("health-system area")
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    description = text_field(_("description"), limit=NARRATIVE_MAX, blank=True)

    class Meta:
        verbose_name = _("institution's need")
        verbose_name_plural = _("institutions' needs")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "area"],
                name="need_once_per_area",
                violation_error_message=_("The institution already lists this need."),
                violation_error_code="duplicate_need",
            )
        ]

    def __str__(self) -> str:
        return labelled(self.institution, self.area)


class Person(TwinningModel):
    class Cadre(Choices):
        PHYSICIAN = "physician", _("Physician")
        SURGEON = "surgeon", _("Surgeon")
        NURSE = "nurse", _("Nurse")
        MIDWIFE = "midwife", _("Midwife")
        CLINICAL_OFFICER = "clinical_officer", _("Clinical officer")
        PHARMACIST = "pharmacist", _("Pharmacist")
        LAB = "lab", _("Laboratory scientist")
        PUBLIC_HEALTH = "public_health", _("Public-health specialist")
        COMMUNITY_HEALTH_WORKER = "chw", _("Community health worker")
        EDUCATOR = "educator", _("Educator")
        MANAGER = "manager", _("Health manager or administrator")
        OTHER = "other", _("Other")

    full_name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="people", verbose_name=_("institution")
    )
    cadre = models.CharField(
        # Blank until someone says which: "other" by default would record a choice nobody made (issue 9).
        _("profession or cadre"),
        max_length=30,
        choices=Cadre.choices,
        blank=True,
    )
    languages = models.ManyToManyField(
        Language, blank=True, related_name="people", verbose_name=_("languages")
    )
    is_volunteer = models.BooleanField(_("volunteer"), default=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name


class CountryPriority(TwinningModel):
    """A health-system priority as stated by a country's ministry of health."""

    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    text = text_field(_("priority"), limit=NARRATIVE_MAX)
    area = models.ForeignKey(
        HealthArea,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("health-system area"),
    )
    source_document = models.CharField(_("source document"), max_length=300)
    stated_on = models.DateField(_("date stated"))
    rank = models.PositiveSmallIntegerField(_("rank"), default=1, validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("country health priority")
        verbose_name_plural = _("country health priorities")
        ordering = ["country", "rank"]

    def __str__(self) -> str:
        return labelled(self.country, self.text[:60])
