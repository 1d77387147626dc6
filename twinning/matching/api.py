"""Matching over the API: profiles, rounds, results, recommendations and decisions (thin over the services)."""

import datetime
import uuid
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from twinning.accounts.access import is_programme_editor, require
from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import User
from twinning.core.api import Input, PageQuery, Ref, Version, error_responses, omittable, paginate
from twinning.core.choices import Side
from twinning.core.ids import parse_uuid
from twinning.core.reference import country_choices
from twinning.directory.models import HealthArea, Institution, InstitutionExpertise, InstitutionNeed, Language
from twinning.directory.selectors import get_institution_for_user
from twinning.matching import services
from twinning.matching.engine.scoring import PARTS
from twinning.matching.models import MatchDecision, MatchingJob, MatchingRound, RoundApplicant
from twinning.matching.selectors import (
    applicants_of,
    conflicts_of,
    get_applicant,
    get_institution_for_twinning,
    get_round_for_user,
    latest_job,
    recommendations,
    round_list,
    round_results,
)
from twinning.matching.twins import TwinQuery, twin_search, usual_side, weights_valid
from twinning.partnerships.selectors import get_programme_for_staff

router = Router(tags=["matching"])
MAX_TEXT = 2000


class Weights(Schema):
    coverage: int = Field(ge=0, le=100)
    text: int = Field(ge=0, le=100)
    mutual: int = Field(ge=0, le=100)
    type: int = Field(ge=0, le=100)
    specialties: int = Field(ge=0, le=100)
    language: int = Field(ge=0, le=100)
    time_zone: int = Field(ge=0, le=100)
    capacity: int = Field(ge=0, le=100)
    prior_ties: int = Field(ge=0, le=100)


class WeightsIn(Input):
    coverage: int = omittable(ge=0, le=100)
    text: int = omittable(ge=0, le=100)
    mutual: int = omittable(ge=0, le=100)
    type: int = omittable(ge=0, le=100)
    specialties: int = omittable(ge=0, le=100)
    language: int = omittable(ge=0, le=100)
    time_zone: int = omittable(ge=0, le=100)
    capacity: int = omittable(ge=0, le=100)
    prior_ties: int = omittable(ge=0, le=100)


class RoundOut(Schema):
    uuid: uuid.UUID
    version: int
    name: str
    description: str
    programme: Ref
    status: MatchingRound.Status
    weights: Weights
    top_k: int
    computed_at: datetime.datetime | None
    optimal_total: Decimal | None
    stable_total: Decimal | None


class RoundPage(Schema):
    count: int
    items: list[RoundOut]


class ApplicantOut(Schema):
    uuid: uuid.UUID
    institution: Ref
    side: Side
    capacity: int

    @staticmethod
    def resolve_institution(obj: RoundApplicant) -> dict[str, Any]:
        return {"uuid": obj.institution.uuid, "name": obj.institution.name}


class RoundDetailOut(RoundOut):
    applicants: list[ApplicantOut]


class RoundIn(Input):
    programme: uuid.UUID
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=MAX_TEXT)
    weights: WeightsIn | None = None
    top_k: int = Field(10, ge=1, le=200)


class RoundPatch(Input):
    name: str = omittable(min_length=1, max_length=200)
    description: str = omittable(max_length=MAX_TEXT)
    weights: WeightsIn | None = None
    top_k: int = omittable(ge=1, le=200)
    version: Version = omittable()


class ApplicantIn(Input):
    institution: uuid.UUID
    side: Side
    capacity: int | None = Field(None, ge=0, le=50, description="Defaults to the directory's capacity.")


class JobOut(Schema):
    uuid: uuid.UUID
    status: MatchingJob.Status
    progress: int
    stage: str
    error: str
    seconds: float | None


class PartOut(Schema):
    name: str
    value: float = Field(description="0 to 1.")
    weight: float = Field(description="Share of the score, 0 to 1.")
    points: float = Field(description="value × weight × 100; the points add up to the score.")


class MatchPairOut(Schema):
    host: Ref
    resource: Ref
    score: Decimal
    parts: list[PartOut]


class UnmatchedOut(Schema):
    institution: Ref
    side: Side
    reason: str
    explanation: str


class AssignmentOut(Schema):
    total: Decimal
    pairs: list[MatchPairOut]
    unmatched: list[UnmatchedOut]


