"""Score every host-resource pair from institution profiles, in parts a person can read.

A score is a weighted mean of parts, each between 0 and 1, so with the weights shown beside it a reader can
redo the sum. The full matrix and the explanation of one pair are computed by the same function
(`ScoringContext.parts`) on different blocks, so the two can never disagree.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

PARTS = (
    "coverage",
    "text",
    "mutual",
    "type",
    "specialties",
    "language",
    "time_zone",
    "capacity",
    "prior_ties",
)
# What a round starts with; programme staff change them per round. They need not sum to 100.
DEFAULT_WEIGHTS = {
    "coverage": 35,
    "text": 15,
    "mutual": 5,
    "type": 5,
    "specialties": 5,
    "language": 10,
    "time_zone": 10,
    "capacity": 5,
    "prior_ties": 10,
}

# Hard constraints, as bits so one small integer matrix holds every reason a pair is excluded.
NO_LANGUAGE = 1
NO_CAPACITY = 2
CONFLICT = 4
CONSTRAINTS = {NO_LANGUAGE: "no_language", NO_CAPACITY: "no_capacity", CONFLICT: "conflict"}

# Institution types that twin well although they differ (a teaching hospital and a medical school...).
_TYPE_AFFINITY = {
    frozenset({"hospital", "university"}): 0.7,
    frozenset({"university", "nursing_school"}): 0.7,
    frozenset({"hospital", "nursing_school"}): 0.5,
    frozenset({"ministry", "public_health_agency"}): 0.8,
    frozenset({"public_health_agency", "university"}): 0.5,
    frozenset({"ngo", "community"}): 0.7,
    frozenset({"professional_association", "nursing_school"}): 0.5,
    frozenset({"professional_association", "hospital"}): 0.4,
}
_OTHER_TYPES = 0.2

# Areas close enough that expertise in one partly answers a need in the other (the taxonomy is flat).
RELATED_AREAS = {
    frozenset({"maternal-newborn", "nursing-midwifery"}),
    frozenset({"maternal-newborn", "child-health"}),
    frozenset({"infectious-disease", "infection-prevention"}),
    frozenset({"infectious-disease", "laboratory"}),
    frozenset({"emergency-care", "surgery-anaesthesia"}),
    frozenset({"ncd", "oncology"}),
    frozenset({"ncd", "primary-care"}),
    frozenset({"primary-care", "community-health"}),
    frozenset({"public-health", "community-health"}),
    frozenset({"public-health", "health-information"}),
    frozenset({"health-management", "quality-safety"}),
    frozenset({"health-workforce", "nursing-midwifery"}),
    frozenset({"research", "public-health"}),
    frozenset({"biomedical-engineering", "laboratory"}),
    frozenset({"pharmacy", "quality-safety"}),
    frozenset({"rehabilitation", "surgery-anaesthesia"}),
}
RELATED_CREDIT = 0.5
CAPACITY_FULL = 3  # an institution with this many places or more counts as fully available
TIME_ZONE_SPAN = 12.0  # hours apart at which the time-zone part reaches 0


@dataclass(frozen=True)
class Profile:
    """What matching needs to know about one institution in a round."""

    key: int
    type: str
    languages: frozenset[str]
    capacity: int
    time_zone: str = ""
    needs: dict[int, int] = field(default_factory=dict)  # area id -> priority 1..3
    expertise: dict[int, int] = field(default_factory=dict)  # area id -> depth 1..3
    need_text: str = ""
    expertise_text: str = ""


@lru_cache(maxsize=512)
def utc_offset_hours(name: str, on: datetime.date) -> float | None:
    if not name:
        return None
    try:
        zone = zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    moment = datetime.datetime(on.year, on.month, on.day, 12, tzinfo=zone)
    offset = moment.utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else None


def type_affinity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return _TYPE_AFFINITY.get(frozenset({a, b}), _OTHER_TYPES)


def area_affinity_matrix(area_ids: Sequence[int], codes: dict[int, str]) -> np.ndarray:
    """How much expertise in area b (row) answers a need in area a (column): 1, RELATED_CREDIT or 0."""
    n = len(area_ids)
    aff = np.eye(n, dtype=np.float32)
    for x, a in enumerate(area_ids):
        for y, b in enumerate(area_ids):
            if x != y and frozenset({codes.get(a, ""), codes.get(b, "")}) in RELATED_AREAS:
                aff[x, y] = RELATED_CREDIT
    return aff


def normalised_weights(weights: Mapping[str, float]) -> dict[str, float]:
    total = sum(max(0.0, float(weights.get(p, 0))) for p in PARTS)
    if total <= 0:
        raise ValueError("At least one weight must be above zero.")
    return {p: max(0.0, float(weights.get(p, 0))) / total for p in PARTS}


def _needs_matrix(profiles: list[Profile], col: dict[int, int]) -> np.ndarray:
    """Each profile's need priorities per area column, as shares of its own total (rows sum to 1 or 0)."""
    m = np.zeros((len(profiles), len(col)), dtype=np.float32)
    for i, p in enumerate(profiles):
        for a, priority in p.needs.items():
            m[i, col[a]] = priority
    sums = m.sum(axis=1, keepdims=True)
    return np.divide(m, sums, out=np.zeros_like(m), where=sums > 0)


