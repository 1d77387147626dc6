"""Adopted indicators and their targets; common and own indicators; disaggregations."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Status

from twinning.accounts.access import can_edit_indicator
from twinning.accounts.api_auth import ApiRequest
from twinning.core.api import error_responses, patch_changes, refuse_repeats
from twinning.partnerships.models import Partnership
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_user
from twinning.planning import services
from twinning.planning.api.schemas import (
    AdoptIn,
    CategoryIn,
    CategoryOut,
    IndicatorIn,
    IndicatorOut,
    IndicatorUpdate,
    PlanIndicatorOut,
    PlanIndicatorUpdate,
    TargetOut,
    TargetsIn,
    _categories,
    _objective_of,
)
from twinning.planning.models import (
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    PlanIndicator,
    Target,
)
from twinning.planning.selectors import (
    common_indicators,
    disaggregations,
    get_indicator_for_user,
    get_plan_by_uuid_for_user,
    indicator_queryset,
    own_indicators,
    plan_child_for_user,
    plan_detail,
)

router = Router()


# --- adopted indicators and targets ---------------------------------------------------------------


def _adoption_out(adoption: PlanIndicator) -> PlanIndicator:
    detail = plan_detail(adoption.plan)
    return next(pi for o in detail.objectives for pi in o.plan_indicators.all() if pi.pk == adoption.pk)


@router.post(
    "/plans/{plan_uuid}/indicators",
    response={201: PlanIndicatorOut, **error_responses(403, 404)},
    summary="Adopt an indicator into a draft plan",
)
def adopt(request: ApiRequest, plan_uuid: str, payload: AdoptIn) -> Status:
    """Common indicators are adopted by reference: a correction by the programme reaches the plan at once."""
    plan, _access = get_plan_by_uuid_for_user(request.auth, plan_uuid, write=True)
    objective = _objective_of(plan, payload.objective)
    try:
        indicator = get_indicator_for_user(request.auth, payload.indicator)
    except Http404:
        raise ValidationError({"indicator": [_("Unknown indicator.")]}) from None
    adoption = services.plan_indicator_adopt(
        actor=request.auth,
        plan=plan,
        objective=objective,
        indicator=indicator,
        **payload.model_dump(exclude={"objective", "indicator"}),
    )
    return Status(201, _adoption_out(adoption))


@router.patch(
    "/plan-indicators/{plan_indicator_uuid}",
    response={200: PlanIndicatorOut, **error_responses(403, 404, 409)},
    summary="Change an adopted indicator's baseline, end target or objective",
)
def adoption_patch(
    request: ApiRequest, plan_indicator_uuid: str, payload: PlanIndicatorUpdate
) -> PlanIndicator:
    adoption, plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid, write=True)
    data, version = patch_changes(payload)
    if "objective" in data:
        data["objective"] = _objective_of(plan, data["objective"])
    services.plan_indicator_update(
        actor=request.auth, plan_indicator=adoption, data=data, expected_version=version
    )
    return _adoption_out(adoption)


@router.delete(
    "/plan-indicators/{plan_indicator_uuid}",
    response={204: None, **error_responses(403, 404)},
    summary="Remove an indicator (and its targets) from a draft plan",
)
def adoption_remove(request: ApiRequest, plan_indicator_uuid: str) -> Status:
    adoption, _plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid, write=True)
    services.plan_indicator_remove(actor=request.auth, plan_indicator=adoption)
    return Status(204, None)


@router.get(
    "/plan-indicators/{plan_indicator_uuid}/targets",
    response={200: list[TargetOut], **error_responses(403, 404)},
    summary="List an adopted indicator's targets",
)
def targets_list(request: ApiRequest, plan_indicator_uuid: str) -> list[Target]:
    adoption, _plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid)
    return list(adoption.targets.select_related("option__category").order_by("period", "option__order"))


@router.put(
    "/plan-indicators/{plan_indicator_uuid}/targets",
    response={200: list[TargetOut], **error_responses(403, 404)},
    summary="Set targets of a draft plan's indicator",
)
def targets_put(request: ApiRequest, plan_indicator_uuid: str, payload: TargetsIn) -> list[Target]:
    """Sets the targets sent (null deletes one); targets not sent are left alone. Every row is checked
    before anything is written: a bad row answers 422 naming `period/option`, and nothing changes."""
    adoption, _plan = plan_child_for_user(request.auth, PlanIndicator, plan_indicator_uuid, write=True)
    options = {
        f"{o.category.code}.{o.code}": o
        for o in DisaggregationOption.objects.filter(
            category__programme_id=adoption.indicator.programme_id
        ).select_related("category")
    }
    # One target per period and option: a repeated one would silently replace the first.
    refuse_repeats(
        payload.targets,
        key=lambda row: (row.period, row.option),
        name=lambda row: f"{row.period}/{row.option}" if row.option else row.period,
    )
    errors: dict[str, list[str]] = {}
    values: dict[tuple[str, DisaggregationOption | None], Decimal | None] = {}
    for number, row in enumerate(payload.targets):
        option = None
        if row.option is not None:
            option = options.get(row.option)
            if option is None:
                errors[f"targets.{number}.option"] = [_("Unknown option: %(key)s.") % {"key": row.option}]
                continue
        values[(row.period, option)] = row.value
    if errors:
        raise ValidationError(errors)
    services.targets_save(actor=request.auth, plan_indicator=adoption, values=values)
    return list(adoption.targets.select_related("option__category").order_by("period", "option__order"))


# --- indicators and disaggregations ---------------------------------------------------------------


def _indicator_out(indicator: Indicator) -> Indicator:
    # Re-read after a write the caller was allowed to make, with what IndicatorOut shows prefetched.
    return indicator_queryset().get(pk=indicator.pk)


@router.get(
    "/programmes/{programme_uuid}/indicators",
    response={200: list[IndicatorOut], **error_responses(404)},
    summary="List a programme's common indicators",
)
def common_list(request: ApiRequest, programme_uuid: str) -> list[Indicator]:
    programme = get_programme_for_user(request.auth, programme_uuid)
    return list(common_indicators(programme))


@router.post(
    "/programmes/{programme_uuid}/indicators",
    response={201: IndicatorOut, **error_responses(403, 404)},
    summary="Define a common indicator",
)
def common_create(request: ApiRequest, programme_uuid: str, payload: IndicatorIn) -> Status:
    """Programme managers and M&E officers define the indicators every partnership may adopt."""
    programme = get_programme_for_user(request.auth, programme_uuid, write=True)
    data = payload.model_dump()
    data["categories"] = _categories(programme.pk, data["categories"])
    indicator = services.indicator_create(actor=request.auth, programme=programme, **data)
    return Status(201, _indicator_out(indicator))


@router.get(
    "/partnerships/{partnership_uuid}/indicators",
    response={200: list[IndicatorOut], **error_responses(404)},
    summary="List a partnership's own indicators",
)
def own_list(request: ApiRequest, partnership_uuid: str) -> list[Indicator]:
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    return list(own_indicators(partnership))


@router.post(
    "/partnerships/{partnership_uuid}/indicators",
    response={201: IndicatorOut, **error_responses(403, 404)},
    summary="Define an indicator of the partnership's own",
)
def own_create(request: ApiRequest, partnership_uuid: str, payload: IndicatorIn) -> Status:
    partnership: Partnership
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid, write=True)
    data = payload.model_dump()
    data["categories"] = _categories(partnership.programme_id, data["categories"])
    indicator = services.indicator_create(
        actor=request.auth, programme=partnership.programme, partnership=partnership, **data
    )
    return Status(201, _indicator_out(indicator))


@router.get(
    "/indicators/{indicator_uuid}",
    response={200: IndicatorOut, **error_responses(404)},
    summary="Get an indicator",
)
def indicator_get(request: ApiRequest, indicator_uuid: str) -> Indicator:
    return get_indicator_for_user(request.auth, indicator_uuid)


@router.patch(
    "/indicators/{indicator_uuid}",
    response={200: IndicatorOut, **error_responses(403, 404, 409)},
    summary="Correct an indicator",
)
def indicator_patch(request: ApiRequest, indicator_uuid: str, payload: IndicatorUpdate) -> Indicator:
    """A correction reaches every plan that adopted the indicator, at once."""
    indicator = get_indicator_for_user(request.auth, indicator_uuid)
    if not can_edit_indicator(request.auth, indicator):
        raise PermissionDenied
    data, version = patch_changes(payload)
    if "categories" in data:
        data["categories"] = _categories(indicator.programme_id, data["categories"])
    services.indicator_update(actor=request.auth, indicator=indicator, data=data, expected_version=version)
    return _indicator_out(indicator)


@router.get(
    "/programmes/{programme_uuid}/disaggregations",
    response={200: list[CategoryOut], **error_responses(404)},
    summary="List a programme's disaggregations",
)
def categories_list(request: ApiRequest, programme_uuid: str) -> list[DisaggregationCategory]:
    programme = get_programme_for_user(request.auth, programme_uuid)
    return list(disaggregations(programme))


@router.post(
    "/programmes/{programme_uuid}/disaggregations",
    response={201: CategoryOut, **error_responses(403, 404)},
    summary="Define a disaggregation with its options",
)
def category_create(request: ApiRequest, programme_uuid: str, payload: CategoryIn) -> Status:
    programme = get_programme_for_user(request.auth, programme_uuid, write=True)
    category = services.disaggregation_create(
        actor=request.auth,
        programme=programme,
        code=payload.code,
        name=payload.name,
        options=[(o.code, o.name) for o in payload.options],
    )
    return Status(201, disaggregations(programme).get(pk=category.pk))