class ResultsOut(Schema):
    computed_at: datetime.datetime | None
    weights: Weights
    optimal: AssignmentOut
    stable: AssignmentOut


class CandidateOut(Schema):
    institution: Ref
    score: float
    parts: list[PartOut]
    excluded_by: list[Literal["no_language", "no_capacity", "conflict"]]


class RecommendationsOut(Schema):
    institution: Ref
    side: Side
    weights: Weights
    ranked: list[CandidateOut]
    excluded: list[CandidateOut]


class DecisionIn(Input):
    action: Literal["accept", "override"]
    host: uuid.UUID = Field(description="Applicant UUID of the host.")
    proposed: uuid.UUID | None = Field(None, description="Applicant UUID of the proposed resource.")
    resource: uuid.UUID | None = Field(None, description="Override only: the resource chosen instead.")
    reason: str = Field("", max_length=MAX_TEXT)


class DecisionOut(Schema):
    uuid: uuid.UUID
    kind: MatchDecision.Kind
    host: Ref
    resource: Ref | None
    proposed_resource: Ref | None
    reason: str
    partnership: UUID | None
    created_at: datetime.datetime


class NeedIO(Input):
    area: str = Field(max_length=50, description="Health-area code.")
    priority: int = Field(2, ge=1, le=3)
    description: str = Field("", max_length=MAX_TEXT)


class ExpertiseIO(Input):
    area: str = Field(max_length=50, description="Health-area code.")
    depth: int = Field(2, ge=1, le=3)
    description: str = Field("", max_length=MAX_TEXT)


class ProfileIO(Input):
    needs: list[NeedIO] = Field(max_length=30)
    expertise: list[ExpertiseIO] = Field(max_length=30)


class ConflictIn(Input):
    institution_a: uuid.UUID
    institution_b: uuid.UUID
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


class ConflictOut(Schema):
    uuid: uuid.UUID
    institution_a: Ref
    institution_b: Ref
    reason: str


def _ref(obj: Any) -> dict[str, Any] | None:
    return {"uuid": obj.uuid, "name": obj.name} if obj is not None else None


def _round_out(round: MatchingRound) -> dict[str, Any]:
    return {
        "uuid": round.uuid,
        "version": round.version,
        "name": round.name,
        "description": round.description,
        "programme": _ref(round.programme),
        "status": round.status,
        "weights": round.weights,
        "top_k": round.top_k,
        "computed_at": round.computed_at,
        "optimal_total": round.optimal_total,
        "stable_total": round.stable_total,
    }


