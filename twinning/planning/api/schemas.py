"""Request and response shapes of the planning API, and the lookups that turn names in a body into rows."""

import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema

from twinning.accounts.api_auth import api_person_name
from twinning.core.api import Input, Version, omittable
from twinning.core.choices import Side
from twinning.core.numbers import MachineDecimal
from twinning.directory.models import CountryPriority, Person
from twinning.partnerships.models import Pillar
from twinning.planning import services
from twinning.planning.models import (
    Activity,
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
    PlanningEvent,
    PlanningParticipant,
    PlanSignOff,
    Target,
)
from twinning.planning.periods import Frequency
from twinning.planning.selectors import (
    plan_detail,
)

MAX_TEXT = 10_000
MAX_ROWS = 2_000
Year = Annotated[int, Field(ge=2000, le=2100)]
Value = Annotated[MachineDecimal, Field(max_digits=18, decimal_places=4)]


# --- output ---------------------------------------------------------------------------------------


class OptionOut(Schema):
    code: str
    name: str
    key: str = Field(description="How targets and results name the option: category.option.")

    @staticmethod
    def resolve_key(obj: DisaggregationOption) -> str:
        return f"{obj.category.code}.{obj.code}"


class CategoryOut(Schema):
    code: str
    name: str
    options: list[OptionOut]

    @staticmethod
    def resolve_options(obj: DisaggregationCategory) -> list[DisaggregationOption]:
        options = list(obj.options.all())
        for option in options:
            option.category = obj
        return options


class IndicatorOut(Schema):
    uuid: UUID
    version: int
    code: str
    name: str
    definition: str
    common: bool = Field(description="Defined by the programme and adopted by reference.")
    partnership: UUID | None
    measure: Indicator.Measure
    unit: str
    direction: Indicator.Direction
    time_aggregation: Indicator.TimeAggregation
    cross_aggregation: Indicator.CrossAggregation
    breakdown: Indicator.Breakdown
    missing_total: Indicator.MissingTotal
    allows_negative: bool
    whole_numbers: bool
    frequency: Frequency
    categories: list[CategoryOut]
    dhis2_data_element: str

    @staticmethod
    def resolve_common(obj: Indicator) -> bool:
        return obj.is_common

    @staticmethod
    def resolve_partnership(obj: Indicator) -> UUID | None:
        return obj.partnership.uuid if obj.partnership is not None else None

    @staticmethod
    def resolve_categories(obj: Indicator) -> list[DisaggregationCategory]:
        return list(obj.categories.all())


class TargetOut(Schema):
    uuid: UUID
    period: str
    option: str | None = Field(description="category.option, or null for the overall target.")
    value: Decimal

    @staticmethod
    def resolve_option(obj: Target) -> str | None:
        return f"{obj.option.category.code}.{obj.option.code}" if obj.option else None


class PlanIndicatorOut(Schema):
    uuid: UUID
    version: int
    objective: UUID
    indicator: IndicatorOut
    baseline_value: Decimal | None
    baseline_date: datetime.date | None
    baseline_note: str
    end_target: Decimal | None
    targets: list[TargetOut]

    @staticmethod
    def resolve_objective(obj: PlanIndicator) -> UUID:
        return obj.objective.uuid

    @staticmethod
    def resolve_targets(obj: PlanIndicator) -> list[Target]:
        return list(obj.targets.all())


class ActivityOut(Schema):
    uuid: UUID
    version: int
    title: str
    start_date: datetime.date | None
    end_date: datetime.date | None
    responsible_side: Side
    responsible_person: UUID | None
    status: Activity.Status
    progress_note: str

    @staticmethod
    def resolve_responsible_person(obj: Activity) -> UUID | None:
        return obj.responsible_person.uuid if obj.responsible_person else None


class ObjectiveOut(Schema):
    uuid: UUID
    version: int
    code: str
    statement: str
    pillar: str = Field(description="The pillar's code.")
    priorities: list[UUID] = Field(description="Country health priorities served.")
    activities: list[ActivityOut]
    indicators: list[PlanIndicatorOut]

    @staticmethod
    def resolve_pillar(obj: Objective) -> str:
        return obj.pillar.code

    @staticmethod
    def resolve_priorities(obj: Objective) -> list[UUID]:
        return [p.uuid for p in obj.priorities.all()]

    @staticmethod
    def resolve_activities(obj: Objective) -> list[Activity]:
        return list(obj.activities.all())

    @staticmethod
    def resolve_indicators(obj: Objective) -> list[PlanIndicator]:
        return list(obj.plan_indicators.all())


class PlanningParticipantOut(Schema):
    name: str
    group: PlanningParticipant.Group
    organisation: str


class EventOut(Schema):
    uuid: UUID
    kind: PlanningEvent.Kind
    date: datetime.date
    place: str
    summary: str
    participants: list[PlanningParticipantOut]

    @staticmethod
    def resolve_participants(obj: PlanningEvent) -> list[PlanningParticipant]:
        return list(obj.participants.all())


