"""The practice library: practices partnerships developed, their documents (versions and language editions), the
publication workflow's steps, and the search index over both.

Dissemination records and the replication register (issue 12, second half) live further down this module.
"""

import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from twinning.accounts import access
from twinning.core.choices import Choices
from twinning.core.limits import COMMENT_MAX, TEXT_MAX, text_field
from twinning.core.models import TwinningModel
from twinning.core.reference import country_name, language_name, shipped_name, validate_country
from twinning.core.validators import validate_upload_content, validate_upload_size
from twinning.directory.models import HealthArea, Institution, Person
from twinning.partnerships.models import Partnership, Pillar, Programme

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User


# How long the free text of a practice, a document, a dissemination record or an adoption may be: room for a
# real write-up (a summary of a few paragraphs, each section a page or two), never megabytes that a page, an
# export or the search highlighter must read. On the model fields (core.limits.text_field): form, API, import
# and services apply them alike. Notes are core.limits.TEXT_MAX, a level's note and a step's comment COMMENT_MAX.
SUMMARY_MAX = 3000
SECTION_MAX = 10_000
NOTES_MAX = TEXT_MAX


@cache
def _language_codes() -> frozenset[str]:
    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def validate_language(value: str) -> None:
    """An ISO 639-1 language code ("en", "fr", "am"); the language of a text or a document edition."""
    if value not in _language_codes():
        raise ValidationError(_("Choose a language by its two-letter ISO 639-1 code."), code="invalid")


class Setting(Choices):
    """Where a practice is carried out."""

    HOSPITAL = "hospital", _("Hospital")
    PRIMARY_CARE = "primary_care", _("Primary care")
    COMMUNITY = "community", _("Community")
    SCHOOL = "school", _("School or training institution")
    LABORATORY = "laboratory", _("Laboratory")
    HEALTH_SYSTEM = "health_system", _("District or health system")
    OTHER = "other", _("Other")


# The practice's own text that the public reads as the author last confirmed it (Practice.public_text); its
# documents' titles and descriptions are kept there too, under "documents" by document UUID.
PUBLIC_TEXT_FIELDS = (
    "title",
    "summary",
    "problem",
    "what_was_done",
    "needs_staff",
    "needs_equipment",
    "needs_cost",
    "conditions",
    "results",
)


class PracticeQuerySet(models.QuerySet["Practice"]):
    def visible_to(self, user: "User | AnonymousUser") -> "PracticeQuerySet":
        """Practices the user may read (the rule: access.practice_scope)."""
        return self.filter(access.practice_scope(user, links=PracticePartnership.objects.all()))

    def public(self) -> "PracticeQuerySet":
        """Practices published publicly: what anyone reads without an account."""
        return self.filter(status=Practice.Status.PUBLIC)

    def read_whole_by(self, user: "User | AnonymousUser") -> "PracticeQuerySet":
        """Practices whose unconfirmed documents the user reads too (the rule: access.practice_insider_scope)."""
        return self.filter(access.practice_insider_scope(user, links=PracticePartnership.objects.all()))


