"""Knowledge over the API: thin endpoints over selectors and services.

Practices (list, create, read, update, workflow steps), their documents (upload a document or a new version of
an edition as multipart/form-data, download a file) and search over both.
"""

import copy
import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import FileResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from twinning.accounts import access
from twinning.accounts.api_auth import ApiRequest
from twinning.core.api import (
    Country,
    Input,
    PageQuery,
    TitledRef,
    Version,
    error_responses,
    omittable,
    paginate,
    patch_changes,
)
from twinning.directory.models import HealthArea, Institution, Person
from twinning.knowledge import services
from twinning.knowledge.models import (
    COMMENT_MAX,
    SECTION_MAX,
    SUMMARY_MAX,
    Document,
    DocumentVersion,
    Practice,
    Setting,
)
from twinning.knowledge.search import Filters, filter_problems, search
from twinning.knowledge.selectors import (
    as_read_by,
    get_document,
    get_practice_for_user,
    get_version,
    practice_list,
    public_copy,
    reads_whole,
)
from twinning.knowledge.spread.api import router as spread_router
from twinning.knowledge.views import file_response
from twinning.partnerships.models import Partnership, Pillar
from twinning.planning.models import Indicator

router = Router(tags=["knowledge"])
router.add_router("", spread_router)

# The models' limits (knowledge.models), so the schema refuses what the model would.
MAX_TEXT = SECTION_MAX
MAX_LINKS = 50


# --- output --------------------------------------------------------------------------------------


class VersionOut(Schema):
    uuid: UUID
    language: str
    number: int
    file_name: str
    file_type: str
    size: int = Field(description="Bytes.")
    sha256: str
    note: str
    extraction: DocumentVersion.Extraction
    downloads: int
    created_at: datetime.datetime
    cleared_at: datetime.datetime | None = Field(
        description="When the practice's author confirmed the file holds no personal data; None: not yet (a "
        "file added to a public practice stays off the public pages until then)."
    )


class DocumentOut(Schema):
    uuid: UUID
    version: int
    title: str
    type: Document.Type
    description: str
    licence: Document.Licence
    files: list[VersionOut] = Field(
        description="Every version of every language edition, newest first per edition."
    )

    @staticmethod
    def resolve_files(obj: Document) -> list[DocumentVersion]:
        versions = list(obj.versions.all())
        if getattr(obj, "confirmed_only", False):
            versions = [v for v in versions if v.cleared_at is not None]
        return versions


class PracticeOut(Schema):
    uuid: UUID
    version: int
    title: str
    summary: str
    status: Practice.Status
    language: str
    setting: Setting | None = Field(description="None: not given.")
    partnerships: list[TitledRef]
    published_at: datetime.datetime | None

    @staticmethod
    def resolve_setting(obj: Practice) -> str | None:
        return obj.setting or None

    @staticmethod
    def resolve_partnerships(obj: Practice) -> list[Partnership]:
        return list(obj.partnerships.all())


class PracticeDetailOut(PracticeOut):
    problem: str
    what_was_done: str
    needs_staff: str
    needs_equipment: str
    needs_cost: str
    conditions: str
    results: str
    pillars: list[str] = Field(description="Pillar codes.")
    health_areas: list[str] = Field(description="Health-area codes.")
    countries: list[str] = Field(description="ISO 3166 codes.")
    indicators: list[UUID]
    institutions: list[UUID]
    contact_person: UUID | None
    no_personal_data_confirmed_at: datetime.datetime | None
    documents: list[DocumentOut]

    @staticmethod
    def resolve_pillars(obj: Practice) -> list[str]:
        return [p.code for p in obj.pillars.all()]

    @staticmethod
    def resolve_health_areas(obj: Practice) -> list[str]:
        return [h.code for h in obj.health_areas.all()]

    @staticmethod
    def resolve_countries(obj: Practice) -> list[str]:
        return [c.country for c in obj.countries.all()]

    @staticmethod
    def resolve_indicators(obj: Practice) -> list[UUID]:
        return [i.uuid for i in obj.indicators.all()]

    @staticmethod
    def resolve_institutions(obj: Practice) -> list[UUID]:
        return [i.uuid for i in obj.institutions.all()]

    @staticmethod
    def resolve_contact_person(obj: Practice) -> UUID | None:
        return obj.contact_person.uuid if obj.contact_person else None

    @staticmethod
    def resolve_documents(obj: Practice) -> list[Document]:
        documents = list(obj.documents.all())
        if not getattr(obj, "confirmed_only", False):
            return documents
        # A reader who sees the practice only because it is public reads its confirmed files only, under the
        # titles and descriptions its author last confirmed (Practice.public_text).
        confirmed = (obj.public_text or {}).get("documents") or {}
        shown = []
        for document in documents:
            text = confirmed.get(str(document.uuid))
            if text is None or not any(v.cleared_at is not None for v in document.versions.all()):
                continue
            document = copy.copy(document)
            document.title = str(text.get("title") or "")
            document.description = str(text.get("description") or "")
            document.confirmed_only = True  # type: ignore[attr-defined]
            shown.append(document)
        return shown


