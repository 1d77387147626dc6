"""Writes for strategic plans. Each service checks access, validates everything, saves and audits atomically.

Versioning: a plan is drafted, signed off by a coordinator of each side (and the ministry where the plan asks
for it) and then agreed. An agreed plan's content never changes; `plan_new_version` copies it into a new draft
(number + 1). At that moment the agreed version becomes `superseded`, because the database allows one
non-superseded plan per partnership; it stays readable, keeps its `agreed_at`, and remains "the plan in force"
(see selectors.plan_in_force) until the new draft is agreed. Activity progress (status and note) is the one
thing that may change on an agreed plan: the workplan is tracked continuously.

Editing a draft after someone signed it withdraws the sign-offs (audited): a signature is given to content.
"""

import datetime
import uuid as uuid_module
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.accounts.access import partnership_access, require, require_edit
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.choices import Side
from twinning.core.services import (
    create_with_audit,
    delete_with_audit,
    lock_current,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.directory.models import CountryPriority, Person
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar
from twinning.planning.models import (
    Activity,
    Objective,
    Plan,
    PlanIndicator,
    PlanningEvent,
    PlanningParticipant,
    PlanSignOff,
    Target,
)
from twinning.planning.periods import parse_period
from twinning.planning.services.common import (
    ACTIVITY_FIELDS,
    EVENT_FIELDS,
    OBJECTIVE_FIELDS,
    PLAN_FIELDS,
    PROGRESS_FIELDS,
    _begin_plan_change,
    _delete,
    _require_draft,
    _require_not_superseded,
    _uuid,
)

# --- plans ----------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: User,
    partnership: Partnership,
    title: str,
    first_year: int,
    last_year: int,
    requires_ministry_sign_off: bool = False,
    uuid: uuid_module.UUID | None = None,
) -> Plan:
    """The partnership's first plan, as a draft. Later plans are made with `plan_new_version`.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, partnership)
    if Plan.objects.filter(partnership=partnership).exists():
        raise ValidationError(
            _(
                "This partnership already has a plan. Change its draft, or make a new version of the agreed plan."
            )
        )
    plan = Plan(
        **_uuid(uuid),
        partnership=partnership,
        title=title,
        first_year=first_year,
        last_year=last_year,
        number=1,
        requires_ministry_sign_off=requires_ministry_sign_off,
    )
    return create_with_audit(actor=actor, obj=plan, parent=partnership)


@transaction.atomic
def plan_update(
    *, actor: User, plan: Plan, data: dict[str, Any], expected_version: int | None = None
) -> Plan:
    """Change a draft's title, years or whether the ministry signs; targets outside new years are refused.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    refuse_unknown_fields(data, PLAN_FIELDS, "plan")
    _begin_plan_change(actor, plan)
    # The years as they are now (a year saved meanwhile counts), not as the caller read them.
    current = lock_current(plan, expected_version)
    first = data.get("first_year", current.first_year)
    last = data.get("last_year", current.last_year)
    if first and last and last >= first:
        outside = sorted(
            {
                t
                for t in Target.objects.filter(plan_indicator__plan=plan).values_list("period", flat=True)
                if not first <= parse_period(t).year <= last
            }
        )
        if outside:
            raise ValidationError(
                {
                    "last_year": _("Targets exist for periods outside these years: %(periods)s.")
                    % {"periods": ", ".join(outside)}
                }
            )
    return update_with_audit(
        actor=actor, obj=plan, data=data, expected_version=expected_version, parent=plan.partnership
    )


def required_parties(plan: Plan) -> list[str]:
    """The parties who must sign this plan: host and resource, and the ministry when the plan asks for it.

    Raises: nothing.
    """
    parties = [PlanSignOff.Party.HOST, PlanSignOff.Party.RESOURCE]
    if plan.requires_ministry_sign_off:
        parties.append(PlanSignOff.Party.MINISTRY)
    return [str(p) for p in parties]


@transaction.atomic
def plan_sign_off(*, actor: User, plan: Plan, party: str, note: str = "") -> PlanSignOff:
    """Sign a draft for one party. A coordinator signs for their own side; a programme editor or coordinator
    records the ministry's sign-off on its behalf (say who signed in the note). When every required party has
    signed, the plan is agreed.

    Raises: PermissionDenied, ValidationError.
    """
    access = partnership_access(actor, plan.partnership)
    require(access.can_read)
    if party not in PlanSignOff.Party.values:
        raise ValidationError({"party": _("Unknown party.")})
    if party == PlanSignOff.Party.MINISTRY and not plan.requires_ministry_sign_off:
        raise ValidationError({"party": _("This plan does not ask for the ministry's sign-off.")})
    if party not in access.can_sign_plan_for(requires_ministry=plan.requires_ministry_sign_off):
        if party == PlanSignOff.Party.MINISTRY:
            raise PermissionDenied(
                _("Only programme staff who edit or a coordinator record the ministry's sign-off.")
            )
        raise PermissionDenied(_("Only a coordinator of that side signs the plan off for it."))
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require_draft(plan)
    if plan.sign_offs.filter(party=party).exists():
        raise ValidationError({"party": _("This party has already signed this version of the plan.")})
    if not plan.objectives.exists():
        raise ValidationError(_("Add at least one objective before signing the plan off."))
    return _record_sign_off(actor=actor, plan=plan, party=party, note=note)


