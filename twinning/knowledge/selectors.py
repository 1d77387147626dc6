"""Reads for the practice library, always starting from what the user may see (access.practice_scope)."""

import copy
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.db.models.fields.json import KT
from django.http import Http404

from twinning.accounts import access
from twinning.accounts.access import PracticeAccess
from twinning.core.ids import parse_uuid
from twinning.knowledge.models import (
    PUBLIC_TEXT_FIELDS,
    Document,
    DocumentVersion,
    Practice,
    PracticeQuerySet,
)
from twinning.knowledge.search import NO_FILTERS, Filters, practice_filter
from twinning.monitoring.models import Result
from twinning.monitoring.selectors import in_approved_period

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from twinning.accounts.models import User


def practices_visible_to(user: "User | AnonymousUser") -> PracticeQuerySet:
    """Every practice the user may read: public ones for anyone, published-in-programme ones for the
    programme's users, drafts and submissions for their partnerships' members and the programme's reviewers
    (the rule: access.practice_scope).

    Raises: nothing.
    """
    return Practice.objects.visible_to(user)


def practice_detail_queryset() -> PracticeQuerySet:
    """Practices with everything their page shows loaded in a fixed number of queries.

    Raises: nothing.
    """
    return Practice.objects.select_related(
        "programme", "contact_person__institution", "author"
    ).prefetch_related(
        "partnerships",
        "institutions",
        "pillars",
        "health_areas",
        "countries",
        "indicators",
        Prefetch(
            "documents",
            queryset=Document.objects.order_by("title", "id").prefetch_related(
                Prefetch("versions", queryset=DocumentVersion.objects.order_by("language", "-number"))
            ),
        ),
    )


def get_practice_for_user(
    user: "User | AnonymousUser", practice_uuid: Any, *, write: bool = False
) -> tuple[Practice, PracticeAccess]:
    """A practice the user may read, by UUID, with what they may do with it.

    With `write`, the user must be able to change it (its partnerships' members while a draft, programme
    editors at any stage but withdrawn). Raises Http404 when the user may not read it (an outsider, or an
    anonymous visitor asking for anything not published publicly), PermissionDenied (403) for a write they may
    not make.
    """
    practice = practice_detail_queryset().visible_to(user).filter(uuid=parse_uuid(practice_uuid)).first()
    if practice is None:
        raise Http404
    rights = access.practice_access(user, practice, [p.pk for p in practice.partnerships.all()])
    if write:
        rights.require_edit()
    return practice, rights


def get_public_practice(practice_uuid: Any) -> Practice:
    """A practice published publicly, for the pages anyone reads. Raises Http404 for anything else.

    Raises: Http404.
    """
    practice = practice_detail_queryset().public().filter(uuid=parse_uuid(practice_uuid)).first()
    if practice is None:
        raise Http404
    return practice


def practice_list(
    *, user: "User | AnonymousUser", filters: Filters = NO_FILTERS, status: str = ""
) -> QuerySet[Practice]:
    """Practices the user may read, narrowed by the practice filters (and a status), newest first, with their
    partnerships loaded: a fixed number of queries whatever the length.

    Raises: nothing.
    """
    qs = practice_filter(Practice.objects.visible_to(user), filters)
    if status:
        qs = qs.filter(status=status)
    # The filters join many-to-many rows: select distinct practices by id, then order and load them.
    return (
        Practice.objects.filter(pk__in=qs.values("pk"))
        .prefetch_related("partnerships")
        .order_by("-published_at", "-updated_at", "id")
    )


def public_practice_list(filters: Filters = NO_FILTERS) -> QuerySet[Practice]:
    """Practices published publicly, newest first, with what the public list shows loaded (fixed queries).

    Raises: nothing.
    """
    qs = practice_filter(Practice.objects.public(), filters)
    # Only the text the author last confirmed (Practice.public_text) is read: never the current title or summary.
    return (
        Practice.objects.filter(pk__in=qs.values("pk"))
        .prefetch_related("countries", "pillars")
        .only("uuid", "published_at", "setting", "status")
        .annotate(public_title=KT("public_text__title"), public_summary=KT("public_text__summary"))
        .order_by("-published_at", "id")
    )


def public_text_now(practice: Practice) -> dict[str, Any]:
    """The practice's text as the public would read it if the author confirmed it now (Practice.public_text): its
    PUBLIC_TEXT_FIELDS and its documents' titles and descriptions by document UUID. One query unless the
    documents are prefetched.

    Raises: nothing.
    """
    text: dict[str, Any] = {name: getattr(practice, name) for name in PUBLIC_TEXT_FIELDS}
    text["documents"] = {
        str(d.uuid): {"title": d.title, "description": d.description} for d in practice.documents.all()
    }
    return text


def public_text_waits(practice: Practice) -> bool:
    """Whether a public practice's text (or a document's title or description) changed since its author last
    confirmed it: the public still reads the earlier text.

    Raises: nothing.
    """
    return practice.status == Practice.Status.PUBLIC and public_text_now(practice) != practice.public_text


