"""The sections knowledge adds to other apps' pages through `twinning.core.sections` (registered in
KnowledgeConfig.ready): the pillar-5 figures on the programme dashboard (monitoring) and South-to-South on the
institution page (directory). Neither page imports knowledge, nor names it in a template."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from twinning.core import charts
from twinning.core.exports import Column, Table
from twinning.core.sections import Section, register_section
from twinning.knowledge.models import Level
from twinning.knowledge.spread.selectors import pillar5_figures_cached, south_to_south


def pillar5_context(request: HttpRequest, programme: Any) -> dict[str, Any]:
    """The programme dashboard's pillar-5 section: practices published, adoptions by level, national
    adoptions and dissemination reach by year, over what the user may see: four queries after each audited
    change, then read back from the cache (`pillar5_figures_cached`)."""
    figures = pillar5_figures_cached(user=request.user, programme=programme)  # type: ignore[arg-type]
    levels = Table(
        key="pillar5-levels",
        title=_("Adoptions by current level"),
        columns=[Column(_("Level")), Column(_("Adoptions"), "number")],
        rows=[(str(Level(level).label), count) for level, count in figures.by_level.items()],
    )
    reach = Table(
        key="pillar5-reach",
        title=_("Dissemination reach by year"),
        columns=[
            Column(_("Year")),
            Column(_("Records"), "number"),
            Column(_("People reached"), "number"),
            Column(_("Facilities reached"), "number"),
        ],
        rows=[(str(r.year), r.records, r.people, r.facilities) for r in figures.reach],
    )
    return {
        "programme": programme,
        "figures": figures,
        "levels": levels,
        "reach": reach,
        "level_chart": charts.bar_chart(
            [(str(Level(level).label), [count]) for level, count in figures.by_level.items()],
            title=_("Adoptions by current level"),
        ),
        "reach_chart": charts.bar_chart(
            [(str(r.year), [r.people]) for r in figures.reach],
            title=_("People reached by dissemination, by year"),
        ),
    }


def south_to_south_context(request: HttpRequest, institution: Any) -> dict[str, Any] | None:
    """The institution page's South-to-South section, shown only when the institution went from host to
    resource side in partnerships the user may see."""
    items = south_to_south(user=request.user, institution=institution)  # type: ignore[arg-type]
    return {"items": items} if items else None


def register() -> None:
    """Register knowledge's sections (called once, from KnowledgeConfig.ready).

    Raises: nothing.
    """
    register_section(
        Section(
            "programme_dashboard",
            "knowledge-pillar5",
            "knowledge/spread/sections/pillar5.html",
            pillar5_context,
        )
    )
    register_section(
        Section(
            "institution",
            "knowledge-south-to-south",
            "knowledge/spread/sections/south_to_south.html",
            south_to_south_context,
        )
    )
