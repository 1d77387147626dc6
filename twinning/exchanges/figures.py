"""The charts and tables of the exchange summaries, public so the pages and the donor reports (twinning.reports)
show the same figures.
"""

from functools import partial
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from twinning.core import charts
from twinning.core.exports import Column, Link, Table
from twinning.exchanges.selectors import (
    ExchangeSummary,
)

# --- exchanges -----------------------------------------------------------------------------------


def summary_charts(summary: ExchangeSummary) -> dict[str, Any]:
    """The summary page's two charts ("direction_chart", "trained_chart") as SVG markup.
    Raises: nothing.
    """
    return {
        "direction_chart": charts.bar_chart(
            [(row.label, [row.person_days]) for row in summary.directions],
            title=_("Person-days by direction"),
        ),
        "trained_chart": charts.bar_chart(
            [(cell.label, [cell.total]) for cell in summary.trained], title=_("People trained by cadre")
        ),
    }


def summary_tables(summary: ExchangeSummary) -> dict[str, Table]:
    """The summary page's tables, each with its total row where the page has one."""
    count = partial(Column, kind="number")
    sexes = list(summary.sexes)
    tables = [
        Table(
            key="directions",
            title=_("Exchanges by direction"),
            columns=[
                Column(_("Direction")),
                count(_("Completed")),
                count(_("Planned")),
                count(_("Participants")),
                count(_("Person-days")),
            ],
            rows=[
                *(
                    (r.label, r.completed, r.planned, r.participants, r.person_days)
                    for r in summary.directions
                ),
                (_("Total"), summary.total_exchanges, None, None, summary.total_person_days),
            ],
        ),
        Table(
            key="trained",
            title=_("Unique people trained by cadre and sex"),
            columns=[Column(_("Cadre")), *(count(label) for _code, label in sexes), count(_("Total"))],
            rows=[
                *(
                    (cell.label, *(cell.by_sex.get(code, 0) for code, _label in sexes), cell.total)
                    for cell in summary.trained
                ),
                (
                    _("Total"),
                    *(summary.trained_by_sex.get(code, 0) for code, _label in sexes),
                    summary.total_trained,
                ),
            ]
            if summary.trained
            else [],
        ),
        Table(
            key="partnerships",
            title=_("Exchanges and training by partnership"),
            columns=[
                Column(_("Partnership")),
                count(_("Exchanges")),
                count(_("Person-days")),
                count(_("People trained")),
            ],
            rows=[
                (
                    Link(
                        row["partnership"].title, reverse("exchanges:summary", args=[row["partnership"].uuid])
                    ),
                    row["exchanges"],
                    row["person_days"],
                    row["trained"],
                )
                for row in summary.by_partnership
            ],
        ),
    ]
    return {t.key: t for t in tables}
