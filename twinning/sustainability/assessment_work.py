"""Sustainability's part of "My work": assessment rounds waiting for the user's side, and joint actions they own.

A round waits for a coordinator or member until their side has submitted (access `answering_membership`); a member
who has handed in their own sheet has nothing more to do, a coordinator still submits the side. Joint actions are
listed as action items ("action"), like the review conversation's, for their owner while open or in progress.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from twinning.accounts.access import answering_membership, in_visible_partnerships
from twinning.accounts.models import PartnershipMembership, User
from twinning.core.dates import local_today
from twinning.core.work import WorkItem, is_overdue
from twinning.partnerships.selectors import partnership_zones
from twinning.sustainability.models import AssessmentAction, AssessmentRound, Response

LIMIT = 50
OPEN_ACTION = (AssessmentAction.Status.OPEN, AssessmentAction.Status.IN_PROGRESS)


def rounds_waiting(user: User) -> QuerySet[AssessmentRound]:
    """Rounds whose user's side has not submitted, less those where the user (not a coordinator) handed in, and
    less cancelled rounds (nobody is reminded of those any more).

    Raises: nothing.
    """
    handed_in = Response.objects.filter(round=OuterRef("pk"), respondent=user, submitted_at__isnull=False)
    return (
        AssessmentRound.objects.not_cancelled()
        .annotate(my_side=answering_membership(user), my_role=answering_membership(user, field="role"))
        .filter(
            Q(my_side="host", host_submitted_at__isnull=True)
            | Q(my_side="resource", resource_submitted_at__isnull=True)
        )
        .exclude(Q(Exists(handed_in)) & ~Q(my_role=PartnershipMembership.Role.COORDINATOR))
    )


def actions_owned(user: User) -> QuerySet[AssessmentAction]:
    """Open joint actions the user owns, in partnerships they still see.

    Raises: nothing.
    """
    return AssessmentAction.objects.filter(owner=user, status__in=OPEN_ACTION).filter(
        in_visible_partnerships(user, via="round__partnership")
    )


def work_for_user(user: User, *, today: datetime.date | None = None, limit: int = LIMIT) -> list[WorkItem]:
    """Rounds to answer ("assessment") and joint actions owned ("action"), each kind at most `limit`, due first;
    late by the date where the partnership's host is. Three queries.

    Raises: nothing.
    """
    rounds = list(
        rounds_waiting(user)
        .select_related("partnership", "instrument_version__instrument")
        .order_by("due_date", "id")[:limit]
    )
    actions = list(
        actions_owned(user)
        .select_related("round__partnership", "round__instrument_version__instrument")
        .order_by("due_date", "id")[:limit]
    )
    ids = {r.partnership_id for r in rounds} | {a.round.partnership_id for a in actions}
    zones = partnership_zones(ids) if today is None and ids else {}

    def late(due: datetime.date | None, partnership_id: int) -> bool:
        return is_overdue(due, today or local_today(zones.get(partnership_id, "")))

    items = [
        WorkItem(
            kind="assessment",
            label=r.shown_title
            if r.my_role == PartnershipMembership.Role.COORDINATOR  # type: ignore[attr-defined]
            else _("%(round)s: your answers") % {"round": r.shown_title},
            url=reverse("sustainability:round", args=[r.uuid]),
            partnership=r.partnership.title,
            due_date=r.due_date,
            overdue=late(r.due_date, r.partnership_id),
        )
        for r in rounds
    ]
    items.extend(
        WorkItem(
            kind="action",
            label=a.title[:120],
            url=reverse("sustainability:round", args=[a.round.uuid]) + "#actions",
            partnership=a.round.partnership.title,
            period=a.round.shown_title,
            due_date=a.due_date,
            overdue=late(a.due_date, a.round.partnership_id),
        )
        for a in actions
    )
    return items


def work_counts(user: User) -> dict[str, int]:
    """{"assessment": n, "action": m} (kinds with none left out). Two queries. The project level adds these to
    the other apps' counts of the same kind.

    Raises: nothing.
    """
    rounds = rounds_waiting(user).aggregate(n=Count("id"))["n"]
    actions = actions_owned(user).aggregate(n=Count("id"))["n"]
    return {k: v for k, v in (("assessment", rounds), ("action", actions)) if v}
