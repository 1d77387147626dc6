"""Plans, objectives, activities, indicators and targets over the API: thin endpoints over the planning
selectors and services. Pillars and disaggregations are named by code, everything else by UUID; a
disaggregation option is written `category.option`, e.g. `sex.female`."""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from twinning.accounts.permissions import is_programme_editor
from twinning.api import ApiRequest, Input, Version, error_responses, omittable
from twinning.core.choices import Side
from twinning.directory.models import CountryPriority, Person
from twinning.partnerships.models import Partnership, Pillar, Programme
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_user
from twinning.planning import services
from twinning.planning.models import (
    Activity,
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
    PlanningEvent,
    PlanningParticipant,
    PlanSignOff,
    Target,
)
from twinning.planning.periods import Frequency
from twinning.planning.selectors import (
    common_indicators,
    disaggregations,
    get_indicator_for_user,
    get_plan_by_uuid_for_user,
    own_indicators,
    plan_child_for_user,
    plan_detail,
    plan_versions,
)

router = Router(tags=["planning"])

MAX_TEXT = 10_000
MAX_ROWS = 2_000
Year = Annotated[int, Field(ge=2000, le=2100)]
Value = Annotated[Decimal, Field(max_digits=18, decimal_places=4)]


# --- output ---------------------------------------------------------------------------------------


class OptionOut(Schema):
    code: str
    name: str
    key: str = Field(description="How targets and results name the option: category.option.")

    @staticmethod
    def resolve_key(obj: DisaggregationOption) -> str:
        return f"{obj.category.code}.{obj.code}"


class CategoryOut(Schema):
    code: str
    name: str
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj: DisaggregationCategory) -> list[DisaggregationOption]:
        options = list(obj.options.all())
        for option in options:
            option.category = obj
        return options


class IndicatorOut(Schema):
    uuid: uuid.UUID
    version: int
    code: str
    name: str
    definition: str
    common: bool = Field(description="Defined by the programme and adopted by reference.")
    partnership: uuid.UUID | None
    measure: Indicator.Measure
    unit: str
    direction: Indicator.Direction
    time_aggregation: Indicator.TimeAggregation
    cross_aggregation: Indicator.CrossAggregation
    frequency: Frequency
    categories: list[CategoryOut]
    dhis2_data_element: str

    @staticmethod
    def resolve_common(obj: Indicator) -> bool:
        return obj.is_common

    @staticmethod
    def resolve_partnership(obj: Indicator) -> uuid.UUID | None:
        return obj.partnership.uuid if obj.partnership_id else None

    @staticmethod
    def resolve_categories(obj: Indicator) -> list[DisaggregationCategory]:
        return list(obj.categories.all())


class TargetOut(Schema):
    uuid: uuid.UUID
    period: str
    option: str | None = Field(description="category.option, or null for the overall target.")
    value: Decimal

    @staticmethod
    def resolve_option(obj: Target) -> str | None:
        return f"{obj.option.category.code}.{obj.option.code}" if obj.option else None


class PlanIndicatorOut(Schema):
    uuid: uuid.UUID
    version: int
    objective: uuid.UUID
    indicator: IndicatorOut
    baseline_value: Decimal | None
    baseline_date: datetime.date | None
    baseline_note: str
    end_target: Decimal | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_objective(obj: PlanIndicator) -> uuid.UUID:
        return obj.objective.uuid

    @staticmethod
    def resolve_targets(obj: PlanIndicator) -> list[Target]:
        return list(obj.targets.all())


class ActivityOut(Schema):
    uuid: uuid.UUID
    version: int
    title: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    responsible_side: Side
    responsible_person: uuid.UUID | None
    status: Activity.Status
    progress_note: str

    @staticmethod
    def resolve_responsible_person(obj: Activity) -> uuid.UUID | None:
        return obj.responsible_person.uuid if obj.responsible_person else None


