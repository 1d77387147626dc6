"""Writes for graduation policies and transition plans. Each service checks access, validates everything, saves
and audits in one transaction.

A transition plan is drafted by whoever edits the partnership (its coordinators, programme editors) and signed by
a coordinator of each side, and by the ministry when the programme's policy asks for it (the ministry's signature
is recorded on its behalf by someone who edits the partnership, as for strategic plans: see
`PartnershipAccess.can_sign_plan_for`). Any change to a plan after a signature withdraws every signature (audited):
a signature is given to content.

Dates (`check_plan_dates`): every date a plan names (the handover, each item's takeover, each milestone) falls in
the partnership's life: not before its funding starts (without a start date: `TRANSITION_YEARS` years before it was
recorded) and not more than `TRANSITION_YEARS` years after its funding ends (without an end date: after today).
Milestones and takeovers come on or before the handover date, when the host side has taken over fully; a handover
date is refused while a milestone or takeover of the plan comes after it.
"""

import datetime
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from twinning.accounts.access import partnership_access, require, require_edit, require_programme_editor
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.services import (
    create_with_audit,
    created_before,
    delete_with_audit,
    lock_current,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.directory.models import Person
from twinning.knowledge.models import Practice, PracticePartnership
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme
from twinning.partnerships.selectors import partnership_today
from twinning.planning.models import Activity
from twinning.sustainability.models_transition import (
    FundingSource,
    GraduationPolicy,
    TransitionItem,
    TransitionMilestone,
    TransitionPlan,
    TransitionRisk,
    TransitionSignOff,
)

POLICY_FIELDS = (
    "min_readiness_score",
    "min_on_track_percent",
    "require_signed_transition_plan",
    "require_no_open_priority_actions",
    "transition_requires_ministry",
    "follow_up_years",
    "reminder_lead_days",
)
PLAN_FIELDS = ("summary", "handover_date")
ITEM_FIELDS = (
    "kind",
    "title",
    "activity",
    "practice",
    "continues",
    "owner",
    "owner_role",
    "funding_source",
    "funding_detail",
    "takes_over_on",
    "note",
)
RISK_FIELDS = ("risk", "mitigation")
MILESTONE_FIELDS = ("title", "due_date")


@dataclass(frozen=True)
class PlanChange[Saved]:
    """What a change to a transition plan saved (None for a removal), and whether it withdrew signatures given
    before it. Decided under the plan's row lock, so it says what this change did, not what someone else's did
    in the meantime: the page says "it needs signing again" from it (a tester's finding, issue 13)."""

    saved: Saved
    withdrew_signatures: bool


# How far a transition plan's dates may reach beyond the partnership's funding period (see the module docstring).
TRANSITION_YEARS = 5


def _years_from(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` later (earlier when negative), within the calendar Python has: a funding end typed
    as 9999 reaches the last day there is, not an error."""
    year = day.year + years
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=year, day=28)


def plan_date_range(partnership: Partnership) -> tuple[datetime.date, datetime.date]:
    """The first and last date a transition plan of the partnership may name (the rule in the module docstring).

    Raises: nothing.
    """
    recorded = (
        timezone.localdate(partnership.created_at)
        if partnership.created_at
        else partnership_today(partnership)
    )
    first = partnership.start_date or _years_from(recorded, -TRANSITION_YEARS)
    last = _years_from(partnership.end_date or max(partnership_today(partnership), first), TRANSITION_YEARS)
    return first, last


def check_partnership_date(partnership: Partnership, field: str, day: datetime.date) -> None:
    """Refuse a date outside `plan_date_range` (a round's or an action's due date: a tester's year 1 and 9999
    were taken, and an action due in year 1 failed a graduation criterion for good).

    Raises: ValidationError keyed by `field`.
    """
    check_plan_dates(partnership, {field: day}, handover=None)


def check_plan_dates(
    partnership: Partnership,
    dates: dict[str, datetime.date | None],
    *,
    handover: datetime.date | None,
) -> None:
    """Refuse dates of a transition plan (field name -> date) outside `plan_date_range`, and a milestone's or
    takeover's date (`due_date`, `takes_over_on`) after the plan's `handover` date.

    Raises: ValidationError (keyed by the field).
    """
    first, last = plan_date_range(partnership)
    errors: dict[str, list[str]] = {}
    for name, day in dates.items():
        if day is None:
            continue
        if not first <= day <= last:
            errors[name] = [
                _(
                    "Give a date from %(first)s to %(last)s: the partnership's funding period and the years after it."
                )
                % {"first": date_format(first), "last": date_format(last)}
            ]
        elif name != "handover_date" and handover is not None and day > handover:
            errors[name] = [
                _(
                    "This date is after the handover date (%(date)s): the host side has taken over fully by then."
                )
                % {"date": date_format(handover)}
            ]
    if errors:
        raise ValidationError(errors)


def _check_handover(plan: TransitionPlan, handover: datetime.date | None) -> None:
    """A new handover date within the partnership's range, and not before a milestone or takeover of the plan."""
    check_plan_dates(plan.partnership, {"handover_date": handover}, handover=None)
    if handover is None:
        return
    later: list[tuple[datetime.date, str]] = [
        (day, title)
        for title, day in [
            *plan.milestones.filter(due_date__gt=handover).values_list("title", "due_date"),
            *plan.items.filter(takes_over_on__gt=handover).values_list("title", "takes_over_on"),
        ]
        if day is not None
    ]
    if later:
        day, title = max(later)
        raise ValidationError(
            {
                "handover_date": [
                    _("“%(title)s” is dated %(date)s, after this handover date: change or remove it first.")
                    % {"title": title, "date": date_format(day)}
                ]
            }
        )


def graduation_policy(programme: Programme) -> GraduationPolicy:
    """The programme's graduation policy, or an unsaved one with the defaults when it has none (one query).

    Raises: nothing.
    """
    policy = GraduationPolicy.objects.filter(programme=programme).first()
    return policy or GraduationPolicy(programme=programme)


@transaction.atomic
def graduation_policy_set(*, actor: User, programme: Programme, data: dict[str, Any]) -> GraduationPolicy:
    """Set a programme's graduation criteria, transition sign-off and follow-up schedule (programme editors).
    Follow-ups already scheduled keep their dates; the new years apply to partnerships that end from now on.

    Raises: PermissionDenied, ValidationError, TypeError.
    """
    require_programme_editor(actor, programme.pk)
    refuse_unknown_fields(data, POLICY_FIELDS, "graduation policy")
    policy = GraduationPolicy.objects.select_for_update().filter(programme=programme).first()
    if policy is None:
        return create_with_audit(
            actor=actor, obj=GraduationPolicy(programme=programme, **data), parent=programme
        )
    return update_with_audit(actor=actor, obj=policy, data=data, parent=programme)


# --- transition plans ------------------------------------------------------------------------------------


@transaction.atomic
def transition_plan_create(
    *, actor: User, partnership: Partnership, summary: str = "", handover_date: datetime.date | None = None
) -> TransitionPlan:
    """Draft the partnership's transition plan (one per partnership). Whether the ministry signs it comes from the
    programme's graduation policy as it is now.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, partnership)
    if TransitionPlan.objects.filter(partnership=partnership).exists():
        raise ValidationError(_("This partnership already has a transition plan; change it instead."))
    check_plan_dates(partnership, {"handover_date": handover_date}, handover=None)
    policy = graduation_policy(partnership.programme)
    plan = TransitionPlan(
        partnership=partnership,
        summary=summary,
        handover_date=handover_date,
        requires_ministry_sign_off=policy.transition_requires_ministry,
    )
    return create_with_audit(actor=actor, obj=plan, parent=partnership)


def _withdraw_signatures(actor: User, plan: TransitionPlan) -> bool:
    """Every change to a plan's content withdraws the signatures given to the content before it (audited).
    Returns whether there were any to withdraw."""
    signed = list(plan.sign_offs.all())
    if not signed:
        return False
    plan.sign_offs.all().delete()
    changes: dict[str, Any] = {"sign_offs": [sorted(s.party for s in signed), []]}
    if plan.signed_at is not None:
        TransitionPlan.objects.filter(pk=plan.pk).update(signed_at=None)
        changes["signed_at"] = [plan.signed_at.isoformat(), None]
        plan.signed_at = None
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=plan,
        changes=changes,
        reason=_("The transition plan changed after it was signed; it needs signing again."),
        parent=plan.partnership,
    )
    return True


def _begin_change(actor: User, plan: TransitionPlan) -> bool:
    """Edit access, the plan's row locked, and the signatures withdrawn: the start of every content change.
    Returns whether signatures were withdrawn."""
    require_edit(actor, plan.partnership)
    current = lock_current(plan)
    current.partnership = plan.partnership
    withdrew = _withdraw_signatures(actor, current)
    plan.signed_at = current.signed_at
    return withdrew


def _begin_part_change(actor: User, plan: TransitionPlan) -> bool:
    """`_begin_change` for an item, risk or milestone added or removed, which also moves the plan's version:
    they are the content a signature covers, so a sign form loaded before them is refused as stale (a tester's
    finding, issue 13). A change of the plan's own fields moves it through `update_with_audit` instead.
    Returns whether signatures were withdrawn."""
    withdrew = _begin_change(actor, plan)
    moved = lock_current(plan).version + 1
    TransitionPlan.objects.filter(pk=plan.pk).update(version=moved, updated_at=timezone.now())
    plan.version = moved
    return withdrew


@transaction.atomic
def transition_plan_update(
    *, actor: User, plan: TransitionPlan, data: dict[str, Any], expected_version: int | None = None
) -> PlanChange[TransitionPlan]:
    """Change the plan's summary or handover date; signatures given before are withdrawn (the result says
    whether there were any). The handover date follows the date rule of the module docstring.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    refuse_unknown_fields(data, PLAN_FIELDS, "transition plan")
    require_edit(actor, plan.partnership)
    current = lock_current(plan, expected_version)
    # Compared with the saved row, never the caller's copy: a model form has already put the new values on it.
    changed = {k: v for k, v in data.items() if getattr(current, k) != v}
    if "handover_date" in changed:
        _check_handover(current, changed["handover_date"])
    withdrew = _begin_change(actor, plan) if changed else False
    saved = update_with_audit(
        actor=actor, obj=plan, data=data, expected_version=expected_version, parent=plan.partnership
    )
    return PlanChange(saved, withdrew)


def _check_item(plan: TransitionPlan, fields: dict[str, Any]) -> None:
    """A complete item: an activity item names an activity of the partnership's plans, a practice item a practice
    the partnership is behind (and neither names the other kind); an item that continues after the end says who
    owns it (a person of the host side, or a role or unit) and who funds it (not "no funding")."""
    errors: dict[str, list[str]] = {}
    kind = fields.get("kind", TransitionItem.Kind.ACTIVITY)
    if kind == TransitionItem.Kind.ACTIVITY and fields.get("activity") is None:
        errors["activity"] = [_("Choose the activity of the plan that the host side takes over.")]
    if kind == TransitionItem.Kind.PRACTICE and fields.get("practice") is None:
        errors["practice"] = [_("Choose the practice of the library that the host side takes over.")]
    if kind != TransitionItem.Kind.ACTIVITY and fields.get("activity") is not None:
        errors["activity"] = [_("Only an activity item names an activity of the plan.")]
    if kind != TransitionItem.Kind.PRACTICE and fields.get("practice") is not None:
        errors["practice"] = [_("Only a practice item names a practice of the library.")]
    if fields.get("continues", True):
        if fields.get("owner") is None and not str(fields.get("owner_role") or "").strip():
            errors["owner"] = [
                _("Say who owns it after the end: a person of the host side, or a role or unit.")
            ]
        if fields.get("funding_source", FundingSource.HOST_BUDGET) in ("", None, FundingSource.NONE):
            errors["funding_source"] = [_("Say who funds it after the end.")]
    practice: Practice | None = fields.get("practice")
    if (
        practice is not None
        and not PracticePartnership.objects.filter(
            practice_id=practice.pk, partnership_id=plan.partnership_id
        ).exists()
    ):
        errors["practice"] = [_("Choose a practice this partnership is behind.")]
    activity: Activity | None = fields.get("activity")
    if (
        activity is not None
        and not Activity.objects.filter(
            pk=activity.pk, objective__plan__partnership_id=plan.partnership_id
        ).exists()
    ):
        errors["activity"] = [_("Choose an activity of this partnership's plans.")]
    owner: Person | None = fields.get("owner")
    if (
        owner is not None
        and not PartnershipInstitution.objects.filter(
            partnership_id=plan.partnership_id, side="host", institution_id=owner.institution_id
        ).exists()
    ):
        errors["owner"] = [_("The responsible person must work at a host institution of the partnership.")]
    if errors:
        raise ValidationError(errors)


def _made_before[Part: models.Model](
    model: type[Part], plan: TransitionPlan, uuid: UUID | None
) -> Part | None:
    """The part of `plan` already made under `uuid` (a form posted twice), after locking the plan's row so that a
    second post waits for the first and then finds what it made."""
    if uuid is None:
        return None
    lock_current(plan)
    return created_before(model, uuid=uuid, parent_field="plan", parent=plan)


@transaction.atomic
def transition_item_add(
    *, actor: User, plan: TransitionPlan, uuid: UUID | None = None, **fields: Any
) -> PlanChange[TransitionItem]:
    """Add what the host side takes over (or lets end): an activity, a practice or a role, with its owner, its
    funding after the end and the date it is taken over. Signatures given before are withdrawn. `uuid`, when
    given, is the new item's: one already made under it is returned as it is (a form posted twice adds it once,
    and withdraws no signature the second time). Its takeover date follows the date rule of the module docstring.

    Raises: PermissionDenied, ValidationError, TypeError.
    """
    refuse_unknown_fields(fields, ITEM_FIELDS, "transition item")
    require_edit(actor, plan.partnership)
    if (made := _made_before(TransitionItem, plan, uuid)) is not None:
        return PlanChange(made, False)
    _check_item(plan, fields)
    item = TransitionItem(plan=plan, **fields, **({"uuid": uuid} if uuid else {}))
    item.full_clean()
    current = lock_current(plan)
    check_plan_dates(plan.partnership, {"takes_over_on": item.takes_over_on}, handover=current.handover_date)
    withdrew = _begin_part_change(actor, plan)
    return PlanChange(create_with_audit(actor=actor, obj=item, parent=plan), withdrew)


@transaction.atomic
def transition_risk_add(
    *, actor: User, plan: TransitionPlan, risk: str, mitigation: str = "", uuid: UUID | None = None
) -> PlanChange[TransitionRisk]:
    """Add a risk to the handover and how it is mitigated. Signatures given before are withdrawn. `uuid` as for
    transition_item_add.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, plan.partnership)
    if (made := _made_before(TransitionRisk, plan, uuid)) is not None:
        return PlanChange(made, False)
    row = TransitionRisk(plan=plan, risk=risk, mitigation=mitigation, **({"uuid": uuid} if uuid else {}))
    row.full_clean()
    withdrew = _begin_part_change(actor, plan)
    return PlanChange(create_with_audit(actor=actor, obj=row, parent=plan), withdrew)


@transaction.atomic
def transition_milestone_add(
    *, actor: User, plan: TransitionPlan, title: str, due_date: datetime.date, uuid: UUID | None = None
) -> PlanChange[TransitionMilestone]:
    """Add a milestone of the handover, dated by the date rule of the module docstring (on or before the
    handover date). Signatures given before are withdrawn. `uuid` as for transition_item_add.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, plan.partnership)
    if (made := _made_before(TransitionMilestone, plan, uuid)) is not None:
        return PlanChange(made, False)
    row = TransitionMilestone(plan=plan, title=title, due_date=due_date, **({"uuid": uuid} if uuid else {}))
    row.full_clean()
    current = lock_current(plan)
    check_plan_dates(plan.partnership, {"due_date": row.due_date}, handover=current.handover_date)
    withdrew = _begin_part_change(actor, plan)
    return PlanChange(create_with_audit(actor=actor, obj=row, parent=plan), withdrew)


@transaction.atomic
def transition_part_remove(
    *, actor: User, part: TransitionItem | TransitionRisk | TransitionMilestone
) -> PlanChange[None]:
    """Remove an item, risk or milestone from its plan. Signatures given before are withdrawn.

    Raises: PermissionDenied.
    """
    plan = part.plan
    require_edit(actor, plan.partnership)
    withdrew = _begin_part_change(actor, plan)
    delete_with_audit(actor=actor, obj=part, parent=plan)
    return PlanChange(None, withdrew)


def required_parties(plan: TransitionPlan) -> list[str]:
    """Who must sign: both sides, and the ministry when the plan asks for it.

    Raises: nothing.
    """
    parties = [TransitionSignOff.Party.HOST, TransitionSignOff.Party.RESOURCE]
    if plan.requires_ministry_sign_off:
        parties.append(TransitionSignOff.Party.MINISTRY)
    return [str(p) for p in parties]


@transaction.atomic
def transition_plan_sign(
    *, actor: User, plan: TransitionPlan, party: str, note: str = "", expected_version: int | None = None
) -> TransitionSignOff:
    """Sign the plan as it stands for one party: a coordinator for their own side; someone who edits the
    partnership records the ministry's signature (say who signed in the note). When the last required party signs,
    the plan is signed (`signed_at`). A plan with nothing to take over cannot be signed.

    `expected_version` is the plan's version the signer read: a signature is given to content the signer saw,
    so a plan changed since (its fields, or an item, risk or milestone added or removed) is refused with
    VersionConflict and nothing is signed (a tester's finding, issue 13). The page's sign form and the API always
    send it; None (the demo loader, service-level tests) skips the check.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict.
    """
    access = partnership_access(actor, plan.partnership)
    require(access.can_read)
    if party not in TransitionSignOff.Party.values:
        raise ValidationError({"party": _("Unknown party.")})
    if party == TransitionSignOff.Party.MINISTRY and not plan.requires_ministry_sign_off:
        raise ValidationError({"party": _("This transition plan does not ask for the ministry's signature.")})
    if party not in access.can_sign_plan_for(requires_ministry=plan.requires_ministry_sign_off):
        if party == TransitionSignOff.Party.MINISTRY:
            raise PermissionDenied(
                _("Only someone who edits the partnership records the ministry's signature.")
            )
        raise PermissionDenied(_("Only a coordinator of that side signs the transition plan for it."))
    current = lock_current(plan, expected_version)
    if current.sign_offs.filter(party=party).exists():
        raise ValidationError({"party": _("This party has already signed the transition plan.")})
    if not current.items.exists():
        raise ValidationError(_("Say what the host side takes over before signing the transition plan."))
    return record_signature(actor=actor, plan=plan, party=party, note=note)


def record_signature(*, actor: User, plan: TransitionPlan, party: str, note: str = "") -> TransitionSignOff:
    """Write one party's signature (audited) and mark the plan signed when it was the last one needed. Callers
    check who may sign: `transition_plan_sign`, and the demo loader filing the parties' signed copies.

    Raises: ValidationError.
    """
    current = lock_current(plan)
    sign_off = TransitionSignOff(plan=current, party=party, signed_by=actor, note=note)
    sign_off.full_clean()
    sign_off.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=sign_off,
        changes={"party": [None, sign_off.party], "note": [None, note or None]},
        parent=plan,
    )
    signed = set(current.sign_offs.values_list("party", flat=True))
    if signed >= set(required_parties(current)):
        update_with_audit(actor=actor, obj=plan, data={"signed_at": timezone.now()}, parent=plan.partnership)
    return sign_off
