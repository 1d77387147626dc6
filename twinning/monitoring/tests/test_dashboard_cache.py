"""The programme dashboard's roll-up is cached under the audit change stamp: read back until a change commits."""

import re

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from twinning.audit.services import change_stamp
from twinning.monitoring import services
from twinning.monitoring.selectors import programme_rollup_cached
from twinning.monitoring.tests.factories import monitored

# Committed transactions, as in production: the stamp is renewed when a change commits.
pytestmark = pytest.mark.django_db(transaction=True)


def _save(world, m, quarter, value):
    services.result_save(
        actor=world.member, plan_indicator=m.trained, period=quarter, values={"value": value}
    )


def _dashboard(client, world):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/monitoring/programmes/{world.programme.uuid}/?year=2024")
    assert response.status_code == 200
    # The page's main part, without its per-response tokens (CSP nonce, CSRF token).
    main = re.search(r"<main.*</main>", response.content.decode(), re.DOTALL)
    assert main is not None
    return re.sub(r'(nonce|value)="[^"]*"', "", main.group()), len(queries)


def test_the_dashboard_reads_its_roll_up_back_until_a_result_changes(client, world):
    m = monitored(world)
    _save(world, m, "2024Q1", "11")
    client.force_login(world.manager)

    first, computed = _dashboard(client, world)
    again, cached = _dashboard(client, world)
    assert again == first
    assert cached < computed  # the roll-up's queries are skipped

    _save(world, m, "2024Q2", "13")
    fresh, recomputed = _dashboard(client, world)
    assert "Q2 2024" in fresh and "Q2 2024" not in first
    assert recomputed == computed


def test_the_cached_dashboard_makes_the_same_queries_however_many_results(client, world):
    m = monitored(world)
    _save(world, m, "2024Q1", "11")
    client.force_login(world.manager)
    _dashboard(client, world)
    _, few = _dashboard(client, world)

    for quarter in ("2024Q2", "2024Q3", "2024Q4"):
        _save(world, m, quarter, "9")
    _dashboard(client, world)
    _, many = _dashboard(client, world)
    assert many == few


def test_a_transaction_with_its_own_changes_computes_afresh(world):
    m = monitored(world)
    assert change_stamp() is not None
    with transaction.atomic():
        _save(world, m, "2024Q1", "11")
        assert change_stamp() is None  # uncommitted: never cached, never read from the cache
        rollup = programme_rollup_cached(world.programme, first=2024, last=2024)
        assert [p for p, _v, _n in rollup.indicators[0].total_values()] == ["2024Q1"]
