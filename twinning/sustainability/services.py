"""Writes for assessment instruments, rounds, answer sheets and the joint action plan (issue 13).

Each service checks access first (twinning/accounts/access.py), validates everything, then saves and audits in
one transaction; notifications go out with the change (accounts.notifications). An answer sheet is audited by how
many items it answers, never by the answers, so the history cannot show one side's answers to the other.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from twinning.accounts import access, notices
from twinning.accounts.models import PartnershipMembership, User
from twinning.accounts.notifications import notify
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.choices import Side
from twinning.core.services import (
    VersionConflict,
    create_with_audit,
    created_before,
    delete_with_audit,
    lock_current,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.partnerships.models import Partnership, Programme
from twinning.sustainability.models import (
    Answer,
    AssessmentAction,
    AssessmentRound,
    Instrument,
    InstrumentVersion,
    Item,
    Response,
    Section,
)
from twinning.sustainability.transition_services import check_partnership_date

ACTION_FIELDS = ("title", "owner", "due_date", "status", "section")
ROUND_FIELDS = ("title", "due_date")
ITEM_FIELDS = ("statement", "guidance", "scale_min", "scale_max", "scale_labels", "allows_not_applicable")
SECTION_FIELDS = ("title", "description")


def _people_of_side(partnership: Partnership, *sides: str) -> Any:
    """Users who answer for these sides of the partnership (their coordinators and members)."""
    return User.objects.filter(
        pk__in=PartnershipMembership.objects.filter(
            partnership=partnership, side__in=sides, role__in=access.DATA_ENTRY_ROLES
        ).values("user")
    )


def _other(side: str) -> str:
    return Side.RESOURCE if side == Side.HOST else Side.HOST


# --- rounds --------------------------------------------------------------------------------------------


def _check_instrument_for(partnership: Partnership, instrument: Instrument) -> InstrumentVersion:
    """The version a new round of `instrument` in `partnership` uses: its newest, which must have items."""
    if instrument.programme_id not in (None, partnership.programme_id):
        raise ValidationError({"instrument": _("Choose an instrument of this programme.")})
    version = instrument.versions.order_by("-number").first()
    if version is None or not Item.objects.filter(section__version=version).exists():
        raise ValidationError({"instrument": _("This instrument has no statements to answer yet.")})
    return version


def _open_one(
    *,
    actor: User,
    partnership: Partnership,
    version: InstrumentVersion,
    due_date: datetime.date,
    title: str,
    by_programme: bool,
) -> AssessmentRound:
    check_partnership_date(partnership, "due_date", due_date)
    assessment_round = AssessmentRound(
        partnership=partnership,
        instrument_version=version,
        due_date=due_date,
        title=title.strip(),  # blank: shown as the instrument and year in each reader's language (shown_title)
        opened_by=actor,
        opened_by_programme=by_programme,
    )
    create_with_audit(actor=actor, obj=assessment_round, parent=partnership)
    url = reverse("sustainability:round", args=[assessment_round.uuid])
    notify(
        _people_of_side(partnership, Side.HOST, Side.RESOURCE),
        actor=actor,
        message=notices.notice(
            gettext_noop("%(instrument)s for %(partnership)s: answer for your side by %(due)s."),
            instrument=notices.shipped(version.instrument.name),
            partnership=notices.text(partnership.title),
            due=notices.date(due_date),
        ),
        url=url,
    )
    return assessment_round


@transaction.atomic
def round_open(
    *, actor: User, partnership: Partnership, instrument: Instrument, due_date: datetime.date, title: str = ""
) -> AssessmentRound:
    """Open a round of the instrument's newest version for one partnership, due on `due_date`: programme editors,
    or the partnership's coordinators for their own partnership. Both sides' people are notified.

    Raises: Http404 (the partnership is not visible), PermissionDenied, ValidationError.
    """
    partnership_access = access.partnership_access(actor, partnership)
    if not partnership_access.can_read:
        raise Http404
    access.require(partnership_access.can_open_assessment)
    refuse_ended([partnership], NON_FIELD_ERRORS)
    version = _check_instrument_for(partnership, instrument)
    return _open_one(
        actor=actor,
        partnership=partnership,
        version=version,
        due_date=due_date,
        title=title,
        by_programme=partnership_access.programme.can_edit,
    )


@transaction.atomic
def rounds_open(
    *,
    actor: User,
    programme: Programme,
    instrument: Instrument,
    partnerships: list[Partnership],
    due_date: datetime.date,
    title: str = "",
) -> list[AssessmentRound]:
    """Open one round of the instrument for each chosen partnership of the programme (programme editors only).
    All or none: a partnership outside the programme refuses the whole request.

    Raises: PermissionDenied, ValidationError.
    """
    access.require_programme_editor(actor, programme.pk)
    if not partnerships:
        raise ValidationError({"partnerships": _("Choose at least one partnership.")})
    if any(p.programme_id != programme.pk for p in partnerships):
        raise ValidationError({"partnerships": _("Choose partnerships of this programme.")})
    refuse_ended(partnerships, "partnerships")
    rounds = []
    for partnership in partnerships:
        version = _check_instrument_for(partnership, instrument)
        rounds.append(
            _open_one(
                actor=actor,
                partnership=partnership,
                version=version,
                due_date=due_date,
                title=title,
                by_programme=True,
            )
        )
    return rounds


def refuse_ended(partnerships: list[Partnership], field: str) -> None:
    """A round is a conversation between two active partners: a graduated or closed partnership takes no new one
    (its follow-ups after graduation are asked on the graduation page). Every ended partnership is named at once.

    Raises: ValidationError on `field`.
    """
    ended = sorted(p.title for p in partnerships if p.has_ended)
    if ended:
        raise ValidationError(
            {
                field: ngettext(
                    "%(partnerships)s has graduated or closed: it takes no new assessment round.",
                    "%(partnerships)s have graduated or closed: they take no new assessment round.",
                    len(ended),
                )
                % {"partnerships": ", ".join(ended)}
            }
        )


def _refuse_cancelled(assessment_round: AssessmentRound) -> None:
    if assessment_round.is_cancelled:
        raise ValidationError(_("This round has been cancelled: it takes no more answers."))


def _require_round_changer(actor: User, assessment_round: AssessmentRound) -> None:
    partnership_access = access.partnership_access(actor, assessment_round.partnership)
    if not partnership_access.can_read:
        raise Http404
    partnership_access.require_change_assessment_round(
        opened_by_programme=assessment_round.opened_by_programme
    )


def refuse_closed(assessment_round: AssessmentRound) -> None:
    """A complete or cancelled round no longer changes (its due date, title or state).

    Raises: ValidationError saying which.
    """
    if assessment_round.is_cancelled:
        raise ValidationError(_("This round has been cancelled; it can no longer change."))
    if assessment_round.is_revealed:
        raise ValidationError(_("Both sides have submitted: the round is complete and can no longer change."))


@transaction.atomic
def round_update(
    *,
    actor: User,
    assessment_round: AssessmentRound,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> AssessmentRound:
    """Change an open round's due date or title (`data` takes ROUND_FIELDS; a blank title shows the instrument
    and year): the programme's editors, or the partnership's coordinators for a round it opened itself
    (`can_change_assessment_round`). A new due date is held to the partnership's years as when opening, and both
    sides are told of it. A round that is complete or cancelled no longer changes.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict.
    """
    refuse_unknown_fields(data, ROUND_FIELDS, "round")
    _require_round_changer(actor, assessment_round)
    current = lock_current(assessment_round, expected_version)
    refuse_closed(current)
    if "title" in data:
        data = {**data, "title": (data["title"] or "").strip()}
    if data.get("due_date") is None and "due_date" in data:
        raise ValidationError({"due_date": _("Give the due date.")})
    if "due_date" in data:
        check_partnership_date(current.partnership, "due_date", data["due_date"])
    before_due = current.due_date
    saved = update_with_audit(
        actor=actor,
        obj=assessment_round,
        data=data,
        expected_version=expected_version,
        parent=assessment_round.partnership,
    )
    if saved.due_date != before_due:
        url = reverse("sustainability:round", args=[saved.uuid])
        notify(
            _people_of_side(saved.partnership, *_waiting_sides(saved)),
            actor=actor,
            message=notices.notice(
                gettext_noop("%(round)s (%(partnership)s): the due date is now %(due)s."),
                round=_round_title(saved),
                partnership=notices.text(saved.partnership.title),
                due=notices.date(saved.due_date),
            ),
            url=url,
        )
    return saved


def _round_title(assessment_round: AssessmentRound) -> notices.Param:
    """The round's title as a notice's parameter, read as AssessmentRound.shown_title reads it: the typed title
    as typed, else the instrument's name in the reader's language and the due year."""
    if assessment_round.title:
        return notices.text(assessment_round.title)
    return notices.words(
        notices.shipped(assessment_round.instrument_version.instrument.name),
        notices.text(assessment_round.due_date.year),
    )


def _waiting_sides(assessment_round: AssessmentRound) -> list[str]:
    return [side for side in (Side.HOST, Side.RESOURCE) if not assessment_round.submitted_at(side)]


@transaction.atomic
def round_cancel(
    *, actor: User, assessment_round: AssessmentRound, reason: str = "", expected_version: int | None = None
) -> AssessmentRound:
    """Cancel a round that is not complete (who may: as `round_update`). Nothing is deleted: the round stays,
    listed as cancelled with who cancelled it, when and why, and every answer sheet stays as it was, still hidden
    from the other side (the round is never revealed). It takes no more answers and drops out of everyone's work
    (no more reminders). Once anyone has handed in answers, or a side has submitted, the round is withdrawn from
    people who did the work, so the `reason` is required; the people of both sides are told either way.
    This is how M&E platforms close a survey wave: closed and kept, never erased.

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict.
    """
    _require_round_changer(actor, assessment_round)
    current = lock_current(assessment_round, expected_version)
    refuse_closed(current)
    reason = reason.strip()
    worked_on = (
        current.host_submitted_at is not None
        or current.resource_submitted_at is not None
        or current.responses.filter(submitted_at__isnull=False).exists()
    )
    if worked_on and not reason:
        raise ValidationError(
            {"reason": _("Answers have been handed in for this round: say why it is cancelled.")}
        )
    saved = update_with_audit(
        actor=actor,
        obj=assessment_round,
        data={"cancelled_at": timezone.now(), "cancelled_by": actor, "cancel_reason": reason},
        expected_version=expected_version,
        parent=assessment_round.partnership,
        reason=reason,
    )
    url = reverse("sustainability:round", args=[saved.uuid])
    notify(
        _people_of_side(saved.partnership, Side.HOST, Side.RESOURCE),
        actor=actor,
        message=notices.notice(
            gettext_noop("%(round)s (%(partnership)s) has been cancelled; no more answers are needed."),
            round=_round_title(saved),
            partnership=notices.text(saved.partnership.title),
        ),
        url=url,
    )
    return saved


@dataclass(frozen=True)
class AnswerInput:
    """One answer as typed: a point on the scale, or not applicable, or neither (not answered yet)."""

    value: int | None = None
    not_applicable: bool = False
    comment: str = ""


def _answering_side(actor: User, assessment_round: AssessmentRound) -> str:
    partnership_access = access.partnership_access(actor, assessment_round.partnership)
    if not partnership_access.can_read:
        raise Http404
    side = partnership_access.require_assessment_side()
    _refuse_cancelled(assessment_round)
    if assessment_round.submitted_at(side):
        raise ValidationError(_("Your side has submitted its answers; they can no longer change."))
    return side


def _validated_answers(
    version_id: int, response: Response, answers: Mapping[int, AnswerInput]
) -> tuple[list[Answer], dict[str, list[str]]]:
    items = {i.pk: i for i in Item.objects.filter(section__version_id=version_id)}
    existing = {a.item_id: a for a in response.answers.all()} if response.pk else {}
    rows: list[Answer] = []
    errors: dict[str, list[str]] = {}
    for item_id, given in answers.items():
        item = items.get(item_id)
        if item is None:
            errors.setdefault("__all__", []).append(_("An answer names a statement of another instrument."))
            continue
        if given.value is not None and given.not_applicable:
            # Said here before the database's constraint does, in words a person reads (tester's finding 8).
            errors[f"item-{item_id}"] = [_("Give a point on the scale or mark it not applicable, not both.")]
            continue
        row = existing.get(item_id) or Answer(response=response, item=item)
        row.item = item
        row.value, row.not_applicable, row.comment = given.value, given.not_applicable, given.comment
        try:
            row.full_clean(exclude=["response"])
        except ValidationError as exc:
            errors[f"item-{item_id}"] = exc.messages
        rows.append(row)
    return rows, errors


@transaction.atomic
def answers_save(
    *,
    actor: User,
    assessment_round: AssessmentRound,
    answers: Mapping[int, AnswerInput],
    submit: bool = False,
    expected_version: int | None = None,
) -> Response:
    """Save the actor's own answers (item id -> AnswerInput) on their own sheet for their side, and with
    `submit` hand the sheet in (it then counts in the side's score; it may still change until the side is
    submitted). The first answer given (a point, "not applicable" or a comment; not a blank sheet) freezes the
    instrument version. Every answer is checked before any is saved.
    `expected_version` is the version of the sheet the person read (0: they had none yet); a sheet saved since,
    from another tab or device, is a conflict rather than overwritten. A sheet with no answer is not handed in.

    Raises: Http404, PermissionDenied (not on a side), ValidationError (keys "item-<id>" or "__all__"),
    VersionConflict.
    """
    assessment_round = lock_current(assessment_round)
    side = _answering_side(actor, assessment_round)
    response = Response.objects.select_for_update().filter(round=assessment_round, respondent=actor).first()
    if expected_version is not None and expected_version != (response.version if response else 0):
        raise VersionConflict()
    created = response is None
    if response is None:
        response = Response(round=assessment_round, respondent=actor, side=side)
    else:
        response.version += 1
    before = response.answers.exclude(value__isnull=True, not_applicable=False).count() if not created else 0
    # The version's row is locked before its items are read, so an edit of a version not frozen yet either comes
    # before these answers are checked (and they are checked against it) or waits until they have frozen it.
    InstrumentVersion.objects.select_for_update().filter(pk=assessment_round.instrument_version_id).first()
    rows, errors = _validated_answers(assessment_round.instrument_version_id, response, answers)
    if errors:
        raise ValidationError(errors)
    response.full_clean()
    response.save()
    for row in rows:
        row.response = response
    Answer.objects.bulk_create([r for r in rows if r.pk is None])
    Answer.objects.bulk_update([r for r in rows if r.pk], ["value", "not_applicable", "comment"])
    after = response.answers.exclude(value__isnull=True, not_applicable=False).count()
    # A new sheet starts with its count (its history line reads "statements answered: 40", not "0 → 40").
    changes: dict[str, list[Any]] = (
        {"answered": [None if created else before, after]} if before != after else {}
    )
    if submit and after == 0:
        raise ValidationError(_("Answer at least one statement before handing in your answers."))
    if submit and response.submitted_at is None:
        response.submitted_at = timezone.now()
        response.save(update_fields=["submitted_at"])
        changes["submitted_at"] = [None, response.submitted_at.isoformat()]
    if created or changes:
        action = AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE
        audit_record(actor=actor, action=action, obj=response, changes=changes, parent=assessment_round)
    if response.submitted_at or response.answers.given().exists():
        # Only a sheet with something on it freezes the version: one opened and saved blank leaves it editable.
        InstrumentVersion.objects.filter(
            pk=assessment_round.instrument_version_id, frozen_at__isnull=True
        ).update(frozen_at=timezone.now())
    return response


@transaction.atomic
def side_submit(*, actor: User, assessment_round: AssessmentRound) -> AssessmentRound:
    """Submit the actor's side's answers (its coordinators): the side's submitted sheets are its answers from now
    on, and the other side is told. When both sides are in, everyone on both sides and whoever opened the round
    is told the results are ready.

    Raises: Http404, PermissionDenied, ValidationError (already submitted, or no sheet submitted yet).
    """
    current = lock_current(assessment_round)
    partnership_access = access.partnership_access(actor, assessment_round.partnership)
    if not partnership_access.can_read:
        raise Http404
    side = partnership_access.assessment_submit_side
    access.require(side is not None, _("A coordinator of each side submits that side's answers."))
    assert side is not None
    _refuse_cancelled(current)
    if current.submitted_at(side):
        raise ValidationError(_("Your side has already submitted its answers."))
    handed_in = assessment_round.responses.filter(side=side, submitted_at__isnull=False)
    if not handed_in.exists():
        raise ValidationError(_("No one on your side has handed in their answers yet."))
    if (
        not Answer.objects.filter(response__in=handed_in)
        .exclude(value__isnull=True, not_applicable=False)
        .exists()
    ):
        raise ValidationError(
            _("The answers handed in on your side are all blank; nothing can be scored yet.")
        )
    update_with_audit(actor=actor, obj=assessment_round, data={f"{side}_submitted_at": timezone.now()})
    _tell_about_submission(actor, assessment_round, side)
    return assessment_round


def _tell_about_submission(actor: User, assessment_round: AssessmentRound, side: str) -> None:
    partnership = assessment_round.partnership
    url = reverse("sustainability:round", args=[assessment_round.uuid])
    # The notice is worded in each reader's language: so is an automatic round title (_round_title).
    params = {"round": _round_title(assessment_round), "partnership": notices.text(partnership.title)}
    if assessment_round.is_revealed:
        people = _people_of_side(partnership, Side.HOST, Side.RESOURCE)
        recipients = [*people, assessment_round.opened_by]
        notify(
            recipients,
            actor=actor,
            message=notices.Notice(
                gettext_noop("%(round)s (%(partnership)s): both sides have answered; the results are ready."),
                params,
            ),
            url=url,
        )
        return
    notify(
        _people_of_side(partnership, _other(side)),
        actor=actor,
        message=notices.Notice(
            gettext_noop(
                "%(round)s (%(partnership)s): the %(side)s side has submitted; your side's answers are awaited."
            ),
            {**params, "side": notices.side(side)},
        ),
        url=url,
    )


# --- the joint action plan ------------------------------------------------------------------------------


def _check_action(assessment_round: AssessmentRound, data: Mapping[str, Any]) -> None:
    errors = {}
    owner = data.get("owner")
    if owner is not None:
        in_partnership = PartnershipMembership.objects.filter(
            partnership_id=assessment_round.partnership_id, user=owner
        ).exists()
        if not in_partnership:
            errors["owner"] = [_("Choose someone of this partnership.")]
    section = data.get("section")
    if section is not None and section.version_id != assessment_round.instrument_version_id:
        errors["section"] = [_("Choose a section of this round's instrument.")]
    if errors:
        raise ValidationError(errors)
    if data.get("due_date") is not None:
        check_partnership_date(assessment_round.partnership, "due_date", data["due_date"])


def _require_action_writer(actor: User, assessment_round: AssessmentRound) -> None:
    partnership_access = access.partnership_access(actor, assessment_round.partnership)
    if not partnership_access.can_read:
        raise Http404
    access.require(partnership_access.can_change_joint_actions)
    if not assessment_round.is_revealed:
        raise ValidationError(_("The action plan is agreed once both sides have submitted their answers."))


@transaction.atomic
def action_create(
    *, actor: User, assessment_round: AssessmentRound, uuid: UUID | None = None, **data: Any
) -> AssessmentAction:
    """Add an action to the round's joint action plan (coordinators, members and programme editors, once both
    sides have submitted). `data` takes ACTION_FIELDS; the owner must belong to the partnership. `uuid`, when
    given, is the new action's (the form's or the client's): an action already made under it is returned as it
    is, so a form posted twice by a double click adds one action.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    refuse_unknown_fields(data, ACTION_FIELDS, "action")
    _require_action_writer(actor, assessment_round)
    # The round's row is locked first, so a second post of the same form waits for the first and then finds it.
    lock_current(assessment_round)
    if (
        made := created_before(AssessmentAction, uuid=uuid, parent_field="round", parent=assessment_round)
    ) is not None:
        return made
    _check_action(assessment_round, data)
    action = AssessmentAction(round=assessment_round, **data, **({"uuid": uuid} if uuid else {}))
    return create_with_audit(actor=actor, obj=action, parent=assessment_round)


