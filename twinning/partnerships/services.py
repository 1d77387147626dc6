"""Writes for programmes and partnerships. Each service checks access, validates, saves and audits atomically."""

import datetime
import uuid as uuid_module
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from twinning.accounts.access import (
    require_admin,
    require_edit,
    require_programme_editor,
    require_programme_manager,
    require_side_manager,
)
from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.accounts.services import invitation_send, user_find_or_invite
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record, related_labels
from twinning.core.choices import Side
from twinning.core.dates import local_today, place_zone
from twinning.core.services import (
    create_with_audit,
    delete_with_audit,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.directory.models import Institution
from twinning.partnerships.models import (
    DEFAULT_PILLARS,
    Agreement,
    Partnership,
    PartnershipInstitution,
    Pillar,
    Programme,
    Stage,
    StageChange,
    Stakeholder,
)
from twinning.partnerships.selectors import partnership_today

PARTNERSHIP_FIELDS = ("title", "shared_goal", "start_date", "end_date")


@transaction.atomic
def programme_create(
    *,
    actor: User,
    name: str,
    funders: str = "",
    reporting_currency: str = "USD",
    description: str = "",
    viewers_see_evidence: bool = False,
    viewers_see_contacts: bool = False,
) -> Programme:
    """Create a programme with the five default pillars; only administrators set up programmes. The two
    `viewers_see_*` flags grant its readers evidence files and contact details (see accounts/access.py).

    Raises: PermissionDenied, ValidationError.
    """
    require_admin(actor)
    pillars = [
        Pillar(code=code, name=label, order=i) for i, (code, label) in enumerate(DEFAULT_PILLARS, start=1)
    ]
    programme = create_with_audit(
        actor=actor,
        obj=Programme(
            name=name,
            funders=funders,
            reporting_currency=reporting_currency,
            description=description,
            viewers_see_evidence=viewers_see_evidence,
            viewers_see_contacts=viewers_see_contacts,
        ),
        # The default pillars are written beside the programme: its creation's audit row names them.
        extra_values={"pillars": related_labels(pillars)},
    )
    for pillar in pillars:
        pillar.programme = programme
    Pillar.objects.bulk_create(pillars)
    return programme


@transaction.atomic
def programme_update(*, actor: User, programme: Programme, data: dict[str, Any]) -> Programme:
    """Change a programme's editable fields (programme managers).

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_manager(actor, programme.pk)
    return update_with_audit(actor=actor, obj=programme, data=data)


@transaction.atomic
def programme_role_grant(*, actor: User, programme: Programme, user: User, role: str) -> ProgrammeRole:
    """Give a user a role in a programme, or change the role they have (programme managers).

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_manager(actor, programme.pk)
    grant, _created = ProgrammeRole.objects.update_or_create(
        user=user, programme=programme, defaults={"role": role}
    )
    grant.full_clean()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.GRANT,
        obj=grant,
        changes={"role": [None, role]},
        parent=programme,
    )
    return grant


def _validate_sides(hosts: list[Institution], resources: list[Institution]) -> None:
    errors: dict[str, list[str]] = {}
    if not hosts:
        errors["hosts"] = [_("Choose at least one host institution.")]
    if not resources:
        errors["resources"] = [_("Choose at least one resource institution.")]
    both = {i.pk for i in hosts} & {i.pk for i in resources}
    if both:
        errors.setdefault("resources", []).append(
            _("An institution cannot be on both sides of a partnership.")
        )
    if errors:
        raise ValidationError(errors)


def _validate_new_partnership(
    partnership: Partnership,
    hosts: list[Institution],
    resources: list[Institution],
    stage_since: datetime.date,
) -> None:
    """Every error of a new partnership at once (its fields, its sides, its first stage's date), before any
    write. Raises ValidationError."""
    errors: dict[str, Any] = {}
    try:
        partnership.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        _validate_sides(hosts, resources)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if stage_since > _hosts_today(hosts):
        errors["stage_since"] = [_("A stage cannot start in the future.")]
    if errors:
        raise ValidationError(errors)