class Practice(TwinningModel):
    """Something a partnership developed or adapted that others could reuse.

    Results are shown through `indicators`: their figures are read live from monitoring, never copied here.
    """

    class Status(Choices):
        DRAFT = access.PRACTICE_DRAFT, _("Draft")
        SUBMITTED = access.PRACTICE_SUBMITTED, _("Submitted for review")
        PROGRAMME = access.PRACTICE_PROGRAMME, _("Published in the programme")
        PUBLIC = access.PRACTICE_PUBLIC, _("Published publicly")
        WITHDRAWN = access.PRACTICE_WITHDRAWN, _("Withdrawn")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="practices", verbose_name=_("programme")
    )
    title = models.CharField(_("title"), max_length=255)
    summary = text_field(_("summary"), limit=SUMMARY_MAX)
    problem = text_field(_("the problem it answers"), limit=SECTION_MAX, blank=True)
    what_was_done = text_field(_("what was done"), limit=SECTION_MAX, blank=True)
    needs_staff = text_field(_("staff it needs"), limit=SECTION_MAX, blank=True)
    needs_equipment = text_field(_("equipment it needs"), limit=SECTION_MAX, blank=True)
    needs_cost = text_field(_("what it costs"), limit=SECTION_MAX, blank=True)
    conditions = text_field(_("conditions for success"), limit=SECTION_MAX, blank=True)
    results = text_field(_("results"), limit=SECTION_MAX, blank=True)
    # The language the practice is written in: search stems its words with that language's rules.
    language = models.CharField(_("language"), max_length=3, default="en", validators=[validate_language])
    setting = models.CharField(
        pgettext_lazy("where a practice is carried out", "setting"),
        max_length=20,
        choices=Setting.choices,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    partnerships = models.ManyToManyField(
        Partnership, through="PracticePartnership", related_name="practices", verbose_name=_("partnerships")
    )
    institutions = models.ManyToManyField(
        Institution, blank=True, related_name="practices", verbose_name=_("institutions behind it")
    )
    pillars = models.ManyToManyField(Pillar, blank=True, related_name="practices", verbose_name=_("pillars"))
    health_areas = models.ManyToManyField(
        HealthArea, blank=True, related_name="practices", verbose_name=_("health areas")
    )
    indicators = models.ManyToManyField(
        "planning.Indicator",
        blank=True,
        related_name="practices",
        verbose_name=_("indicators that show the effect"),
    )
    contact_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practices",
        verbose_name=_("contact person"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authored_practices",
        verbose_name=_("author"),
    )
    # The author's statement that nothing in the practice or its documents identifies a patient or a person;
    # required before public publication and cleared by every later change of content or documents.
    no_personal_data_confirmed_at = models.DateTimeField(
        _("no personal data confirmed"), null=True, blank=True, editable=False
    )
    published_at = models.DateTimeField(_("published publicly"), null=True, blank=True, editable=False)
    # What the public pages, public search and link previews show of a public practice: its text (PUBLIC_TEXT_FIELDS
    # and its documents' titles and descriptions) as it was when the author last confirmed it holds no patient or
    # personal data. An edit to a public practice reaches its programme's readers at once and the public only
    # once the author confirms again (services.practice_confirm_no_personal_data takes a new copy).
    public_text = models.JSONField(_("public text"), null=True, blank=True, editable=False)
    public_text_cleared_at = models.DateTimeField(
        _("public text confirmed"), null=True, blank=True, editable=False
    )

    objects = PracticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        ordering = ["title", "id"]
        indexes = [
            # The public list and the programme's library filter on status and sort newest first.
            models.Index(fields=["status", "-published_at"], name="practice_status_published"),
            models.Index(fields=["programme", "status"], name="practice_programme_status"),
        ]

    def __str__(self) -> str:
        return self.shown_title

    @property
    def shown_title(self) -> str:
        """The title in the reader's language when it is one of the demo's (knowledge.demo, gettext_noop), else
        as typed (core.reference.shipped_name)."""
        return shipped_name(self.title)


class PracticePartnership(models.Model):
    """A partnership behind a practice (a practice may come from several partnerships of one programme)."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="partnership_links", verbose_name=_("practice")
    )
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="practice_links", verbose_name=_("partnership")
    )

    class Meta:
        verbose_name = _("partnership behind a practice")
        verbose_name_plural = _("partnerships behind practices")
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "partnership"],
                name="practice_partnership_once",
                violation_error_message=_("This partnership is already named behind the practice."),
                violation_error_code="duplicate_partnership",
            )
        ]

    def __str__(self) -> str:
        return f"{self.practice_id} · {self.partnership_id}"


class PracticeCountry(models.Model):
    """A country where the practice was carried out (a row each, so filters use an index on both databases)."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="countries", verbose_name=_("practice")
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])

    class Meta:
        verbose_name = _("country of a practice")
        verbose_name_plural = _("countries of practices")
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(
                fields=["practice", "country"],
                name="practice_country_once",
                violation_error_message=_("This country is already listed for the practice."),
                violation_error_code="duplicate_country",
            )
        ]
        indexes = [models.Index(fields=["country"], name="practice_country_code")]

    def __str__(self) -> str:
        return self.country


