"""Dissemination records, adoptions (with their levels) and the spread figures over the API: thin endpoints over
the selectors and services of `twinning.knowledge.spread`."""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from twinning.accounts.access import enters_data_anywhere, require
from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import User
from twinning.core.api import (
    Country,
    Input,
    PageQuery,
    Ref,
    TitledRef,
    Version,
    error_responses,
    omittable,
    paginate,
    patch_changes,
)
from twinning.directory.models import Institution
from twinning.knowledge.models import (
    COMMENT_MAX,
    NOTES_MAX,
    Adoption,
    AdoptionLevel,
    DisseminationRecord,
    Level,
    Practice,
)
from twinning.knowledge.selectors import get_practice_for_user
from twinning.knowledge.spread import selectors, services
from twinning.knowledge.spread.evidence import (
    ADOPTION,
    DISSEMINATION,
    evidence_attach,
    evidence_download,
    evidence_remove,
)
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff

router = Router(tags=["knowledge: dissemination and adoptions"])

MAX_LINKS = 50
MAX_REACH = 1_000_000_000
EVIDENCE_SUMMARY = "Multipart: `file` (PDF, DOCX, XLSX, ODT, TXT, JPEG or PNG, checked as in the web form); optional `version`."


class EvidenceIn(Input):
    version: Version | None = None


# --- output ---------------------------------------------------------------------------------------


class DisseminationOut(Schema):
    uuid: UUID
    version: int
    programme: UUID
    partnership: TitledRef | None = Field(
        description="The partnership that recorded it; null: the programme itself."
    )
    kind: DisseminationRecord.Kind
    title: str
    date: datetime.date
    audience: DisseminationRecord.Audience
    venue: str
    doi: str
    people_reached: int | None = Field(description="null: not known.")
    facilities_reached: int | None = Field(description="null: not known.")
    evidence_url: str
    has_evidence_file: bool
    notes: str

    @staticmethod
    def resolve_programme(obj: DisseminationRecord) -> UUID:
        return obj.programme.uuid

    @staticmethod
    def resolve_has_evidence_file(obj: DisseminationRecord) -> bool:
        return bool(obj.evidence_file)