def _parts(stored: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    return [{"name": name, **stored[name]} for name in PARTS if name in stored]


def _institution(user: User, key: uuid.UUID, field: str) -> Institution:
    inst = Institution.objects.filter(uuid=key).first()
    if inst is None:
        raise ValidationError({field: [_("Unknown institution.")]})
    return inst


def _applicant(round: MatchingRound, key: uuid.UUID | None, field: str) -> RoundApplicant | None:
    if key is None:
        return None
    try:
        return get_applicant(round, key)
    except Http404:
        raise ValidationError({field: [_("Not an institution of this round.")]}) from None


@router.get("/rounds", response={200: RoundPage, **error_responses()}, summary="List matching rounds")
def rounds_list(request: ApiRequest, page: Query[PageQuery]) -> dict[str, Any]:
    """Rounds of the programmes you are staff of."""
    result = paginate(round_list(user=request.auth), page)
    return {"count": result["count"], "items": [_round_out(r) for r in result["items"]]}


@router.post(
    "/rounds", response={201: RoundDetailOut, **error_responses(403, 404)}, summary="Open a matching round"
)
def rounds_create(request: ApiRequest, payload: RoundIn) -> Status:
    # The floor before the body is read: who edits no programme (a viewer) is refused 403 whatever the
    # body (twinning.core.api).
    require(is_programme_editor(request.auth))
    # The one programme the request is about, named in the body: hidden or missing answers 404, as in a path.
    programme = get_programme_for_staff(request.auth, payload.programme)
    weights = payload.weights.model_dump(exclude_none=True) if payload.weights else None
    round = services.round_create(
        actor=request.auth,
        programme=programme,
        name=payload.name,
        description=payload.description,
        weights=weights,
        top_k=payload.top_k,
    )
    return Status(201, {**_round_out(round), "applicants": []})


@router.get(
    "/rounds/{round_uuid}", response={200: RoundDetailOut, **error_responses(404)}, summary="Get a round"
)
def round_detail(request: ApiRequest, round_uuid: str) -> dict[str, Any]:
    round = get_round_for_user(request.auth, round_uuid)
    return {**_round_out(round), "applicants": list(applicants_of(round))}


@router.patch(
    "/rounds/{round_uuid}",
    response={200: RoundDetailOut, **error_responses(403, 404, 409)},
    summary="Change a round",
)
def round_patch(request: ApiRequest, round_uuid: str, payload: RoundPatch) -> dict[str, Any]:
    round = get_round_for_user(request.auth, round_uuid, write=True)
    data = payload.model_dump(exclude_none=True, exclude={"weights", "version"})
    if payload.weights:
        data.update({f"weight_{k}": v for k, v in payload.weights.model_dump(exclude_none=True).items()})
    services.round_update(actor=request.auth, round=round, data=data, expected_version=payload.version)
    return {**_round_out(round), "applicants": list(applicants_of(round))}


@router.post(
    "/rounds/{round_uuid}/applicants",
    response={201: ApplicantOut, **error_responses(403, 404)},
    summary="Add an institution to a round",
)
def applicants_add(request: ApiRequest, round_uuid: str, payload: ApplicantIn) -> Status:
    round = get_round_for_user(request.auth, round_uuid, write=True)
    institution = _institution(request.auth, payload.institution, "institution")
    applicant = services.applicant_add(
        actor=request.auth, round=round, institution=institution, side=payload.side, capacity=payload.capacity
    )
    return Status(201, applicant)


@router.post(
    "/rounds/{round_uuid}/run",
    response={202: JobOut, **error_responses(403, 404)},
    summary="Compute a round (in the background when large)",
)
def round_run(request: ApiRequest, round_uuid: str) -> Status:
    round = get_round_for_user(request.auth, round_uuid, write=True)
    job = services.round_run(actor=request.auth, round=round)
    return Status(202, job)


@router.get(
    "/rounds/{round_uuid}/job", response={200: JobOut, **error_responses(404)}, summary="Latest computation"
)
def round_job(request: ApiRequest, round_uuid: str) -> MatchingJob:
    job = latest_job(get_round_for_user(request.auth, round_uuid))
    if job is None:
        raise Http404
    return job


@router.get(
    "/rounds/{round_uuid}/results",
    response={200: ResultsOut, **error_responses(404)},
    summary="Both assignments with totals, explained scores and the unmatched",
)
def round_results_api(request: ApiRequest, round_uuid: str) -> dict[str, Any]:
    round = get_round_for_user(request.auth, round_uuid)
    results = round_results(round)

    def assignment(pairs: list[Any], unmatched: list[Any], total: Decimal) -> dict[str, Any]:
        return {
            "total": total,
            "pairs": [
                {
                    "host": _ref(p.host.institution),
                    "resource": _ref(p.resource.institution),
                    "score": p.score,
                    "parts": _parts(p.parts),
                }
                for p in pairs
            ],
            "unmatched": [
                {
                    "institution": _ref(u.applicant.institution),
                    "side": u.applicant.side,
                    "reason": u.reason,
                    "explanation": u.get_reason_display(),
                }
                for u in unmatched
            ],
        }

    return {
        "computed_at": round.computed_at,
        "weights": round.weights,
        "optimal": assignment(results.optimal, results.unmatched_optimal, results.optimal_total),
        "stable": assignment(results.stable, results.unmatched_stable, results.stable_total),
    }


@router.get(
    "/rounds/{round_uuid}/candidates/{applicant_uuid}",
    response={200: RecommendationsOut, **error_responses(404)},
    summary="Ranked candidates for one institution of a round",
)
def round_candidates(request: ApiRequest, round_uuid: str, applicant_uuid: str) -> dict[str, Any]:
    round = get_round_for_user(request.auth, round_uuid)
    applicant = get_applicant(round, applicant_uuid)
    ranked, excluded = recommendations(round, applicant)

    def out(c: Any) -> dict[str, Any]:
        return {
            "institution": _ref(c.applicant.institution),
            "score": round_to(c.score),
            "parts": [_part_out(p) for p in c.parts],
            "excluded_by": c.excluded_by,
        }

    return {
        "institution": _ref(applicant.institution),
        "side": applicant.side,
        "weights": round.weights,
        "ranked": [out(c) for c in ranked],
        "excluded": [out(c) for c in excluded],
    }


def round_to(value: float) -> float:
    return round(value, 2)


def _part_out(part: Any) -> dict[str, Any]:
    """One part of a score with its figures to 3 decimals: float32 arithmetic gives 0.30000001 for 0.3."""
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in part.__dict__.items()}


