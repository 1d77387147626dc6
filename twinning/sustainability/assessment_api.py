"""Assessments over the API: thin endpoints over selectors and services.

Instruments, assessment rounds, one's own answers and the joint action plan. What a client sees of a round's
answers and scores follows the same rule as the pages (access.sees_assessment_answers): before both sides have
submitted, a side's people see only their own side, everyone else neither. Statements are named by their key,
"<section code>.<item code>", which is stable within a version.
"""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from twinning.accounts.access import edits_a_partnership_anywhere, require
from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import PartnershipMembership, User
from twinning.core.api import (
    MAX_INT,
    Input,
    LabelledValidationError,
    PageQuery,
    Version,
    error_responses,
    omittable,
    paginate,
    patch_changes,
    refuse_repeats,
)
from twinning.core.choices import Side
from twinning.partnerships.selectors import get_partnership_for_user
from twinning.sustainability import selectors, services
from twinning.sustainability.limits import COMMENT_MAX, TEXT_MAX
from twinning.sustainability.models import AssessmentAction, AssessmentRound, Instrument, Item, Section
from twinning.sustainability.scores import Scored, score_round

router = Router(tags=["sustainability"])


# --- output --------------------------------------------------------------------------------------------


class AssessmentItemOut(Schema):
    key: str = Field(description="<section code>.<item code>: names the statement in answers.")
    statement: str
    guidance: str
    scale_min: int
    scale_max: int
    scale_labels: list[str]
    allows_not_applicable: bool


class SectionOut(Schema):
    code: str
    title: str
    description: str
    items: list[AssessmentItemOut]


class InstrumentOut(Schema):
    uuid: UUID
    code: str
    name: str
    kind: Instrument.Kind
    description: str
    programme: UUID | None = Field(description="None: shipped with Twinning, for every programme.")

    @staticmethod
    def resolve_programme(obj: Instrument) -> UUID | None:
        return obj.programme.uuid if obj.programme else None


class InstrumentDetailOut(Schema):
    uuid: UUID
    code: str
    name: str
    kind: Instrument.Kind
    description: str
    programme: UUID | None = Field(description="None: shipped with Twinning, for every programme.")
    version: int | None = Field(description="The current version's number.")
    frozen: bool = Field(description="The current version has answers: a change makes a new version.")
    sections: list[SectionOut]


class ScoreOut(Schema):
    """Scores 0-100; null where the side has none or the reader may not see it yet."""

    host: float | None
    resource: float | None
    combined: float | None
    gap: float | None = Field(
        description="Host minus resource, over the statements both sides scored (see gap_over_shared_statements)."
    )
    large_gap: bool
    only_side: Side | None = Field(
        description="Set once both sides have submitted when only this side scored the line (the other marked it "
        "not applicable or left it blank): the combined score is this side's alone and there is no gap."
    )
    gap_over_shared_statements: bool = Field(
        description="True when the gap is worked out over the statements both sides scored, fewer than either "
        "scored (one side marked some not applicable or left them blank): it then differs from host minus "
        "resource as shown. Only a section or the overall line can have it."
    )


class ItemScoreOut(ScoreOut):
    key: str


class SectionScoreOut(ScoreOut):
    code: str
    title: str
    items: list[ItemScoreOut]


class AssessmentRoundOut(Schema):
    uuid: UUID
    version: int
    partnership: UUID
    instrument: UUID
    instrument_version: int
    title: str = Field(
        description="The title as typed, else the instrument's name and the due year in the reader's language."
    )
    due_date: datetime.date
    status: AssessmentRound.Status
    host_submitted_at: datetime.datetime | None
    resource_submitted_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None = Field(
        description="When the round was cancelled (status 'cancelled'); its sheets are kept, it takes no answers."
    )
    cancel_reason: str = Field(
        description="Why it was cancelled; empty when not cancelled or no reason given."
    )


class AssessmentRoundDetailOut(AssessmentRoundOut):
    visible_sides: list[Side] = Field(description="The sides whose scores this reader sees.")
    sheets: dict[str, int] = Field(description="Submitted answer sheets per side (respondents averaged).")
    overall: ScoreOut
    sections: list[SectionScoreOut]


class AssessmentRoundPage(Schema):
    count: int
    items: list[AssessmentRoundOut]


class AnswerOut(Schema):
    key: str
    value: int | None
    not_applicable: bool
    comment: str


