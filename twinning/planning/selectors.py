"""Reads for plans and indicators, always starting from what the user may see."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from twinning.accounts.access import PartnershipAccess
from twinning.accounts.models import User
from twinning.audit.services import cached_until_change
from twinning.core.http import ReadRefused
from twinning.core.ids import parse_uuid
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import get_partnership_for_user
from twinning.planning.models import (
    Activity,
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
    PlanningEvent,
    PlanSignOff,
    Target,
)


def current_plan(partnership: Partnership) -> Plan | None:
    """The version being worked on or in force: the one plan that is not superseded, if any.

    Raises: nothing.
    """
    return (
        Plan.objects.filter(partnership=partnership)
        .exclude(status=Plan.Status.SUPERSEDED)
        .select_related("partnership__programme")
        .first()
    )


def plan_in_force(partnership: Partnership) -> Plan | None:
    """The latest agreed version: results are reported against it.

    While a new version is being drafted the previous agreed one is already marked superseded (see services),
    yet it is still the plan in force, so this is the highest-numbered plan that was ever agreed.

    Raises: nothing.
    """
    return (
        Plan.objects.filter(partnership=partnership, agreed_at__isnull=False)
        .select_related("partnership__programme")
        .order_by("-number")
        .first()
    )


def require_plan_readable(plan: Plan, access: PartnershipAccess) -> None:
    """A draft plan version is unapproved work: readers (viewers) get 403 for it (docs/ACCESS.md), saying so.

    Raises: ReadRefused (a PermissionDenied).
    """
    if plan.status == Plan.Status.DRAFT and not access.can_see_drafts:
        raise ReadRefused(
            _("A draft plan version is for the people who write it; readers see a version once it is agreed.")
        )


def get_plan_for_user(
    user: User, partnership_uuid: Any, plan_uuid: Any = None, *, write: bool = False
) -> tuple[Plan | None, Partnership, PartnershipAccess]:
    """A partnership's plan (the current one when no uuid is given), scoped like the partnership:
    404 outside, 403 on a write by a read-only user. Readers (viewers) see agreed versions only: the current
    plan is for them the one in force while a new version is drafted, and a draft named by uuid is 403.

    Raises: Http404, PermissionDenied.
    """
    partnership, access = get_partnership_for_user(user, partnership_uuid, write=write)
    if plan_uuid is None:
        plan = current_plan(partnership)
    else:
        plan = (
            Plan.objects.filter(partnership=partnership, uuid=parse_uuid(plan_uuid))
            .select_related("partnership__programme")
            .first()
        )
        if plan is None:
            raise Http404
    if plan is not None and not access.can_see_drafts:
        if plan_uuid is None and plan.status == Plan.Status.DRAFT:
            plan = plan_in_force(partnership)
        elif plan_uuid is not None:
            require_plan_readable(plan, access)
    if plan is not None:
        plan.partnership = partnership
    return plan, partnership, access


def get_plan_by_uuid_for_user(
    user: User, plan_uuid: Any, *, write: bool = False
) -> tuple[Plan, PartnershipAccess]:
    """A plan named by its own uuid (API), scoped through its partnership.

    Raises: Http404, PermissionDenied.
    """
    visible = Partnership.objects.visible_to(user)
    plan = (
        Plan.objects.filter(uuid=parse_uuid(plan_uuid), partnership__in=visible)
        .select_related("partnership__programme")
        .first()
    )
    if plan is None:
        raise Http404
    _partnership, access = get_partnership_for_user(user, plan.partnership.uuid, write=write)
    require_plan_readable(plan, access)
    return plan, access


def plan_child_for_user[T](
    user: User, model: type[T], child_uuid: Any, *, write: bool = False
) -> tuple[T, Plan]:
    """An objective, activity, plan indicator, planning event or target by uuid, scoped through its plan.

    Raises: Http404, PermissionDenied.
    """
    path = {
        Objective: "plan",
        PlanIndicator: "plan",
        PlanningEvent: "plan",
        Activity: "objective__plan",
        Target: "plan_indicator__plan",
    }[model]  # type: ignore[index]
    visible = Partnership.objects.visible_to(user)
    obj = (
        model._default_manager.filter(  # type: ignore[attr-defined]
            uuid=parse_uuid(child_uuid), **{f"{path}__partnership__in": visible}
        )
        .select_related(f"{path}__partnership__programme")
        .first()
    )
    if obj is None:
        raise Http404
    plan = obj
    for part in path.split("__"):
        plan = getattr(plan, part)
    _partnership, access = get_partnership_for_user(user, plan.partnership.uuid, write=write)
    require_plan_readable(plan, access)
    return obj, plan


def plan_versions(partnership: Partnership, *, drafts: bool = True) -> list[Plan]:
    """Every version of a partnership's plan, newest first; without the draft when `drafts` is False (what
    readers see, PartnershipAccess.can_see_drafts).

    Raises: nothing.
    """
    qs = Plan.objects.filter(partnership=partnership)
    if not drafts:
        qs = qs.exclude(status=Plan.Status.DRAFT)
    return list(qs.order_by("-number"))


@dataclass
class PlanDetail:
    """Everything the plan page shows, loaded with a fixed number of queries whatever the plan's size."""

    plan: Plan
    objectives: list[Objective]
    events: list[PlanningEvent]
    sign_offs: list[PlanSignOff]
    signed_parties: set[str] = field(default_factory=set)


def indicator_queryset() -> QuerySet[Indicator]:
    """Indicators with their partnership and disaggregations (categories and options, ordered) loaded.

    Raises: nothing.
    """
    options = DisaggregationOption.objects.order_by("order", "name")
    categories = DisaggregationCategory.objects.prefetch_related(Prefetch("options", queryset=options))
    return Indicator.objects.select_related("partnership").prefetch_related(
        Prefetch("categories", queryset=categories)
    )


