from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from twinning.accounts import access
from twinning.core.choices import Choices, Side
from twinning.core.limits import NARRATIVE_MAX, text_field
from twinning.core.models import TwinningModel
from twinning.core.reference import shipped_format, shipped_name, validate_currency
from twinning.core.validators import validate_dhis2_uid, validate_upload_content, validate_upload_size
from twinning.directory.models import Institution
from twinning.partnerships.shipped import SHIPPED_SHARED_GOALS

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User

# Stored in English (gettext_noop), shown in the reader's language (core.reference.shipped_name).
DEFAULT_PILLARS = [
    ("models_of_care", gettext_noop("Introducing new models of care and services")),
    ("community", gettext_noop("Mobilising communities for change")),
    ("capacity", gettext_noop("Building sustainable capacity among practitioners")),
    ("professions", gettext_noop("Developing health-related professions")),
    ("knowledge", gettext_noop("Expanding knowledge through dissemination of successful programmes")),
]


# An IATI organisation identifier: a registration agency's prefix ("GB-CHC", "XM-DAC") and the number it gave.
IATI_ORG_ID_VALIDATOR = RegexValidator(
    r"^[A-Za-z]{2}(-[A-Za-z0-9]+)+(-[A-Za-z0-9._]+)*$",
    _("Use the IATI form: a registration-agency prefix and a number, e.g. GB-CHC-202918."),
)
# An IATI activity identifier: the reporting organisation's identifier, a hyphen, the activity's own code.
IATI_ACTIVITY_ID_VALIDATOR = RegexValidator(
    r"^[^\s/&|?]+$", _("An IATI identifier has no spaces and none of / & | ?.")
)


class IatiOrganisationType(Choices):
    """The publishing organisation's type, from IATI's OrganisationType codelist (the codes a programme can be)."""

    GOVERNMENT = "10", _("Government")
    OTHER_PUBLIC = "15", _("Other public sector")
    INTERNATIONAL_NGO = "21", _("International NGO")
    NATIONAL_NGO = "22", _("National NGO")
    REGIONAL_NGO = "23", _("Regional NGO")
    PARTNER_COUNTRY_NGO = "24", _("Partner-country-based NGO")
    PUBLIC_PRIVATE = "30", _("Public-private partnership")
    MULTILATERAL = "40", _("Multilateral")
    FOUNDATION = "60", _("Foundation")
    PRIVATE = "70", _("Private sector")
    ACADEMIC = "80", _("Academic, training and research")
    OTHER = "90", _("Other")


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def visible_to(self, user: "User | AnonymousUser") -> "ProgrammeQuerySet":
        """Programmes the user is on the staff of, or has a partnership in."""
        return self.filter(access.in_visible_programmes(user))

    def staffed_by(self, user: "User | AnonymousUser") -> "ProgrammeQuerySet":
        """Programmes the user is on the staff of (every programme for an administrator)."""
        return self.filter(access.in_staff_programmes(user, via=""))

    def edited_by(self, user: "User | AnonymousUser") -> "ProgrammeQuerySet":
        """Programmes the user is a manager or M&E officer of (every programme for an administrator)."""
        return self.filter(access.in_edited_programmes(user, via=""))


