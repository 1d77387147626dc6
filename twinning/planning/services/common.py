"""Access and state checks shared by the planning services."""

import uuid as uuid_module
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from twinning.accounts.access import require_edit
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.services import delete_with_audit
from twinning.planning.models import (
    Plan,
)

PLAN_FIELDS = ("title", "first_year", "last_year", "requires_ministry_sign_off")
OBJECTIVE_FIELDS = ("code", "statement", "pillar", "priorities", "order")
ACTIVITY_FIELDS = (
    "title",
    "start_date",
    "end_date",
    "responsible_side",
    "responsible_person",
    "status",
    "progress_note",
)
PROGRESS_FIELDS = ("status", "progress_note")
INDICATOR_FIELDS = (
    "code",
    "name",
    "definition",
    "measure",
    "unit",
    "direction",
    "time_aggregation",
    "cross_aggregation",
    "breakdown",
    "missing_total",
    "allows_negative",
    "whole_numbers",
    "frequency",
    "categories",
    "dhis2_data_element",
)
PLAN_INDICATOR_FIELDS = ("objective", "baseline_value", "baseline_date", "baseline_note", "end_target")
EVENT_FIELDS = ("kind", "date", "place", "summary")


# --- access and state checks ----------------------------------------------------------------------


def _require_draft(plan: Plan) -> None:
    if plan.status == Plan.Status.AGREED:
        raise ValidationError(
            _(
                "This plan is agreed, so its content cannot change. Make a new version of the plan to change it."
            )
        )
    if plan.status == Plan.Status.SUPERSEDED:
        raise ValidationError(
            _("This version of the plan is superseded and kept for the record. Change the current version.")
        )


def _withdraw_sign_offs(actor: User, plan: Plan) -> None:
    signed = list(plan.sign_offs.all())
    if not signed:
        return
    plan.sign_offs.all().delete()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=plan,
        changes={"sign_offs": [sorted(s.party for s in signed), []]},
        reason=_("The draft changed after it was signed; it needs signing again."),
    )


def _begin_plan_change(actor: User, plan: Plan) -> None:
    """Every change to a plan's content: edit access, a draft, and signatures given to older content withdrawn."""
    require_edit(actor, plan.partnership)
    _require_draft(plan)
    _withdraw_sign_offs(actor, plan)


def _delete(actor: User, obj: Any, parent: Any) -> None:
    try:
        with transaction.atomic():
            delete_with_audit(actor=actor, obj=obj, parent=parent)
    except ProtectedError as exc:
        raise ValidationError(
            _("%(object)s cannot be deleted because other records (such as results) refer to it.")
            % {"object": obj}
        ) from exc


def _uuid(uuid: uuid_module.UUID | None) -> dict[str, Any]:
    return {"uuid": uuid} if uuid else {}


def _require_not_superseded(plan: Plan) -> None:
    if plan.status == Plan.Status.SUPERSEDED:
        raise ValidationError(
            _("This version of the plan is superseded and kept for the record. Change the current version.")
        )
