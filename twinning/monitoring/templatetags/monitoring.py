from typing import Any

from django import template

from twinning.monitoring import selectors
from twinning.planning.periods import period_label

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


register.filter("period_label", period_label)
