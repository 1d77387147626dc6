import hashlib

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def paginate(request: HttpRequest, queryset: QuerySet, per_page: int | None = None) -> Page:
    """One page of `queryset`; an out-of-range or malformed page number gives the nearest real page."""
    paginator = Paginator(queryset, per_page or settings.PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


# A page's History table shows the latest changes; older ones are a link away (`?history=2`), so a record with
# years of history renders as fast as a new one.
HISTORY_PAGE_SIZE = 20


def history_page(request: HttpRequest, events: QuerySet) -> Page:
    """One page of a History table (newest first, HISTORY_PAGE_SIZE a page, chosen by the `history` query
    parameter; out of range or malformed gives the nearest real page): two queries, the count and the page,
    whatever the length of the history.

    Raises: nothing.
    """
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(request.GET.get("history"))
    page.cache_key = _query_key(events)  # type: ignore[attr-defined]
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
