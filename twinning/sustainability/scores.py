"""How an assessment round's answers become scores (issue 13): pure functions over grouped answer rows.

The rule, written once here and read by the round's page, the API, exports and trends (the programme view, which
scores every partnership at once, runs the same rule in SQL: selectors.section_scores, held to this one by a
Hypothesis test):
- an answer is a point on its item's scale; "not applicable" and unanswered items count for nothing;
- a side's item score is the mean of the points its submitted sheets gave the item, normalised to 0-100
  ((mean - lowest point) / (highest - lowest) x 100), so items on 1-5 and 1-7 scales compare;
- a side's section score is the mean of its item scores in the section (items it scored); its overall score is
  the mean of its section scores (each section weighs the same, however many items it has);
- the combined score is the mean of the two sides' scores where both have one, else the one there is; it exists
  only once both sides have submitted (before that a side sees its own scores, and a "combined" score would be
  only its own under another name). Where only one side has a score (the other marked every statement "not
  applicable" or left it blank), the combined score is that side's alone and there is no gap: `only_side` says
  which side, and every page, download and the API says so beside the number;
- the mutuality gap is host minus resource, in points of 0-100, where both sides have a score, taken between the
  scores as shown (each rounded first, `shown_gap`) so that it always equals the difference of the two numbers a
  reader sees beside it; a gap of LARGE_GAP or more either way is highlighted;
- the gap compares like with like: a section's gap is taken over the statements both sides scored, and the
  overall gap over the sections both sides scored (each by its shared statements). When one side marked some of a
  section's statements "not applicable" (or left them blank) and the other scored them, the section's scores
  stay each side's own (every statement it scored) but its gap is worked out over the shared statements only
  (`Scored.gap_over`), and every page, download and the API says so beside it (`partial_gap`): otherwise a
  statement only one side scored would count as disagreement (fresh tester of issue 13);
- every score and gap a person reads (pages, downloads, PDF and XLSX reports, the API) is rounded once, by
  `score_round`: half-up (away from zero for a negative gap) to one decimal, in Decimal, so 66.25 is 66.3
  everywhere.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.utils.translation import gettext as _

from twinning.core.choices import Side

# A gap of a fifth of the scale (one point on a 1-5 scale is 25) is worth a conversation.
LARGE_GAP = 20.0
SIDES = (Side.HOST, Side.RESOURCE)
SCORE_PLACES = 1
# Scores are means computed in floating point: 66.25 may arrive as 66.24999999999999. Rounding to this many places
# first removes that noise without moving any real score (a mean of small integers over a few hundred sheets is
# never that close to a half without being exactly on it).
_NOISE = Decimal("1e-9")
_QUANTUM = Decimal(1).scaleb(-SCORE_PLACES)


def score_round(value: float | Decimal | int | None, places: int = SCORE_PLACES) -> Decimal | None:
    """A score or gap as shown to people: a Decimal rounded half-up (away from zero for negative gaps) to
    `places` decimals (one by default); None stays None. The one rounding rule of every page, download, report
    and the API.

    Raises: nothing for None, floats, ints and Decimals (a NaN or infinity raises decimal.InvalidOperation).
    """
    if value is None:
        return None
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    quantum = _QUANTUM if places == SCORE_PLACES else Decimal(1).scaleb(-places)
    return exact.quantize(_NOISE, rounding=ROUND_HALF_UP).quantize(quantum, rounding=ROUND_HALF_UP)


def shown_gap(host: float | Decimal | int, resource: float | Decimal | int) -> float:
    """The gap as people read it: the host side's shown score minus the resource side's shown score (both
    rounded by score_round), so it is exact in one decimal and equals the difference of the shown scores.

    Raises: nothing for finite numbers.
    """
    shown_host, shown_resource = score_round(host), score_round(resource)
    assert shown_host is not None and shown_resource is not None
    return float(shown_host - shown_resource)


@dataclass(frozen=True)
class ItemTotals:
    """What a side's submitted sheets gave one item: the sum of the points and how many sheets gave one."""

    item_id: int
    section_id: int
    side: str
    total: int
    count: int
    scale_min: int
    scale_max: int


@dataclass(frozen=True)
class Scored:
    """One line of results: each side's score (0-100, None when that side has none), combined and the gap.
    `revealed` is False while a side has not submitted: then there is no combined score. `gap_over` is (host,
    resource) over the statements both sides scored, given only when that is not every statement either scored
    (a section or the overall score where one side marked some statements "not applicable"); None entries there
    mean the sides share no statement, so there is no gap."""

    host: float | None
    resource: float | None
    revealed: bool = True
    gap_over: tuple[float | None, float | None] | None = None

    @property
    def combined(self) -> float | None:
        if not self.revealed:
            return None
        present = [s for s in (self.host, self.resource) if s is not None]
        return sum(present) / len(present) if present else None

    @property
    def only_side(self) -> str | None:
        """The side whose score alone makes the combined score, when the other side has none (it marked the
        statements "not applicable" or left them blank), once both sides have submitted; else None. Before both
        submit it is always None: a side's missing score then means "not shown yet", not "not scored"."""
        if not self.revealed or (self.host is None) == (self.resource is None):
            return None
        return Side.HOST if self.host is not None else Side.RESOURCE

    @cached_property
    def gap(self) -> float | None:
        """Host minus resource, in points of 0-100; None unless both sides have a score. It is the difference of
        the two scores as shown (each rounded by score_round), so a reader who subtracts the shown scores gets
        the shown gap (63.4 and 66.9 show a gap of -3.5, never -3.4), and "large" is judged on what is shown."""
        if self.host is None or self.resource is None:
            return None
        host, resource = self.gap_over or (self.host, self.resource)
        if host is None or resource is None:
            return None
        return shown_gap(host, resource)

    @property
    def partial_gap(self) -> bool:
        """Both sides have a score but the gap is worked out over the statements both scored, fewer than either
        scored (`gap_over`): a reader must be told, since it is then not the difference of the shown scores."""
        return self.revealed and self.gap_over is not None and None not in (self.host, self.resource)

    @property
    def is_large_gap(self) -> bool:
        return self.gap is not None and abs(self.gap) >= LARGE_GAP

    def side(self, side: str) -> float | None:
        return self.host if side == Side.HOST else self.resource


