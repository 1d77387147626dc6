"""Who may use each sustainability URL (see twinning/testing/roles.py)."""

import datetime
from typing import Any

from twinning.core.choices import Side
from twinning.sustainability import transition_services
from twinning.sustainability.models import AssessmentAction, Instrument
from twinning.sustainability.models_transition import (
    FollowUp,
    GraduationReview,
    TransitionItem,
    TransitionPlan,
)
from twinning.sustainability.tests.factories import RoundFactory, sheet, submit_sides
from twinning.testing import roles

read = ("get", roles.partnership_read)
write = ("post", roles.partnership_write)
enter = ("post", roles.partnership_data_entry)


def _partnership_scoped(role: str, allowed: set[str]) -> Any:
    if role == "anonymous":
        return 302
    if role in roles.OUTSIDERS:
        return 404
    return roles.OK if role in allowed else 403


def sign_transition(role: str) -> Any:
    """Each side's coordinators sign for it (the ministry's signature is asked only when the programme wants it)."""
    return _partnership_scoped(role, {"coordinator", "resource_coordinator"})


def decide_graduation(role: str) -> Any:
    """Programme managers and M&E officers open and decide graduation reviews."""
    return _partnership_scoped(role, roles.PROGRAMME_EDITORS)


def read_graduation(role: str) -> Any:
    """Graduation reviews read unapproved results: insiders, and the programme's viewers (read-only); the
    partnership's own viewers get 403."""
    if role == "anonymous":
        return 302
    if role in roles.OUTSIDERS:
        return 404
    return 403 if role == "partnership_viewer" else roles.OK


def programme_redirect(role: str) -> Any:
    """The former programme graduation page sends programme staff on to the one programme page; others 404."""
    if role == "anonymous":
        return 302
    return roles.OK if role in roles.PROGRAMME_STAFF else 404


def answer_follow_up(role: str) -> Any:
    """The host side's coordinators and members answer the follow-ups (the matrix's member is on the host side)."""
    return _partnership_scoped(role, {"coordinator", "member", "admin"})


def change_programme_round(role: str) -> Any:
    """Changing or cancelling a round the programme opened (the role matrix's round): its editors; everyone else
    who reads the partnership is refused (403), outsiders don't see it (issue 13)."""
    seen = roles.partnership_read(role)
    if seen != 200:
        return seen
    return roles.OK if role in roles.PROGRAMME_EDITORS else 403


def shipped_instrument_change(role: str) -> Any:
    """The instruments shipped with Twinning are read by every signed-in user and changed by administrators."""
    if role == "anonymous":
        return 302
    return roles.OK if role == "admin" else 403


def answer(role: str) -> Any:
    """Coordinators and members answer for their side; everyone else in scope gets 403."""
    return roles._scoped(role, {"coordinator", "resource_coordinator", "member"})


def submit_side(role: str) -> Any:
    """A side's coordinators submit that side's answers."""
    return roles._scoped(role, {"coordinator", "resource_coordinator"})


