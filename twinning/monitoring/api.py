"""Results and period reports over the API, scoped like the UI: 404 outside, 403 for read-only writes."""

import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from twinning.accounts.access import enters_data_anywhere, require
from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import User
from twinning.core.api import Input, PageQuery, Version, error_responses, omittable, paginate, patch_changes
from twinning.core.numbers import MachineDecimal
from twinning.monitoring import selectors, services
from twinning.monitoring.models import NARRATIVE_MAX, PeriodReport, Result
from twinning.partnerships.selectors import get_partnership_for_user
from twinning.planning.models import DisaggregationOption, PlanIndicator
from twinning.planning.periods import period_label
from twinning.planning.selectors import plan_in_force

router = Router(tags=["monitoring"])

PeriodId = Field(
    ..., min_length=4, max_length=8, pattern=r"^\d{4}(\d{2}|S[12]|Q[1-4])?$", examples=["2024Q1"]
)


class ResultOut(Schema):
    uuid: UUID
    version: int
    partnership: UUID
    indicator: str = Field(description="The indicator's code.")
    period: str
    option: str | None = Field(None, description="category:option, or null for the overall value.")
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    text: str
    score: Decimal | None
    comment: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_partnership(obj: Result) -> UUID:
        return obj.partnership.uuid

    @staticmethod
    def resolve_indicator(obj: Result) -> str:
        return obj.indicator.code

    @staticmethod
    def resolve_option(obj: Result) -> str | None:
        return f"{obj.option.category.code}:{obj.option.code}" if obj.option else None


class ResultPage(Schema):
    count: int
    items: list[ResultOut]


class ResultFilters(PageQuery):
    partnership: UUID | None = None
    period: str | None = Field(None, max_length=8)
    indicator: str | None = Field(None, max_length=30)


class ResultIn(Input):
    partnership: UUID
    indicator: str = Field(
        ..., min_length=1, max_length=30, description="Code of an indicator of the agreed plan."
    )
    period: str = PeriodId
    option: str | None = Field(None, max_length=61, description="category:option for a disaggregated value.")
    value: MachineDecimal | None = Field(None, max_digits=18, decimal_places=4)
    numerator: MachineDecimal | None = Field(None, max_digits=18, decimal_places=4)
    denominator: MachineDecimal | None = Field(None, max_digits=18, decimal_places=4)
    text: str = Field("", max_length=4000)
    score: MachineDecimal | None = Field(None, max_digits=8, decimal_places=2)
    comment: str = Field("", max_length=2000)
    version: int | None = Field(
        None, ge=1, le=2_147_483_647, description="The version you read; omit for a new value."
    )
    uuid: UUID | None = Field(None, description="For a new value: a client-generated UUID (offline entry).")


class ReportOut(Schema):
    uuid: UUID
    version: int
    partnership: UUID
    period: str
    period_label: str
    status: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None

    @staticmethod
    def resolve_partnership(obj: PeriodReport) -> UUID:
        return obj.partnership.uuid

    @staticmethod
    def resolve_period_label(obj: PeriodReport) -> str:
        return period_label(obj.period)


class ReportPage(Schema):
    count: int
    items: list[ReportOut]


class ReportFilters(PageQuery):
    partnership: UUID | None = None
    status: PeriodReport.Status | None = None


class SubmitIn(Input):
    pass


class ReturnIn(Input):
    feedback: str = Field(..., min_length=1, max_length=5000)


class ApproveIn(Input):
    note: str = Field("", max_length=2000)


class UnlockIn(Input):
    reason: str = Field(..., min_length=1, max_length=2000)


class NarrativeOut(Schema):
    partnership: UUID
    period: str
    version: int | None = Field(None, description="The report's version; none before anything was entered.")
    status: str
    achievements: str
    challenges: str
    next_steps: str


class NarrativeIn(Input):
    achievements: str = omittable(max_length=NARRATIVE_MAX)
    challenges: str = omittable(max_length=NARRATIVE_MAX)
    next_steps: str = omittable(max_length=NARRATIVE_MAX)
    version: Version | None = None


def _narrative(partnership_uuid: UUID, period: str, report: PeriodReport | None) -> dict[str, Any]:
    return {
        "partnership": partnership_uuid,
        "period": period,
        "version": report.version if report else None,
        "status": report.status if report else PeriodReport.Status.DRAFT,
        **{
            name: getattr(report, name) if report else ""
            for name in ("achievements", "challenges", "next_steps")
        },
    }


def _result_queryset(user: User) -> Any:
    return selectors.visible_results(user).select_related("option__category").order_by("id")


@router.get("/results", response={200: ResultPage, **error_responses()}, summary="List results")
def results_list(request: ApiRequest, filters: Query[ResultFilters]) -> dict[str, Any]:
    """Results of the partnerships you may see, optionally of one partnership, period or indicator code."""
    qs = _result_queryset(request.auth)
    if filters.partnership:
        qs = qs.filter(partnership__uuid=filters.partnership)
    if filters.period:
        qs = qs.filter(period=filters.period)
    if filters.indicator:
        qs = qs.filter(indicator__code=filters.indicator)
    return paginate(qs, filters)