class SheetOut(Schema):
    version: int
    side: Side
    respondent: str
    submitted_at: datetime.datetime | None
    answers: list[AnswerOut]


class ActionOut(Schema):
    uuid: UUID
    version: int
    title: str
    section: str | None = Field(description="The section's code.")
    owner: str | None = Field(description="The owner's name.")
    due_date: datetime.date | None
    status: AssessmentAction.Status


# --- input ---------------------------------------------------------------------------------------------


class RoundFilters(PageQuery):
    partnership: UUID | None = None


class RoundCreate(Input):
    partnership: UUID
    instrument: UUID
    due_date: datetime.date
    title: str = Field(
        "",
        max_length=200,
        description="Empty: the instrument's name and the due year, in each reader's language.",
    )


class RoundUpdate(Input):
    due_date: datetime.date = omittable()
    title: str = omittable(max_length=200)
    version: Version = omittable()


class RoundCancel(Input):
    reason: str = Field(
        "",
        max_length=TEXT_MAX,
        description="Why the round is cancelled: required once anyone has handed in answers.",
    )
    version: int | None = Field(
        None, ge=1, le=MAX_INT, description="The version of the round you read; 409 if it changed since."
    )


class AssessmentAnswerIn(Input):
    key: str = Field(max_length=101)
    # Strict: true would otherwise be taken as point 1 (and "3" or 3.0 as 3), as a tester found (issue 13); a
    # point is only ever sent as a whole number.
    value: StrictInt | None = Field(None, ge=0, le=10, description="A point on the statement's scale.")
    not_applicable: bool = False
    comment: str = Field("", max_length=COMMENT_MAX)


class AssessmentAnswersIn(Input):
    answers: list[AssessmentAnswerIn] = Field(max_length=500)
    submit: bool = Field(False, description="Hand the sheet in: it then counts in the side's score.")
    version: int | None = Field(
        None,
        ge=0,
        le=MAX_INT,
        description="The version of your sheet you read (0 when you had none); 409 if it changed since.",
    )


class ActionIn(Input):
    uuid: UUID | None = Field(
        None,
        description="The new record's id, chosen by the client: sending the same again returns the first.",
    )
    title: str = Field(min_length=1, max_length=255)
    section: str | None = Field(None, max_length=50, description="A section's code.")
    owner: str | None = Field(None, max_length=254, description="The owner's e-mail address.")
    due_date: datetime.date | None = None
    status: AssessmentAction.Status = AssessmentAction.Status.OPEN


class ActionUpdate(Input):
    title: str = omittable(min_length=1, max_length=255)
    section: str | None = omittable(max_length=50)
    owner: str | None = omittable(max_length=254)
    due_date: datetime.date | None = omittable()
    status: AssessmentAction.Status = omittable()
    version: Version = omittable()


# --- helpers -------------------------------------------------------------------------------------------


def _key(item: Item, section: Section) -> str:
    return f"{section.code}.{item.code}"


def _item_out(item: Item, section: Section) -> dict[str, Any]:
    return {
        "key": _key(item, section),
        "statement": item.statement,
        "guidance": item.guidance,
        "scale_min": item.scale_min,
        "scale_max": item.scale_max,
        "scale_labels": list(item.scale_labels or []),
        "allows_not_applicable": item.allows_not_applicable,
    }


def _score(scored: Scored) -> dict[str, Any]:
    def r(v: float | None) -> float | None:
        shown = score_round(v)
        return None if shown is None else float(shown)

    return {
        "host": r(scored.host),
        "resource": r(scored.resource),
        "combined": r(scored.combined),
        "gap": r(scored.gap),
        "large_gap": scored.is_large_gap,
        "only_side": scored.only_side,
        "gap_over_shared_statements": scored.partial_gap,
    }


def _round_out(r: AssessmentRound) -> dict[str, Any]:
    return {
        "uuid": r.uuid,
        "version": r.version,
        "partnership": r.partnership.uuid,
        "instrument": r.instrument_version.instrument.uuid,
        "instrument_version": r.instrument_version.number,
        "title": r.shown_title,
        "due_date": r.due_date,
        "status": r.status,
        "host_submitted_at": r.host_submitted_at,
        "resource_submitted_at": r.resource_submitted_at,
        "cancelled_at": r.cancelled_at,
        "cancel_reason": r.cancel_reason,
    }