class ObjectiveOut(Schema):
    uuid: uuid.UUID
    version: int
    code: str
    statement: str
    pillar: str = Field(description="The pillar's code.")
    priorities: list[uuid.UUID] = Field(description="Country health priorities served.")
    activities: list[ActivityOut]
    indicators: list[PlanIndicatorOut]

    @staticmethod
    def resolve_pillar(obj: Objective) -> str:
        return obj.pillar.code

    @staticmethod
    def resolve_priorities(obj: Objective) -> list[uuid.UUID]:
        return [p.uuid for p in obj.priorities.all()]

    @staticmethod
    def resolve_activities(obj: Objective) -> list[Activity]:
        return list(obj.activities.all())

    @staticmethod
    def resolve_indicators(obj: Objective) -> list[PlanIndicator]:
        return list(obj.plan_indicators.all())


class ParticipantOut(Schema):
    name: str
    group: PlanningParticipant.Group
    organisation: str


class EventOut(Schema):
    uuid: uuid.UUID
    kind: PlanningEvent.Kind
    date: datetime.date
    place: str
    summary: str
    participants: list[ParticipantOut]

    @staticmethod
    def resolve_participants(obj: PlanningEvent) -> list[PlanningParticipant]:
        return list(obj.participants.all())


class SignOffOut(Schema):
    party: PlanSignOff.Party
    signed_by: str
    signed_at: datetime.datetime
    note: str

    @staticmethod
    def resolve_signed_by(obj: PlanSignOff) -> str:
        return str(obj.signed_by)


class PlanOut(Schema):
    uuid: uuid.UUID
    version: int
    partnership: uuid.UUID
    number: int = Field(description="The plan version: 1, 2, ...")
    title: str
    first_year: int
    last_year: int
    status: Plan.Status
    agreed_at: datetime.datetime | None
    requires_ministry_sign_off: bool

    @staticmethod
    def resolve_partnership(obj: Plan) -> uuid.UUID:
        return obj.partnership.uuid


class PlanDetailOut(PlanOut):
    required_parties: list[PlanSignOff.Party]
    sign_offs: list[SignOffOut]
    events: list[EventOut]
    objectives: list[ObjectiveOut]


def _detail(plan: Plan) -> dict[str, Any]:
    detail = plan_detail(plan)
    return {
        **{name: getattr(plan, name) for name in PlanOut.model_fields if name != "partnership"},
        "partnership": plan.partnership.uuid,
        "required_parties": services.required_parties(plan),
        "sign_offs": detail.sign_offs,
        "events": detail.events,
        "objectives": detail.objectives,
    }


# --- input ----------------------------------------------------------------------------------------


class PlanCreate(Input):
    title: str = Field(min_length=1, max_length=255)
    first_year: Year
    last_year: Year
    requires_ministry_sign_off: bool = False
    uuid: uuid.UUID | None = Field(None, description="Optional: a UUID the client generated.")


class PlanUpdate(Input):
    title: str = omittable(min_length=1, max_length=255)
    first_year: Year = omittable()
    last_year: Year = omittable()
    requires_ministry_sign_off: bool = omittable()
    version: Version = omittable()


class SignOffIn(Input):
    party: PlanSignOff.Party
    note: str = Field("", max_length=2000)


class NewVersionIn(Input):
    reason: str = Field(min_length=1, max_length=2000)
    title: str = Field("", max_length=255)
    uuid: uuid.UUID | None = None


class ParticipantIn(Input):
    name: str = Field(min_length=1, max_length=200)
    group: PlanningParticipant.Group
    organisation: str = Field("", max_length=200)


class EventIn(Input):
    kind: PlanningEvent.Kind
    date: datetime.date
    place: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=MAX_TEXT)
    participants: list[ParticipantIn] = Field([], max_length=500)
    uuid: uuid.UUID | None = None


class ObjectiveIn(Input):
    code: str = Field(min_length=1, max_length=20)
    statement: str = Field(min_length=1, max_length=MAX_TEXT)
    pillar: str = Field(max_length=50, description="A pillar code of the programme.")
    priorities: list[uuid.UUID] = Field([], max_length=50)
    uuid: uuid.UUID | None = None


class ObjectiveUpdate(Input):
    code: str = omittable(min_length=1, max_length=20)
    statement: str = omittable(min_length=1, max_length=MAX_TEXT)
    pillar: str = omittable(max_length=50)
    priorities: list[uuid.UUID] = omittable(max_length=50)
    version: Version = omittable()