@router.patch(
    "/results",
    response={200: ResultOut, 204: None, **error_responses(403, 404, 409)},
    summary="Enter or correct a result",
)
def result_put(request: ApiRequest, payload: ResultIn) -> Any:
    """Create or update the value of one indicator, period and option; send `version` when updating (409 if
    someone changed it since). All value fields empty deletes the value (204)."""
    # The floor before the body is read: who enters data nowhere (a viewer) is refused 403 whatever the body.
    require(enters_data_anywhere(request.auth))
    # The one partnership the request is about, named in the body: hidden or missing answers 404, as in a path
    # (the rule is in `twinning.core.api`).
    partnership, access = get_partnership_for_user(request.auth, payload.partnership)
    require(access.can_enter_data)
    plan = plan_in_force(partnership)
    adoption = (
        PlanIndicator.objects.filter(plan=plan, indicator__code=payload.indicator)
        .select_related("indicator", "plan__partnership")
        .first()
        if plan
        else None
    )
    if adoption is None:
        raise ValidationError({"indicator": [_("Not an indicator of this partnership's agreed plan.")]})
    option = None
    if payload.option:
        category, _sep, code = payload.option.rpartition(":")
        options = DisaggregationOption.objects.filter(category__indicators=adoption.indicator, code=code)
        if category:
            options = options.filter(category__code=category)
        option = options.first()
        if option is None:
            raise ValidationError({"option": [_("Not a breakdown of this indicator.")]})
    saved = services.result_save(
        actor=request.auth,
        plan_indicator=adoption,
        period=payload.period,
        option=option,
        values={k: getattr(payload, k) for k in ("value", "numerator", "denominator", "text", "score")},
        comment=payload.comment,
        expected_version=payload.version,
        uuid=payload.uuid,
        access=access,
    )
    if saved is None:
        return 204, None
    return _result_queryset(request.auth).get(pk=saved.pk)


def _report(user: User, partnership_uuid: UUID, period: str, *, review: bool = False) -> PeriodReport:
    # review=True for the reviewers' steps (return, approve, unlock): a caller the services would refuse
    # (`can_review`, the services' first check) gets 403 before the view reads what they sent, a bad body
    # included (see core.api._hidden_before_invalid), as on the entry page's review forms.
    partnership, access = get_partnership_for_user(user, partnership_uuid)
    if review:
        require(access.can_review)
    report = (
        PeriodReport.objects.filter(partnership=partnership, period=period)
        .select_related("partnership")
        .first()
    )
    if report is None:
        raise Http404
    return report


@router.get("/reports", response={200: ReportPage, **error_responses()}, summary="List period reports")
def reports_list(request: ApiRequest, filters: Query[ReportFilters]) -> dict[str, Any]:
    qs = selectors.visible_reports(request.auth).order_by("partnership_id", "period")
    if filters.partnership:
        qs = qs.filter(partnership__uuid=filters.partnership)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return paginate(qs, filters)


@router.get(
    "/reports/{partnership_uuid}/{period}",
    response={200: ReportOut, **error_responses(404)},
    summary="Get a period report",
)
def report_detail(request: ApiRequest, partnership_uuid: UUID, period: str) -> PeriodReport:
    return _report(request.auth, partnership_uuid, period)


@router.post(
    "/reports/{partnership_uuid}/{period}/submit",
    response={200: ReportOut, **error_responses(403, 404)},
    summary="Submit a period's results for review",
)
def report_submit(
    request: ApiRequest, partnership_uuid: UUID, period: str, payload: SubmitIn
) -> PeriodReport:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    selectors.get_reporting_period(partnership, period)
    return services.report_submit(actor=request.auth, partnership=partnership, period=period)


@router.post(
    "/reports/{partnership_uuid}/{period}/return",
    response={200: ReportOut, **error_responses(403, 404)},
    summary="Return submitted results with feedback",
)
def report_return(
    request: ApiRequest, partnership_uuid: UUID, period: str, payload: ReturnIn
) -> PeriodReport:
    report = _report(request.auth, partnership_uuid, period, review=True)
    return services.report_return(actor=request.auth, report=report, feedback=payload.feedback)


@router.post(
    "/reports/{partnership_uuid}/{period}/approve",
    response={200: ReportOut, **error_responses(403, 404)},
    summary="Approve submitted results (locks them)",
)
def report_approve(
    request: ApiRequest, partnership_uuid: UUID, period: str, payload: ApproveIn
) -> PeriodReport:
    report = _report(request.auth, partnership_uuid, period, review=True)
    return services.report_approve(actor=request.auth, report=report, note=payload.note)


@router.post(
    "/reports/{partnership_uuid}/{period}/unlock",
    response={200: ReportOut, **error_responses(403, 404)},
    summary="Unlock approved results, with a reason",
)
def report_unlock(
    request: ApiRequest, partnership_uuid: UUID, period: str, payload: UnlockIn
) -> PeriodReport:
    report = _report(request.auth, partnership_uuid, period, review=True)
    return services.report_unlock(actor=request.auth, report=report, reason=payload.reason)


@router.get(
    "/reports/{partnership_uuid}/{period}/narrative",
    response={200: NarrativeOut, **error_responses(403, 404)},
    summary="Get a period report's narrative",
)
def narrative_detail(request: ApiRequest, partnership_uuid: UUID, period: str) -> dict[str, Any]:
    """Achievements, challenges and next steps of the period; readers only once the period is approved (403)."""
    _p, _access, found, report = selectors.get_period_contents_for_user(
        request.auth, partnership_uuid, period
    )
    return _narrative(partnership_uuid, found.id, report)


@router.patch(
    "/reports/{partnership_uuid}/{period}/narrative",
    response={200: NarrativeOut, **error_responses(403, 404, 409)},
    summary="Write a period report's narrative",
)
def narrative_update(
    request: ApiRequest, partnership_uuid: UUID, period: str, payload: NarrativeIn
) -> dict[str, Any]:
    """Coordinators and programme editors write it while the report is a draft or returned; send `version`
    (409 if someone changed the report since)."""
    partnership, _access, found = selectors.get_partnership_period_for_user(
        request.auth, partnership_uuid, period, write=True
    )
    data, version = patch_changes(payload)
    report = services.report_narrative_save(
        actor=request.auth, partnership=partnership, period=found.id, data=data, expected_version=version
    )
    return _narrative(partnership_uuid, found.id, report)