def _mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


def normalise(mean: float, low: int, high: int) -> float:
    """A mean point on a scale from `low` to `high` as 0-100.

    Raises: ZeroDivisionError when low == high (the model refuses such a scale).
    """
    return (mean - low) * 100.0 / (high - low)


@dataclass(frozen=True)
class Computed:
    """Scores of one round: per item id, per section id, and overall."""

    items: dict[int, Scored]
    sections: dict[int, Scored]
    overall: Scored


def compute(
    rows: Iterable[ItemTotals], section_of: Mapping[int, int] | None = None, *, revealed: bool = True
) -> Computed:
    """Scores from the per-item, per-side totals of one round's submitted sheets (the rule above).

    `rows` holds one ItemTotals per item and side that has at least one point (count > 0); `section_of` maps every
    item id to its section id when items without answers should still be listed (they score None).

    Raises: nothing.
    """
    item_side: dict[int, dict[str, float]] = defaultdict(dict)
    sections_of_items: dict[int, int] = dict(section_of or {})
    for row in rows:
        sections_of_items[row.item_id] = row.section_id
        if row.count:
            item_side[row.item_id][row.side] = normalise(row.total / row.count, row.scale_min, row.scale_max)
    items = {
        item_id: Scored(item_side[item_id].get(Side.HOST), item_side[item_id].get(Side.RESOURCE), revealed)
        for item_id in sections_of_items
    }
    by_section: dict[int, list[Scored]] = defaultdict(list)
    for item_id, section_id in sections_of_items.items():
        by_section[section_id].append(items[item_id])
    sections = {section_id: section_of_items(scored, revealed) for section_id, scored in by_section.items()}
    return Computed(items=items, sections=sections, overall=overall_of(sections.values(), revealed))


def _shared(lines: list[Scored]) -> tuple[float | None, float | None] | None:
    """The sides' means over the `lines` both scored, each line by its own gap basis (its `gap_over`, else its
    scores): the `gap_over` of a line made of them. None when every line scored at all was scored by both sides
    on the same statements, since the sides' own means then already compare like with like."""
    scored = [line for line in lines if line.host is not None or line.resource is not None]
    if all(line.host is not None and line.resource is not None and line.gap_over is None for line in scored):
        return None
    pairs = [line.gap_over or (line.host, line.resource) for line in scored]
    shared = [(h, r) for h, r in pairs if h is not None and r is not None]
    return _mean(h for h, _r in shared), _mean(r for _h, r in shared)


def section_of_items(items: Iterable[Scored], revealed: bool = True) -> Scored:
    """A section's line from its statements' lines: each side's mean over the statements it scored, and the
    gap over the statements both scored (`Scored.gap_over`, when that differs).

    Raises: nothing.
    """
    return _combine(list(items), revealed)


def overall_of(sections: Iterable[Scored], revealed: bool = True) -> Scored:
    """The overall line from the section lines: each side's mean over the sections it scored (each section
    weighs the same), and the gap over the sections both scored, each by its own gap basis (`gap_over`).

    Raises: nothing.
    """
    return _combine(list(sections), revealed)


def _combine(lines: list[Scored], revealed: bool) -> Scored:
    return Scored(
        _mean(s.host for s in lines if s.host is not None),
        _mean(s.resource for s in lines if s.resource is not None),
        revealed,
        gap_over=_shared(lines),
    )


def score_note(scored: Scored) -> str:
    """What a download writes beside a line whose gap is not simply the difference of its two scores, in the
    reader's language: a line scored by one side only (`Scored.only_side`: no gap), or one whose gap is worked out
    over the statements both sides scored (`Scored.partial_gap`); "" for any other line or one not revealed yet.

    Raises: nothing.
    """
    if scored.only_side == Side.HOST:
        return _(
            "Host side only: the resource side gave no score (not applicable or blank), so there is no gap."
        )
    if scored.only_side == Side.RESOURCE:
        return _(
            "Resource side only: the host side gave no score (not applicable or blank), so there is no gap."
        )
    if scored.partial_gap and scored.gap is None:
        return _(
            "The two sides scored no statement in common (the others are not applicable or blank), so there is no gap."
        )
    if scored.partial_gap:
        return _(
            "Gap over the statements both sides scored: some were scored by one side only (not applicable or blank)."
        )
    return ""
