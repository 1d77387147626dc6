"""Exchanges, participants, trainees and mentoring over the API: thin endpoints over selectors and services."""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from twinning.accounts.access import enters_data_anywhere, require
from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import User
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
from twinning.core.choices import Side
from twinning.directory.models import Person
from twinning.exchanges import services
from twinning.exchanges.models import (
    Exchange,
    MentoringPair,
    MentoringSession,
    Participant,
    Sex,
    TraineeGroup,
    TrainingSetting,
)
from twinning.exchanges.selectors import (
    exchange_list,
    exchange_summary,
    get_exchange_for_user,
    get_mentoring_pair_for_user,
    mentoring_pair_list,
    partnership_people,
)
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff
from twinning.planning.models import Activity, Objective

router = Router(tags=["exchanges"])

MAX_TEXT = 20_000
MAX_LINKS = 50


# --- output --------------------------------------------------------------------------------------


class PersonRef(Schema):
    uuid: UUID
    full_name: str
    cadre: Person.Cadre | None = Field(description="None: not recorded.")

    @staticmethod
    def resolve_cadre(obj: Person) -> str | None:
        return obj.cadre or None


class ParticipantOut(Schema):
    uuid: UUID
    version: int
    person: PersonRef
    side: Side
    role: Participant.Role
    sex: Sex
    setting: TrainingSetting | None = Field(description="None: not recorded.")

    @staticmethod
    def resolve_setting(obj: Participant) -> str | None:
        return obj.setting or None


class TraineeGroupOut(Schema):
    uuid: UUID
    version: int
    sex: Sex
    cadre: Person.Cadre
    setting: TrainingSetting | None = Field(description="None: not recorded.")
    count: int

    @staticmethod
    def resolve_setting(obj: TraineeGroup) -> str | None:
        return obj.setting or None


class ExchangeOut(Schema):
    uuid: UUID
    version: int
    partnership: TitledRef
    title: str
    type: Exchange.Type
    direction: Exchange.Direction
    status: Exchange.Status
    start_date: datetime.date
    end_date: datetime.date
    days: int = Field(description="Inclusive of both ends.")
    place: str
    country: str
    participant_count: int
    person_days: int = Field(description="Named participants × days.")

    @staticmethod
    def resolve_person_days(obj: Exchange) -> int:
        return obj.participant_count * obj.days  # type: ignore[attr-defined]


class ExchangeDetailOut(Schema):
    uuid: UUID
    version: int
    partnership: TitledRef
    title: str
    type: Exchange.Type
    direction: Exchange.Direction
    status: Exchange.Status
    start_date: datetime.date
    end_date: datetime.date
    days: int
    place: str
    country: str
    purpose: str
    objectives: list[UUID]
    activities: list[UUID]
    trip_report: str
    has_report_file: bool
    outcomes: str
    host_learned: str
    resource_learned: str
    participants: list[ParticipantOut]
    trainee_groups: list[TraineeGroupOut]
    person_days: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_objectives(obj: Exchange) -> list[UUID]:
        return [o.uuid for o in obj.objectives.all()]

    @staticmethod
    def resolve_activities(obj: Exchange) -> list[UUID]:
        return [a.uuid for a in obj.activities.all()]

    @staticmethod
    def resolve_has_report_file(obj: Exchange) -> bool:
        return bool(obj.report_file)

    @staticmethod
    def resolve_participants(obj: Exchange) -> list[Participant]:
        return list(obj.participants.all())

    @staticmethod
    def resolve_trainee_groups(obj: Exchange) -> list[TraineeGroup]:
        return list(obj.trainee_groups.all())

    @staticmethod
    def resolve_person_days(obj: Exchange) -> int:
        return len(obj.participants.all()) * obj.days


class ExchangePage(Schema):
    count: int
    items: list[ExchangeOut]


class SessionOut(Schema):
    uuid: UUID
    version: int
    date: datetime.date
    mode: MentoringSession.Mode
    duration_minutes: int
    notes: str


class PairOut(Schema):
    uuid: UUID
    version: int
    partnership: TitledRef
    mentor: PersonRef
    mentee: PersonRef
    mentor_side: Side
    goals: str
    status: MentoringPair.Status
    start_date: datetime.date | None
    end_date: datetime.date | None


class PairListOut(PairOut):
    session_count: int
    minutes: int

    @staticmethod
    def resolve_minutes(obj: MentoringPair) -> int:
        return obj.minutes or 0  # type: ignore[attr-defined]


