"""The practice library's part of "My work": practices submitted for review, waiting for the decision of the
programme's editors (its managers and M&E officers), who publish them in the programme or return them to draft;
and, for a public practice's author, the changes and files that wait for their "no personal data" confirmation
before the public sees them (issue 12: otherwise an edit stays off the public page until the author happens by).
"""

import datetime

from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from twinning.accounts.access import EDITOR_ROLES
from twinning.accounts.models import ProgrammeRole, User
from twinning.core.reference import name_sort_key
from twinning.core.work import WorkItem
from twinning.knowledge.models import DocumentVersion, Practice, PracticeStep
from twinning.knowledge.selectors import public_text_waits

LIMIT = 50


def practices_to_review(user: User) -> QuerySet[Practice]:
    """Submitted practices of the programmes the user edits as a manager or M&E officer (their own work, so an
    administrator without a role gets none, as with graduation reviews).

    Raises: nothing.
    """
    editing = ProgrammeRole.objects.filter(user=user, role__in=EDITOR_ROLES).values("programme")
    return Practice.objects.filter(status=Practice.Status.SUBMITTED, programme__in=editing)


def practices_to_confirm(user: User) -> list[Practice]:
    """The user's own public practices whose text or files changed since they last confirmed them (the public
    still reads the earlier text and does not see the new files), newest change first. Four queries at most
    (the practices, their partnerships and documents, the files waiting), however many there are.

    Raises: nothing.
    """
    if not getattr(user, "pk", None):
        return []
    public = list(
        Practice.objects.filter(author=user, status=Practice.Status.PUBLIC)
        .prefetch_related("partnerships", "documents")
        .order_by("-updated_at", "-id")
    )
    files_waiting = set(
        DocumentVersion.objects.filter(
            document__practice__in=[p.pk for p in public], cleared_at__isnull=True
        ).values_list("document__practice_id", flat=True)
    )
    return [p for p in public if p.pk in files_waiting or public_text_waits(p)]


def work_for_user(user: User, *, today: datetime.date | None = None, limit: int = LIMIT) -> list[WorkItem]:
    """The user's practices to review ("review_practice"), newest submission first, then their own public
    practices whose changes wait for their confirmation ("confirm_practice"), at most `limit` of each. Two
    queries for the reviews (the practices, then the partnerships behind them), practices_to_confirm's for the
    confirmations.

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
    return (
        [
            WorkItem(
                kind="review_practice",
                label=practice.shown_title,
                url=reverse("knowledge:detail", args=[practice.uuid]),
                partnership=", ".join(
                    sorted((p.title for p in practice.partnerships.all()), key=name_sort_key)
                ),
                date=timezone.localdate(practice.submitted_at or practice.updated_at),  # type: ignore[attr-defined]
            )
            for practice in practices
        ]
        + [
            WorkItem(
                kind="confirm_practice",
                label=practice.shown_title,
                url=reverse("knowledge:detail", args=[practice.uuid]),
                partnership=", ".join(
                    sorted((p.title for p in practice.partnerships.all()), key=name_sort_key)
                ),
                date=timezone.localdate(practice.updated_at),
            )
            for practice in practices_to_confirm(user)[:limit]
        ]
    )


def work_counts(user: User) -> dict[str, int]:
    """{"review_practice": n, "confirm_practice": m}, each kind only when there are some. One query, plus
    practices_to_confirm's.

    Raises: nothing.
    """
    n = practices_to_review(user).aggregate(n=Count("id"))["n"]
    m = len(practices_to_confirm(user))
    return {kind: count for kind, count in (("review_practice", n), ("confirm_practice", m)) if count}
