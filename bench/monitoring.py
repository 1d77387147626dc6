"""Benchmark the results import and the programme roll-up against raw PostgreSQL in the same run.

1. Import: BENCH_RESULTS (default 1,000,000) result values from one CSV through the validating import
   service (`twinning.monitoring.imports.results_import`, the path the web upload uses), against a raw COPY
   of the same rows (already resolved to ids) into the same table. Ratio = import rows/s ÷ COPY rows/s.
2. Roll-up: `programme_rollup` (the programme dashboard's figures) for one year against one hand-written
   GROUP BY over the same results. Ratio = roll-up seconds ÷ SQL seconds.
3. Query counts of the programme and partnership dashboards with no results and with all of them.

PostgreSQL only (COPY is the point); on SQLite it prints a skip notice.
"""

import datetime
import json
import os
import statistics
import tempfile
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from twinning.accounts.models import ProgrammeRole, User  # noqa: E402
from twinning.core.choices import Side  # noqa: E402
from twinning.core.uploads import read_table  # noqa: E402
from twinning.directory.models import Institution  # noqa: E402
from twinning.monitoring.imports import results_import  # noqa: E402
from twinning.monitoring.models import PeriodReport, Result  # noqa: E402
from twinning.monitoring.selectors import programme_rollup  # noqa: E402
from twinning.partnerships.models import Partnership, PartnershipInstitution, Pillar, Programme  # noqa: E402
from twinning.planning.models import (  # noqa: E402
    DisaggregationCategory,
    DisaggregationOption,
    Indicator,
    Objective,
    Plan,
    PlanIndicator,
)
from twinning.planning.periods import periods_between  # noqa: E402