def _hosts_today(hosts: list[Institution]) -> datetime.date:
    """Today where a new partnership's host institutions are (as `selectors.partnership_zones` reads it)."""
    ordered = sorted(hosts, key=lambda i: (i.name, i.pk or 0))
    zones = [i.time_zone for i in ordered if i.time_zone] + [place_zone("", i.country) for i in ordered[:1]]
    return local_today(zones[0] if zones else "")


@transaction.atomic
def partnership_create(
    *,
    actor: User,
    programme: Programme,
    title: str,
    hosts: Iterable[Institution],
    resources: Iterable[Institution],
    shared_goal: str = "",
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
    stage: str = Stage.SCOPING,
    stage_since: datetime.date | None = None,
    stage_note: str = "",
    uuid: uuid_module.UUID | None = None,
    reason: str = "",
    iati_identifier: str = "",
) -> Partnership:
    """Create a partnership with its host and resource institutions and its first stage record.

    `uuid` lets a client (an offline one, an import) name the record itself; `iati_identifier` is the activity
    identifier of a partnership imported from another publisher's IATI file; `stage_since` dates the
    first stage when a partnership already under way is recorded late; `reason` goes on the audit row (why it
    was started, e.g. from a twin search).

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, programme.pk)
    hosts, resources = list(hosts), list(resources)
    partnership = Partnership(
        **({"uuid": uuid} if uuid else {}),
        programme=programme,
        title=title,
        shared_goal=shared_goal,
        start_date=start_date,
        end_date=end_date,
        stage=stage,
        iati_identifier=iati_identifier,
    )
    stage_since = stage_since or _hosts_today(hosts)
    _validate_new_partnership(partnership, hosts, resources, stage_since)
    # The sides are written beside the partnership: its creation's audit row names them.
    sides = {"hosts": related_labels(hosts), "resources": related_labels(resources)}
    create_with_audit(actor=actor, obj=partnership, reason=reason, extra_values=sides)
    PartnershipInstitution.objects.bulk_create(
        PartnershipInstitution(partnership=partnership, institution=i, side=side, joined_on=stage_since)
        for side, members in ((Side.HOST, hosts), (Side.RESOURCE, resources))
        for i in members
    )
    StageChange.objects.create(
        partnership=partnership, stage=stage, changed_on=stage_since, note=stage_note, actor=actor
    )
    return partnership


@transaction.atomic
def partnership_update(
    *, actor: User, partnership: Partnership, data: dict[str, Any], expected_version: int | None = None
) -> Partnership:
    """Change a partnership's editable fields (PARTNERSHIP_FIELDS).

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require_edit(actor, partnership)
    refuse_unknown_fields(data, PARTNERSHIP_FIELDS, "partnership")
    return update_with_audit(actor=actor, obj=partnership, data=data, expected_version=expected_version)


