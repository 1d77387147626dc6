"""Benchmark the plan page and the plan API against hand-written SQL reading the same rows.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.
Loads the default demo (which has plans), then grows one plan to a large one (40 objectives, 120 activities,
40 indicators with monthly targets per option over three years: about 10,000 targets) and times every demo plan
page, and the large one, as the programme manager. The baseline is the four SQL statements that read what the page
shows (objectives with pillars, activities, adopted indicators with their indicator, targets); the ratio says what
the whole request costs on top of reading the rows. Queries per page are reported for a small and the large plan:
they must be equal.
"""

import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from twinning.accounts.models import User  # noqa: E402
from twinning.accounts.services import api_token_create  # noqa: E402
from twinning.partnerships.models import Pillar  # noqa: E402
from twinning.planning import services  # noqa: E402
from twinning.planning.models import DisaggregationCategory, Plan, Target  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))

BASELINE_SQL = [
    """SELECT o.id, o.uuid, o.code, o.statement, p.name FROM planning_objective o
       JOIN partnerships_pillar p ON p.id = o.pillar_id WHERE o.plan_id = %s ORDER BY o."order", o.code""",
    """SELECT a.uuid, a.objective_id, a.title, a.start_date, a.end_date, a.status, a.progress_note
       FROM planning_activity a JOIN planning_objective o ON o.id = a.objective_id WHERE o.plan_id = %s
       ORDER BY a.start_date, a.title""",
    """SELECT pi.id, pi.uuid, pi.objective_id, pi.baseline_value, pi.end_target, i.code, i.name, i.measure
       FROM planning_planindicator pi JOIN planning_indicator i ON i.id = pi.indicator_id WHERE pi.plan_id = %s
       ORDER BY i.code""",
    """SELECT t.plan_indicator_id, t.period, t.option_id, t.value FROM planning_target t
       JOIN planning_planindicator pi ON pi.id = t.plan_indicator_id WHERE pi.plan_id = %s ORDER BY t.period""",
]


def median_seconds(fn: Callable[[], None]) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def grow(plan: Plan, actor: User) -> None:
    """Make `plan` (a draft) large: 40 objectives with 3 activities and a monthly indicator each."""
    pillar = Pillar.objects.filter(programme=plan.partnership.programme).first()
    categories = list(DisaggregationCategory.objects.filter(programme=plan.partnership.programme))
    options = [o for c in categories for o in c.options.all()]
    periods = services.plan_periods(plan, "monthly")
    assert pillar is not None, "the programme has no pillars"
    for n in range(40):
        objective = services.objective_create(
            actor=actor, plan=plan, code=f"B{n}", statement=f"Bench objective {n}", pillar=pillar
        )
        for m in range(3):
            services.activity_create(
                actor=actor, objective=objective, title=f"Bench activity {n}.{m}", responsible_side="host"
            )
        indicator = services.indicator_create(
            actor=actor,
            programme=plan.partnership.programme,
            code=f"BENCH{n}",
            name=f"Bench indicator {n}",
            frequency="monthly",
            categories=categories,
        )
        adoption = services.plan_indicator_adopt(
            actor=actor, plan=plan, objective=objective, indicator=indicator
        )
        values = {(p.id, o): Decimal(5) for p in periods for o in [None, *options]}
        services.targets_save(actor=actor, plan_indicator=adoption, values=values)


def main() -> None:
    call_command("demo", reset=True, stdout=io.StringIO())
    manager = User.objects.get(email="manager@demo.twinning")
    plans = list(Plan.objects.exclude(status="superseded").select_related("partnership"))
    big = next(p for p in plans if p.status == "draft")
    small = next(p for p in plans if p.status == "agreed")
    web = Client()
    web.force_login(manager)
    _token, raw = api_token_create(actor=manager, user=manager, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def page_queries(plan: Plan) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get(f"/planning/{plan.partnership.uuid}/").status_code == 200
        return len(captured)

    def api_queries(plan: Plan) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(f"/api/v1/planning/plans/{plan.uuid}").status_code == 200
        return len(captured)

    page_queries(small), api_queries(small)  # warm-up: the token's first use is stamped
    small_counts = (page_queries(small), api_queries(small), page_queries(big), api_queries(big))
    grow(big, manager)
    targets = Target.objects.filter(plan_indicator__plan=big).count()
    big_counts = (page_queries(big), api_queries(big))

    def pages(selection: list[Plan]) -> Callable[[], None]:
        def run() -> None:
            for plan in selection:
                assert web.get(f"/planning/{plan.partnership.uuid}/").status_code == 200

        return run

    def api_pages(selection: list[Plan]) -> Callable[[], None]:
        def run() -> None:
            for plan in selection:
                assert api.get(f"/api/v1/planning/plans/{plan.uuid}").status_code == 200

        return run

    def sql(selection: list[Plan]) -> Callable[[], None]:
        def run() -> None:
            with connection.cursor() as cursor:
                for plan in selection:
                    for statement in BASELINE_SQL:
                        cursor.execute(statement, [plan.pk])
                        cursor.fetchall()

        return run

    figures = {}
    for key, runner, selection, queries in (
        ("plan_pages", pages, plans, small_counts[0]),
        ("plan_api", api_pages, plans, small_counts[1]),
        ("big_plan_page", pages, [big], big_counts[0]),
        ("big_plan_api", api_pages, [big], big_counts[1]),
    ):
        seconds = median_seconds(runner(selection))
        baseline = median_seconds(sql(selection))
        figures[key] = {
            "pages": len(selection),
            "seconds": round(seconds, 4),
            "baseline_sql_seconds": round(baseline, 4),
            "ratio_to_sql": round(seconds / baseline, 1),
            "queries_per_page": queries,
        }
    json.dump(
        {
            "benchmark": "planning",
            "database": connection.vendor,
            "big_plan_targets": targets,
            "queries_small_vs_big": {
                "page": [small_counts[0], small_counts[2], big_counts[0]],
                "api": [small_counts[1], small_counts[3], big_counts[1]],
            },
            **figures,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