class ActivityIn(Input):
    title: str = Field(min_length=1, max_length=255)
    responsible_side: Side
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    responsible_person: uuid.UUID | None = None
    status: Activity.Status = Activity.Status.PLANNED
    progress_note: str = Field("", max_length=MAX_TEXT)
    uuid: uuid.UUID | None = None


class ActivityUpdate(Input):
    """On an agreed plan only status and progress_note may be sent."""

    title: str = omittable(min_length=1, max_length=255)
    responsible_side: Side = omittable()
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    responsible_person: uuid.UUID | None = None
    status: Activity.Status = omittable()
    progress_note: str = omittable(max_length=MAX_TEXT)
    version: Version = omittable()


class AdoptIn(Input):
    objective: uuid.UUID
    indicator: uuid.UUID
    baseline_value: Value | None = None
    baseline_date: datetime.date | None = None
    baseline_note: str = Field("", max_length=MAX_TEXT)
    end_target: Value | None = None
    uuid: uuid.UUID | None = None


class PlanIndicatorUpdate(Input):
    objective: uuid.UUID = omittable()
    baseline_value: Value | None = None
    baseline_date: datetime.date | None = None
    baseline_note: str = omittable(max_length=MAX_TEXT)
    end_target: Value | None = None
    version: Version = omittable()


class TargetIn(Input):
    period: str = Field(min_length=4, max_length=8, description="DHIS2 period id, e.g. 2024Q1.")
    option: str | None = Field(None, max_length=61, description="category.option, or null for overall.")
    value: Value | None = Field(description="null deletes the target.")


class TargetsIn(Input):
    targets: list[TargetIn] = Field(max_length=MAX_ROWS)


class IndicatorIn(Input):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=255)
    definition: str = Field("", max_length=MAX_TEXT)
    measure: Indicator.Measure = Indicator.Measure.NUMBER
    unit: str = Field("", max_length=50)
    direction: Indicator.Direction = Indicator.Direction.INCREASE
    time_aggregation: Indicator.TimeAggregation = Indicator.TimeAggregation.SUM
    cross_aggregation: Indicator.CrossAggregation = Indicator.CrossAggregation.SUM
    frequency: Frequency = Frequency.QUARTERLY
    categories: list[str] = Field([], max_length=20, description="Disaggregation codes.")
    dhis2_data_element: str = Field("", max_length=11)
    uuid: uuid.UUID | None = None


class IndicatorUpdate(Input):
    code: str = omittable(min_length=1, max_length=30)
    name: str = omittable(min_length=1, max_length=255)
    definition: str = omittable(max_length=MAX_TEXT)
    measure: Indicator.Measure = omittable()
    unit: str = omittable(max_length=50)
    direction: Indicator.Direction = omittable()
    time_aggregation: Indicator.TimeAggregation = omittable()
    cross_aggregation: Indicator.CrossAggregation = omittable()
    frequency: Frequency = omittable()
    categories: list[str] = omittable(max_length=20)
    dhis2_data_element: str = omittable(max_length=11)
    version: Version = omittable()


class OptionIn(Input):
    code: str = Field(min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)


class CategoryIn(Input):
    code: str = Field(min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)
    options: list[OptionIn] = Field([], max_length=100)


# --- helpers --------------------------------------------------------------------------------------


def _changes(payload: Input) -> tuple[dict[str, Any], int | None]:
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    if not data:
        raise ValidationError(_("Send at least one field to change."))
    return data, version


def _pillar(plan: Plan, code: str) -> Pillar:
    pillar = Pillar.objects.filter(programme_id=plan.partnership.programme_id, code=code).first()
    if pillar is None:
        raise ValidationError({"pillar": [_("Unknown pillar: %(code)s.") % {"code": code[:50]}]})
    return pillar


def _priorities(uuids: list[uuid.UUID]) -> list[CountryPriority]:
    found = {p.uuid: p for p in CountryPriority.objects.filter(uuid__in=uuids)}
    unknown = [str(u) for u in uuids if u not in found]
    if unknown:
        raise ValidationError({"priorities": [_("Unknown priority: %(uuids)s.") % {"uuids": ", ".join(unknown)}]})
    return [found[u] for u in dict.fromkeys(uuids)]


