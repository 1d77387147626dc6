"""The institution directory over the API: thin endpoints over the directory selectors and services."""

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from twinning.accounts.access import can_create_institution, require
from twinning.accounts.api_auth import ApiRequest
from twinning.core.api import (
    Country,
    Input,
    PageQuery,
    TimeZone,
    Version,
    error_responses,
    omittable,
    paginate,
    patch_changes,
)
from twinning.directory.models import HealthArea, Institution, Language
from twinning.directory.selectors import get_institution_for_user, institution_list
from twinning.directory.services import institution_create, institution_update

router = Router(tags=["institutions"])

# Long enough for any real description; the cap keeps one request from storing megabytes of text.
MAX_DESCRIPTION = 10_000
MAX_CODES = 50


class AreaOut(Schema):
    code: str
    name: str

    @staticmethod
    def resolve_name(obj: HealthArea) -> str:
        # Area names are seeded in English and translated for display, like the taxonomy in the UI.
        return _(obj.name)


class InstitutionRef(Schema):
    """How other objects (partnership sides, stakeholders) name an institution."""

    uuid: uuid.UUID
    name: str
    country: str


class InstitutionOut(Schema):
    uuid: uuid.UUID
    version: int
    name: str
    short_name: str
    type: Institution.Type
    country: str
    country_name: str
    city: str
    languages: list[str] = Field(description="ISO 639-1 codes.")
    expertise: list[AreaOut]

    @staticmethod
    def resolve_languages(obj: Institution) -> list[str]:
        # Read through .all() so the selector's prefetch answers it; a values_list() would query per row.
        return [language.code for language in obj.languages.all()]

    @staticmethod
    def resolve_expertise(obj: Institution) -> list[HealthArea]:
        return list(obj.expertise.all())


class InstitutionDetailOut(InstitutionOut):
    region: str
    website: str
    description: str
    time_zone: str
    capacity: int
    iati_org_id: str
    dhis2_org_unit: str
    needs: list[AreaOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_needs(obj: Institution) -> list[HealthArea]:
        return list(obj.needs.all())


class InstitutionPage(Schema):
    count: int
    items: list[InstitutionOut]


class InstitutionFilters(PageQuery):
    q: str = Field("", max_length=200, description="Words in the name, short name or city.")
    country: Country = Field("", description="ISO 3166 alpha-2 code.")
    type: Institution.Type | None = None
    expertise: str = Field("", max_length=50, description="Health-area code, e.g. maternal-newborn.")


class InstitutionCreate(Input):
    name: str = Field(min_length=1, max_length=255)
    short_name: str = Field("", max_length=50)
    type: Institution.Type
    country: Country = Field(description="ISO 3166 alpha-2 code.")
    region: str = Field("", max_length=120)
    city: str = Field("", max_length=120)
    website: str = Field("", max_length=200)
    description: str = Field("", max_length=MAX_DESCRIPTION)
    time_zone: TimeZone = ""
    capacity: int = Field(1, ge=0, le=50)
    iati_org_id: str = Field("", max_length=100)
    dhis2_org_unit: str = Field("", max_length=11)
    languages: list[str] = Field(default_factory=list, max_length=MAX_CODES, description="ISO 639-1 codes.")
    expertise: list[str] = Field(default_factory=list, max_length=MAX_CODES, description="Health-area codes.")
    needs: list[str] = Field(default_factory=list, max_length=MAX_CODES, description="Health-area codes.")


class InstitutionUpdate(Input):
    """Only the fields sent are changed. A default of None means "not sent"; sending null is refused."""

    name: str = omittable(min_length=1, max_length=255)
    short_name: str = omittable(max_length=50)
    type: Institution.Type = omittable()
    country: Country = omittable(description="ISO 3166 alpha-2 code.")
    region: str = omittable(max_length=120)
    city: str = omittable(max_length=120)
    website: str = omittable(max_length=200)
    description: str = omittable(max_length=MAX_DESCRIPTION)
    time_zone: TimeZone = omittable()
    capacity: int = omittable(ge=0, le=50)
    iati_org_id: str = omittable(max_length=100)
    dhis2_org_unit: str = omittable(max_length=11)
    languages: list[str] = omittable(max_length=MAX_CODES, description="ISO 639-1 codes.")
    expertise: list[str] = omittable(max_length=MAX_CODES, description="Health-area codes.")
    needs: list[str] = omittable(max_length=MAX_CODES, description="Health-area codes.")
    version: Version = omittable()


CODED_FIELDS: dict[str, type[Model]] = {"languages": Language, "expertise": HealthArea, "needs": HealthArea}


def _resolve_codes(data: dict[str, Any]) -> dict[str, Any]:
    """Replace language and area codes in `data` by their rows; every unknown code is reported at once."""
    errors: dict[str, list[str]] = {}
    resolved = dict(data)
    for name, model in CODED_FIELDS.items():
        if name not in data:
            continue
        codes = list(dict.fromkeys(data[name]))
        rows = {row.code: row for row in model._default_manager.filter(code__in=codes)}  # type: ignore[attr-defined]
        unknown = [code for code in codes if code not in rows]
        if unknown:
            errors[name] = [_("Unknown code: %(codes)s.") % {"codes": ", ".join(c[:50] for c in unknown)}]
        resolved[name] = [rows[code] for code in codes if code in rows]
    if errors:
        raise ValidationError(errors)
    return resolved


@router.get("", response={200: InstitutionPage, **error_responses()}, summary="List institutions")
def institutions_list(request: ApiRequest, filters: Query[InstitutionFilters]) -> dict[str, Any]:
    """The directory is open to every signed-in user."""
    institutions = institution_list(
        user=request.auth,
        q=filters.q,
        country=filters.country,
        type=filters.type or "",
        expertise=filters.expertise,
    )
    return paginate(institutions, filters)


@router.get(
    "/{institution_uuid}",
    response={200: InstitutionDetailOut, **error_responses(404)},
    summary="Get an institution",
)
def institution_detail(request: ApiRequest, institution_uuid: str) -> Institution:
    return get_institution_for_user(request.auth, institution_uuid)


@router.post(
    "", response={201: InstitutionDetailOut, **error_responses(403)}, summary="Create an institution"
)
def institutions_create(request: ApiRequest, payload: InstitutionCreate) -> Status:
    """Programme editors and partnership coordinators may add institutions."""
    # The floor before the body is read: who may add none (a viewer, a member) is refused 403 whatever the
    # body (twinning.core.api).
    require(can_create_institution(request.auth))
    institution = institution_create(actor=request.auth, **_resolve_codes(payload.model_dump()))
    return Status(201, get_institution_for_user(request.auth, institution.uuid))


@router.patch(
    "/{institution_uuid}",
    response={200: InstitutionDetailOut, **error_responses(403, 404, 409)},
    summary="Update an institution",
)
def institution_patch(request: ApiRequest, institution_uuid: str, payload: InstitutionUpdate) -> Institution:
    """Programme editors, and coordinators of partnerships the institution is in, may change it."""
    # Asked before the input is read, so that a reader's malformed request answers 403 too (not 422).
    institution = get_institution_for_user(request.auth, institution_uuid, write=True)
    data, version = patch_changes(payload)
    institution_update(
        actor=request.auth, institution=institution, data=_resolve_codes(data), expected_version=version
    )
    # Read it again: the selector's prefetched areas predate the change.
    return get_institution_for_user(request.auth, institution_uuid)
