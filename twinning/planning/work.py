"""Planning's part of "My work": draft plans waiting for the signature of the side the user coordinates.

Each side's coordinators sign a plan version for their side (access rule `can_sign_plan_for`); a draft with at
least one objective (the sign-off service refuses an empty one) waits for every side that has not signed it.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.accounts.access import coordinated_side
from twinning.accounts.models import User
from twinning.core.work import WorkItem
from twinning.planning.models import Objective, Plan, PlanSignOff

LIMIT = 50


def plans_to_sign(user: User) -> QuerySet[Plan]:
    """Draft plans with objectives whose side coordinated by the user has not signed yet (annotated `side`).

    Raises: nothing.
    """
    signed = PlanSignOff.objects.filter(plan=OuterRef("pk"), party=OuterRef("side"))
    return (
        Plan.objects.filter(status=Plan.Status.DRAFT)
        .annotate(side=coordinated_side(user))
        .filter(
            Q(side__isnull=False) & Exists(Objective.objects.filter(plan=OuterRef("pk"))) & ~Exists(signed)
        )
    )


def work_for_user(user: User, *, today: datetime.date | None = None, limit: int = LIMIT) -> list[WorkItem]:
    """The plans the user should sign for their side, as "sign_plan" WorkItems (no due date), newest first, at most `limit`. One query.

    Raises: nothing.
    """
    plans = plans_to_sign(user).select_related("partnership").order_by("-created_at", "-id")[:limit]
    return [
        WorkItem(
            kind="sign_plan",
            label=_("%(plan)s, for the %(side)s side")
            % {"plan": plan, "side": _("host") if plan.side == "host" else _("resource")},  # type: ignore[attr-defined]
            url=reverse("planning:version", args=[plan.partnership.uuid, plan.uuid]),
            partnership=plan.partnership.title,
            period=f"{plan.first_year}–{plan.last_year}",
            date=timezone.localdate(plan.created_at),
        )
        for plan in plans
    ]


def work_counts(user: User) -> dict[str, int]:
    """{"sign_plan": n} when the user has plans to sign, else {}. One query.

    Raises: nothing.
    """
    n = plans_to_sign(user).aggregate(n=Count("id"))["n"]
    return {"sign_plan": n} if n else {}
