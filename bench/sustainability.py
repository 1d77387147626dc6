"""Benchmark the programme sustainability view against a hand-written GROUP BY computing the same scores.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures. Builds a programme
of 180 partnerships (`BENCH_SUST_PARTNERSHIPS`), each with 3 health-check rounds (`BENCH_SUST_ROUNDS`) that both
sides answered on the shipped 40-statement instrument: 180 x 3 x 2 x 40 = 43,200 answers. Times the programme
sustainability page (`/sustainability/programme/<uuid>/`, full Django stack, as the programme manager) and its
selector alone. The baseline is one hand-written SQL statement computing each partnership's newest round's section
scores per side (item means normalised to 0-100, then section means) with GROUP BY; the benchmark first checks
that both give the same overall scores. Queries per request are reported at 10 partnerships and at the full size:
they must be equal. Target: the page at most 1.5x the SQL.
"""

import datetime
import json
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from twinning.accounts.models import ProgrammeRole, User  # noqa: E402
from twinning.partnerships.models import Partnership, Programme  # noqa: E402
from twinning.sustainability.models import Answer, AssessmentRound, Instrument, Item, Response  # noqa: E402
from twinning.sustainability.selectors import programme_sustainability  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
PARTNERSHIPS = int(os.environ.get("BENCH_SUST_PARTNERSHIPS", "180"))
ROUNDS_EACH = int(os.environ.get("BENCH_SUST_ROUNDS", "3"))

SQL = """
    SELECT t.partnership_id, t.side, t.section_id, AVG(t.item_score) FROM (
        SELECT r.partnership_id, s.side, i.section_id, i.id,
               (AVG(a.value) - i.scale_min) * 100.0 / (i.scale_max - i.scale_min) AS item_score
        FROM sustainability_answer a
        JOIN sustainability_response s ON s.id = a.response_id
        JOIN sustainability_assessmentround r ON r.id = s.round_id
        JOIN partnerships_partnership p ON p.id = r.partnership_id
        JOIN sustainability_item i ON i.id = a.item_id
        WHERE p.programme_id = %s AND a.value IS NOT NULL AND s.submitted_at IS NOT NULL
          AND r.host_submitted_at IS NOT NULL AND r.resource_submitted_at IS NOT NULL
          AND r.due_date = (SELECT MAX(r2.due_date) FROM sustainability_assessmentround r2
                            WHERE r2.partnership_id = r.partnership_id AND r2.host_submitted_at IS NOT NULL
                              AND r2.resource_submitted_at IS NOT NULL)
        GROUP BY r.partnership_id, s.side, i.section_id, i.id, i.scale_min, i.scale_max
    ) t
    GROUP BY t.partnership_id, t.side, t.section_id"""


def median_seconds(fn: Callable[[], object]) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def by_sql(programme_id: int) -> dict[tuple[int, str], float]:
    """Overall score per partnership and side: the mean of the section scores the SQL computes."""
    sections: dict[tuple[int, str], list[float]] = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(SQL, [programme_id])
        for partnership_id, side, _section, score in cursor.fetchall():
            sections[(partnership_id, side)].append(float(score))
    return {key: sum(v) / len(v) for key, v in sections.items()}


def by_app(programme_id: int) -> dict[tuple[int, str], float | None]:
    rows = programme_sustainability(programme_id=programme_id, partnerships=Partnership.objects.all())
    found = {}
    for row in rows:
        if row.health_scores is not None:
            found[(row.partnership.pk, "host")] = row.health_scores.host
            found[(row.partnership.pk, "resource")] = row.health_scores.resource
    return found


def build(programme: Programme, count: int, first: int, rng: random.Random) -> None:
    """`count` partnerships with ROUNDS_EACH health-check rounds both sides answered, bulk-inserted."""
    version = Instrument.objects.get(programme__isnull=True, kind="health_check").versions.get(number=1)
    items = list(Item.objects.filter(section__version=version))
    partnerships = Partnership.objects.bulk_create(
        [Partnership(programme=programme, title=f"Bench partnership {first + i}") for i in range(count)]
    )
    people = User.objects.bulk_create(
        [
            User(email=f"bench-{first + i}-{side}@example.org")
            for i in range(count)
            for side in ("host", "resource")
        ]
    )
    now = timezone.now()
    rounds = AssessmentRound.objects.bulk_create(
        [
            AssessmentRound(
                partnership=p,
                instrument_version=version,
                title=f"Health check {2024 + n}",
                due_date=datetime.date(2024 + n, 6, 30),
                host_submitted_at=now,
                resource_submitted_at=now,
            )
            for p in partnerships
            for n in range(ROUNDS_EACH)
        ]
    )
    sheets = Response.objects.bulk_create(
        [
            Response(round=r, respondent=people[2 * (i // ROUNDS_EACH) + k], side=side, submitted_at=now)
            for i, r in enumerate(rounds)
            for k, side in enumerate(("host", "resource"))
        ]
    )
    Answer.objects.bulk_create(
        [Answer(response=s, item=item, value=rng.randint(1, 5)) for s in sheets for item in items],
        batch_size=5000,
    )


def main() -> None:
    rng = random.Random(13)
    programme = Programme.objects.create(name="Sustainability bench programme")
    manager = User.objects.create_user(email="bench-manager@example.org", password="x")
    ProgrammeRole.objects.create(user=manager, programme=programme, role=ProgrammeRole.Role.MANAGER)
    web = Client()
    web.force_login(manager)
    url = f"/sustainability/programme/{programme.uuid}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert web.get(url).status_code == 200
        return len(captured)

    build(programme, 10, 0, rng)
    queries()  # warm-up: the session and the first request's one-off lookups
    small = queries()
    build(programme, PARTNERSHIPS - 10, 10, rng)
    big = queries()
    app, sql = by_app(programme.pk), by_sql(programme.pk)
    assert app.keys() == sql.keys(), "the view and the SQL score different partnerships"
    assert all(app[k] is not None and abs((app[k] or 0.0) - sql[k]) < 1e-6 for k in app), (
        "the view disagrees with the hand-written SQL"
    )
    baseline = median_seconds(lambda: by_sql(programme.pk))
    page = median_seconds(lambda: web.get(url))
    selector = median_seconds(lambda: by_app(programme.pk))
    out = {
        "benchmark": "sustainability",
        "database": connection.vendor,
        "partnerships": Partnership.objects.filter(programme=programme).count(),
        "rounds": AssessmentRound.objects.count(),
        "answers": Answer.objects.count(),
        "queries_small_vs_big": [small, big],
        "programme_view": {
            "seconds": round(page, 4),
            "baseline_sql_seconds": round(baseline, 4),
            "ratio_to_sql": round(page / baseline, 2) if baseline else None,
            "queries": big,
        },
        "selector": {
            "seconds": round(selector, 4),
            "ratio_to_sql": round(selector / baseline, 2) if baseline else None,
        },
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
