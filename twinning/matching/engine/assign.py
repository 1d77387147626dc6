"""Two assignments of hosts to resources within capacities, on a score matrix and an "allowed" mask.

- `optimal_assignment`: the largest total score. On a small round every allowed pair, on a large one each
  host's and each resource's top candidates, go to a sparse minimum-cost full matching (scipy's LAPJVsp) after
  places are expanded into slots, with a dummy per host slot so anyone may stay unmatched. Where a proof of
  optimality over all pairs of a large round is wanted, the b-matching is solved as a linear programme (its
  constraint matrix is totally unimodular, so a basic solution is whole) and the edge set grown by pricing
  every other pair against the duals until no pair could raise the total.
- `stable_assignment`: host-proposing deferred acceptance with capacities on both sides; preferences follow
  the scores, ties broken by position so every preference is strict. No host and resource would both rather
  be together than with (one of) what they got.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

Pairs = list[tuple[int, int]]
FORBIDDEN = -1.0
PRICE_TOLERANCE = 1e-7
DENSE_PAIRS = 250_000
THRESHOLD_SAMPLE = 512
SCAN_ROWS = 128
# The pruned solve ranks scores to the whole point (of 100): far fewer distinct path lengths for the
# shortest-path search, for a loss of well under 0.1 % of the total on realistic rounds (bench/matching.py).
PRUNED_RESOLUTION = 0.01


def _solve_lp(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, cap_h: np.ndarray, cap_r: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, m, k = len(cap_h), len(cap_r), len(weights)
    if k == 0:
        return np.zeros(0, dtype=bool), np.zeros(n), np.zeros(m)
    index = np.arange(k)
    a_ub = sparse.vstack(
        [
            sparse.csr_matrix((np.ones(k), (rows, index)), shape=(n, k)),
            sparse.csr_matrix((np.ones(k), (cols, index)), shape=(m, k)),
        ]
    ).tocsc()
    b_ub = np.concatenate([cap_h, cap_r]).astype(float)
    # Dual simplex returns a basic (vertex) solution, which total unimodularity makes whole.
    result = linprog(-weights, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs-ds")
    if result.status != 0:  # pragma: no cover - a bounded feasible LP always solves
        raise RuntimeError(f"Assignment LP failed: {result.message}")
    duals = -np.asarray(result.ineqlin.marginals)
    return result.x > 0.5, duals[:n], duals[n:]


def _rank_within(owner: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each entry's rank among the entries of the same owner, best value first (values positive)."""
    # One float key sorts by owner, then by value descending: cheaper than a two-key lexsort.
    scaled = values.astype(np.float64) / float(values.max())
    order = np.argsort(owner + (1.0 - scaled) * 0.999, kind="stable")
    ranked = owner[order]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - np.searchsorted(ranked, ranked, side="left")
    return rank


