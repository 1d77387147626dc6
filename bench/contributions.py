"""Benchmark the leverage dashboard and the gifts-in-kind disclosure export against hand-written SQL.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.
The baseline computes the same figures with hand-written SQL (plain JOINs to the rate tables instead of the
ORM's correlated subqueries) and the same few lines of Python to divide; the benchmark first checks that both
give the same numbers, then times them. The ratio says what the whole request (routing, session, access
rules, ORM, SVG charts, template or XLSX writing) costs on top of computing the figures.
"""

import io
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from twinning.accounts.models import User  # noqa: E402
from twinning.contributions.models import Gift, TimeEntry  # noqa: E402
from twinning.contributions.selectors import leverage_report  # noqa: E402
from twinning.partnerships.models import Programme  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CENT = Decimal("0.01")

# Verified and pledged gift value per partnership, converted with the rate whose period covers the gift's date.
GIFTS_SQL = """
SELECT g.partnership_id, g.status,
       SUM(g.fair_value * CASE WHEN g.currency = %(cur)s THEN 1 ELSE r.rate END)
FROM contributions_gift g
JOIN partnerships_partnership p ON p.id = g.partnership_id
LEFT JOIN contributions_exchangerate r
       ON r.programme_id = p.programme_id AND r.currency = g.currency
      AND r.valid_from <= g.gift_date AND r.valid_to >= g.gift_date
WHERE p.programme_id = %(programme)s
GROUP BY g.partnership_id, g.status
"""
# Volunteer time on the generic basis: the most specific generic rate valid on the entry's date, converted.
TIME_SQL = """
SELECT t.partnership_id, t.status,
       SUM(t.hours * vr.hourly_rate * CASE WHEN vr.currency = %(cur)s THEN 1 ELSE r.rate END)
FROM contributions_timeentry t
JOIN partnerships_partnership p ON p.id = t.partnership_id
JOIN contributions_valuationrate vr ON vr.id = (
    SELECT v.id FROM contributions_valuationrate v
    WHERE v.programme_id = p.programme_id AND v.basis = 'generic'
      AND v.valid_from <= t.start_date AND (v.valid_to IS NULL OR v.valid_to >= t.start_date)
      AND (v.cadre = t.cadre OR v.cadre = '') AND (v.country = t.country OR v.country = '')
    ORDER BY (CASE WHEN v.cadre = '' THEN 0 ELSE 2 END) + (CASE WHEN v.country = '' THEN 0 ELSE 1 END) DESC,
             v.valid_from DESC
    LIMIT 1)
LEFT JOIN contributions_exchangerate r
       ON r.programme_id = p.programme_id AND r.currency = vr.currency
      AND r.valid_from <= t.start_date AND r.valid_to >= t.start_date
WHERE p.programme_id = %(programme)s
GROUP BY t.partnership_id, t.status
"""
FUNDS_SQL = """
SELECT al.partnership_id, SUM(al.amount * CASE WHEN a.currency = %(cur)s THEN 1 ELSE r.rate END)
FROM contributions_allocation al
JOIN contributions_award a ON a.id = al.award_id
LEFT JOIN contributions_exchangerate r
       ON r.programme_id = a.programme_id AND r.currency = a.currency
      AND r.valid_from <= a.start_date AND r.valid_to >= a.start_date
WHERE a.programme_id = %(programme)s
GROUP BY al.partnership_id
"""
DISCLOSURE_SQL = """
SELECT g.category, g.use, g.valuation_technique, g.status, COUNT(*),
       SUM(g.fair_value * CASE WHEN g.currency = %(cur)s THEN 1 ELSE r.rate END)
FROM contributions_gift g
JOIN partnerships_partnership p ON p.id = g.partnership_id
LEFT JOIN contributions_exchangerate r
       ON r.programme_id = p.programme_id AND r.currency = g.currency
      AND r.valid_from <= g.gift_date AND r.valid_to >= g.gift_date
WHERE p.programme_id = %(programme)s
GROUP BY g.category, g.use, g.valuation_technique, g.status
"""


def median_seconds(fn: Callable[[], object]) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def dec(value: object) -> Decimal:
    return Decimal(str(value or 0))


