"""Disaggregations, indicators (common and own), adopting them into plans, and targets."""

import datetime
import uuid as uuid_module
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from twinning.accounts.access import can_edit_indicator, require, require_edit, require_programme_editor
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record, changes_recorded, object_names, related_label
from twinning.core.numbers import current_locale, format_number
from twinning.core.services import (
    create_with_audit,
    delete_with_audit,
    refuse_unknown_fields,
    update_with_audit,
)
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.models import (
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
    Target,
)
from twinning.planning.periods import Period, parse_period, period_label, periods_between
from twinning.planning.services.common import (
    INDICATOR_FIELDS,
    PLAN_INDICATOR_FIELDS,
    _begin_plan_change,
    _delete,
    _uuid,
)

# --- disaggregations and indicators ---------------------------------------------------------------


@transaction.atomic
def disaggregation_create(
    *,
    actor: User,
    programme: Programme,
    code: str,
    name: str,
    options: Iterable[tuple[str, str]] = (),
) -> DisaggregationCategory:
    """A programme-wide way of breaking results down (sex, cadre, age group) with its options, in order.

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, programme.pk)
    if DisaggregationCategory.objects.filter(programme=programme, code=code).exists():
        raise ValidationError({"code": _("The programme already has a disaggregation with this code.")})
    category = create_with_audit(
        actor=actor, obj=DisaggregationCategory(programme=programme, code=code, name=name), parent=programme
    )
    options = list(options)
    codes = [c for c, _name in options]
    if len(set(codes)) != len(codes):
        raise ValidationError({"options": _("Each option needs its own code.")})
    for order, (option_code, option_name) in enumerate(options, start=1):
        _option_save(actor, category, option_code, option_name, order)
    return category


def _option_save(
    actor: User, category: DisaggregationCategory, code: str, name: str, order: int, dhis2: str = ""
) -> DisaggregationOption:
    option = DisaggregationOption(
        category=category, code=code, name=name, order=order, dhis2_category_option_combo=dhis2
    )
    try:
        option.full_clean()
    except ValidationError as exc:
        raise ValidationError({"options": [f"{code}: {m}" for m in exc.messages]}) from exc
    option.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=option,
        changes={"category": [None, related_label(category)], "code": [None, code], "name": [None, name]},
        parent=category.programme,
    )
    return option


@transaction.atomic
def disaggregation_option_add(
    *,
    actor: User,
    category: DisaggregationCategory,
    code: str,
    name: str,
    dhis2_category_option_combo: str = "",
) -> DisaggregationOption:
    """Add an option to a disaggregation category (programme editors); codes are unique in the category.

    Raises: PermissionDenied, ValidationError.
    """
    require_programme_editor(actor, category.programme.pk)
    if category.options.filter(code=code).exists():
        raise ValidationError({"code": _("This disaggregation already has an option with this code.")})
    order = (category.options.aggregate(n=Max("order"))["n"] or 0) + 1
    try:
        return _option_save(actor, category, code, name, order, dhis2_category_option_combo)
    except ValidationError as exc:
        raise ValidationError({"code": exc.messages}) from exc


def _check_indicator(programme: Programme, fields: Mapping[str, Any]) -> None:
    categories = fields.get("categories") or []
    if any(c.programme_id != programme.pk for c in categories):
        raise ValidationError({"categories": _("Choose disaggregations of the indicator's programme.")})


@transaction.atomic
def indicator_create(
    *,
    actor: User,
    programme: Programme,
    code: str,
    name: str,
    partnership: Partnership | None = None,
    categories: Iterable[DisaggregationCategory] = (),
    uuid: uuid_module.UUID | None = None,
    **fields: Any,
) -> Indicator:
    """A common indicator (no partnership: programme editors define it once for every partnership) or a
    partnership's own indicator (its coordinators define it).

    Raises: PermissionDenied, ValidationError, TypeError.
    """
    refuse_unknown_fields(fields, INDICATOR_FIELDS, "indicator")
    if partnership is None:
        require_programme_editor(actor, programme.pk)
    else:
        require_edit(actor, partnership)
        if partnership.programme_id != programme.pk:
            raise ValidationError(_("The partnership is not in this programme."))
    categories = list(categories)
    if not fields.get("cross_aggregation"):  # nobody chose: the measure decides, a percentage is never added
        fields["cross_aggregation"] = Indicator.default_cross_aggregation(
            fields.get("measure") or Indicator.Measure.NUMBER
        )
    _check_indicator(programme, {"categories": categories})
    clash = Indicator.objects.filter(programme=programme, partnership=partnership, code=code)
    if clash.exists():
        raise ValidationError({"code": _("Another indicator has this code; choose another.")})
    indicator = Indicator(
        **_uuid(uuid), programme=programme, partnership=partnership, code=code, name=name, **fields
    )
    return create_with_audit(
        actor=actor,
        obj=indicator,
        m2m={"categories": categories},
        parent=partnership if partnership is not None else programme,
    )


@transaction.atomic
def indicator_update(
    *, actor: User, indicator: Indicator, data: dict[str, Any], expected_version: int | None = None
) -> Indicator:
    """Correct an indicator. Every plan adopts it by reference, so the correction shows in each at once.

    The frequency cannot change once targets are set (they name periods of the old frequency), nor can a
    disaggregation be dropped while targets use its options.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    refuse_unknown_fields(data, INDICATOR_FIELDS, "indicator")
    require(can_edit_indicator(actor, indicator))
    if "cross_aggregation" in data and not data["cross_aggregation"]:  # left blank: the measure decides
        data = {
            **data,
            "cross_aggregation": Indicator.default_cross_aggregation(
                data.get("measure") or indicator.measure
            ),
        }
    errors: dict[str, list[str]] = {}
    targets = Target.objects.filter(plan_indicator__indicator=indicator)
    if "frequency" in data and data["frequency"] != indicator.frequency and targets.exists():
        errors["frequency"] = [
            _("Targets are set for this indicator's periods; the reporting frequency cannot change now.")
        ]
    if "categories" in data:
        categories = list(data["categories"])
        data = {**data, "categories": categories}
        try:
            _check_indicator(indicator.programme, {"categories": categories})
        except ValidationError as exc:
            errors.update(exc.message_dict)
        dropped = targets.filter(option__isnull=False).exclude(option__category__in=categories)
        if dropped.exists():
            errors.setdefault("categories", []).append(
                _("Targets are set for options of a disaggregation you removed; delete them first.")
            )
    if "code" in data:
        clash = Indicator.objects.filter(
            programme_id=indicator.programme_id, partnership=indicator.partnership, code=data["code"]
        ).exclude(pk=indicator.pk)
        if clash.exists():
            errors["code"] = [_("Another indicator has this code; choose another.")]
    if errors:
        raise ValidationError(errors)
    parent = indicator.partnership if indicator.partnership_id else indicator.programme
    return update_with_audit(
        actor=actor, obj=indicator, data=data, expected_version=expected_version, parent=parent
    )


