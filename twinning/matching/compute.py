"""Run a round: load profiles, score every pair, compute both assignments and store them with reasons."""

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from twinning.directory.models import HealthArea, Institution, InstitutionExpertise, InstitutionNeed
from twinning.matching.engine.assign import optimal_assignment, stable_assignment
from twinning.matching.engine.scoring import (
    CONFLICT,
    NO_CAPACITY,
    NO_LANGUAGE,
    Profile,
    ScoringContext,
)
from twinning.matching.models import (
    DeclaredConflict,
    MatchDecision,
    MatchingJob,
    MatchingRound,
    ProposedPair,
    RoundApplicant,
    UnmatchedApplicant,
)
from twinning.partnerships.models import ENDED_STAGES, PartnershipInstitution

logger = logging.getLogger(__name__)
PROVE_OPTIMAL_PAIRS = 250_000


def places_taken(round: MatchingRound) -> Counter[int]:
    """Places already used by decisions that paired two applicants, per applicant id."""
    used: Counter[int] = Counter()
    for host_id, resource_id in MatchDecision.objects.filter(round=round, resource__isnull=False).values_list(
        "host_id", "resource_id"
    ):
        used[host_id] += 1
        used[resource_id] += 1
    return used


def _applicants(round: MatchingRound) -> tuple[list[RoundApplicant], list[RoundApplicant]]:
    applicants = list(
        RoundApplicant.objects.filter(round=round)
        .select_related("institution")
        .prefetch_related(
            "institution__languages",
            Prefetch("institution__need_items", queryset=InstitutionNeed.objects.order_by("id")),
            Prefetch("institution__expertise_items", queryset=InstitutionExpertise.objects.order_by("id")),
        )
        .order_by("institution__name", "id")
    )
    return [a for a in applicants if a.side == "host"], [a for a in applicants if a.side == "resource"]


def _profile(applicant: RoundApplicant, used: Counter[int]) -> Profile:
    return institution_profile(applicant.institution, applicant.capacity - used[applicant.pk])


def institution_profile(inst: Institution, capacity: int) -> Profile:
    """What the scoring reads of one institution (its languages, needs and expertise prefetched), with the
    places it has left (below zero counts as none): see `make_profile`."""
    return make_profile(
        key=inst.pk,
        type=inst.type,
        languages=[lang.code for lang in inst.languages.all()],
        capacity=capacity,
        time_zone=inst.time_zone,
        needs=[(n.area_id, n.priority, n.description) for n in inst.need_items.all()],
        expertise=[(e.area_id, e.depth, e.description) for e in inst.expertise_items.all()],
    )


def make_profile(
    *,
    key: int,
    type: str,
    languages: Iterable[str],
    capacity: int,
    time_zone: str,
    needs: Sequence[tuple[int, int, str]],
    expertise: Sequence[tuple[int, int, str]],
) -> Profile:
    """One institution's profile for the scoring, from its needs (area id, priority 1..3, description) and
    expertise (area id, depth 1..3, description) in the order of their ids, and the places it has left (below
    zero counts as none). A round's applicant and a directory search both go through here, so a score is read
    the same way in both."""
    return Profile(
        key=key,
        type=type,
        languages=frozenset(languages),
        capacity=max(0, capacity),
        time_zone=time_zone,
        needs={area: level for area, level, _text in needs},
        expertise={area: level for area, level, _text in expertise},
        need_text=" ".join(text for _area, _level, text in needs),
        expertise_text=" ".join(text for _area, _level, text in expertise),
    )


def _prior_ties(institution_ids: Sequence[int]) -> list[tuple[int, int]]:
    """(host, resource) institution pairs that sat on opposite sides of some earlier partnership: one that has
    ended (`partnerships.models.ENDED_STAGES`); an active partnership is not an earlier one."""
    links = (
        PartnershipInstitution.objects.filter(institution_id__in=institution_ids)
        .filter(partnership__stage__in=ENDED_STAGES)
        .values_list("partnership_id", "institution_id", "side")
    )
    by_partnership: dict[int, dict[str, list[int]]] = {}
    for partnership_id, institution_id, side in links:
        by_partnership.setdefault(partnership_id, {}).setdefault(side, []).append(institution_id)
    return [
        (h, r)
        for sides in by_partnership.values()
        for h in sides.get("host", [])
        for r in sides.get("resource", [])
    ]


def _conflicts(round: MatchingRound) -> list[tuple[int, int]]:
    return list(
        DeclaredConflict.objects.filter(programme_id=round.programme_id).values_list(
            "institution_a_id", "institution_b_id"
        )
    )


def round_context(round: MatchingRound) -> tuple[ScoringContext, list[RoundApplicant], list[RoundApplicant]]:
    """The scoring context of a round, with its host and resource applicants in matrix order."""
    hosts, resources = _applicants(round)
    used = places_taken(round)
    ids = [a.institution_id for a in (*hosts, *resources)]
    context = ScoringContext(
        [_profile(a, used) for a in hosts],
        [_profile(a, used) for a in resources],
        area_codes=dict(HealthArea.objects.values_list("id", "code")),
        weights=round.weights,
        ties=_prior_ties(ids),
        conflicts=_conflicts(round),
        on=timezone.localdate(),
    )
    return context, hosts, resources


def explain(context: ScoringContext, i: int, j: int) -> dict[str, Any]:
    return {name: {k: round(v, 4) for k, v in part.items()} for name, part in context.explain(i, j).items()}


def _points(value: float) -> Decimal:
    return Decimal(str(round(float(value) * 100, 2)))


