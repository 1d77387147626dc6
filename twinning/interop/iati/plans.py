"""The plan part of an IATI import: indicators, objectives, baselines, targets and actuals of one partnership,
through planning's and monitoring's services, each written only where the stored value differs.

- An indicator is found by its reference code (vocabulary 99, as our export writes it) among the programme's
  common indicators and the partnership's own, else by its exact name; otherwise it becomes the partnership's
  own indicator. Its reporting frequency is that of its periods.
- The plan: the partnership's current version; a new draft when it has none; a new version (planning's
  `plan_new_version`) when the current one is agreed and the file changes it. Each IATI result is an objective.
- Actuals are entered against the plan in force (as on the results page): a partnership whose plan is not
  agreed yet gets its actuals once both sides have signed (a warning says so). A value of an approved period
  that differs is refused by monitoring, as in the page.
- A value broken down by one dimension goes to that disaggregation option (created when missing); values broken
  down by two dimensions at once, and baselines broken down at all, are left out with a warning.
"""

import datetime
from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from twinning.accounts.models import User
from twinning.core.periods import MONTHS_IN, Frequency, parse_period, period_containing, period_label
from twinning.interop.iati.reader import ActivityIn, IndicatorIn, PeriodIn, ResultIn, Value
from twinning.interop.iati.rules import Problem
from twinning.monitoring.models import Result
from twinning.monitoring.services import result_save
from twinning.partnerships.models import Partnership, Programme
from twinning.planning import services as planning
from twinning.planning.models import (
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
)
from twinning.planning.selectors import current_plan, plan_in_force

if TYPE_CHECKING:
    from twinning.interop.iati.importer import ImportSummary

SKIP = object()  # a value left out (with a warning)
MISSING = object()  # a value for a disaggregation option that does not exist (yet)


def period_id(start: datetime.date | None, end: datetime.date | None) -> str | None:
    """The reporting period (month, quarter, half-year or year) that runs exactly from `start` to `end`."""
    if start is None or end is None:
        return None
    for frequency in MONTHS_IN:
        period = period_containing(start, frequency)
        if period.start == start and period.end == end:
            return period.id
    return None


def _frequency(periods: list[str]) -> str:
    found = Counter(parse_period(p).frequency for p in periods)
    return found.most_common(1)[0][0] if found else Frequency.YEARLY


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and a.compare(b) == 0)


