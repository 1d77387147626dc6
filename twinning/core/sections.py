"""Sections an app adds to another app's page, so that the page never names the app that fills it.

A page of a lower or sibling app sometimes shows figures of an app it may not import: the programme dashboard
(monitoring) shows the practice library's pillar-5 figures (knowledge, the same layer), the institution page
(directory) shows where an institution went from host to resource side (knowledge, a higher layer). The page
names a slot, `{% page_sections "programme_dashboard" programme %}` (the `core` template tags); each app that
fills the slot registers a `Section` from its AppConfig.ready(). The page then depends on neither the app's
code nor its templates: without the app the slot is simply empty, and the layer test holds for templates too,
which a `{% load knowledge %}` in monitoring's template would quietly break.

Each section's `context(request, obj)` returns the context of its template, or None to show nothing (the user
may not see it); it computes its figures at read time and is scoped by the access rules like any selector.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

# The slots pages offer, and the object each passes to its sections.
SLOTS = {
    "programme_dashboard": "the programme (partnerships.Programme) on monitoring's programme results page",
    "institution": "the institution (directory.Institution) on its directory page",
}


@dataclass(frozen=True)
class Section:
    """One section of a slot: `key` names it (unique in the slot), `template` renders it with what `context`
    returns, lower `order` first."""

    slot: str
    key: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100


_registry: dict[str, dict[str, Section]] = {slot: {} for slot in SLOTS}


def register_section(section: Section) -> None:
    """Add (or replace, by key) a section of a slot; call from AppConfig.ready().

    Raises: ValueError for a slot no page offers.
    """
    if section.slot not in SLOTS:
        raise ValueError(f"No page offers the slot {section.slot!r}; slots: {sorted(SLOTS)}")
    _registry[section.slot][section.key] = section


def sections_for(slot: str) -> list[Section]:
    """The sections registered in a slot, in their order.

    Raises: KeyError for an unknown slot.
    """
    return sorted(_registry[slot].values(), key=lambda s: (s.order, s.key))
