"""Benchmark the partnership list page and API list against one hand-written SQL query over the same data.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.
The baseline reads exactly what a page shows (the visible partnerships of one page, their programme and every
institution on either side) in one SQL statement; the ratio says how much the whole request (routing, session,
access rules, ORM, template or JSON) costs on top of just reading the rows.
"""

import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from twinning.accounts.models import User  # noqa: E402
from twinning.accounts.services import api_token_create  # noqa: E402
from twinning.partnerships.models import Partnership  # noqa: E402

PAGE_SIZE = 25
API_LIMIT = 50
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))

# The same rows the list shows: visible partnerships (programme staff or member), one page, with their sides.
BASELINE_SQL = """
SELECT p.uuid, p.title, p.stage, pr.name, pi.side, i.uuid, i.name, i.country
FROM partnerships_partnership p
JOIN partnerships_programme pr ON pr.id = p.programme_id
LEFT JOIN partnerships_partnershipinstitution pi ON pi.partnership_id = p.id
LEFT JOIN directory_institution i ON i.id = pi.institution_id
WHERE p.id IN (
    SELECT v.id FROM partnerships_partnership v
    WHERE v.programme_id IN (SELECT programme_id FROM accounts_programmerole WHERE user_id = %s)
       OR v.id IN (SELECT partnership_id FROM accounts_partnershipmembership WHERE user_id = %s)
    ORDER BY v.title, v.id
    LIMIT %s OFFSET %s
)
ORDER BY p.title, p.id, pi.side, i.name
"""


def median_seconds(fn: Callable[[], None]) -> float:
    fn()  # warm caches (compiled templates, content types, connection)
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main() -> None:
    started = time.perf_counter()
    call_command("demo", scale="large", reset=True, stdout=io.StringIO())
    load_seconds = time.perf_counter() - started

    manager = User.objects.get(email="manager@demo.twinning")
    total = Partnership.objects.visible_to(manager).count()
    page_numbers = range(1, (total + PAGE_SIZE - 1) // PAGE_SIZE + 1)
    api_offsets = range(0, total, API_LIMIT)

    web = Client()
    web.force_login(manager)
    _token, raw = api_token_create(actor=manager, user=manager, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def pages() -> None:
        for n in page_numbers:
            response = web.get("/partnerships/", {"page": n})
            assert response.status_code == 200, response.status_code

    def api_pages() -> None:
        for offset in api_offsets:
            response = api.get("/api/v1/partnerships", {"limit": API_LIMIT, "offset": offset})
            assert response.status_code == 200, response.status_code

    def sql(limit: int, offsets: range) -> Callable[[], None]:
        def run() -> None:
            with connection.cursor() as cursor:
                for offset in offsets:
                    cursor.execute(BASELINE_SQL, [manager.pk, manager.pk, limit, offset])
                    cursor.fetchall()

        return run

    # Counted at once: the captured list is read lazily and later requests reset the query log.
    with CaptureQueriesContext(connection) as captured:
        assert web.get("/partnerships/", {"page": 2}).status_code == 200
    page_queries = len(captured)
    with CaptureQueriesContext(connection) as captured:
        assert api.get("/api/v1/partnerships", {"limit": API_LIMIT, "offset": API_LIMIT}).status_code == 200
    api_queries = len(captured)

    page_s = median_seconds(pages)
    page_sql_s = median_seconds(sql(PAGE_SIZE, range(0, total, PAGE_SIZE)))
    api_s = median_seconds(api_pages)
    api_sql_s = median_seconds(sql(API_LIMIT, api_offsets))
    json.dump(
        {
            "database": connection.vendor,
            "demo_large_load_seconds": round(load_seconds, 2),
            "partnerships_visible": total,
            "list_page": {
                "pages": len(page_numbers),
                "seconds": round(page_s, 4),
                "baseline_sql_seconds": round(page_sql_s, 4),
                "ratio_to_sql": round(page_s / page_sql_s, 1),
                "queries_per_page": page_queries,
            },
            "api_list": {
                "pages": len(api_offsets),
                "seconds": round(api_s, 4),
                "baseline_sql_seconds": round(api_sql_s, 4),
                "ratio_to_sql": round(api_s / api_sql_s, 1),
                "queries_per_page": api_queries,
            },
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
