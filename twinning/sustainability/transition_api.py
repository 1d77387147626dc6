"""Transition plans, graduation reviews and follow-ups over the API: thin endpoints over selectors and services.

The same rules as the pages: a partnership you may not see answers 404 (422 when named in a body or filter), a
read-only user's write 403; graduation reviews read unapproved results, so readers get 403 for them.
"""

import datetime
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from twinning.accounts.access import (
    edits_a_partnership_anywhere,
    in_graduation_partnerships,
    is_programme_editor,
    partnership_access,
    require,
)
from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import User
from twinning.core.api import (
    Input,
    LabelledValidationError,
    PageQuery,
    TitledRef,
    Version,
    error_responses,
    omittable,
    paginate,
    patch_changes,
    refuse_repeats,
)
from twinning.directory.models import Person
from twinning.knowledge.models import Practice
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff
from twinning.planning.models import Activity
from twinning.sustainability import follow_ups as follow_up_services
from twinning.sustainability import graduation_services
from twinning.sustainability import transition_services as services
from twinning.sustainability.graduation import criteria_from_json, evaluate
from twinning.sustainability.limits import COMMENT_MAX, TEXT_MAX
from twinning.sustainability.models_transition import (
    FollowUp,
    FollowUpItem,
    FundingSource,
    GraduationReview,
    TransitionItem,
    TransitionMilestone,
    TransitionPlan,
    TransitionRisk,
    TransitionSignOff,
)
from twinning.sustainability.transition_selectors import (
    follow_up_list,
    get_follow_up_for_user,
    get_graduation_review_for_user,
    get_transition_plan_for_user,
    graduation_review_list,
    transition_plan_list,
)

router = Router(tags=["sustainability"])


# --- output --------------------------------------------------------------------------------------------


class TransitionItemOut(Schema):
    uuid: UUID
    kind: TransitionItem.Kind
    title: str
    activity: UUID | None
    practice: UUID | None
    continues: bool
    owner: UUID | None = Field(description="A person of the host side.")
    owner_role: str
    funding_source: FundingSource
    funding_detail: str
    takes_over_on: datetime.date | None
    note: str

    @staticmethod
    def resolve_activity(obj: TransitionItem) -> UUID | None:
        return obj.activity.uuid if obj.activity else None

    @staticmethod
    def resolve_practice(obj: TransitionItem) -> UUID | None:
        return obj.practice.uuid if obj.practice else None

    @staticmethod
    def resolve_owner(obj: TransitionItem) -> UUID | None:
        return obj.owner.uuid if obj.owner else None


class RiskOut(Schema):
    uuid: UUID
    risk: str
    mitigation: str


class MilestoneOut(Schema):
    uuid: UUID
    title: str
    due_date: datetime.date


class TransitionSignOffOut(Schema):
    party: TransitionSignOff.Party
    signed_at: datetime.datetime
    note: str


class TransitionPlanOut(Schema):
    uuid: UUID
    version: int
    partnership: TitledRef
    summary: str
    handover_date: datetime.date | None
    requires_ministry_sign_off: bool
    signed_at: datetime.datetime | None = Field(
        description="When the last required party signed; null: not yet."
    )


class TransitionPlanListOut(TransitionPlanOut):
    item_count: int
    signature_count: int


class TransitionPlanDetailOut(TransitionPlanOut):
    items: list[TransitionItemOut]
    risks: list[RiskOut]
    milestones: list[MilestoneOut]
    sign_offs: list[TransitionSignOffOut]

    @staticmethod
    def resolve_items(obj: TransitionPlan) -> list[TransitionItem]:
        return list(obj.items.all())

    @staticmethod
    def resolve_risks(obj: TransitionPlan) -> list[Any]:
        return list(obj.risks.all())

    @staticmethod
    def resolve_milestones(obj: TransitionPlan) -> list[Any]:
        return list(obj.milestones.all())

    @staticmethod
    def resolve_sign_offs(obj: TransitionPlan) -> list[Any]:
        return list(obj.sign_offs.all())


class TransitionPlanPage(Schema):
    count: int
    items: list[TransitionPlanListOut]


class CriterionOut(Schema):
    code: str
    label: str
    met: bool | None = Field(description="null: the programme does not check this criterion.")
    summary: str
    evidence: list[str]


class ReviewOut(Schema):
    uuid: UUID
    version: int
    partnership: TitledRef
    note: str
    decision: GraduationReview.Decision | None = Field(description="null: still open.")
    reason: str
    decided_on: datetime.date | None
    extended_to: datetime.date | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_decision(obj: GraduationReview) -> str | None:
        return obj.decision or None


