"""Reads for matching, always starting from what the user may see (rounds: their programme's staff)."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from twinning.accounts.access import (
    can_start_twinning,
    in_staff_programmes,
    require,
    require_programme_editor,
)
from twinning.accounts.models import User
from twinning.core.ids import parse_uuid
from twinning.directory.models import Institution
from twinning.directory.selectors import get_institution_for_user
from twinning.matching.engine.scoring import NO_CAPACITY, PARTS, constraint_names
from twinning.matching.models import (
    DeclaredConflict,
    MatchDecision,
    MatchingJob,
    MatchingRound,
    ProposedPair,
    RoundApplicant,
    UnmatchedApplicant,
)
from twinning.partnerships.models import Programme


def get_round_for_user(user: User, round_uuid: Any, *, write: bool = False) -> MatchingRound:
    """The round if the user is staff of its programme (404 otherwise); write=True needs an editor (403).

    Raises: Http404, PermissionDenied.
    """
    round = (
        MatchingRound.objects.visible_to(user)
        .select_related("programme")
        .filter(uuid=parse_uuid(round_uuid))
        .first()
    )
    if round is None:
        raise Http404
    if write:
        require_programme_editor(user, round.programme_id)
    return round


def get_institution_for_twinning(user: User, institution_uuid: Any) -> Institution:
    """An institution of the directory (Http404 otherwise) to act on a twin search found for it: starting a
    partnership, adding both to a round. PermissionDenied unless the user edits some programme
    (`can_start_twinning` with no programme): the floor asked before the request's input is read; which
    programme or round it names is the services' to check.

    Raises: Http404, PermissionDenied.
    """
    institution = get_institution_for_user(user, institution_uuid)
    require(can_start_twinning(user))
    return institution


def round_list(*, user: User, programme: Programme | None = None) -> QuerySet[MatchingRound]:
    """Matching rounds the user may see (of one programme), newest first, with host and resource counts.

    Raises: nothing.
    """
    qs = MatchingRound.objects.visible_to(user).select_related("programme")
    if programme is not None:
        qs = qs.filter(programme=programme)
    return qs.annotate(
        hosts=Count("applicants", filter=Q(applicants__side="host"), distinct=True),
        resources=Count("applicants", filter=Q(applicants__side="resource"), distinct=True),
    ).order_by("-created_at", "-id")


def get_applicant(round: MatchingRound, applicant_uuid: Any) -> RoundApplicant:
    """An applicant of this round by UUID (the caller has checked access to the round).

    Raises: Http404.
    """
    applicant = (
        RoundApplicant.objects.filter(round=round, uuid=parse_uuid(applicant_uuid))
        .select_related("institution", "round__programme")
        .first()
    )
    if applicant is None:
        raise Http404
    return applicant


def get_conflict_for_user(user: User, conflict_uuid: Any) -> DeclaredConflict:
    """A declared conflict in a programme the user is staff of, with its programme; Http404 otherwise.

    Raises: Http404.
    """
    conflict = (
        DeclaredConflict.objects.filter(in_staff_programmes(user), uuid=parse_uuid(conflict_uuid))
        .select_related("programme")
        .first()
    )
    if conflict is None:
        raise Http404
    return conflict


def applicants_of(round: MatchingRound) -> QuerySet[RoundApplicant]:
    """A round's applicants, hosts first, by institution name.

    Raises: nothing.
    """
    return (
        RoundApplicant.objects.filter(round=round)
        .select_related("institution")
        .order_by("side", "institution__name")
    )


def latest_job(round: MatchingRound) -> MatchingJob | None:
    """The round's most recent computation job, or None.

    Raises: nothing.
    """
    return MatchingJob.objects.filter(round=round).order_by("-created_at", "-id").first()


def conflicts_of(programme: Programme) -> QuerySet[DeclaredConflict]:
    """The conflicts of interest declared in a programme.

    Raises: nothing.
    """
    return DeclaredConflict.objects.filter(programme=programme).select_related(
        "institution_a", "institution_b", "declared_by"
    )


def pair_constraints(round: MatchingRound, host: RoundApplicant, resource: RoundApplicant) -> list[str]:
    """Hard constraints (other than places, counted by decisions) that exclude a pair.

    Raises: nothing.
    """
    broken = []
    host_langs = set(host.institution.languages.values_list("pk", flat=True))
    if not host_langs & set(resource.institution.languages.values_list("pk", flat=True)):
        broken.append("no_language")
    a, b = sorted((host.institution_id, resource.institution_id))
    if DeclaredConflict.objects.filter(
        programme_id=round.programme_id, institution_a_id=a, institution_b_id=b
    ).exists():
        broken.append("conflict")
    return broken


def without_own_capacity(mask: np.ndarray, others_cap: np.ndarray) -> np.ndarray:
    """One row of a constraint mask with the "no places" bit kept only where the candidate itself has none:
    an institution's own lack of places says nothing about its candidates, which stay ranked.

    Raises: nothing.
    """
    own = np.where(others_cap <= 0, NO_CAPACITY, 0).astype(np.uint8)
    return (mask & ~np.uint8(NO_CAPACITY)) | own


@dataclass
class Part:
    name: str
    value: float
    weight: float
    points: float


@dataclass
class Candidate:
    applicant: RoundApplicant
    score: float
    parts: list[Part]
    excluded_by: list[str]


def parts_of(stored: dict[str, dict[str, float]]) -> list[Part]:
    """The stored explanation of a pair's score as parts (value, weight, points), in the scoring's order.

    Raises: nothing.
    """
    return [
        Part(name, stored[name]["value"], stored[name]["weight"], stored[name]["points"])
        for name in PARTS
        if name in stored
    ]


def recommendations(
    round: MatchingRound, applicant: RoundApplicant
) -> tuple[list[Candidate], list[Candidate]]:
    """Candidates on the other side of the round, ranked by score, and those a hard constraint excludes.

    Scored with the whole round's context, so the figures are those the assignments used. Once decisions
    have taken all of the applicant's own places, candidates are still ranked and only a candidate's own
    lack of places excludes it (the applicant's decisions are shown beside them, see `applicant_decisions`).

    Raises: nothing.
    """
    from twinning.matching.compute import round_context

    context, hosts, resources = round_context(round)
    rows: Any
    cols: Any
    if applicant.side == "host":
        i = next(k for k, a in enumerate(hosts) if a.pk == applicant.pk)
        rows, cols, others = np.array([i]), slice(None), resources
        scores = context.score_block(rows, cols)[0]
        mask = context.constraints(rows, cols)[0]
        pair = lambda k: (i, k)  # noqa: E731
    else:
        j = next(k for k, a in enumerate(resources) if a.pk == applicant.pk)
        rows, cols, others = slice(None), np.array([j]), hosts
        scores = context.score_block(rows, cols)[:, 0]
        mask = context.constraints(rows, cols)[:, 0]
        pair = lambda k: (k, j)  # noqa: E731
    own_cap, others_cap = (
        (context.h_cap[rows][0], context.r_cap)
        if applicant.side == "host"
        else (context.r_cap[cols][0], context.h_cap)
    )
    if own_cap <= 0:
        # The applicant's own places are all taken by decisions: the page shows them instead of "no acceptable
        # candidate".
        mask = without_own_capacity(mask, others_cap)
    ranked: list[Candidate] = []
    excluded: list[Candidate] = []
    for k in np.lexsort((np.arange(len(others)), -scores)):
        explained = context.explain(*pair(int(k)))
        candidate = Candidate(
            applicant=others[int(k)],
            score=float(scores[k]) * 100,
            parts=parts_of(explained),
            excluded_by=constraint_names(int(mask[k])),
        )
        (excluded if candidate.excluded_by else ranked).append(candidate)
    return ranked, excluded


@dataclass
class Results:
    optimal: list[ProposedPair]
    stable: list[ProposedPair]
    unmatched_optimal: list[UnmatchedApplicant]
    unmatched_stable: list[UnmatchedApplicant]
    decisions: list[MatchDecision]
    decided_pairs: set[tuple[int, int]]
    decided_hosts: dict[int, MatchDecision]
    optimal_total: Decimal
    stable_total: Decimal
    both: int


def round_results(round: MatchingRound) -> Results:
    """Both assignments, the unmatched with reasons, and the decisions: a fixed number of queries.

    Raises: nothing.
    """
    pairs = list(
        ProposedPair.objects.filter(round=round)
        .select_related("host__institution", "resource__institution")
        .order_by("host__institution__name", "-score", "resource__institution__name")
    )
    unmatched = list(UnmatchedApplicant.objects.filter(round=round).select_related("applicant__institution"))
    decisions = round_results_decisions(round)
    decided_pairs = {(d.host_id, d.proposed_resource_id or 0) for d in decisions} | {
        (d.host_id, d.resource_id or 0) for d in decisions
    }
    return Results(
        optimal=[p for p in pairs if p.in_optimal],
        stable=[p for p in pairs if p.in_stable],
        unmatched_optimal=[u for u in unmatched if u.method == "optimal"],
        unmatched_stable=[u for u in unmatched if u.method == "stable"],
        decisions=decisions,
        decided_pairs=decided_pairs,
        decided_hosts={d.host_id: d for d in decisions},
        optimal_total=round.optimal_total or Decimal("0"),
        stable_total=round.stable_total or Decimal("0"),
        both=sum(1 for p in pairs if p.in_optimal and p.in_stable),
    )


def applicant_decisions(round: MatchingRound, applicant: RoundApplicant) -> list[MatchDecision]:
    """The decisions that name an applicant (as host, twin or proposed twin), newest first.

    Raises: nothing.
    """
    return list(
        MatchDecision.objects.filter(round=round)
        .filter(Q(host=applicant) | Q(resource=applicant) | Q(proposed_resource=applicant))
        .select_related(
            "host__institution", "resource__institution", "proposed_resource__institution", "partnership"
        )
        .order_by("-created_at", "-id")
    )


PAIR_SHOW = ("all", "open", "decided")
PAIR_METHODS = ("all", "optimal", "stable", "both")


def round_pairs(
    round: MatchingRound,
    *,
    q: str = "",
    show: str = "all",
    method: str = "all",
    keep: tuple[int, int] | None = None,
) -> QuerySet[ProposedPair]:
    """The round's proposed pairs, each once, by host name then best score, filtered for working through them.

    q: part of the host's or the resource's name; show: "all", "open" (no decision on the pair yet) or
    "decided"; method: "all", "optimal", "stable" or "both" (in both assignments). `keep` is a (host applicant
    id, resource applicant id) pair kept whatever the filters say, so a pair just decided stays where it was.
    Each pair carries `decided` (bool). Unknown show or method values count as "all".

    Raises: nothing.
    """
    decided = MatchDecision.objects.filter(round=round, host=OuterRef("host")).filter(
        Q(proposed_resource=OuterRef("resource")) | Q(resource=OuterRef("resource"))
    )
    qs = ProposedPair.objects.filter(round=round).annotate(decided=Exists(decided))
    wanted = Q()
    if q:
        wanted &= Q(host__institution__name__icontains=q) | Q(resource__institution__name__icontains=q)
    if show == "open":
        wanted &= Q(decided=False)
    elif show == "decided":
        wanted &= Q(decided=True)
    if method == "optimal":
        wanted &= Q(in_optimal=True)
    elif method == "stable":
        wanted &= Q(in_stable=True)
    elif method == "both":
        wanted &= Q(in_optimal=True, in_stable=True)
    if keep is not None:
        wanted |= Q(host_id=keep[0], resource_id=keep[1])
    return (
        qs.filter(wanted)
        .select_related("host__institution", "resource__institution")
        .order_by("host__institution__name", "-score", "resource__institution__name", "id")
    )


@dataclass
class Overview:
    unmatched_optimal: list[UnmatchedApplicant]
    unmatched_stable: list[UnmatchedApplicant]
    decisions: list[MatchDecision]
    optimal_total: Decimal
    stable_total: Decimal
    optimal_count: int
    stable_count: int
    both: int
    pair_count: int


def round_overview(round: MatchingRound) -> Overview:
    """What the round page shows above its list of pairs: totals and counts of both assignments, the unmatched
    with reasons and the decisions; a fixed number of queries whatever the round's size.

    Raises: nothing.
    """
    counts = ProposedPair.objects.filter(round=round).aggregate(
        optimal=Count("pk", filter=Q(in_optimal=True)),
        stable=Count("pk", filter=Q(in_stable=True)),
        both=Count("pk", filter=Q(in_optimal=True, in_stable=True)),
        pairs=Count("pk"),
    )
    unmatched = list(
        UnmatchedApplicant.objects.filter(round=round)
        .select_related("applicant__institution")
        .order_by("method", "applicant__side", "applicant__institution__name", "id")
    )
    results = round_results_decisions(round)
    return Overview(
        unmatched_optimal=[u for u in unmatched if u.method == "optimal"],
        unmatched_stable=[u for u in unmatched if u.method == "stable"],
        decisions=results,
        optimal_total=round.optimal_total or Decimal("0"),
        stable_total=round.stable_total or Decimal("0"),
        optimal_count=counts["optimal"],
        stable_count=counts["stable"],
        both=counts["both"],
        pair_count=counts["pairs"],
    )


def round_results_decisions(round: MatchingRound) -> list[MatchDecision]:
    """A round's decisions with both sides, the proposal, the partnership and who decided, newest first.

    Raises: nothing.
    """
    return list(
        MatchDecision.objects.filter(round=round)
        .select_related(
            "host__institution",
            "resource__institution",
            "proposed_resource__institution",
            "partnership",
            "decided_by",
        )
        .order_by("-created_at", "-id")
    )


def proposed_for(round: MatchingRound, host: RoundApplicant) -> list[ProposedPair]:
    """The pairs either assignment proposed for a host, best score first, with the resources' institutions.

    Raises: nothing.
    """
    return list(
        ProposedPair.objects.filter(round=round, host=host)
        .select_related("resource__institution")
        .order_by("-score", "resource__institution__name")
    )


def open_rounds(programme: Programme) -> QuerySet[MatchingRound]:
    """A programme's rounds that still take applicants, newest first.

    Raises: nothing.
    """
    return (
        MatchingRound.objects.filter(programme=programme)
        .exclude(status=MatchingRound.Status.CLOSED)
        .order_by("-created_at", "-id")
    )