@transaction.atomic
def action_update(
    *, actor: User, action: AssessmentAction, data: dict[str, Any], expected_version: int | None = None
) -> AssessmentAction:
    """Change an action of the joint plan (its status, owner, due date, wording).

    Raises: Http404, PermissionDenied, ValidationError, VersionConflict.
    """
    refuse_unknown_fields(data, ACTION_FIELDS, "action")
    _require_action_writer(actor, action.round)
    _check_action(action.round, data)
    return update_with_audit(
        actor=actor, obj=action, data=data, expected_version=expected_version, parent=action.round
    )


@transaction.atomic
def action_delete(*, actor: User, action: AssessmentAction) -> None:
    """Remove an action from the joint plan.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    _require_action_writer(actor, action.round)
    delete_with_audit(actor=actor, obj=action, parent=action.round)


# --- instruments ------------------------------------------------------------------------------------------


@transaction.atomic
def instrument_create(
    *, actor: User, programme: Programme, name: str, kind: str = Instrument.Kind.OTHER, description: str = ""
) -> Instrument:
    """A programme's own instrument, with an empty version 1 to add sections and items to (programme editors).

    Raises: PermissionDenied, ValidationError.
    """
    access.require(access.can_edit_instrument(actor, programme.pk))
    base = slugify(name)[:40] or "instrument"
    code, n = base, 1
    while Instrument.objects.filter(programme=programme, code=code).exists():
        n += 1
        code = f"{base}-{n}"
    instrument = Instrument(programme=programme, code=code, name=name, kind=kind, description=description)
    create_with_audit(actor=actor, obj=instrument)
    create_with_audit(actor=actor, obj=InstrumentVersion(instrument=instrument, number=1), parent=instrument)
    return instrument


def _copy_version(actor: User, old: InstrumentVersion) -> InstrumentVersion:
    """The next version of `old`'s instrument, with copies of its sections and items."""
    new = InstrumentVersion(instrument=old.instrument, number=old.number + 1)
    create_with_audit(
        actor=actor,
        obj=new,
        parent=old.instrument,
        reason=_("Version %(number)s has answers, so the change makes a new version.")
        % {"number": old.number},
    )
    for section in old.sections.prefetch_related("items"):
        items = list(section.items.all())
        section.pk, section.id, section.version = None, None, new
        section.save()
        for item in items:
            item.pk, item.id, item.section = None, None, section
        Item.objects.bulk_create(items)
    return new


