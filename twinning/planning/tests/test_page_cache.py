"""The plan page reads its objectives and events back from the shared cache under the audit change stamp: a change
through the services shows on the next request, and what each reader may do is never taken from another's page."""

import re
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.audit.services import change_stamp
from twinning.planning import services
from twinning.planning.models import Activity, Plan, Target
from twinning.planning.selectors import plan_page_detail
from twinning.planning.tests.factories import plan_with_indicator

# Committed transactions, as in production: the stamp is renewed when a change commits.
pytestmark = pytest.mark.django_db(transaction=True)


def _page(client, world):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("planning:plan", args=[world.partnership.uuid]))
    assert response.status_code == 200
    main = re.search(r"<main.*</main>", response.content.decode(), re.DOTALL)
    assert main is not None
    # Without the per-response tokens (CSP nonce, CSRF token).
    return re.sub(r'(nonce|value)="[^"]*"', "", main.group()), len(queries)


def test_the_plan_page_is_read_back_until_a_change_commits_then_shows_it(client, world):
    plan, _objective, _adoption = plan_with_indicator(world)
    client.force_login(world.coordinator)
    first, computed = _page(client, world)
    again, cached = _page(client, world)
    assert again == first
    assert cached < computed  # the objectives' and events' queries are skipped

    activity = Activity.objects.get(objective__plan=plan)
    services.activity_progress_update(
        actor=world.coordinator, activity=activity, progress_note="Two sessions held in March"
    )
    fresh, recomputed = _page(client, world)
    assert "Two sessions held in March" in fresh and "Two sessions held in March" not in first
    assert recomputed == computed


def test_the_plan_page_shows_only_overall_targets_and_no_separator_after_the_last(client, world):
    _plan, _objective, adoption = plan_with_indicator(world)
    female = adoption.indicator.categories.get().options.order_by("order").first()
    services.targets_save(
        actor=world.coordinator,
        plan_indicator=adoption,
        values={("2024Q1", None): Decimal(10), ("2024Q2", None): Decimal(20), ("2024Q2", female): Decimal(7)},
    )
    assert Target.objects.filter(plan_indicator=adoption).count() == 3
    client.force_login(world.member)
    body, _ = _page(client, world)
    cell = re.search(r'<td class="small">(Q1 2024.*?)</td>', body)
    assert cell is not None
    assert cell.group(1) == "Q1 2024: 10; Q2 2024: 20"


def test_two_roles_never_see_each_others_page_from_the_cache(client, world):
    plan_with_indicator(world)
    progress_form = 'name="progress_note"'
    add_objective = "Add an objective"

    client.force_login(world.coordinator)  # fills the cache
    coordinator_page, _ = _page(client, world)
    assert progress_form in coordinator_page and add_objective in coordinator_page

    client.force_login(world.member)  # reads the same cached objectives
    member_page, _cached = _page(client, world)
    assert progress_form not in member_page and add_objective not in member_page
    assert "Triage training" in member_page

    client.force_login(world.coordinator)  # and the member's visit left nothing behind for the coordinator
    assert _page(client, world)[0] == coordinator_page


def test_a_transaction_with_its_own_changes_reads_the_plan_afresh(world):
    plan, _objective, _adoption = plan_with_indicator(world)
    plan_page_detail(plan)  # cached
    assert change_stamp() is not None
    with transaction.atomic():
        services.activity_create(
            actor=world.coordinator,
            objective=plan.objectives.get(),
            title="Uncommitted workshop",
            responsible_side="host",
        )
        assert change_stamp() is None  # uncommitted: never cached, never read from the cache
        titles = [a.title for o in plan_page_detail(plan).objectives for a in o.activities.all()]
        assert "Uncommitted workshop" in titles


def _tables(queries) -> set[str]:
    return {table for q in queries for table in re.findall(r'FROM "(\w+)"', q["sql"])}


def test_a_page_read_back_reads_neither_the_plan_s_content_nor_its_history_and_shows_a_new_own_indicator(
    client, world, settings
):
    settings.MY_WORK_CACHE_SECONDS = 600  # as in production: the navigation's counts are kept too
    plan_with_indicator(world)
    client.force_login(world.coordinator)
    url = reverse("planning:plan", args=[world.partnership.uuid])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        cached = client.get(url).content.decode()
    # Only who the reader is, the partnership, the plan and its sign-offs: the sections, the own indicators, the
    # versions and the History table (rows and count) are read back with the page's parts.
    assert not {
        "planning_objective",
        "planning_indicator",
        "planning_planningevent",
        "audit_auditevent",
    } & _tables(queries.captured_queries)
    assert "Antenatal visits" not in cached

    services.indicator_create(
        actor=world.coordinator,
        programme=world.programme,
        partnership=world.partnership,
        code="OWN1",
        name="Antenatal visits",
    )
    after = client.get(url).content.decode()
    own = re.search(r'<section id="own-indicators".*?</section>', after, re.DOTALL)
    assert own is not None and "Antenatal visits" in own.group()

    plan = Plan.objects.get(partnership=world.partnership)
    services.objective_create(
        actor=world.coordinator,
        plan=plan,
        code="O2",
        statement="Midwives run the antenatal clinic",
        pillar=plan.objectives.get().pillar,
    )
    history = re.search(r'<section id="history".*?</section>', client.get(url).content.decode(), re.DOTALL)
    assert history is not None and "Midwives run the antenatal clinic" in history.group()