def _decision_out(d: MatchDecision) -> dict[str, Any]:
    return {
        "uuid": d.uuid,
        "kind": d.kind,
        "host": _ref(d.host.institution),
        "resource": _ref(d.resource.institution) if d.resource else None,
        "proposed_resource": _ref(d.proposed_resource.institution) if d.proposed_resource else None,
        "reason": d.reason,
        "partnership": d.partnership.uuid if d.partnership else None,
        "created_at": d.created_at,
    }


@router.get(
    "/rounds/{round_uuid}/decisions",
    response={200: list[DecisionOut], **error_responses(404)},
    summary="Decisions",
)
def decisions_list(request: ApiRequest, round_uuid: str) -> list[dict[str, Any]]:
    round = get_round_for_user(request.auth, round_uuid)
    return [_decision_out(d) for d in round_results(round).decisions]


@router.post(
    "/rounds/{round_uuid}/decisions",
    response={201: DecisionOut, **error_responses(403, 404)},
    summary="Accept or override a pair",
)
def decisions_create(request: ApiRequest, round_uuid: str, payload: DecisionIn) -> Status:
    """Accepting makes the pair a partnership in the scoping stage; an override needs a reason."""
    round = get_round_for_user(request.auth, round_uuid, write=True)
    host = _applicant(round, payload.host, "host")
    proposed = _applicant(round, payload.proposed, "proposed")
    resource = _applicant(round, payload.resource, "resource")
    assert host is not None
    if payload.action == "accept":
        if proposed is None:
            raise ValidationError({"proposed": [_("Choose the twin to accept.")]})
        decision = services.decision_accept(
            actor=request.auth, round=round, host=host, resource=proposed, reason=payload.reason
        )
    else:
        decision = services.decision_override(
            actor=request.auth,
            round=round,
            host=host,
            proposed_resource=proposed,
            resource=resource,
            reason=payload.reason,
        )
    return Status(201, _decision_out(decision))


def _profile_out(institution: Institution) -> dict[str, Any]:
    needs = (
        InstitutionNeed.objects.filter(institution=institution)
        .select_related("area")
        .order_by("-priority", "id")
    )
    expertise = (
        InstitutionExpertise.objects.filter(institution=institution)
        .select_related("area")
        .order_by("-depth", "id")
    )
    return {
        "needs": [{"area": n.area.code, "priority": n.priority, "description": n.description} for n in needs],
        "expertise": [
            {"area": e.area.code, "depth": e.depth, "description": e.description} for e in expertise
        ],
    }


def _get_institution(institution_uuid: str) -> Institution:
    inst = Institution.objects.filter(uuid=parse_uuid(institution_uuid)).first()
    if inst is None:
        raise Http404
    return inst


@router.get(
    "/institutions/{institution_uuid}/profile",
    response={200: ProfileIO, **error_responses(404)},
    summary="Needs and expertise with priority, depth and description",
)
def profile_get(request: ApiRequest, institution_uuid: str) -> dict[str, Any]:
    # The directory is readable by every signed-in user, and so are the profiles matching reads.
    return _profile_out(_get_institution(institution_uuid))


@router.put(
    "/institutions/{institution_uuid}/profile",
    response={200: ProfileIO, **error_responses(403, 404)},
    summary="Replace needs and expertise",
)
def profile_put(request: ApiRequest, institution_uuid: str, payload: ProfileIO) -> dict[str, Any]:
    # Write access is asked before the input is read, so that a reader's malformed profile answers 403 too.
    institution = get_institution_for_user(request.auth, institution_uuid, write=True)
    areas = {a.code: a for a in HealthArea.objects.all()}
    rows = {
        "needs": [{**n.model_dump(), "area": areas.get(n.area)} for n in payload.needs],
        "expertise": [{**e.model_dump(), "area": areas.get(e.area)} for e in payload.expertise],
    }
    services.profile_update(actor=request.auth, institution=institution, **rows)
    return _profile_out(institution)


