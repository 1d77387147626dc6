"""Writes for strategic plans: every change checks access, validates, saves and audits in one transaction.

`plans` holds plans, sign-off, versions, the planning process, objectives and activities; `indicators` holds
disaggregations, indicators, adoption into plans and targets. Import from here: `from twinning.planning import
services`, then `services.plan_sign_off(...)`. Versioning is explained in plans.py.
"""

from twinning.planning.services.indicators import (
    disaggregation_create,
    disaggregation_option_add,
    indicator_create,
    indicator_update,
    plan_indicator_adopt,
    plan_indicator_remove,
    plan_indicator_update,
    plan_periods,
    target_delete,
    target_set,
    targets_save,
)
from twinning.planning.services.plans import (
    activity_create,
    activity_delete,
    activity_progress_update,
    activity_update,
    host_countries,
    objective_create,
    objective_delete,
    objective_update,
    plan_create,
    plan_new_version,
    plan_sign_off,
    plan_update,
    planning_event_create,
    planning_event_delete,
    planning_event_update,
    planning_participant_add,
    planning_participant_remove,
    required_parties,
)

__all__ = [
    "activity_create",
    "activity_delete",
    "activity_progress_update",
    "activity_update",
    "disaggregation_create",
    "disaggregation_option_add",
    "host_countries",
    "indicator_create",
    "indicator_update",
    "objective_create",
    "objective_delete",
    "objective_update",
    "plan_create",
    "plan_indicator_adopt",
    "plan_indicator_remove",
    "plan_indicator_update",
    "plan_new_version",
    "plan_periods",
    "plan_sign_off",
    "plan_update",
    "planning_event_create",
    "planning_event_delete",
    "planning_event_update",
    "planning_participant_add",
    "planning_participant_remove",
    "required_parties",
    "target_delete",
    "target_set",
    "targets_save",
]