def _person(plan: Plan, person_uuid: uuid.UUID | None) -> Person | None:
    if person_uuid is None:
        return None
    person = Person.objects.filter(
        uuid=person_uuid, institution__side_links__partnership_id=plan.partnership_id
    ).first()
    if person is None:
        raise ValidationError({"responsible_person": [_("Unknown person in this partnership.")]})
    return person


def _objective_of(plan: Plan, objective_uuid: uuid.UUID) -> Objective:
    objective = plan.objectives.filter(uuid=objective_uuid).first()
    if objective is None:
        raise ValidationError({"objective": [_("Unknown objective of this plan.")]})
    objective.plan = plan
    return objective


def _categories(programme_id: int, codes: list[str]) -> list[DisaggregationCategory]:
    found = {c.code: c for c in DisaggregationCategory.objects.filter(programme_id=programme_id, code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {"categories": [_("Unknown disaggregation: %(codes)s.") % {"codes": ", ".join(unknown)[:200]}]}
        )
    return [found[c] for c in dict.fromkeys(codes)]


def _plan_response(plan: Plan) -> dict[str, Any]:
    plan.refresh_from_db()
    return _detail(plan)


# --- plans ----------------------------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_uuid}/plans",
    response={200: list[PlanOut], **error_responses(404)},
    summary="List a partnership's plan versions",
)
def plans_list(request: ApiRequest, partnership_uuid: str) -> list[Plan]:
    """Every version, newest first. The current one is the one not superseded."""
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    versions = plan_versions(partnership)
    for plan in versions:
        plan.partnership = partnership
    return versions


@router.post(
    "/partnerships/{partnership_uuid}/plans",
    response={201: PlanDetailOut, **error_responses(403, 404)},
    summary="Create a partnership's first plan (a draft)",
)
def plans_create(request: ApiRequest, partnership_uuid: str, payload: PlanCreate) -> Status:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid, write=True)
    plan = services.plan_create(actor=request.auth, partnership=partnership, **payload.model_dump())
    return Status(201, _detail(plan))


@router.get("/plans/{plan_uuid}", response={200: PlanDetailOut, **error_responses(404)}, summary="Get a plan")
def plan_get(request: ApiRequest, plan_uuid: str) -> dict[str, Any]:
    """A plan version with its sign-offs, planning events, objectives, activities, indicators and targets."""
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid)
    return _detail(plan)


@router.patch(
    "/plans/{plan_uuid}",
    response={200: PlanDetailOut, **error_responses(403, 404, 409)},
    summary="Change a draft plan",
)
def plan_patch(request: ApiRequest, plan_uuid: str, payload: PlanUpdate) -> dict[str, Any]:
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
    data, version = _changes(payload)
    services.plan_update(actor=request.auth, plan=plan, data=data, expected_version=version)
    return _plan_response(plan)


@router.post(
    "/plans/{plan_uuid}/sign-offs",
    response={201: PlanDetailOut, **error_responses(403, 404)},
    summary="Sign a draft plan off for one party",
)
def plan_sign(request: ApiRequest, plan_uuid: str, payload: SignOffIn) -> Status:
    """A coordinator signs for their side; a programme editor or coordinator records the ministry's sign-off.
    The plan becomes agreed when every required party has signed."""
    plan, access = get_plan_by_uuid_for_user(request.auth, plan_uuid)
    if not access.can_edit:
        raise PermissionDenied
    services.plan_sign_off(actor=request.auth, plan=plan, party=payload.party, note=payload.note)
    return Status(201, _plan_response(plan))


@router.post(
    "/plans/{plan_uuid}/versions",
    response={201: PlanDetailOut, **error_responses(403, 404)},
    summary="Make a new version of an agreed plan",
)
def plan_version(request: ApiRequest, plan_uuid: str, payload: NewVersionIn) -> Status:
    """Copies the agreed plan into a new draft; the agreed one is marked superseded and stays readable."""
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
    new = services.plan_new_version(
        actor=request.auth, plan=plan, reason=payload.reason, title=payload.title, uuid=payload.uuid
    )
    return Status(201, _detail(new))