@router.get(
    "/programmes/{programme_uuid}/conflicts",
    response={200: list[ConflictOut], **error_responses(404)},
    summary="Declared conflicts of a programme",
)
def conflicts_list(request: ApiRequest, programme_uuid: str) -> list[dict[str, Any]]:
    programme = get_programme_for_staff(request.auth, programme_uuid)
    return [
        {
            "uuid": c.uuid,
            "institution_a": _ref(c.institution_a),
            "institution_b": _ref(c.institution_b),
            "reason": c.reason,
        }
        for c in conflicts_of(programme)
    ]


@router.post(
    "/programmes/{programme_uuid}/conflicts",
    response={201: ConflictOut, **error_responses(403, 404)},
    summary="Declare a conflict",
)
def conflicts_create(request: ApiRequest, programme_uuid: str, payload: ConflictIn) -> Status:
    programme = get_programme_for_staff(request.auth, programme_uuid, write=True)
    a = _institution(request.auth, payload.institution_a, "institution_a")
    b = _institution(request.auth, payload.institution_b, "institution_b")
    c = services.conflict_declare(
        actor=request.auth, programme=programme, institution_a=a, institution_b=b, reason=payload.reason
    )
    return Status(
        201,
        {
            "uuid": c.uuid,
            "institution_a": _ref(c.institution_a),
            "institution_b": _ref(c.institution_b),
            "reason": c.reason,
        },
    )


class TwinQueryIn(Schema):
    side: Side | None = Field(
        None, description="The side the institution usually takes; default: its record."
    )
    south: bool = Field(False, description="South-to-South: candidates from its own side, which it mentors.")
    country: str = Field("", max_length=2)
    type: str = Field("", max_length=30, description="Institution type.")
    language: str = Field("", max_length=3)
    area: str = Field("", max_length=50, description="Health-area code.")
    programme: uuid.UUID | None = Field(
        None, description="A programme you are staff of: its weights, conflicts."
    )
    within: Literal["any", "in", "out"] = "any"
    limit: int = Field(25, ge=1, le=100)
    weight_coverage: int | None = Field(None, ge=0, le=100)
    weight_text: int | None = Field(None, ge=0, le=100)
    weight_mutual: int | None = Field(None, ge=0, le=100)
    weight_type: int | None = Field(None, ge=0, le=100)
    weight_specialties: int | None = Field(None, ge=0, le=100)
    weight_language: int | None = Field(None, ge=0, le=100)
    weight_time_zone: int | None = Field(None, ge=0, le=100)
    weight_capacity: int | None = Field(None, ge=0, le=100)
    weight_prior_ties: int | None = Field(None, ge=0, le=100)


class TwinCandidateOut(Schema):
    institution: Ref
    country: str
    type: str
    score: float
    parts: list[PartOut]
    excluded_by: list[Literal["no_language", "no_capacity", "conflict"]]
    places: int
    partnered: bool = Field(description="Already in an active partnership with the institution.")


class TwinSearchOut(Schema):
    institution: Ref
    role: Side = Field(description="The side the institution is scored on.")
    pool: Side = Field(description="The side candidates come from and are scored on.")
    weights: Weights
    weights_from_round: Ref | None
    considered: int
    acceptable: int
    own_places: int
    ranked: list[TwinCandidateOut]
    excluded: list[TwinCandidateOut]


class TwinStartIn(Input):
    programme: uuid.UUID
    candidate: uuid.UUID
    role: Side = Field(description="The side the institution takes; the candidate takes the other.")
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


class TwinRoundIn(Input):
    round: uuid.UUID
    candidate: uuid.UUID
    role: Side = Field(description="The side the institution takes; the candidate takes the other.")
    reason: str = Field(min_length=1, max_length=MAX_TEXT)


class TwinStartOut(Schema):
    partnership: uuid.UUID
    title: str
    stage: str


def _twin_candidate_out(c: Any) -> dict[str, Any]:
    return {
        "institution": _ref(c.institution),
        "country": c.institution.country,
        "type": c.institution.type,
        "score": round_to(c.score),
        "parts": [_part_out(p) for p in c.parts],
        "excluded_by": c.excluded_by,
        "places": c.places,
        "partnered": c.partnered,
    }