# --- adopting indicators into a plan, and targets -------------------------------------------------


def _check_adoption(plan: Plan, objective: Objective | None, indicator: Indicator | None) -> None:
    errors: dict[str, list[str]] = {}
    if objective is not None and objective.plan_id != plan.pk:
        errors["objective"] = [_("Choose an objective of this plan.")]
    foreign = indicator is not None and (
        indicator.programme_id != plan.partnership.programme_id
        or indicator.partnership_id not in (None, plan.partnership_id)
    )
    if foreign:
        errors["indicator"] = [
            _("Choose one of the programme's common indicators or one of this partnership's own.")
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_indicator_adopt(
    *,
    actor: User,
    plan: Plan,
    objective: Objective,
    indicator: Indicator,
    baseline_value: Decimal | None = None,
    baseline_date: datetime.date | None = None,
    baseline_note: str = "",
    end_target: Decimal | None = None,
    uuid: uuid_module.UUID | None = None,
) -> PlanIndicator:
    """Adopt an indicator into a plan by reference, with its baseline and end-of-plan target.

    Raises: PermissionDenied, ValidationError.
    """
    _begin_plan_change(actor, plan)
    _check_adoption(plan, objective, indicator)
    if plan.plan_indicators.filter(indicator=indicator).exists():
        raise ValidationError({"indicator": _("This plan already measures this indicator.")})
    _check_value(indicator, end_target, "end_target")
    _check_value(indicator, baseline_value, "baseline_value")
    adoption = PlanIndicator(
        **_uuid(uuid),
        plan=plan,
        objective=objective,
        indicator=indicator,
        baseline_value=baseline_value,
        baseline_date=baseline_date,
        baseline_note=baseline_note,
        end_target=end_target,
    )
    return create_with_audit(actor=actor, obj=adoption, parent=plan)


@transaction.atomic
def plan_indicator_update(
    *, actor: User, plan_indicator: PlanIndicator, data: dict[str, Any], expected_version: int | None = None
) -> PlanIndicator:
    """Change an adopted indicator's baseline, end target or objective in a draft plan.

    Raises: PermissionDenied, ValidationError, VersionConflict, TypeError.
    """
    refuse_unknown_fields(data, PLAN_INDICATOR_FIELDS, "plan indicator")
    plan = plan_indicator.plan
    _begin_plan_change(actor, plan)
    _check_adoption(plan, data.get("objective"), None)
    for name in ("baseline_value", "end_target"):
        if name in data:
            _check_value(plan_indicator.indicator, data[name], name)
    return update_with_audit(
        actor=actor, obj=plan_indicator, data=data, expected_version=expected_version, parent=plan
    )


@transaction.atomic
def plan_indicator_remove(*, actor: User, plan_indicator: PlanIndicator) -> None:
    """Take an indicator out of a draft plan.

    Raises: PermissionDenied, ValidationError.
    """
    _begin_plan_change(actor, plan_indicator.plan)
    _delete(actor, plan_indicator, plan_indicator.plan)


def plan_periods(plan: Plan, frequency: str) -> list[Period]:
    """The periods of `frequency` over the plan's years, in order.

    Raises: nothing.
    """
    return periods_between(
        datetime.date(plan.first_year, 1, 1), datetime.date(plan.last_year, 12, 31), frequency
    )


def _check_value(indicator: Indicator, value: Decimal | None, field: str) -> None:
    if value is None:
        return
    if not value.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if indicator.measure == Indicator.Measure.PERCENTAGE and not 0 <= value <= 100:
        raise ValidationError({field: _("A percentage lies between 0 and 100.")})
    if indicator.measure == Indicator.Measure.YES_NO and value not in (0, 1):
        raise ValidationError({field: _("A yes/no target is 1 (yes) or 0 (no).")})
    if indicator.measure == Indicator.Measure.NUMBER:
        # The same rule as results (monitoring.services.clean_result_values).
        why = Indicator.count_error(
            value, allows_negative=indicator.allows_negative, whole_numbers=indicator.whole_numbers
        )
        if why:
            raise ValidationError({field: why})


def _check_target(
    plan_indicator: PlanIndicator,
    period: str,
    option: DisaggregationOption | None,
    value: Decimal | None,
    category_ids: set[int] | None = None,
) -> dict[str, list[str]]:
    """Why a target cannot be set, by field (empty when it can)."""
    indicator = plan_indicator.indicator
    plan = plan_indicator.plan
    errors: dict[str, list[str]] = {}
    try:
        parsed = parse_period(period)
    except ValueError:
        errors["period"] = [
            _("%(value)s is not a reporting period; use e.g. 2024, 2024S1, 2024Q1 or 202401.")
            % {"value": period[:20]}
        ]
    else:
        if parsed.frequency != indicator.frequency:
            errors["period"] = [
                _("%(period)s is not a %(frequency)s period, which this indicator is reported by.")
                % {"period": period_label(period), "frequency": indicator.get_frequency_display().lower()}
            ]
        elif not plan.first_year <= parsed.year <= plan.last_year:
            errors["period"] = [
                _("%(period)s lies outside the plan's years (%(first)s-%(last)s).")
                % {"period": period_label(period), "first": plan.first_year, "last": plan.last_year}
            ]
    if option is not None:
        if category_ids is None:
            category_ids = set(indicator.categories.values_list("pk", flat=True))
        if option.category_id not in category_ids:
            errors["option"] = [
                _("%(option)s is not an option of this indicator's disaggregations.") % {"option": option}
            ]
    try:
        _check_value(indicator, value, "value")
    except ValidationError as exc:
        errors.update(exc.message_dict)
    return errors


@transaction.atomic
def target_set(
    *,
    actor: User,
    plan_indicator: PlanIndicator,
    period: str,
    value: Decimal,
    option: DisaggregationOption | None = None,
    uuid: uuid_module.UUID | None = None,
) -> Target:
    """Set (create or change) the target of one period, overall or for one disaggregation option.

    Raises: PermissionDenied, ValidationError.
    """
    _begin_plan_change(actor, plan_indicator.plan)
    errors = _check_target(plan_indicator, period, option, value)
    if errors:
        raise ValidationError(errors)
    existing = plan_indicator.targets.filter(period=period, option=option).first()
    if existing is not None:
        return update_with_audit(actor=actor, obj=existing, data={"value": value}, parent=plan_indicator.plan)
    target = Target(**_uuid(uuid), plan_indicator=plan_indicator, period=period, option=option, value=value)
    return create_with_audit(actor=actor, obj=target, parent=plan_indicator.plan)


@transaction.atomic
def targets_save(
    *,
    actor: User,
    plan_indicator: PlanIndicator,
    values: Mapping[tuple[str, DisaggregationOption | None], Decimal | None],
    seen: Mapping[tuple[str, DisaggregationOption | None], Decimal | None] | None = None,
) -> int:
    """Save a targets grid: every cell is checked first, then all are written (None deletes a target).

    `seen` holds, for cells of `values`, the target the person saw when they began (None: no target); a cell
    someone else changed meanwhile to another value than the new one is refused as a conflict (code
    `target_conflict`), never overwritten. Cells without a `seen` entry are written as given.
    Returns the number of targets changed. Bad cells raise one ValidationError keyed `period/option`.

    Raises: PermissionDenied, ValidationError.
    """
    _begin_plan_change(actor, plan_indicator.plan)
    errors: dict[str, list[ValidationError]] = {}
    category_ids = set(plan_indicator.indicator.categories.values_list("pk", flat=True))
    for (period, option), value in values.items():
        problems = _check_target(plan_indicator, period, option, value, category_ids)
        if problems:
            key = f"{period}/{option.code}" if option is not None else period
            errors[key] = [ValidationError(m) for messages in problems.values() for m in messages]
    existing = {(t.period, t.option_id): t for t in plan_indicator.targets.all()}
    for (period, option), before in (seen or {}).items():
        if (period, option) not in values:
            continue
        current = existing.get((period, option.pk if option else None))
        now = current.value if current is not None else None
        if now != before and now != values[(period, option)]:
            key = f"{period}/{option.code}" if option is not None else period
            errors.setdefault(key, []).append(_target_conflict(now))
    if errors:
        raise ValidationError(errors)
    changed = 0
    plan = plan_indicator.plan
    new: list[Target] = []
    for (period, option), value in values.items():
        current = existing.get((period, option.pk if option else None))
        if value is None:
            if current is not None:
                delete_with_audit(actor=actor, obj=current, parent=plan)
                changed += 1
        elif current is None:
            target = Target(plan_indicator=plan_indicator, period=period, option=option, value=value)
            # Checked above (period, option, value); the database's unique constraints guard the rest, so the
            # per-row uniqueness queries of full_clean() are skipped: a 3-year monthly grid is hundreds of cells.
            target.clean_fields(
                exclude=["plan_indicator", "option"]
            )  # both checked above, without a query each
            new.append(target)
        elif current.value != value:
            update_with_audit(actor=actor, obj=current, data={"value": value}, parent=plan)
            changed += 1
    if new:
        Target.objects.bulk_create(new)
        _audit_created_targets(actor, plan, new)
    return changed + len(new)


def _target_conflict(now: Decimal | None) -> ValidationError:
    if now is None:
        message = _("Someone else removed this target while you were editing. Save again to keep yours.")
    else:
        message = _(
            "Someone else set this target to %(value)s while you were editing. Your value is kept here: save "
            "again to replace theirs."
        ) % {"value": format_number(now, locale=current_locale())}
    return ValidationError(message, code="target_conflict")


def _audit_created_targets(actor: User, plan: Plan, targets: list[Target]) -> None:
    """One audit row per new target, written in one statement (same rows audit_record would write)."""
    target_type = ContentType.objects.get_for_model(Target)
    plan_type = ContentType.objects.get_for_model(Plan)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=actor if getattr(actor, "pk", None) else None,
            action=AuditEvent.Action.CREATE,
            target_type=target_type,
            target_id=str(t.pk),
            target_repr=name,
            target_names=names,
            changes={
                "period": [None, t.period],
                **({"option": [None, related_label(t.option)]} if t.option else {}),
                "value": [None, str(t.value)],
            },
            parent_type=plan_type,
            parent_id=str(plan.pk),
        )
        for t in targets
        for name, names in [object_names(t)]
    )
    changes_recorded()


@transaction.atomic
def target_delete(*, actor: User, target: Target) -> None:
    """Delete one target of a draft plan.

    Raises: PermissionDenied, ValidationError.
    """
    plan = target.plan_indicator.plan
    _begin_plan_change(actor, plan)
    _delete(actor, target, plan)