class PlanImporter:
    def __init__(self, actor: User, programme: Programme, summary: "ImportSummary") -> None:
        self.actor = actor
        self.programme = programme
        self.summary = summary

    # --- reading what is there ---------------------------------------------------------------------

    def find_indicator(self, partnership: Partnership, item: IndicatorIn) -> Indicator | None:
        mine = Indicator.objects.filter(programme=self.programme).filter(
            Q(partnership__isnull=True) | Q(partnership=partnership)
        )
        if item.code:
            found = mine.filter(code=item.code).order_by("partnership_id").first()
            if found:
                return found
        return mine.filter(name=item.title[:255]).order_by("partnership_id").first() if item.title else None

    def option(self, value: Value, *, create: bool) -> Any:
        """The disaggregation option a value is for (None: overall; SKIP: left out), created when `create`."""
        if not value.dimensions:
            return None
        if len(value.dimensions) > 1:
            self.summary.warnings.append(
                Problem(
                    value.path,
                    _(
                        "Twinning records one breakdown per value: this value is broken down by %(n)s dimensions at "
                        "once and is left out."
                    )
                    % {"n": len(value.dimensions)},
                )
            )
            return SKIP
        name, label = value.dimensions[0]
        category = (
            DisaggregationCategory.objects.filter(programme=self.programme)
            .filter(Q(name__iexact=name) | Q(code=slugify(name)[:30]))
            .first()
        )
        option = (
            category.options.filter(Q(name__iexact=label) | Q(code=slugify(label)[:30])).first()
            if category
            else None
        )
        if option is not None:
            return option
        if not create:
            return MISSING
        if category is None:
            category = planning.disaggregation_create(
                actor=self.actor,
                programme=self.programme,
                code=slugify(name)[:30] or "dimension",
                name=name[:100],
            )
            self.summary.change("disaggregations_created", _("Add disaggregation %(name)s") % {"name": name})
        option = planning.disaggregation_option_add(
            actor=self.actor, category=category, code=slugify(label)[:30] or "option", name=label[:100]
        )
        self.summary.change(
            "disaggregations_created", _("Add option %(label)s to %(name)s") % {"label": label, "name": name}
        )
        return option

    def targets(self, item: IndicatorIn, *, create: bool) -> dict[tuple[str, Any], Decimal]:
        """The item's targets by (period id, option); periods that are no reporting period are problems."""
        found: dict[tuple[str, Any], Decimal] = {}
        for period in item.periods:
            pid = self.period(period)
            for target in period.targets:
                option = self.option(target, create=create)
                if pid and option is not SKIP and target.value is not None:
                    found[(pid, option)] = target.value
        return found

    def period(self, period: PeriodIn) -> str | None:
        pid = period_id(period.start, period.end)
        if pid is None:
            self.summary.problems.append(
                Problem(
                    period.path,
                    _(
                        "The period %(start)s to %(end)s is not a month, quarter, half-year or year: Twinning reports "
                        "results by those."
                    )
                    % {"start": period.start or "?", "end": period.end or "?"},
                )
            )
        return pid

    def needs_change(self, plan: Plan | None, partnership: Partnership, items: list[IndicatorIn]) -> bool:
        if plan is None:
            return True
        for item in items:
            indicator = self.find_indicator(partnership, item)
            adoption = plan.plan_indicators.filter(indicator=indicator).first() if indicator else None
            if adoption is None or not self._baseline_same(adoption, item):
                return True
            stored = {(t.period, t.option): t.value for t in adoption.targets.select_related("option")}
            for key, value in self.targets(item, create=False).items():
                if key not in stored or not _same(stored[key], value):
                    return True
        return False

    def _baseline_same(self, adoption: PlanIndicator, item: IndicatorIn) -> bool:
        value, on = self._baseline_for(adoption, item)
        return _same(adoption.baseline_value, value) and adoption.baseline_date == on

    def _baseline_for(
        self, adoption: PlanIndicator, item: IndicatorIn
    ) -> tuple[Decimal | None, datetime.date | None]:
        """The baseline the file gives `adoption`, read as our own export writes it: a qualitative indicator's
        baseline carries no value (the stored one stays); a baseline with a year and no date is the stored
        one's year, or the plan's first year when none is stored (its date stays)."""
        value, on = self._baseline(item)
        if item.baseline is None or item.baseline.dimensions:
            return value, on
        if value is None and adoption.indicator.measure == Indicator.Measure.QUALITATIVE:
            value = adoption.baseline_value
        if item.baseline_date is None:
            stored = adoption.baseline_date
            year = item.baseline_year
            if year is None or (stored.year if stored else adoption.plan.first_year) == year:
                on = stored
        return value, on

    def _baseline(self, item: IndicatorIn) -> tuple[Decimal | None, datetime.date | None]:
        if item.baseline is None:
            return None, None
        if item.baseline.dimensions:
            self.summary.warnings.append(
                Problem(
                    item.baseline.path,
                    _(
                        "A baseline broken down by dimensions is left out: Twinning keeps one overall baseline."
                    ),
                )
            )
            return None, None
        on = item.baseline_date or (datetime.date(item.baseline_year, 1, 1) if item.baseline_year else None)
        return item.baseline.value, on

    # --- writing ------------------------------------------------------------------------------------

    def activity(self, partnership: Partnership, activity: ActivityIn) -> None:
        items = [(result, item) for result in activity.results for item in result.indicators]
        if not items:
            return
        try:
            plan = current_plan(partnership)
            if self.needs_change(plan, partnership, [item for _r, item in items]):
                plan = self._plan_to_change(partnership, plan, activity)
                for result, item in items:
                    self._indicator(partnership, plan, result, item)
            self._actuals(partnership, [item for _r, item in items])
        except (ValidationError, PermissionDenied) as exc:
            self.summary.refuse(activity.path, exc)

    def _years(self, partnership: Partnership, activity: ActivityIn) -> tuple[int, int]:
        days = [
            d
            for r in activity.results
            for i in r.indicators
            for p in i.periods
            for d in (p.start, p.end)
            if d
        ]
        days += [d for d in (partnership.start_date, partnership.end_date) if d]
        years = [d.year for d in days] + [
            i.baseline_year for r in activity.results for i in r.indicators if i.baseline_year
        ]
        today = datetime.date.today().year
        return (min(years), max(years)) if years else (today, today)

    def _plan_to_change(self, partnership: Partnership, plan: Plan | None, activity: ActivityIn) -> Plan:
        if plan is None:
            first, last = self._years(partnership, activity)
            plan = planning.plan_create(
                actor=self.actor,
                partnership=partnership,
                title=_("Plan from IATI"),
                first_year=first,
                last_year=last,
            )
            self.summary.change(
                "plans_created", _("Start a plan for %(title)s") % {"title": partnership.title}
            )
        elif plan.status == Plan.Status.AGREED:
            plan = planning.plan_new_version(actor=self.actor, plan=plan, reason=_("Imported from IATI"))
            self.summary.change(
                "plans_created",
                _("Start version %(n)s of the plan of %(title)s")
                % {"n": plan.number, "title": partnership.title},
            )
        return plan

    def _objective(self, plan: Plan, result: ResultIn) -> Objective:
        for objective in plan.objectives.all():
            if result.title in (objective.statement, f"{objective.code} {objective.statement}"):
                return objective
        pillar = self.programme.pillars.order_by("order").first()
        if pillar is None:
            raise ValidationError(_("The programme has no pillar to put the imported objectives under."))
        taken = set(plan.objectives.values_list("code", flat=True))
        code = next(f"R{n}" for n in range(1, 10_000) if f"R{n}" not in taken)
        objective = planning.objective_create(
            actor=self.actor, plan=plan, code=code, statement=result.title or code, pillar=pillar
        )
        self.summary.change(
            "objectives_created",
            _("Add objective %(code)s %(statement)s") % {"code": code, "statement": objective.statement},
        )
        return objective

    def _new_indicator(self, partnership: Partnership, item: IndicatorIn) -> Indicator:
        targets = self.targets(item, create=True)
        periods = [pid for p in item.periods if (pid := period_id(p.start, p.end))]
        # Broken down as its targets and actuals are (options made now, so its actuals find them later).
        options = [o for (_p, o) in targets if o is not None]
        options += [self.option(a, create=True) for p in item.periods for a in p.actuals]
        categories = {o.category for o in options if isinstance(o, DisaggregationOption)}
        taken = set(Indicator.objects.filter(programme=self.programme).values_list("code", flat=True))
        code = (
            item.code[:30]
            if item.code and item.code[:30] not in taken
            else next(f"IATI-{n}" for n in range(1, 100_000) if f"IATI-{n}" not in taken)
        )
        direction = Indicator.Direction.DECREASE if item.ascending is False else Indicator.Direction.INCREASE
        indicator = planning.indicator_create(
            actor=self.actor,
            programme=self.programme,
            partnership=partnership,
            code=code,
            name=(item.title or code)[:255],
            definition=item.description,
            measure=item.measure or Indicator.Measure.NUMBER,
            direction=direction,
            frequency=_frequency(periods),
            categories=categories,
        )
        self.summary.change(
            "indicators_created",
            _("Add indicator %(code)s %(name)s") % {"code": code, "name": indicator.name},
        )
        return indicator

    def _indicator(self, partnership: Partnership, plan: Plan, result: ResultIn, item: IndicatorIn) -> None:
        indicator = self.find_indicator(partnership, item) or self._new_indicator(partnership, item)
        adoption = plan.plan_indicators.filter(indicator=indicator).first()
        value, on = self._baseline(item)
        if adoption is None:
            adoption = planning.plan_indicator_adopt(
                actor=self.actor,
                plan=plan,
                objective=self._objective(plan, result),
                indicator=indicator,
                baseline_value=value,
                baseline_date=on,
            )
            self.summary.change(
                "indicators_adopted",
                _("Adopt %(code)s in the plan of %(title)s")
                % {"code": indicator.code, "title": partnership.title},
            )
        elif not self._baseline_same(adoption, item):
            value, on = self._baseline_for(adoption, item)
            planning.plan_indicator_update(
                actor=self.actor, plan_indicator=adoption, data={"baseline_value": value, "baseline_date": on}
            )
            self.summary.change("baselines_set", _("Set the baseline of %(code)s") % {"code": indicator.code})
        stored = {(t.period, t.option_id): t.value for t in adoption.targets.all()}
        categories = set(indicator.categories.values_list("pk", flat=True))
        for (pid, option), target in self.targets(item, create=True).items():
            if option is not None and option.category_id not in categories:
                self.summary.warnings.append(
                    Problem(
                        item.path,
                        _(
                            "%(code)s is not broken down by %(category)s: its targets by %(option)s are left out."
                        )
                        % {"code": indicator.code, "category": str(option.category), "option": str(option)},
                    )
                )
                continue
            key = (pid, option.pk if option else None)
            if key not in stored or not _same(stored[key], target):
                planning.target_set(
                    actor=self.actor, plan_indicator=adoption, period=pid, value=target, option=option
                )
                self.summary.change(
                    "targets_set",
                    _("Set the %(period)s target of %(code)s to %(value)s")
                    % {"period": period_label(pid), "code": indicator.code, "value": target},
                )

    def _actuals(self, partnership: Partnership, items: list[IndicatorIn]) -> None:
        if not any(p.actuals for item in items for p in item.periods):
            return
        plan = plan_in_force(partnership)
        if plan is None:
            self.summary.warnings.append(
                Problem(
                    "/",
                    _(
                        "%(title)s has no agreed plan yet: its results are imported once both sides have signed it "
                        "(import the file again then)."
                    )
                    % {"title": partnership.title},
                )
            )
            return
        for item in items:
            indicator = self.find_indicator(partnership, item)
            adoption = (
                plan.plan_indicators.select_related("plan__partnership").filter(indicator=indicator).first()
            )
            if adoption is None:
                self.summary.warnings.append(
                    Problem(
                        item.path, _("This indicator is not in the agreed plan: its results are left out.")
                    )
                )
                continue
            for period in item.periods:
                pid = period_id(period.start, period.end)
                for actual in period.actuals:
                    option = self.option(actual, create=False)
                    if pid and option is not SKIP:
                        self._actual(adoption, pid, option, actual)

    def _actual(self, adoption: PlanIndicator, pid: str, option: Any, actual: Value) -> None:
        indicator = adoption.indicator
        if option is MISSING:
            self.summary.warnings.append(Problem(actual.path, _("No such disaggregation option: left out.")))
            return
        stored = Result.objects.filter(
            partnership=adoption.plan.partnership, indicator=indicator, period=pid, option=option
        ).first()
        if indicator.measure == Indicator.Measure.QUALITATIVE:
            if stored and stored.text == actual.comment and _same(stored.score, actual.value):
                return
            values: dict[str, Any] = {"text": actual.comment, "score": actual.value}
        else:
            if actual.value is None or (
                stored and _same(stored.value, actual.value.quantize(Decimal("0.0001")))
            ):
                return
            values = {"value": actual.value}
            if indicator.measure == Indicator.Measure.PERCENTAGE:
                values = {"numerator": actual.value, "denominator": Decimal(100)}
        try:
            result_save(actor=self.actor, plan_indicator=adoption, period=pid, option=option, values=values)
        except (ValidationError, PermissionDenied) as exc:
            self.summary.refuse(actual.path, exc)
            return
        self.summary.change(
            "actuals_set",
            _("Enter %(value)s for %(code)s in %(period)s")
            % {
                "value": actual.value if actual.value is not None else actual.comment,
                "code": indicator.code,
                "period": pid,
            },
        )