def _record_sign_off(*, actor: User, plan: Plan, party: str, note: str) -> PlanSignOff:
    """Write a sign-off, and agree the plan when it was the last one needed. Callers check who may sign;
    only plan_sign_off (and the demo loader, filing the sides' signed copies) call this."""
    sign_off = PlanSignOff(plan=plan, party=party, signed_by=actor, note=note)
    sign_off.full_clean()
    sign_off.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=sign_off,
        changes={"party": [None, sign_off.party], "note": [None, note or None]},
        parent=plan,
    )
    signed = set(plan.sign_offs.values_list("party", flat=True))
    if signed >= set(required_parties(plan)):
        update_with_audit(
            actor=actor,
            obj=plan,
            data={"status": Plan.Status.AGREED, "agreed_at": timezone.now()},
            parent=plan.partnership,
        )
    return sign_off


@transaction.atomic
def plan_new_version(
    *, actor: User, plan: Plan, title: str = "", reason: str = "", uuid: uuid_module.UUID | None = None
) -> Plan:
    """Copy an agreed plan into a new draft (number + 1) with its objectives, activities, adopted indicators and
    targets. The agreed version becomes superseded now (one current plan per partnership) and stays readable.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, plan.partnership)
    plan = Plan.objects.select_for_update().select_related("partnership").get(pk=plan.pk)
    if plan.status != Plan.Status.AGREED:
        if plan.status == Plan.Status.DRAFT:
            raise ValidationError(_("This plan is still a draft: change it directly."))
        raise ValidationError(_("Only the current agreed plan can be made into a new version."))
    number = (Plan.objects.filter(partnership=plan.partnership).aggregate(n=Max("number"))["n"] or 0) + 1
    update_with_audit(
        actor=actor,
        obj=plan,
        data={"status": Plan.Status.SUPERSEDED},
        parent=plan.partnership,
        reason=reason or _("Replaced by version %(number)s.") % {"number": number},
    )
    new = Plan(
        **_uuid(uuid),
        partnership=plan.partnership,
        title=title or plan.title,
        first_year=plan.first_year,
        last_year=plan.last_year,
        number=number,
        previous=plan,
        requires_ministry_sign_off=plan.requires_ministry_sign_off,
    )
    create_with_audit(actor=actor, obj=new, parent=plan.partnership, reason=reason)
    _copy_content(plan, new)
    return new


def _copy_content(old: Plan, new: Plan) -> None:
    """Copy a plan's objectives, activities, adoptions and targets into another plan, with new public ids."""
    objectives = list(old.objectives.prefetch_related("priorities"))
    copies = Objective.objects.bulk_create(
        [
            Objective(plan=new, code=o.code, statement=o.statement, pillar_id=o.pillar_id, order=o.order)
            for o in objectives
        ]
    )
    objective_map = {o.pk: c for o, c in zip(objectives, copies, strict=True)}
    Through = Objective.priorities.through
    Through.objects.bulk_create(
        [
            Through(objective_id=objective_map[o.pk].pk, countrypriority_id=p.pk)
            for o in objectives
            for p in o.priorities.all()
        ]
    )
    Activity.objects.bulk_create(
        [
            Activity(
                objective=objective_map[a.objective_id],
                title=a.title,
                start_date=a.start_date,
                end_date=a.end_date,
                responsible_side=a.responsible_side,
                responsible_person_id=a.responsible_person_id,
                status=a.status,
                progress_note=a.progress_note,
            )
            for a in Activity.objects.filter(objective__plan=old)
        ]
    )
    adoptions = list(old.plan_indicators.all())
    adoption_copies = PlanIndicator.objects.bulk_create(
        [
            PlanIndicator(
                plan=new,
                objective=objective_map[pi.objective_id],
                indicator_id=pi.indicator_id,
                baseline_value=pi.baseline_value,
                baseline_date=pi.baseline_date,
                baseline_note=pi.baseline_note,
                end_target=pi.end_target,
            )
            for pi in adoptions
        ]
    )
    adoption_map = {pi.pk: c for pi, c in zip(adoptions, adoption_copies, strict=True)}
    Target.objects.bulk_create(
        [
            Target(
                plan_indicator=adoption_map[t.plan_indicator_id],
                period=t.period,
                option_id=t.option_id,
                value=t.value,
            )
            for t in Target.objects.filter(plan_indicator__plan=old)
        ]
    )


