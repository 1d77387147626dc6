"""Benchmark the exchange and training summaries against hand-written SQL computing the same figures.

Run by bench/run.py in a fresh database (DATABASE_URL); prints one JSON object with the figures.
Loads the default demo (which has exchanges, trainings and mentoring), then bulk-adds a large volume to its
programme (by default 20,000 exchanges with 100,000 participants and 20,000 unnamed-trainee counts, spread over
the demo partnerships), and times the programme summary page, one partnership's summary page and the summary API
as the programme manager. The baseline is the hand-written SQL reading the same figures (exchanges by direction
and status, person-days by direction, unique named trainees by cadre and sex plus unnamed counts); the benchmark
first checks both give the same numbers. Queries per request are reported before and after growing: they must
be equal.
"""

import datetime
import functools
import io
import json
import os
import random
import statistics
import time
from collections import Counter
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
from twinning.directory.models import Person  # noqa: E402
from twinning.exchanges.models import Exchange, Participant, TraineeGroup  # noqa: E402
from twinning.exchanges.selectors import exchange_summary  # noqa: E402
from twinning.partnerships.models import Partnership, PartnershipInstitution, Programme  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
EXCHANGES = int(os.environ.get("BENCH_EXCHANGES", "20000"))

SQL_DIRECTIONS = """
    SELECT e.direction, e.status, COUNT(*) FROM exchanges_exchange e
    JOIN partnerships_partnership p ON p.id = e.partnership_id WHERE p.programme_id = %s
    GROUP BY e.direction, e.status"""
SQL_PERSON_DAYS = """
    SELECT e.direction, SUM(e.days) FROM exchanges_participant x
    JOIN exchanges_exchange e ON e.id = x.exchange_id JOIN partnerships_partnership p ON p.id = e.partnership_id
    WHERE p.programme_id = %s AND e.status = 'completed' GROUP BY e.direction"""
SQL_NAMED = """
    SELECT pe.cadre, x.sex, COUNT(DISTINCT x.person_id) FROM exchanges_participant x
    JOIN directory_person pe ON pe.id = x.person_id
    JOIN exchanges_exchange e ON e.id = x.exchange_id JOIN partnerships_partnership p ON p.id = e.partnership_id
    WHERE p.programme_id = %s AND e.status = 'completed' AND x.role = 'trainee' GROUP BY pe.cadre, x.sex"""
SQL_UNNAMED = """
    SELECT g.cadre, g.sex, SUM(g.count) FROM exchanges_traineegroup g
    JOIN exchanges_exchange e ON e.id = g.exchange_id JOIN partnerships_partnership p ON p.id = e.partnership_id
    WHERE p.programme_id = %s AND e.status = 'completed' GROUP BY g.cadre, g.sex"""


