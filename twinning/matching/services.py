"""Writes for matching: rounds, applicants, conflicts, runs, decisions and profile details.

Each service checks access first, validates everything, writes and audits in one transaction; computing a
round is queued (or, for a small round, run) once the transaction has committed.
"""

import uuid as uuid_module
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from twinning.accounts.access import (
    can_edit_institution,
    can_start_twinning,
    require,
    require_programme_editor,
)
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record, named_text
from twinning.core.choices import Side
from twinning.core.rendering import labelled
from twinning.core.services import (
    create_with_audit,
    delete_with_audit,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.directory.models import HealthArea, Institution, InstitutionExpertise, InstitutionNeed
from twinning.matching.engine.scoring import PARTS
from twinning.matching.models import (
    CONSTRAINT_LABELS,
    DeclaredConflict,
    MatchDecision,
    MatchingJob,
    MatchingRound,
    RoundApplicant,
)
from twinning.partnerships.models import ENDED_STAGES, Partnership, PartnershipInstitution, Programme, Stage
from twinning.partnerships.services import partnership_create

# Rounds with more pairs than this are computed by the task worker; smaller ones right after the request.
INLINE_PAIRS = 40_000
ROUND_FIELDS = ("name", "description", "top_k", *(f"weight_{p}" for p in PARTS))


def _require_open(round: MatchingRound) -> None:
    if round.status == MatchingRound.Status.CLOSED:
        raise ValidationError(_("This round is closed."))


@transaction.atomic
def round_create(
    *,
    actor: User,
    programme: Programme,
    name: str,
    description: str = "",
    weights: dict[str, int] | None = None,
    top_k: int = 10,
    uuid: uuid_module.UUID | None = None,
) -> MatchingRound:
    """Open a matching round in a programme; weights default to the engine's defaults.

    Raises: PermissionDenied, ValidationError, TypeError.
    """
    require_programme_editor(actor, programme.pk)
    refuse_unknown_fields(weights or {}, PARTS, "weight")
    round = MatchingRound(
        **({"uuid": uuid} if uuid else {}),
        programme=programme,
        name=name,
        description=description,
        top_k=top_k,
        **{f"weight_{k}": v for k, v in (weights or {}).items()},
    )
    return create_with_audit(actor=actor, obj=round)


@transaction.atomic
def round_update(
    *, actor: User, round: MatchingRound, data: dict[str, Any], expected_version: int | None = None
) -> MatchingRound:
    """Change a round's name, description, weights or pruning; results stay until the round is run again.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    require_programme_editor(actor, round.programme_id)
    _require_open(round)
    refuse_unknown_fields(data, ROUND_FIELDS, "round")
    return update_with_audit(actor=actor, obj=round, data=data, expected_version=expected_version)


@transaction.atomic
def applicant_add(
    *,
    actor: User,
    round: MatchingRound,
    institution: Institution,
    side: str,
    capacity: int | None = None,
    uuid: uuid_module.UUID | None = None,
    reason: str = "",
) -> RoundApplicant:
    """Add an institution to a round on one side; its places default to the directory's capacity; `reason`
    goes on the audit row.

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, round.programme_id)
    _require_open(round)
    if side not in Side.values:
        raise ValidationError({"side": [_("Choose host or resource.")]})
    if RoundApplicant.objects.filter(round=round, institution=institution).exists():
        raise ValidationError({"institution": [_("This institution is already in the round.")]})
    applicant = RoundApplicant(
        **({"uuid": uuid} if uuid else {}),
        round=round,
        institution=institution,
        side=side,
        capacity=institution.capacity if capacity is None else capacity,
    )
    return create_with_audit(actor=actor, obj=applicant, parent=round, reason=reason)


@transaction.atomic
def applicant_remove(*, actor: User, applicant: RoundApplicant) -> None:
    """Take an institution out of an open round; the stored results are cleared (they name it). Refused once a
    decision names it.

    Raises: PermissionDenied, ValidationError.
    """
    round = applicant.round
    require_programme_editor(actor, round.programme_id)
    _require_open(round)
    if (
        MatchDecision.objects.filter(round=round).filter(host=applicant).exists()
        or MatchDecision.objects.filter(round=round, resource=applicant).exists()
    ):
        raise ValidationError(_("A decision names this institution; it stays in the round."))
    # Stored proposals name the applicant and are stale without it.
    round.pairs.all().delete()
    round.unmatched.all().delete()
    delete_with_audit(actor=actor, obj=applicant, parent=round)