class SignOffOut(Schema):
    party: PlanSignOff.Party
    signed_by: str
    signed_at: datetime.datetime
    note: str

    @staticmethod
    def resolve_signed_by(obj: PlanSignOff, context: Any) -> str:
        # Names, not addresses, for readers (docs/ACCESS.md).
        return api_person_name(obj.signed_by, context)


class PlanOut(Schema):
    uuid: UUID
    version: int
    partnership: UUID
    number: int = Field(description="The plan version: 1, 2, ...")
    title: str
    first_year: int
    last_year: int
    status: Plan.Status
    agreed_at: datetime.datetime | None
    requires_ministry_sign_off: bool

    @staticmethod
    def resolve_partnership(obj: Plan) -> UUID:
        return obj.partnership.uuid


class PlanDetailOut(PlanOut):
    required_parties: list[PlanSignOff.Party]
    sign_offs: list[SignOffOut]
    events: list[EventOut]
    objectives: list[ObjectiveOut]

    # `detail` is attached by _detail(): everything loaded once, with a fixed number of queries.
    @staticmethod
    def resolve_required_parties(obj: Plan) -> list[str]:
        return services.required_parties(obj)

    @staticmethod
    def resolve_sign_offs(obj: Plan) -> list[PlanSignOff]:
        return obj.detail.sign_offs  # type: ignore[attr-defined]

    @staticmethod
    def resolve_events(obj: Plan) -> list[PlanningEvent]:
        return obj.detail.events  # type: ignore[attr-defined]

    @staticmethod
    def resolve_objectives(obj: Plan) -> list[Objective]:
        return obj.detail.objectives  # type: ignore[attr-defined]


def _detail(plan: Plan) -> Plan:
    plan.detail = plan_detail(plan)  # type: ignore[attr-defined]
    return plan


# --- input ----------------------------------------------------------------------------------------


class PlanCreate(Input):
    title: str = Field(min_length=1, max_length=255)
    first_year: Year
    last_year: Year
    requires_ministry_sign_off: bool = False
    uuid: UUID | None = Field(None, description="Optional: a UUID the client generated.")


class PlanUpdate(Input):
    title: str = omittable(min_length=1, max_length=255)
    first_year: Year = omittable()
    last_year: Year = omittable()
    requires_ministry_sign_off: bool = omittable()
    version: Version = omittable()


class SignOffIn(Input):
    party: PlanSignOff.Party
    note: str = Field("", max_length=2000)


class NewVersionIn(Input):
    reason: str = Field(min_length=1, max_length=2000)
    title: str = Field("", max_length=255)
    uuid: UUID | None = None


class PlanningParticipantIn(Input):
    name: str = Field(min_length=1, max_length=200)
    group: PlanningParticipant.Group
    organisation: str = Field("", max_length=200)


class EventIn(Input):
    kind: PlanningEvent.Kind
    date: datetime.date
    place: str = Field(min_length=1, max_length=200)
    summary: str = Field("", max_length=MAX_TEXT)
    participants: list[PlanningParticipantIn] = Field([], max_length=500)
    uuid: UUID | None = None


class ObjectiveIn(Input):
    code: str = Field(min_length=1, max_length=20)
    statement: str = Field(min_length=1, max_length=MAX_TEXT)
    pillar: str = Field(max_length=50, description="A pillar code of the programme.")
    priorities: list[UUID] = Field([], max_length=50)
    uuid: UUID | None = None


class ObjectiveUpdate(Input):
    code: str = omittable(min_length=1, max_length=20)
    statement: str = omittable(min_length=1, max_length=MAX_TEXT)
    pillar: str = omittable(max_length=50)
    priorities: list[UUID] = omittable(max_length=50)
    version: Version = omittable()


class ActivityIn(Input):
    title: str = Field(min_length=1, max_length=255)
    responsible_side: Side
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    responsible_person: UUID | None = None
    status: Activity.Status = Activity.Status.PLANNED
    progress_note: str = Field("", max_length=MAX_TEXT)
    uuid: UUID | None = None


class ActivityUpdate(Input):
    """On an agreed plan only status and progress_note may be sent."""

    title: str = omittable(min_length=1, max_length=255)
    responsible_side: Side = omittable()
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    responsible_person: UUID | None = None
    status: Activity.Status = omittable()
    progress_note: str = omittable(max_length=MAX_TEXT)
    version: Version = omittable()


class AdoptIn(Input):
    objective: UUID
    indicator: UUID
    baseline_value: Value | None = None
    baseline_date: datetime.date | None = None
    baseline_note: str = Field("", max_length=MAX_TEXT)
    end_target: Value | None = None
    uuid: UUID | None = None