@router.post(
    "/plans/{plan_uuid}/events",
    response={201: EventOut, **error_responses(403, 404)},
    summary="Record a planning meeting or workshop",
)
def event_create(request: ApiRequest, plan_uuid: str, payload: EventIn) -> Status:
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
    data = payload.model_dump()
    event = services.planning_event_create(actor=request.auth, plan=plan, **data)
    return Status(201, PlanningEvent.objects.prefetch_related("participants").get(pk=event.pk))


# --- objectives and activities --------------------------------------------------------------------


def _objective_out(objective: Objective) -> Objective:
    detail = plan_detail(objective.plan)
    return next(o for o in detail.objectives if o.pk == objective.pk)


@router.post(
    "/plans/{plan_uuid}/objectives",
    response={201: ObjectiveOut, **error_responses(403, 404)},
    summary="Add an objective to a draft plan",
)
def objective_create(request: ApiRequest, plan_uuid: str, payload: ObjectiveIn) -> Status:
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
    objective = services.objective_create(
        actor=request.auth,
        plan=plan,
        code=payload.code,
        statement=payload.statement,
        pillar=_pillar(plan, payload.pillar),
        priorities=_priorities(payload.priorities),
        uuid=payload.uuid,
    )
    return Status(201, _objective_out(objective))


@router.patch(
    "/objectives/{objective_uuid}",
    response={200: ObjectiveOut, **error_responses(403, 404, 409)},
    summary="Change an objective of a draft plan",
)
def objective_patch(request: ApiRequest, objective_uuid: str, payload: ObjectiveUpdate) -> Objective:
    objective, plan = plan_child_for_user(request.auth, Objective, objective_uuid, write=True)
    data, version = _changes(payload)
    if "pillar" in data:
        data["pillar"] = _pillar(plan, data["pillar"])
    if "priorities" in data:
        data["priorities"] = _priorities(data["priorities"])
    services.objective_update(actor=request.auth, objective=objective, data=data, expected_version=version)
    return _objective_out(objective)


@router.delete(
    "/objectives/{objective_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Delete an objective of a draft plan",
)
def objective_remove(request: ApiRequest, objective_uuid: str) -> Status:
    objective, _plan = plan_child_for_user(request.auth, Objective, objective_uuid, write=True)
    services.objective_delete(actor=request.auth, objective=objective)
    return Status(204, None)


@router.post(
    "/objectives/{objective_uuid}/activities",
    response={201: ActivityOut, **error_responses(403, 404)},
    summary="Add an activity to an objective of a draft plan",
)
def activity_create(request: ApiRequest, objective_uuid: str, payload: ActivityIn) -> Status:
    objective, plan = plan_child_for_user(request.auth, Objective, objective_uuid, write=True)
    data = payload.model_dump()
    data["responsible_person"] = _person(plan, data["responsible_person"])
    activity = services.activity_create(actor=request.auth, objective=objective, **data)
    return Status(201, activity)


@router.patch(
    "/activities/{activity_uuid}",
    response={200: ActivityOut, **error_responses(403, 404, 409)},
    summary="Change an activity, or update its progress",
)
def activity_patch(request: ApiRequest, activity_uuid: str, payload: ActivityUpdate) -> Activity:
    """On a draft any field may change; on an agreed plan only status and progress_note."""
    activity, plan = plan_child_for_user(request.auth, Activity, activity_uuid, write=True)
    data, version = _changes(payload)
    if "responsible_person" in data:
        data["responsible_person"] = _person(plan, data["responsible_person"])
    return services.activity_update(actor=request.auth, activity=activity, data=data, expected_version=version)


@router.delete(
    "/activities/{activity_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Delete an activity of a draft plan",
)
def activity_remove(request: ApiRequest, activity_uuid: str) -> Status:
    activity, _plan = plan_child_for_user(request.auth, Activity, activity_uuid, write=True)
    services.activity_delete(actor=request.auth, activity=activity)
    return Status(204, None)


# --- adopted indicators and targets ---------------------------------------------------------------


def _adoption_out(adoption: PlanIndicator) -> PlanIndicator:
    detail = plan_detail(adoption.plan)
    return next(pi for o in detail.objectives for pi in o.plan_indicators.all() if pi.pk == adoption.pk)


