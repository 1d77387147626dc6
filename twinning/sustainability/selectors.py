"""Reads for assessment instruments and rounds, always starting from what the user may see.

Answers are private to their side until both sides have submitted (`access.sees_assessment_answers`): every read
of answers or scores here takes the reader's access and leaves out what it may not see, so the pages, the API and
the exports cannot show more than this module gives them. The scoring rule is in `scores.py`.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.http import Http404

from twinning.accounts.access import PartnershipAccess, partnership_access
from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.core.ids import parse_uuid
from twinning.core.reference import shipped_name
from twinning.exchanges.selectors import benefit_by_side, exchange_summary
from twinning.partnerships.models import Partnership
from twinning.sustainability import scores
from twinning.sustainability.models import (
    Answer,
    AssessmentRound,
    Instrument,
    InstrumentVersion,
    Item,
    Response,
    Section,
    version_name,
)

# --- instruments ---------------------------------------------------------------------------------------


def instrument_list(*, user: User, programme_id: int | None = None) -> QuerySet[Instrument]:
    """Instruments the user may see (shipped ones and their programmes' own), with how many versions each has;
    with `programme_id`, those a round of that programme may use (shipped ones and the programme's own).

    Raises: nothing.
    """
    qs = Instrument.objects.visible_to(user).select_related("programme")
    if programme_id is not None:
        qs = qs.filter(Q(programme__isnull=True) | Q(programme_id=programme_id))
    return qs.annotate(version_count=Count("versions")).order_by("programme_id", "name", "id")


def get_instrument_for_user(user: User, instrument_uuid: Any) -> Instrument:
    """The instrument with this UUID among those the user may see.

    Raises: Http404.
    """
    instrument = (
        Instrument.objects.visible_to(user)
        .select_related("programme")
        .filter(uuid=parse_uuid(instrument_uuid))
        .first()
    )
    if instrument is None:
        raise Http404
    return instrument


def version_detail_queryset() -> QuerySet[InstrumentVersion]:
    """Versions with their sections and items loaded (three queries however many items).

    Raises: nothing.
    """
    return InstrumentVersion.objects.select_related("instrument").prefetch_related(
        Prefetch(
            "sections",
            queryset=Section.objects.order_by("order", "id").prefetch_related(
                Prefetch("items", queryset=Item.objects.order_by("order", "id"))
            ),
        )
    )


def current_version(instrument: Instrument) -> InstrumentVersion | None:
    """The instrument's newest version, with its sections and items (None if it has none yet).

    Raises: nothing.
    """
    return version_detail_queryset().filter(instrument=instrument).order_by("-number").first()


# --- rounds --------------------------------------------------------------------------------------------


def round_queryset() -> QuerySet[AssessmentRound]:
    return AssessmentRound.objects.select_related(
        "partnership__programme", "instrument_version__instrument", "cancelled_by"
    )


def round_list(
    *, user: User, partnership: Partnership | None = None, programme_id: int | None = None
) -> QuerySet[AssessmentRound]:
    """Rounds the user may see, newest due first, with how many sheets each side has submitted (counts only,
    which every reader of the partnership may see: they say who has answered, not what).

    Raises: nothing.
    """
    qs = round_queryset().filter(pk__in=AssessmentRound.objects.visible_to(user).values("pk"))
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if programme_id is not None:
        qs = qs.filter(partnership__programme_id=programme_id)
    submitted = Q(responses__submitted_at__isnull=False)
    return qs.annotate(
        host_sheets=Count("responses", filter=submitted & Q(responses__side=Side.HOST)),
        resource_sheets=Count("responses", filter=submitted & Q(responses__side=Side.RESOURCE)),
    ).order_by("-due_date", "-created_at", "id")


def get_round_for_user(
    user: User, round_uuid: Any, *, change: bool = False, answer: bool = False
) -> tuple[AssessmentRound, PartnershipAccess]:
    """The round with this UUID among those the user may see, and the user's access to its partnership. With
    `change`, the user must also change the round (its due date, title, cancelling it:
    `PartnershipAccess.require_change_assessment_round`); with `answer`, answer for a side
    (`PartnershipAccess.require_assessment_side`): the rules the round services apply, asked before a page or
    the API reads what was sent, so a caller who may not is refused (403) whatever they sent.

    Raises: Http404, PermissionDenied.
    """
    visible = AssessmentRound.objects.visible_to(user).filter(uuid=parse_uuid(round_uuid))
    found = round_queryset().filter(pk__in=visible.values("pk")).first()
    if found is None:
        raise Http404
    access = partnership_access(user, found.partnership)
    if change:
        access.require_change_assessment_round(opened_by_programme=found.opened_by_programme)
    if answer:
        access.require_assessment_side()
    return found, access


def own_response(assessment_round: AssessmentRound, user: User) -> Response | None:
    """The user's own answer sheet in the round (None if they have not started one), answers loaded.

    Raises: nothing.
    """
    return (
        Response.objects.filter(round=assessment_round, respondent=user)
        .prefetch_related(Prefetch("answers", queryset=Answer.objects.select_related("item")))
        .first()
    )


# --- scores --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemLine:
    item: Item
    scored: scores.Scored


@dataclass(frozen=True)
class SectionLine:
    section: Section
    scored: scores.Scored
    items: list[ItemLine]


@dataclass(frozen=True)
class RoundScores:
    """A round's results: per section (with its items) and overall, each side's score 0-100, combined and the
    mutuality gap (scores.Scored). `visible_sides` are the sides whose scores are filled in; for the others every
    score is None. `sheets` counts the submitted sheets per side (the respondents averaged)."""

    round: AssessmentRound
    version: InstrumentVersion
    sections: list[SectionLine]
    overall: scores.Scored
    visible_sides: frozenset[str]
    sheets: dict[str, int]

    @property
    def is_complete(self) -> bool:
        return self.round.is_revealed

    @property
    def one_sided(self) -> bool:
        """Some line (a statement, a section or the overall score) was scored by one side only
        (scores.Scored.only_side): its combined score is that side's alone and it has no gap."""
        lines = [
            self.overall,
            *(s.scored for s in self.sections),
            *(i.scored for s in self.sections for i in s.items),
        ]
        return any(scored.only_side for scored in lines)

    @property
    def partial_gaps(self) -> bool:
        """Some section's or the overall gap is worked out over the statements both sides scored, fewer than
        either scored (scores.Scored.partial_gap)."""
        return any(scored.partial_gap for scored in (self.overall, *(s.scored for s in self.sections)))

    @property
    def large_gaps(self) -> list[ItemLine]:
        """The items whose gap is large (scores.LARGE_GAP), largest first."""
        lines = [line for s in self.sections for line in s.items if line.scored.is_large_gap]
        return sorted(lines, key=lambda line: -abs(line.scored.gap or 0))


def item_totals(round_ids: list[int], sides: frozenset[str] | tuple[str, ...] = scores.SIDES) -> QuerySet:
    """Per round, side and item: the sum of the points the side's submitted sheets gave and how many gave one
    (one GROUP BY query; "not applicable" and unanswered items give nothing). Rows are dicts with keys
    round, side, item, section, total, count, low, high.

    Raises: nothing.
    """
    return (
        Answer.objects.filter(
            response__round_id__in=round_ids,
            response__submitted_at__isnull=False,
            response__side__in=list(sides),
            value__isnull=False,
        )
        .values("response__round_id", "response__side", "item_id", "item__section_id")
        .annotate(total=Sum("value"), count=Count("id"))
        .values_list(
            "response__round_id",
            "response__side",
            "item_id",
            "item__section_id",
            "total",
            "count",
            "item__scale_min",
            "item__scale_max",
        )
        .order_by()
    )


def _sheet_counts(round_ids: list[int]) -> dict[tuple[int, str], int]:
    rows = (
        Response.objects.filter(round_id__in=round_ids, submitted_at__isnull=False)
        .values_list("round_id", "side")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(round_id, side): n for round_id, side, n in rows}


@dataclass(frozen=True)
class NotHandedIn:
    """The side's answer sheets saved but not handed in, as the person about to submit the side is told of them:
    `own` whether theirs is one (said in the second person: a tester's finding, issue 13, read their own name as
    someone else's), `others` the other people's names (sorted). False when there is none."""

    own: bool
    others: list[str]

    def __bool__(self) -> bool:
        return self.own or bool(self.others)


def sheets_not_handed_in(assessment_round: AssessmentRound, side: str, *, viewer: User) -> NotHandedIn:
    """The side's people whose answer sheet in the round holds saved answers that they have not handed in:
    submitting the side leaves those answers out, so whoever submits it (`viewer`) is told first (fresh tester,
    issue 13). One query.

    Raises: nothing.
    """
    sheets = (
        Response.objects.filter(round=assessment_round, side=side, submitted_at__isnull=True)
        .filter(Exists(Answer.objects.filter(response=OuterRef("pk"))))
        .select_related("respondent")
    )
    own = False
    others = []
    for sheet in sheets:
        if sheet.respondent_id == viewer.pk:
            own = True
        else:
            others.append(str(sheet.respondent))
    return NotHandedIn(own=own, others=sorted(others))


def round_scores(
    *, assessment_round: AssessmentRound, access: PartnershipAccess | None = None
) -> RoundScores:
    """The round's scores (the rule in scores.py), for a reader with `access` to its partnership.

    Without `access` (a caller working for the programme, such as a graduation review), only a round both sides
    have submitted has scores; before that every score is None, so nothing of either side shows. With `access`,
    each side's scores are filled in when that reader may see them (`sees_assessment_answers`): before both
    submit, a side sees its own. Queries: four, however many items and sheets.

    Raises: nothing.
    """
    revealed = assessment_round.is_revealed
    if access is None:
        sides = frozenset(scores.SIDES) if revealed else frozenset()
    else:
        sides = frozenset(s for s in scores.SIDES if access.sees_assessment_answers(s, revealed=revealed))
    version = version_detail_queryset().get(pk=assessment_round.instrument_version_id)
    all_items = [(item, section) for section in version.sections.all() for item in section.items.all()]
    rows = [
        scores.ItemTotals(item, section, side, total, count, low, high)
        for _r, side, item, section, total, count, low, high in (
            item_totals([assessment_round.pk], sides) if sides else []
        )
    ]
    computed = scores.compute(rows, {item.pk: section.pk for item, section in all_items}, revealed=revealed)
    counts = _sheet_counts([assessment_round.pk])
    lines = [
        SectionLine(
            section=section,
            scored=computed.sections.get(section.pk, scores.Scored(None, None, revealed)),
            items=[ItemLine(item, computed.items[item.pk]) for item in section.items.all()],
        )
        for section in version.sections.all()
    ]
    return RoundScores(
        round=assessment_round,
        version=version,
        sections=lines,
        overall=computed.overall,
        visible_sides=sides,
        sheets={side: counts.get((assessment_round.pk, side), 0) for side in scores.SIDES},
    )


def latest_round_scores(*, partnership: Partnership, kind: str) -> RoundScores | None:
    """The scores of the partnership's newest round that both sides have submitted, of any instrument of this
    kind (an Instrument.Kind value, e.g. "readiness"), or None when there is none. For programme-side readers such
    as the graduation review: only completed rounds count.

    Raises: nothing.
    """
    latest = (
        round_queryset()
        .filter(host_submitted_at__isnull=False, resource_submitted_at__isnull=False)
        .filter(partnership=partnership, instrument_version__instrument__kind=kind)
        .order_by("-due_date", "-created_at")
        .first()
    )
    return round_scores(assessment_round=latest) if latest is not None else None


@dataclass(frozen=True)
class LatestScores:
    """A completed round's overall score and each section's (in the version's order), as `latest_scores` gives
    them: each side's score 0-100, combined and the gap (scores.Scored)."""

    round: AssessmentRound
    overall: scores.Scored
    sections: list[tuple[Section, scores.Scored]]


def latest_scores(*, partnership_ids: list[int], kinds: list[str]) -> dict[tuple[int, str], LatestScores]:
    """For each partnership and instrument kind, the scores of its newest round both sides have submitted (as
    `latest_round_scores` chooses it), keyed by (partnership id, kind); a pair without one is left out. Four
    queries however many partnerships, rounds and items: for programme-wide readers such as donor reports.

    Raises: nothing.
    """
    latest: dict[tuple[int, str], AssessmentRound] = {}
    for candidate in (
        round_queryset()
        .filter(host_submitted_at__isnull=False, resource_submitted_at__isnull=False)
        .filter(partnership_id__in=partnership_ids, instrument_version__instrument__kind__in=kinds)
        .order_by("partnership_id", "-due_date", "-created_at")
    ):
        latest.setdefault((candidate.partnership_id, candidate.instrument_version.instrument.kind), candidate)
    if not latest:
        return {}
    rounds = list(latest.values())
    computed = _scores_of_rounds(rounds)
    sections: dict[int, list[Section]] = defaultdict(list)
    for section in Section.objects.filter(version_id__in={r.instrument_version_id for r in rounds}):
        sections[section.version_id].append(section)
    return {
        key: LatestScores(
            round=found,
            overall=computed[found.pk].overall,
            sections=[
                (section, computed[found.pk].sections.get(section.pk, scores.Scored(None, None)))
                for section in sections[found.instrument_version_id]
            ],
        )
        for key, found in latest.items()
    }


def _scores_of_rounds(rounds: list[AssessmentRound]) -> dict[int, scores.Computed]:
    """Scores of several completed rounds at once: two queries (the items of their versions, the answer totals),
    however many rounds, items and sheets. Only call with rounds both sides have submitted.

    Raises: nothing.
    """
    if not rounds:
        return {}
    versions = {r.instrument_version_id for r in rounds}
    section_of: dict[int, dict[int, int]] = {v: {} for v in versions}
    for item_id, section_id, version_id in Item.objects.filter(section__version_id__in=versions).values_list(
        "id", "section_id", "section__version_id"
    ):
        section_of[version_id][item_id] = section_id
    rows: dict[int, list[scores.ItemTotals]] = {r.pk: [] for r in rounds}
    for round_id, side, item, section, total, count, low, high in item_totals([r.pk for r in rounds]):
        rows[round_id].append(scores.ItemTotals(item, section, side, total, count, low, high))
    return {r.pk: scores.compute(rows[r.pk], section_of[r.instrument_version_id]) for r in rounds}


@dataclass(frozen=True)
class TrendPoint:
    round: AssessmentRound
    overall: scores.Scored
    sections: dict[int, scores.Scored]


def round_trends(*, partnership: Partnership) -> dict[Instrument, list[TrendPoint]]:
    """The partnership's completed rounds per instrument, oldest first, with each one's overall and section
    scores (by section id of the round's own version): the trend across rounds. Four queries.

    Raises: nothing.
    """
    rounds = list(
        round_queryset()
        .filter(partnership=partnership, host_submitted_at__isnull=False, resource_submitted_at__isnull=False)
        .order_by("due_date", "created_at", "id")
    )
    computed = _scores_of_rounds(rounds)
    trends: dict[Instrument, list[TrendPoint]] = {}
    for r in rounds:
        result = computed[r.pk]
        trends.setdefault(r.instrument_version.instrument, []).append(
            TrendPoint(r, result.overall, result.sections)
        )
    return trends


@dataclass(frozen=True)
class ProgrammeRow:
    """One partnership in the programme sustainability view: the overall scores of its newest completed health
    check and readiness rounds (None when it has none), the health check's section with the largest gap, and
    how many of its rounds still wait for a side."""

    partnership: Partnership
    health_scores: scores.Scored | None
    readiness_scores: scores.Scored | None
    waiting: int
    # The instrument version each of those rounds used (None without one): results say which they used.
    health_version: int | None = None
    readiness_version: int | None = None
    # The instrument and version of each as people name them ("<instrument>, version <n>", in the reader's
    # language; None without one): a programme may have its own instrument of the same kind, and rows on
    # different questionnaires must not read as comparable (a tester's finding, issue 13).
    health_instrument: str | None = None
    readiness_instrument: str | None = None
    # The health check's section scores and the section titles, for health_gap_section: worked out only for the
    # rows someone reads (a page of them, or the download), not for every partnership the view sorts.
    health_sections: dict[int, scores.Scored] = field(default_factory=dict, repr=False)
    section_titles: dict[int, str] = field(default_factory=dict, repr=False)

    @cached_property
    def health_gap_section(self) -> str:
        return _largest_gap_section(self.health_sections, self.section_titles)

    @cached_property
    def largest_gap(self) -> float:
        """The largest difference between the sides, in points: of the health check's sections (where a gap on
        one principle hides in the overall mean: 75 against 0 on "respectful and reciprocal" is 7.5 overall)
        and of the overall scores. The rows are sorted by it; "largest gap in" names the section when it is one.
        """
        scored = [self.health_scores, self.readiness_scores, *self.health_sections.values()]
        return max((abs(s.gap) for s in scored if s and s.gap is not None), default=0.0)


# The rule of scores.py, in SQL for many rounds at once: per round, side and item the mean of the submitted
# sheets' points scaled to 0-100, then per section the mean of its items, and the same mean over only the items
# both sides scored (`sides` = 2: the gap's basis, scores.Scored.gap_over) with how many items each takes. The
# database does the averaging over the answers (a programme's rounds hold tens of thousands), so only a row per
# round, side and section comes back; the overall score (the mean of the sections) and the gaps are then figured
# over those few rows by scores.overall_of. The points are cast to double precision first, so both databases do
# the same floating arithmetic as Python (PostgreSQL's AVG of integers would otherwise be an exact numeric).
_SECTION_SCORES_SQL = """
    SELECT t.round_id, t.side, t.section_id, AVG(t.item_score), COUNT(*),
           AVG(CASE WHEN t.sides = 2 THEN t.item_score END), COUNT(CASE WHEN t.sides = 2 THEN 1 END)
    FROM (
        SELECT u.*, COUNT(*) OVER (PARTITION BY u.round_id, u.item_id) AS sides FROM (
            SELECT s.round_id, s.side, i.section_id, i.id AS item_id,
                   (AVG(CAST(a.value AS DOUBLE PRECISION)) - i.scale_min) * 100.0 / (i.scale_max - i.scale_min)
                       AS item_score
            FROM {answer} a
            JOIN {response} s ON s.id = a.response_id
            JOIN {item} i ON i.id = a.item_id
            WHERE s.round_id IN ({rounds}) AND s.submitted_at IS NOT NULL AND a.value IS NOT NULL
            GROUP BY s.round_id, s.side, i.section_id, i.id, i.scale_min, i.scale_max
        ) u
    ) t
    GROUP BY t.round_id, t.side, t.section_id"""


def section_scores(round_ids: list[int]) -> dict[int, dict[int, scores.Scored]]:
    """Per round (give only rounds both sides have submitted), per section id: each side's section score and the
    gap's basis over the statements both sides scored, as scores.compute gives them (sections no sheet of a side
    scored are missing for that side). One query, whose rows are one per round, side and section however many
    answers.

    Raises: nothing.
    """
    if not round_ids:
        return {}
    # round -> section -> side -> (score, items scored, score over the shared items, shared items)
    found: dict[int, dict[int, dict[str, tuple[float, int, float | None, int]]]] = {r: {} for r in round_ids}
    sql = _SECTION_SCORES_SQL.format(
        answer=Answer._meta.db_table,
        response=Response._meta.db_table,
        item=Item._meta.db_table,
        rounds=", ".join(["%s"] * len(round_ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, round_ids)
        for round_id, side, section_id, score, count, shared, shared_count in cursor.fetchall():
            shared_score = None if shared is None else float(shared)
            found[round_id].setdefault(section_id, {})[side] = (
                float(score),
                count,
                shared_score,
                shared_count,
            )
    return {
        round_id: {section_id: _section(by_side) for section_id, by_side in sections.items()}
        for round_id, sections in found.items()
    }


def _section(by_side: dict[str, tuple[float, int, float | None, int]]) -> scores.Scored:
    """A section's line from section_scores' rows for it: the gap's basis is given (scores.Scored.gap_over) when
    some side scored an item the other did not, as scores.section_of_items decides."""
    host, resource = by_side.get(Side.HOST), by_side.get(Side.RESOURCE)
    if host is None or resource is None:
        return scores.Scored(host[0] if host else None, resource[0] if resource else None)
    all_shared = host[1] == host[3] and resource[1] == resource[3]
    return scores.Scored(host[0], resource[0], gap_over=None if all_shared else (host[2], resource[2]))


def _largest_gap_section(sections: dict[int, scores.Scored], titles: dict[int, str]) -> str:
    gaps = [(abs(gap), sid) for sid, s in sections.items() if (gap := s.gap) is not None]
    return titles.get(max(gaps)[1], "") if gaps else ""


def programme_sustainability(*, programme_id: int, partnerships: QuerySet[Partnership]) -> list[ProgrammeRow]:
    """Health-check and readiness scores across the programme's partnerships (`partnerships`: those the reader
    may see), largest gap first: for each, its newest completed round of each kind (whichever instrument of that
    kind it used, which the row names: `health_instrument`, `readiness_instrument`), and how many of its rounds
    still wait for a side (`waiting`: rounds of every instrument, health check or not, that at least one side
    has not submitted yet, whether still before their due date or overdue; cancelled rounds wait for nobody). Four queries, however many partnerships, rounds and answers: the scores are averaged
    in the database (section_scores).

    Raises: nothing.
    """
    kinds = (Instrument.Kind.HEALTH_CHECK, Instrument.Kind.READINESS)
    partnership_list = list(partnerships.filter(programme_id=programme_id).order_by("title", "id"))
    rounds = (
        AssessmentRound.objects.filter(partnership_id__in=[p.pk for p in partnership_list])
        .not_cancelled()  # a cancelled round waits for nobody
        .order_by("-due_date", "-created_at", "-id")
        .values_list(
            "pk",
            "partnership_id",
            "instrument_version__instrument__kind",
            "instrument_version_id",
            "instrument_version__number",
            "instrument_version__instrument__name",
            "host_submitted_at",
            "resource_submitted_at",
        )
    )
    latest: dict[tuple[int, str], tuple[int, int, int, str]] = {}
    waiting: dict[int, int] = {}
    for round_id, partnership_id, kind, version_id, number, name, host_at, resource_at in rounds:
        if host_at is not None and resource_at is not None:
            if kind in kinds:
                latest.setdefault((partnership_id, kind), (round_id, version_id, number, name))
        else:
            waiting[partnership_id] = waiting.get(partnership_id, 0) + 1
    computed = section_scores(sorted(round_id for round_id, *_rest in latest.values()))
    health_versions = {
        v for (_p, kind), (_r, v, *_rest) in latest.items() if kind == Instrument.Kind.HEALTH_CHECK
    }
    titles = (
        {
            pk: shipped_name(title)
            for pk, title in Section.objects.filter(version_id__in=health_versions).values_list("id", "title")
        }
        if health_versions
        else {}
    )
    result = []
    for p in partnership_list:
        health = latest.get((p.pk, Instrument.Kind.HEALTH_CHECK))
        readiness = latest.get((p.pk, Instrument.Kind.READINESS))
        health_sections = computed.get(health[0], {}) if health else {}
        result.append(
            ProgrammeRow(
                partnership=p,
                health_scores=scores.overall_of(health_sections.values()) if health else None,
                health_sections=health_sections,
                section_titles=titles,
                readiness_scores=scores.overall_of(computed.get(readiness[0], {}).values())
                if readiness
                else None,
                waiting=waiting.get(p.pk, 0),
                health_version=health[2] if health else None,
                readiness_version=readiness[2] if readiness else None,
                health_instrument=version_name(shipped_name(health[3]), health[2]) if health else None,
                readiness_instrument=version_name(shipped_name(readiness[3]), readiness[2])
                if readiness
                else None,
            )
        )
    return sorted(result, key=lambda row: (-row.largest_gap, row.partnership.title))


@dataclass(frozen=True)
class MutualBenefit:
    """The balance of what each side gave and gained (issue 13), from what the partnership recorded: exchanges
    and person-days each direction (exchanges.selectors.exchange_summary), people trained on each side,
    mentoring each way and what each side said it learned (exchanges.selectors.benefit_by_side)."""

    directions: list[Any]
    by_side: Any

    def direction(self, code: str) -> Any:
        return next((d for d in self.directions if d.direction == code), None)


def mutual_benefit(*, partnership: Partnership) -> MutualBenefit:
    """The partnership's mutual benefit summary; the caller has checked the reader sees the partnership.
    A fixed number of queries.

    Raises: nothing.
    """
    summary = exchange_summary(partnership=partnership)
    return MutualBenefit(directions=summary.directions, by_side=benefit_by_side(partnership))


def round_comments(
    *, assessment_round: AssessmentRound, access: PartnershipAccess
) -> dict[int, list[tuple[str, str, int]]]:
    """The comments of the round's submitted sheets that the reader may see (`sees_assessment_comments`: their
    own side's before both submit, both sides' after, never for readers), as item id -> [(side, comment, how
    many of the side's respondents wrote it)]: a comment two respondents of a side wrote alike is said once.
    One query, none when nothing may be seen.

    Raises: nothing.
    """
    revealed = assessment_round.is_revealed
    sides = [s for s in scores.SIDES if access.sees_assessment_comments(s, revealed=revealed)]
    if not sides:
        return {}
    rows = (
        Answer.objects.filter(
            response__round=assessment_round, response__submitted_at__isnull=False, response__side__in=sides
        )
        .exclude(comment="")
        .order_by("item_id", "response__side", "response__created_at")
        .values_list("item_id", "response__side", "comment")
    )
    counted: dict[int, dict[tuple[str, str], int]] = {}
    for item_id, side, comment in rows:
        said = counted.setdefault(item_id, {})  # a dict keeps the order the comments were first written in
        said[(side, comment)] = said.get((side, comment), 0) + 1
    return {
        item_id: [(side, comment, n) for (side, comment), n in said.items()]
        for item_id, said in counted.items()
    }