@router.get(
    "/institutions/{institution_uuid}/twins",
    response={200: TwinSearchOut, **error_responses(404)},
    summary="Find a twin for an institution across the directory",
)
def twins_find(request: ApiRequest, institution_uuid: str, params: Query[TwinQueryIn]) -> dict[str, Any]:
    """Candidates ranked by the round's nine-part score with its explanation, and those a hard constraint
    excludes. Facts from partnerships come only from those you may see."""
    institution = _get_institution(institution_uuid)
    programme = None
    if params.programme is not None:
        try:
            programme = get_programme_for_staff(request.auth, params.programme)
        except Http404:
            raise ValidationError({"programme": [_("Unknown programme.")]}) from None
    # A filter naming nothing the directory knows is refused (as on the page), not answered with no candidates.
    known = {
        "country": lambda v: v.upper() in dict(country_choices()),
        "type": lambda v: v in Institution.Type.values,
        "language": lambda v: Language.objects.filter(code=v).exists(),
        "area": lambda v: HealthArea.objects.filter(code=v).exists(),
    }
    unknown = {
        name: [_("Unknown value.")]
        for name, ok in known.items()
        if getattr(params, name) and not ok(getattr(params, name))
    }
    if unknown:
        raise ValidationError(unknown)
    given = {p: v for p in PARTS if (v := getattr(params, f"weight_{p}")) is not None}
    if not weights_valid(programme, given):
        raise ValidationError({"weights": [_("Give at least one part of the score a weight above zero.")]})
    query = TwinQuery(
        side=params.side or usual_side(request.auth, institution),
        south=params.south,
        country=params.country.upper(),
        type=params.type,
        language=params.language,
        area=params.area,
        programme=programme,
        within=params.within,
        weights=given or None,
        limit=params.limit,
    )
    search = twin_search(user=request.auth, institution=institution, query=query)
    return {
        "institution": _ref(institution),
        "role": query.role,
        "pool": query.pool,
        "weights": search.weights,
        "weights_from_round": _ref(search.weights_from),
        "considered": search.considered,
        "acceptable": search.acceptable,
        "own_places": search.own_places,
        "ranked": [_twin_candidate_out(c) for c in search.ranked],
        "excluded": [_twin_candidate_out(c) for c in search.excluded],
    }


@router.post(
    "/institutions/{institution_uuid}/twins/partnership",
    response={201: TwinStartOut, **error_responses(403, 404)},
    summary="Start a partnership with a twin found for an institution",
)
def twins_start(request: ApiRequest, institution_uuid: str, payload: TwinStartIn) -> Status:
    """The partnership starts in the scoping stage with both sides set; the reason is audited."""
    institution = get_institution_for_twinning(request.auth, institution_uuid)
    try:
        programme = get_programme_for_staff(request.auth, payload.programme)
    except Http404:
        raise ValidationError({"programme": [_("Unknown programme.")]}) from None
    candidate = _institution(request.auth, payload.candidate, "candidate")
    partnership = services.twin_partnership_start(
        actor=request.auth,
        programme=programme,
        institution=institution,
        candidate=candidate,
        role=payload.role,
        reason=payload.reason,
    )
    return Status(
        201, {"partnership": partnership.uuid, "title": partnership.title, "stage": partnership.stage}
    )


@router.post(
    "/institutions/{institution_uuid}/twins/round",
    response={201: list[ApplicantOut], **error_responses(403, 404)},
    summary="Add an institution and a twin found for it to an open round",
)
def twins_round_add(request: ApiRequest, institution_uuid: str, payload: TwinRoundIn) -> Status:
    """Each is added on its side with the reason audited; one already in the round on that side stays."""
    institution = get_institution_for_twinning(request.auth, institution_uuid)
    try:
        round = get_round_for_user(request.auth, payload.round)
    except Http404:
        raise ValidationError({"round": [_("Unknown round.")]}) from None
    candidate = _institution(request.auth, payload.candidate, "candidate")
    added = services.twin_round_add(
        actor=request.auth,
        round=round,
        institution=institution,
        candidate=candidate,
        role=payload.role,
        reason=payload.reason,
    )
    return Status(201, added)