class PracticePage(Schema):
    count: int
    items: list[PracticeOut]


class HitOut(Schema):
    practice: PracticeOut
    document: UUID | None = Field(description="Set when the match is in a document edition.")
    file: UUID | None = Field(description="The matching edition's newest file.")
    language: str | None
    rank: float = Field(description="Relevance; higher is better.")
    title: str = Field(description="HTML: the matches in <mark>, the rest escaped.")
    snippet: str = Field(description="HTML: the matches in <mark>, the rest escaped.")


class SearchOut(Schema):
    count: int
    items: list[HitOut]


# --- input ---------------------------------------------------------------------------------------


class PracticeFilters(PageQuery):
    pillar: str = Field("", max_length=50, description="A pillar code.")
    health_area: str = Field("", max_length=50, description="A health-area code.")
    country: Country = ""
    setting: Setting | None = None
    status: Practice.Status | None = None


class SearchQuery(PracticeFilters):
    q: str = Field(min_length=1, max_length=200, description="Words to find.")
    document_type: Document.Type | None = None
    language: str = Field("", max_length=3, pattern="^([a-z]{2,3})?$")
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=10_000)


class PracticeFields(Input):
    problem: str = Field("", max_length=MAX_TEXT)
    what_was_done: str = Field("", max_length=MAX_TEXT)
    needs_staff: str = Field("", max_length=MAX_TEXT)
    needs_equipment: str = Field("", max_length=MAX_TEXT)
    needs_cost: str = Field("", max_length=MAX_TEXT)
    conditions: str = Field("", max_length=MAX_TEXT)
    results: str = Field("", max_length=MAX_TEXT)
    language: str = Field("en", min_length=2, max_length=3, pattern="^[a-z]{2,3}$")
    setting: Setting | None = None
    pillars: list[str] = Field([], max_length=MAX_LINKS, description="Pillar codes of the programme.")
    health_areas: list[str] = Field([], max_length=MAX_LINKS, description="Health-area codes.")
    countries: list[Country] = Field([], max_length=MAX_LINKS)
    indicators: list[UUID] = Field([], max_length=MAX_LINKS)
    institutions: list[UUID] = Field([], max_length=MAX_LINKS)
    contact_person: UUID | None = None


class PracticeCreate(PracticeFields):
    partnerships: list[UUID] = Field(min_length=1, max_length=MAX_LINKS)
    title: str = Field(min_length=1, max_length=255)
    summary: str = Field(min_length=1, max_length=SUMMARY_MAX)


class PracticeUpdate(Input):
    version: Version | None = None
    title: str = omittable(min_length=1, max_length=255)
    summary: str = omittable(min_length=1, max_length=SUMMARY_MAX)
    problem: str = omittable(max_length=MAX_TEXT)
    what_was_done: str = omittable(max_length=MAX_TEXT)
    needs_staff: str = omittable(max_length=MAX_TEXT)
    needs_equipment: str = omittable(max_length=MAX_TEXT)
    needs_cost: str = omittable(max_length=MAX_TEXT)
    conditions: str = omittable(max_length=MAX_TEXT)
    results: str = omittable(max_length=MAX_TEXT)
    language: str = omittable(min_length=2, max_length=3, pattern="^[a-z]{2,3}$")
    setting: Setting = omittable()
    pillars: list[str] = omittable(max_length=MAX_LINKS)
    health_areas: list[str] = omittable(max_length=MAX_LINKS)
    countries: list[Country] = omittable(max_length=MAX_LINKS)
    indicators: list[UUID] = omittable(max_length=MAX_LINKS)
    institutions: list[UUID] = omittable(max_length=MAX_LINKS)
    contact_person: UUID | None = Field(None, description="A person of the directory; null: nobody named.")