def _round_detail(user: User, round_uuid: UUID) -> dict[str, Any]:
    assessment_round, access = selectors.get_round_for_user(user, round_uuid)
    result = selectors.round_scores(assessment_round=assessment_round, access=access)
    return {
        **_round_out(assessment_round),
        "visible_sides": sorted(result.visible_sides),
        "sheets": result.sheets,
        "overall": _score(result.overall),
        "sections": [
            {
                "code": line.section.code,
                "title": line.section.title,
                **_score(line.scored),
                "items": [{"key": _key(i.item, line.section), **_score(i.scored)} for i in line.items],
            }
            for line in result.sections
        ],
    }


def _items_by_key(assessment_round: AssessmentRound) -> dict[str, Item]:
    items = Item.objects.filter(section__version_id=assessment_round.instrument_version_id).select_related(
        "section"
    )
    return {_key(item, item.section): item for item in items}


def _action_data(assessment_round: AssessmentRound, data: dict[str, Any]) -> dict[str, Any]:
    """Section codes and owner addresses as objects; unknown ones are bad input (422)."""
    errors: dict[str, list[str]] = {}
    if data.get("section"):
        section = Section.objects.filter(
            version_id=assessment_round.instrument_version_id, code=data["section"]
        ).first()
        if section is None:
            errors["section"] = [_("No such section in this round's instrument.")]
        data["section"] = section
    if data.get("owner"):
        in_partnership = PartnershipMembership.objects.filter(partnership_id=assessment_round.partnership_id)
        owner = User.objects.filter(email__iexact=data["owner"], pk__in=in_partnership.values("user")).first()
        if owner is None:
            errors["owner"] = [_("Choose someone of this partnership.")]
        data["owner"] = owner
    if errors:
        raise ValidationError(errors)
    return data


def _action_out(action: AssessmentAction) -> dict[str, Any]:
    return {
        "uuid": action.uuid,
        "version": action.version,
        "title": action.title,
        "section": action.section.code if action.section else None,
        "owner": str(action.owner) if action.owner else None,
        "due_date": action.due_date,
        "status": action.status,
    }


def _actions_round(user: User, round_uuid: UUID, *, write: bool = False) -> AssessmentRound:
    """The round whose joint action plan is read (`can_read_joint_actions`) or changed
    (`can_change_joint_actions`): 404 outside, 403 for those who may not."""
    assessment_round, access = selectors.get_round_for_user(user, round_uuid)
    require(access.can_change_joint_actions if write else access.can_read_joint_actions)
    return assessment_round


# --- instruments ---------------------------------------------------------------------------------------


@router.get(
    "/instruments", response={200: list[InstrumentOut], **error_responses()}, summary="List instruments"
)
def instruments_list(request: ApiRequest) -> list[Instrument]:
    return list(selectors.instrument_list(user=request.auth))


@router.get(
    "/instruments/{uuid:instrument_uuid}",
    response={200: InstrumentDetailOut, **error_responses(404)},
    summary="Get an instrument's current version",
)
def instrument_detail(request: ApiRequest, instrument_uuid: UUID) -> dict[str, Any]:
    instrument = selectors.get_instrument_for_user(request.auth, instrument_uuid)
    version = selectors.current_version(instrument)
    sections = list(version.sections.all()) if version else []
    return {
        "uuid": instrument.uuid,
        "code": instrument.code,
        "name": instrument.name,
        "kind": instrument.kind,
        "description": instrument.description,
        "programme": instrument.programme.uuid if instrument.programme else None,
        "version": version.number if version else None,
        "frozen": bool(version and version.is_frozen),
        "sections": [
            {
                "code": s.code,
                "title": s.title,
                "description": s.description,
                "items": [_item_out(i, s) for i in s.items.all()],
            }
            for s in sections
        ],
    }


# --- rounds --------------------------------------------------------------------------------------------


@router.get(
    "/rounds", response={200: AssessmentRoundPage, **error_responses()}, summary="List assessment rounds"
)
def rounds_list(request: ApiRequest, filters: Query[RoundFilters]) -> dict[str, Any]:
    partnership = None
    if filters.partnership:
        try:
            partnership = get_partnership_for_user(request.auth, filters.partnership)[0]
        except Http404:
            raise ValidationError({"partnership": [_("Unknown partnership.")]}) from None
    page = paginate(selectors.round_list(user=request.auth, partnership=partnership), filters)
    return {"count": page["count"], "items": [_round_out(r) for r in page["items"]]}