@router.post(
    "/plans/{plan_uuid}/indicators",
    response={201: PlanIndicatorOut, **error_responses(403, 404)},
    summary="Adopt an indicator into a draft plan",
)
def adopt(request: ApiRequest, plan_uuid: str, payload: AdoptIn) -> Status:
    """Common indicators are adopted by reference: a correction by the programme reaches the plan at once."""
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
    objective = _objective_of(plan, payload.objective)
    try:
        indicator = get_indicator_for_user(request.auth, payload.indicator)
    except Http404:
        raise ValidationError({"indicator": [_("Unknown indicator.")]}) from None
    adoption = services.plan_indicator_adopt(
        actor=request.auth,
        plan=plan,
        objective=objective,
        indicator=indicator,
        **payload.model_dump(exclude={"objective", "indicator"}),
    )
    return Status(201, _adoption_out(adoption))


@router.patch(
    "/plan-indicators/{plan_indicator_uuid}",
    response={200: PlanIndicatorOut, **error_responses(403, 404, 409)},
    summary="Change an adopted indicator's baseline, end target or objective",
)
def adoption_patch(request: ApiRequest, plan_indicator_uuid: str, payload: PlanIndicatorUpdate) -> PlanIndicator:
    adoption, plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid, write=True)
    data, version = _changes(payload)
    if "objective" in data:
        data["objective"] = _objective_of(plan, data["objective"])
    services.plan_indicator_update(actor=request.auth, plan_indicator=adoption, data=data, expected_version=version)
    return _adoption_out(adoption)


@router.delete(
    "/plan-indicators/{plan_indicator_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove an indicator (and its targets) from a draft plan",
)
def adoption_remove(request: ApiRequest, plan_indicator_uuid: str) -> Status:
    adoption, _plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid, write=True)
    services.plan_indicator_remove(actor=request.auth, plan_indicator=adoption)
    return Status(204, None)


@router.get(
    "/plan-indicators/{plan_indicator_uuid}/targets",
    response={200: list[TargetOut], **error_responses(404)},
    summary="List an adopted indicator's targets",
)
def targets_list(request: ApiRequest, plan_indicator_uuid: str) -> list[Target]:
    adoption, _plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid)
    return list(adoption.targets.select_related("option__category").order_by("period", "option__order"))


@router.put(
    "/plan-indicators/{plan_indicator_uuid}/targets",
    response={200: list[TargetOut], **error_responses(403, 404)},
    summary="Set targets of a draft plan's indicator",
)
def targets_put(request: ApiRequest, plan_indicator_uuid: str, payload: TargetsIn) -> list[Target]:
    """Sets the targets sent (null deletes one); targets not sent are left alone. Every row is checked
    before anything is written: a bad row answers 422 naming `period/option`, and nothing changes."""
    adoption, _plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid, write=True)
    options = {
        f"{o.category.code}.{o.code}": o
        for o in DisaggregationOption.objects.filter(category__programme_id=adoption.indicator.programme_id)
        .select_related("category")
    }
    errors: dict[str, list[str]] = {}
    values: dict[tuple[str, DisaggregationOption | None], Decimal | None] = {}
    for number, row in enumerate(payload.targets):
        option = None
        if row.option is not None:
            option = options.get(row.option)
            if option is None:
                errors[f"targets.{number}.option"] = [_("Unknown option: %(key)s.") % {"key": row.option}]
                continue
        key = (row.period, option)
        if key in values:
            errors[f"targets.{number}"] = [_("This period and option are sent twice.")]
        values[key] = row.value
    if errors:
        raise ValidationError(errors)
    services.targets_save(actor=request.auth, plan_indicator=adoption, values=values)
    return list(adoption.targets.select_related("option__category").order_by("period", "option__order"))


# --- indicators and disaggregations ---------------------------------------------------------------


def _indicator_out(indicator: Indicator) -> Indicator:
    return get_indicator_for_user_unscoped(indicator.pk)


def get_indicator_for_user_unscoped(pk: int) -> Indicator:
    # Re-read after a write the caller was allowed to make, with what IndicatorOut shows prefetched.
    from twinning.planning.selectors import indicator_queryset

    return indicator_queryset().get(pk=pk)