class PracticeStep(models.Model):
    """One move of a practice through the publication workflow, with who moved it and their comment.

    The workflow's own record (the audit log holds the same event for the history); never edited.
    """

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="steps", verbose_name=_("practice")
    )
    from_status = models.CharField(_("from"), max_length=12, choices=Practice.Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Practice.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("changed by"),
    )
    comment = text_field(_("comment"), limit=COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("publication step")
        verbose_name_plural = _("publication steps")
        ordering = ["practice", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class Document(TwinningModel):
    """A document attached to a practice. Its files are its versions, one series per language edition
    (a French and a Russian edition of a toolkit are one document)."""

    class Type(Choices):
        TOOLKIT = "toolkit", _("Toolkit")
        PROTOCOL = "protocol", _("Protocol or SOP")
        CURRICULUM = "curriculum", _("Curriculum")
        TRAINING = "training", _("Training material")
        CASE_STUDY = "case_study", _("Case study")
        POLICY_BRIEF = "policy_brief", _("Policy brief")
        OTHER = "other", _("Other")

    class Licence(Choices):
        CC_BY = "cc_by_4", _("CC BY 4.0")
        CC_BY_SA = "cc_by_sa_4", _("CC BY-SA 4.0")
        CC_BY_NC = "cc_by_nc_4", _("CC BY-NC 4.0")
        CC_BY_NC_SA = "cc_by_nc_sa_4", _("CC BY-NC-SA 4.0")
        CC0 = "cc0", _("CC0 (public domain)")
        RESERVED = "reserved", _("All rights reserved")

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="documents", verbose_name=_("practice")
    )
    title = models.CharField(_("title"), max_length=255)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    description = text_field(_("description"), limit=SUMMARY_MAX, blank=True)
    licence = models.CharField(_("licence"), max_length=20, choices=Licence.choices, default=Licence.CC_BY)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["practice", "title", "id"]

    def __str__(self) -> str:
        return self.title


# The text kept of a document for search: about a hundred pages, what the index reads (search.MAX_INDEXED_CHARS);
# bounds the stored row, the index's row and the time to build and highlight it.
MAX_EXTRACTED_CHARS = 200_000


class DocumentVersion(TwinningModel):
    """One uploaded file: version `number` of the document's edition in `language`. Old versions stay readable.

    The file is served only through access-checked views, always as an attachment (never rendered inline).
    """

    class Extraction(Choices):
        DONE = "done", _("Text extracted")
        NONE = "none", _("No text in this kind of file")
        FAILED = "failed", _("Text could not be extracted")

    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="versions", verbose_name=_("document")
    )
    language = models.CharField(_("language"), max_length=3, validators=[validate_language])
    number = models.PositiveIntegerField(_("version"), validators=[MaxValueValidator(100_000)])
    file = models.FileField(_("file"), upload_to="knowledge/%Y/", max_length=255)
    file_name = models.CharField(_("file name"), max_length=255)
    # Found from the content, never from the name or the browser's claim.
    file_type = models.CharField(_("file type"), max_length=10)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("what changed"), max_length=500, blank=True)
    text = text_field(_("extracted text"), limit=MAX_EXTRACTED_CHARS, blank=True, editable=False)
    extraction = models.CharField(
        _("text extraction"), max_length=8, choices=Extraction.choices, default=Extraction.NONE
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    # Counted by the download views themselves: no third-party analytics anywhere.
    downloads = models.PositiveIntegerField(_("downloads"), default=0, editable=False)
    # When the practice's author confirmed that this file holds no patient or personal data (their confirmation
    # covers every file there is then). A file uploaded later, to a practice already public, stays off the public
    # pages, files and search until the author confirms again.
    cleared_at = models.DateTimeField(
        _("confirmed free of personal data"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "language", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "language", "number"],
                name="document_version_once_per_edition",
                violation_error_message=_(
                    "This language edition of the document already has a version with this number."
                ),
                violation_error_code="duplicate_version",
            ),
            models.CheckConstraint(
                condition=Q(number__gte=1),
                name="document_version_number_positive",
                violation_error_message=_("Version numbers start at 1."),
                violation_error_code="version_number",
            ),
        ]

    def __str__(self) -> str:
        # Read in histories and titles: the language by its name and the version in words, in the reader's
        # language (the history stores it in each language: audit.services.object_names).
        return gettext("%(document)s (%(language)s, version %(number)s)") % {
            "document": self.document,
            "language": language_name(self.language, self.language),
            "number": self.number,
        }