# --- the planning process -------------------------------------------------------------------------


@transaction.atomic
def planning_event_create(
    *,
    actor: User,
    plan: Plan,
    kind: str,
    date: datetime.date,
    place: str,
    summary: str = "",
    participants: Iterable[Mapping[str, Any]] = (),
    uuid: uuid_module.UUID | None = None,
) -> PlanningEvent:
    """Record a meeting or workshop that shaped the plan, with who took part. Allowed on an agreed plan too,
    since the record of how it was made is often written up after the fact.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, plan.partnership)
    _require_not_superseded(plan)
    event = create_with_audit(
        actor=actor,
        obj=PlanningEvent(**_uuid(uuid), plan=plan, kind=kind, date=date, place=place, summary=summary),
        parent=plan,
    )
    for fields in participants:
        _participant_save(actor, event, dict(fields))
    return event


@transaction.atomic
def planning_event_update(
    *, actor: User, event: PlanningEvent, data: dict[str, Any], expected_version: int | None = None
) -> PlanningEvent:
    """Change a planning event (workshop, meeting) of a plan that is not superseded.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    refuse_unknown_fields(data, EVENT_FIELDS, "planning event")
    require_edit(actor, event.plan.partnership)
    _require_not_superseded(event.plan)
    return update_with_audit(
        actor=actor, obj=event, data=data, expected_version=expected_version, parent=event.plan
    )


@transaction.atomic
def planning_event_delete(*, actor: User, event: PlanningEvent) -> None:
    """Delete a planning event of a plan that is not superseded.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, event.plan.partnership)
    _require_not_superseded(event.plan)
    _delete(actor, event, event.plan)


def _participant_save(actor: User, event: PlanningEvent, fields: dict[str, Any]) -> PlanningParticipant:
    person = fields.get("person")
    if person is not None and not fields.get("name"):
        fields["name"] = person.full_name
    participant = PlanningParticipant(event=event, **fields)
    participant.full_clean()
    participant.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=participant,
        changes={
            "name": [None, participant.name],
            "group": [None, participant.group],
            **({"organisation": [None, participant.organisation]} if participant.organisation else {}),
        },
        parent=event.plan,
    )
    return participant


@transaction.atomic
def planning_participant_add(
    *,
    actor: User,
    event: PlanningEvent,
    name: str,
    group: str,
    organisation: str = "",
    person: Person | None = None,
) -> PlanningParticipant:
    """Record who took part in a planning event (a person from the directory or a name), and for which group.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, event.plan.partnership)
    _require_not_superseded(event.plan)
    return _participant_save(
        actor, event, {"name": name, "group": group, "organisation": organisation, "person": person}
    )


@transaction.atomic
def planning_participant_remove(*, actor: User, participant: PlanningParticipant) -> None:
    """Take a participant off a planning event.

    Raises: PermissionDenied, ValidationError.
    """
    plan = participant.event.plan
    require_edit(actor, plan.partnership)
    _require_not_superseded(plan)
    delete_with_audit(actor=actor, obj=participant, parent=plan)


# --- objectives and activities --------------------------------------------------------------------


def host_countries(partnership: Partnership) -> set[str]:
    """The countries of a partnership's host institutions (ISO codes).

    Raises: nothing.
    """
    return set(
        PartnershipInstitution.objects.filter(partnership=partnership, side=Side.HOST).values_list(
            "institution__country", flat=True
        )
    )