class PairDetailOut(PairOut):
    sessions: list[SessionOut]

    @staticmethod
    def resolve_sessions(obj: MentoringPair) -> list[MentoringSession]:
        return list(obj.sessions.order_by("-date", "-id"))


class PairPage(Schema):
    count: int
    items: list[PairListOut]


class DirectionOut(Schema):
    direction: Exchange.Direction
    completed: int
    planned: int
    participants: int
    person_days: int


class TrainedOut(Schema):
    cadre: Person.Cadre | None = Field(description="None: not recorded.")
    by_sex: dict[str, int]
    total: int


class SummaryOut(Schema):
    directions: list[DirectionOut]
    trained: list[TrainedOut]
    total_trained: int
    named_trained: int
    unnamed_trained: int
    trained_by_setting: dict[str, int]
    trainers_from_trainees: int
    mentoring_by_status: dict[str, int]
    mentoring_sessions: int
    mentoring_minutes: int


# --- input ---------------------------------------------------------------------------------------


class ExchangeFilters(PageQuery):
    partnership: UUID | None = None
    type: Exchange.Type | None = None
    direction: Exchange.Direction | None = None
    status: Exchange.Status | None = None
    year: int | None = Field(None, ge=1900, le=2200)


class ExchangeCreate(Input):
    partnership: UUID
    uuid: UUID | None = Field(None, description="Optional: a client-generated id (offline clients).")
    title: str = Field(min_length=1, max_length=255)
    type: Exchange.Type
    direction: Exchange.Direction
    status: Exchange.Status = Exchange.Status.PLANNED
    start_date: datetime.date
    end_date: datetime.date
    place: str = Field("", max_length=200)
    country: Country = ""
    purpose: str = Field("", max_length=MAX_TEXT)
    objectives: list[UUID] = Field([], max_length=MAX_LINKS)
    activities: list[UUID] = Field([], max_length=MAX_LINKS)
    trip_report: str = Field("", max_length=MAX_TEXT)
    outcomes: str = Field("", max_length=MAX_TEXT)
    host_learned: str = Field("", max_length=MAX_TEXT)
    resource_learned: str = Field("", max_length=MAX_TEXT)


class ExchangeUpdate(Input):
    """Only the fields sent are changed."""

    title: str = omittable(min_length=1, max_length=255)
    type: Exchange.Type = omittable()
    direction: Exchange.Direction = omittable()
    status: Exchange.Status = omittable()
    start_date: datetime.date = omittable()
    end_date: datetime.date = omittable()
    place: str = omittable(max_length=200)
    country: Country = omittable()
    purpose: str = omittable(max_length=MAX_TEXT)
    objectives: list[UUID] = omittable(max_length=MAX_LINKS)
    activities: list[UUID] = omittable(max_length=MAX_LINKS)
    trip_report: str = omittable(max_length=MAX_TEXT)
    outcomes: str = omittable(max_length=MAX_TEXT)
    host_learned: str = omittable(max_length=MAX_TEXT)
    resource_learned: str = omittable(max_length=MAX_TEXT)
    version: Version = omittable()


class ParticipantIn(Input):
    uuid: UUID | None = None
    person: UUID
    role: Participant.Role
    side: Side | None = Field(None, description="Defaults to the side of the person's institution.")
    sex: Sex = Sex.UNKNOWN
    setting: TrainingSetting | None = Field(None, description="Left out or null: not recorded.")


class ParticipantUpdate(Input):
    role: Participant.Role = omittable()
    sex: Sex = omittable()
    setting: TrainingSetting | None = omittable(description="null: not recorded.")
    version: Version = omittable()


class TraineeGroupIn(Input):
    uuid: UUID | None = None
    sex: Sex
    cadre: Person.Cadre
    setting: TrainingSetting | None = Field(None, description="Left out or null: not recorded.")
    count: int = Field(ge=1, le=100_000)


class PairFilters(PageQuery):
    partnership: UUID | None = None
    status: MentoringPair.Status | None = None


class PairCreate(Input):
    partnership: UUID
    uuid: UUID | None = None
    mentor: UUID
    mentee: UUID
    goals: str = Field("", max_length=MAX_TEXT)
    status: MentoringPair.Status = MentoringPair.Status.PROPOSED
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None


class PairUpdate(Input):
    goals: str = omittable(max_length=MAX_TEXT)
    status: MentoringPair.Status = omittable()
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    version: Version = omittable()