class ReviewDetailOut(ReviewOut):
    criteria: list[CriterionOut] = Field(
        description="Open review: the criteria evaluated now; decided: as they were at the decision."
    )

    @staticmethod
    def resolve_criteria(obj: GraduationReview) -> list[Any]:
        rows = evaluate(obj.partnership).criteria if obj.is_open else criteria_from_json(obj.evidence)
        return [c.as_json() for c in rows]


class ReviewPage(Schema):
    count: int
    items: list[ReviewOut]


class QuestionOut(Schema):
    # The API names objects by UUID; a question has none, so it is named by its place in its follow-up.
    number: int = Field(
        description="The question's place in this follow-up, from 1; answers name it by this."
    )
    kind: TransitionItem.Kind
    title: str
    status: FollowUpItem.Status | None
    funded_by: FundingSource | None
    note: str


class FollowUpOut(Schema):
    uuid: UUID
    version: int
    partnership: TitledRef
    years_after: int
    ended_on: datetime.date
    outcome: GraduationReview.Decision
    opens_on: datetime.date
    due_date: datetime.date
    answered_at: datetime.datetime | None


class FollowUpDetailOut(FollowUpOut):
    questions: list[QuestionOut]
    staff_retained: FollowUp.StaffRetained | None
    partner_contact: FollowUp.Contact | None
    comment: str

    @staticmethod
    def resolve_questions(obj: FollowUp) -> list[dict[str, Any]]:
        return [
            {
                "number": number,
                "kind": item.kind,
                "title": item.title,
                "status": item.status or None,
                "funded_by": item.funded_by or None,
                "note": item.note,
            }
            for number, item in enumerate(obj.items.all(), start=1)
        ]

    @staticmethod
    def resolve_staff_retained(obj: FollowUp) -> str | None:
        return obj.staff_retained or None

    @staticmethod
    def resolve_partner_contact(obj: FollowUp) -> str | None:
        return obj.partner_contact or None


class FollowUpPage(Schema):
    count: int
    items: list[FollowUpOut]


# --- input ---------------------------------------------------------------------------------------------


class ListFilters(PageQuery):
    partnership: UUID | None = None
    programme: UUID | None = None


class ReviewFilters(ListFilters):
    open: bool | None = Field(None, description="true: only reviews waiting for a decision.")


class TransitionPlanCreate(Input):
    partnership: UUID
    summary: str = Field("", max_length=TEXT_MAX)
    handover_date: datetime.date | None = None


class TransitionPlanUpdate(Input):
    summary: str = omittable(max_length=TEXT_MAX)
    handover_date: datetime.date | None = None
    version: Version = omittable()


class ItemIn(Input):
    uuid: UUID | None = Field(
        None,
        description="The new record's id, chosen by the client: sending the same again returns the first.",
    )
    kind: TransitionItem.Kind = TransitionItem.Kind.ACTIVITY
    title: str = Field(min_length=1, max_length=255)
    activity: UUID | None = None
    practice: UUID | None = Field(None, description="A practice of the library this partnership is behind.")
    continues: bool = True
    owner: UUID | None = None
    owner_role: str = Field("", max_length=200)
    funding_source: FundingSource = FundingSource.HOST_BUDGET
    funding_detail: str = Field("", max_length=255)
    takes_over_on: datetime.date | None = None
    note: str = Field("", max_length=TEXT_MAX)


class RiskIn(Input):
    uuid: UUID | None = Field(
        None,
        description="The new record's id, chosen by the client: sending the same again returns the first.",
    )
    risk: str = Field(min_length=1, max_length=500)
    mitigation: str = Field("", max_length=TEXT_MAX)


class MilestoneIn(Input):
    uuid: UUID | None = Field(
        None,
        description="The new record's id, chosen by the client: sending the same again returns the first.",
    )
    title: str = Field(min_length=1, max_length=255)
    due_date: datetime.date


class SignIn(Input):
    party: TransitionSignOff.Party
    note: str = Field("", max_length=COMMENT_MAX)
    # Required, unlike a PATCH's: a signature given to content the signer never saw is worse than a lost update
    # (a tester's finding, issue 13).
    version: Version = Field(
        description=(
            "Required: the plan's version you read and sign. 409 if the plan changed since (its fields, or an "
            "item, risk or milestone added or removed); nothing is signed, read the plan again."
        )
    )


class ReviewCreate(Input):
    partnership: UUID
    note: str = Field("", max_length=TEXT_MAX)