@transaction.atomic
def conflict_declare(
    *,
    actor: User,
    programme: Programme,
    institution_a: Institution,
    institution_b: Institution,
    reason: str,
    uuid: uuid_module.UUID | None = None,
) -> DeclaredConflict:
    """Record that two institutions must not be paired in this programme's rounds.

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, programme.pk)
    if institution_a.pk == institution_b.pk:
        raise ValidationError({"institution_b": [_("Choose two different institutions.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why these institutions must not be paired.")]})
    a, b = sorted((institution_a, institution_b), key=lambda i: i.pk)
    if DeclaredConflict.objects.filter(programme=programme, institution_a=a, institution_b=b).exists():
        raise ValidationError({"institution_b": [_("This conflict is already declared.")]})
    conflict = DeclaredConflict(
        **({"uuid": uuid} if uuid else {}),
        programme=programme,
        institution_a=a,
        institution_b=b,
        reason=reason.strip(),
        declared_by=actor,
    )
    return create_with_audit(actor=actor, obj=conflict, parent=programme)


@transaction.atomic
def conflict_remove(*, actor: User, conflict: DeclaredConflict, reason: str = "") -> None:
    """Withdraw a declared conflict of interest (programme editors), with a reason.

    Raises: PermissionDenied.
    """
    require_programme_editor(actor, conflict.programme_id)
    delete_with_audit(actor=actor, obj=conflict, parent=conflict.programme, reason=reason)


@transaction.atomic
def round_run(*, actor: User, round: MatchingRound) -> MatchingJob:
    """Queue a computation of the round; small rounds are computed as soon as the request commits.

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, round.programme_id)
    _require_open(round)
    sides = dict.fromkeys(Side.values, 0)
    for side in RoundApplicant.objects.filter(round=round).values_list("side", flat=True):
        sides[side] += 1
    if not sides[Side.HOST] or not sides[Side.RESOURCE]:
        raise ValidationError(_("A round needs at least one host and one resource institution to run."))
    if MatchingJob.objects.filter(
        round=round, status__in=[MatchingJob.Status.QUEUED, MatchingJob.Status.RUNNING]
    ).exists():
        raise ValidationError(_("This round is already being computed."))
    job = create_with_audit(
        actor=actor, obj=MatchingJob(round=round, requested_by=actor, stage="queued"), parent=round
    )
    MatchingRound.objects.filter(pk=round.pk).update(status=MatchingRound.Status.COMPUTING)
    round.status = MatchingRound.Status.COMPUTING
    large = sides[Side.HOST] * sides[Side.RESOURCE] > INLINE_PAIRS
    transaction.on_commit(lambda: _start(job.pk, large))
    return job


def _start(job_id: int, large: bool) -> None:
    from twinning.matching.compute import job_execute
    from twinning.matching.tasks import compute_round_task

    if large:
        compute_round_task.enqueue(job_id)
    else:
        job_execute(job_id)


def _pair_problems(
    round: MatchingRound, host: RoundApplicant, resource: RoundApplicant
) -> dict[str, list[str]]:
    """Why this pair may not be decided: sides, places, hard constraints (empty when it may)."""
    from twinning.matching.compute import places_taken
    from twinning.matching.selectors import pair_constraints

    errors: dict[str, list[str]] = {}
    if host.round_id != round.pk or host.side != Side.HOST:
        errors["host"] = [_("Choose a host institution of this round.")]
    if resource.round_id != round.pk or resource.side != Side.RESOURCE:
        errors["resource"] = [_("Choose a resource institution of this round.")]
    if errors:
        return errors
    if MatchDecision.objects.filter(round=round, host=host, resource=resource).exists():
        errors["resource"] = [_("This pair is already decided.")]
        return errors
    used = places_taken(round)
    for field, applicant in (("host", host), ("resource", resource)):
        if used[applicant.pk] >= applicant.capacity:
            errors[field] = [
                _("%(name)s has no places left in this round.") % {"name": applicant.institution.name}
            ]
    broken = pair_constraints(round, host, resource)
    if broken:
        errors.setdefault("resource", []).append(
            _("This pair is excluded: %(why)s.")
            % {"why": ", ".join(str(CONSTRAINT_LABELS[c]) for c in broken)}
        )
    return errors