def _check_objective(plan: Plan, pillar: Pillar | None, priorities: list[CountryPriority]) -> None:
    errors: dict[str, list[str]] = {}
    if pillar is not None and pillar.programme_id != plan.partnership.programme_id:
        errors["pillar"] = [_("Choose a pillar of the partnership's programme.")]
    countries = host_countries(plan.partnership)
    foreign = [str(p) for p in priorities if p.country not in countries]
    if foreign:
        errors["priorities"] = [
            _("Only the host countries' priorities can be served: %(list)s is not one of them.")
            % {"list": "; ".join(foreign)}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def objective_create(
    *,
    actor: User,
    plan: Plan,
    code: str,
    statement: str,
    pillar: Pillar,
    priorities: Iterable[CountryPriority] = (),
    order: int | None = None,
    uuid: uuid_module.UUID | None = None,
) -> Objective:
    """Add an objective to a draft plan, under a pillar and the host country's priorities it serves.

    Raises: PermissionDenied, ValidationError.
    """
    _begin_plan_change(actor, plan)
    priorities = list(priorities)
    _check_objective(plan, pillar, priorities)
    if plan.objectives.filter(code=code).exists():
        raise ValidationError({"code": _("Another objective of this plan has this code.")})
    if order is None:
        order = (plan.objectives.aggregate(n=Max("order"))["n"] or 0) + 1
    objective = Objective(
        **_uuid(uuid), plan=plan, code=code, statement=statement, pillar=pillar, order=order
    )
    return create_with_audit(actor=actor, obj=objective, m2m={"priorities": priorities}, parent=plan)


@transaction.atomic
def objective_update(
    *, actor: User, objective: Objective, data: dict[str, Any], expected_version: int | None = None
) -> Objective:
    """Change an objective of a draft plan; codes are unique in the plan.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    refuse_unknown_fields(data, OBJECTIVE_FIELDS, "objective")
    plan = objective.plan
    _begin_plan_change(actor, plan)
    priorities = list(data["priorities"]) if "priorities" in data else []
    _check_objective(plan, data.get("pillar"), priorities)
    if "code" in data and plan.objectives.filter(code=data["code"]).exclude(pk=objective.pk).exists():
        raise ValidationError({"code": _("Another objective of this plan has this code.")})
    return update_with_audit(
        actor=actor, obj=objective, data=data, expected_version=expected_version, parent=plan
    )


@transaction.atomic
def objective_delete(*, actor: User, objective: Objective) -> None:
    """Delete an objective of a draft with its activities and adopted indicators (and their targets).

    Raises: PermissionDenied, ValidationError.
    """
    _begin_plan_change(actor, objective.plan)
    _delete(actor, objective, objective.plan)


def _check_activity(plan: Plan, fields: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    for name in ("start_date", "end_date"):
        day = fields.get(name)
        if day and not plan.first_year <= day.year <= plan.last_year:
            errors[name] = [
                _("Choose a date within the plan's years (%(first)s-%(last)s).")
                % {"first": plan.first_year, "last": plan.last_year}
            ]
    person = fields.get("responsible_person")
    side = fields.get("responsible_side")
    if person is not None and side:
        on_side = PartnershipInstitution.objects.filter(
            partnership_id=plan.partnership_id, side=side, institution_id=person.institution_id
        ).exists()
        if not on_side:
            errors["responsible_person"] = [_("Choose a person from an institution on the responsible side.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def activity_create(
    *,
    actor: User,
    objective: Objective,
    title: str,
    responsible_side: str,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    responsible_person: Person | None = None,
    status: str = Activity.Status.PLANNED,
    progress_note: str = "",
    uuid: uuid_module.UUID | None = None,
) -> Activity:
    """Add an activity to an objective of a draft plan, with the side (and person) responsible.

    Raises: PermissionDenied, ValidationError.
    """
    plan = objective.plan
    _begin_plan_change(actor, plan)
    fields = {
        "title": title,
        "start_date": start_date,
        "end_date": end_date,
        "responsible_side": responsible_side,
        "responsible_person": responsible_person,
        "status": status,
        "progress_note": progress_note,
    }
    _check_activity(plan, fields)
    return create_with_audit(
        actor=actor, obj=Activity(**_uuid(uuid), objective=objective, **fields), parent=plan
    )


@transaction.atomic
def activity_update(
    *, actor: User, activity: Activity, data: dict[str, Any], expected_version: int | None = None
) -> Activity:
    """Change an activity of a draft. On an agreed plan only the progress may change (activity_progress_update).

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    refuse_unknown_fields(data, (*ACTIVITY_FIELDS, "objective"), "activity")
    plan = activity.objective.plan
    if set(data) <= set(PROGRESS_FIELDS) and plan.status == Plan.Status.AGREED:
        return activity_progress_update(
            actor=actor, activity=activity, expected_version=expected_version, **data
        )
    _begin_plan_change(actor, plan)
    if "objective" in data and data["objective"].plan_id != plan.pk:
        raise ValidationError({"objective": _("Choose an objective of the same plan.")})
    merged = {name: data.get(name, getattr(activity, name)) for name in ACTIVITY_FIELDS}
    _check_activity(plan, merged)
    return update_with_audit(
        actor=actor, obj=activity, data=data, expected_version=expected_version, parent=plan
    )


@transaction.atomic
def activity_progress_update(
    *,
    actor: User,
    activity: Activity,
    status: str | None = None,
    progress_note: str | None = None,
    expected_version: int | None = None,
) -> Activity:
    """Track the workplan: status and progress note may change on a draft or an agreed plan.

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    plan = activity.objective.plan
    require_edit(actor, plan.partnership)
    _require_not_superseded(plan)
    data: dict[str, Any] = {}
    if status is not None:
        data["status"] = status
    if progress_note is not None:
        data["progress_note"] = progress_note
    return update_with_audit(
        actor=actor, obj=activity, data=data, expected_version=expected_version, parent=plan
    )


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    """Delete an activity of a draft plan.

    Raises: PermissionDenied, ValidationError.
    """
    plan = activity.objective.plan
    _begin_plan_change(actor, plan)
    _delete(actor, activity, plan)
