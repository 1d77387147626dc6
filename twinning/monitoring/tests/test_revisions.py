"""A result belongs to the partnership, indicator, period and option, not to a plan version: revising the plan
neither hides a value nor lets it be entered (and counted) twice."""

from decimal import Decimal

import pytest
from django.db.migrations import executor
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twinning.accounts.services import api_token_create
from twinning.monitoring import selectors, services
from twinning.monitoring.models import Result
from twinning.monitoring.selectors import entry_page, partnership_progress, programme_rollup
from twinning.planning import services as planning
from twinning.planning.models import Plan, PlanIndicator
from twinning.planning.periods import parse_period
from twinning.planning.tests.factories import agree, common_indicator, draft_plan, objective
from twinning.testing.factories import PartnershipFactory

pytestmark = pytest.mark.django_db
PERIOD = "2026Q3"


def _agreed_plan(world, indicator):
    plan = draft_plan(world.coordinator, world.partnership, first_year=2026, last_year=2026)
    planning.plan_indicator_adopt(
        actor=world.coordinator, plan=plan, objective=objective(world.coordinator, plan), indicator=indicator
    )
    return agree(world, plan)


def _revise(world, plan):
    return agree(world, planning.plan_new_version(actor=world.coordinator, plan=plan))


def _adoption(plan, indicator):
    return PlanIndicator.objects.select_related("plan__partnership", "indicator").get(
        plan=plan, indicator=indicator
    )


def _bearer(user):
    _token, raw = api_token_create(actor=user, user=user, name="t")
    return f"Bearer {raw}"


def _api_results(client, bearer, partnership):
    response = client.get(
        f"/api/v1/monitoring/results?partnership={partnership.uuid}&period={PERIOD}",
        HTTP_AUTHORIZATION=bearer,
    )
    assert response.status_code == 200
    return response.json()["items"]


def test_value_entered_before_a_revision_is_shown_kept_and_counted_once_everywhere(client, world):
    indicator = common_indicator(world.manager, world.programme, "HW1", cross_aggregation="sum")
    v1 = _agreed_plan(world, indicator)
    first = services.result_save(
        actor=world.coordinator,
        plan_indicator=_adoption(v1, indicator),
        period=PERIOD,
        values={"value": "40"},
    )
    assert first is not None and first.version == 1
    v2 = _revise(world, v1)
    assert v2.number == 2 and v2.agreed_at is not None

    # The entry form of the new version shows the 40 entered under version 1, ready to edit.
    client.force_login(world.coordinator)
    response = client.get(f"/monitoring/{world.partnership.uuid}/{PERIOD}/")
    assert response.status_code == 200
    row, form = response.context["rows"][0]
    assert row.plan_indicator.plan_id == v2.pk
    assert row.result is not None and row.result.value == Decimal("40")
    assert form["value"].value() == "40" and form["version"].value() == 1

    # The coordinator enters 40 again, through the new version's form: the same value is updated, not doubled.
    prefix = row.key
    saved = client.post(
        f"/monitoring/{world.partnership.uuid}/{PERIOD}/rows/{row.plan_indicator.uuid}/total/",
        {f"{prefix}-value": "40", f"{prefix}-version": "1"},
    )
    assert saved.status_code == 302
    assert Result.objects.count() == 1

    # Programme dashboard: 40 from 1 partnership.
    client.force_login(world.manager)
    programme = client.get(f"/monitoring/programmes/{world.programme.uuid}/?year=2026")
    (rollup, _chart, _totals, _countries, _pillars), *_ = programme.context["indicators"]
    assert rollup.total_values() == [(PERIOD, Decimal("40"), 1)]
    assert programme_rollup(world.programme, year=2026).indicators[0].total_values() == [
        (PERIOD, Decimal("40"), 1)
    ]
    # Partnership dashboard: 40.
    dashboard = client.get(f"/monitoring/{world.partnership.uuid}/")
    (progress_row, _chart, _table), *_ = dashboard.context["rows"]
    point = next(p for p in progress_row.points if p.period.id == PERIOD)
    assert point.actual == Decimal("40") and progress_row.achieved == Decimal("40")
    # API: one value, 40.
    items = _api_results(client, _bearer(world.manager), world.partnership)
    assert [(i["indicator"], Decimal(i["value"])) for i in items] == [("HW1", Decimal("40"))]


