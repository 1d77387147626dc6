import hashlib

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from twinning.audit.services import cached_until_change


def page_number(value: str | None) -> str | None:
    """A page number as asked for (a query parameter, or None), with zero and negative numbers raised to "1", for
    `Paginator.get_page`: it gives the last page for every number out of range, and the nearest page to 0 or -1 is
    the first (fresh tester, issue 10). Anything else is passed on as it came (get_page reads text as page 1).

    Raises: nothing.
    """
    try:
        return "1" if int(value or "") < 1 else value
    except ValueError:
        return value


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    """One page of `queryset`; an out-of-range or malformed page number gives the nearest real page."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(page_number(request.GET.get("page")))


# A page's History table shows the latest changes; older ones are a link away (`?history=2`), so a record with
# years of history renders as fast as a new one.
HISTORY_PAGE_SIZE = 20
# How long a History count can miss a change made outside the services (the admin, a database restore); every change
# through the services renews the audit change stamp, and with it the key, at once.
HISTORY_COUNT_CACHE_SECONDS = 600


def history_page(request: HttpRequest, events: QuerySet) -> Page:
    """One page of a History table (newest first, HISTORY_PAGE_SIZE a page, chosen by the `history` query
    parameter; out of range or malformed gives the nearest real page): two queries, the count and the page,
    whatever the length of the history; the count is kept under the audit change stamp (`cached_until_change`,
    keyed by the SQL that reads the events, so per reader) and the page is read only if the table is rendered.

    Raises: nothing.
    """
    key = _query_key(events)
    paginator = Paginator(events, HISTORY_PAGE_SIZE)
    if key:
        # The count is kept as the rendered table is (core/includes/history.html): a page whose table is read back
        # then reads no history at all (the page's rows are read only when the table is rendered).
        paginator.count = cached_until_change(
            f"history:count:{key}", events.count, HISTORY_COUNT_CACHE_SECONDS
        )
    page = paginator.get_page(page_number(request.GET.get("history")))
    page.cache_key = key  # type: ignore[attr-defined]
    return page


def _query_key(queryset: QuerySet) -> str:
    """A digest of the SQL that reads `queryset` (which rows, for whom), naming its rendered History table in the
    cache (core/includes/history.html); "" when the queryset cannot be written as SQL (one that is certainly
    empty), which renders afresh."""
    try:
        sql = str(queryset.query)
    except EmptyResultSet:
        return ""
    return hashlib.sha256(sql.encode()).hexdigest()