@transaction.atomic
def partnership_stage_change(
    *,
    actor: User,
    partnership: Partnership,
    stage: str,
    changed_on: datetime.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Partnership:
    """Move a partnership to another lifecycle stage, keeping the dated history.

    Raises: PermissionDenied, ValidationError, VersionConflict.
    """
    require_edit(actor, partnership)
    if stage not in Stage.values:
        raise ValidationError({"stage": _("Unknown stage.")})
    if stage == partnership.stage:
        raise ValidationError({"stage": _("The partnership is already at this stage.")})
    today = partnership_today(partnership)
    changed_on = changed_on or today
    if changed_on > today:
        raise ValidationError({"changed_on": _("A stage change cannot be dated in the future.")})
    latest = partnership.stage_changes.order_by("-changed_on").values_list("changed_on", flat=True).first()
    if latest and changed_on < latest:
        # The history is read in date order; an earlier date would put the current stage below an older one.
        raise ValidationError(
            {
                "changed_on": _("The last stage change is dated %(date)s; this one cannot be earlier.")
                % {"date": latest}
            }
        )
    partnership = update_with_audit(
        actor=actor,
        obj=partnership,
        data={"stage": stage},
        expected_version=expected_version,
        reason=note,
        action=AuditEvent.Action.STAGE,
    )
    StageChange.objects.create(
        partnership=partnership, stage=stage, changed_on=changed_on, note=note, actor=actor
    )
    return partnership


@transaction.atomic
def partnership_sides_set(
    *, actor: User, partnership: Partnership, hosts: Iterable[Institution], resources: Iterable[Institution]
) -> Partnership:
    """Make the partnership's sides exactly `hosts` and `resources`, auditing who joined and who left.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, partnership)
    hosts, resources = list(hosts), list(resources)
    _validate_sides(hosts, resources)
    wanted = {**{i.pk: (i, Side.HOST) for i in hosts}, **{i.pk: (i, Side.RESOURCE) for i in resources}}
    current = {link.institution_id: link for link in partnership.side_links.select_related("institution")}
    changes: dict[str, list[Any]] = {}
    for side in Side.values:
        before = related_labels(link.institution for link in current.values() if link.side == side)
        after = related_labels(i for i, s in wanted.values() if s == side)
        if before != after:
            changes[f"{side}s"] = [before, after]
    if not changes:
        return partnership
    partnership.side_links.exclude(institution_id__in=wanted).delete()
    for pk, (institution, side) in wanted.items():
        link = current.get(pk)
        if link is None:
            PartnershipInstitution.objects.create(partnership=partnership, institution=institution, side=side)
        elif link.side != side:
            link.side = side
            link.save(update_fields=["side"])
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=partnership, changes=changes)
    return partnership


@transaction.atomic
def stakeholder_create(*, actor: User, partnership: Partnership, **fields: Any) -> Stakeholder:
    """Add a stakeholder (ministry, community, donor...) to a partnership.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, partnership)
    return create_with_audit(
        actor=actor, obj=Stakeholder(partnership=partnership, **fields), parent=partnership
    )


@transaction.atomic
def stakeholder_delete(*, actor: User, stakeholder: Stakeholder, reason: str = "") -> None:
    """Remove a stakeholder from a partnership, with a reason.

    Raises: PermissionDenied.
    """
    require_edit(actor, stakeholder.partnership)
    delete_with_audit(actor=actor, obj=stakeholder, parent=stakeholder.partnership, reason=reason)


@transaction.atomic
def agreement_create(*, actor: User, partnership: Partnership, **fields: Any) -> Agreement:
    """File an agreement (memorandum, contract) of a partnership.

    Raises: PermissionDenied, ValidationError.
    """
    require_edit(actor, partnership)
    return create_with_audit(
        actor=actor, obj=Agreement(partnership=partnership, **fields), parent=partnership
    )


@transaction.atomic
def membership_add(
    *, actor: User, partnership: Partnership, user: User, side: str, role: str
) -> PartnershipMembership:
    """Give a user a place on one side. Coordinators manage their own side; programme managers both.

    Raises: PermissionDenied, ValidationError.
    """
    require_side_manager(actor, partnership, side)
    if PartnershipMembership.objects.filter(user=user, partnership=partnership).exists():
        raise ValidationError({"user": _("This person is already a member of the partnership.")})
    membership = PartnershipMembership(user=user, partnership=partnership, side=side, role=role)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.GRANT,
        obj=membership,
        changes={"user": [None, user.email], "side": [None, side], "role": [None, role]},
        parent=partnership,
    )
    return membership


@transaction.atomic
def membership_invite(
    *, actor: User, partnership: Partnership, email: str, side: str, role: str, full_name: str = ""
) -> PartnershipMembership:
    """Add a person by email, creating their account if they have none, and email them an invitation.

    Raises: PermissionDenied, ValidationError.
    """
    require_side_manager(actor, partnership, side)
    user, created = user_find_or_invite(actor=actor, email=email, full_name=full_name)
    membership = membership_add(actor=actor, partnership=partnership, user=user, side=side, role=role)
    invitation_send(inviter=actor, user=user, partnership=partnership, new_account=created)
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: PartnershipMembership, reason: str = "") -> None:
    """Take a person out of a partnership: the coordinator of their side or programme staff.

    Raises: PermissionDenied.
    """
    require_side_manager(actor, membership.partnership, membership.side)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.REVOKE,
        obj=membership,
        changes={"user": [membership.user.email, None], "role": [membership.role, None]},
        parent=membership.partnership,
        reason=reason,
    )
    membership.delete()