class SessionIn(Input):
    uuid: UUID | None = None
    date: datetime.date
    mode: MentoringSession.Mode
    duration_minutes: int = Field(ge=1, le=24 * 60)
    notes: str = Field("", max_length=MAX_TEXT)


class SummaryQuery(Schema):
    partnership: UUID | None = None
    programme: UUID | None = None


# --- helpers -------------------------------------------------------------------------------------


def _partnership(user: User, partnership_uuid: UUID) -> Partnership:
    # A partnership named in a body or filter is input: hidden and missing read the same (422).
    try:
        return get_partnership_for_user(user, partnership_uuid)[0]
    except Http404:
        raise ValidationError({"partnership": [_("Unknown partnership.")]}) from None


def _subject(user: User, partnership_uuid: UUID) -> Partnership:
    # The one partnership a write's body is about: hidden or missing answers 404, as it would in a path (the
    # rule is in twinning.core.api); a partnership that only filters a list stays input (`_partnership`, 422).
    return get_partnership_for_user(user, partnership_uuid)[0]


def _person(partnership: Partnership, person_uuid: UUID, field: str) -> Person:
    person = partnership_people(partnership).filter(uuid=person_uuid).first()
    if person is None:
        raise ValidationError({field: [_("No such person works at an institution of this partnership.")]})
    return person


def _plan_links(partnership: Partnership, data: dict[str, Any]) -> dict[str, Any]:
    """Objectives and activities by UUID, limited to the partnership's plans (unknown ones are bad input)."""
    found: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, qs in (
        ("objectives", Objective.objects.filter(plan__partnership=partnership)),
        ("activities", Activity.objects.filter(objective__plan__partnership=partnership)),
    ):
        if field not in data:
            continue
        wanted = list(dict.fromkeys(data[field]))
        rows = {row.uuid: row for row in qs.filter(uuid__in=wanted)}
        missing = [str(u) for u in wanted if u not in rows]
        if missing:
            errors[field] = [_("Not in this partnership's plans: %(uuids)s.") % {"uuids": ", ".join(missing)}]
        found[field] = [rows[u] for u in wanted if u in rows]
    if errors:
        raise ValidationError(errors)
    return found


def _detail(user: User, exchange_uuid: Any, *, write: bool = False) -> Exchange:
    # write=True before a view reads its body: a read-only caller gets 403 whatever they sent (a bad body
    # included, which django-ninja refuses before the view runs; see core.api._hidden_before_invalid).
    return get_exchange_for_user(user, exchange_uuid, write=write)


# --- mentoring (before /{exchange_uuid} so the literal path wins) ---------------------------------


@router.get("/mentoring", response={200: PairPage, **error_responses()}, summary="List mentoring pairs")
def pairs_list(request: ApiRequest, filters: Query[PairFilters]) -> dict[str, Any]:
    partnership = _partnership(request.auth, filters.partnership) if filters.partnership else None
    return paginate(
        mentoring_pair_list(user=request.auth, partnership=partnership, status=filters.status or ""), filters
    )


@router.post(
    "/mentoring",
    response={201: PairDetailOut, **error_responses(403, 404)},
    summary="Create a mentoring pair",
)
def pair_create(request: ApiRequest, payload: PairCreate) -> Status:
    # The floor before the body is read: who enters data nowhere (a viewer) is refused 403 whatever the body.
    require(enters_data_anywhere(request.auth))
    partnership = _subject(request.auth, payload.partnership)
    errors: dict[str, list[str]] = {}
    people: dict[str, Person] = {}
    for field in ("mentor", "mentee"):
        try:
            people[field] = _person(partnership, getattr(payload, field), field)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    pair = services.mentoring_pair_create(
        actor=request.auth,
        partnership=partnership,
        mentor=people["mentor"],
        mentee=people["mentee"],
        goals=payload.goals,
        status=payload.status,
        start_date=payload.start_date,
        end_date=payload.end_date,
        uuid=payload.uuid,
    )
    return Status(201, get_mentoring_pair_for_user(request.auth, pair.uuid))


@router.get(
    "/mentoring/{uuid:pair_uuid}",
    response={200: PairDetailOut, **error_responses(404)},
    summary="Get a mentoring pair",
)
def pair_detail(request: ApiRequest, pair_uuid: UUID) -> MentoringPair:
    return get_mentoring_pair_for_user(request.auth, pair_uuid)


