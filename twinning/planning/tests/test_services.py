"""Planning services: sign-off, versioning, the agreed-plan lock, indicators by reference, targets."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from twinning.audit.models import AuditEvent
from twinning.directory.models import CountryPriority
from twinning.planning import services
from twinning.planning.models import Activity, Indicator, Objective, Plan, PlanIndicator, PlanSignOff, Target
from twinning.planning.selectors import current_plan, plan_detail, plan_in_force
from twinning.planning.tests.factories import (
    agree,
    common_indicator,
    draft_plan,
    objective,
    pillars,
    plan_with_indicator,
    sex,
)
from twinning.testing.factories import PartnershipFactory, partnership_member

pytestmark = pytest.mark.django_db


# --- plans and sign-off ---------------------------------------------------------------------------


def test_coordinator_creates_a_draft_plan_with_an_audit_row(world):
    plan = draft_plan(world.coordinator, world.partnership)
    assert (plan.status, plan.number, plan.agreed_at) == (Plan.Status.DRAFT, 1, None)
    assert AuditEvent.objects.filter(target_id=str(plan.pk), action="create").exists()


def test_a_second_plan_is_refused(world):
    draft_plan(world.coordinator, world.partnership)
    with pytest.raises(ValidationError, match="already has a plan"):
        draft_plan(world.manager, world.partnership)


@pytest.mark.parametrize("role", ["member", "partnership_viewer", "finance", "programme_viewer", "outsider"])
def test_read_only_users_cannot_create_a_plan(world, role):
    with pytest.raises(PermissionDenied):
        draft_plan(getattr(world, role), world.partnership)
    assert not Plan.objects.exists()


def test_plan_years_out_of_order_are_refused(world):
    with pytest.raises(ValidationError) as exc:
        draft_plan(world.coordinator, world.partnership, first_year=2026, last_year=2024)
    assert "last_year" in exc.value.message_dict
    assert not Plan.objects.exists()


def test_plan_is_agreed_when_both_sides_sign(world):
    plan, _o, _pi = plan_with_indicator(world)
    services.plan_sign_off(actor=world.coordinator, plan=plan, party="host")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
    services.plan_sign_off(
        actor=world.resource_coordinator, plan=plan, party="resource", note="Board approved"
    )
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AGREED
    assert plan.agreed_at is not None
    assert set(plan.sign_offs.values_list("party", flat=True)) == {"host", "resource"}


def test_a_coordinator_signs_only_for_their_own_side(world):
    plan, _o, _pi = plan_with_indicator(world)
    with pytest.raises(PermissionDenied):
        services.plan_sign_off(actor=world.coordinator, plan=plan, party="resource")
    with pytest.raises(PermissionDenied):
        services.plan_sign_off(actor=world.manager, plan=plan, party="host")
    with pytest.raises(PermissionDenied):
        services.plan_sign_off(actor=world.member, plan=plan, party="host")
    assert not PlanSignOff.objects.exists()


def test_a_side_signs_once(world):
    plan, _o, _pi = plan_with_indicator(world)
    services.plan_sign_off(actor=world.coordinator, plan=plan, party="host")
    other_host = partnership_member(world.partnership, email="host2@example.org")
    with pytest.raises(ValidationError, match="already signed"):
        services.plan_sign_off(actor=other_host, plan=plan, party="host")


def test_an_empty_plan_cannot_be_signed(world):
    plan = draft_plan(world.coordinator, world.partnership)
    with pytest.raises(ValidationError, match="objective"):
        services.plan_sign_off(actor=world.coordinator, plan=plan, party="host")


def test_ministry_sign_off_is_needed_when_the_plan_asks_for_it(world):
    plan = draft_plan(world.coordinator, world.partnership, requires_ministry_sign_off=True)
    objective(world.coordinator, plan)
    agree(world, plan)
    assert plan.status == Plan.Status.DRAFT
    with pytest.raises(PermissionDenied):
        services.plan_sign_off(actor=world.member, plan=plan, party="ministry")
    services.plan_sign_off(actor=world.me_officer, plan=plan, party="ministry", note="Signed by Dr A., MoH")
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AGREED
    assert plan.sign_offs.get(party="ministry").signed_by == world.me_officer


def test_ministry_sign_off_is_refused_when_not_asked_for(world):
    plan, _o, _pi = plan_with_indicator(world)
    with pytest.raises(ValidationError, match="does not ask"):
        services.plan_sign_off(actor=world.manager, plan=plan, party="ministry")


def test_changing_a_signed_draft_withdraws_the_sign_offs(world):
    plan, obj, _pi = plan_with_indicator(world)
    services.plan_sign_off(actor=world.coordinator, plan=plan, party="host")
    services.objective_update(
        actor=world.resource_coordinator, objective=obj, data={"statement": "Safer surgery"}
    )
    assert not plan.sign_offs.exists()
    assert AuditEvent.objects.filter(target_id=str(plan.pk), changes__has_key="sign_offs").exists()


# --- the agreed plan and new versions -------------------------------------------------------------


def test_an_agreed_plan_refuses_edits_and_says_to_make_a_new_version(world):
    plan, obj, adoption = plan_with_indicator(world)
    agree(world, plan)
    attempts = [
        lambda: services.objective_create(
            actor=world.coordinator, plan=plan, code="O2", statement="x", pillar=pillars(world.programme)[1]
        ),
        lambda: services.objective_update(actor=world.coordinator, objective=obj, data={"statement": "y"}),
        lambda: services.target_set(
            actor=world.coordinator, plan_indicator=adoption, period="2024Q1", value=Decimal(5)
        ),
        lambda: services.plan_update(actor=world.coordinator, plan=plan, data={"title": "New"}),
        lambda: services.plan_indicator_remove(actor=world.coordinator, plan_indicator=adoption),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="Make a new version"):
            attempt()
    obj.refresh_from_db()
    assert obj.statement == "Safer births"


def test_activity_progress_is_tracked_on_an_agreed_plan(world):
    plan, obj, _pi = plan_with_indicator(world)
    agree(world, plan)
    activity = obj.activities.get()
    services.activity_progress_update(
        actor=world.coordinator, activity=activity, status="in_progress", progress_note="First cohort trained"
    )
    activity.refresh_from_db()
    assert (activity.status, activity.progress_note) == ("in_progress", "First cohort trained")
    with pytest.raises(ValidationError, match="Make a new version"):
        services.activity_update(actor=world.coordinator, activity=activity, data={"title": "Other"})
    with pytest.raises(PermissionDenied):
        services.activity_progress_update(actor=world.partnership_viewer, activity=activity, status="done")


def test_new_version_copies_the_plan_and_supersedes_the_old_one(world):
    plan, obj, adoption = plan_with_indicator(world)
    services.targets_save(
        actor=world.coordinator,
        plan_indicator=adoption,
        values={
            ("2024Q1", None): Decimal(10),
            ("2024Q1", adoption.indicator.categories.get().options.first()): Decimal(6),
        },
    )
    priority = CountryPriority.objects.create(
        country="UG", text="Maternal health", source_document="HSSP", stated_on=datetime.date(2023, 1, 1)
    )
    services.objective_update(actor=world.coordinator, objective=obj, data={"priorities": [priority]})
    agree(world, plan)

    new = services.plan_new_version(actor=world.coordinator, plan=plan, reason="Mid-term review")
    plan.refresh_from_db()
    assert (plan.status, new.status, new.number, new.previous) == ("superseded", "draft", 2, plan)
    assert plan.agreed_at is not None
    new_objective = new.objectives.get()
    assert new_objective.pk != obj.pk and new_objective.statement == obj.statement
    assert list(new_objective.priorities.all()) == [priority]
    assert new_objective.activities.count() == 1
    new_adoption = new.plan_indicators.get()
    assert new_adoption.indicator_id == adoption.indicator_id and new_adoption.end_target == Decimal(120)
    assert new_adoption.targets.count() == 2
    # The old version is intact and still the plan in force while the new one is drafted.
    assert plan.objectives.get().pk == obj.pk and adoption.targets.count() == 2
    assert current_plan(world.partnership) == new
    assert plan_in_force(world.partnership) == plan

    services.objective_update(actor=world.coordinator, objective=new_objective, data={"statement": "Changed"})
    obj.refresh_from_db()
    assert obj.statement == "Safer births"
    agree(world, new)
    assert plan_in_force(world.partnership) == new


def test_only_an_agreed_plan_gets_a_new_version(world):
    plan, _o, _pi = plan_with_indicator(world)
    with pytest.raises(ValidationError, match="still a draft"):
        services.plan_new_version(actor=world.coordinator, plan=plan)
    agree(world, plan)
    services.plan_new_version(actor=world.coordinator, plan=plan)
    plan.refresh_from_db()
    with pytest.raises(ValidationError):
        services.plan_new_version(actor=world.coordinator, plan=plan)
    with pytest.raises(ValidationError, match="superseded"):
        services.objective_update(
            actor=world.coordinator, objective=plan.objectives.get(), data={"statement": "z"}
        )


def test_member_cannot_make_a_new_version(world):
    plan, _o, _pi = plan_with_indicator(world)
    agree(world, plan)
    with pytest.raises(PermissionDenied):
        services.plan_new_version(actor=world.member, plan=plan)
    assert Plan.objects.count() == 1


# --- objectives and activities --------------------------------------------------------------------


def test_objective_pillar_must_come_from_the_partnerships_programme(world):
    plan = draft_plan(world.coordinator, world.partnership)
    foreign = pillars(world.other_partnership.programme)[0]
    with pytest.raises(ValidationError) as exc:
        services.objective_create(
            actor=world.coordinator, plan=plan, code="O1", statement="x", pillar=foreign
        )
    assert "pillar" in exc.value.message_dict
    assert not Objective.objects.exists()


def test_objective_serves_only_host_country_priorities(world):
    plan = draft_plan(world.coordinator, world.partnership)
    british = CountryPriority.objects.create(
        country="GB", text="NHS", source_document="x", stated_on=datetime.date(2023, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.objective_create(
            actor=world.coordinator,
            plan=plan,
            code="O1",
            statement="x",
            pillar=pillars(world.programme)[0],
            priorities=[british],
        )
    assert "priorities" in exc.value.message_dict


def test_activity_dates_lie_within_the_plan_years(world):
    plan = draft_plan(world.coordinator, world.partnership)
    obj = objective(world.coordinator, plan)
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=world.coordinator,
            objective=obj,
            title="x",
            responsible_side="host",
            start_date=datetime.date(2030, 1, 1),
        )
    assert "start_date" in exc.value.message_dict
    assert not Activity.objects.exists()


# --- indicators -----------------------------------------------------------------------------------


def test_programme_editors_define_common_indicators_and_coordinators_their_own(world):
    common = common_indicator(world.me_officer, world.programme)
    assert common.is_common
    with pytest.raises(PermissionDenied):
        common_indicator(world.coordinator, world.programme, code="X")
    own = services.indicator_create(
        actor=world.coordinator,
        programme=world.programme,
        partnership=world.partnership,
        code="OWN1",
        name="Mentoring hours",
    )
    assert not own.is_common
    with pytest.raises(PermissionDenied):
        services.indicator_update(actor=world.coordinator, indicator=common, data={"name": "Changed"})


def test_a_common_indicator_correction_reaches_every_adopting_plan(world):
    indicator = common_indicator(world.manager, world.programme)
    second = PartnershipFactory(programme=world.programme)
    plans = []
    for partnership in (world.partnership, second):
        plan = draft_plan(world.manager, partnership)
        obj = objective(world.manager, plan)
        services.plan_indicator_adopt(actor=world.manager, plan=plan, objective=obj, indicator=indicator)
        plans.append(plan)
    services.indicator_update(
        actor=world.manager, indicator=indicator, data={"name": "Health workers trained (corrected)"}
    )
    for plan in plans:
        detail = plan_detail(plan)
        [adoption] = detail.objectives[0].plan_indicators.all()
        assert adoption.indicator.name == "Health workers trained (corrected)"
    assert Indicator.objects.count() == 1


def test_another_partnerships_own_indicator_cannot_be_adopted(world):
    other_manager_indicator = Indicator.objects.create(
        programme=world.programme,
        partnership=PartnershipFactory(programme=world.programme),
        code="T",
        name="theirs",
    )
    plan = draft_plan(world.coordinator, world.partnership)
    obj = objective(world.coordinator, plan)
    with pytest.raises(ValidationError) as exc:
        services.plan_indicator_adopt(
            actor=world.coordinator, plan=plan, objective=obj, indicator=other_manager_indicator
        )
    assert "indicator" in exc.value.message_dict
    assert not PlanIndicator.objects.exists()


def test_frequency_cannot_change_once_targets_exist(world):
    _plan, _o, adoption = plan_with_indicator(world)
    services.target_set(actor=world.coordinator, plan_indicator=adoption, period="2024Q2", value=Decimal(4))
    with pytest.raises(ValidationError) as exc:
        services.indicator_update(
            actor=world.manager, indicator=adoption.indicator, data={"frequency": "yearly"}
        )
    assert "frequency" in exc.value.message_dict


# --- targets --------------------------------------------------------------------------------------


def test_target_is_set_and_changed_in_place(world):
    _plan, _o, adoption = plan_with_indicator(world)
    services.target_set(actor=world.coordinator, plan_indicator=adoption, period="2024Q1", value=Decimal(10))
    target = services.target_set(
        actor=world.coordinator, plan_indicator=adoption, period="2024Q1", value=Decimal(12)
    )
    assert Target.objects.get().value == Decimal(12)
    assert target.version == 2


@pytest.mark.parametrize(
    "period, message",
    [
        ("2024", "not a quarterly period"),
        ("202401", "not a quarterly period"),
        ("2027Q1", "outside the plan"),
        ("2023Q4", "outside the plan"),
        ("2024Q5", "not a reporting period"),
        ("soon", "not a reporting period"),
    ],
)
def test_target_period_must_match_frequency_and_plan_years(world, period, message):
    _plan, _o, adoption = plan_with_indicator(world)
    with pytest.raises(ValidationError, match=message):
        services.target_set(actor=world.coordinator, plan_indicator=adoption, period=period, value=Decimal(1))
    assert not Target.objects.exists()


def test_target_option_must_belong_to_the_indicators_disaggregations(world):
    _plan, _o, adoption = plan_with_indicator(world)
    cadre = services.disaggregation_create(
        actor=world.manager,
        programme=world.programme,
        code="cadre",
        name="Cadre",
        options=[("nurse", "Nurse")],
    )
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            actor=world.coordinator,
            plan_indicator=adoption,
            period="2024Q1",
            value=Decimal(1),
            option=cadre.options.get(),
        )
    assert "option" in exc.value.message_dict
    female = adoption.indicator.categories.get().options.get(code="female")
    services.target_set(
        actor=world.coordinator, plan_indicator=adoption, period="2024Q1", value=Decimal(1), option=female
    )
    assert Target.objects.get().option == female


def test_percentage_targets_lie_between_0_and_100(world):
    plan = draft_plan(world.coordinator, world.partnership)
    obj = objective(world.coordinator, plan)
    indicator = common_indicator(
        world.manager, world.programme, code="MDA", measure="percentage", frequency="yearly"
    )
    adoption = services.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=obj, indicator=indicator
    )
    with pytest.raises(ValidationError, match="between 0 and 100"):
        services.target_set(
            actor=world.coordinator, plan_indicator=adoption, period="2024", value=Decimal(120)
        )
    with pytest.raises(ValidationError, match="between 0 and 100"):
        services.plan_indicator_update(
            actor=world.coordinator, plan_indicator=adoption, data={"end_target": Decimal(-1)}
        )


def test_targets_grid_writes_nothing_when_a_cell_is_bad(world):
    _plan, _o, adoption = plan_with_indicator(world)
    with pytest.raises(ValidationError) as exc:
        services.targets_save(
            actor=world.coordinator,
            plan_indicator=adoption,
            values={("2024Q1", None): Decimal(1), ("2024", None): Decimal(2), ("2030Q1", None): Decimal(3)},
        )
    assert set(exc.value.message_dict) == {"2024", "2030Q1"}
    assert not Target.objects.exists()


def test_targets_grid_creates_changes_and_deletes(world):
    _plan, _o, adoption = plan_with_indicator(world)
    services.targets_save(
        actor=world.coordinator,
        plan_indicator=adoption,
        values={("2024Q1", None): Decimal(1), ("2024Q2", None): Decimal(2)},
    )
    changed = services.targets_save(
        actor=world.coordinator,
        plan_indicator=adoption,
        values={("2024Q1", None): None, ("2024Q2", None): Decimal(2), ("2024Q3", None): Decimal(5)},
    )
    assert changed == 2
    assert dict(Target.objects.values_list("period", "value")) == {"2024Q2": Decimal(2), "2024Q3": Decimal(5)}


def test_plan_years_cannot_shrink_below_existing_targets(world):
    plan, _o, adoption = plan_with_indicator(world)
    services.target_set(actor=world.coordinator, plan_indicator=adoption, period="2026Q4", value=Decimal(4))
    with pytest.raises(ValidationError, match="2026Q4"):
        services.plan_update(actor=world.coordinator, plan=plan, data={"last_year": 2025})


def test_disaggregations_are_defined_by_programme_editors(world):
    with pytest.raises(PermissionDenied):
        sex(world.coordinator, world.programme)
    category = sex(world.me_officer, world.programme)
    assert list(category.options.values_list("code", flat=True)) == ["female", "male"]
    services.disaggregation_option_add(actor=world.manager, category=category, code="other", name="Other")
    with pytest.raises(ValidationError):
        services.disaggregation_option_add(actor=world.manager, category=category, code="other", name="Other")