def test_a_form_opened_before_the_revision_still_saves_the_same_value(client, world):
    indicator = common_indicator(world.manager, world.programme, "HW1")
    v1 = _agreed_plan(world, indicator)
    old = _adoption(v1, indicator)
    services.result_save(actor=world.member, plan_indicator=old, period=PERIOD, values={"value": "40"})
    _revise(world, v1)
    client.force_login(world.member)
    prefix = f"{old.uuid}-total"
    response = client.post(
        f"/monitoring/{world.partnership.uuid}/{PERIOD}/rows/{old.uuid}/total/",
        {f"{prefix}-value": "41", f"{prefix}-version": "1"},
    )
    assert response.status_code == 302
    assert [(r.value, r.version) for r in Result.objects.all()] == [(Decimal("41"), 2)]


def test_database_refuses_a_second_value_for_the_same_partnership_indicator_and_period(world):
    from django.db import IntegrityError, transaction

    indicator = common_indicator(world.manager, world.programme, "HW1")
    _agreed_plan(world, indicator)
    Result.objects.create(partnership=world.partnership, indicator=indicator, period=PERIOD, value=40)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(partnership=world.partnership, indicator=indicator, period=PERIOD, value=40)


# --- property: any sequence of revisions and entries -----------------------------------------------------

step = st.one_of(
    st.tuples(st.just("enter"), st.integers(0, 1), st.integers(0, 500)),
    st.tuples(st.just("revise"), st.integers(0, 1), st.just(0)),
    st.tuples(st.just("clear"), st.integers(0, 1), st.just(0)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=6))
def test_revisions_and_entries_agree_everywhere_with_an_independent_count(client, world, steps):
    if not hasattr(world, "_revisions"):
        indicator = common_indicator(world.manager, world.programme, "HW1", cross_aggregation="sum")
        other = PartnershipFactory(programme=world.programme)
        world.coordinator.memberships.create(partnership=other, role="coordinator", side="host")
        world.resource_coordinator.memberships.create(partnership=other, role="coordinator", side="resource")
        world._revisions = (indicator, [world.partnership, other], _bearer(world.admin))
    indicator, partnerships, bearer = world._revisions
    Result.objects.all().delete()
    for partnership in partnerships:
        Plan.objects.filter(partnership=partnership).update(previous=None)
        Plan.objects.filter(partnership=partnership).delete()
        plan = draft_plan(world.coordinator, partnership, first_year=2026, last_year=2026)
        planning.plan_indicator_adopt(
            actor=world.coordinator,
            plan=plan,
            objective=objective(world.coordinator, plan),
            indicator=indicator,
        )
        for side, user in (("host", world.coordinator), ("resource", world.resource_coordinator)):
            planning.plan_sign_off(actor=user, plan=plan, party=side)

    expected: dict[int, Decimal] = {}  # the independent computation: the last value each partnership entered
    for action, which, number in steps:
        partnership = partnerships[which]
        if action == "revise":
            in_force = selectors.plan_in_force(partnership)
            assert in_force is not None
            new = planning.plan_new_version(actor=world.coordinator, plan=in_force)
            for side, user in (("host", world.coordinator), ("resource", world.resource_coordinator)):
                planning.plan_sign_off(actor=user, plan=new, party=side)
            continue
        row = entry_page(partnership, parse_period(PERIOD)).rows[0]  # what the person sees before typing
        services.result_save(
            actor=world.coordinator,
            plan_indicator=row.plan_indicator,
            period=PERIOD,
            values={"value": str(number) if action == "enter" else ""},
            expected_version=row.result.version if row.result else None,
        )
        if action == "enter":
            expected[partnership.pk] = Decimal(number)
        else:
            expected.pop(partnership.pk, None)

    rollup = programme_rollup(world.programme, year=2026).indicators[0].total_values()
    assert rollup == ([(PERIOD, sum(expected.values()), len(expected))] if expected else [])
    api = {
        i["partnership"]: Decimal(i["value"]) for p in partnerships for i in _api_results(client, bearer, p)
    }
    assert api == {str(p.uuid): expected[p.pk] for p in partnerships if p.pk in expected}
    for partnership in partnerships:
        row = entry_page(partnership, parse_period(PERIOD)).rows[0]
        assert (row.result.value if row.result else None) == expected.get(partnership.pk)
        _plan, progress_rows = partnership_progress(partnership)
        point = next(p for p in progress_rows[0].points if p.period.id == PERIOD)
        assert point.actual == expected.get(partnership.pk)
        assert progress_rows[0].achieved == expected.get(partnership.pk)


