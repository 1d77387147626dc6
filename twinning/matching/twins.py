"""Find a twin for one institution from the whole directory, without a round.

The candidates are scored with the round's engine (`ScoringContext`), one row of the matrix: the institution
against every candidate, vectorised as a round scores its blocks, so the score, its parts and the hard
constraints are those a round with the same institutions and weights would give. Facts that come from
partnerships (places taken, earlier partnerships together, who sits on which side) are read only from the
partnerships the user may see (`accounts.access.twin_facts`), and declared conflicts only for a programme the
user is staff of: a search never shows more than the directory and the user's partnerships already do.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils import timezone

from twinning.accounts.access import can_see_conflicts, twin_facts
from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.directory.models import HealthArea, Institution, InstitutionExpertise, InstitutionNeed
from twinning.directory.selectors import institution_list
from twinning.matching.compute import make_profile
from twinning.matching.engine.scoring import DEFAULT_WEIGHTS, PARTS, Profile, ScoringContext, constraint_names
from twinning.matching.models import DeclaredConflict, MatchingRound
from twinning.matching.selectors import Part, parts_of, without_own_capacity
from twinning.partnerships.models import ENDED_STAGES, PartnershipInstitution, Programme

WITHIN = ("any", "in", "out")
SHOWN = 25
MAX_SHOWN = 5000  # the most candidates a page lists ("show more" adds SHOWN * 4 at a time)


def other_side(side: str) -> str:
    return Side.RESOURCE if side == Side.HOST else Side.HOST


@dataclass
class TwinQuery:
    """What to look for. `side` is the side the institution usually takes; `south` (South-to-South) looks for
    candidates on that same side, the institution mentoring them as the resource side."""

    side: str = Side.HOST
    south: bool = False
    country: str = ""
    type: str = ""
    language: str = ""
    area: str = ""
    programme: Programme | None = None
    within: str = "any"
    weights: dict[str, int] | None = None
    limit: int = SHOWN

    @property
    def role(self) -> str:
        """The side the institution is scored on."""
        return other_side(self.side) if self.south else self.side

    @property
    def pool(self) -> str:
        """The side candidates come from (and are scored on)."""
        return self.side if self.south else other_side(self.side)


@dataclass
class TwinCandidate:
    institution: Institution
    score: float  # 0..100
    rank: int
    parts: list[Part]
    excluded_by: list[str]
    places: int
    partnered: bool  # already in an active partnership with the institution (one the user may see)


@dataclass
class TwinSearch:
    institution: Institution
    query: TwinQuery
    weights: dict[str, int]
    weights_from: MatchingRound | None  # the programme round whose weights are the default, if any
    ranked: list[TwinCandidate]
    excluded: list[TwinCandidate]
    considered: int
    acceptable: int
    excluded_counts: dict[str, int] = field(default_factory=dict)
    own_places: int = 0
    queries: int = 0


def usual_side(user: User, institution: Institution) -> str:
    """The side the institution has taken most often in partnerships the user may see (host when none).

    Raises: nothing.
    """
    sides = Counter(
        PartnershipInstitution.objects.filter(twin_facts(user), institution=institution).values_list(
            "side", flat=True
        )
    )
    return Side.RESOURCE if sides[Side.RESOURCE] > sides[Side.HOST] else Side.HOST


def default_weights(programme: Programme | None) -> tuple[dict[str, int], MatchingRound | None]:
    """The weights a programme uses by default: those of its latest round, else the engine's defaults.

    Raises: nothing.
    """
    if programme is not None:
        latest = MatchingRound.objects.filter(programme=programme).order_by("-created_at", "-id").first()
        if latest is not None:
            return latest.weights, latest
    return dict(DEFAULT_WEIGHTS), None


def weights_valid(programme: Programme | None, given: dict[str, int]) -> bool:
    """Whether changing the programme's default weights by `given` leaves some part of the score above zero.

    Raises: nothing.
    """
    weights, _round = default_weights(programme)
    return any({**weights, **given}.values())


def _candidates(user: User, institution: Institution, query: TwinQuery) -> QuerySet[Institution]:
    links = PartnershipInstitution.objects.filter(twin_facts(user))
    # The pool: institutions seen on the pool's side, or never seen on the other one (new to the programme).
    qs = (
        institution_list(user=user)
        .prefetch_related(None)
        .exclude(pk=institution.pk)
        .filter(
            Q(pk__in=links.filter(side=query.pool).values("institution"))
            | ~Q(pk__in=links.filter(side=other_side(query.pool)).values("institution"))
        )
    )
    if query.country:
        qs = qs.filter(country=query.country)
    if query.type:
        qs = qs.filter(type=query.type)
    if query.language:
        qs = qs.filter(languages__code=query.language)
    if query.area:
        items = "expertise_items" if query.pool == Side.RESOURCE else "need_items"
        qs = qs.filter(**{f"{items}__area__code": query.area})
    if query.programme is not None and query.within != "any":
        members = PartnershipInstitution.objects.filter(partnership__programme=query.programme)
        inside = Q(pk__in=members.values("institution"))
        qs = qs.filter(inside if query.within == "in" else ~inside)
    return qs.distinct()


def _profiles(qs: QuerySet[Institution], taken: Counter[int]) -> tuple[list[int], list[Profile]]:
    """The institutions' ids (by name, then id: a round's order) and profiles, read as plain rows: four
    queries, and no model instance per need or expertise, so a directory of thousands reads in well under
    a second."""
    rows = list(qs.order_by("name", "id").values_list("id", "type", "capacity", "time_zone"))
    chosen = qs.values("pk")
    languages: dict[int, list[str]] = {}
    for inst, code in Institution.languages.through.objects.filter(institution__in=chosen).values_list(
        "institution_id", "language__code"
    ):
        languages.setdefault(inst, []).append(code)
    needs: dict[int, list[tuple[int, int, str]]] = {}
    for inst, *need in (
        InstitutionNeed.objects.filter(institution__in=chosen)
        .order_by("id")
        .values_list("institution_id", "area_id", "priority", "description")
    ):
        needs.setdefault(inst, []).append(tuple(need))  # type: ignore[arg-type]
    expertise: dict[int, list[tuple[int, int, str]]] = {}
    for inst, *item in (
        InstitutionExpertise.objects.filter(institution__in=chosen)
        .order_by("id")
        .values_list("institution_id", "area_id", "depth", "description")
    ):
        expertise.setdefault(inst, []).append(tuple(item))  # type: ignore[arg-type]
    profiles = [
        make_profile(
            key=pk,
            type=type,
            languages=languages.get(pk, []),
            capacity=capacity - taken[pk],
            time_zone=time_zone,
            needs=needs.get(pk, []),
            expertise=expertise.get(pk, []),
        )
        for pk, type, capacity, time_zone in rows
    ]
    return [row[0] for row in rows], profiles


def _taken(user: User) -> Counter[int]:
    """Places taken per institution id: active partnerships (that the user may see) it takes part in."""
    rows = (
        PartnershipInstitution.objects.filter(twin_facts(user))
        .exclude(partnership__stage__in=ENDED_STAGES)
        .values_list("institution_id", flat=True)
    )
    return Counter(rows)


def _ties(user: User, institution: Institution) -> tuple[list[tuple[int, int]], set[int]]:
    """Earlier (ended) partnerships of the institution with others on the opposite side (as the round reads them), and
    the institutions it is in an active partnership with; both from partnerships the user may see."""
    mine = PartnershipInstitution.objects.filter(twin_facts(user), institution=institution)
    links = PartnershipInstitution.objects.filter(partnership__in=mine.values("partnership")).values_list(
        "partnership_id", "institution_id", "side", "partnership__stage"
    )
    by_partnership: dict[int, list[tuple[int, str]]] = {}
    active: set[int] = set()
    for partnership_id, institution_id, side, stage in links:
        if stage not in ENDED_STAGES:
            if institution_id != institution.pk:
                active.add(institution_id)
        else:  # only an ended partnership is an earlier one, as in a round (`compute._prior_ties`)
            by_partnership.setdefault(partnership_id, []).append((institution_id, side))
    ties = []
    for members in by_partnership.values():
        my_sides = {s for i, s in members if i == institution.pk}
        ties += [(institution.pk, i) for i, s in members if i != institution.pk and other_side(s) in my_sides]
    return ties, active


def _conflicts(user: User, institution: Institution, programme: Programme | None) -> list[tuple[int, int]]:
    if programme is None or not can_see_conflicts(user, programme.pk):
        return []
    return list(
        DeclaredConflict.objects.filter(programme=programme)
        .filter(Q(institution_a=institution) | Q(institution_b=institution))
        .values_list("institution_a_id", "institution_b_id")
    )


def twin_search(*, user: User, institution: Institution, query: TwinQuery) -> TwinSearch:
    """Candidates for `institution` from the whole directory, ranked by the round's score with its parts, and
    those a hard constraint excludes, with the constraint.

    `query.weights` (part -> 0..100) change the programme's (`default_weights`) for the parts they name; the
    result must leave some part above zero (`weights_valid`). Candidates
    are scored on `query.pool`'s side and the institution on `query.role`'s; places are the directory's
    capacity less the active partnerships. As on a round's candidate page, the institution's own lack of places
    does not exclude candidates (`own_places` says so). Ranked candidates are cut to `query.limit`; the order
    is the round's: score, then name. A fixed number of queries whatever the directory's size.

    Raises: nothing.
    """
    weights, weights_from = default_weights(query.programme)
    if query.weights:
        weights = {p: int(query.weights.get(p, weights[p])) for p in PARTS}
    taken = _taken(user)
    _me, (own,) = _profiles(Institution.objects.filter(pk=institution.pk), taken)
    ids, profiles = _profiles(_candidates(user, institution, query), taken)
    ties, active = _ties(user, institution)
    hosts, resources = ([own], profiles) if query.role == Side.HOST else (profiles, [own])
    context = ScoringContext(
        hosts,
        resources,
        area_codes=dict(HealthArea.objects.values_list("id", "code")),
        weights=weights,
        ties=ties,
        conflicts=_conflicts(user, institution, query.programme),
        on=timezone.localdate(),
    )
    rows: Any
    cols: Any
    if query.role == Side.HOST:
        rows, cols = np.array([0]), slice(None)
        scores = context.score_block(rows, cols)[0]
        mask = context.constraints(rows, cols)[0]
        pair = lambda k: (0, k)  # noqa: E731
        others_cap = context.r_cap
    else:
        rows, cols = slice(None), np.array([0])
        scores = context.score_block(rows, cols)[:, 0]
        mask = context.constraints(rows, cols)[:, 0]
        pair = lambda k: (k, 0)  # noqa: E731
        others_cap = context.h_cap
    own_places = int(own.capacity)
    if own_places <= 0:
        mask = without_own_capacity(mask, others_cap)
    order = np.lexsort((np.arange(len(ids)), -scores))
    ranked: list[TwinCandidate] = []
    excluded: list[TwinCandidate] = []
    counts: Counter[str] = Counter()
    acceptable = 0
    for k in order:
        k = int(k)
        why = constraint_names(int(mask[k]))
        counts.update(why)
        if not why:
            acceptable += 1
        target = excluded if why else ranked
        if len(target) >= query.limit:
            continue
        target.append(
            TwinCandidate(
                institution=Institution(pk=ids[k]),  # replaced below by the full row
                score=float(scores[k]) * 100,
                rank=acceptable if not why else 0,
                parts=parts_of(context.explain(*pair(k))),
                excluded_by=why,
                places=int(profiles[k].capacity),
                partnered=ids[k] in active,
            )
        )
    shown = Institution.objects.in_bulk([c.institution.pk for c in (*ranked, *excluded)])
    for c in (*ranked, *excluded):
        c.institution = shown[c.institution.pk]
    return TwinSearch(
        institution=institution,
        query=query,
        weights=weights,
        weights_from=weights_from if not query.weights else None,
        ranked=ranked,
        excluded=excluded,
        considered=len(ids),
        acceptable=acceptable,
        excluded_counts=dict(counts),
        own_places=own_places,
    )