class DisseminationDetailOut(DisseminationOut):
    partnerships: list[TitledRef]
    practices: list[TitledRef] = Field(description="The practices shared that you may see.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_partnerships(obj: DisseminationRecord) -> list[Partnership]:
        return list(obj.partnerships.all())

    @staticmethod
    def resolve_practices(obj: DisseminationRecord) -> list[Practice]:
        return list(obj.practices.all())


class DisseminationPage(Schema):
    count: int
    items: list[DisseminationOut]


class LevelOut(Schema):
    uuid: UUID
    level: Level
    reached_on: datetime.date
    note: str


class AdoptionOut(Schema):
    uuid: UUID
    version: int
    practice: TitledRef
    site_kind: Adoption.SiteKind
    site_name: str
    institution: Ref | None
    area: str
    country: str
    led_by: Adoption.LedBy
    led_by_other: str
    current_level: Level | None = Field(description="The highest level reached.")
    since: datetime.date | None = Field(description="When the current level was reached.")
    first_on: datetime.date | None = Field(description="When the first level was reached.")
    evidence_url: str
    has_evidence_file: bool
    notes: str

    @staticmethod
    def resolve_current_level(obj: Adoption) -> str | None:
        return selectors.level_of_rank(obj.current_rank) or None  # type: ignore[attr-defined]

    @staticmethod
    def resolve_has_evidence_file(obj: Adoption) -> bool:
        return bool(obj.evidence_file)


class AdoptionDetailOut(AdoptionOut):
    levels: list[LevelOut]

    @staticmethod
    def resolve_levels(obj: Adoption) -> list[AdoptionLevel]:
        return selectors.adoption_levels(obj)


class AdoptionPage(Schema):
    count: int
    items: list[AdoptionOut]


class ReachOut(Schema):
    year: int
    records: int
    people: int
    facilities: int


class Pillar5Out(Schema):
    practices_published: int
    adoptions_by_level: dict[str, int] = Field(description="Current level → adoptions; every level present.")
    national_adoptions: int
    national_practices: int
    reach_by_year: list[ReachOut]


# --- input ----------------------------------------------------------------------------------------


class DisseminationFilters(PageQuery):
    programme: UUID | None = None
    partnership: UUID | None = None
    practice: UUID | None = None
    kind: DisseminationRecord.Kind | None = None
    year: int | None = Field(None, ge=1900, le=2200)


class DisseminationCreate(Input):
    programme: UUID | None = Field(None, description="For a programme-wide record (programme editors).")
    partnership: UUID | None = Field(None, description="The partnership that records it.")
    uuid: UUID | None = Field(None, description="Optional: a client-generated id (offline clients).")
    kind: DisseminationRecord.Kind
    title: str = Field(min_length=1, max_length=255)
    date: datetime.date
    audience: DisseminationRecord.Audience
    venue: str = Field("", max_length=255)
    doi: str = Field("", max_length=200)
    people_reached: int | None = Field(None, ge=0, le=MAX_REACH)
    facilities_reached: int | None = Field(None, ge=0, le=1_000_000)
    evidence_url: str = Field("", max_length=500)
    notes: str = Field("", max_length=NOTES_MAX)
    partnerships: list[UUID] = Field([], max_length=MAX_LINKS)
    practices: list[UUID] = Field([], max_length=MAX_LINKS)


class DisseminationUpdate(Input):
    """Only the fields sent are changed."""

    kind: DisseminationRecord.Kind = omittable()
    title: str = omittable(min_length=1, max_length=255)
    date: datetime.date = omittable()
    audience: DisseminationRecord.Audience = omittable()
    venue: str = omittable(max_length=255)
    doi: str = omittable(max_length=200)
    people_reached: int | None = Field(None, ge=0, le=MAX_REACH)
    facilities_reached: int | None = Field(None, ge=0, le=1_000_000)
    evidence_url: str = omittable(max_length=500)
    notes: str = omittable(max_length=NOTES_MAX)
    partnerships: list[UUID] = omittable(max_length=MAX_LINKS)
    practices: list[UUID] = omittable(max_length=MAX_LINKS)
    version: Version = omittable()


class AdoptionFilters(PageQuery):
    practice: UUID | None = None
    programme: UUID | None = None
    level: Level | None = Field(None, description="The current level.")
    country: Country = ""


class AdoptionCreate(Input):
    practice: UUID
    uuid: UUID | None = None
    site_kind: Adoption.SiteKind
    institution: UUID | None = Field(None, description="For an institution: from the directory.")
    area: str = Field("", max_length=200, description="For a district or region: its name.")
    country: Country = Field("", description="For a district, a region or a country (an institution's own).")
    led_by: Adoption.LedBy
    led_by_other: str = Field("", max_length=200)
    level: Level = Field(description="The first level reached.")
    reached_on: datetime.date
    level_note: str = Field("", max_length=COMMENT_MAX)
    evidence_url: str = Field("", max_length=500)
    notes: str = Field("", max_length=NOTES_MAX)


class AdoptionUpdate(Input):
    led_by: Adoption.LedBy = omittable()
    led_by_other: str = omittable(max_length=200)
    evidence_url: str = omittable(max_length=500)
    notes: str = omittable(max_length=NOTES_MAX)
    version: Version = omittable()


class LevelIn(Input):
    uuid: UUID | None = None
    level: Level
    reached_on: datetime.date
    note: str = Field("", max_length=COMMENT_MAX)


# --- helpers --------------------------------------------------------------------------------------


def _partnership(user: User, partnership_uuid: UUID) -> Partnership:
    # A partnership named in a body or filter is input: hidden and missing read the same (422).
    try:
        return get_partnership_for_user(user, partnership_uuid)[0]
    except Http404:
        raise ValidationError({"partnership": [_("Unknown partnership.")]}) from None


def _practice(user: User, practice_uuid: UUID) -> Practice:
    try:
        return get_practice_for_user(user, practice_uuid)[0]
    except Http404:
        raise ValidationError({"practice": [_("Unknown practice.")]}) from None


def _links(user: User, programme_id: int, data: dict[str, Any]) -> dict[str, Any]:
    """Partnerships and practices named by UUID, limited to the programme (and the practices to those the user
    sees); an unknown one is bad input."""
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, qs in (
        ("partnerships", Partnership.objects.filter(programme_id=programme_id)),
        ("practices", Practice.objects.visible_to(user).filter(programme_id=programme_id)),
    ):
        if name not in data:
            continue
        wanted = list(dict.fromkeys(data[name]))
        rows = {row.uuid: row for row in qs.filter(uuid__in=wanted)}
        missing = [str(u) for u in wanted if u not in rows]
        if missing:
            errors[name] = [_("Not in this programme: %(uuids)s.") % {"uuids": ", ".join(missing)}]
        found[name] = [rows[u] for u in wanted if u in rows]
    if errors:
        raise ValidationError(errors)
    return found


def _adoption(user: User, adoption_uuid: UUID, *, write: bool = False) -> Adoption:
    return selectors.get_adoption_for_user(user, adoption_uuid, write=write)


# --- dissemination -------------------------------------------------------------------------------


@router.get(
    "/dissemination", response={200: DisseminationPage, **error_responses()}, summary="List dissemination"
)
def dissemination_list(request: ApiRequest, filters: Query[DisseminationFilters]) -> dict[str, Any]:
    """Dissemination records you may see, newest first."""
    programme = None
    if filters.programme:
        try:
            programme = get_programme_for_staff(request.auth, filters.programme)
        except Http404:
            raise ValidationError({"programme": [_("Unknown programme.")]}) from None
    qs = selectors.dissemination_list(
        user=request.auth,
        programme=programme,
        partnership=_partnership(request.auth, filters.partnership) if filters.partnership else None,
        practice=_practice(request.auth, filters.practice) if filters.practice else None,
        kind=filters.kind or "",
        year=filters.year,
    )
    return paginate(qs, filters)


@router.post(
    "/dissemination",
    response={201: DisseminationDetailOut, **error_responses(403, 404)},
    summary="Record dissemination",
)
def dissemination_create(request: ApiRequest, payload: DisseminationCreate) -> Status:
    """For a partnership (its coordinators and members) or, naming only `programme`, for the programme as a
    whole (its editors)."""
    # The floor before the body is read: who enters data nowhere (a viewer) is refused 403 whatever the
    # body (twinning.core.api).
    require(enters_data_anywhere(request.auth))
    data = payload.model_dump(exclude={"programme", "partnership"})
    # The one partnership (or programme) the record is for, named in the body: hidden or missing answers 404, as
    # in a path.
    if payload.partnership:
        partnership = get_partnership_for_user(request.auth, payload.partnership)[0]
        programme = partnership.programme
    elif payload.programme:
        partnership = None
        programme = get_programme_for_staff(request.auth, payload.programme)
    else:
        raise ValidationError(
            {"partnership": [_("Name the partnership (or the programme) that records it.")]}
        )
    data.update(_links(request.auth, programme.pk, data))
    record = services.dissemination_create(
        actor=request.auth, programme=programme, partnership=partnership, **data
    )
    return Status(201, selectors.get_dissemination_for_user(request.auth, record.uuid))


@router.get(
    "/dissemination/{uuid:record_uuid}",
    response={200: DisseminationDetailOut, **error_responses(404)},
    summary="Get a dissemination record",
)
def dissemination_detail(request: ApiRequest, record_uuid: UUID) -> DisseminationRecord:
    return selectors.get_dissemination_for_user(request.auth, record_uuid)


@router.patch(
    "/dissemination/{uuid:record_uuid}",
    response={200: DisseminationDetailOut, **error_responses(403, 404, 409)},
    summary="Update a dissemination record",
)
def dissemination_patch(
    request: ApiRequest, record_uuid: UUID, payload: DisseminationUpdate
) -> DisseminationRecord:
    record = selectors.get_dissemination_for_user(request.auth, record_uuid, write=True)
    data, version = patch_changes(payload)
    data.update(_links(request.auth, record.programme_id, data))
    services.dissemination_update(actor=request.auth, record=record, data=data, expected_version=version)
    return selectors.get_dissemination_for_user(request.auth, record_uuid)


@router.delete(
    "/dissemination/{uuid:record_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Delete a dissemination record",
)
def dissemination_delete(request: ApiRequest, record_uuid: UUID) -> Status:
    record = selectors.get_dissemination_for_user(request.auth, record_uuid, write=True)
    services.dissemination_delete(actor=request.auth, record=record)
    return Status(204, None)


@router.get(
    "/dissemination/{uuid:record_uuid}/evidence",
    response={200: None, **error_responses(403, 404)},
    summary="Download a dissemination record's evidence file",
)
def dissemination_evidence(request: ApiRequest, record_uuid: UUID) -> FileResponse:
    return evidence_download(DISSEMINATION, request.auth, record_uuid)


@router.post(
    "/dissemination/{uuid:record_uuid}/evidence",
    response={200: DisseminationDetailOut, **error_responses(403, 404, 409, 413)},
    summary="Attach an evidence file to a dissemination record (it replaces the one attached)",
    description=EVIDENCE_SUMMARY,
)
def dissemination_evidence_upload(
    request: ApiRequest, record_uuid: UUID, payload: Form[EvidenceIn], file: File[UploadedFile]
) -> DisseminationRecord:
    return evidence_attach(DISSEMINATION, request.auth, record_uuid, file, payload)


@router.delete(
    "/dissemination/{uuid:record_uuid}/evidence",
    response={204: None, **error_responses(403, 404)},
    summary="Remove a dissemination record's evidence file",
)
def dissemination_evidence_remove(request: ApiRequest, record_uuid: UUID) -> Status:
    evidence_remove(DISSEMINATION, request.auth, record_uuid)
    return Status(204, None)


# --- adoptions ---------------------------------------------------------------------------------------


@router.get("/adoptions", response={200: AdoptionPage, **error_responses()}, summary="List adoptions")
def adoptions_list(request: ApiRequest, filters: Query[AdoptionFilters]) -> dict[str, Any]:
    """Adoptions of the practices you may see, earliest first, each with its current level."""
    programme = None
    if filters.programme:
        try:
            programme = get_programme_for_staff(request.auth, filters.programme)
        except Http404:
            raise ValidationError({"programme": [_("Unknown programme.")]}) from None
    qs = selectors.adoption_list(
        user=request.auth,
        practice=_practice(request.auth, filters.practice) if filters.practice else None,
        programme=programme,
        level=filters.level or "",
        country=filters.country,
    )
    return paginate(qs, filters)


@router.post(
    "/adoptions", response={201: AdoptionDetailOut, **error_responses(403, 404)}, summary="Record an adoption"
)
def adoption_create(request: ApiRequest, payload: AdoptionCreate) -> Status:
    # The floor before the body is read: who enters data nowhere (a viewer) is refused 403 whatever the
    # body (twinning.core.api).
    require(enters_data_anywhere(request.auth))
    # The one practice the request is about, named in the body: hidden or missing answers 404, as in a path.
    practice = get_practice_for_user(request.auth, payload.practice)[0]
    data = payload.model_dump(exclude={"practice", "institution"})
    institution = None
    if payload.institution:
        institution = Institution.objects.filter(uuid=payload.institution).first()
        if institution is None:
            raise ValidationError({"institution": [_("Unknown institution.")]})
    adoption = services.adoption_create(
        actor=request.auth, practice=practice, institution=institution, **data
    )
    return Status(201, _adoption(request.auth, adoption.uuid))


@router.get(
    "/adoptions/{uuid:adoption_uuid}",
    response={200: AdoptionDetailOut, **error_responses(404)},
    summary="Get an adoption with its levels",
)
def adoption_detail(request: ApiRequest, adoption_uuid: UUID) -> Adoption:
    return _adoption(request.auth, adoption_uuid)


@router.patch(
    "/adoptions/{uuid:adoption_uuid}",
    response={200: AdoptionDetailOut, **error_responses(403, 404, 409)},
    summary="Update who led an adoption, its evidence link or notes",
)
def adoption_patch(request: ApiRequest, adoption_uuid: UUID, payload: AdoptionUpdate) -> Adoption:
    adoption = _adoption(request.auth, adoption_uuid, write=True)
    data, version = patch_changes(payload)
    services.adoption_update(actor=request.auth, adoption=adoption, data=data, expected_version=version)
    return _adoption(request.auth, adoption_uuid)


@router.delete(
    "/adoptions/{uuid:adoption_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Delete an adoption",
)
def adoption_delete(request: ApiRequest, adoption_uuid: UUID) -> Status:
    services.adoption_delete(actor=request.auth, adoption=_adoption(request.auth, adoption_uuid, write=True))
    return Status(204, None)


@router.get(
    "/adoptions/{uuid:adoption_uuid}/evidence",
    response={200: None, **error_responses(403, 404)},
    summary="Download an adoption's evidence file",
)
def adoption_evidence(request: ApiRequest, adoption_uuid: UUID) -> FileResponse:
    return evidence_download(ADOPTION, request.auth, adoption_uuid)


@router.post(
    "/adoptions/{uuid:adoption_uuid}/evidence",
    response={200: AdoptionDetailOut, **error_responses(403, 404, 409, 413)},
    summary="Attach an evidence file to an adoption (it replaces the one attached)",
    description=EVIDENCE_SUMMARY,
)
def adoption_evidence_upload(
    request: ApiRequest, adoption_uuid: UUID, payload: Form[EvidenceIn], file: File[UploadedFile]
) -> Adoption:
    return evidence_attach(ADOPTION, request.auth, adoption_uuid, file, payload)


@router.delete(
    "/adoptions/{uuid:adoption_uuid}/evidence",
    response={204: None, **error_responses(403, 404)},
    summary="Remove an adoption's evidence file",
)
def adoption_evidence_remove(request: ApiRequest, adoption_uuid: UUID) -> Status:
    evidence_remove(ADOPTION, request.auth, adoption_uuid)
    return Status(204, None)


@router.post(
    "/adoptions/{uuid:adoption_uuid}/levels",
    response={201: AdoptionDetailOut, **error_responses(403, 404)},
    summary="Record a level the site reached",
)
def adoption_level_create(request: ApiRequest, adoption_uuid: UUID, payload: LevelIn) -> Status:
    adoption = _adoption(request.auth, adoption_uuid, write=True)
    services.adoption_level_record(actor=request.auth, adoption=adoption, **payload.model_dump())
    return Status(201, _adoption(request.auth, adoption_uuid))


@router.delete(
    "/adoptions/{uuid:adoption_uuid}/levels/{uuid:level_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove a level recorded by mistake",
)
def adoption_level_delete(request: ApiRequest, adoption_uuid: UUID, level_uuid: UUID) -> Status:
    adoption = _adoption(request.auth, adoption_uuid, write=True)
    level = next((row for row in adoption.levels.all() if row.uuid == level_uuid), None)
    if level is None:
        raise Http404
    level.adoption = adoption
    services.adoption_level_remove(actor=request.auth, level=level)
    return Status(204, None)


# --- figures ---------------------------------------------------------------------------------------------


@router.get(
    "/programmes/{uuid:programme_uuid}/pillar5",
    response={200: Pillar5Out, **error_responses(404)},
    summary="A programme's pillar-5 figures",
)
def pillar5(request: ApiRequest, programme_uuid: UUID) -> dict[str, Any]:
    """Practices published, adoptions by current level, national adoptions and dissemination reach by year,
    computed now over what you may see (programme staff)."""
    programme = get_programme_for_staff(request.auth, programme_uuid)
    figures = selectors.pillar5_figures(user=request.auth, programme=programme)
    return {
        "practices_published": figures.practices_published,
        "adoptions_by_level": figures.by_level,
        "national_adoptions": figures.national_adoptions,
        "national_practices": figures.national_practices,
        "reach_by_year": figures.reach,
    }