# --- the data migration --------------------------------------------------------------------------------


class MigrationExecutor(executor.MigrationExecutor):
    """Django's executor, except that going back it renders the state before each migration it unapplies by itself,
    rather than rendering one state early and carrying it, rendered, through every applied migration up to the last
    one to unapply (this project's field-label migrations hold hundreds of AlterFields, each reloading the models
    related to its own in a rendered state). The states, and what is run on the database, are Django's: measured on
    SQLite, going back from monitoring 0014 to 0001 took 44 s with Django's executor and 5 s with this one."""

    def _migrate_all_backwards(self, plan, full_plan, fake):
        # Django 6.1's _migrate_all_backwards, with the rendering moved from the first pass to the second.
        migrations_to_run = {m[0] for m in plan}
        states = {}
        state = self._create_project_state()
        applied_migrations = {
            self.loader.graph.nodes[key]
            for key in self.loader.applied_migrations
            if key in self.loader.graph.nodes
        }
        for migration, _ in full_plan:
            if not migrations_to_run:
                break
            if migration in migrations_to_run:
                states[migration] = state
                state = migration.mutate_state(state, preserve=True)
                migrations_to_run.remove(migration)
            elif migration in applied_migrations:
                migration.mutate_state(state, preserve=False)
        for migration, _ in plan:
            # Rendered here, by itself, just before it is unapplied.
            states[migration].apps  # noqa: B018
            self.unapply_migration(states[migration], migration, fake=fake)
            applied_migrations.remove(migration)
        last_unapplied_migration = plan[-1][0]
        state = states[last_unapplied_migration]
        del state.apps
        for index, (migration, _) in enumerate(full_plan):
            if migration == last_unapplied_migration:
                for migration, _ in full_plan[index:]:
                    if migration in applied_migrations:
                        migration.mutate_state(state, preserve=False)
                break
        return state


@pytest.mark.django_db(transaction=True)
def test_migration_merges_duplicates_keeping_the_newest_version_and_reverses(world):
    from django.db import connection

    before = [("monitoring", "0001_results_reports_review")]
    after = [("monitoring", "0004_results_no_longer_hang_off_plan_versions")]
    indicator = common_indicator(world.manager, world.programme, "HW1")
    v1 = _agreed_plan(world, indicator)
    v2 = _revise(world, v1)
    old, new = _adoption(v1, indicator), _adoption(v2, indicator)
    Result.objects.create(partnership=world.partnership, indicator=indicator, period="2026Q2", value=7)

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    # Going back links the existing value to the newest version's adoption.
    apps = executor.loader.project_state(before).apps
    OldResult = apps.get_model("monitoring", "Result")
    assert list(OldResult.objects.values_list("plan_indicator_id", "value")) == [(new.pk, Decimal("7.0000"))]
    # The fault as it was: the same value entered under each version (the older one edited later).
    OldResult.objects.create(plan_indicator_id=new.pk, period=PERIOD, value=40)
    stale = OldResult.objects.create(plan_indicator_id=old.pk, period=PERIOD, value=41)
    OldResult.objects.filter(pk=stale.pk).update(comment="edited after the revision")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    merged = Result.objects.filter(period=PERIOD)
    assert [(r.partnership_id, r.indicator_id, r.value) for r in merged] == [
        (world.partnership.pk, indicator.pk, Decimal("40"))
    ]  # the newest plan version's value wins over the later edit of the older version's
    assert Result.objects.get(period="2026Q2").value == 7
    # Leave the database migrated to the latest state for the other tests.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