class SearchEntry(models.Model):
    """What search reads: one row per practice (its own text) and one per current version of each document
    edition (its title, description and extracted text), rebuilt by the services whenever either changes.

    Filters are copied here so a search is one indexed query. On PostgreSQL a generated `tsvector` column with
    a GIN index is added by the migration (stemmed in the row's language); on SQLite an FTS5 table kept in step
    by triggers. Neither is a Django field: the search selector reads them with SQL of its own.
    """

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="search_entries", verbose_name=_("practice")
    )
    version = models.ForeignKey(
        DocumentVersion,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="search_entries",
        verbose_name=_("document version"),
    )
    # A public practice has two sets of entries: its current text (public=False), found by those who read it
    # whole (access.practice_insider_scope), and the text the public reads (public=True: Practice.public_text and
    # the files confirmed free of personal data), found by everyone else.
    public = models.BooleanField(_("public copy"), default=False)
    language = models.CharField(max_length=3, verbose_name=_("language"))
    document_type = models.CharField(max_length=20, blank=True, verbose_name=_("document type"))
    title = models.CharField(max_length=255, verbose_name=_("title"))
    body = models.TextField(blank=True, verbose_name=_("text"))
    # SQLite only: the title's and body's words stemmed by the Snowball stemmer of the row's language (French,
    # Spanish, Russian, Portuguese), which FTS5's porter tokenizer (English) cannot do; empty on PostgreSQL,
    # whose tsvector is stemmed by the same Snowball algorithms.
    stems = models.TextField(blank=True, default="", verbose_name=_("word stems"))

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        indexes = [models.Index(fields=["practice"], name="search_entry_practice")]

    def __str__(self) -> str:
        return self.title


# --- dissemination and the replication register (issue 12, second half) ----------------------------

EVIDENCE_EXTENSIONS = ["pdf", "docx", "xlsx", "odt", "txt", "jpg", "jpeg", "png"]


def validate_evidence_file(file: Any) -> None:
    """An evidence file must be what its name says and safe to open: core.validators.validate_upload_content
    (content against the name, archive bounds, no active content in a PDF).

    Raises: ValidationError.
    """
    validate_upload_content(file)


EVIDENCE_VALIDATORS: list[Callable[[Any], None]] = [
    FileExtensionValidator(EVIDENCE_EXTENSIONS),
    validate_upload_size,
    validate_evidence_file,
]

DOI_PATTERN = r"^10\.\d{4,9}/[^\s]+$"


def normalise_doi(value: str) -> str:
    """A DOI as stored: without a resolver prefix ("https://doi.org/", "http://dx.doi.org/", "doi.org/",
    "doi:"), surrounding spaces removed; what remains is still checked against DOI_PATTERN by the model.

    Raises: nothing.
    """
    text = (value or "").strip()
    return _DOI_PREFIX.sub("", text, count=1).strip()