def _twin(
    actor: User, round: MatchingRound, host: RoundApplicant, resource: RoundApplicant, reason: str
) -> Any:
    title = f"{host.institution.name} – {resource.institution.name}"[:255]
    return partnership_create(
        actor=actor,
        programme=round.programme,
        title=title,
        hosts=[host.institution],
        resources=[resource.institution],
        stage=Stage.SCOPING,
        stage_note=_("Matched in round “%(round)s”. %(reason)s") % {"round": round.name, "reason": reason},
    )


def _pair_score(round: MatchingRound, host: RoundApplicant, resource: RoundApplicant) -> Any:
    return round.pairs.filter(host=host, resource=resource).values_list("score", flat=True).first()


@transaction.atomic
def decision_accept(
    *,
    actor: User,
    round: MatchingRound,
    host: RoundApplicant,
    resource: RoundApplicant,
    reason: str = "",
    uuid: uuid_module.UUID | None = None,
) -> MatchDecision:
    """Accept a pair: it becomes a partnership in the scoping stage with both sides set.

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, round.programme_id)
    _require_open(round)
    # Serialise decisions on one round, so two people cannot both take a resource's last place.
    MatchingRound.objects.select_for_update().filter(pk=round.pk).first()
    errors = _pair_problems(round, host, resource)
    if errors:
        raise ValidationError(errors)
    partnership = _twin(actor, round, host, resource, reason)
    decision = MatchDecision(
        **({"uuid": uuid} if uuid else {}),
        round=round,
        kind=MatchDecision.Kind.ACCEPTED,
        host=host,
        resource=resource,
        proposed_resource=resource,
        score=_pair_score(round, host, resource),
        reason=reason.strip(),
        partnership=partnership,
        decided_by=actor,
    )
    return create_with_audit(actor=actor, obj=decision, parent=round, reason=reason.strip())


@transaction.atomic
def decision_override(
    *,
    actor: User,
    round: MatchingRound,
    host: RoundApplicant,
    proposed_resource: RoundApplicant | None,
    reason: str,
    resource: RoundApplicant | None = None,
    uuid: uuid_module.UUID | None = None,
) -> MatchDecision:
    """Set a proposal aside, with a reason: pair the host with another resource instead, or with none.

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, round.programme_id)
    _require_open(round)
    MatchingRound.objects.select_for_update().filter(pk=round.pk).first()
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [_("Say why you override the proposal.")]
    if host.round_id != round.pk or host.side != Side.HOST:
        errors["host"] = [_("Choose a host institution of this round.")]
    if resource is not None and proposed_resource is not None and resource.pk == proposed_resource.pk:
        errors["resource"] = [_("To keep the proposed twin, accept the pair instead.")]
    if resource is not None and not errors:
        errors.update(_pair_problems(round, host, resource))
    if errors:
        raise ValidationError(errors)
    partnership = _twin(actor, round, host, resource, reason) if resource is not None else None
    decision = MatchDecision(
        **({"uuid": uuid} if uuid else {}),
        round=round,
        kind=MatchDecision.Kind.OVERRIDDEN,
        host=host,
        resource=resource,
        proposed_resource=proposed_resource,
        score=_pair_score(round, host, resource) if resource is not None else None,
        reason=reason.strip(),
        partnership=partnership,
        decided_by=actor,
    )
    return create_with_audit(actor=actor, obj=decision, parent=round, reason=reason.strip())