def _unmatched_reason(mask_line: np.ndarray, capacity: int, method: str) -> tuple[str, dict[str, Any]]:
    if capacity <= 0:
        return UnmatchedApplicant.Reason.NO_PLACES, {}
    acceptable = int((mask_line == 0).sum())
    if acceptable == 0:
        counts = {
            name: int(((mask_line & bit) > 0).sum())
            for bit, name in (
                (NO_LANGUAGE, "no_language"),
                (NO_CAPACITY, "no_capacity"),
                (CONFLICT, "conflict"),
            )
        }
        return UnmatchedApplicant.Reason.NO_ACCEPTABLE, {"excluded": counts}
    reason = (
        UnmatchedApplicant.Reason.OUTSCORED
        if method == "optimal"
        else UnmatchedApplicant.Reason.PREFERRED_OTHERS
    )
    return reason, {"acceptable": acceptable}


def compute_round(round: MatchingRound, *, progress: Callable[[int, str], None] | None = None) -> None:
    """Score the round, compute both assignments and replace the stored results in one transaction."""

    def report(percent: int, stage: str) -> None:
        if progress:
            progress(percent, stage)

    report(5, "profiles")
    context, hosts, resources = round_context(round)
    report(15, "scores")
    scores, mask = context.matrix(progress=lambda f: report(15 + int(35 * f), "scores"))
    allowed = mask == 0
    report(50, "optimal")
    optimal = optimal_assignment(
        scores,
        allowed,
        context.h_cap,
        context.r_cap,
        top_k=round.top_k,
        # Large rounds keep each institution's best candidates only (see bench/matching.py for the cost).
        exact=scores.size <= PROVE_OPTIMAL_PAIRS,
        progress=lambda f: report(50 + int(30 * f), "optimal"),
    )
    report(80, "stable")
    stable = stable_assignment(scores, allowed, context.h_cap, context.r_cap)
    report(90, "saving")
    pairs = _proposed_pairs(round, context, hosts, resources, scores, optimal, stable)
    unmatched = [
        *_unmatched(round, "optimal", optimal, context, hosts, resources, mask),
        *_unmatched(round, "stable", stable, context, hosts, resources, mask),
    ]
    with transaction.atomic():
        ProposedPair.objects.filter(round=round).delete()
        UnmatchedApplicant.objects.filter(round=round).delete()
        ProposedPair.objects.bulk_create(pairs, batch_size=1000)
        UnmatchedApplicant.objects.bulk_create(unmatched, batch_size=1000)
        MatchingRound.objects.filter(pk=round.pk).update(
            status=MatchingRound.Status.COMPUTED,
            computed_at=timezone.now(),
            optimal_total=sum((p.score for p in pairs if p.in_optimal), Decimal("0")),
            stable_total=sum((p.score for p in pairs if p.in_stable), Decimal("0")),
        )


def _proposed_pairs(
    round: MatchingRound,
    context: ScoringContext,
    hosts: list[RoundApplicant],
    resources: list[RoundApplicant],
    scores: np.ndarray,
    optimal: list[tuple[int, int]],
    stable: list[tuple[int, int]],
) -> list[ProposedPair]:
    """Every pair in either assignment, once, with its score explained and which assignments hold it."""
    in_optimal, in_stable = set(optimal), set(stable)
    return [
        ProposedPair(
            round=round,
            host=hosts[i],
            resource=resources[j],
            score=_points(scores[i, j]),
            parts=explain(context, i, j),
            in_optimal=(i, j) in in_optimal,
            in_stable=(i, j) in in_stable,
        )
        for i, j in sorted(in_optimal | in_stable)
    ]


def _unmatched(
    round: MatchingRound,
    method: str,
    chosen: list[tuple[int, int]],
    context: ScoringContext,
    hosts: list[RoundApplicant],
    resources: list[RoundApplicant],
    mask: np.ndarray,
) -> list[UnmatchedApplicant]:
    """The hosts, then the resources, that one assignment left without a twin, each with the reason."""
    got_h = {i for i, _ in chosen}
    got_r = {j for _, j in chosen}
    unmatched = []
    for i, applicant in enumerate(hosts):
        if i not in got_h:
            reason, detail = _unmatched_reason(mask[i], int(context.h_cap[i]), method)
            unmatched.append(
                UnmatchedApplicant(
                    round=round, applicant=applicant, method=method, reason=reason, detail=detail
                )
            )
    for j, applicant in enumerate(resources):
        if j not in got_r:
            reason, detail = _unmatched_reason(mask[:, j], int(context.r_cap[j]), method)
            unmatched.append(
                UnmatchedApplicant(
                    round=round, applicant=applicant, method=method, reason=reason, detail=detail
                )
            )
    return unmatched


def job_execute(job_id: int) -> None:
    """Run one queued job, writing its progress as it goes; a failure is recorded on the job, not raised."""
    job = (
        MatchingJob.objects.select_related("round")
        .filter(pk=job_id, status=MatchingJob.Status.QUEUED)
        .first()
    )
    if job is None:
        return
    started = time.perf_counter()
    MatchingJob.objects.filter(pk=job.pk).update(status=MatchingJob.Status.RUNNING, started_at=timezone.now())

    def progress(percent: int, stage: str) -> None:
        MatchingJob.objects.filter(pk=job.pk).update(progress=percent, stage=stage)

    try:
        compute_round(job.round, progress=progress)
    except Exception as exc:  # recorded for the page; the worker must go on with other jobs
        MatchingJob.objects.filter(pk=job.pk).update(
            status=MatchingJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        MatchingRound.objects.filter(pk=job.round_id).update(status=MatchingRound.Status.OPEN)
        logger.exception("Matching job %s failed", job.pk)
        return
    MatchingJob.objects.filter(pk=job.pk).update(
        status=MatchingJob.Status.DONE,
        progress=100,
        stage="done",
        finished_at=timezone.now(),
        seconds=time.perf_counter() - started,
    )