def editable_version(*, actor: User, instrument: Instrument) -> InstrumentVersion:
    """The version changes go to: the newest, or a copy of it as the next version when it is frozen (answered).
    Call inside the caller's transaction, after checking `can_edit_instrument`.

    Raises: nothing.
    """
    current = instrument.versions.select_for_update().order_by("-number").first()
    if current is None:
        current = InstrumentVersion(instrument=instrument, number=1)
        create_with_audit(actor=actor, obj=current, parent=instrument)
        return current
    return _copy_version(actor, current) if current.is_frozen else current


def _require_instrument_editor(actor: User, instrument: Instrument) -> None:
    if not Instrument.objects.visible_to(actor).filter(pk=instrument.pk).exists():
        raise Http404
    access.require(access.can_edit_instrument(actor, instrument.programme_id))


def _counterpart_section(version: InstrumentVersion, section: Section) -> Section:
    return version.sections.get(code=section.code) if section.version_id != version.pk else section


@transaction.atomic
def section_add(*, actor: User, instrument: Instrument, title: str, description: str = "") -> Section:
    """Add a section at the end of the instrument's editable version (a new version when it is frozen).

    Raises: Http404, PermissionDenied, ValidationError.
    """
    _require_instrument_editor(actor, instrument)
    version = editable_version(actor=actor, instrument=instrument)
    order = version.sections.count() + 1
    code = f"s{order}"
    while version.sections.filter(code=code).exists():
        order += 1
        code = f"s{order}"
    section = Section(version=version, code=code, title=title, description=description, order=order)
    return create_with_audit(actor=actor, obj=section, parent=instrument)


