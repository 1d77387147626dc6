"""Who may use each planning URL (see twinning/testing/roles.py)."""

from typing import Any

from twinning.planning import services
from twinning.planning.models import Activity, Objective, PlanIndicator, PlanningParticipant
from twinning.planning.tests.factories import common_indicator, draft_plan, pillars, sex
from twinning.testing import roles
from twinning.testing.roles import OK, OUTSIDERS, PROGRAMME_EDITORS


def programme_member_read(role: str) -> Any:
    """Programme-wide planning pages: its staff and the members of its partnerships read them."""
    if role == "anonymous":
        return 302
    return 404 if role in OUTSIDERS else 200


def programme_member_write(role: str) -> Any:
    """Only programme editors change them; other readers get 403, people outside the programme 404."""
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in PROGRAMME_EDITORS else 403


RULES = {
    "planning:plan": ("get", roles.partnership_read),
    "planning:plan_create": ("post", roles.partnership_write),
    # The role rules' plan is a draft (a later version of monitoring's agreed plan): 403 for readers.
    "planning:version": ("get", roles.partnership_insider_read),
    "planning:plan_edit": ("get", roles.partnership_write),
    "planning:plan_sign": ("post", roles.partnership_write),
    "planning:plan_new_version": ("post", roles.partnership_write),
    "planning:event_add": ("post", roles.partnership_write),
    "planning:objective_add": ("post", roles.partnership_write),
    "planning:activity_add": ("post", roles.partnership_write),
    "planning:adopt": ("post", roles.partnership_write),
    "planning:participant_add": ("post", roles.partnership_write),
    "planning:participant_remove": ("post", roles.partnership_write),
    "planning:objective_edit": ("get", roles.partnership_write),
    "planning:objective_delete": ("post", roles.partnership_write),
    "planning:activity_edit": ("get", roles.partnership_write),
    "planning:activity_progress": ("post", roles.partnership_write),
    "planning:activity_delete": ("post", roles.partnership_write),
    "planning:plan_indicator": ("get", roles.partnership_insider_read),
    "planning:plan_indicator#post": ("post", roles.partnership_write),
    "planning:targets_save": ("post", roles.partnership_write),
    "planning:plan_indicator_remove": ("post", roles.partnership_write),
    "planning:own_indicator_create": ("get", roles.partnership_write),
    "planning:indicator_edit": ("get", programme_member_write),
    "planning:indicators": ("get", programme_member_read),
    "planning:common_indicator_create": ("get", programme_member_write),
    "planning:disaggregation_add": ("post", programme_member_write),
    "planning:option_add": ("post", programme_member_write),
}


def objects(world: Any) -> dict[str, Any]:
    pillars(world.programme)
    plan = draft_plan(world.manager, world.partnership)
    objective = services.objective_create(
        actor=world.manager,
        plan=plan,
        code="O1",
        statement="Safer births",
        pillar=pillars(world.programme)[0],
    )
    activity = services.activity_create(
        actor=world.manager, objective=objective, title="Triage training", responsible_side="host"
    )
    # Codes of their own, so other apps' role rules may make "sex" and "HW1" in the same programme.
    category = sex(world.manager, world.programme, code="planning-sex")
    indicator = common_indicator(world.manager, world.programme, code="PLANNING-RR", categories=[category])
    adoption = services.plan_indicator_adopt(
        actor=world.manager, plan=plan, objective=objective, indicator=indicator
    )
    event = services.planning_event_create(
        actor=world.manager,
        plan=plan,
        kind="workshop",
        date=plan.created_at.date(),
        place="Gulu",
        participants=[{"name": "A. Community", "group": "community"}],
    )
    return {
        "plan_uuid": plan.uuid,
        "objective_uuid": objective.uuid,
        "activity_uuid": activity.uuid,
        "plan_indicator_uuid": adoption.uuid,
        "indicator_uuid": indicator.uuid,
        "event_uuid": event.uuid,
        "participant_id": event.participants.get().pk,
        "category_code": category.code,
        "_objective": objective,
        "_activity": activity,
        "_adoption": adoption,
        "_event": event,
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    """Put back what a delete removed, with the same public ids, so the next role meets the same data."""
    objective, activity, adoption = objects["_objective"], objects["_activity"], objects["_adoption"]
    if not Objective.objects.filter(uuid=objective.uuid).exists():
        Objective.objects.create(
            pk=objective.pk,
            uuid=objective.uuid,
            plan_id=objective.plan_id,
            code=objective.code,
            statement=objective.statement,
            pillar_id=objective.pillar_id,
        )
    if not Activity.objects.filter(uuid=activity.uuid).exists():
        Activity.objects.create(
            pk=activity.pk,
            uuid=activity.uuid,
            objective_id=objective.pk,
            title=activity.title,
            responsible_side=activity.responsible_side,
        )
    if not PlanIndicator.objects.filter(uuid=adoption.uuid).exists():
        PlanIndicator.objects.create(
            pk=adoption.pk,
            uuid=adoption.uuid,
            plan_id=adoption.plan_id,
            objective_id=objective.pk,
            indicator_id=adoption.indicator_id,
        )
    if not PlanningParticipant.objects.filter(pk=objects["participant_id"]).exists():
        PlanningParticipant.objects.create(
            pk=objects["participant_id"], event=objects["_event"], name="A. Community", group="community"
        )