@router.get(
    "/programmes/{programme_uuid}/indicators",
    response={200: list[IndicatorOut], **error_responses(404)},
    summary="List a programme's common indicators",
)
def common_list(request: ApiRequest, programme_uuid: str) -> list[Indicator]:
    programme = get_programme_for_user(request.auth, programme_uuid)
    return list(common_indicators(programme))


def _programme_editor(user: Any, programme_uuid: str) -> Programme:
    programme = get_programme_for_user(user, programme_uuid)
    if not is_programme_editor(user, programme.pk):
        raise PermissionDenied
    return programme


@router.post(
    "/programmes/{programme_uuid}/indicators",
    response={201: IndicatorOut, **error_responses(403, 404)},
    summary="Define a common indicator",
)
def common_create(request: ApiRequest, programme_uuid: str, payload: IndicatorIn) -> Status:
    """Programme managers and M&E officers define the indicators every partnership may adopt."""
    programme = _programme_editor(request.auth, programme_uuid)
    data = payload.model_dump()
    data["categories"] = _categories(programme.pk, data["categories"])
    indicator = services.indicator_create(actor=request.auth, programme=programme, **data)
    return Status(201, _indicator_out(indicator))


@router.get(
    "/partnerships/{partnership_uuid}/indicators",
    response={200: list[IndicatorOut], **error_responses(404)},
    summary="List a partnership's own indicators",
)
def own_list(request: ApiRequest, partnership_uuid: str) -> list[Indicator]:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    return list(own_indicators(partnership))


@router.post(
    "/partnerships/{partnership_uuid}/indicators",
    response={201: IndicatorOut, **error_responses(403, 404)},
    summary="Define an indicator of the partnership's own",
)
def own_create(request: ApiRequest, partnership_uuid: str, payload: IndicatorIn) -> Status:
    partnership: Partnership
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid, write=True)
    data = payload.model_dump()
    data["categories"] = _categories(partnership.programme_id, data["categories"])
    indicator = services.indicator_create(
        actor=request.auth, programme=partnership.programme, partnership=partnership, **data
    )
    return Status(201, _indicator_out(indicator))


@router.get("/indicators/{indicator_uuid}", response={200: IndicatorOut, **error_responses(404)}, summary="Get an indicator")
def indicator_get(request: ApiRequest, indicator_uuid: str) -> Indicator:
    return get_indicator_for_user(request.auth, indicator_uuid)


@router.patch(
    "/indicators/{indicator_uuid}",
    response={200: IndicatorOut, **error_responses(403, 404, 409)},
    summary="Correct an indicator",
)
def indicator_patch(request: ApiRequest, indicator_uuid: str, payload: IndicatorUpdate) -> Indicator:
    """A correction reaches every plan that adopted the indicator, at once."""
    indicator = get_indicator_for_user(request.auth, indicator_uuid)
    if not services.can_edit_indicator(request.auth, indicator):
        raise PermissionDenied
    data, version = _changes(payload)
    if "categories" in data:
        data["categories"] = _categories(indicator.programme_id, data["categories"])
    services.indicator_update(actor=request.auth, indicator=indicator, data=data, expected_version=version)
    return _indicator_out(indicator)


@router.get(
    "/programmes/{programme_uuid}/disaggregations",
    response={200: list[CategoryOut], **error_responses(404)},
    summary="List a programme's disaggregations",
)
def categories_list(request: ApiRequest, programme_uuid: str) -> list[DisaggregationCategory]:
    programme = get_programme_for_user(request.auth, programme_uuid)
    return list(disaggregations(programme))


@router.post(
    "/programmes/{programme_uuid}/disaggregations",
    response={201: CategoryOut, **error_responses(403, 404)},
    summary="Define a disaggregation with its options",
)
def category_create(request: ApiRequest, programme_uuid: str, payload: CategoryIn) -> Status:
    programme = _programme_editor(request.auth, programme_uuid)
    category = services.disaggregation_create(
        actor=request.auth,
        programme=programme,
        code=payload.code,
        name=payload.name,
        options=[(o.code, o.name) for o in payload.options],
    )
    return Status(201, disaggregations(programme).get(pk=category.pk))