def _profile_rows(
    institution: Institution, needs: Iterable[dict[str, Any]], expertise: Iterable[dict[str, Any]]
) -> dict[str, list[Any]]:
    """The unsaved need and expertise rows, each validated; every bad row is reported at once (ValidationError,
    keyed "needs" or "expertise", each message naming its row)."""
    errors: dict[str, list[str]] = {}
    rows: dict[str, list[InstitutionNeed | InstitutionExpertise]] = {"needs": [], "expertise": []}
    for field, items, model, level in (
        ("needs", needs, InstitutionNeed, "priority"),
        ("expertise", expertise, InstitutionExpertise, "depth"),
    ):
        seen: set[int] = set()
        for n, item in enumerate(items, start=1):
            area = item.get("area")
            if not isinstance(area, HealthArea):
                errors.setdefault(field, []).append(_("Row %(n)s: choose an area.") % {"n": n})
                continue
            if area.pk in seen:
                errors.setdefault(field, []).append(
                    _("Row %(n)s: %(area)s is listed twice.") % {"n": n, "area": str(area)}
                )
                continue
            seen.add(area.pk)
            obj = model(
                institution=institution, area=area, description=(item.get("description") or "").strip()
            )
            setattr(obj, level, item.get(level) or 2)
            try:
                obj.full_clean(exclude=["institution"])
            except ValidationError as exc:
                for message in exc.messages:
                    errors.setdefault(field, []).append(
                        _("Row %(n)s: %(message)s") % {"n": n, "message": message}
                    )
            rows[field].append(obj)
    if errors:
        raise ValidationError(errors)
    return rows


def _describe_profile(needs: Iterable[Any], expertise: Iterable[Any]) -> dict[str, list[Any]]:
    """Needs and expertise as the audit row shows them: one "area: priority (or depth) · description" a row,
    each stored in every language it reads differently in (audit.services.named_text: the area is a shipped
    name, the level a choice), so the history shows the reader's language, not the editor's.
    """

    def worded(o: Any, level: Callable[[], str]) -> Any:
        return named_text(
            lambda: labelled(str(o.area), " · ".join(t for t in (str(level()), o.description) if t))
        )

    return {
        "needs": [worded(o, o.get_priority_display) for o in needs],
        "expertise": [worded(o, o.get_depth_display) for o in expertise],
    }


@transaction.atomic
def profile_update(
    *,
    actor: User,
    institution: Institution,
    needs: Iterable[dict[str, Any]],
    expertise: Iterable[dict[str, Any]],
) -> Institution:
    """Replace an institution's needs (area, priority, description) and expertise (area, depth, description).

    Validates every row before writing any; the audit row lists what changed, area by area.

    Raises: PermissionDenied, ValidationError.
    """
    require(can_edit_institution(actor, institution))
    rows = _profile_rows(institution, needs, expertise)
    before = _describe_profile(
        InstitutionNeed.objects.filter(institution=institution).select_related("area"),
        InstitutionExpertise.objects.filter(institution=institution).select_related("area"),
    )
    InstitutionNeed.objects.filter(institution=institution).delete()
    InstitutionExpertise.objects.filter(institution=institution).delete()
    InstitutionNeed.objects.bulk_create(rows["needs"])  # type: ignore[arg-type]
    InstitutionExpertise.objects.bulk_create(rows["expertise"])  # type: ignore[arg-type]
    after = _describe_profile(rows["needs"], rows["expertise"])
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=institution, changes=changes)
    return institution


def _twin_sides(
    institution: Institution, candidate: Institution, role: str
) -> tuple[Institution, Institution]:
    """(host, resource) when `institution` takes side `role` and `candidate` the other."""
    if role not in Side.values:
        raise ValidationError({"role": [_("Choose host or resource.")]})
    if institution.pk == candidate.pk:
        raise ValidationError({"candidate": [_("An institution cannot twin with itself.")]})
    return (institution, candidate) if role == Side.HOST else (candidate, institution)


def _twin_constraints(
    programme: Programme, host: Institution, resource: Institution, *, places: bool
) -> list[str]:
    """What stops `host` and `resource` from being twinned in `programme`: the round's hard constraints
    (`engine.scoring.constraints`) read from all the data, not only what the actor sees — no common working
    language, a conflict declared between them in the programme, and (when `places`) either having no places
    left (its directory capacity less its partnerships not in an `ENDED_STAGES` stage). One message a
    constraint broken; empty when the pair may be twinned.

    Raises: nothing.
    """
    names = {"host": host.name, "resource": resource.name}
    errors = []
    if not set(host.languages.values_list("pk", flat=True)) & set(
        resource.languages.values_list("pk", flat=True)
    ):
        errors.append(_("%(host)s and %(resource)s have no common working language.") % names)
    conflict = DeclaredConflict.objects.filter(programme=programme).filter(
        Q(institution_a=host, institution_b=resource) | Q(institution_a=resource, institution_b=host)
    )
    if conflict.exists():
        errors.append(
            _("A conflict is declared between %(host)s and %(resource)s in this programme.") % names
        )
    if places:
        for inst in (host, resource):
            taken = (
                PartnershipInstitution.objects.filter(institution=inst)
                .exclude(partnership__stage__in=ENDED_STAGES)
                .count()
            )
            if inst.capacity - taken <= 0:
                errors.append(_("%(name)s has no places left.") % {"name": inst.name})
    return errors