class StepIn(Input):
    to_status: Practice.Status
    comment: str = Field("", max_length=COMMENT_MAX)


class DocumentIn(Input):
    title: str = Field(min_length=1, max_length=255)
    type: Document.Type
    language: str = Field(min_length=2, max_length=3, pattern="^[a-z]{2,3}$")
    licence: Document.Licence = Document.Licence.CC_BY
    description: str = Field("", max_length=SUMMARY_MAX)
    note: str = Field("", max_length=500)


class VersionIn(Input):
    language: str = Field(min_length=2, max_length=3, pattern="^[a-z]{2,3}$")
    note: str = Field("", max_length=500)


# --- helpers -------------------------------------------------------------------------------------


def _missing(field: str) -> ValidationError:
    return ValidationError({field: ["Some of these were not found."]})


def _links(user: Any, data: dict[str, Any], programme_id: int) -> dict[str, Any]:
    """Codes and UUIDs in a request body turned into the objects the services take (422 for unknown ones)."""
    out: dict[str, Any] = {}
    lookups = {
        "pillars": (Pillar.objects.filter(programme_id=programme_id), "code"),
        "health_areas": (HealthArea.objects.all(), "code"),
        "indicators": (Indicator.objects.filter(programme_id=programme_id), "uuid"),
        "institutions": (Institution.objects.all(), "uuid"),
    }
    for name, (queryset, key) in lookups.items():
        if name in data and data[name] is not None:
            wanted = set(data[name])
            found = list(queryset.filter(**{f"{key}__in": wanted}))
            if len(found) != len(wanted):
                raise _missing(name)
            out[name] = found
    if data.get("contact_person"):
        person = Person.objects.filter(uuid=data["contact_person"]).first()
        if person is None:
            raise _missing("contact_person")
        out["contact_person"] = person
    elif "contact_person" in data:
        out["contact_person"] = None  # null: nobody named
    return out


def _practice(user: Any, practice_uuid: UUID, write: bool = False) -> Practice:
    practice = get_practice_for_user(user, practice_uuid, write=write)[0]
    if reads_whole(user, practice):
        return practice
    # A reader who sees it only because it is public reads the text and files its author last confirmed.
    practice = public_copy(practice)
    practice.confirmed_only = True  # type: ignore[attr-defined]
    return practice


# --- practices -----------------------------------------------------------------------------------


@router.get("/practices", response={200: PracticePage, **error_responses()}, summary="List practices")
def practices_list(request: ApiRequest, filters: Query[PracticeFilters]) -> dict[str, Any]:
    """Practices you may read (published, or your partnerships' drafts), newest first."""
    wanted = Filters(
        pillar=filters.pillar,
        health_area=filters.health_area,
        country=filters.country,
        setting=filters.setting or "",
    )
    problems = filter_problems(wanted)
    if problems:
        raise ValidationError({name: [message] for name, message in problems.items()})
    qs = practice_list(user=request.auth, filters=wanted, status=filters.status or "")
    page = paginate(qs, filters)
    page["items"] = as_read_by(request.auth, page["items"])
    return page


@router.post(
    "/practices", response={201: PracticeDetailOut, **error_responses(403)}, summary="Write up a practice"
)
def practice_create(request: ApiRequest, payload: PracticeCreate) -> Status:
    access.require(access.can_create_practice(request.auth))
    partnerships = list(
        Partnership.objects.visible_to(request.auth).filter(uuid__in=set(payload.partnerships))
    )
    if len(partnerships) != len(set(payload.partnerships)):
        raise _missing("partnerships")
    data = payload.model_dump(exclude={"partnerships"})
    data.update(_links(request.auth, data, partnerships[0].programme_id))
    data["setting"] = data["setting"] or ""
    practice = services.practice_create(actor=request.auth, partnerships=partnerships, **data)
    return Status(201, _practice(request.auth, practice.uuid))


@router.get(
    "/practices/{uuid:practice_uuid}",
    response={200: PracticeDetailOut, **error_responses(404)},
    summary="Get a practice",
)
def practice_detail(request: ApiRequest, practice_uuid: UUID) -> Practice:
    return _practice(request.auth, practice_uuid)