def sql_leverage(params: dict) -> tuple[Decimal, Decimal, Decimal, dict[int, Decimal]]:
    """(funds, verified in kind, pledged in kind, verified per partnership), all by hand-written SQL."""
    verified: dict[int, Decimal] = defaultdict(Decimal)
    pledged = Decimal(0)
    with connection.cursor() as cursor:
        for query in (GIFTS_SQL, TIME_SQL):
            cursor.execute(query, params)
            for pid, status, value in cursor.fetchall():
                pledged += dec(value)
                if status == "verified":
                    verified[pid] += dec(value)
        cursor.execute(FUNDS_SQL, params)
        funds = sum((dec(v) for _pid, v in cursor.fetchall()), Decimal(0))
    return funds, sum(verified.values(), Decimal(0)), pledged, verified


def sql_disclosure(params: dict) -> tuple[int, Decimal]:
    with connection.cursor() as cursor:
        cursor.execute(DISCLOSURE_SQL, params)
        rows = cursor.fetchall()
    return sum(r[4] for r in rows), sum((dec(r[5]) for r in rows if r[3] == "verified"), Decimal(0))


def main() -> None:
    started = time.perf_counter()
    call_command("demo", scale="large", reset=True, stdout=io.StringIO())
    load_seconds = time.perf_counter() - started

    manager = User.objects.get(email="manager@demo.twinning")
    programme = Programme.objects.get(staff_roles__user=manager)
    params = {"cur": programme.reporting_currency, "programme": programme.pk}
    web = Client()
    web.force_login(manager)
    leverage_url = f"/contributions/programmes/{programme.uuid}/leverage/"
    export_url = f"/contributions/programmes/{programme.uuid}/gifts-in-kind.xlsx"

    # Same figures both ways, or the timings mean nothing.
    report = leverage_report(programme=programme)
    funds, verified, pledged, per_partnership = sql_leverage(params)
    assert abs(report.total.funds - funds) < Decimal("1"), (report.total.funds, funds)
    assert abs(report.total.inkind_verified - verified) < Decimal("1"), (
        report.total.inkind_verified,
        verified,
    )
    assert abs(report.total.inkind_pledged - pledged) < Decimal("1"), (report.total.inkind_pledged, pledged)
    for row in report.partnerships:
        assert abs(row.figures.inkind_verified - per_partnership.get(row.id, Decimal(0))) < CENT * 10, (
            row.title
        )
    ratio_sql = (verified / funds).quantize(CENT)
    assert report.total.leverage_verified == ratio_sql, (report.total.leverage_verified, ratio_sql)
    response = web.get(export_url)
    assert response.status_code == 200
    total_row = list(load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0].values)[-1]
    gift_count, gift_verified = sql_disclosure(params)
    assert total_row[3] == gift_count and abs(Decimal(str(total_row[6])) - gift_verified) < Decimal("1")

    with CaptureQueriesContext(connection) as captured:
        assert web.get(leverage_url).status_code == 200
    page_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        assert web.get(export_url).status_code == 200
    export_queries = len(captured)

    def page() -> None:
        assert web.get(leverage_url).status_code == 200

    def export() -> None:
        assert web.get(export_url).status_code == 200

    page_s = median_seconds(page)
    page_sql_s = median_seconds(lambda: sql_leverage(params))
    export_s = median_seconds(export)
    export_sql_s = median_seconds(lambda: sql_disclosure(params))
    json.dump(
        {
            "benchmark": "contributions",
            "database": connection.vendor,
            "demo_large_load_seconds": round(load_seconds, 2),
            "gifts": Gift.objects.count(),
            "time_entries": TimeEntry.objects.count(),
            "partnerships": len(report.partnerships),
            "leverage_verified": str(report.total.leverage_verified),
            "leverage_dashboard": {
                "seconds": round(page_s, 4),
                "baseline_sql_seconds": round(page_sql_s, 4),
                "ratio_to_sql": round(page_s / page_sql_s, 1),
                "queries": page_queries,
            },
            "disclosure_xlsx": {
                "seconds": round(export_s, 4),
                "baseline_sql_seconds": round(export_sql_s, 4),
                "ratio_to_sql": round(export_s / export_sql_s, 1),
                "queries": export_queries,
            },
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