def _twin_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you propose this pair.")]})
    return reason.strip()


@transaction.atomic
def twin_partnership_start(
    *,
    actor: User,
    programme: Programme,
    institution: Institution,
    candidate: Institution,
    role: str,
    reason: str,
) -> Any:
    """Start a partnership in the scoping stage between an institution (on side `role`, "host" or "resource")
    and a candidate found for it (on the other side), in a programme the actor edits; the reason is written to
    the partnership's audit row and its first stage note (issue "Find a twin for any institution").

    Refused (ValidationError on "candidate") when the pair breaks a hard constraint of the round's engine
    (`_twin_constraints`: no common working language, a declared conflict, no places left) or when the two
    are already in a partnership of the programme that has not ended. Both institution rows are locked
    (select_for_update, in id order) before the check, so parallel requests for the same pair create one
    partnership.

    Raises: PermissionDenied, ValidationError.
    """
    require(can_start_twinning(actor, programme.pk))
    host, resource = _twin_sides(institution, candidate, role)
    reason = _twin_reason(reason)
    # Lock both rows in a consistent order: a second request for the same pair waits here, then sees the first
    # one's partnership.
    list(Institution.objects.select_for_update().filter(pk__in=[host.pk, resource.pk]).order_by("pk"))
    together = (
        Partnership.objects.filter(programme=programme, institutions=host)
        .filter(institutions=resource)
        .exclude(stage__in=ENDED_STAGES)
        .first()
    )
    if together is not None:
        raise ValidationError(
            {
                "candidate": [
                    _("%(host)s and %(resource)s are already partners in this programme: “%(title)s”.")
                    % {"host": host.name, "resource": resource.name, "title": together.title}
                ]
            }
        )
    errors = _twin_constraints(programme, host, resource, places=True)
    if errors:
        raise ValidationError({"candidate": errors})
    return partnership_create(
        actor=actor,
        programme=programme,
        title=f"{host.name} – {resource.name}"[:255],
        hosts=[host],
        resources=[resource],
        stage=Stage.SCOPING,
        stage_note=_("Found with “Find a twin” from %(name)s. %(reason)s")
        % {"name": institution.name, "reason": reason},
        reason=reason,
    )


@transaction.atomic
def twin_round_add(
    *,
    actor: User,
    round: MatchingRound,
    institution: Institution,
    candidate: Institution,
    role: str,
    reason: str,
) -> list[RoundApplicant]:
    """Add an institution (on side `role`) and a candidate found for it (on the other side) to an open round,
    each audited with the reason; one already in the round on that side is left as it is. Refused (on
    "candidate") when the round could never pair them: no common working language or a conflict declared in
    the round's programme (places are the round's own, so they are not checked here).

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, round.programme_id)
    _require_open(round)
    host, resource = _twin_sides(institution, candidate, role)
    reason = _twin_reason(reason)
    constraint_errors = _twin_constraints(round.programme, host, resource, places=False)
    if constraint_errors:
        raise ValidationError({"candidate": constraint_errors})
    present = dict(
        RoundApplicant.objects.filter(round=round, institution__in=[host, resource]).values_list(
            "institution_id", "side"
        )
    )
    errors: dict[str, list[str]] = {}
    for inst, side in ((host, Side.HOST), (resource, Side.RESOURCE)):
        if present.get(inst.pk, side) != side:
            field = "institution" if inst.pk == institution.pk else "candidate"
            errors[field] = [_("%(name)s is already in this round on the other side.") % {"name": inst.name}]
    if errors:
        raise ValidationError(errors)
    return [
        applicant_add(actor=actor, round=round, institution=inst, side=side, reason=reason)
        for inst, side in ((host, Side.HOST), (resource, Side.RESOURCE))
        if inst.pk not in present
    ]
