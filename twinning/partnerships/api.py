"""Partnerships over the API: thin endpoints over the partnership selectors and services."""

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from twinning.accounts.access import is_programme_editor, require
from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import User
from twinning.core.api import (
    Country,
    Input,
    PageQuery,
    Version,
    error_responses,
    omittable,
    patch_changes,
)
from twinning.directory.api import InstitutionRef
from twinning.directory.models import Institution
from twinning.directory.selectors import institution_list
from twinning.partnerships.models import (
    Partnership,
    Programme,
    Stage,
    StageChange,
    Stakeholder,
)
from twinning.partnerships.selectors import (
    get_partnership_for_user,
    get_programme_for_user,
    partnership_list,
    partnership_rows,
    side_prefetches,
)
from twinning.partnerships.services import partnership_create, partnership_stage_change, partnership_update

router = Router(tags=["partnerships"])

MAX_TEXT = 10_000
# A side with more institutions than this is a data-entry mistake, not a partnership.
MAX_SIDE = 20


class ProgrammeRef(Schema):
    uuid: uuid.UUID
    name: str


class PartnershipOut(Schema):
    uuid: uuid.UUID
    version: int
    title: str
    programme: ProgrammeRef
    stage: Stage
    start_date: datetime.date | None
    end_date: datetime.date | None
    hosts: list[InstitutionRef]
    resources: list[InstitutionRef]


class StakeholderOut(Schema):
    uuid: uuid.UUID
    kind: Stakeholder.Kind
    name: str
    institution: InstitutionRef | None
    role: str
    contact_name: str
    contact_email: str = Field(
        description="Empty for readers (viewers) the programme has not granted contact details."
    )


class StageChangeOut(Schema):
    stage: Stage
    changed_on: datetime.date
    note: str
    recorded_at: datetime.datetime = Field(alias="created_at")


class PartnershipDetailOut(PartnershipOut):
    shared_goal: str
    stakeholders: list[StakeholderOut]
    stage_history: list[StageChangeOut] = Field(description="Latest date first.")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    # A list answers plain rows (partnership_rows); one partnership is a model with both sides prefetched as lists
    # by the selectors (side_prefetches), never queried per row.
    @staticmethod
    def resolve_hosts(obj: Partnership) -> list[Institution]:
        return [link.institution for link in obj.host_links]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_resources(obj: Partnership) -> list[Institution]:
        return [link.institution for link in obj.resource_links]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_stakeholders(obj: Partnership) -> list[Stakeholder]:
        return list(obj.stakeholders.all())

    @staticmethod
    def resolve_stage_history(obj: Partnership) -> list[StageChange]:
        return list(obj.stage_changes.all())


class PartnershipPage(Schema):
    count: int
    items: list[PartnershipOut]


class PartnershipFilters(PageQuery):
    q: str = Field("", max_length=200, description="Words in the title.")
    programme: uuid.UUID | None = None
    stage: Stage | None = None
    country: Country = Field("", description="ISO 3166 alpha-2 code of an institution on either side.")


class PartnershipCreate(Input):
    programme: uuid.UUID
    title: str = Field(min_length=1, max_length=255)
    shared_goal: str = Field("", max_length=MAX_TEXT)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    hosts: list[uuid.UUID] = Field(max_length=MAX_SIDE, description="UUIDs of the host institutions.")
    resources: list[uuid.UUID] = Field(max_length=MAX_SIDE, description="UUIDs of the resource institutions.")


class PartnershipUpdate(Input):
    """Only the fields sent are changed; dates may be sent as null to clear them."""

    title: str = omittable(min_length=1, max_length=255)
    shared_goal: str = omittable(max_length=MAX_TEXT)
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    version: Version = omittable()


class StageChangeIn(Input):
    stage: Stage
    changed_on: datetime.date | None = Field(
        None, description="Defaults to today where the host institution is (its time zone); cannot be later."
    )
    note: str = Field("", max_length=MAX_TEXT)
    version: Version = omittable()


def _with_details(partnership: Partnership) -> Partnership:
    """Load what the detail shows in one query per relation, not one per row."""
    prefetch_related_objects(
        [partnership],
        *side_prefetches(),
        Prefetch("stakeholders", queryset=Stakeholder.objects.select_related("institution")),
        "stage_changes",
    )
    return partnership