class GraduationDecisionIn(Input):
    decision: GraduationReview.Decision
    reason: str = Field(min_length=1, max_length=TEXT_MAX)
    decided_on: datetime.date | None = None
    extended_to: datetime.date | None = None
    confirm_unmet: bool = Field(
        False,
        description="Graduate although not every criterion that applies is met (see the review's `criteria`); "
        "without it such a graduation is refused (422).",
    )
    version: Version = omittable()


class FollowUpAnswerIn(Input):
    question: int = Field(
        ge=1, le=500, description="The question's number in this follow-up (see `questions`)."
    )
    status: FollowUpItem.Status
    funded_by: FundingSource | None = Field(None, description="Required unless stopped.")
    note: str = Field("", max_length=500)


class FollowUpAnswersIn(Input):
    questions: list[FollowUpAnswerIn] = Field(max_length=500)
    staff_retained: FollowUp.StaffRetained
    partner_contact: FollowUp.Contact
    comment: str = Field("", max_length=TEXT_MAX)
    version: Version = omittable()


# --- helpers -------------------------------------------------------------------------------------------


def _partnership(user: User, partnership_uuid: UUID) -> Partnership:
    # A partnership named in a body or filter is input: hidden and missing read the same (422).
    try:
        return get_partnership_for_user(user, partnership_uuid)[0]
    except Http404:
        raise ValidationError({"partnership": [_("Unknown partnership.")]}) from None


def _programme(user: User, programme_uuid: UUID) -> Programme:
    try:
        return get_programme_for_staff(user, programme_uuid)
    except Http404:
        raise ValidationError({"programme": [_("Unknown programme.")]}) from None


def _item_links(plan: TransitionPlan, payload: ItemIn) -> dict[str, Any]:
    data = payload.model_dump()
    errors: dict[str, list[str]] = {}
    if payload.activity is not None:
        data["activity"] = Activity.objects.filter(
            uuid=payload.activity, objective__plan__partnership_id=plan.partnership_id
        ).first()
        if data["activity"] is None:
            errors["activity"] = [_("Not an activity of this partnership's plans.")]
    if payload.practice is not None:
        data["practice"] = Practice.objects.filter(
            uuid=payload.practice, partnership_links__partnership_id=plan.partnership_id
        ).first()
        if data["practice"] is None:
            errors["practice"] = [_("Not a practice this partnership is behind.")]
    if payload.owner is not None:
        data["owner"] = Person.objects.filter(uuid=payload.owner).first()
        if data["owner"] is None:
            errors["owner"] = [_("Unknown person.")]
    if errors:
        raise ValidationError(errors)
    return data


def _review(user: User, review_uuid: UUID, *, write: bool = False) -> GraduationReview:
    """The review, when the user reads graduation reviews (`can_read_graduation`) or, with `write`, decides them
    (`can_decide_graduation`, the decision service's rule, asked before the view reads what was sent): 404
    outside, 403 for those who may not."""
    review = get_graduation_review_for_user(user, review_uuid)
    access = partnership_access(user, review.partnership)
    require(access.can_decide_graduation if write else access.can_read_graduation)
    return review


# --- transition plans ----------------------------------------------------------------------------------