@transaction.atomic
def item_add(*, actor: User, section: Section, **data: Any) -> Item:
    """Add a statement at the end of a section, in the editable version (a new version when it is frozen).
    `data` takes ITEM_FIELDS.

    Raises: Http404, PermissionDenied, ValidationError.
    """
    refuse_unknown_fields(data, ITEM_FIELDS, "item")
    instrument = section.version.instrument
    _require_instrument_editor(actor, instrument)
    version = editable_version(actor=actor, instrument=instrument)
    target = _counterpart_section(version, section)
    order = target.items.count() + 1
    code = f"i{order}"
    while target.items.filter(code=code).exists():
        order += 1
        code = f"i{order}"
    item = Item(section=target, code=code, order=order, **data)
    return create_with_audit(actor=actor, obj=item, parent=instrument)


@transaction.atomic
def item_update(*, actor: User, item: Item, data: dict[str, Any]) -> Item:
    """Change a statement; on a frozen version the change goes to a new version and the answered one stays as
    it was. Returns the item as changed (in the new version when one was made).

    Raises: Http404, PermissionDenied, ValidationError.
    """
    refuse_unknown_fields(data, ITEM_FIELDS, "item")
    instrument = item.section.version.instrument
    _require_instrument_editor(actor, instrument)
    version = editable_version(actor=actor, instrument=instrument)
    if item.section.version_id != version.pk:
        item = Item.objects.get(Q(section__version=version, section__code=item.section.code, code=item.code))
    before = {k: getattr(item, k) for k in data}
    for name, value in data.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    changes = {k: [before[k], v] for k, v in data.items() if before[k] != v}
    audit_record(actor=actor, action=AuditEvent.Action.UPDATE, obj=item, changes=changes, parent=instrument)
    return item
