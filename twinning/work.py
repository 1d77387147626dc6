"""\"My work\": everything waiting for the signed-in person, gathered from every app (the project level may import
every app; the apps never import each other for this).

Each app's `work.py` lists the work of its own hand-offs as `twinning.core.work.WorkItem`s, scoped by the access
rules; this module merges them, overdue first, then by due date (undated last, newest first), and counts them for the
navigation. Both take a constant number of queries, however many items there are.
"""

import datetime
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from twinning.accounts.access import does_any_work
from twinning.accounts.models import User
from twinning.audit.services import change_stamp
from twinning.contributions import work as contributions_work
from twinning.core.work import KINDS, WorkItem
from twinning.monitoring import work as monitoring_work
from twinning.planning import work as planning_work

SOURCES: list[Any] = [monitoring_work, planning_work, contributions_work]


def _order(item: WorkItem) -> tuple[bool, bool, datetime.date, int, int, str, str]:
    kinds = list(KINDS)
    return (
        not item.overdue,
        item.due_date is None,
        item.due_date or datetime.date.max,
        -item.date.toordinal() if item.date else 0,
        kinds.index(item.kind) if item.kind in kinds else len(kinds),
        item.partnership,
        item.period,
    )


def work_for_user(user: User, *, today: datetime.date | None = None) -> list[WorkItem]:
    """Every app's work for the user, merged: overdue items first, then by due date; undated items last, newest
    hand-off first (WorkItem.date); ties by kind (in KINDS order), partnership and period. At most 50 items of
    each kind, the most urgent or newest (the counts say how many there are).
    About 13 queries, however many items.

    Raises: nothing.
    """
    items: list[WorkItem] = []
    for source in SOURCES:
        items.extend(source.work_for_user(user, today=today))
    return sorted(items, key=_order)


def work_counts(user: User) -> dict[str, int]:
    """How many items of each kind the user has, in KINDS order; kinds with none are left out. About 12 queries
    (one count per kind; the reports to enter and fix are counted from the periods due).

    Raises: nothing.
    """
    counts: dict[str, int] = {}
    for source in SOURCES:
        counts.update(source.work_counts(user))
    return {kind: counts[kind] for kind in KINDS if counts.get(kind)}


class LazyWork:
    """The navigation's view of the user's work, computed the first time a template asks and then kept for the
    request: `counts` (kind → number), `total`, and `shown` (False for someone who only reads, whose
    navigation then leaves out the to-do pages)."""

    def __init__(self, user: User) -> None:
        self._user = user

    @cached_property
    def counts(self) -> dict[str, int]:
        # Shown on every page, and a programme-wide count costs the most on a big programme: kept in the shared
        # cache until the next audited change commits (audit.services.change_stamp), and for MY_WORK_CACHE_SECONDS at most.
        seconds = settings.MY_WORK_CACHE_SECONDS
        stamp = change_stamp() if seconds else None
        if stamp is None:
            return work_counts(self._user)
        key = f"work:counts:{self._user.pk}:{timezone.now().date()}:{stamp}"
        counts = cache.get(key)
        if counts is None:
            counts = work_counts(self._user)
            cache.set(key, counts, seconds)
        return counts

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def shown(self) -> bool:
        # Always asked (not skipped when there is work), so a page's query count does not depend on the data.
        return does_any_work(self._user)


def my_work(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `my_work`, a LazyWork for signed-in users (no query until a template reads it).

    Raises: nothing.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_my_work", None)
    if cached is None:
        cached = LazyWork(user)  # type: ignore[arg-type]
        request._my_work = cached  # type: ignore[attr-defined]
    return {"my_work": cached}