def _programme(user: User, programme_uuid: uuid.UUID) -> Programme:
    # A programme named in a filter or body is input, so a hidden or missing one is bad input (422), and
    # both read the same, so the answer does not reveal which programmes exist.
    try:
        return get_programme_for_user(user, programme_uuid)
    except Http404:
        raise ValidationError({"programme": [_("Unknown programme.")]}) from None


def _institutions(
    user: User, uuids: list[uuid.UUID], field: str, errors: dict[str, list[str]]
) -> list[Institution]:
    wanted = list(dict.fromkeys(uuids))
    found = {i.uuid: i for i in institution_list(user=user).prefetch_related(None).filter(uuid__in=wanted)}
    unknown = [str(u) for u in wanted if u not in found]
    if unknown:
        errors[field] = [_("Unknown institution: %(uuids)s.") % {"uuids": ", ".join(unknown)}]
    return [found[u] for u in wanted if u in found]


@router.get("", response={200: PartnershipPage, **error_responses()}, summary="List partnerships")
def partnerships_list(request: ApiRequest, filters: Query[PartnershipFilters]) -> dict[str, Any]:
    """Partnerships of the programmes you are staff of, and those you are a member of."""
    programme = _programme(request.auth, filters.programme) if filters.programme else None
    partnerships = partnership_list(
        user=request.auth,
        q=filters.q,
        programme=programme,
        stage=filters.stage or "",
        country=filters.country,
    )
    return {
        "count": partnerships.count(),
        "items": partnership_rows(partnerships, filters.offset, filters.limit),
    }


@router.get(
    "/{partnership_uuid}",
    response={200: PartnershipDetailOut, **error_responses(404)},
    summary="Get a partnership",
)
def partnership_detail(request: ApiRequest, partnership_uuid: str) -> Partnership:
    partnership, access = get_partnership_for_user(request.auth, partnership_uuid)
    partnership = _with_details(partnership)
    if not access.can_see_contacts:
        # Blanked on the loaded rows only, for this answer: readers see a stakeholder's name, not its address.
        for stakeholder in partnership.stakeholders.all():
            stakeholder.contact_email = ""
    return partnership


@router.post(
    "", response={201: PartnershipDetailOut, **error_responses(403, 404)}, summary="Create a partnership"
)
def partnerships_create(request: ApiRequest, payload: PartnershipCreate) -> Status:
    """Programme managers and M&E officers create partnerships in their programme."""
    # The floor before the body is read: who edits no programme (a viewer, a coordinator) is refused 403 whatever the
    # body (twinning.core.api).
    require(is_programme_editor(request.auth))
    # The one programme the request is about, named in the body: hidden or missing answers 404, as in a path.
    programme = get_programme_for_user(request.auth, payload.programme)
    errors: dict[str, list[str]] = {}
    hosts = _institutions(request.auth, payload.hosts, "hosts", errors)
    resources = _institutions(request.auth, payload.resources, "resources", errors)
    if errors:
        raise ValidationError(errors)
    partnership = partnership_create(
        actor=request.auth,
        programme=programme,
        title=payload.title,
        shared_goal=payload.shared_goal,
        start_date=payload.start_date,
        end_date=payload.end_date,
        hosts=hosts,
        resources=resources,
    )
    return Status(201, _with_details(partnership))


@router.patch(
    "/{partnership_uuid}",
    response={200: PartnershipDetailOut, **error_responses(403, 404, 409)},
    summary="Update a partnership",
)
def partnership_patch(request: ApiRequest, partnership_uuid: str, payload: PartnershipUpdate) -> Partnership:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid, write=True)
    data, version = patch_changes(payload)
    partnership = partnership_update(
        actor=request.auth, partnership=partnership, data=data, expected_version=version
    )
    return _with_details(partnership)


@router.post(
    "/{partnership_uuid}/stage",
    response={200: PartnershipDetailOut, **error_responses(403, 404, 409)},
    summary="Move a partnership to another stage",
)
def partnership_stage(request: ApiRequest, partnership_uuid: str, payload: StageChangeIn) -> Partnership:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid, write=True)
    partnership = partnership_stage_change(
        actor=request.auth,
        partnership=partnership,
        stage=payload.stage,
        changed_on=payload.changed_on,
        note=payload.note,
        expected_version=payload.version,
    )
    return _with_details(partnership)