def _objectives(plan: Plan, *, overall_only: bool) -> list[Objective]:
    if overall_only:
        # The plan page lists each indicator's overall targets and names its disaggregations: the targets per
        # option and the options themselves are on the indicator's own page.
        targets = Target.objects.filter(option__isnull=True).order_by("period")
        indicators = Indicator.objects.select_related("partnership").prefetch_related(
            Prefetch("categories", queryset=DisaggregationCategory.objects.all())
        )
    else:
        targets = Target.objects.select_related("option__category").order_by("period", "option__order")
        indicators = indicator_queryset()
    adoptions = (
        PlanIndicator.objects.select_related("objective")
        .prefetch_related(Prefetch("indicator", queryset=indicators), Prefetch("targets", queryset=targets))
        .order_by("indicator__code")
    )
    return list(
        plan.objectives.select_related("pillar").prefetch_related(
            "priorities",
            Prefetch(
                "activities",
                queryset=Activity.objects.select_related("responsible_person").order_by(
                    "start_date", "title"
                ),
            ),
            Prefetch("plan_indicators", queryset=adoptions),
        )
    )


def plan_sign_offs(plan: Plan) -> list[PlanSignOff]:
    """A plan's sign-offs with who signed, in the order they were given (one query).

    Raises: nothing.
    """
    return list(plan.sign_offs.select_related("signed_by").order_by("signed_at"))  # type: ignore[attr-defined]


def _detail(
    plan: Plan,
    objectives: list[Objective],
    events: list[PlanningEvent],
    sign_offs: list[PlanSignOff] | None = None,
) -> PlanDetail:
    for objective in objectives:
        for adoption in objective.plan_indicators.all():
            adoption.plan = plan
    if sign_offs is None:
        sign_offs = plan_sign_offs(plan)
    return PlanDetail(
        plan=plan,
        objectives=objectives,
        events=events,
        sign_offs=sign_offs,
        signed_parties={s.party for s in sign_offs},
    )


def _events(plan: Plan) -> list[PlanningEvent]:
    return list(plan.events.prefetch_related("participants").order_by("date"))


def plan_detail(plan: Plan) -> PlanDetail:
    """A plan with its objectives, activities, adopted indicators (with their disaggregations and options) and
    every target (overall and per option), planning events and sign-offs loaded: what the plan API answers.
    Twelve queries whatever the plan's size.

    Raises: nothing.
    """
    return _detail(plan, _objectives(plan, overall_only=False), _events(plan))


# Bounds how long the plan page can miss a change made outside the services (the admin, a database restore);
# every change through the services renews the audit change stamp, and with it the key, at once.
PLAN_PAGE_CACHE_SECONDS = 600


def plan_page_detail(plan: Plan, *, sign_offs: list[PlanSignOff] | None = None) -> PlanDetail:
    """What the plan page shows of a plan: as `plan_detail`, but each adopted indicator with its overall targets
    only (by period) and its disaggregations without their options.

    The objectives and events (with activities, indicators, targets, participants) are the same for every
    reader (what each may do with them is the page's `access`), so they are kept in the shared cache under the
    audit change stamp (`audit.services.change_stamp`, renewed when any audited change commits) and the plan's
    version, for at most PLAN_PAGE_CACHE_SECONDS: the first request after a change loads them (9 queries),
    later ones read them back (one cache read). Loaded afresh, and not cached, inside a transaction that has
    made changes itself. The sign-offs (who signed) are read every time (one query, `plan_sign_offs`, unless
    given as `sign_offs`) and never cached.

    Raises: nothing.
    """
    objectives, events = cached_until_change(
        f"planning:page:{plan.pk}:{plan.version}",
        lambda: (_objectives(plan, overall_only=True), _events(plan)),
        PLAN_PAGE_CACHE_SECONDS,
    )
    return _detail(plan, objectives, events, sign_offs)


def indicators_for_plan(plan: Plan) -> QuerySet[Indicator]:
    """What a plan may adopt: the programme's common indicators and the partnership's own.

    Raises: nothing.
    """
    return indicator_queryset().filter(
        Q(partnership__isnull=True) | Q(partnership_id=plan.partnership_id),
        programme_id=plan.partnership.programme_id,
    )


def common_indicators(programme: Programme) -> QuerySet[Indicator]:
    """A programme's common indicators, by code.

    Raises: nothing.
    """
    return indicator_queryset().filter(programme=programme, partnership__isnull=True).order_by("code")


def own_indicators(partnership: Partnership) -> QuerySet[Indicator]:
    """The indicators a partnership defined for itself, by code.

    Raises: nothing.
    """
    return indicator_queryset().filter(partnership=partnership).order_by("code")


def disaggregations(programme: Programme) -> QuerySet[DisaggregationCategory]:
    """A programme's disaggregation categories with their options in order.

    Raises: nothing.
    """
    return DisaggregationCategory.objects.filter(programme=programme).prefetch_related(
        Prefetch("options", queryset=DisaggregationOption.objects.order_by("order", "name"))
    )


def get_indicator_for_user(user: User, indicator_uuid: Any) -> Indicator:
    """A common indicator of a programme the user sees, or an own indicator of a partnership the user sees.

    Raises: Http404.
    """
    programmes = Programme.objects.visible_to(user)
    partnerships = Partnership.objects.visible_to(user)
    indicator = (
        indicator_queryset()
        .select_related("programme")
        .filter(uuid=parse_uuid(indicator_uuid))
        .filter(Q(partnership__isnull=True, programme__in=programmes) | Q(partnership__in=partnerships))
        .first()
    )
    if indicator is None:
        raise Http404
    return indicator