_DOI_PREFIX = re.compile(r"^(?:(?:https?://)?(?:dx\.|www\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


class DisseminationQuerySet(models.QuerySet["DisseminationRecord"]):
    def visible_to(self, user: "User | AnonymousUser") -> "DisseminationQuerySet":
        """Records of the programmes the user is staff of, and of the partnerships they are a member of."""
        return self.filter(access.in_programme_records(user))


class DisseminationRecord(TwinningModel):
    """One act of sharing what a partnership learned: a talk, an article, a workshop for other facilities..."""

    class Kind(Choices):
        PRESENTATION = "presentation", _("Conference presentation")
        ARTICLE = "article", _("Journal article")
        WORKSHOP = "workshop", _("Workshop or study tour for other facilities")
        TRAINING = "training", _("Training of other facilities")
        WEBINAR = "webinar", _("Webinar")
        MEDIA = "media", _("Media")
        POLICY_BRIEF = "policy_brief", _("Policy brief")
        TRAINING_PACKAGE = "training_package", _("Training package shared")

    class Audience(Choices):
        MINISTRY = "ministry", _("Ministry of health")
        FACILITIES = "facilities", _("Other facilities")
        PROFESSIONAL = "professional", _("Professional association")
        ACADEMIA = "academia", _("Academia")
        COMMUNITY = "community", _("Community")
        PUBLIC = "public", _("The public")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="dissemination_records", verbose_name=_("programme")
    )
    # The partnership that recorded it and keeps it up to date; blank for what the programme itself did.
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dissemination_records",
        verbose_name=_("recorded by partnership"),
    )
    partnerships = models.ManyToManyField(
        Partnership, blank=True, related_name="+", verbose_name=_("other partnerships involved")
    )
    practices = models.ManyToManyField(
        "knowledge.Practice", blank=True, related_name="dissemination_records", verbose_name=_("practices")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    date = models.DateField(_("date"))
    audience = models.CharField(_("main audience"), max_length=20, choices=Audience.choices)
    venue = models.CharField(
        _("event, journal or outlet"),
        max_length=255,
        blank=True,
        help_text=_("Where it was presented or published."),
    )
    doi = models.CharField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[RegexValidator(DOI_PATTERN, _("Enter a DOI such as 10.1186/s12913-024-10000-1."))],
    )
    people_reached = models.PositiveIntegerField(
        _("people reached"), null=True, blank=True, validators=[MaxValueValidator(1_000_000_000)]
    )
    facilities_reached = models.PositiveIntegerField(
        _("facilities reached"), null=True, blank=True, validators=[MaxValueValidator(1_000_000)]
    )
    evidence_file = models.FileField(
        _("evidence file"),
        upload_to="knowledge/dissemination/%Y/",
        blank=True,
        validators=EVIDENCE_VALIDATORS,
    )
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    notes = text_field(_("notes"), limit=NOTES_MAX, blank=True)

    objects = DisseminationQuerySet.as_manager()

    class Meta:
        verbose_name = _("dissemination record")
        verbose_name_plural = _("dissemination records")
        ordering = ["-date", "title"]
        indexes = [
            # Lists and the reach-by-year figures read a programme's records by date.
            models.Index(fields=["programme", "date"], name="dissemination_programme_date"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        self.doi = normalise_doi(self.doi)
        if self.kind == self.Kind.ARTICLE and not self.doi and not self.evidence_url:
            raise ValidationError({"doi": _("Give the article's DOI, or a link to it.")})
        if (
            self.partnership is not None
            and self.programme_id
            and self.partnership.programme_id != self.programme_id
        ):
            raise ValidationError({"partnership": _("Choose a partnership of this programme.")})


class AdoptionQuerySet(models.QuerySet["Adoption"]):
    def visible_to(self, user: "User | AnonymousUser") -> "AdoptionQuerySet":
        """Adoptions of the practices the user may see (the practice library's rule), in programmes the user is
        part of: the register is the programme's record, not public even where the practice is."""
        return self.filter(
            Q(practice__in=Practice.objects.visible_to(user))
            & access.in_visible_programmes(user, "practice__programme")
        )


class Level(Choices):
    """How far a site has taken a practice up, lowest first (the order is the rank)."""

    ADAPTING = "adapting", _("Adapting")
    PILOTING = "piloting", _("Piloting")
    ADOPTED = "adopted", _("Adopted")
    SCALED_UP = "scaled_up", _("Scaled up across a region")
    NATIONAL = "national", _("National policy, guideline or curriculum")


LEVEL_RANKS = {level: rank for rank, level in enumerate(Level.values, start=1)}


def level_of_rank(rank: int | None) -> str:
    """The Level value of a rank (1 for adapting ... 5 for national); "" for None.

    Raises: nothing.
    """
    return Level.values[rank - 1] if rank else ""


class Adoption(TwinningModel):
    """A site that takes up a practice: an institution from the directory, or a district, region or country.

    Its levels are rows (AdoptionLevel), one per level reached with its date: the history is kept, never
    overwritten, and the current level is the highest one reached.
    """

    class SiteKind(Choices):
        INSTITUTION = "institution", _("An institution")
        DISTRICT = "district", _("A district")
        REGION = "region", _("A region")
        COUNTRY = "country", _("The whole country")

    class LedBy(Choices):
        PARTNERSHIP = "partnership", _("The originating partnership")
        HOST = "host", _("The host institution, now training others")
        MINISTRY = "ministry", _("The ministry of health")
        OTHER = "other", _("Other")

    practice = models.ForeignKey(
        "knowledge.Practice", on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("practice")
    )
    site_kind = models.CharField(_("adopting site"), max_length=12, choices=SiteKind.choices)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="adoptions",
        verbose_name=_("institution"),
    )
    area = models.CharField(
        _("district or region"), max_length=200, blank=True, help_text=_("For a district or a region.")
    )
    # For an institution, its own country (copied by the service so lists and figures group without a join).
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    led_by = models.CharField(_("led by"), max_length=12, choices=LedBy.choices)
    led_by_other = models.CharField(_("led by (other)"), max_length=200, blank=True)
    evidence_file = models.FileField(
        _("evidence file"), upload_to="knowledge/adoptions/%Y/", blank=True, validators=EVIDENCE_VALIDATORS
    )
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    notes = text_field(_("notes"), limit=NOTES_MAX, blank=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["practice", "country", "area"]
        constraints = [
            # A site adopts a practice once; its progress is its levels, not a second adoption.
            models.UniqueConstraint(
                fields=["practice", "institution"],
                condition=Q(institution__isnull=False),
                name="adoption_once_per_institution",
                violation_error_message=_(
                    "This institution already adopts the practice: open its adoption and record the new level "
                    "there."
                ),
                violation_error_code="duplicate_adoption",
            ),
            # A district is one site however its name is typed ("Gulu", " gulu "): the name compared without
            # case (the model collapses its spaces).
            models.UniqueConstraint(
                F("practice"),
                F("site_kind"),
                F("country"),
                Lower("area"),
                condition=Q(institution__isnull=True),
                name="adoption_once_per_area",
                violation_error_message=_(
                    "This district, region or country already adopts the practice (names are compared without "
                    "regard to capitals or spaces): open its adoption and record the new level there."
                ),
                violation_error_code="duplicate_adoption",
            ),
            models.CheckConstraint(
                condition=Q(site_kind="institution", institution__isnull=False)
                | (~Q(site_kind="institution") & Q(institution__isnull=True)),
                name="adoption_institution_iff_institution_site",
                violation_error_message=_(
                    "An institution site names an institution; a district, region or country names none."
                ),
                violation_error_code="site_institution",
            ),
        ]
        indexes = [models.Index(fields=["country"], name="adoption_country")]

    def __str__(self) -> str:
        return self.site_name

    @property
    def site_name(self) -> str:
        """The adopting site as people name it: the institution, "district, country", or the country."""
        if self.site_kind == self.SiteKind.INSTITUTION and self.institution_id:
            return str(self.institution)
        if self.site_kind == self.SiteKind.COUNTRY:
            return country_name(self.country)
        return f"{self.area}, {country_name(self.country)}" if self.area else country_name(self.country)

    @property
    def led_by_label(self) -> str:
        return (
            self.led_by_other
            if self.led_by == self.LedBy.OTHER and self.led_by_other
            else self.get_led_by_display()
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.site_kind == self.SiteKind.INSTITUTION:
            if not self.institution_id:
                errors["institution"] = _("Choose the institution that adopts the practice.")
            self.area = ""
        else:
            self.institution = None
            self.area = " ".join(self.area.split())
            if self.site_kind in (self.SiteKind.DISTRICT, self.SiteKind.REGION) and not self.area:
                errors["area"] = _("Name the district or region.")
            if self.site_kind == self.SiteKind.COUNTRY:
                self.area = ""
        if self.led_by == self.LedBy.OTHER and not self.led_by_other.strip():
            errors["led_by_other"] = _("Say who led it.")
        if errors:
            raise ValidationError(errors)


class AdoptionLevel(TwinningModel):
    """One level an adopting site reached, and when: the rows of an adoption are its history."""

    adoption = models.ForeignKey(
        Adoption, on_delete=models.CASCADE, related_name="levels", verbose_name=_("adoption")
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    # The level's place in Level (1 lowest), stored so the current level is a plain MAX in SQL.
    rank = models.PositiveSmallIntegerField(_("rank"), editable=False)
    reached_on = models.DateField(_("reached on"))
    note = text_field(_("note"), limit=COMMENT_MAX, blank=True)

    class Meta:
        verbose_name = _("adoption level")
        verbose_name_plural = _("adoption levels")
        ordering = ["adoption", "rank"]
        constraints = [
            # Each level is reached once; the date says when.
            models.UniqueConstraint(
                fields=["adoption", "level"],
                name="adoption_level_once",
                violation_error_message=_(
                    "This level is already recorded for this site, with its date. To correct the date, remove "
                    "the level and record it again."
                ),
                violation_error_code="duplicate_level",
            ),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=5),
                name="adoption_level_rank_range",
                violation_error_message=_("A level's rank is from 1 (adapting) to 5 (national)."),
                violation_error_code="level_rank",
            ),
        ]

    # Derived from `level` (clean): a history shows the level, never its internal rank (core.history).
    history_derived = ("rank",)

    def __str__(self) -> str:
        when = date_format(self.reached_on, "DATE_FORMAT") if self.reached_on else ""
        return f"{self.get_level_display()} ({when})"

    def clean(self) -> None:
        if self.level in LEVEL_RANKS:
            self.rank = LEVEL_RANKS[self.level]