@router.patch(
    "/mentoring/{uuid:pair_uuid}",
    response={200: PairDetailOut, **error_responses(403, 404, 409)},
    summary="Update a mentoring pair",
)
def pair_patch(request: ApiRequest, pair_uuid: UUID, payload: PairUpdate) -> MentoringPair:
    pair = get_mentoring_pair_for_user(request.auth, pair_uuid, write=True)
    data, version = patch_changes(payload)
    services.mentoring_pair_update(actor=request.auth, pair=pair, data=data, expected_version=version)
    return get_mentoring_pair_for_user(request.auth, pair_uuid)


@router.post(
    "/mentoring/{uuid:pair_uuid}/sessions",
    response={201: SessionOut, **error_responses(403, 404)},
    summary="Log a mentoring session",
)
def session_create(request: ApiRequest, pair_uuid: UUID, payload: SessionIn) -> Status:
    pair = get_mentoring_pair_for_user(request.auth, pair_uuid, write=True)
    session = services.mentoring_session_add(actor=request.auth, pair=pair, **payload.model_dump())
    return Status(201, session)


@router.delete(
    "/mentoring/{uuid:pair_uuid}/sessions/{uuid:session_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove a mentoring session",
)
def session_delete(request: ApiRequest, pair_uuid: UUID, session_uuid: UUID) -> Status:
    pair = get_mentoring_pair_for_user(request.auth, pair_uuid)
    session = pair.sessions.filter(uuid=session_uuid).first()
    if session is None:
        raise Http404
    session.pair = pair
    services.mentoring_session_remove(actor=request.auth, session=session)
    return Status(204, None)


@router.get(
    "/summary", response={200: SummaryOut, **error_responses()}, summary="Exchange and training summary"
)
def summary(request: ApiRequest, query: Query[SummaryQuery]) -> dict[str, Any]:
    """For one partnership (its readers) or one programme (its staff); give exactly one of the two.

    A partnership or programme you may not see reads like one that does not exist: 422, as for any bad filter.
    """
    if (query.partnership is None) == (query.programme is None):
        raise ValidationError(_("Give either a partnership or a programme."))
    if query.partnership is not None:
        result = exchange_summary(partnership=_partnership(request.auth, query.partnership))
    else:
        try:
            programme = get_programme_for_staff(request.auth, query.programme)
        except Http404:
            raise ValidationError({"programme": [_("Unknown programme.")]}) from None
        result = exchange_summary(programme=programme)
    return {
        "directions": result.directions,
        "trained": [{"cadre": c.cadre or None, "by_sex": c.by_sex, "total": c.total} for c in result.trained],
        "total_trained": result.total_trained,
        "named_trained": result.named_trained,
        "unnamed_trained": result.unnamed_trained,
        "trained_by_setting": result.trained_by_setting,
        "trainers_from_trainees": result.trainers_from_trainees,
        "mentoring_by_status": result.mentoring_by_status,
        "mentoring_sessions": result.mentoring_sessions,
        "mentoring_minutes": result.mentoring_minutes,
    }


# --- exchanges -----------------------------------------------------------------------------------


@router.get("", response={200: ExchangePage, **error_responses()}, summary="List exchanges")
def exchanges_list(request: ApiRequest, filters: Query[ExchangeFilters]) -> dict[str, Any]:
    """Exchanges of the partnerships you may see, latest first."""
    partnership = _partnership(request.auth, filters.partnership) if filters.partnership else None
    qs = exchange_list(
        user=request.auth,
        partnership=partnership,
        type=filters.type or "",
        direction=filters.direction or "",
        status=filters.status or "",
        year=filters.year,
    )
    return paginate(qs, filters)


@router.post("", response={201: ExchangeDetailOut, **error_responses(403, 404)}, summary="Log an exchange")
def exchange_create(request: ApiRequest, payload: ExchangeCreate) -> Status:
    # The floor before the body is read: who enters data nowhere (a viewer) is refused 403 whatever the body.
    require(enters_data_anywhere(request.auth))
    partnership = _subject(request.auth, payload.partnership)
    data = payload.model_dump(exclude={"partnership"})
    data.update(_plan_links(partnership, data))
    exchange = services.exchange_create(actor=request.auth, partnership=partnership, **data)
    return Status(201, _detail(request.auth, exchange.uuid))