def median_seconds(fn: Callable[[], object]) -> float:
    fn()
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def by_sql(programme_id: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute(SQL_DIRECTIONS, [programme_id])
        completed = {d: n for d, s, n in cursor.fetchall() if s == "completed"}
        cursor.execute(SQL_PERSON_DAYS, [programme_id])
        days = {d: int(n) for d, n in cursor.fetchall()}
        cells: Counter = Counter()
        cursor.execute(SQL_NAMED, [programme_id])
        for cadre, sex, n in cursor.fetchall():
            cells[(cadre, sex)] += n
        cursor.execute(SQL_UNNAMED, [programme_id])
        for cadre, sex, n in cursor.fetchall():
            cells[(cadre, sex)] += int(n)
    return {"completed": completed, "person_days": days, "trained": dict(cells)}


def by_app(programme: Programme) -> dict:
    s = exchange_summary(programme=programme)
    return {
        "completed": {r.direction: r.completed for r in s.directions if r.completed},
        "person_days": {r.direction: r.person_days for r in s.directions if r.person_days},
        "trained": {(c.cadre, sex): n for c in s.trained for sex, n in c.by_sex.items() if n},
    }


def grow(programme: Programme, n: int) -> None:
    """Bulk-add n exchanges with five participants each and one unnamed-trainee count, all valid rows."""
    rng = random.Random(11)
    partnerships = list(Partnership.objects.filter(programme=programme))
    people: dict[int, list[tuple[int, str]]] = {}
    for link in PartnershipInstitution.objects.filter(partnership__in=partnerships):
        ids = list(Person.objects.filter(institution_id=link.institution_id).values_list("id", flat=True))
        people.setdefault(link.partnership_id, []).extend((pid, link.side) for pid in ids)
    sex_of: dict[int, str] = dict(
        Participant.objects.exclude(sex="unknown").values_list("person_id", "sex").distinct()
    )
    directions, types = Exchange.Direction.values, Exchange.Type.values
    rows = []
    for i in range(n):
        p = rng.choice(partnerships)
        start = datetime.date(2019, 1, 1) + datetime.timedelta(days=rng.randint(0, 2000))
        length = rng.randint(1, 20)
        rows.append(
            Exchange(
                partnership=p,
                title=f"Bench exchange {i}",
                type=rng.choice(types),
                direction=rng.choice(directions),
                status="completed" if rng.random() < 0.85 else "planned",
                start_date=start,
                end_date=start + datetime.timedelta(days=length - 1),
                days=length,
            )
        )
    Exchange.objects.bulk_create(rows, batch_size=2000)
    participants, groups = [], []
    for e in rows:
        pool = people.get(e.partnership_id, [])
        for pid, side in rng.sample(pool, min(5, len(pool))):
            role = rng.choice(["traveller", "host", "trainee", "trainee", "trainer"])
            sex = sex_of.setdefault(pid, rng.choice(["female", "male"]))
            participants.append(Participant(exchange=e, person_id=pid, side=side, role=role, sex=sex))
        groups.append(
            TraineeGroup(
                exchange=e, sex=rng.choice(["female", "male"]), cadre="nurse", count=rng.randint(1, 30)
            )
        )
    Participant.objects.bulk_create(participants, batch_size=5000)
    TraineeGroup.objects.bulk_create(groups, batch_size=5000)


def main() -> None:
    call_command("demo", reset=True, stdout=io.StringIO())
    manager = User.objects.get(email="manager@demo.twinning")
    programme = Programme.objects.filter(staff_roles__user=manager).first()
    assert programme is not None
    partnership = Partnership.objects.filter(programme=programme, exchanges__isnull=False).first()
    assert partnership is not None
    web = Client()
    web.force_login(manager)
    _token, raw = api_token_create(actor=manager, user=manager, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    urls = {
        "programme_summary": (web, f"/exchanges/programme/{programme.uuid}/summary/"),
        "partnership_summary": (web, f"/exchanges/{partnership.uuid}/summary/"),
        "summary_api": (api, f"/api/v1/exchanges/summary?programme={programme.uuid}"),
    }

    def queries(name: str) -> int:
        client, url = urls[name]
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    queries("summary_api")  # warm-up: the token's first use is stamped
    small = {name: queries(name) for name in urls}
    grow(programme, EXCHANGES)
    big = {name: queries(name) for name in urls}
    assert by_app(programme) == by_sql(programme.pk), "the summary disagrees with the hand-written SQL"
    baseline = median_seconds(lambda: by_sql(programme.pk))
    out: dict = {
        "benchmark": "exchanges",
        "database": connection.vendor,
        "exchanges": Exchange.objects.count(),
        "participants": Participant.objects.count(),
        "trainee_groups": TraineeGroup.objects.count(),
        "queries_small_vs_big": {name: [small[name], big[name]] for name in urls},
    }
    # The partnership page is checked for a constant query count only: the baseline SQL is programme-wide.
    for name in ("programme_summary", "summary_api"):
        client, url = urls[name]
        seconds = median_seconds(functools.partial(client.get, url))
        out[name] = {
            "seconds": round(seconds, 4),
            "baseline_sql_seconds": round(baseline, 4),
            "ratio_to_sql": round(seconds / baseline, 2) if baseline else None,
            "queries": big[name],
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