class PlanIndicatorUpdate(Input):
    objective: UUID = omittable()
    baseline_value: Value | None = None
    baseline_date: datetime.date | None = None
    baseline_note: str = omittable(max_length=MAX_TEXT)
    end_target: Value | None = None
    version: Version = omittable()


class TargetIn(Input):
    period: str = Field(min_length=4, max_length=8, description="DHIS2 period id, e.g. 2024Q1.")
    option: str | None = Field(None, max_length=61, description="category.option, or null for overall.")
    value: Value | None = Field(description="null deletes the target.")


class TargetsIn(Input):
    targets: list[TargetIn] = Field(max_length=MAX_ROWS)


class IndicatorIn(Input):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=255)
    definition: str = Field("", max_length=MAX_TEXT)
    measure: Indicator.Measure = Indicator.Measure.NUMBER
    unit: str = Field("", max_length=50)
    direction: Indicator.Direction = Indicator.Direction.INCREASE
    time_aggregation: Indicator.TimeAggregation = Indicator.TimeAggregation.SUM
    cross_aggregation: Indicator.CrossAggregation | None = Field(
        None,
        description="Left out: weighted mean for a percentage (never summed), not combinable for a qualitative "
        "indicator, else sum.",
    )
    breakdown: Indicator.Breakdown = Indicator.Breakdown.PART
    missing_total: Indicator.MissingTotal = Indicator.MissingTotal.DERIVE
    allows_negative: bool = Field(False, description="Only a number measuring a change may be negative.")
    whole_numbers: bool = Field(
        False, description="A count: results, targets and baselines without decimals."
    )
    frequency: Frequency = Frequency.QUARTERLY
    categories: list[str] = Field([], max_length=20, description="Disaggregation codes.")
    dhis2_data_element: str = Field("", max_length=11)
    uuid: UUID | None = None


class IndicatorUpdate(Input):
    code: str = omittable(min_length=1, max_length=30)
    name: str = omittable(min_length=1, max_length=255)
    definition: str = omittable(max_length=MAX_TEXT)
    measure: Indicator.Measure = omittable()
    unit: str = omittable(max_length=50)
    direction: Indicator.Direction = omittable()
    time_aggregation: Indicator.TimeAggregation = omittable()
    cross_aggregation: Indicator.CrossAggregation = omittable()
    breakdown: Indicator.Breakdown = omittable()
    missing_total: Indicator.MissingTotal = omittable()
    allows_negative: bool = omittable()
    whole_numbers: bool = omittable()
    frequency: Frequency = omittable()
    categories: list[str] = omittable(max_length=20)
    dhis2_data_element: str = omittable(max_length=11)
    version: Version = omittable()


class OptionIn(Input):
    code: str = Field(min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)


class CategoryIn(Input):
    code: str = Field(min_length=1, max_length=30, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=100)
    options: list[OptionIn] = Field([], max_length=100)


# --- helpers --------------------------------------------------------------------------------------


def _pillar(plan: Plan, code: str) -> Pillar:
    pillar = Pillar.objects.filter(programme_id=plan.partnership.programme_id, code=code).first()
    if pillar is None:
        raise ValidationError({"pillar": [_("Unknown pillar: %(code)s.") % {"code": code[:50]}]})
    return pillar


def _priorities(uuids: list[UUID]) -> list[CountryPriority]:
    found = {p.uuid: p for p in CountryPriority.objects.filter(uuid__in=uuids)}
    unknown = [str(u) for u in uuids if u not in found]
    if unknown:
        raise ValidationError(
            {"priorities": [_("Unknown priority: %(uuids)s.") % {"uuids": ", ".join(unknown)}]}
        )
    return [found[u] for u in dict.fromkeys(uuids)]


def _person(plan: Plan, person_uuid: UUID | None) -> Person | None:
    if person_uuid is None:
        return None
    person = Person.objects.filter(
        uuid=person_uuid, institution__side_links__partnership_id=plan.partnership_id
    ).first()
    if person is None:
        raise ValidationError({"responsible_person": [_("Unknown person in this partnership.")]})
    return person


def _objective_of(plan: Plan, objective_uuid: UUID) -> Objective:
    objective = plan.objectives.filter(uuid=objective_uuid).first()
    if objective is None:
        raise ValidationError({"objective": [_("Unknown objective of this plan.")]})
    objective.plan = plan
    return objective


def _categories(programme_id: int, codes: list[str]) -> list[DisaggregationCategory]:
    found = {
        c.code: c for c in DisaggregationCategory.objects.filter(programme_id=programme_id, code__in=codes)
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {"categories": [_("Unknown disaggregation: %(codes)s.") % {"codes": ", ".join(unknown)[:200]}]}
        )
    return [found[c] for c in dict.fromkeys(codes)]


def _plan_response(plan: Plan) -> Plan:
    plan.refresh_from_db()
    return _detail(plan)