def _reach_matrix(
    profiles: list[Profile], col: dict[int, int], aff: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Depth of expertise per area (0-1), and how well it answers a need in each area."""
    depth = np.zeros((len(profiles), len(col)), dtype=np.float32)
    for i, p in enumerate(profiles):
        for a, d in p.expertise.items():
            depth[i, col[a]] = d / 3.0
    # Best answer to each need area: the expertise itself or a related area at partial credit.
    reach = np.zeros_like(depth)
    for b in range(len(col)):
        np.maximum(reach, depth[:, b : b + 1] * aff[b : b + 1, :], out=reach)
    return depth, reach


def _language_matrix(profiles: list[Profile], langs: list[str]) -> np.ndarray:
    index = {code: k for k, code in enumerate(langs)}
    m = np.zeros((len(profiles), len(langs)), dtype=np.float32)
    for i, p in enumerate(profiles):
        for code in p.languages:
            m[i, index[code]] = 1
    return m


def _offsets(profiles: list[Profile], on: datetime.date) -> np.ndarray:
    """Each profile's UTC offset in hours on `on` (NaN where the time zone is unknown)."""
    return np.array(
        [np.nan if (o := utc_offset_hours(p.time_zone, on)) is None else o for p in profiles],
        dtype=np.float32,
    )


class ScoringContext:
    """Feature arrays for the hosts and resources of one round, built once."""

    def __init__(
        self,
        hosts: Sequence[Profile],
        resources: Sequence[Profile],
        *,
        area_codes: dict[int, str],
        weights: Mapping[str, float] | None = None,
        ties: Iterable[tuple[int, int]] = (),
        conflicts: Iterable[tuple[int, int]] = (),
        on: datetime.date | None = None,
    ) -> None:
        self.hosts = list(hosts)
        self.resources = list(resources)
        self.weights = normalised_weights(weights or DEFAULT_WEIGHTS)
        on = on or datetime.date.today()
        self._set_areas(area_codes)
        self._set_text()
        types = sorted({p.type for p in (*self.hosts, *self.resources)})
        t_index = {t: k for k, t in enumerate(types)}
        self.type_table = np.array([[type_affinity(a, b) for b in types] for a in types], dtype=np.float32)
        self.h_type = np.array([t_index[p.type] for p in self.hosts], dtype=np.intp)
        self.r_type = np.array([t_index[p.type] for p in self.resources], dtype=np.intp)
        langs = sorted({code for p in (*self.hosts, *self.resources) for code in p.languages})
        self.h_lang = _language_matrix(self.hosts, langs)
        self.r_lang = _language_matrix(self.resources, langs)
        self.h_offset = _offsets(self.hosts, on)
        self.r_offset = _offsets(self.resources, on)
        self.h_cap = np.array([p.capacity for p in self.hosts], dtype=np.int32)
        self.r_cap = np.array([p.capacity for p in self.resources], dtype=np.int32)
        self.ties = self._pairs(ties)
        self.conflicts = self._pairs(conflicts)

    def _set_areas(self, area_codes: dict[int, str]) -> None:
        """Needs (shares of each host's or resource's priorities) and the reach of expertise, per area."""
        area_ids = sorted({*area_codes, *self._areas_used()})
        col = {a: k for k, a in enumerate(area_ids)}
        aff = area_affinity_matrix(area_ids, area_codes)
        self.h_needs = _needs_matrix(self.hosts, col)
        self.r_needs = _needs_matrix(self.resources, col)
        h_depth, self.h_reach = _reach_matrix(self.hosts, col, aff)
        r_depth, self.r_reach = _reach_matrix(self.resources, col, aff)
        self.h_has = (h_depth > 0).astype(np.float32)
        self.r_has = (r_depth > 0).astype(np.float32)
        self.h_count = self.h_has.sum(axis=1)
        self.r_count = self.r_has.sum(axis=1)

    def _set_text(self) -> None:
        """TF-IDF vectors of the hosts' need texts and the resources' expertise texts, fitted together."""
        vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True, dtype=np.float32)
        texts = [p.need_text for p in self.hosts] + [p.expertise_text for p in self.resources]
        try:
            matrix = vectorizer.fit_transform(texts).tocsr()
            self.h_text = matrix[: len(self.hosts)]
            self.r_text_t = matrix[len(self.hosts) :].T.tocsr()
        except ValueError:  # no words at all
            self.h_text = sparse.csr_matrix((len(self.hosts), 1), dtype=np.float32)
            self.r_text_t = sparse.csr_matrix((1, len(self.resources)), dtype=np.float32)

    def _pairs(self, items: Iterable[tuple[int, int]]) -> sparse.csr_matrix:
        """A host x resource 0/1 matrix of the given pairs of profile keys, in either order."""
        h_pos = {p.key: i for i, p in enumerate(self.hosts)}
        r_pos = {p.key: j for j, p in enumerate(self.resources)}
        found = set()
        for a, b in items:
            if a in h_pos and b in r_pos:
                found.add((h_pos[a], r_pos[b]))
            if b in h_pos and a in r_pos:
                found.add((h_pos[b], r_pos[a]))
        rows = [i for i, _ in found]
        cols = [j for _, j in found]
        return sparse.csr_matrix(
            (np.ones(len(found), dtype=np.float32), (rows, cols)),
            shape=(len(self.hosts), len(self.resources)),
        )

    def _areas_used(self) -> set[int]:
        return {a for p in (*self.hosts, *self.resources) for a in (*p.needs, *p.expertise)}

    # --- parts, on any block of rows and columns ---------------------------------------------------

    def parts(self, rows: np.ndarray | slice, cols: np.ndarray | slice) -> dict[str, np.ndarray]:
        """Every part for the block hosts[rows] x resources[cols], each a float32 matrix in [0, 1]."""
        out: dict[str, np.ndarray] = {}
        out["coverage"] = self.h_needs[rows] @ self.r_reach[cols].T
        out["mutual"] = self.h_reach[rows] @ self.r_needs[cols].T
        out["text"] = np.asarray((self.h_text[rows] @ self.r_text_t[:, cols]).todense(), dtype=np.float32)
        np.clip(out["text"], 0, 1, out=out["text"])
        out["type"] = self.type_table[np.ix_(self.h_type[rows], self.r_type[cols])]
        shared = self.h_has[rows] @ self.r_has[cols].T
        union = self.h_count[rows][:, None] + self.r_count[cols][None, :] - shared
        out["specialties"] = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
        common = self.h_lang[rows] @ self.r_lang[cols].T
        out["language"] = np.minimum(common, 2) / 2
        diff = np.abs(self.h_offset[rows][:, None] - self.r_offset[cols][None, :])
        diff = np.minimum(diff, 24 - diff)
        tz = np.clip(1 - diff / TIME_ZONE_SPAN, 0, 1)
        out["time_zone"] = np.where(np.isnan(tz), 0.5, tz).astype(np.float32)
        hc = np.minimum(self.h_cap[rows], CAPACITY_FULL) / CAPACITY_FULL
        rc = np.minimum(self.r_cap[cols], CAPACITY_FULL) / CAPACITY_FULL
        out["capacity"] = ((hc[:, None] + rc[None, :]) / 2).astype(np.float32)
        out["prior_ties"] = np.asarray(self.ties[rows][:, cols].todense(), dtype=np.float32)
        return out

    def constraints(self, rows: np.ndarray | slice, cols: np.ndarray | slice) -> np.ndarray:
        """Bit mask of the hard constraints each pair breaks (0: the pair may be matched)."""
        common = self.h_lang[rows] @ self.r_lang[cols].T
        mask = np.where(common > 0, 0, NO_LANGUAGE).astype(np.uint8)
        full = (self.h_cap[rows][:, None] <= 0) | (self.r_cap[cols][None, :] <= 0)
        mask |= np.where(full, NO_CAPACITY, 0).astype(np.uint8)
        conflict = np.asarray(self.conflicts[rows][:, cols].todense()) > 0
        mask |= np.where(conflict, CONFLICT, 0).astype(np.uint8)
        return mask

    def score_block(self, rows: np.ndarray | slice, cols: np.ndarray | slice) -> np.ndarray:
        parts = self.parts(rows, cols)
        total = np.zeros_like(parts["coverage"])
        for name in PARTS:
            if self.weights[name]:
                total += np.float32(self.weights[name]) * parts[name]
        return total

    def matrix(self, *, chunk: int = 512, progress: object = None) -> tuple[np.ndarray, np.ndarray]:
        """The whole score matrix (0..1) and constraint mask, built in row chunks to bound memory."""
        n, m = len(self.hosts), len(self.resources)
        scores = np.zeros((n, m), dtype=np.float32)
        mask = np.zeros((n, m), dtype=np.uint8)
        for start in range(0, n, chunk):
            block = slice(start, min(n, start + chunk))
            scores[block] = self.score_block(block, slice(None))
            mask[block] = self.constraints(block, slice(None))
            if callable(progress):
                progress(min(n, start + chunk) / max(n, 1))
        return scores, mask

    def explain(self, i: int, j: int) -> dict[str, dict[str, float]]:
        """Each part of one pair's score: its value (0..1), its weight share and the points it adds."""
        parts = self.parts(np.array([i]), np.array([j]))
        return {
            name: {
                "value": float(parts[name][0, 0]),
                "weight": self.weights[name],
                "points": float(parts[name][0, 0]) * self.weights[name] * 100,
            }
            for name in PARTS
        }


def constraint_names(bits: int) -> list[str]:
    return [name for bit, name in CONSTRAINTS.items() if bits & bit]
