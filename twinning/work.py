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
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from twinning.accounts.access import does_any_work, in_data_entry_partnerships
from twinning.accounts.models import User
from twinning.audit.services import cached_until_change
from twinning.contributions import work as contributions_work
from twinning.core.work import KINDS, WorkItem
from twinning.knowledge import work as knowledge_work
from twinning.monitoring import work as monitoring_work
from twinning.monitoring.selectors import open_for_partnerships
from twinning.partnerships.models import Partnership
from twinning.planning import work as planning_work
from twinning.sustainability import assessment_work
from twinning.sustainability import work as sustainability_work

SOURCES: list[Any] = [
    monitoring_work,
    planning_work,
    contributions_work,
    sustainability_work,
    assessment_work,
    knowledge_work,
]


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
    About 15 queries, however many items.

    Raises: nothing.
    """
    items: list[WorkItem] = []
    for source in SOURCES:
        items.extend(source.work_for_user(user, today=today))
    return sorted(items, key=_order)


def work_counts(user: User) -> dict[str, int]:
    """How many items of each kind the user has, in KINDS order; kinds with none are left out. About 13 queries
    (one count per kind; the reports to enter and fix are counted from the periods due).

    Raises: nothing.
    """
    counts: dict[str, int] = {}
    for source in SOURCES:
        # Two apps may list the same kind (action items of the review conversation and of a joint action plan).
        for kind, n in source.work_counts(user).items():
            counts[kind] = counts.get(kind, 0) + n
    return {kind: counts[kind] for kind in KINDS if counts.get(kind)}


MAX_OFFLINE_FORMS = 30  # pages fetched at once on a person's request: a bound on what a slow link must carry


def offline_forms(user: User, work: list[WorkItem], *, today: datetime.date | None = None) -> list[str]:
    """The pages to keep for offline use when the person asks (My work's "Keep these forms for offline use"):
    the entry pages of the results they should enter or fix (from `work`), then those of every other open period
    of the partnerships where they enter data (as coordinator or member; by title; started and not submitted,
    the current period included, newest first: see monitoring's `open_for_partnerships`, judged on `today` when
    given), then each such partnership's forms for a new exchange, volunteer time and an in-kind gift.
    Site-relative URLs, each once, at most MAX_OFFLINE_FORMS. 6 queries (one when they enter data nowhere).

    Raises: nothing.
    """
    urls = [item.url for item in work if item.kind in ("enter", "fix")]
    partnerships = list(
        Partnership.objects.filter(in_data_entry_partnerships(user, via=""))
        .select_related("programme")
        .order_by("title")[:MAX_OFFLINE_FORMS]
    )
    for open_period in open_for_partnerships(partnerships, today):
        urls.append(reverse("monitoring:entry", args=[open_period.partnership.uuid, open_period.period.id]))
    for partnership in partnerships:
        urls.append(reverse("exchanges:create", args=[partnership.uuid]))
        urls.append(reverse("contributions:time_add", args=[partnership.uuid]))
        urls.append(reverse("contributions:gift_add", args=[partnership.uuid]))
    return list(dict.fromkeys(urls))[:MAX_OFFLINE_FORMS]


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
        return cached_until_change(
            f"work:counts:{self._user.pk}:{timezone.now().date()}",
            lambda: work_counts(self._user),
            settings.MY_WORK_CACHE_SECONDS,
        )

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def shown(self) -> bool:
        # Always asked (not skipped when there is work), so a page's query count does not depend on the data; kept
        # like the counts, as every page asks it.
        return cached_until_change(
            f"work:shown:{self._user.pk}", lambda: does_any_work(self._user), settings.MY_WORK_CACHE_SECONDS
        )


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
