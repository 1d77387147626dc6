"""The sections of a donor report, in order: the one list (`SECTIONS`) a new part of the report is added to.

A section is a `SectionSpec`: a key, a title, and a builder that takes the report's `Scope` (who asks, which
programme, partnerships and period, and whether only approved periods count) and returns its `Section`: blocks
for the PDF (narratives, charts with their numbers beside them, tables) and the tables the XLSX writes as sheets.
Builders read every figure through the selectors of the app that owns it and draw charts and tables with that
app's own `figures` helpers, so a report shows what the pages show.

To add a section (the knowledge app's adoptions and replications, say, once they exist), write its builder here or in a module of this package and append a `SectionSpec` to `SECTIONS`, or call
`register_section(spec, after="exchanges")`; the PDF's contents, the XLSX and the background job's progress pick
it up with nothing else to change.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from twinning.accounts.models import User
from twinning.contributions.figures import (
    figure_columns,
    figure_values,
    leverage_charts,
    leverage_tables,
    partnership_years_table,
)
from twinning.contributions.selectors import leverage_report
from twinning.core.exports import Column, Table
from twinning.core.reference import country_name, name_sort_key, shipped_name
from twinning.core.rendering import labelled
from twinning.exchanges.figures import summary_charts, summary_tables
from twinning.exchanges.models import MentoringPair
from twinning.exchanges.selectors import ExchangeSummary, exchange_list, exchange_summary
from twinning.knowledge.models import Practice
from twinning.knowledge.selectors import practice_list
from twinning.monitoring import progress
from twinning.monitoring.figures import progress_chart, progress_table, rollup_chart, rollup_tables
from twinning.monitoring.selectors import IndicatorProgress, partnerships_progress, programme_rollup
from twinning.monitoring.services import monitoring_settings
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.models import Indicator, Plan
from twinning.planning.periods import Period, parse_period, period_label
from twinning.reports import selectors
from twinning.sustainability.models import Instrument
from twinning.sustainability.models_transition import TransitionItem
from twinning.sustainability.scores import score_note, score_round
from twinning.sustainability.selectors import latest_scores

EXCHANGE_ROWS = 500  # a report lists at most this many exchanges of the period; the summary counts them all


@dataclass
class Scope:
    """What one report covers: `partnership` for a partnership report (None for the programme's), the
    partnerships in it, the period, and `approved_only` (a reader's report counts approved periods only)."""

    user: User
    programme: Programme
    partnerships: list[Partnership]
    period: Period
    approved_only: bool
    partnership: Partnership | None = None
    on_step: Callable[[], None] | None = None  # told after each section and each partnership's IPTT
    leverage: Any = None  # the leverage report to the period's end, read once (see `scope_leverage`)

    @property
    def is_programme(self) -> bool:
        return self.partnership is None

    def step(self) -> None:
        if self.on_step is not None:
            self.on_step()


@dataclass
class Narrative:
    """One period report's narrative, as the report quotes it."""

    heading: str
    achievements: str
    challenges: str
    next_steps: str


@dataclass
class Figure:
    """A chart with the table of its numbers beside it (DESIGN.md: every chart has its numbers)."""

    heading: str
    chart: SafeString
    table: Table
    note: str = ""


@dataclass
class Block:
    """One thing a section shows in the PDF: a sub-heading, a paragraph, a narrative, a figure or a table."""

    kind: str  # "heading", "text", "narrative", "figure", "table"
    heading: str = ""
    text: str = ""
    narrative: Narrative | None = None
    figure: Figure | None = None
    table: Table | None = None


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    sheets: list[Table] = field(default_factory=list)  # what the XLSX writes, a sheet each


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str | Promise
    build: Callable[[Scope, Section], None]


def scope_leverage(scope: Scope) -> Any:
    """The leverage report of the report's programme (or partnership) to the period's end, read once a report."""
    if scope.leverage is None:
        scope.leverage = leverage_report(
            programme=scope.programme, partnership=scope.partnership, until=scope.period.end
        )
    return scope.leverage


# --- narrative -------------------------------------------------------------------------------------------


def narrative_section(scope: Scope, section: Section) -> None:
    """The narratives (achievements, challenges, next steps) of the period reports inside the period."""
    reports = selectors.period_narratives(scope.partnerships, scope.period, approved_only=scope.approved_only)
    rows: list[Sequence[Any]] = []
    for report in reports:
        heading = period_label(report.period)
        # The demo's narratives are shipped texts, read in the reader's language; typed ones stay as typed.
        texts = [shipped_name(t) for t in (report.achievements, report.challenges, report.next_steps)]
        if scope.is_programme:
            heading = f"{report.partnership.title} · {heading}"
        section.blocks.append(
            Block(
                "narrative",
                narrative=Narrative(heading, *texts),
            )
        )
        rows.append((report.partnership.title, period_label(report.period), *texts))
    if not reports:
        section.blocks.append(Block("text", text=_("No narrative was written for this period.")))
    section.sheets.append(
        Table(
            key="narrative",
            title=_("Narrative"),
            columns=[
                Column(_("Partnership")),
                Column(_("Period")),
                Column(_("Achievements")),
                Column(_("Challenges")),
                Column(_("Next steps")),
            ],
            rows=rows,
        )
    )


# --- the indicator performance tracking table ----------------------------------------------------------


def iptt_columns() -> list[Column]:
    """The IPTT's columns, in the order of `iptt_rows`. Raises: nothing."""
    return [
        Column(_("Code")),
        Column(_("Indicator")),
        Column(_("Unit")),
        Column(_("Disaggregation")),
        Column(_("Period")),
        Column(_("Baseline"), "number"),
        Column(_("Target"), "number"),
        Column(_("Actual"), "number"),
        Column(_("Cumulative actual"), "number"),
        Column(_("Cumulative target"), "number"),
        # xgettext:no-python-format
        Column(_("% of target met"), "percent"),
        Column(_("Status")),
        Column(_("Note")),
    ]


def _grade_label(percent: Any, thresholds: Any) -> str:
    grade = progress.grade(percent, thresholds.on_track_percent, thresholds.at_risk_percent)
    return str(progress.Grade.LABELS.get(grade or "", ""))


def iptt_rows(
    row: IndicatorProgress,
    breakdowns: dict[tuple[int, str], list[selectors.OptionValue]],
    thresholds: Any,
) -> list[tuple[Any, ...]]:
    """One indicator's IPTT rows: each period's target and actual (with the cumulative figures where the
    indicator sums over time, as `partnership_progress` gives them) and its disaggregated values, then the
    "to date" row with the selector's own achievement, % of target and grade.

    A period's % of target is `progress.achievement_percent` of that period's cumulative (or, for indicators
    that do not sum, its own) actual against target, graded by the programme's thresholds: the rule the
    dashboard's to-date figure uses.

    Raises: nothing.
    """
    indicator = row.indicator
    adoption = row.plan_indicator
    cumulates = indicator.time_aggregation == Indicator.TimeAggregation.SUM
    qualitative = indicator.measure == Indicator.Measure.QUALITATIVE
    unit = indicator.unit_to_show or ("%" if indicator.measure == Indicator.Measure.PERCENTAGE else "")
    head = (indicator.code, indicator.shown_name, unit)
    total = _("Total")
    out: list[tuple[Any, ...]] = []
    for point in row.points:
        actual, target = (
            (point.cumulative, point.cumulative_target) if cumulates else (point.actual, point.target)
        )
        percent = None if qualitative else progress.achievement_percent(indicator.direction, actual, target)
        note = shipped_name(point.text) if qualitative else ""
        if point.derived:
            note = _("from the breakdown")
        elif point.flagged:
            note = _("total missing")
        out.append(
            (
                *head,
                total,
                point.period.label(),
                adoption.baseline_value,
                point.target,
                None if qualitative else point.actual,
                point.cumulative if cumulates and not qualitative else None,
                point.cumulative_target if cumulates else None,
                percent,
                _grade_label(percent, thresholds) if percent is not None else "",
                note,
            )
        )
        for option in breakdowns.get((indicator.pk, point.period.id), []):
            out.append(
                (
                    *head,
                    labelled(option.category, option.option),
                    point.period.label(),
                    None,
                    option.target,
                    option.value,
                    None,
                    None,
                    None,
                    "",
                    "",
                )
            )
    out.append(
        (
            *head,
            total,
            _("To date"),
            adoption.baseline_value,
            adoption.end_target,
            None if qualitative else row.achieved,
            None,
            row.target_to_date,
            row.percent_of_target,
            row.grade_label,
            _("Target: end of plan") if adoption.end_target is not None else "",
        )
    )
    return out


def partnerships_iptt(
    scope: Scope,
) -> dict[int, tuple[Plan | None, list[IndicatorProgress], Table]]:
    """Each partnership's progress as its dashboard computes it (`partnerships_progress`, as of the period's
    end) and its IPTT as a table, by partnership id: the same queries however many partnerships.

    Raises: nothing.
    """
    found = partnerships_progress(
        scope.partnerships,
        today=selectors.reports_as_of(scope.partnerships, scope.period),
        approved_only=scope.approved_only,
    )
    plans = {pk: plan for pk, (plan, _rows) in found.items() if plan is not None}
    breakdowns = selectors.breakdown_values(plans, approved_only=scope.approved_only)
    thresholds = monitoring_settings(scope.programme)
    out = {}
    for partnership in scope.partnerships:
        plan, rows = found[partnership.pk]
        mine = breakdowns.get(partnership.pk, {})
        out[partnership.pk] = (
            plan,
            rows,
            Table(
                key=f"iptt-{slugify(partnership.title)[:40] or partnership.pk}",
                title=_("IPTT %(partnership)s") % {"partnership": partnership.title},
                columns=iptt_columns(),
                rows=[r for row in rows for r in iptt_rows(row, mine, thresholds)],
            ),
        )
    return out


def iptt_section(scope: Scope, section: Section) -> None:
    """Each partnership's IPTT (one XLSX sheet each) and, for a partnership report, the dashboard's charts."""
    iptts = partnerships_iptt(scope)
    for partnership in scope.partnerships:
        scope.step()
        plan, rows, table = iptts[partnership.pk]
        if scope.is_programme:
            section.blocks.append(Block("heading", heading=partnership.title))
        if plan is None:
            section.blocks.append(Block("text", text=_("This partnership has no agreed plan yet.")))
            continue
        section.blocks.append(
            Block(
                "text",
                text=_("Against %(title)s (version %(number)s).")
                % {"title": plan.shown_title, "number": plan.number},
            )
        )
        section.blocks.append(Block("table", table=table))
        section.sheets.append(table)
        if not scope.is_programme:
            for row in rows:
                section.blocks.append(
                    Block(
                        "figure",
                        figure=Figure(str(row.indicator), progress_chart(row), progress_table(row)),
                    )
                )


# --- the programme summary ----------------------------------------------------------------------------------


def programme_summary_section(scope: Scope, section: Section) -> None:
    """The programme dashboard's roll-up of common indicators for the period's year, up to the period's end
    (programme_rollup), with its charts; one summary sheet of every indicator's periods."""
    rollup = programme_rollup(
        scope.programme, first=scope.period.year, last=scope.period.year, approved_only=scope.approved_only
    )
    summary_rows: list[Sequence[Any]] = []
    for indicator_rollup in rollup.indicators:
        # The roll-up is by year: periods ending after the report's period are not shown.
        indicator_rollup.periods = [p for p in indicator_rollup.periods if _ends_by(p, scope.period)]
        if not indicator_rollup.periods:
            continue
        totals, countries, pillars = rollup_tables(indicator_rollup, rollup.pillars)
        indicator = indicator_rollup.indicator
        section.blocks.append(
            Block("figure", figure=Figure(str(indicator), rollup_chart(indicator_rollup), totals))
        )
        section.blocks.append(Block("table", table=countries))
        section.blocks.append(Block("table", table=pillars))
        summary_rows += [
            (indicator.code, indicator.shown_name, period_label(p), v, n, t)
            for p, v, n, t in indicator_rollup.total_rows()
        ]
    if not summary_rows:
        section.blocks.append(Block("text", text=_("No results of common indicators for this period yet.")))
    section.sheets.append(
        Table(
            key="programme-summary",
            title=_("Programme summary"),
            columns=[
                Column(_("Code")),
                Column(_("Indicator")),
                Column(_("Period")),
                Column(_("Programme"), "number"),
                Column(_("Partnerships reporting"), "number"),
                Column(_("Their target"), "number"),
            ],
            rows=summary_rows,
        )
    )
    section.sheets += breakdown_tables(scope)


def breakdown_tables(scope: Scope) -> list[Table]:
    """The programme report's sheets by country and by pillar (selectors.report_breakdown): partnerships,
    indicators and overall results of the period, exchanges of the period and their participants, and
    contributions to date in the reporting currency. A partnership working under several pillars counts under
    each, which the pillar sheet's last row says."""
    leverage = scope_leverage(scope)
    breakdown = selectors.report_breakdown(
        user=scope.user,
        programme=scope.programme,
        partnerships=scope.partnerships,
        period=scope.period,
        approved_only=scope.approved_only,
        leverage=leverage,
    )
    currency = leverage.currency

    def columns(first: str) -> list[Column]:
        return [
            Column(first),
            Column(_("Partnerships"), "number"),
            Column(_("Indicators"), "number"),
            Column(_("Results reported in the period"), "number"),
            Column(_("Exchanges in the period"), "number"),
            Column(_("People in them"), "number"),
            Column(_("Donor funds"), "money", currency),
            Column(_("In-kind pledged"), "money", currency),
            Column(_("In-kind verified"), "money", currency),
        ]

    def figures(part: selectors.Slice) -> tuple[Any, ...]:
        return (
            part.partnerships,
            part.indicators,
            part.results,
            part.exchanges,
            part.people,
            part.funds,
            part.inkind_pledged,
            part.inkind_verified,
        )

    countries = sorted(
        ((country_name(code) or _("Unknown"), part) for code, part in breakdown.by_country.items()),
        key=lambda row: name_sort_key(row[0]),
    )
    total = selectors.Slice()
    for _name, part in countries:
        selectors.add_slice(total, part)
    by_country = Table(
        key="by-country",
        title=_("By country"),
        columns=columns(_("Country")),
        rows=[*((name, *figures(part)) for name, part in countries), (_("Total"), *figures(total))],
    )
    by_pillar = Table(
        key="by-pillar",
        title=_("By pillar"),
        columns=columns(_("Pillar")),
        rows=[
            *((shipped_name(name), *figures(part)) for name, part in breakdown.by_pillar.items()),
            (
                _("A partnership working under several pillars counts under each."),
                *([None] * 8),
            ),
        ],
    )
    return [by_country, by_pillar]


def _ends_by(period_id: str, period: Period) -> bool:
    try:
        return parse_period(period_id).end <= period.end
    except ValueError:
        return False


# --- exchanges, trainings and mentoring -------------------------------------------------------------------


def _mentoring_table(summary: ExchangeSummary) -> Table:
    return Table(
        key="mentoring",
        title=_("Mentoring"),
        columns=[Column(_("What")), Column(_("Count"), "number")],
        rows=[
            *(
                (
                    _("Pairs: %(status)s")
                    % {"status": dict(MentoringPair.Status.choices).get(status, status)},
                    n,
                )
                for status, n in summary.mentoring_by_status.items()
            ),
            (_("Sessions"), summary.mentoring_sessions),
            (_("Hours"), summary.mentoring_hours),
        ],
    )


def _period_exchanges_table(scope: Scope) -> Table:
    exchanges = exchange_list(
        user=scope.user,
        partnership=scope.partnership,
        programme=scope.programme if scope.is_programme else None,
    ).filter(start_date__lte=scope.period.end, end_date__gte=scope.period.start)[:EXCHANGE_ROWS]
    rows: list[Sequence[Any]] = [
        (
            e.partnership.title,
            e.shown_title,
            e.get_type_display(),
            e.get_direction_display(),
            e.start_date,
            e.end_date,
            e.participant_count,  # type: ignore[attr-defined]  # annotated by exchange_list
            e.get_status_display(),
        )
        for e in exchanges
    ]
    if rows:
        rows.append(
            (
                _("Total"),
                ngettext("%(count)s exchange", "%(count)s exchanges", len(rows)) % {"count": len(rows)},
                None,
                None,
                None,
                None,
                sum(row[6] or 0 for row in rows),
                None,
            )
        )
    return Table(
        key="period-exchanges",
        title=_("Exchanges in %(period)s") % {"period": scope.period.label()},
        columns=[
            Column(_("Partnership")),
            Column(_("Exchange")),
            Column(_("Type")),
            Column(_("Direction")),
            Column(_("From"), "date"),
            Column(_("To"), "date"),
            Column(_("People"), "number"),
            Column(_("Status")),
        ],
        rows=rows,
    )


def exchanges_section(scope: Scope, section: Section) -> None:
    """The exchange summary to date (as its page shows it: by direction, people trained, mentoring, with its
    charts) and the exchanges that ran in the period."""
    summary = (
        exchange_summary(programme=scope.programme)
        if scope.is_programme
        else exchange_summary(partnership=scope.partnership)
    )
    tables = summary_tables(summary)
    charts = summary_charts(summary)
    section.blocks.append(Block("text", text=_("Totals to date.")))
    section.blocks.append(
        Block(
            "figure",
            figure=Figure(str(tables["directions"].title), charts["direction_chart"], tables["directions"]),
        )
    )
    section.blocks.append(
        Block(
            "figure", figure=Figure(str(tables["trained"].title), charts["trained_chart"], tables["trained"])
        )
    )
    mentoring = _mentoring_table(summary)
    section.blocks.append(Block("table", table=mentoring))
    sheets = [tables["directions"], tables["trained"], mentoring]
    if scope.is_programme:
        section.blocks.append(Block("table", table=tables["partnerships"]))
        sheets.append(tables["partnerships"])
    listed = _period_exchanges_table(scope)
    section.blocks.append(Block("table", table=listed))
    section.sheets += [*sheets, listed]


# --- contributions and leverage ------------------------------------------------------------------------------


def contributions_section(scope: Scope, section: Section) -> None:
    """Donor funds and in-kind contributions, pledged against verified, and leverage, by year (and, for the
    programme, by country and partnership), as the leverage pages show them (leverage_report), to the end of
    the report's period: funds for award days not yet come, and later contributions, are left out."""
    report = scope_leverage(scope)
    charts = leverage_charts(report)
    if scope.is_programme:
        tables = leverage_tables(report)
        years = tables["years"]
        others = [tables["countries"], tables["partnerships"], tables["unconverted"]]
    else:
        assert scope.partnership is not None
        years = partnership_years_table(scope.partnership, report)
        others = []
    total = Table(
        key="leverage-total",
        title=_("Contributions and leverage to date"),
        columns=[Column(_("Scope")), *figure_columns(report.currency)],
        rows=[
            (
                scope.partnership.title if scope.partnership else scope.programme.name,
                *figure_values(report.total),
            )
        ],
    )
    section.blocks.append(Block("table", table=total))
    section.blocks.append(Block("figure", figure=Figure(str(years.title), charts["year_chart"], years)))
    if scope.is_programme:
        section.blocks.append(
            Block("figure", figure=Figure(_("By country"), charts["country_chart"], others[0]))
        )
        section.blocks += [Block("table", table=t) for t in others[1:] if t.rows]
    section.sheets += [total, years, *others]


# --- health checks and sustainability (the sustainability app) --------------------------------------------


def _score(value: float | None) -> Decimal | None:
    return score_round(value)


def sustainability_section(scope: Scope, section: Section) -> None:
    """Each partnership's latest completed assessment of each kind (health check, sustainability capacity,
    transition readiness): overall and per section, each side's score 0-100, combined and the gap, as
    `latest_scores` gives them (completed rounds only: every reader of the partnership sees those)."""
    rows: list[Sequence[Any]] = []
    kinds = [(kind, label) for kind, label in Instrument.Kind.choices if kind != Instrument.Kind.OTHER]
    latest = latest_scores(partnership_ids=[p.pk for p in scope.partnerships], kinds=[k for k, _l in kinds])
    for partnership in scope.partnerships:
        for kind, label in kinds:
            found = latest.get((partnership.pk, kind))
            if found is None:
                continue
            # The version names which statements were scored: two versions' scores do not compare line by line.
            head = (
                partnership.title,
                str(label),
                found.round.instrument_version.number,
                found.round.shown_title,
                found.round.due_date,
            )
            lines = [
                (_("Overall"), found.overall),
                *((part.shown_title, scored) for part, scored in found.sections),
            ]
            rows += [
                (
                    *head,
                    name,
                    _score(sc.host),
                    _score(sc.resource),
                    _score(sc.combined),
                    _score(sc.gap),
                    score_note(sc),
                )
                for name, sc in lines
            ]
    # A line only one side scored (the other marked it "not applicable") has a combined score of that side
    # alone and no gap: the table then says so in a last column, which it leaves out when no line needs it.
    noted = any(row[-1] for row in rows)
    rows = [row if noted else row[:-1] for row in rows]
    table = Table(
        key="assessments",
        title=_("Health checks and sustainability"),
        columns=[
            Column(_("Partnership")),
            Column(_("Assessment")),
            Column(_("Version"), "number", places=0),
            Column(_("Round")),
            Column(_("Due"), "date"),
            Column(_("Section")),
            Column(_("Host side"), "number"),
            Column(_("Resource side"), "number"),
            Column(_("Combined"), "number"),
            Column(_("Gap"), "number"),
            *([Column(_("Note"))] if noted else []),
        ],
        rows=rows,
    )
    if not rows:
        section.blocks.append(
            Block("text", text=_("No assessment round has been completed by both sides yet."))
        )
    else:
        section.blocks.append(
            Block("text", text=_("Scores from 0 to 100, of the latest round both sides submitted."))
        )
        section.blocks.append(Block("table", table=table))
    section.sheets.append(table)
    transition = _transition_table(scope)
    if transition.rows:
        section.blocks.append(Block("table", table=transition))
        section.sheets.append(transition)


def _transition_table(scope: Scope) -> Table:
    """What the host side of each of the report's partnerships takes over when the funding ends (its transition
    plan's items, whether the plan is signed): every reader of the partnership reads its plan. Two queries."""
    items = (
        TransitionItem.objects.filter(plan__partnership__in=[p.pk for p in scope.partnerships])
        .select_related("plan__partnership", "owner")
        .order_by("plan__partnership__title", "kind", "title", "id")
    )
    return Table(
        key="transition",
        title=_("Transition plan"),
        columns=[
            Column(_("Partnership")),
            Column(_("Transition plan")),
            Column(_("What")),
            Column(_("Kind")),
            Column(_("Continues")),
            Column(_("Responsible")),
            Column(_("Funded by")),
            Column(_("From"), "date"),
        ],
        rows=[
            (
                i.plan.partnership.title,
                _("Signed") if i.plan.signed_at else _("Draft"),
                i.title,
                i.get_kind_display(),
                _("yes") if i.continues else _("no"),
                ", ".join(x for x in (i.owner.full_name if i.owner else "", i.owner_role) if x),
                i.get_funding_source_display() if i.continues else "",
                i.takes_over_on,
            )
            for i in items
        ],
    )


# --- practices (the knowledge app) ---------------------------------------------------------------------------

PRACTICE_ROWS = 200


def practices_section(scope: Scope, section: Section) -> None:
    """The published practices (in the programme or publicly) of the report's partnerships that the asker may
    read (knowledge.selectors.practice_list), newest first."""
    published = (Practice.Status.PROGRAMME, Practice.Status.PUBLIC)
    practices = (
        practice_list(user=scope.user)
        .filter(status__in=published, partnerships__in=[p.pk for p in scope.partnerships])
        .distinct()[:PRACTICE_ROWS]
    )
    table = Table(
        key="practices",
        title=_("Practices"),
        columns=[Column(_("Practice")), Column(_("Partnerships")), Column(_("Status")), Column(_("Summary"))],
        rows=[
            (
                p.shown_title,
                ", ".join(sorted((q.title for q in p.partnerships.all()), key=name_sort_key)),
                p.get_status_display(),  # type: ignore[attr-defined]
                summary if len(summary := shipped_name(p.summary)) <= 300 else summary[:299] + "…",
            )
            for p in practices
        ],
    )
    if not table.rows:
        section.blocks.append(Block("text", text=_("No practice of these partnerships is published yet.")))
    else:
        section.blocks.append(Block("table", table=table))
    section.sheets.append(table)


SECTIONS: list[SectionSpec] = [
    SectionSpec("narrative", gettext_lazy("Narrative"), narrative_section),
    SectionSpec("programme-summary", gettext_lazy("Programme summary"), programme_summary_section),
    SectionSpec("iptt", gettext_lazy("Indicator performance tracking table"), iptt_section),
    SectionSpec("exchanges", gettext_lazy("Exchanges, trainings and mentoring"), exchanges_section),
    SectionSpec("contributions", gettext_lazy("Contributions and leverage"), contributions_section),
    SectionSpec("sustainability", gettext_lazy("Health checks and sustainability"), sustainability_section),
    SectionSpec("practices", gettext_lazy("Practices"), practices_section),
]
PROGRAMME_ONLY = {"programme-summary"}


def register_section(spec: SectionSpec, *, after: str | None = None) -> None:
    """Add a section to every report, after the section keyed `after` (at the end when None or unknown).

    Raises: ValueError (a section with that key is already there).
    """
    if any(s.key == spec.key for s in SECTIONS):
        raise ValueError(f"A report section {spec.key!r} is already registered.")
    keys = [s.key for s in SECTIONS]
    SECTIONS.insert(keys.index(after) + 1 if after in keys else len(SECTIONS), spec)


def sections_for(scope: Scope) -> list[SectionSpec]:
    """The sections of this report, in order (the programme summary only in a programme report).

    Raises: nothing.
    """
    return [s for s in SECTIONS if scope.is_programme or s.key not in PROGRAMME_ONLY]


def step_count(scope: Scope) -> int:
    """How many steps `build_sections` reports through `scope.on_step`: one per section and one per
    partnership's IPTT. Raises: nothing."""
    return len(sections_for(scope)) + len(scope.partnerships)


def build_sections(scope: Scope) -> list[Section]:
    """Every section of the report, built in order; `scope.on_step()` is called after each section and
    before each partnership's IPTT (step_count steps in all), for a background job's progress.

    Raises: nothing.
    """
    out = []
    for spec in sections_for(scope):
        section = Section(key=spec.key, title=str(spec.title))
        spec.build(scope, section)
        out.append(section)
        scope.step()
    return out