TOTAL = int(os.environ.get("BENCH_RESULTS", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PERIODS = [
    p.id for p in periods_between(datetime.date(2024, 1, 1), datetime.date(2026, 1, 31), "monthly")
]  # 25
DISAGGREGATED, PLAIN = 10, 10
ROWS_PER_PERIOD = DISAGGREGATED * 3 + PLAIN  # total, female, male for the disaggregated ones
COUNTRIES = ["UG", "KE", "TZ", "GH", "NG", "ET", "MW", "ZM", "RW", "SN"]

BASELINE_ROLLUP_SQL = """
SELECT pi.indicator_id, r.period, o.pillar_id, COALESCE(pc.country, '') AS country,
       COUNT(r.id), SUM(r.value), SUM(r.numerator), SUM(r.denominator)
FROM monitoring_result r
JOIN planning_indicator i ON i.id = r.indicator_id
JOIN planning_plan pl ON pl.partnership_id = r.partnership_id
JOIN planning_planindicator pi ON pi.plan_id = pl.id AND pi.indicator_id = r.indicator_id
JOIN planning_objective o ON o.id = pi.objective_id
LEFT JOIN (
    SELECT DISTINCT ON (x.partnership_id) x.partnership_id, inst.country
    FROM partnerships_partnershipinstitution x JOIN directory_institution inst ON inst.id = x.institution_id
    WHERE x.side = 'host' ORDER BY x.partnership_id, inst.country
) pc ON pc.partnership_id = pl.partnership_id
WHERE r.option_id IS NULL AND i.programme_id = %s AND i.partnership_id IS NULL
  AND i.cross_aggregation <> 'none' AND r.period LIKE %s
GROUP BY 1, 2, 3, 4
"""


def setup(
    partnership_count: int,
) -> tuple[Programme, User, list[Partnership], list[tuple[int, int, int | None]]]:
    """A programme with `partnership_count` partnerships, each with an agreed plan adopting 20 monthly indicators."""
    admin = User.objects.create_user(
        email="bench-admin@example.org", password="pw", is_superuser=True, is_staff=True
    )
    programme = Programme.objects.create(name="Monitoring bench")
    manager = User.objects.create_user(email="bench-manager@example.org", password="pw")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    pillars = [
        Pillar.objects.create(programme=programme, code=f"p{i}", name=f"Pillar {i}", order=i)
        for i in range(5)
    ]
    hosts = [
        Institution.objects.create(name=f"Host {c}", type="hospital", country=c, city="X") for c in COUNTRIES
    ]
    partnerships = Partnership.objects.bulk_create(
        [
            Partnership(programme=programme, title=f"P{n:05d}", stage="implementation")
            for n in range(partnership_count)
        ]
    )
    PartnershipInstitution.objects.bulk_create(
        [
            PartnershipInstitution(partnership=p, institution=hosts[n % len(hosts)], side=Side.HOST)
            for n, p in enumerate(partnerships)
        ]
    )
    now = timezone.now()
    plans = Plan.objects.bulk_create(
        [
            Plan(partnership=p, title="Plan", first_year=2024, last_year=2026, status="agreed", agreed_at=now)
            for p in partnerships
        ]
    )
    objectives = Objective.objects.bulk_create(
        [
            Objective(plan=plan, code="O1", statement="O", pillar=pillars[n % 5])
            for n, plan in enumerate(plans)
        ]
    )
    sex = DisaggregationCategory.objects.create(programme=programme, code="sex", name="Sex")
    options = [
        DisaggregationOption.objects.create(category=sex, code="female", name="Female", order=1),
        DisaggregationOption.objects.create(category=sex, code="male", name="Male", order=2),
    ]
    indicators = []
    for n in range(DISAGGREGATED + PLAIN):
        indicator = Indicator.objects.create(
            programme=programme,
            code=f"IND{n:02d}",
            name=f"Indicator {n}",
            frequency="monthly",
            cross_aggregation="average" if n % 4 == 3 else "sum",
        )
        if n < DISAGGREGATED:
            indicator.categories.add(sex)
        indicators.append(indicator)
    adoptions = PlanIndicator.objects.bulk_create(
        [
            PlanIndicator(plan=plan, objective=objective, indicator=indicator)
            for plan, objective in zip(plans, objectives, strict=True)
            for indicator in indicators
        ],
        batch_size=5000,
    )
    keys: list[
        tuple[int, int, int | None]
    ] = []  # (plan_indicator_id, partnership index, option id), file order
    for n, adoption in enumerate(adoptions):
        partnership_index = n // len(indicators)
        keys.append((adoption.pk, partnership_index, None))
        if (n % len(indicators)) < DISAGGREGATED:
            keys += [(adoption.pk, partnership_index, o.pk) for o in options]
    return programme, admin, partnerships, keys


def write_files(
    directory: str, partnerships: list[Partnership], keys: list[tuple[int, int, int | None]], actor_id: int
) -> tuple[str, str, int]:
    """The CSV people would upload, and the same rows resolved to ids for the raw COPY baseline."""
    codes, ids = {}, {}
    for pk, code, partnership_id, indicator_id in PlanIndicator.objects.values_list(
        "pk", "indicator__code", "plan__partnership_id", "indicator_id"
    ):
        codes[pk] = code
        ids[pk] = f"{partnership_id}\t{indicator_id}"
    option_codes = {o.pk: f"sex:{o.code}" for o in DisaggregationOption.objects.all()}
    uuids = [str(p.uuid) for p in partnerships]
    csv_path, copy_path = f"{directory}/results.csv", f"{directory}/results.copy"
    now = timezone.now().isoformat()
    count = 0
    with (
        open(csv_path, "w", encoding="utf-8", buffering=1 << 16) as out,
        open(copy_path, "w", encoding="utf-8", buffering=1 << 16) as raw,
    ):
        out.write("partnership,period,indicator,option,value,numerator,denominator,text,score,comment\n")
        for period in PERIODS:
            for pi, partnership_index, option in keys:
                if count >= TOTAL:
                    break
                value = (pi * 7 + count) % 500
                out.write(
                    f"{uuids[partnership_index]},{period},{codes[pi]},{option_codes[option] if option else ''},{value},,,,,\n"
                )
                raw.write(
                    f"1\t{now}\t{now}\t{ids[pi]}\t{period}\t{option if option else chr(92) + 'N'}\t{value}\t\\N\t\\N\t\t\\N\t\t{actor_id}\n"
                )
                count += 1
    return csv_path, copy_path, count


def raw_copy(copy_path: str) -> float:
    started = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.cursor.copy(
            "COPY monitoring_result (version, created_at, updated_at, partnership_id, indicator_id, period, "
            "option_id, value, numerator, denominator, text, score, comment, entered_by_id) FROM STDIN"
        ) as copy,
        open(copy_path, encoding="utf-8") as source,
    ):
        while chunk := source.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def validated_import(csv_path: str, programme: Programme, admin: User) -> tuple[float, int]:
    started = time.perf_counter()
    with open(csv_path, "rb") as source:
        outcome = results_import(
            actor=admin,
            rows=read_table(source, max_rows=TOTAL + 10),
            programme=programme,
            source="bench",
        )
    return time.perf_counter() - started, outcome.created


def empty_results() -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE monitoring_result CASCADE")
    PeriodReport.objects.all().delete()


def median(fn, rounds: int = ROUNDS) -> float:  # type: ignore[no-untyped-def]
    fn()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def dashboard_queries(client: Client, programme: Programme, partnership: Partnership) -> dict[str, int]:
    counts = {}
    for name, url in [
        ("programme_dashboard", f"/monitoring/programmes/{programme.uuid}/?year=2025"),
        ("partnership_dashboard", f"/monitoring/{partnership.uuid}/"),
        ("entry_page", f"/monitoring/{partnership.uuid}/202501/"),
    ]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[name] = len(queries)
    return counts


def main() -> None:
    if connection.vendor != "postgresql":
        print(
            json.dumps(
                {
                    "benchmark": "monitoring",
                    "database": connection.vendor,
                    "skipped": "the monitoring benchmark measures PostgreSQL COPY; run it with a PostgreSQL DATABASE_URL",
                }
            )
        )
        return
    partnership_count = max(1, -(-TOTAL // (ROWS_PER_PERIOD * len(PERIODS))))
    programme, admin, partnerships, keys = setup(partnership_count)
    client = Client()
    client.force_login(User.objects.get(email="bench-manager@example.org"))
    queries_empty = dashboard_queries(client, programme, partnerships[0])
    with tempfile.TemporaryDirectory() as directory:
        csv_path, copy_path, rows = write_files(directory, partnerships, keys, admin.pk)
        copy_times, import_times = [], []
        for _round in range(int(os.environ.get("BENCH_IMPORT_ROUNDS", "1"))):
            empty_results()
            copy_times.append(raw_copy(copy_path))
            empty_results()
            seconds, created = validated_import(csv_path, programme, admin)
            assert created == rows, (created, rows)
            import_times.append(seconds)
        # Uploading the same file again finds every value unchanged: nothing is rewritten or duplicated.
        started = time.perf_counter()
        with open(csv_path, "rb") as source:
            again = results_import(
                actor=admin, rows=read_table(source, max_rows=TOTAL + 10), programme=programme
            )
        reimport_seconds = time.perf_counter() - started
        assert again.unchanged == rows and again.updated == 0 and Result.objects.count() == rows
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    copy_s, import_s = min(copy_times), min(import_times)

    def app_rollup() -> None:
        programme_rollup(programme, year=2025)

    def sql_rollup() -> None:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_ROLLUP_SQL, [programme.pk, "2025%"])
            cursor.fetchall()

    # The two must agree before their times mean anything.
    rollup = programme_rollup(programme, year=2025)
    with connection.cursor() as cursor:
        cursor.execute(BASELINE_ROLLUP_SQL, [programme.pk, "2025%"])
        sql_total = sum(row[5] for row in cursor.fetchall())
    app_total = sum(cell.total for r in rollup.indicators for cell in r.total.values())
    assert app_total == sql_total, (app_total, sql_total)
    rollup_s, sql_s = median(app_rollup), median(sql_rollup)
    queries_full = dashboard_queries(client, programme, partnerships[0])
    print(
        json.dumps(
            {
                "benchmark": "monitoring",
                "database": connection.vendor,
                "rows": rows,
                "partnerships": partnership_count,
                "import": {
                    "copy_seconds": round(copy_s, 3),
                    "import_seconds": round(import_s, 3),
                    "copy_rows_per_second": round(rows / copy_s),
                    "import_rows_per_second": round(rows / import_s),
                    "ratio_to_copy": round(copy_s / import_s, 3),
                    "reimport_unchanged_seconds": round(reimport_seconds, 3),
                },
                "rollup": {
                    "seconds": round(rollup_s, 4),
                    "baseline_sql_seconds": round(sql_s, 4),
                    "ratio_to_sql": round(rollup_s / sql_s, 3),
                },
                "queries_empty_vs_full": {"empty": queries_empty, "full": queries_full},
            }
        )
    )


if __name__ == "__main__":
    main()