def public_copy(practice: Practice) -> Practice:
    """The practice as the public reads it: an unsaved copy whose text is the one its author last confirmed
    (Practice.public_text; blank if there is none), for the public pages and for readers who see it only because
    it is public. Its documents' titles and descriptions follow in `document_editions(..., whole=False)`.

    Raises: nothing.
    """
    shown = copy.copy(practice)
    text = practice.public_text or {}
    for name in PUBLIC_TEXT_FIELDS:
        setattr(shown, name, str(text.get(name) or ""))
    shown.shows_public_text = True  # type: ignore[attr-defined]
    return shown


def as_read_by(user: "User | AnonymousUser", practices: list[Practice]) -> list[Practice]:
    """Each practice as the user reads it: whole (its current text) when the user reads it whole
    (access.practice_insider_scope), else its public copy (`public_copy`). One query at most.

    Raises: nothing.
    """
    public = [p.pk for p in practices if p.status == Practice.Status.PUBLIC]
    if not public:
        # Whoever reads a practice that is not public reads it whole (practice_scope's other parts).
        return practices
    whole = set(Practice.objects.read_whole_by(user).filter(pk__in=public).values_list("pk", flat=True))
    return [public_copy(p) if p.pk in public and p.pk not in whole else p for p in practices]


@dataclass(frozen=True)
class Edition:
    """One language edition of a document: its versions, newest first."""

    document: Document
    language: str
    versions: list[DocumentVersion]

    @property
    def current(self) -> DocumentVersion:
        return self.versions[0]


def reads_whole(user: "User | AnonymousUser", practice: Practice) -> bool:
    """Whether the user reads the practice's files not yet confirmed free of personal data (the rule:
    access.practice_insider_scope); anonymous visitors and other programmes' users read confirmed files only.
    One query at most (none for an anonymous visitor).

    Raises: nothing.
    """
    if not user.is_authenticated:
        return False
    return Practice.objects.read_whole_by(user).filter(pk=practice.pk).exists()


def document_editions(practice: Practice, *, whole: bool = True) -> list[tuple[Document, list[Edition]]]:
    """The practice's documents, each with its language editions (from the prefetched versions of
    practice_detail_queryset: no query). Without `whole`, what the public reads: only files confirmed free of
    personal data (DocumentVersion.cleared_at), only documents that have one, each with the title and
    description the author last confirmed (Practice.public_text).

    Raises: nothing.
    """
    out = []
    confirmed = (practice.public_text or {}).get("documents") or {}
    for document in practice.documents.all():
        if not whole:
            text = confirmed.get(str(document.uuid))
            if text is None:
                continue
            document = copy.copy(document)
            document.title, document.description = (
                str(text.get("title") or ""),
                str(text.get("description") or ""),
            )
        by_language: dict[str, list[DocumentVersion]] = defaultdict(list)
        for version in document.versions.all():
            if not whole and version.cleared_at is None:
                continue
            by_language[version.language].append(version)
        if not by_language:
            continue
        editions = [
            Edition(document, lang, sorted(v, key=lambda x: -x.number))
            for lang, v in sorted(by_language.items())
        ]
        out.append((document, editions))
    return out


def get_document(practice: Practice, document_uuid: Any) -> Document:
    """A document of this practice by UUID (the caller has checked access to the practice).

    Raises: Http404.
    """
    document = Document.objects.filter(practice=practice, uuid=parse_uuid(document_uuid)).first()
    if document is None:
        raise Http404
    document.practice = practice
    return document


def get_version(practice: Practice, version_uuid: Any, *, whole: bool = True) -> DocumentVersion:
    """A file (any version) of one of this practice's documents by UUID (the caller has checked access). Without
    `whole`, only a file confirmed free of personal data (see `document_editions`).

    Raises: Http404.
    """
    versions = DocumentVersion.objects.filter(document__practice=practice, uuid=parse_uuid(version_uuid))
    if not whole:
        versions = versions.filter(cleared_at__isnull=False)
    version = versions.select_related("document").first()
    if version is None:
        raise Http404
    return version


MAX_FIGURES = 60


def practice_figures(user: "User | AnonymousUser", practice: Practice) -> list[Result]:
    """The approved overall results of the practice's indicators in its partnerships, read live from monitoring
    (never copied), by indicator, partnership and period; at most MAX_FIGURES rows, the newest periods kept.
    Only approved periods: what a practice shows goes to every reader of it, the public included. One query.

    Raises: nothing.
    """
    indicators = [i.pk for i in practice.indicators.all()]
    if not indicators:
        return []
    rows = list(
        Result.objects.filter(
            indicator_id__in=indicators,
            partnership_id__in=[p.pk for p in practice.partnerships.all()],
            option__isnull=True,
        )
        .filter(in_approved_period())
        .select_related("indicator", "partnership")
        .order_by("-period")[:MAX_FIGURES]
    )
    return sorted(rows, key=lambda r: (r.indicator.code, r.partnership.title, r.period))