RULES = {
    "sustainability:instruments": ("get", roles.signed_in),
    "sustainability:instrument": ("get", roles.signed_in),
    "sustainability:instrument#post": ("post", shipped_instrument_change),
    "sustainability:instrument_create": ("get", roles.programme_write),
    "sustainability:instrument_create#post": ("post", roles.programme_write),
    "sustainability:programme": ("get", roles.programme_read),
    "sustainability:programme#csv": ("get", roles.programme_read),
    "sustainability:programme#xlsx": ("get", roles.programme_read),
    "sustainability:programme_rounds": ("get", roles.programme_write),
    "sustainability:programme_rounds#post": ("post", roles.programme_write),
    "sustainability:partnership": read,
    "sustainability:partnership#csv": read,
    "sustainability:round_open": ("get", roles.partnership_write),
    "sustainability:round_open#post": ("post", roles.partnership_write),
    "sustainability:benefit": read,
    "sustainability:benefit#csv": read,
    "sustainability:round": read,
    "sustainability:round#csv": read,
    "sustainability:round#xlsx": read,
    "sustainability:round_edit": ("get", change_programme_round),
    "sustainability:round_edit#post": ("post", change_programme_round),
    "sustainability:round_cancel": ("post", change_programme_round),
    "sustainability:answers": ("post", answer),
    "sustainability:side_submit": ("post", submit_side),
    "sustainability:action_add": enter,
    "sustainability:action_edit": enter,
    "sustainability:policy": ("get", roles.programme_read),
    "sustainability:policy#post": ("post", roles.programme_write),
    "sustainability:programme_transition": ("get", programme_redirect),
    "sustainability:transition": read,
    "sustainability:transition_create": ("get", roles.partnership_write),
    "sustainability:transition_create#post": write,
    "sustainability:transition_edit": ("get", roles.partnership_write),
    "sustainability:transition_edit#post": write,
    "sustainability:transition_sign": ("post", sign_transition),
    "sustainability:transition_item_add": write,
    "sustainability:transition_risk_add": write,
    "sustainability:transition_milestone_add": write,
    "sustainability:transition_part_remove": write,
    "sustainability:graduation": ("get", read_graduation),
    "sustainability:graduation_open": ("post", decide_graduation),
    "sustainability:graduation_review": ("get", read_graduation),
    "sustainability:graduation_review#post": ("post", decide_graduation),
    "sustainability:follow_ups": read,
    "sustainability:follow_ups#csv": read,
    "sustainability:follow_ups#xlsx": read,
    "sustainability:follow_up": read,
    "sustainability:follow_up#post": ("post", answer_follow_up),
}


def _item(plan: TransitionPlan, uuid: Any = None) -> TransitionItem:
    return TransitionItem.objects.create(
        **({"uuid": uuid} if uuid else {}), plan=plan, title="Triage training"
    )


def objects(world: Any) -> dict[str, Any]:
    plan = TransitionPlan.objects.create(partnership=world.partnership, summary="Handover")
    item = _item(plan)
    review = GraduationReview.objects.create(partnership=world.partnership, opened_by=world.manager)
    today = datetime.date.today()
    follow_up = FollowUp.objects.create(
        partnership=world.partnership,
        years_after=1,
        ended_on=today - datetime.timedelta(days=365),
        outcome="graduate",
        due_date=today + datetime.timedelta(days=10),
        opens_on=today - datetime.timedelta(days=20),
    )
    follow_up.items.create(kind="activity", title="Triage training")
    transition_services.graduation_policy(world.programme)
    return {
        **_assessment_objects(world),
        "part_uuid": item.uuid,
        "review_uuid": review.uuid,
        "follow_up_uuid": follow_up.uuid,
    }


def _assessment_objects(world: Any) -> dict[str, Any]:
    """A round both sides have answered and submitted, with one joint action, and a shipped instrument."""
    assessment_round = RoundFactory(partnership=world.partnership)
    items = [i for s in assessment_round.instrument_version.sections.all() for i in s.items.all()]
    sheet(assessment_round, world.coordinator, Side.HOST, {i.pk: 4 for i in items})
    sheet(assessment_round, world.resource_coordinator, Side.RESOURCE, {i.pk: 2 for i in items})
    submit_sides(assessment_round, Side.HOST, Side.RESOURCE)
    action = AssessmentAction.objects.create(
        round=assessment_round, title="Agree who chairs the joint meeting"
    )
    return {
        "assessment_round_uuid": assessment_round.uuid,
        "action_uuid": action.uuid,
        "instrument_uuid": Instrument.objects.filter(programme__isnull=True).first().uuid,  # type: ignore[union-attr]
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    plan = TransitionPlan.objects.get(partnership=world.partnership)
    if not TransitionItem.objects.filter(uuid=objects["part_uuid"]).exists():
        _item(plan, objects["part_uuid"])
