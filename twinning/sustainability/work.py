"""Sustainability's part of "My work": transition plans waiting for the signature of the side the user
coordinates, graduation reviews waiting for a decision by the programme's editors, and follow-ups open for the
host side to answer (ended partnerships included: their people keep access to answer them).
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import EDITOR_ROLES, coordinated_side, in_follow_up_partnerships
from twinning.accounts.models import ProgrammeRole, User
from twinning.core.work import WorkItem, is_overdue
from twinning.partnerships.models import ENDED_STAGES
from twinning.sustainability.models_transition import (
    FollowUp,
    GraduationReview,
    TransitionItem,
    TransitionPlan,
    TransitionSignOff,
)

LIMIT = 50


def transition_plans_to_sign(user: User) -> QuerySet[TransitionPlan]:
    """Unsigned transition plans with something to take over whose side coordinated by the user has not signed
    (annotated `side`), of partnerships that have not ended: once a partnership has graduated or closed, its
    hand-over happened without the signature, and a "sign" item would wait for ever (fresh tester, issue 13).

    Raises: nothing.
    """
    signed = TransitionSignOff.objects.filter(plan=OuterRef("pk"), party=OuterRef("side"))
    return (
        TransitionPlan.objects.filter(signed_at__isnull=True)
        .exclude(partnership__stage__in=ENDED_STAGES)
        .annotate(side=coordinated_side(user))
        .filter(
            Q(side__isnull=False)
            & Exists(TransitionItem.objects.filter(plan=OuterRef("pk")))
            & ~Exists(signed)
        )
    )


def reviews_to_decide(user: User) -> QuerySet[GraduationReview]:
    """Open graduation reviews of the programmes the user edits as a manager or M&E officer (their own work, so
    an administrator without a role gets none).

    Raises: nothing.
    """
    editing = ProgrammeRole.objects.filter(user=user, role__in=EDITOR_ROLES).values("programme")
    return GraduationReview.objects.filter(decision="", partnership__programme__in=editing)


def follow_ups_to_answer(user: User, today: datetime.date) -> QuerySet[FollowUp]:
    """Unanswered follow-ups open by `today` of the partnerships whose host side the user is on (coordinator or
    member).

    Raises: nothing.
    """
    return FollowUp.objects.filter(answered_at__isnull=True, opens_on__lte=today).filter(
        in_follow_up_partnerships(user)
    )


def work_for_user(user: User, *, today: datetime.date | None = None, limit: int = LIMIT) -> list[WorkItem]:
    """The user's transition plans to sign ("sign_transition"), reviews to decide ("decide_graduation") and
    follow-ups to answer ("follow_up", due and overdue by the server's date), at most `limit` of each. Three
    queries.

    Raises: nothing.
    """
    today = today or timezone.localdate()
    items = [
        WorkItem(
            kind="sign_transition",
            label=_("Transition plan, for the %(side)s side")
            % {"side": _("host") if plan.side == "host" else _("resource")},  # type: ignore[attr-defined]
            url=reverse("sustainability:transition", args=[plan.partnership.uuid]),
            partnership=plan.partnership.title,
            date=timezone.localdate(plan.updated_at),
        )
        for plan in transition_plans_to_sign(user)
        .select_related("partnership")
        .order_by("-updated_at", "-id")[:limit]
    ]
    items += [
        WorkItem(
            kind="decide_graduation",
            label=str(review),
            url=reverse("sustainability:graduation", args=[review.partnership.uuid]),
            partnership=review.partnership.title,
            date=timezone.localdate(review.created_at),
        )
        for review in reviews_to_decide(user)
        .select_related("partnership")
        .order_by("-created_at", "-id")[:limit]
    ]
    items += [
        WorkItem(
            kind="follow_up",
            label=ngettext(
                "Follow-up %(years)s year after the end",
                "Follow-up %(years)s years after the end",
                f.years_after,
            )
            % {"years": f.years_after},
            url=reverse("sustainability:follow_up", args=[f.partnership.uuid, f.uuid]),
            partnership=f.partnership.title,
            due_date=f.due_date,
            overdue=is_overdue(f.due_date, today),
        )
        for f in follow_ups_to_answer(user, today)
        .select_related("partnership")
        .order_by("due_date", "id")[:limit]
    ]
    return items


def work_counts(user: User) -> dict[str, int]:
    """{kind: n} for the kinds above the user has. Three queries.

    Raises: nothing.
    """
    today = timezone.localdate()
    counts = {
        "sign_transition": transition_plans_to_sign(user).aggregate(n=Count("id"))["n"],
        "decide_graduation": reviews_to_decide(user).aggregate(n=Count("id"))["n"],
        "follow_up": follow_ups_to_answer(user, today).aggregate(n=Count("id"))["n"],
    }
    return {kind: n for kind, n in counts.items() if n}