@router.get(
    "/transition-plans",
    response={200: TransitionPlanPage, **error_responses()},
    summary="List transition plans",
)
def plans_list(request: ApiRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    qs = transition_plan_list(
        user=request.auth,
        programme=_programme(request.auth, filters.programme) if filters.programme else None,
    )
    if filters.partnership:
        qs = qs.filter(partnership=_partnership(request.auth, filters.partnership))
    return paginate(qs, filters)


@router.post(
    "/transition-plans",
    response={201: TransitionPlanDetailOut, **error_responses(403, 404)},
    summary="Draft a transition plan",
)
def plan_create(request: ApiRequest, payload: TransitionPlanCreate) -> Status:
    # The floor before the body is read: who edits no partnership (a viewer, a member) is refused 403 whatever the
    # body (twinning.core.api).
    require(edits_a_partnership_anywhere(request.auth))
    # The one partnership the request is about, named in the body: hidden or missing answers 404, as in a path.
    partnership = get_partnership_for_user(request.auth, payload.partnership)[0]
    plan = services.transition_plan_create(
        actor=request.auth,
        partnership=partnership,
        summary=payload.summary,
        handover_date=payload.handover_date,
    )
    return Status(201, get_transition_plan_for_user(request.auth, plan.uuid))


@router.get(
    "/transition-plans/{uuid:plan_uuid}",
    response={200: TransitionPlanDetailOut, **error_responses(404)},
    summary="Get a transition plan",
)
def plan_detail(request: ApiRequest, plan_uuid: UUID) -> TransitionPlan:
    return get_transition_plan_for_user(request.auth, plan_uuid)


@router.patch(
    "/transition-plans/{uuid:plan_uuid}",
    response={200: TransitionPlanDetailOut, **error_responses(403, 404, 409)},
    summary="Change a transition plan (withdraws its signatures)",
)
def plan_patch(request: ApiRequest, plan_uuid: UUID, payload: TransitionPlanUpdate) -> TransitionPlan:
    plan = get_transition_plan_for_user(request.auth, plan_uuid, write=True)
    data, version = patch_changes(payload)
    services.transition_plan_update(actor=request.auth, plan=plan, data=data, expected_version=version)
    return get_transition_plan_for_user(request.auth, plan_uuid)


@router.post(
    "/transition-plans/{uuid:plan_uuid}/items",
    response={201: TransitionItemOut, **error_responses(403, 404)},
    summary="Add what the host side takes over",
)
def item_create(request: ApiRequest, plan_uuid: UUID, payload: ItemIn) -> Status:
    plan = get_transition_plan_for_user(request.auth, plan_uuid, write=True)
    change = services.transition_item_add(actor=request.auth, plan=plan, **_item_links(plan, payload))
    return Status(201, change.saved)


@router.post(
    "/transition-plans/{uuid:plan_uuid}/risks",
    response={201: RiskOut, **error_responses(403, 404)},
    summary="Add a risk and its mitigation",
)
def risk_create(request: ApiRequest, plan_uuid: UUID, payload: RiskIn) -> Status:
    plan = get_transition_plan_for_user(request.auth, plan_uuid, write=True)
    change = services.transition_risk_add(actor=request.auth, plan=plan, **payload.model_dump())
    return Status(201, change.saved)


@router.post(
    "/transition-plans/{uuid:plan_uuid}/milestones",
    response={201: MilestoneOut, **error_responses(403, 404)},
    summary="Add a milestone",
)
def milestone_create(request: ApiRequest, plan_uuid: UUID, payload: MilestoneIn) -> Status:
    plan = get_transition_plan_for_user(request.auth, plan_uuid, write=True)
    change = services.transition_milestone_add(actor=request.auth, plan=plan, **payload.model_dump())
    return Status(201, change.saved)


@router.delete(
    "/transition-plans/{uuid:plan_uuid}/parts/{uuid:part_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove an item, risk or milestone (withdraws the signatures)",
)
def part_delete(request: ApiRequest, plan_uuid: UUID, part_uuid: UUID) -> Status:
    plan = get_transition_plan_for_user(request.auth, plan_uuid)
    parts: list[TransitionItem | TransitionRisk | TransitionMilestone] = [
        *plan.items.all(),
        *plan.risks.all(),
        *plan.milestones.all(),
    ]
    part = next((p for p in parts if p.uuid == part_uuid), None)
    if part is None:
        raise Http404
    part.plan = plan
    services.transition_part_remove(actor=request.auth, part=part)
    return Status(204, None)


@router.post(
    "/transition-plans/{uuid:plan_uuid}/sign",
    response={201: TransitionSignOffOut, **error_responses(403, 404, 409)},
    summary="Sign a transition plan for one party",
)
def plan_sign(request: ApiRequest, plan_uuid: UUID, payload: SignIn) -> Status:
    plan = get_transition_plan_for_user(request.auth, plan_uuid, sign=True)
    sign_off = services.transition_plan_sign(
        actor=request.auth,
        plan=plan,
        party=payload.party,
        note=payload.note,
        expected_version=payload.version,
    )
    return Status(201, sign_off)


# --- graduation reviews --------------------------------------------------------------------------------


@router.get(
    "/graduation-reviews", response={200: ReviewPage, **error_responses()}, summary="List graduation reviews"
)
def reviews_list(request: ApiRequest, filters: Query[ReviewFilters]) -> dict[str, Any]:
    """Reviews of the partnerships whose internal work you see, and of the programmes you view (a partnership's
    own readers see none)."""
    programme = _programme(request.auth, filters.programme) if filters.programme else None
    qs = graduation_review_list(user=request.auth, programme=programme, open_only=bool(filters.open))
    if filters.partnership:
        qs = qs.filter(partnership=_partnership(request.auth, filters.partnership))
    return paginate(qs.filter(in_graduation_partnerships(request.auth)), filters)


@router.post(
    "/graduation-reviews",
    response={201: ReviewDetailOut, **error_responses(403, 404)},
    summary="Open a graduation review",
)
def review_create(request: ApiRequest, payload: ReviewCreate) -> Status:
    # The floor before the body is read: who edits no programme (a viewer, a coordinator) is refused 403 whatever the
    # body (twinning.core.api).
    require(is_programme_editor(request.auth))
    # The one partnership the request is about, named in the body: hidden or missing answers 404, as in a path.
    partnership = get_partnership_for_user(request.auth, payload.partnership)[0]
    review = graduation_services.graduation_review_open(
        actor=request.auth, partnership=partnership, note=payload.note
    )
    return Status(201, _review(request.auth, review.uuid))


@router.get(
    "/graduation-reviews/{uuid:review_uuid}",
    response={200: ReviewDetailOut, **error_responses(403, 404)},
    summary="Get a graduation review with its criteria and evidence",
)
def review_detail(request: ApiRequest, review_uuid: UUID) -> GraduationReview:
    return _review(request.auth, review_uuid)


@router.post(
    "/graduation-reviews/{uuid:review_uuid}/decision",
    response={200: ReviewDetailOut, **error_responses(403, 404, 409)},
    summary="Record the decision of a graduation review",
)
def review_decide(request: ApiRequest, review_uuid: UUID, payload: GraduationDecisionIn) -> GraduationReview:
    """Graduate or close moves the partnership's stage and schedules the follow-ups; extend moves the end of its
    funding to `extended_to`."""
    review = _review(request.auth, review_uuid, write=True)
    graduation_services.graduation_review_decide(
        actor=request.auth,
        review=review,
        decision=payload.decision,
        reason=payload.reason,
        decided_on=payload.decided_on,
        extended_to=payload.extended_to,
        expected_version=payload.version,
        confirm_unmet=payload.confirm_unmet,
    )
    return _review(request.auth, review_uuid)


# --- follow-ups ----------------------------------------------------------------------------------------


@router.get("/follow-ups", response={200: FollowUpPage, **error_responses()}, summary="List follow-ups")
def follow_ups_list(request: ApiRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    programme = _programme(request.auth, filters.programme) if filters.programme else None
    partnership = _partnership(request.auth, filters.partnership) if filters.partnership else None
    return paginate(follow_up_list(user=request.auth, partnership=partnership, programme=programme), filters)


@router.get(
    "/follow-ups/{uuid:follow_up_uuid}",
    response={200: FollowUpDetailOut, **error_responses(404)},
    summary="Get a follow-up with its questions",
)
def follow_up_detail(request: ApiRequest, follow_up_uuid: UUID) -> FollowUp:
    return get_follow_up_for_user(request.auth, follow_up_uuid)


@router.put(
    "/follow-ups/{uuid:follow_up_uuid}/answers",
    response={200: FollowUpDetailOut, **error_responses(403, 404, 409)},
    summary="Answer a follow-up (the host side)",
)
def follow_up_answers(request: ApiRequest, follow_up_uuid: UUID, payload: FollowUpAnswersIn) -> FollowUp:
    """Every question needs a status and, unless stopped, who funds it now; answering again corrects the
    answers."""
    follow_up = get_follow_up_for_user(request.auth, follow_up_uuid, write=True)
    # Numbers to the questions' keys; a number this follow-up lacks stays unknown (0), which the service refuses.
    questions = list(follow_up.items.values_list("pk", "title"))
    keys = {number: pk for number, (pk, _title) in enumerate(questions, start=1)}
    titles = {f"question.{number}": title for number, (_pk, title) in enumerate(questions, start=1)}
    # Two answers to one question: the later would silently win.
    refuse_repeats(
        payload.questions,
        key=lambda a: a.question,
        name=lambda a: f"question.{a.question}",
        label=lambda a: titles.get(f"question.{a.question}", str(a.question)),
    )
    try:
        follow_up_services.follow_up_answer(
            actor=request.auth,
            follow_up=follow_up,
            answers={
                keys.get(a.question, 0): follow_up_services.ItemAnswer(a.status, a.funded_by or "", a.note)
                for a in payload.questions
            },
            staff_retained=payload.staff_retained,
            partner_contact=payload.partner_contact,
            comment=payload.comment,
            expected_version=payload.version,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        # The service names a question by its internal id ("item_12"); the API names it by its number.
        numbers = {f"item_{pk}": f"question.{number}" for number, pk in keys.items()}
        errors = {numbers.get(k, k): v for k, v in exc.message_dict.items()}
        raise LabelledValidationError(errors, titles) from None
    return get_follow_up_for_user(request.auth, follow_up_uuid)