@router.post(
    "/rounds",
    response={201: AssessmentRoundDetailOut, **error_responses(403, 404)},
    summary="Open an assessment round",
)
def round_create(request: ApiRequest, payload: RoundCreate) -> Status:
    # The floor before the body is read: who edits no partnership (a viewer, a member) is refused 403 whatever the
    # body (twinning.core.api).
    require(edits_a_partnership_anywhere(request.auth))
    # The one partnership the request is about, named in the body: hidden or missing answers 404, as in a path.
    partnership = get_partnership_for_user(request.auth, payload.partnership)[0]
    instrument = selectors.instrument_list(user=request.auth).filter(uuid=payload.instrument).first()
    if instrument is None:
        raise ValidationError({"instrument": [_("Unknown instrument.")]})
    assessment_round = services.round_open(
        actor=request.auth,
        partnership=partnership,
        instrument=instrument,
        due_date=payload.due_date,
        title=payload.title,
    )
    return Status(201, _round_detail(request.auth, assessment_round.uuid))


@router.get(
    "/rounds/{uuid:round_uuid}",
    response={200: AssessmentRoundDetailOut, **error_responses(404)},
    summary="Get a round with the scores the reader may see",
)
def round_detail(request: ApiRequest, round_uuid: UUID) -> dict[str, Any]:
    return _round_detail(request.auth, round_uuid)


@router.patch(
    "/rounds/{uuid:round_uuid}",
    response={200: AssessmentRoundDetailOut, **error_responses(403, 404, 409)},
    summary="Change an open round's due date or title",
    description="The programme's editors; the partnership's coordinators for a round it opened itself. "
    "A complete or cancelled round no longer changes.",
)
def round_patch(request: ApiRequest, round_uuid: UUID, payload: RoundUpdate) -> dict[str, Any]:
    assessment_round, _access = selectors.get_round_for_user(request.auth, round_uuid, change=True)
    data, version = patch_changes(payload)
    services.round_update(
        actor=request.auth, assessment_round=assessment_round, data=data, expected_version=version
    )
    return _round_detail(request.auth, round_uuid)