@router.get(
    "/{uuid:exchange_uuid}",
    response={200: ExchangeDetailOut, **error_responses(404)},
    summary="Get an exchange",
)
def exchange_detail(request: ApiRequest, exchange_uuid: UUID) -> Exchange:
    return _detail(request.auth, exchange_uuid)


@router.patch(
    "/{uuid:exchange_uuid}",
    response={200: ExchangeDetailOut, **error_responses(403, 404, 409)},
    summary="Update an exchange",
)
def exchange_patch(request: ApiRequest, exchange_uuid: UUID, payload: ExchangeUpdate) -> Exchange:
    exchange = _detail(request.auth, exchange_uuid, write=True)
    data, version = patch_changes(payload)
    data.update(_plan_links(exchange.partnership, data))
    services.exchange_update(actor=request.auth, exchange=exchange, data=data, expected_version=version)
    return _detail(request.auth, exchange_uuid)


@router.delete(
    "/{uuid:exchange_uuid}", response={204: None, **error_responses(403, 404)}, summary="Delete an exchange"
)
def exchange_delete(request: ApiRequest, exchange_uuid: UUID) -> Status:
    services.exchange_delete(actor=request.auth, exchange=_detail(request.auth, exchange_uuid))
    return Status(204, None)


@router.post(
    "/{uuid:exchange_uuid}/participants",
    response={201: ParticipantOut, **error_responses(403, 404)},
    summary="Add a participant",
)
def participant_create(request: ApiRequest, exchange_uuid: UUID, payload: ParticipantIn) -> Status:
    exchange = _detail(request.auth, exchange_uuid, write=True)
    person = _person(exchange.partnership, payload.person, "person")
    participant = services.participant_add(
        actor=request.auth,
        exchange=exchange,
        person=person,
        role=payload.role,
        side=payload.side,
        sex=payload.sex,
        setting=payload.setting or "",
        uuid=payload.uuid,
    )
    return Status(201, participant)


def _participant(exchange: Exchange, participant_uuid: UUID) -> Participant:
    participant = next((p for p in exchange.participants.all() if p.uuid == participant_uuid), None)
    if participant is None:
        raise Http404
    participant.exchange = exchange
    return participant


@router.patch(
    "/{uuid:exchange_uuid}/participants/{uuid:participant_uuid}",
    response={200: ParticipantOut, **error_responses(403, 404, 409)},
    summary="Change a participant's role, sex or setting",
)
def participant_patch(
    request: ApiRequest, exchange_uuid: UUID, participant_uuid: UUID, payload: ParticipantUpdate
) -> Participant:
    participant = _participant(_detail(request.auth, exchange_uuid), participant_uuid)
    data, version = patch_changes(payload)
    if "setting" in data:
        data["setting"] = data["setting"] or ""  # null: not recorded
    return services.participant_update(
        actor=request.auth, participant=participant, data=data, expected_version=version
    )


@router.delete(
    "/{uuid:exchange_uuid}/participants/{uuid:participant_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove a participant",
)
def participant_delete(request: ApiRequest, exchange_uuid: UUID, participant_uuid: UUID) -> Status:
    participant = _participant(_detail(request.auth, exchange_uuid), participant_uuid)
    services.participant_remove(actor=request.auth, participant=participant)
    return Status(204, None)


@router.post(
    "/{uuid:exchange_uuid}/trainee-groups",
    response={201: TraineeGroupOut, **error_responses(403, 404)},
    summary="Add unnamed trainees (adds to an existing count for the same breakdown)",
)
def trainee_group_create(request: ApiRequest, exchange_uuid: UUID, payload: TraineeGroupIn) -> Status:
    exchange = _detail(request.auth, exchange_uuid, write=True)
    fields = payload.model_dump()
    fields["setting"] = fields["setting"] or ""  # null: not recorded
    group = services.trainee_group_add(actor=request.auth, exchange=exchange, **fields)
    return Status(201, group)


@router.delete(
    "/{uuid:exchange_uuid}/trainee-groups/{uuid:group_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove unnamed trainees",
)
def trainee_group_delete(request: ApiRequest, exchange_uuid: UUID, group_uuid: UUID) -> Status:
    exchange = _detail(request.auth, exchange_uuid)
    group = next((g for g in exchange.trainee_groups.all() if g.uuid == group_uuid), None)
    if group is None:
        raise Http404
    group.exchange = exchange
    services.trainee_group_remove(actor=request.auth, group=group)
    return Status(204, None)