def _thresholds(scores: np.ndarray, allowed: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Per row, a value that a little more than k of its allowed pairs reach, estimated on a column sample.

    The sample's q-th best stands for about the (q * width / sample)-th best of the row; aiming at 3k
    leaves room for sampling noise, and a row that still falls short is redone exactly by the caller.
    """
    width = scores.shape[1]
    sample = np.sort(rng.choice(width, THRESHOLD_SAMPLE, replace=False))
    values = np.where(allowed[:, sample], scores[:, sample], FORBIDDEN)
    q = min(THRESHOLD_SAMPLE, int(np.ceil(3 * k * THRESHOLD_SAMPLE / width)))
    return np.partition(values, THRESHOLD_SAMPLE - q, axis=1)[:, THRESHOLD_SAMPLE - q]


def _exact_top(scores: np.ndarray, allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, col) of each row's k best allowed pairs with a positive score (argpartition, row by row block)."""
    n, width = scores.shape
    k = min(k, width)
    if k == 0 or n == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    effective = np.where(allowed, scores, FORBIDDEN)
    if k < width:
        best = np.argpartition(effective, width - k, axis=1)[:, width - k :]
    else:
        best = np.broadcast_to(np.arange(k), (n, k))
    owner = np.repeat(np.arange(n), k)
    other = best.ravel()
    keep = effective[owner, other] > 0
    return owner[keep], other[keep]


def candidate_pairs(scores: np.ndarray, allowed: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(host, resource) of every pair among the host's k best or the resource's k best, sorted.

    Pairs that are forbidden or worth nothing are never candidates: leaving both sides free is as good. On a
    large matrix a sampled threshold per row and per column keeps a few times k pairs each in one pass, and
    an exact rank among those picks the k best; rows or columns the threshold cut short are redone exactly.
    """
    n, m = scores.shape
    if n == 0 or m == 0 or k <= 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
    if min(n, m) < 4 * THRESHOLD_SAMPLE:
        h1, r1 = _exact_top(scores, allowed, k)
        r2, h2 = _exact_top(scores.T, allowed.T, k)
    else:
        rng = np.random.default_rng(0)  # fixed: the same round always gets the same candidates
        t_row = _thresholds(scores, allowed, k, rng)
        t_col = _thresholds(scores.T, allowed.T, k, rng)
        found_h, found_r = [], []
        # Row blocks that fit in cache: three passes over a small block beat three over the whole matrix.
        for start in range(0, n, SCAN_ROWS):
            block = slice(start, min(n, start + SCAN_ROWS))
            part = scores[block]
            reached = part >= t_row[block, None]
            reached |= part >= t_col[None, :]
            reached &= allowed[block]
            h, r = np.nonzero(reached)
            found_h.append(h + start)
            found_r.append(r)
        hosts, resources = np.concatenate(found_h), np.concatenate(found_r)
        positive = scores[hosts, resources] > 0
        hosts, resources = hosts[positive], resources[positive]
        values = scores[hosts, resources]
        in_row = values >= t_row[hosts]
        in_col = values >= t_col[resources]
        keep = (in_row & (_rank_within(hosts, values) < k)) | (in_col & (_rank_within(resources, values) < k))
        h1, r1 = hosts[keep], resources[keep]
        short_rows = np.flatnonzero(np.bincount(hosts[in_row], minlength=n) < k)
        short_cols = np.flatnonzero(np.bincount(resources[in_col], minlength=m) < k)
        h_extra, r_extra = _exact_top(scores[short_rows], allowed[short_rows], k)
        c_extra, h_more = _exact_top(
            np.ascontiguousarray(scores[:, short_cols].T), np.ascontiguousarray(allowed[:, short_cols].T), k
        )
        h2 = np.concatenate([short_rows[h_extra], h_more])
        r2 = np.concatenate([r_extra, short_cols[c_extra]])
    keys = np.sort(np.concatenate([h1 * m + r1, h2 * m + r2]).astype(np.int64))
    keys = keys[np.diff(keys, prepend=-1) != 0]
    return keys // m, keys % m


def _slots(
    counts: np.ndarray, owners: np.ndarray, start: np.ndarray, size: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each owner (repeated `counts` times), (which copy, slot index start[owner] + copy % size[owner])."""
    copy = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return copy, np.repeat(start[owners], counts) + copy % np.repeat(size[owners], counts)


def _solve_matching(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, cap_h: np.ndarray, cap_r: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The best b-matching on a sparse edge set, as a minimum-cost full matching (scipy's LAPJVsp).

    Each institution becomes as many slots as it has places (never more than its edges). A pair whose two
    sides both have several slots gets a two-node gadget, so it can be chosen at most once: left node b_e and
    right node a_e; either b_e takes a_e (pair unused) or a host slot takes a_e and b_e a resource slot (pair
    used). Each host slot also has a private dummy column, so anyone may stay unmatched and a full matching
    always exists. Every edge costs C - benefit with C above every score, so all costs are non-zero and the
    cheapest full matching is the one with the largest total score.
    """
    n, m = len(cap_h), len(cap_r)
    c_h = np.minimum(cap_h, np.bincount(rows, minlength=n)).astype(np.int64)
    c_r = np.minimum(cap_r, np.bincount(cols, minlength=m)).astype(np.int64)
    keep = (c_h[rows] > 0) & (c_r[cols] > 0)
    rows, cols, weights = rows[keep], cols[keep], weights[keep]
    if rows.size == 0:
        return rows, cols
    graph, g_rows, g_cols = _slot_graph(rows, cols, weights, c_h, c_r)
    host_slots, resource_slots, n_g = int(c_h.sum()), int(c_r.sum()), len(g_rows)
    left, right = min_weight_full_bipartite_matching(graph)
    owner_h = np.repeat(np.arange(n), c_h)
    owner_r = np.repeat(np.arange(m), c_r)
    direct = (left < host_slots) & (right < resource_slots)
    used = (left < host_slots) & (right >= resource_slots) & (right < resource_slots + n_g)
    gadget_used = right[used] - resource_slots
    return (
        np.concatenate([owner_h[left[direct]], g_rows[gadget_used]]),
        np.concatenate([owner_r[right[direct]], g_cols[gadget_used]]),
    )


def _slot_graph(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, c_h: np.ndarray, c_r: np.ndarray
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The cost matrix of `_solve_matching` (slots, gadgets and dummies), with the host and resource of each
    gadget in column order."""
    start_h, start_r = np.cumsum(c_h) - c_h, np.cumsum(c_r) - c_r
    host_slots, resource_slots = int(c_h.sum()), int(c_r.sum())
    gadget = (c_h[rows] > 1) & (c_r[cols] > 1)
    g_rows, g_cols, g_w = rows[gadget], cols[gadget], weights[gadget]
    d_rows, d_cols, d_w = rows[~gadget], cols[~gadget], weights[~gadget]
    n_g = len(g_rows)
    a_col = resource_slots + np.arange(n_g)  # right node a_e of each gadget
    b_row = host_slots + np.arange(n_g)  # left node b_e of each gadget
    pieces_r, pieces_c, pieces_b = [], [], []
    # Direct pairs: one side has a single slot, so copying the edge to every slot of the other side is exact.
    count = c_h[d_rows] * c_r[d_cols]
    copy, r_slot = _slots(count, d_cols, start_r, c_r)
    edge = np.repeat(np.arange(len(d_rows)), count)
    pieces_r.append(start_h[d_rows[edge]] + copy // c_r[d_cols[edge]])
    pieces_c.append(r_slot)
    pieces_b.append(d_w[edge])
    # Gadgets: every host slot -> a_e (the score), b_e -> a_e (nothing), b_e -> every resource slot (nothing).
    _, h_slot = _slots(c_h[g_rows], g_rows, start_h, c_h)
    pieces_r += [h_slot, b_row]
    pieces_c += [np.repeat(a_col, c_h[g_rows]), a_col]
    pieces_b += [np.repeat(g_w, c_h[g_rows]), np.zeros(n_g)]
    _, r_slot = _slots(c_r[g_cols], g_cols, start_r, c_r)
    pieces_r.append(np.repeat(b_row, c_r[g_cols]))
    pieces_c.append(r_slot)
    pieces_b.append(np.zeros(len(r_slot)))
    # A private dummy per host slot: staying unmatched is worth nothing.
    pieces_r.append(np.arange(host_slots))
    pieces_c.append(resource_slots + n_g + np.arange(host_slots))
    pieces_b.append(np.zeros(host_slots))
    benefit = np.concatenate(pieces_b).astype(np.float64)
    cost = float(benefit.max()) + 1.0 - benefit
    graph = sparse.csr_matrix(
        (cost, (np.concatenate(pieces_r), np.concatenate(pieces_c))),
        shape=(host_slots + n_g, resource_slots + n_g + host_slots),
    )
    return graph, g_rows, g_cols


def _solve_by_component(
    rows: np.ndarray, cols: np.ndarray, weights: np.ndarray, cap_h: np.ndarray, cap_r: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Solve each connected part of the candidate graph on its own (languages split real rounds).

    The solver's work per augmenting path grows with the number of columns, so smaller parts are cheaper.
    """
    n, m = len(cap_h), len(cap_r)
    if rows.size == 0:
        return rows, cols
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, n + cols)), shape=(n + m, n + m))
    parts, label = connected_components(graph, directed=False)
    if parts == 1:
        return _solve_matching(rows, cols, weights, cap_h, cap_r)
    edge_part = label[rows]
    order = np.argsort(edge_part, kind="stable")
    bounds = np.searchsorted(edge_part[order], np.arange(parts + 1))
    got_h, got_r = [], []
    for part in range(parts):
        edges = order[bounds[part] : bounds[part + 1]]
        if edges.size == 0:
            continue
        hosts, host_index = np.unique(rows[edges], return_inverse=True)
        resources, resource_index = np.unique(cols[edges], return_inverse=True)
        h, r = _solve_matching(host_index, resource_index, weights[edges], cap_h[hosts], cap_r[resources])
        got_h.append(hosts[h])
        got_r.append(resources[r])
    if not got_h:
        return rows[:0], cols[:0]
    return np.concatenate(got_h), np.concatenate(got_r)


def optimal_assignment(
    scores: np.ndarray,
    allowed: np.ndarray,
    cap_h: np.ndarray,
    cap_r: np.ndarray,
    *,
    top_k: int = 10,
    exact: bool = True,
    solver: str = "auto",
    resolution: float = PRUNED_RESOLUTION,
    max_rounds: int = 60,
    progress: Callable[[float], None] | None = None,
) -> Pairs:
    """Pairs (host index, resource index) with the largest total score within the capacities.

    With exact=False only each institution's `top_k` candidates are considered (the pruned problem), solved
    as a sparse minimum-cost matching. With exact=True a small round hands every allowed pair to that solver;
    a large one is solved as a linear programme grown by dual pricing until no other pair could raise the
    total. `solver` ("matching" or "lp") forces one solver for the given edge set (the tests compare them).
    """
    n, m = scores.shape
    dense = exact and n * m <= DENSE_PAIRS
    if dense:
        top_k = max(n, m)
    cap_h = np.maximum(np.asarray(cap_h), 0)
    cap_r = np.maximum(np.asarray(cap_r), 0)
    if dense:
        rows, cols = np.nonzero(allowed & (scores > 0))
    else:
        rows, cols = candidate_pairs(scores, allowed, top_k)
    if solver == "matching" or (solver == "auto" and (dense or not exact)):
        weights = scores[rows, cols].astype(np.float64)
        if not exact and resolution:
            weights = np.maximum(np.round(weights / resolution), 1) * resolution
        got_h, got_r = _solve_by_component(rows, cols, weights, cap_h, cap_r)
        return sorted((int(i), int(j)) for i, j in zip(got_h, got_r, strict=True))
    effective = np.where(allowed, scores, FORBIDDEN).astype(np.float32)
    keys = rows.astype(np.int64) * m + cols
    for round_no in range(max_rounds):
        rows, cols = keys // m, keys % m
        chosen, y_h, y_r = _solve_lp(rows, cols, effective[rows, cols].astype(np.float64), cap_h, cap_r)
        if not exact:
            break
        new = _priced_pairs(effective, y_h, y_r, keys, top_k)
        if progress:
            progress(min(0.95, (round_no + 1) / 10))
        if new.size == 0:
            break
        keys = np.union1d(keys, new)
    pairs = [(int(i), int(j)) for i, j in zip(rows[chosen], cols[chosen], strict=True)]
    return sorted(pairs)


def _priced_pairs(
    effective: np.ndarray, y_h: np.ndarray, y_r: np.ndarray, keys: np.ndarray, top_k: int
) -> np.ndarray:
    """Pairs (as keys row * m + col) outside `keys` whose score beats their two duals, so could raise the
    total: at most `top_k` per host, the most promising first, to keep the growth of the edge set moderate."""
    n, m = effective.shape
    added = []
    step = max(1, 4_000_000 // max(m, 1))  # price in blocks of rows to bound the memory of the reduced costs
    for start in range(0, n, step):
        block = slice(start, min(n, start + step))
        reduced = effective[block] - y_h[block, None] - y_r[None, :]
        hit_rows, hit_cols = np.nonzero(reduced > PRICE_TOLERANCE)
        if hit_rows.size:
            added.append((hit_rows + start).astype(np.int64) * m + hit_cols)
    new = np.setdiff1d(np.concatenate(added), keys) if added else np.zeros(0, dtype=np.int64)
    new_rows, new_cols = new // m, new % m
    gain = effective[new_rows, new_cols] - y_h[new_rows] - y_r[new_cols]
    order = np.lexsort((-gain, new_rows))
    ranked_rows = new_rows[order]
    starts = np.searchsorted(ranked_rows, ranked_rows, side="left")
    rank_in_row = np.arange(len(order)) - starts
    return new[order][rank_in_row < top_k]


def _preference_order(row: np.ndarray, allowed_row: np.ndarray, head: int) -> tuple[np.ndarray, bool]:
    """The best `head` allowed candidates of one row, best first (ties: lower index first)."""
    candidates = np.flatnonzero(allowed_row)
    if candidates.size > head:
        values = row[candidates]
        part = np.argpartition(-values, head - 1)[:head]
        cut = values[part].min()
        # Everything tied with the cut goes in too, so the order stays exact at the boundary.
        part = np.flatnonzero(values >= cut)
        candidates = candidates[part]
        complete = False
    else:
        complete = True
    order = np.lexsort((candidates, -row[candidates]))
    return candidates[order], complete


def stable_assignment(
    scores: np.ndarray, allowed: np.ndarray, cap_h: np.ndarray, cap_r: np.ndarray, *, head: int = 32
) -> Pairs:
    """Host-proposing deferred acceptance with capacities; returns sorted (host, resource) pairs.

    Each host's preference list is sorted lazily: first its best `head` candidates, the rest only if it runs
    through them, which on realistic rounds almost never happens.
    """
    n, m = scores.shape
    cap_h = np.maximum(np.asarray(cap_h), 0)
    cap_r = np.maximum(np.asarray(cap_r), 0).tolist()
    prefs: list[np.ndarray | None] = [None] * n
    complete = [False] * n
    nxt = [0] * n
    free = cap_h.tolist()
    held: list[list[tuple[float, int]]] = [[] for _ in range(m)]  # min-heap: the worst held proposal on top
    queue = [i for i in range(n) if free[i] > 0]
    while queue:
        i = queue.pop()
        row = scores[i]
        while free[i] > 0:
            order = prefs[i]
            if order is None or (nxt[i] >= len(order) and not complete[i]):
                size = head if order is None else len(order) * 4
                order, complete[i] = _preference_order(row, allowed[i], size)
                prefs[i] = order
            if nxt[i] >= len(order):
                break
            j = int(order[nxt[i]])
            nxt[i] += 1
            if cap_r[j] == 0:
                continue
            # A resource ranks hosts by score, then by lower index: the key (score, -index) is strict.
            key = (float(row[j]), -i)
            heap = held[j]
            if len(heap) < cap_r[j]:
                heapq.heappush(heap, key)
                free[i] -= 1
            elif key > heap[0]:
                _, loser = heapq.heapreplace(heap, key)
                free[i] -= 1
                free[-loser] += 1
                queue.append(-loser)
    return sorted((-k, j) for j, heap in enumerate(held) for _, k in heap)


def total(scores: np.ndarray, pairs: Pairs) -> float:
    """The summed score of an assignment."""
    return float(sum(float(scores[i, j]) for i, j in pairs))
