"""Plans, sign-off, versions, planning events, objectives and activities."""

from ninja import Router, Status

from twinning.accounts.api_auth import ApiRequest
from twinning.core.api import error_responses, patch_changes
from twinning.partnerships.selectors import get_partnership_for_user
from twinning.planning import services
from twinning.planning.api.schemas import (
    ActivityIn,
    ActivityOut,
    ActivityUpdate,
    EventIn,
    EventOut,
    NewVersionIn,
    ObjectiveIn,
    ObjectiveOut,
    ObjectiveUpdate,
    PlanCreate,
    PlanDetailOut,
    PlanOut,
    PlanUpdate,
    SignOffIn,
    _detail,
    _person,
    _pillar,
    _plan_response,
    _priorities,
)
from twinning.planning.models import (
    Activity,
    Objective,
    Plan,
    PlanningEvent,
)
from twinning.planning.selectors import (
    get_plan_by_uuid_for_user,
    plan_child_for_user,
    plan_detail,
    plan_versions,
)

router = Router()


# --- plans ----------------------------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_uuid}/plans",
    response={200: list[PlanOut], **error_responses(404)},
    summary="List a partnership's plan versions",
)
def plans_list(request: ApiRequest, partnership_uuid: str) -> list[Plan]:
    """Every version, newest first. The current one is the one not superseded. Viewers get the agreed versions
    only (a draft is unapproved work)."""
    partnership, access = get_partnership_for_user(request.auth, partnership_uuid)
    versions = plan_versions(partnership, drafts=access.can_see_drafts)
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


@router.get(
    "/plans/{plan_uuid}", response={200: PlanDetailOut, **error_responses(403, 404)}, summary="Get a plan"
)
def plan_get(request: ApiRequest, plan_uuid: str) -> Plan:
    """A plan version with its sign-offs, planning events, objectives, activities, indicators and targets; a
    draft version is 403 for viewers (unapproved work)."""
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid)
    return _detail(plan)


@router.patch(
    "/plans/{plan_uuid}",
    response={200: PlanDetailOut, **error_responses(403, 404, 409)},
    summary="Change a draft plan",
)
def plan_patch(request: ApiRequest, plan_uuid: str, payload: PlanUpdate) -> Plan:
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
    data, version = patch_changes(payload)
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
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
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
    data, version = patch_changes(payload)
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
    data, version = patch_changes(payload)
    if "responsible_person" in data:
        data["responsible_person"] = _person(plan, data["responsible_person"])
    return services.activity_update(
        actor=request.auth, activity=activity, data=data, expected_version=version
    )


@router.delete(
    "/activities/{activity_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Delete an activity of a draft plan",
)
def activity_remove(request: ApiRequest, activity_uuid: str) -> Status:
    activity, _plan = plan_child_for_user(request.auth, Activity, activity_uuid, write=True)
    services.activity_delete(actor=request.auth, activity=activity)
    return Status(204, None)
