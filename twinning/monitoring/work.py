"""Monitoring's part of "My work": reports to enter, fix or review, and action items assigned (reads only).

Each piece starts from the access rules' scopes: a partnership's people get its reports to enter and fix
(`in_data_entry_partnerships`), its programme's managers and M&E officers the reports to review
(`in_edited_programmes`), and everyone the action items assigned to them in partnerships they still see.
"""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from twinning.accounts.access import in_edited_programmes, in_visible_partnerships
from twinning.accounts.models import User
from twinning.core.dates import local_today
from twinning.core.reference import shipped_name
from twinning.core.work import WorkItem, is_overdue
from twinning.monitoring.models import PeriodReport, ReviewComment
from twinning.monitoring.selectors import due_for_user
from twinning.partnerships.selectors import partnership_zones
from twinning.planning.periods import period_label

LIMIT = 50


def _entry_url(partnership_uuid: object, period: str) -> str:
    return reverse("monitoring:entry", args=[partnership_uuid, period])


def _to_review(user: User) -> Q:
    return Q(status=PeriodReport.Status.SUBMITTED) & in_edited_programmes(user, via="partnership__programme")


def _actions(user: User) -> Q:
    return Q(assignee=user, is_action=True, done_at__isnull=True) & in_visible_partnerships(
        user, via="report__partnership"
    )


def work_for_user(user: User, *, today: datetime.date | None = None, limit: int = LIMIT) -> list[WorkItem]:
    """The user's monitoring work as WorkItems: "enter" (ended periods not submitted), "fix" (returned for
    correction), "review" (submitted, for the programme's managers and M&E officers) and "action" (open action
    items assigned to them), at most `limit` of each kind. Due dates: a report's is its period's end plus the
    programme's `report_due_days`; an action item's is the date set on it. 9 queries, however many items.

    Raises: nothing.
    """
    items = []
    # Reports are judged on each partnership's own date unless `today` is given (see due_for_partnerships).
    for due in due_for_user(user, today=today)[: 2 * limit]:
        kind = "fix" if due.status == PeriodReport.Status.RETURNED else "enter"
        items.append(
            WorkItem(
                kind=kind,
                label=_("Results returned for correction") if kind == "fix" else _("Results to enter"),
                url=_entry_url(due.partnership.uuid, due.period.id),
                partnership=due.partnership.title,
                period=due.period.label(),
                due_date=due.due_date,
                overdue=due.overdue,
            )
        )
    reviews = (
        PeriodReport.objects.filter(_to_review(user))
        .select_related("partnership")
        .order_by("-submitted_at", "-id")[:limit]
    )
    for report in reviews:
        submitted = timezone.localdate(report.submitted_at) if report.submitted_at else None
        items.append(
            WorkItem(
                kind="review",
                label=_("Submitted on %(date)s") % {"date": date_format(submitted)} if submitted else "",
                url=_entry_url(report.partnership.uuid, report.period),
                partnership=report.partnership.title,
                period=period_label(report.period),
                date=submitted,
            )
        )
    actions = list(
        ReviewComment.objects.filter(_actions(user))
        .select_related("report__partnership")
        .order_by("due_date", "id")[:limit]
    )
    # An action item is late by the date where its partnership's host is, not the server's (issue 9).
    zones = partnership_zones({c.report.partnership_id for c in actions}) if today is None else {}
    for comment in actions:
        report = comment.report
        items.append(
            WorkItem(
                kind="action",
                label=shipped_name(comment.body)[:120],  # the demo's comments are shipped texts
                url=_entry_url(report.partnership.uuid, report.period) + f"#c-{comment.uuid}",
                partnership=report.partnership.title,
                period=period_label(report.period),
                due_date=comment.due_date,
                overdue=is_overdue(
                    comment.due_date, today or local_today(zones.get(report.partnership_id, ""))
                ),
            )
        )
    return items


def work_counts(user: User, *, today: datetime.date | None = None) -> dict[str, int]:
    """How many items of each monitoring kind the user has ({"enter": 2, "fix": 1, ...}; kinds with none are
    left out): the reports to enter and fix counted from `due_for_user`, the rest with one count query each.
    9 queries.

    Raises: nothing.
    """
    counts: dict[str, int] = {}
    for due in due_for_user(user, today=today):
        kind = "fix" if due.status == PeriodReport.Status.RETURNED else "enter"
        counts[kind] = counts.get(kind, 0) + 1
    review = PeriodReport.objects.filter(_to_review(user)).aggregate(n=Count("id"))["n"]
    action = ReviewComment.objects.filter(_actions(user)).aggregate(n=Count("id"))["n"]
    counts.update({k: v for k, v in (("review", review), ("action", action)) if v})
    return counts
