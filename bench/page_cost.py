"""What one request to each page of the load benchmark costs: wall and CPU time, queries and Python function calls.

Not part of `make bench`: run it on a database that already holds a demo (the load benchmark's, or one loaded with
`twinning demo --scale large`), with the settings the benchmarks use (DEBUG off):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME [REDIS_URL=redis://127.0.0.1:6379/N] \\
        .venv/bin/python bench/page_cost.py [page name fragments...]

For each page of `bench/load.py` (as the programme manager, through the Django test client, after
`BENCH_PAGE_WARMUP` (3) requests): the median wall and CPU (process) time of `BENCH_PAGE_ROUNDS` (20) requests in
milliseconds, the queries of one request, and the Python function calls of one request (cProfile). The calls do not
change with the machine's load: on these shared two-core machines they are the steadier figure for comparing two
versions of the code; time them interleaved (one version, then the other, then again). Prints one JSON object.
"""

import cProfile
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.load import pages  # noqa: E402
from twinning.accounts.models import User  # noqa: E402
from twinning.accounts.services import api_token_create  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_PAGE_ROUNDS", "20"))
WARMUP = int(os.environ.get("BENCH_PAGE_WARMUP", "3"))


def cost(get: Callable[[], Any]) -> dict[str, Any]:
    """One page's figures; `get` sends the request and returns the response (AssertionError unless 200)."""
    for _ in range(WARMUP):
        assert get().status_code == 200
    queries: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = get()
    profile = cProfile.Profile()
    profile.runcall(get)
    walls, cpus = [], []
    for _ in range(ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        get()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "wall_ms": round(statistics.median(walls) * 1000, 1),
        "cpu_ms": round(statistics.median(cpus) * 1000, 1),
        "queries": len(queries),
        "function_calls": pstats.Stats(profile).total_calls,  # type: ignore[attr-defined]  # set, not in the stubs
        "bytes": len(response.content),
    }


def main(only: list[str]) -> None:
    manager = User.objects.get(email="manager@demo.twinning")
    client = Client()
    client.force_login(manager)
    _token, raw_token = api_token_create(actor=manager, user=manager, name="page cost")
    results = {}
    for name, path in pages(manager).items():
        if only and not any(fragment in name for fragment in only):
            continue
        headers = {"Authorization": f"Bearer {raw_token}"} if path.startswith("/api/") else {}

        def get(path: str = path, headers: dict[str, str] = headers) -> Any:
            return client.get(path, headers=headers)

        results[name] = {"path": path, **cost(get)}
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[:3]
    print(
        json.dumps(
            {"benchmark": "page_cost", "database": connection.vendor, "loadavg": load, "pages": results}
        )
    )


if __name__ == "__main__":
    main(sys.argv[1:])
