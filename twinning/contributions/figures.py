"""The charts and tables of the leverage reports, public so the pages and the donor reports (twinning.reports)
show the same figures.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from twinning.contributions.models import (
    Basis,
)
from twinning.contributions.selectors import (
    Figures,
    Leverage,
)
from twinning.core import charts
from twinning.core.exports import Column, Link, Table
from twinning.core.reference import country_name, name_sort_key
from twinning.partnerships.models import Partnership


def leverage_charts(report: Leverage) -> dict[str, Any]:
    """The leverage pages' charts ("year_chart", "country_chart"): pledged and verified in-kind value and
    donor funds, in the reporting currency. Raises: nothing.
    """
    series = [_("Pledged in kind"), _("Verified in kind"), _("Donor funds")]
    colours = [charts.LIGHT_BLUE, charts.BLUE, charts.AMBER]
    by_year = [
        (str(year), [f.inkind_pledged, f.inkind_verified, f.funds]) for year, f in report.by_year.items()
    ]
    by_country = [
        (country_name(c) if c else _("Unknown"), [f.inkind_pledged, f.inkind_verified, f.funds])
        for c, f in report.by_country.items()
    ]
    by_country.sort(key=lambda row: name_sort_key(row[0]))
    return {
        "year_chart": charts.bar_chart(
            by_year, series=series, colours=colours, title=_("In-kind value and donor funds by year")
        ),
        "country_chart": charts.bar_chart(
            by_country, series=series, colours=colours, title=_("In-kind value and donor funds by country")
        ),
    }


# --- the reports' tables (page, CSV and XLSX from the same object) --------------------------------------


def _money(header: str, currency: str) -> Column:
    """A column of reporting-currency values, shown in whole units as the leverage pages always were."""
    return Column(header, "money", currency=currency, places=0)


def short_columns(currency: str) -> list[Column]:
    """Funds, in kind pledged and verified, and leverage: the columns of the by-year and by-country tables.
    Raises: nothing.
    """
    return [
        _money(_("Donor funds"), currency),
        _money(_("In kind, pledged"), currency),
        _money(_("In kind, verified"), currency),
        Column(_("Leverage"), "number"),
    ]


def short_figures(f: Figures) -> tuple[Any, ...]:
    """The values of `short_columns` for one slice of the ledger. Raises: nothing."""
    return (f.funds, f.inkind_pledged, f.inkind_verified, f.leverage_verified)


def figure_columns(currency: str) -> list[Column]:
    """Every figure of a slice of the ledger (funds, time and gifts pledged and verified, leverage).
    Raises: nothing.
    """
    return [
        _money(_("Donor funds"), currency),
        _money(_("Time, pledged"), currency),
        _money(_("Time, verified"), currency),
        _money(_("Gifts, pledged"), currency),
        _money(_("Gifts, verified"), currency),
        _money(_("In kind, pledged"), currency),
        _money(_("In kind, verified"), currency),
        Column(_("Leverage, pledged"), "number"),
        Column(_("Leverage, verified"), "number"),
    ]


def figure_values(f: Figures) -> tuple[Any, ...]:
    """The values of `figure_columns` for one slice of the ledger. Raises: nothing."""
    return (
        f.funds,
        f.time_pledged,
        f.time_verified,
        f.gifts_pledged,
        f.gifts_verified,
        f.inkind_pledged,
        f.inkind_verified,
        f.leverage_pledged,
        f.leverage_verified,
    )


def unconverted_kind(kind: str) -> str:
    """The label of an Unconverted amount's kind ("gift", "time", "funds"), as readers see it."""
    labels = {"gift": _("In-kind gift"), "time": _("Volunteer time"), "funds": _("Funds")}
    return str(labels.get(kind, kind))


def partnership_years_table(partnership: Partnership, report: Leverage) -> Table:
    """A partnership's leverage by year, every figure (its leverage page's table). Raises: nothing."""
    return Table(
        key="years",
        title=_("Leverage of %(partnership)s by year") % {"partnership": partnership.title},
        columns=[Column(_("Year")), *figure_columns(report.currency)],
        rows=[(str(year), *figure_values(f)) for year, f in report.by_year.items()],
    )


def unconverted_table(report: Leverage) -> Table:
    """Amounts left out of the totals for want of an exchange rate. Raises: nothing."""
    return Table(
        key="unconverted",
        title=_("Not converted: no exchange rate for the date"),
        columns=[
            Column(_("Partnership")),
            Column(_("What")),
            Column(_("Currency")),
            Column(_("Amount"), "money", currency_from=2),
        ],
        rows=[(u.partnership, unconverted_kind(u.kind), u.currency, u.amount) for u in report.unconverted],
    )


def leverage_tables(report: Leverage) -> dict[str, Table]:
    """The programme leverage page's tables, in its reporting currency."""
    c = report.currency
    labels = dict(Basis.choices)
    countries = sorted(
        ((country_name(code) or _("Unknown"), f) for code, f in report.by_country.items()),
        key=lambda r: name_sort_key(r[0]),
    )
    tables = [
        Table(
            key="basis",
            title=_("Volunteer time on each basis"),
            columns=[Column(_("Basis")), _money(_("Pledged"), c), _money(_("Verified"), c)],
            rows=[
                (labels[value], *report.time_by_basis[value])
                for value, _label in Basis.choices
                if value in report.time_by_basis
            ],
        ),
        Table(
            key="years",
            title=_("Leverage by year"),
            columns=[Column(_("Year")), *short_columns(c)],
            rows=[(str(year), *short_figures(f)) for year, f in report.by_year.items()],
        ),
        Table(
            key="countries",
            title=_("Leverage by country"),
            columns=[Column(_("Country")), *short_columns(c)],
            rows=[(name, *short_figures(f)) for name, f in countries],
        ),
        Table(
            key="partnerships",
            title=_("Leverage by partnership"),
            columns=[Column(_("Partnership")), Column(_("Country")), *figure_columns(c)],
            rows=[
                (
                    Link(
                        row.title,
                        reverse("contributions:partnership_leverage", args=[row.uuid])
                        + f"?basis={report.basis}",
                    ),
                    country_name(row.country),
                    *figure_values(row.figures),
                )
                for row in report.partnerships
            ],
        ),
        unconverted_table(report),
    ]
    return {t.key: t for t in tables}