@router.post(
    "/rounds/{uuid:round_uuid}/cancel",
    response={200: AssessmentRoundDetailOut, **error_responses(403, 404, 409)},
    summary="Cancel a round that is not complete",
    description="Nothing is deleted: the round is kept as cancelled with its answer sheets, takes no more "
    "answers and reminds nobody. A reason is required once anyone has handed in answers.",
)
def round_cancel(request: ApiRequest, round_uuid: UUID, payload: RoundCancel) -> dict[str, Any]:
    assessment_round, _access = selectors.get_round_for_user(request.auth, round_uuid, change=True)
    services.round_cancel(
        actor=request.auth,
        assessment_round=assessment_round,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _round_detail(request.auth, round_uuid)


@router.get(
    "/rounds/{uuid:round_uuid}/answers",
    response={200: list[SheetOut], **error_responses(404)},
    summary="Answer sheets the reader may see",
    description="Before both sides have submitted: the reader's own side's handed-in sheets and their own "
    "sheet; after: both sides' handed-in sheets. Readers (viewers) get scores only, no sheets.",
)
def answers_list(request: ApiRequest, round_uuid: UUID) -> list[dict[str, Any]]:
    assessment_round, access = selectors.get_round_for_user(request.auth, round_uuid)
    revealed = assessment_round.is_revealed
    sides = [s for s in Side.values if access.sees_assessment_comments(s, revealed=revealed)]
    sheets = (
        (
            assessment_round.responses.filter(side__in=sides, submitted_at__isnull=False)
            | assessment_round.responses.filter(respondent=request.auth)
        )
        .select_related("respondent")
        .prefetch_related("answers__item__section")
        .order_by("side", "created_at")
    )
    return [
        {
            "version": sheet.version,
            "side": sheet.side,
            "respondent": str(sheet.respondent),
            "submitted_at": sheet.submitted_at,
            "answers": [
                {
                    "key": _key(a.item, a.item.section),
                    "value": a.value,
                    "not_applicable": a.not_applicable,
                    "comment": a.comment,
                }
                for a in sheet.answers.all()
            ],
        }
        for sheet in sheets.distinct()
    ]


@router.put(
    "/rounds/{uuid:round_uuid}/answers/mine",
    response={200: SheetOut, **error_responses(403, 404, 409)},
    summary="Save (and hand in) one's own answers",
)
def answers_save(request: ApiRequest, round_uuid: UUID, payload: AssessmentAnswersIn) -> dict[str, Any]:
    assessment_round, _access = selectors.get_round_for_user(request.auth, round_uuid, answer=True)
    by_key = _items_by_key(assessment_round)
    unknown = [a.key for a in payload.answers if a.key not in by_key]
    if unknown:
        raise ValidationError(
            {"answers": [_("Unknown statements: %(keys)s.") % {"keys": ", ".join(unknown)}]}
        )
    # Two answers to one statement: the later would silently win (a tester's finding, issue 13).
    refuse_repeats(
        payload.answers, key=lambda a: a.key, name=lambda a: a.key, label=lambda a: by_key[a.key].statement
    )
    answers = {
        by_key[a.key].pk: services.AnswerInput(
            value=a.value, not_applicable=a.not_applicable, comment=a.comment
        )
        for a in payload.answers
    }
    try:
        sheet = services.answers_save(
            actor=request.auth,
            assessment_round=assessment_round,
            answers=answers,
            submit=payload.submit,
            expected_version=payload.version,
        )
    except ValidationError as exc:
        keys = {f"item-{item.pk}": key for key, item in by_key.items()}
        if hasattr(exc, "error_dict"):
            errors = {keys.get(k, k): v for k, v in exc.message_dict.items()}
            statements = {key: item.statement for key, item in by_key.items()}
            raise LabelledValidationError(errors, statements) from None
        raise
    return {
        "version": sheet.version,
        "side": sheet.side,
        "respondent": str(sheet.respondent),
        "submitted_at": sheet.submitted_at,
        "answers": [
            {
                "key": _key(a.item, a.item.section),
                "value": a.value,
                "not_applicable": a.not_applicable,
                "comment": a.comment,
            }
            for a in sheet.answers.select_related("item__section")
        ],
    }


@router.post(
    "/rounds/{uuid:round_uuid}/submit",
    response={200: AssessmentRoundDetailOut, **error_responses(403, 404)},
    summary="Submit one's side's answers (its coordinators)",
)
def side_submit(request: ApiRequest, round_uuid: UUID) -> dict[str, Any]:
    assessment_round, _access = selectors.get_round_for_user(request.auth, round_uuid)
    services.side_submit(actor=request.auth, assessment_round=assessment_round)
    return _round_detail(request.auth, round_uuid)


# --- the joint action plan -----------------------------------------------------------------------------


@router.get(
    "/rounds/{uuid:round_uuid}/actions",
    response={200: list[ActionOut], **error_responses(403, 404)},
    summary="The round's joint action plan",
)
def actions_list(request: ApiRequest, round_uuid: UUID) -> list[dict[str, Any]]:
    assessment_round = _actions_round(request.auth, round_uuid)
    return [_action_out(a) for a in assessment_round.actions.select_related("owner", "section")]


@router.post(
    "/rounds/{uuid:round_uuid}/actions",
    response={201: ActionOut, **error_responses(403, 404)},
    summary="Add an action to the joint plan",
)
def action_create(request: ApiRequest, round_uuid: UUID, payload: ActionIn) -> Status:
    assessment_round = _actions_round(request.auth, round_uuid, write=True)
    data = _action_data(assessment_round, payload.model_dump())
    action = services.action_create(actor=request.auth, assessment_round=assessment_round, **data)
    return Status(201, _action_out(action))


@router.patch(
    "/rounds/{uuid:round_uuid}/actions/{uuid:action_uuid}",
    response={200: ActionOut, **error_responses(403, 404, 409)},
    summary="Change an action of the joint plan",
)
def action_patch(
    request: ApiRequest, round_uuid: UUID, action_uuid: UUID, payload: ActionUpdate
) -> dict[str, Any]:
    assessment_round = _actions_round(request.auth, round_uuid, write=True)
    action = assessment_round.actions.filter(uuid=action_uuid).first()
    if action is None:
        raise Http404
    action.round = assessment_round
    data, version = patch_changes(payload)
    data = _action_data(assessment_round, data)
    services.action_update(actor=request.auth, action=action, data=data, expected_version=version)
    action.refresh_from_db()
    return _action_out(action)
