"""The practice library's part of "My work": practices submitted for review, waiting for the decision of the
programme's editors (its managers and M&E officers), who publish them in the programme or return them to draft.
"""

import datetime

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from twinning.accounts.access import EDITOR_ROLES
from twinning.accounts.models import ProgrammeRole, User
from twinning.core.reference import name_sort_key
from twinning.core.work import WorkItem
from twinning.knowledge.models import Practice, PracticeStep

LIMIT = 50


def practices_to_review(user: User) -> QuerySet[Practice]:
    """Submitted practices of the programmes the user edits as a manager or M&E officer (their own work, so an
    administrator without a role gets none, as with graduation reviews).

    Raises: nothing.
    """
    editing = ProgrammeRole.objects.filter(user=user, role__in=EDITOR_ROLES).values("programme")
    return Practice.objects.filter(status=Practice.Status.SUBMITTED, programme__in=editing)


def work_for_user(user: User, *, today: datetime.date | None = None, limit: int = LIMIT) -> list[WorkItem]:
    """The user's practices to review ("review_practice"), newest submission first, at most `limit`. Two
    queries (the practices, then the partnerships behind them).

    Raises: nothing.
    """
    submitted_at = (
        PracticeStep.objects.filter(practice=OuterRef("pk"), to_status=Practice.Status.SUBMITTED)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    practices = (
        practices_to_review(user)
        .annotate(submitted_at=Subquery(submitted_at))
        .prefetch_related("partnerships")
        .only("uuid", "title", "updated_at")
        .order_by(F("submitted_at").desc(nulls_last=True), "-id")[:limit]
    )
    return [
        WorkItem(
            kind="review_practice",
            label=practice.title,
            url=reverse("knowledge:detail", args=[practice.uuid]),
            partnership=", ".join(sorted((p.title for p in practice.partnerships.all()), key=name_sort_key)),
            date=timezone.localdate(practice.submitted_at or practice.updated_at),  # type: ignore[attr-defined]
        )
        for practice in practices
    ]


def work_counts(user: User) -> dict[str, int]:
    """{"review_practice": n} when the user has practices to review. One query.

    Raises: nothing.
    """
    n = practices_to_review(user).aggregate(n=Count("id"))["n"]
    return {"review_practice": n} if n else {}