@router.patch(
    "/practices/{uuid:practice_uuid}",
    response={200: PracticeDetailOut, **error_responses(403, 404, 409)},
    summary="Update a practice",
)
def practice_patch(request: ApiRequest, practice_uuid: UUID, payload: PracticeUpdate) -> Practice:
    practice = _practice(request.auth, practice_uuid, write=True)
    data, version = patch_changes(payload)
    data.update(_links(request.auth, data, practice.programme_id))
    services.practice_update(actor=request.auth, practice=practice, data=data, expected_version=version)
    return _practice(request.auth, practice_uuid)


@router.post(
    "/practices/{uuid:practice_uuid}/steps",
    response={200: PracticeDetailOut, **error_responses(403, 404)},
    summary="Move a practice through the publication workflow",
)
def practice_step(request: ApiRequest, practice_uuid: UUID, payload: StepIn) -> Practice:
    """Submit, approve (publish in the programme, publish publicly), return, withdraw or reopen; approvals,
    returns and withdrawals need a comment."""
    practice = _practice(request.auth, practice_uuid)
    services.practice_move(
        actor=request.auth, practice=practice, to_status=payload.to_status, comment=payload.comment
    )
    return _practice(request.auth, practice_uuid)


@router.post(
    "/practices/{uuid:practice_uuid}/no-personal-data",
    response={200: PracticeDetailOut, **error_responses(403, 404)},
    summary="Confirm, as its author, that a practice holds no patient or personal data",
)
def practice_confirm(request: ApiRequest, practice_uuid: UUID) -> Practice:
    services.practice_confirm_no_personal_data(
        actor=request.auth, practice=_practice(request.auth, practice_uuid)
    )
    return _practice(request.auth, practice_uuid)


# --- documents -----------------------------------------------------------------------------------


@router.post(
    "/practices/{uuid:practice_uuid}/documents",
    response={201: DocumentOut, **error_responses(403, 404, 413)},
    summary="Attach a document (multipart: its fields and the file)",
)
def document_create(
    request: ApiRequest, practice_uuid: UUID, payload: Form[DocumentIn], file: File[UploadedFile]
) -> Status:
    practice = _practice(request.auth, practice_uuid, write=True)
    document = services.document_create(
        actor=request.auth, practice=practice, file=file, **payload.model_dump()
    )
    return Status(201, document)


@router.post(
    "/practices/{uuid:practice_uuid}/documents/{uuid:document_uuid}/versions",
    response={201: VersionOut, **error_responses(403, 404, 413)},
    summary="Upload a new version of a document's edition in a language (multipart)",
)
def version_create(
    request: ApiRequest,
    practice_uuid: UUID,
    document_uuid: UUID,
    payload: Form[VersionIn],
    file: File[UploadedFile],
) -> Status:
    practice = _practice(request.auth, practice_uuid, write=True)
    document = get_document(practice, document_uuid)
    version = services.document_version_add(
        actor=request.auth, document=document, language=payload.language, file=file, note=payload.note
    )
    return Status(201, version)


@router.get(
    "/practices/{uuid:practice_uuid}/files/{uuid:version_uuid}",
    response={200: None, **error_responses(404)},
    summary="Download a document file (any version)",
)
def version_download(request: ApiRequest, practice_uuid: UUID, version_uuid: UUID) -> FileResponse:
    practice = _practice(request.auth, practice_uuid)
    whole = not getattr(practice, "confirmed_only", False)
    return file_response(request, practice, get_version(practice, version_uuid, whole=whole))


# --- search --------------------------------------------------------------------------------------


@router.get(
    "/search", response={200: SearchOut, **error_responses()}, summary="Search practices and documents"
)
def search_view(request: ApiRequest, query: Query[SearchQuery]) -> dict[str, Any]:
    """Practices and document editions you may read that match the words, most relevant first."""
    filters = Filters(
        pillar=query.pillar,
        health_area=query.health_area,
        country=query.country,
        setting=query.setting or "",
        document_type=query.document_type or "",
        language=query.language,
    )
    problems = filter_problems(filters)
    if problems:
        raise ValidationError({name: [message] for name, message in problems.items()})
    results = search(user=request.auth, text=query.q, filters=filters, limit=query.limit, offset=query.offset)
    items = [
        {
            "practice": hit.practice,
            "document": hit.document.uuid if hit.document else None,
            "file": hit.version.uuid if hit.version else None,
            "language": hit.version.language if hit.version else None,
            "rank": hit.rank,
            "title": str(hit.title),
            "snippet": str(hit.snippet),
        }
        for hit in results.hits
    ]
    return {"count": results.total, "items": items}
