"""The charts and tables of the results dashboards, public so the pages and the donor reports (twinning.reports)
draw the same figures from the same selectors.
"""

from typing import Any

from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _

from twinning.core import charts
from twinning.core.exports import Column, Table
from twinning.core.reference import country_name, name_sort_key, shipped_name
from twinning.core.rendering import degrades_to, nothing
from twinning.monitoring import selectors
from twinning.partnerships.models import Pillar
from twinning.planning.models import Indicator
from twinning.planning.periods import period_label


@degrades_to(nothing)
def progress_chart(row: selectors.IndicatorProgress) -> SafeString:
    """One indicator's bars (achieved per period) and line (target), as the partnership dashboard draws it;
    nothing on data it cannot draw. Raises: nothing.
    """
    return charts.bar_line_chart(
        str(row.indicator),
        [p.period.label() for p in row.points],
        [p.actual for p in row.points],
        [p.target for p in row.points],
    )


@degrades_to(nothing)
def rollup_chart(rollup: selectors.IndicatorRollUp) -> SafeString:
    """A common indicator's programme values per period against the reporting partnerships' targets, as
    the programme dashboard draws it. Raises: nothing.
    """
    rows = rollup.total_rows()
    return charts.bar_line_chart(
        str(rollup.indicator),
        [period_label(p) for p, _v, _n, _t in rows],
        [v for _p, v, _n, _t in rows],
        [t for _p, _v, _n, t in rows],
        line_name=_("Their target"),
    )


def value_kind(indicator: Indicator) -> str:
    """The Table column kind of an indicator's values: "percent" for percentages, else "number".
    Raises: nothing.
    """
    return "percent" if indicator.measure == Indicator.Measure.PERCENTAGE else "number"


def rollup_tables(
    rollup: selectors.IndicatorRollUp, pillars: dict[int, Pillar]
) -> tuple[Table, Table, Table]:
    """The programme dashboard's three tables of one indicator: by period, by host country, by pillar.
    Raises: nothing.
    """
    """The programme dashboard's three tables of one indicator: by period, by host country, by pillar."""
    indicator = rollup.indicator
    kind = value_kind(indicator)
    key = slugify(indicator.code) or str(indicator.pk)
    name = str(indicator)
    periods = [period_label(p) for p in rollup.periods]
    totals = Table(
        key=f"{key}-periods",
        title=name,
        columns=[
            Column(_("Period")),
            Column(_("Programme"), kind),
            Column(_("Partnerships reporting"), "number"),
            Column(_("Their target"), kind),
        ],
        rows=[(period_label(p), v, n, t) for p, v, n, t in rollup.total_rows()],
    )
    by_country = Table(
        key=f"{key}-countries",
        title=_("%(indicator)s by host country") % {"indicator": name},
        columns=[Column(_("Host country")), *(Column(p, kind) for p in periods)],
        rows=[(country_name(c) or _("Unknown"), *values) for c, values in rollup.country_rows()],
    )
    by_pillar = Table(
        key=f"{key}-pillars",
        title=_("%(indicator)s by pillar") % {"indicator": name},
        columns=[Column(_("Pillar")), *(Column(p, kind) for p in periods)],
        rows=[(str(pillar), *values) for pillar, values in rollup.pillar_rows(pillars)],
    )
    by_country.rows.sort(key=lambda row: name_sort_key(row[0]))
    return totals, by_country, by_pillar


def progress_table(row: selectors.IndicatorProgress) -> Table:
    """One indicator's periods on the partnership dashboard: achieved and target, each and to date."""
    indicator = row.indicator
    kind = value_kind(indicator)
    qualitative = indicator.measure == Indicator.Measure.QUALITATIVE

    def note(point: Any) -> str:
        if point.text:
            return ""
        if point.derived:
            return _("from the breakdown")
        return _("total missing") if point.flagged else ""

    def achieved(point: Any) -> Any:
        if qualitative:
            text = shipped_name(point.text or "")  # the demo's qualitative results are shipped texts
            return text if len(text) <= 60 else text[:59] + "…"
        return point.actual

    return Table(
        key=slugify(indicator.code) or f"indicator-{row.plan_indicator.uuid}",
        title=str(indicator),
        columns=[
            Column(_("Period")),
            Column(_("Achieved"), "text" if qualitative else kind),
            Column(_("Target"), kind),
            Column(_("To date"), kind),
            Column(_("Target to date"), kind),
            Column(_("Note")),
        ],
        rows=[
            (p.period.label(), achieved(p), p.target, p.cumulative, p.cumulative_target, note(p))
            for p in row.points
        ],
    )
