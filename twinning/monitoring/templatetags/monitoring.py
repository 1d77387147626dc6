from typing import Any

from django import template

from twinning.monitoring import selectors
from twinning.planning.periods import parse_period

register = template.Library()


@register.inclusion_tag("monitoring/includes/home.html", takes_context=True)
def monitoring_home(context: Any) -> dict[str, Any]:
    """The home page's "results due" box (a fixed number of queries)."""
    user = context["request"].user
    due = selectors.due_for_user(user)
    return {
        "due": due[:10],
        "awaiting_count": selectors.awaiting_review(user).count(),
        "unread": selectors.unread_notifications(user).count(),
    }


@register.filter
def period_label(period_id: str) -> str:
    """A DHIS2 period id ("2026Q1") in the reader's words ("Q1 2026"); anything else unchanged."""
    try:
        return parse_period(str(period_id)).label()
    except ValueError:
        return str(period_id)
