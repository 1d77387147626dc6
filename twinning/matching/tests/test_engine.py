"""The assignment algorithms against brute force and the stability definition, on random instances."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from twinning.matching.engine.assign import (
    Pairs,
    candidate_pairs,
    optimal_assignment,
    stable_assignment,
    total,
)
from twinning.matching.engine.scoring import NO_LANGUAGE, Profile, ScoringContext


def blocking_pairs(
    scores: np.ndarray, allowed: np.ndarray, cap_h: np.ndarray, cap_r: np.ndarray, pairs: Pairs
) -> Pairs:
    """The stability definition: allowed unmatched pairs where both sides would rather have each other."""
    n, m = scores.shape
    of_h: list[list[int]] = [[] for _ in range(n)]
    of_r: list[list[int]] = [[] for _ in range(m)]
    for i, j in pairs:
        of_h[i].append(j)
        of_r[j].append(i)
    matched = set(pairs)

    def host_wants(i: int, j: int) -> bool:
        if len(of_h[i]) < cap_h[i]:
            return True
        worst = min(of_h[i], key=lambda k: (scores[i, k], -k))
        return (scores[i, j], -j) > (scores[i, worst], -worst)

    def resource_wants(j: int, i: int) -> bool:
        if len(of_r[j]) < cap_r[j]:
            return True
        worst = min(of_r[j], key=lambda k: (scores[k, j], -k))
        return (scores[i, j], -i) > (scores[worst, j], -worst)

    return [
        (i, j)
        for i in range(n)
        for j in range(m)
        if allowed[i, j]
        and (i, j) not in matched
        and cap_h[i] > 0
        and cap_r[j] > 0
        and host_wants(i, j)
        and resource_wants(j, i)
    ]


@st.composite
def instances(draw, max_hosts=4, max_resources=4, max_cap=3):
    n = draw(st.integers(1, max_hosts))
    m = draw(st.integers(1, max_resources))
    # Scores from a small grid, so ties (which the tie-breaking must handle) are common.
    scores = (
        np.array(draw(st.lists(st.integers(0, 8), min_size=n * m, max_size=n * m)), dtype=np.float32).reshape(
            n, m
        )
        / 8
    )
    allowed = np.array(draw(st.lists(st.booleans(), min_size=n * m, max_size=n * m))).reshape(n, m)
    cap_h = np.array(draw(st.lists(st.integers(0, max_cap), min_size=n, max_size=n)))
    cap_r = np.array(draw(st.lists(st.integers(0, max_cap), min_size=m, max_size=m)))
    return scores, allowed, cap_h, cap_r


def brute_force_optimum(scores, allowed, cap_h, cap_r) -> float:
    edges = [
        (i, j) for i, j in itertools.product(range(scores.shape[0]), range(scores.shape[1])) if allowed[i, j]
    ]
    best = 0.0
    for chosen in itertools.product((0, 1), repeat=len(edges)):
        pairs = [e for e, c in zip(edges, chosen, strict=True) if c]
        if within_capacity(pairs, cap_h, cap_r):
            best = max(best, total(scores, pairs))
    return best


def within_capacity(pairs, cap_h, cap_r) -> bool:
    hosts = np.bincount([i for i, _ in pairs], minlength=len(cap_h)) if pairs else np.zeros(len(cap_h))
    resources = np.bincount([j for _, j in pairs], minlength=len(cap_r)) if pairs else np.zeros(len(cap_r))
    return bool((hosts <= cap_h).all() and (resources <= cap_r).all())


@settings(max_examples=150, deadline=None)
@given(instances(max_hosts=3, max_resources=4))
def test_optimal_equals_brute_force_optimum(instance):
    scores, allowed, cap_h, cap_r = instance
    pairs = optimal_assignment(scores, allowed, cap_h, cap_r, top_k=1)
    assert abs(total(scores, pairs) - brute_force_optimum(scores, allowed, cap_h, cap_r)) < 1e-5
    assert within_capacity(pairs, cap_h, cap_r)
    assert all(allowed[i, j] for i, j in pairs)
    assert len(set(pairs)) == len(pairs)


@settings(max_examples=300, deadline=None)
@given(instances(max_hosts=7, max_resources=7))
def test_stable_has_no_blocking_pair_and_respects_capacities(instance):
    scores, allowed, cap_h, cap_r = instance
    pairs = stable_assignment(scores, allowed, cap_h, cap_r, head=2)
    assert blocking_pairs(scores, allowed, cap_h, cap_r, pairs) == []
    assert within_capacity(pairs, cap_h, cap_r)
    assert all(allowed[i, j] for i, j in pairs)
    assert len(set(pairs)) == len(pairs)


@settings(max_examples=60, deadline=None)
@given(instances(max_hosts=12, max_resources=12, max_cap=2))
def test_pruned_optimal_is_never_better_than_exact_and_both_fit(instance):
    scores, allowed, cap_h, cap_r = instance
    exact = optimal_assignment(scores, allowed, cap_h, cap_r, top_k=2)
    pruned = optimal_assignment(scores, allowed, cap_h, cap_r, top_k=2, exact=False)
    assert total(scores, pruned) <= total(scores, exact) + 1e-5
    assert within_capacity(exact, cap_h, cap_r) and within_capacity(pruned, cap_h, cap_r)


def test_blocking_pair_check_can_fail():
    scores = np.array([[1.0, 0.5], [0.5, 1.0]], dtype=np.float32)
    allowed = np.ones((2, 2), dtype=bool)
    caps = np.array([1, 1])
    assert blocking_pairs(scores, allowed, caps, caps, [(0, 1), (1, 0)]) == [(0, 0), (1, 1)]


def test_language_and_capacity_exclude_and_scores_explain_themselves():
    hosts = [
        Profile(
            key=1,
            type="hospital",
            languages=frozenset({"en"}),
            capacity=1,
            time_zone="Africa/Kampala",
            needs={10: 3},
            need_text="neonatal resuscitation training",
        ),
        Profile(key=2, type="hospital", languages=frozenset({"fr"}), capacity=1, needs={10: 3}),
    ]
    resources = [
        Profile(
            key=3,
            type="hospital",
            languages=frozenset({"en"}),
            capacity=2,
            time_zone="Europe/London",
            expertise={10: 3},
            expertise_text="neonatal resuscitation courses",
        ),
        Profile(key=4, type="university", languages=frozenset({"en"}), capacity=0, expertise={11: 1}),
    ]
    ctx = ScoringContext(hosts, resources, area_codes={10: "maternal-newborn", 11: "ncd"}, ties=[(1, 3)])
    scores, mask = ctx.matrix()
    assert mask[1, 0] & NO_LANGUAGE
    assert mask[0, 1] != 0  # no places left
    explained = ctx.explain(0, 0)
    assert explained["coverage"]["value"] == 1.0
    assert explained["prior_ties"]["value"] == 1.0
    assert explained["text"]["value"] > 0
    assert abs(sum(p["points"] for p in explained.values()) - scores[0, 0] * 100) < 1e-3


@settings(max_examples=80, deadline=None)
@given(instances(max_hosts=3, max_resources=4))
def test_sparse_matching_with_every_candidate_equals_brute_force(instance):
    scores, allowed, cap_h, cap_r = instance
    pairs = optimal_assignment(scores, allowed, cap_h, cap_r, top_k=4, exact=False, solver="matching")
    assert abs(total(scores, pairs) - brute_force_optimum(scores, allowed, cap_h, cap_r)) < 1e-5
    assert within_capacity(pairs, cap_h, cap_r)
    assert all(allowed[i, j] for i, j in pairs)


@settings(max_examples=60, deadline=None)
@given(instances(max_hosts=12, max_resources=12, max_cap=3), st.integers(1, 12))
def test_sparse_matching_equals_the_linear_programme_on_the_same_candidates(instance, top_k):
    # Both capacities above one on many pairs: the pair gadget must stop a pair being chosen twice.
    scores, allowed, cap_h, cap_r = instance
    lp = optimal_assignment(scores, allowed, cap_h, cap_r, top_k=top_k, exact=False, solver="lp")
    matching = optimal_assignment(
        scores, allowed, cap_h, cap_r, top_k=top_k, exact=False, solver="matching", resolution=0
    )
    assert abs(total(scores, matching) - total(scores, lp)) < 1e-5
    assert within_capacity(matching, cap_h, cap_r)
    assert len(set(matching)) == len(matching)


def test_sampled_candidates_on_a_large_matrix_are_each_rows_and_columns_best():
    rng = np.random.default_rng(3)
    scores = rng.random((2100, 2200)).astype(np.float32)
    allowed = rng.random((2100, 2200)) < 0.5
    hosts, resources = candidate_pairs(scores, allowed, 7)
    effective = np.where(allowed, scores, -1)
    got = set(zip(hosts.tolist(), resources.tolist(), strict=True))
    for i in (0, 999, 2099):
        assert {(i, int(j)) for j in np.argsort(-effective[i])[:7]} <= got
    for j in (0, 1500, 2199):
        assert {(int(i), j) for i in np.argsort(-effective[:, j])[:7]} <= got
    assert all(allowed[i, j] for i, j in got)
