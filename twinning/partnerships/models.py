from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from twinning.accounts import access
from twinning.core.choices import Choices, Side
from twinning.core.models import TwinningModel
from twinning.core.reference import validate_currency
from twinning.core.validators import validate_upload_size
from twinning.directory.models import Institution

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User

DEFAULT_PILLARS = [
    ("models_of_care", _("Introducing new models of care and services")),
    ("community", _("Mobilising communities for change")),
    ("capacity", _("Building sustainable capacity among practitioners")),
    ("professions", _("Developing health-related professions")),
    ("knowledge", _("Expanding knowledge through dissemination of successful programmes")),
]


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
    description = models.TextField(_("description"), blank=True)
    funders = models.TextField(_("funders"), blank=True, help_text=_("One funder per line."))
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

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def funder_list(self) -> list[str]:
        return [line.strip() for line in self.funders.splitlines() if line.strip()]


class Pillar(models.Model):
    """One pillar of a programme's framework. Data, so each programme may use its own framework."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pillars")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("pillar")
        verbose_name_plural = _("pillars")
        ordering = ["programme", "order"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="pillar_code_per_programme")
        ]

    def __str__(self) -> str:
        return self.name


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
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="partnerships")
    title = models.CharField(_("title"), max_length=255)
    shared_goal = models.TextField(_("shared goal"), blank=True)
    start_date = models.DateField(_("funding starts"), null=True, blank=True)
    end_date = models.DateField(_("funding ends"), null=True, blank=True)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.SCOPING)
    institutions = models.ManyToManyField(
        Institution, through="PartnershipInstitution", related_name="partnerships"
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
            )
        ]
        indexes = [models.Index(fields=["programme", "stage"], name="partnership_programme_stage")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The funding period cannot end before it starts.")})


class PartnershipInstitution(models.Model):
    """An institution on one side of a partnership. A side may have several institutions."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="side_links")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="side_links")
    side = models.CharField(_("side"), max_length=10, choices=Side.choices)
    joined_on = models.DateField(_("joined"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner institution")
        verbose_name_plural = _("partner institutions")
        ordering = ["side", "institution__name"]
        # An institution sits on one side only: being host and resource at once would make "mutual" meaningless.
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "institution"], name="institution_once_per_partnership"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution} ({self.get_side_display()})"


class StageChange(models.Model):
    """The dated history of a partnership's lifecycle stage."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    changed_on = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

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

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="stakeholders")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.PROTECT, related_name="stakeholder_roles"
    )
    role = models.TextField(_("role in the partnership"), blank=True)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("stakeholder")
        verbose_name_plural = _("stakeholders")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


AGREEMENT_EXTENSIONS = ["pdf", "doc", "docx", "odt", "png", "jpg", "jpeg"]


class Agreement(TwinningModel):
    """A memorandum of understanding (or other agreement) with the date each side signed it."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("title"), max_length=255)
    document = models.FileField(
        _("document"),
        upload_to="agreements/%Y/",
        blank=True,
        validators=[FileExtensionValidator(AGREEMENT_EXTENSIONS), validate_upload_size],
    )
    host_signed_on = models.DateField(_("signed by the host side"), null=True, blank=True)
    resource_signed_on = models.DateField(_("signed by the resource side"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_signed(self) -> bool:
        return bool(self.host_signed_on and self.resource_signed_on)