class Programme(TwinningModel):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = text_field(_("description"), limit=NARRATIVE_MAX, blank=True)
    funders = text_field(_("funders"), limit=NARRATIVE_MAX, blank=True, help_text=_("One funder per line."))
    reporting_currency = models.CharField(
        _("reporting currency"), max_length=3, default="USD", validators=[validate_currency]
    )
    # What the programme's readers (its viewers and partnership viewers) may see beyond the default: the rule
    # is in twinning/accounts/access.py (grants_of); managers change these.
    viewers_see_evidence = models.BooleanField(
        _("viewers see evidence files"),
        default=False,
        help_text=_("Evidence files may hold personal data (registers, attendance lists)."),
    )
    viewers_see_contacts = models.BooleanField(
        _("viewers see contact details"),
        default=False,
        help_text=_("People's e-mail addresses and phone numbers; names and roles are always shown."),
    )
    # The DHIS2 attribute option combo (e.g. a funding mechanism) the programme's values are reported under
    # when a partnership has none of its own.
    dhis2_attribute_option_combo = models.CharField(
        _("DHIS2 attribute option combo"), max_length=11, blank=True, validators=[validate_dhis2_uid]
    )
    # The DHIS2 data set the programme's values are reported in: ADX groups name it, data value sets may.
    dhis2_data_set = models.CharField(
        _("DHIS2 data set"), max_length=11, blank=True, validators=[validate_dhis2_uid]
    )

    # IATI 2.03 publishing (twinning/interop/iati): the programme reports as this organisation, and each
    # partnership is one activity whose identifier starts with it.
    iati_org_id = models.CharField(
        _("IATI organisation identifier"),
        max_length=100,
        blank=True,
        validators=[IATI_ORG_ID_VALIDATOR],
        help_text=_("The organisation that publishes the programme's activities, e.g. GB-CHC-202918."),
    )
    iati_org_type = models.CharField(
        _("IATI organisation type"), max_length=2, choices=IatiOrganisationType.choices, default="21"
    )
    iati_published = models.BooleanField(
        _("IATI file published"),
        default=False,
        help_text=_(
            "Anyone, without an account, may read the programme's IATI activity file at its public address."
        ),
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dhis2_attribute_option_combo"],
                condition=~Q(dhis2_attribute_option_combo=""),
                name="programme_dhis2_aoc_unique",
                violation_error_message=_("Another programme already has this DHIS2 attribute option combo."),
                violation_error_code="duplicate_aoc",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def funder_list(self) -> list[str]:
        return [line.strip() for line in self.funders.splitlines() if line.strip()]


class Pillar(models.Model):
    """One pillar of a programme's framework. Data, so each programme may use its own framework."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="pillars", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "code"],
                name="pillar_code_per_programme",
                violation_error_message=_("The programme already has a pillar with this code."),
                violation_error_code="duplicate_pillar",
            )
        ]

    def __str__(self) -> str:
        return shipped_name(self.name)


class Stage(Choices):
    SCOPING = "scoping", _("Scoping")
    MATCHING = "matching", _("Matching")
    AGREEMENT = "agreement", _("Agreement")
    PLANNING = "planning", _("Planning")
    IMPLEMENTATION = "implementation", _("Implementation")
    TRANSITION = "transition", _("Transition")
    GRADUATED = "graduated", _("Graduated")
    CLOSED = "closed", _("Closed")


# Partnerships in these stages have ended: they hold none of an institution's places, count as "earlier
# partnerships" in a matching score, and do not stop the same two institutions from twinning again.
ENDED_STAGES = (Stage.GRADUATED, Stage.CLOSED)


class PartnershipQuerySet(models.QuerySet["Partnership"]):
    def visible_to(self, user: "User | AnonymousUser") -> "PartnershipQuerySet":
        """Partnerships of the programmes the user is staff of, plus those the user is a member of."""
        return self.filter(access.in_visible_partnerships(user, via=""))


class Partnership(TwinningModel):
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="partnerships", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=255)
    shared_goal = text_field(_("shared goal"), limit=NARRATIVE_MAX, blank=True)
    start_date = models.DateField(_("funding starts"), null=True, blank=True)
    end_date = models.DateField(_("funding ends"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SCOPING)
    institutions = models.ManyToManyField(
        Institution,
        through="PartnershipInstitution",
        related_name="partnerships",
        verbose_name=_("institutions"),
    )
    # Set for a partnership imported from another publisher's IATI file, so a second import finds it; empty for
    # the programme's own, which publish as "<programme's IATI organisation identifier>-<uuid>".
    iati_identifier = models.CharField(
        _("IATI activity identifier"), max_length=150, blank=True, validators=[IATI_ACTIVITY_ID_VALIDATOR]
    )
    # The DHIS2 attribute option combo that tells this partnership's values from others at the same org unit.
    dhis2_attribute_option_combo = models.CharField(
        _("DHIS2 attribute option combo"), max_length=11, blank=True, validators=[validate_dhis2_uid]
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="partnership_period_in_order",
                violation_error_message=_("A partnership cannot end before it starts."),
                violation_error_code="period_order",
            ),
            # An import finds a partnership by it: two with the same identifier would be ambiguous.
            models.UniqueConstraint(
                fields=["iati_identifier"],
                condition=~Q(iati_identifier=""),
                name="partnership_iati_identifier_unique",
                violation_error_message=_("Another partnership already has this IATI identifier."),
                violation_error_code="duplicate_iati",
            ),
            # A combo names one partnership of the programme, or a DHIS2 value's owner would be ambiguous.
            models.UniqueConstraint(
                fields=["programme", "dhis2_attribute_option_combo"],
                condition=~Q(dhis2_attribute_option_combo=""),
                name="partnership_dhis2_aoc_per_programme",
                violation_error_message=_(
                    "Another partnership of the programme already has this DHIS2 attribute option combo."
                ),
                violation_error_code="duplicate_aoc",
            ),
        ]
        indexes = [models.Index(fields=["programme", "stage"], name="partnership_programme_stage")]

    def __str__(self) -> str:
        return self.title

    @property
    def has_ended(self) -> bool:
        """Graduated or closed (ENDED_STAGES): its people keep reading it, but it starts no new work."""
        return self.stage in ENDED_STAGES

    @property
    def shown_shared_goal(self) -> str:
        """The shared goal in the reader's language when the demo wrote it (twinning.demo.data's
        SHIPPED_SHARED_GOALS, the host's name kept), else as typed (core.reference.shipped_format)."""
        return shipped_format(self.shared_goal, *SHIPPED_SHARED_GOALS)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The funding period cannot end before it starts.")})


class PartnershipInstitution(models.Model):
    """An institution on one side of a partnership. A side may have several institutions."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="side_links", verbose_name=_("partnership")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="side_links", verbose_name=_("institution")
    )
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    joined_on = models.DateField(_("joined"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")
        ordering = ["side", "institution__name"]
        # An institution sits on one side only: being host and resource at once would make "mutual" meaningless.
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "institution"],
                name="institution_once_per_partnership",
                violation_error_message=_("This institution is already a side of the partnership."),
                violation_error_code="duplicate_side",
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.get_side_display()})"


class StageChange(models.Model):
    """The dated history of a partnership's lifecycle stage."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="stage_changes", verbose_name=_("partnership")
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    changed_on = models.DateField(_("date"))
    note = text_field(_("note"), limit=NARRATIVE_MAX, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("changed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("changed on"))

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.partnership}: {self.get_stage_display()} ({self.changed_on})"


class Stakeholder(TwinningModel):
    class Kind(Choices):
        MINISTRY = "ministry", _("Ministry of health")
        LOCAL_GOVERNMENT = "local_government", _("Local government")
        COMMUNITY = "community", _("Community organisation")
        OTHER = "other", _("Other")

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="stakeholders", verbose_name=_("partnership")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stakeholder_roles",
        verbose_name=_("institution"),
    )
    role = text_field(_("role in the partnership"), limit=NARRATIVE_MAX, blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


AGREEMENT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "png", "jpg", "jpeg"]


# The demo's agreement titles (twinning.demo.plan), stored in English and shown in the reader's language.
DEMO_AGREEMENT_TITLE = gettext_noop("Memorandum of Understanding between %(hosts)s and %(resources)s")
DEMO_ADDENDUM_TITLE = gettext_noop("Transition and sustainability addendum")


class Agreement(TwinningModel):
    """A memorandum of understanding (or other agreement) with the date each side signed it."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("partnership")
    )
    title = models.CharField(_("title"), max_length=255)
    document = models.FileField(
        _("document"),
        upload_to="agreements/%Y/",
        blank=True,
        validators=[
            FileExtensionValidator(AGREEMENT_EXTENSIONS),
            validate_upload_size,
            validate_upload_content,
        ],
    )
    host_signed_on = models.DateField(_("signed by the host side"), null=True, blank=True)
    resource_signed_on = models.DateField(_("signed by the resource side"), null=True, blank=True)
    notes = text_field(_("notes"), limit=NARRATIVE_MAX, blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is one of the demo's, else as the partnership typed it."""
        return shipped_format(self.title, DEMO_AGREEMENT_TITLE)

    @property
    def is_signed(self) -> bool:
        return bool(self.host_signed_on and self.resource_signed_on)
