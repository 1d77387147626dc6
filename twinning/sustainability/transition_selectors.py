"""Reads for transition plans, graduation reviews and follow-ups, always starting from what the user may see.

The programme's figures (the graduation pipeline, the share of activities and practices still running after 1, 3
and 5 years) are aggregate queries: their query count does not depend on how many partnerships or follow-ups there
are.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from twinning.accounts.access import partnership_access, require, require_edit
from twinning.accounts.models import User
from twinning.core.ids import parse_uuid
from twinning.partnerships.models import Partnership, Programme, Stage
from twinning.sustainability.models_transition import (
    FollowUp,
    FollowUpItem,
    GraduationReview,
    TransitionItem,
    TransitionPlan,
)
from twinning.sustainability.scores import score_round
from twinning.sustainability.transition_services import graduation_policy

# --- one partnership -------------------------------------------------------------------------------------


def get_transition_plan(partnership: Partnership) -> TransitionPlan | None:
    """The partnership's transition plan with its items (and their activity and owner), risks, milestones and
    signatures loaded (five queries), or None. The caller has checked access to the partnership.

    Raises: nothing.
    """
    plan = (
        TransitionPlan.objects.filter(partnership=partnership)
        .prefetch_related(
            Prefetch(
                "items", queryset=TransitionItem.objects.select_related("activity", "practice", "owner")
            ),
            "risks",
            "milestones",
            "sign_offs__signed_by",
        )
        .first()
    )
    if plan is not None:
        plan.partnership = partnership
    return plan


def get_transition_plan_for_user(
    user: User, plan_uuid: Any, *, write: bool = False, sign: bool = False
) -> TransitionPlan:
    """A transition plan the user may see, by UUID, loaded as `get_transition_plan` loads it. With `write`, the
    user must also edit its partnership (`access.require_edit`, the rule of every content change); with `sign`,
    be able to sign it for some party (`PartnershipAccess.can_sign_plan_for`; which party is the signing
    service's to check). Asked before a view reads what was sent, so a read-only caller gets 403 whatever
    they sent.

    Raises: Http404, PermissionDenied.
    """
    plan = (
        TransitionPlan.objects.visible_to(user)
        .select_related("partnership__programme")
        .filter(uuid=parse_uuid(plan_uuid))
        .first()
    )
    if plan is None:
        raise Http404
    if write:
        require_edit(user, plan.partnership)
    if sign:
        access = partnership_access(user, plan.partnership)
        require(bool(access.can_sign_plan_for(requires_ministry=plan.requires_ministry_sign_off)))
    found = get_transition_plan(plan.partnership)
    assert found is not None
    return found


def transition_plan_list(*, user: User, programme: Programme | None = None) -> QuerySet[TransitionPlan]:
    """Visible transition plans with their partnership, newest first, counting their items and signatures.

    Raises: nothing.
    """
    qs = TransitionPlan.objects.visible_to(user).select_related("partnership")
    if programme is not None:
        qs = qs.filter(partnership__programme=programme)
    return qs.annotate(
        item_count=Count("items", distinct=True), signature_count=Count("sign_offs", distinct=True)
    ).order_by("-created_at", "-id")


def graduation_reviews(partnership: Partnership) -> list[GraduationReview]:
    """The partnership's graduation reviews, the open one first, then newest first (one query).

    Raises: nothing.
    """
    reviews = list(
        GraduationReview.objects.filter(partnership=partnership)
        .select_related("opened_by", "decided_by")
        .order_by("-created_at", "-id")
    )
    for review in reviews:
        review.partnership = partnership
    return sorted(reviews, key=lambda r: not r.is_open)


def get_graduation_review(partnership: Partnership, review_uuid: Any) -> GraduationReview:
    """A graduation review of a partnership the caller resolved for the user.

    Raises: Http404.
    """
    review = (
        GraduationReview.objects.filter(partnership=partnership, uuid=parse_uuid(review_uuid))
        .select_related("opened_by", "decided_by")
        .first()
    )
    if review is None:
        raise Http404
    review.partnership = partnership
    return review


def graduation_review_list(
    *, user: User, programme: Programme | None = None, open_only: bool = False
) -> QuerySet[GraduationReview]:
    """Visible graduation reviews with their partnership, newest first.

    Raises: nothing.
    """
    qs = GraduationReview.objects.visible_to(user).select_related("partnership", "decided_by")
    if programme is not None:
        qs = qs.filter(partnership__programme=programme)
    if open_only:
        qs = qs.filter(decision="")
    return qs.order_by("-created_at", "-id")


def get_graduation_review_for_user(user: User, review_uuid: Any) -> GraduationReview:
    """A graduation review the user may see, by UUID.

    Raises: Http404.
    """
    review = (
        GraduationReview.objects.visible_to(user)
        .select_related("partnership__programme", "opened_by", "decided_by")
        .filter(uuid=parse_uuid(review_uuid))
        .first()
    )
    if review is None:
        raise Http404
    return review


def follow_up_list(
    *, user: User, partnership: Partnership | None = None, programme: Programme | None = None
) -> QuerySet[FollowUp]:
    """Visible follow-ups (of one partnership or programme), by due date, counting their questions.

    Raises: nothing.
    """
    qs = FollowUp.objects.visible_to(user).select_related("partnership")
    if partnership is not None:
        qs = qs.filter(partnership=partnership)
    if programme is not None:
        qs = qs.filter(partnership__programme=programme)
    return qs.annotate(question_count=Count("items")).order_by("due_date", "partnership__title", "id")


def _follow_up_queryset() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("partnership__programme", "answered_by").prefetch_related(
        Prefetch("items", queryset=FollowUpItem.objects.order_by("order", "id"))
    )


def get_follow_up(partnership: Partnership, follow_up_uuid: Any) -> FollowUp:
    """A follow-up of a partnership the caller resolved for the user, with its questions.

    Raises: Http404.
    """
    follow_up = _follow_up_queryset().filter(partnership=partnership, uuid=parse_uuid(follow_up_uuid)).first()
    if follow_up is None:
        raise Http404
    follow_up.partnership = partnership
    return follow_up


def get_follow_up_for_user(user: User, follow_up_uuid: Any, *, write: bool = False) -> FollowUp:
    """A follow-up the user may see, by UUID, with its questions. With `write`, the user must also answer it
    (`PartnershipAccess.can_answer_follow_up`: the host side, as `follow_ups.follow_up_answer` requires).

    Raises: Http404, PermissionDenied.
    """
    visible = FollowUp.objects.visible_to(user).filter(uuid=parse_uuid(follow_up_uuid))
    follow_up = _follow_up_queryset().filter(pk__in=visible.values("pk")).first()
    if follow_up is None:
        raise Http404
    if write:
        require(partnership_access(user, follow_up.partnership).can_answer_follow_up)
    return follow_up


# --- the programme ---------------------------------------------------------------------------------------

PIPELINE_STAGES = (Stage.IMPLEMENTATION, Stage.TRANSITION, Stage.GRADUATED, Stage.CLOSED)


@dataclass
class PipelineRow:
    partnership: Partnership
    plan_status: str  # "none", "draft", "signed"
    open_review: GraduationReview | None
    last_decision: str  # a GraduationReview.Decision value or ""
    follow_ups_answered: int
    follow_ups_due: int  # due by today and not answered


@dataclass
class Pipeline:
    """The programme's partnerships from implementation to after graduation: how many in each stage, and a row
    for each one in transition, graduated or closed."""

    counts: dict[str, int]
    rows: list[PipelineRow] = field(default_factory=list)

    @property
    def stages(self) -> list[tuple[str, str, int]]:
        return [(s.value, str(s.label), self.counts.get(s.value, 0)) for s in PIPELINE_STAGES]


def graduation_pipeline(programme: Programme, *, today: datetime.date) -> Pipeline:
    """The graduation pipeline of a programme the caller may see (staff): partnerships per stage, and for each
    in transition, graduated or closed, its transition plan's state, its open review, its last decision and its
    follow-ups (answered; due and not answered). Three queries, however many partnerships.

    Raises: nothing.
    """
    counts = dict(
        Partnership.objects.filter(programme=programme)
        .values_list("stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    plans = TransitionPlan.objects.filter(partnership=OuterRef("pk"))
    decided = GraduationReview.objects.filter(partnership=OuterRef("pk")).exclude(decision="")
    ending = (
        Partnership.objects.filter(
            programme=programme, stage__in=[Stage.TRANSITION, Stage.GRADUATED, Stage.CLOSED]
        )
        .annotate(
            has_plan=Exists(plans),
            plan_signed=Exists(plans.filter(signed_at__isnull=False)),
            last_decision=Subquery(decided.order_by("-decided_on", "-id").values("decision")[:1]),
            answered=Count("follow_ups", filter=Q(follow_ups__answered_at__isnull=False), distinct=True),
            due=Count(
                "follow_ups",
                filter=Q(follow_ups__answered_at__isnull=True, follow_ups__due_date__lt=today),
                distinct=True,
            ),
        )
        .order_by("stage", "title", "id")
    )
    partnerships: list[Any] = list(ending)
    open_reviews = {
        r.partnership_id: r
        for r in GraduationReview.objects.filter(partnership__in=[p.pk for p in partnerships], decision="")
    }
    rows = [
        PipelineRow(
            partnership=p,
            plan_status="signed" if p.plan_signed else "draft" if p.has_plan else "none",  # type: ignore[attr-defined]
            open_review=open_reviews.get(p.pk),
            last_decision=p.last_decision or "",  # type: ignore[attr-defined]
            follow_ups_answered=p.answered,  # type: ignore[attr-defined]
            follow_ups_due=p.due,  # type: ignore[attr-defined]
        )
        for p in partnerships
    ]
    return Pipeline(counts={k: v for k, v in counts.items()}, rows=rows)


@dataclass
class StillRunning:
    """Among the answered follow-ups `years` after the end: how many activities (or practices) were asked about,
    and how many are running as they were, running adapted, or stopped. Shares are percentages of those asked."""

    years: int
    kind: str
    follow_ups: int
    asked: int
    running: int
    adapted: int
    stopped: int

    def _share(self, n: int) -> Decimal | None:
        return score_round(Decimal(n) * 100 / Decimal(self.asked)) if self.asked else None

    @property
    def still_running_percent(self) -> Decimal | None:
        """Running as they were or adapted, in percent of those asked about (None when none was)."""
        return self._share(self.running + self.adapted)

    @property
    def running_percent(self) -> Decimal | None:
        return self._share(self.running)

    @property
    def adapted_percent(self) -> Decimal | None:
        return self._share(self.adapted)

    @property
    def stopped_percent(self) -> Decimal | None:
        return self._share(self.stopped)


def still_running(programme: Programme) -> list[StillRunning]:
    """For each of the programme's follow-up years (and any other year it has answers for), and for activities
    and practices: what became of them, from the answered follow-ups. Three queries (the policy, one GROUP BY, the
    follow-up counts), however many follow-ups.

    Raises: nothing.
    """
    answered = FollowUpItem.objects.filter(
        follow_up__partnership__programme=programme, follow_up__answered_at__isnull=False
    )
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for years, kind, status, n in (
        answered.values_list("follow_up__years_after", "kind", "status").annotate(n=Count("id")).order_by()
    ):
        counts.setdefault((years, kind), {})[status] = n
    surveys = dict(
        FollowUp.objects.filter(partnership__programme=programme, answered_at__isnull=False)
        .values_list("years_after")
        .annotate(n=Count("id"))
        .order_by()
    )
    years = sorted(set(graduation_policy(programme).years) | {y for y, _k in counts})
    out = []
    for y in years:
        for kind in (TransitionItem.Kind.ACTIVITY, TransitionItem.Kind.PRACTICE):
            c = counts.get((y, kind), {})
            if kind == TransitionItem.Kind.PRACTICE and not c:
                continue  # practices are shown only where some were asked about
            out.append(
                StillRunning(
                    years=y,
                    kind=str(kind),
                    follow_ups=surveys.get(y, 0),
                    asked=sum(c.values()),
                    running=c.get(FollowUpItem.Status.RUNNING, 0),
                    adapted=c.get(FollowUpItem.Status.ADAPTED, 0),
                    stopped=c.get(FollowUpItem.Status.STOPPED, 0),
                )
            )
    return out
