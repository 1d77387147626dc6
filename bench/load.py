"""Load benchmark: gunicorn with several workers on PostgreSQL, many concurrent clients, percentiles per page.

Run by bench/run.py on PostgreSQL only (SQLite serialises writers and is not the production database); prints one
JSON object. Steps: load the demo at `BENCH_LOAD_SCALE` (default `huge`, ten times the large profile), start
gunicorn (`BENCH_LOAD_WORKERS`, default 4) on a free local port, then for each page and each client count
(`BENCH_LOAD_CLIENTS`, default "16,64") run that many client threads for `BENCH_LOAD_SECONDS` (default 20) seconds of
closed-loop requests (each client sends its next request as soon as the last one answered) as the programme
manager, and report requests per second, p50/p95/p99 in milliseconds and the error count.

Goal (issue "Hardening"): p95 at most 300 ms at 16 clients on every page. The client runs on the same two cores
as the server, so the figures are conservative; compare runs made on the same machine.
"""

import http.client
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from twinning.accounts.models import User  # noqa: E402
from twinning.accounts.services import api_token_create  # noqa: E402
from twinning.partnerships.models import Partnership  # noqa: E402
from twinning.planning.models import Plan  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCALE = os.environ.get("BENCH_LOAD_SCALE", "huge")
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "4"))
CLIENTS = [int(n) for n in os.environ.get("BENCH_LOAD_CLIENTS", "16,64").split(",")]
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "20"))
# Production runs its cache (roll-ups, My work counts, rate limits, sessions) in Redis: so does the benchmark when
# the local Redis answers (its database 15, emptied first); BENCH_LOAD_REDIS_URL="" measures the database cache.
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/15")
FLAGSHIP_LOGIN = "host-coordinator@demo.twinning"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pages(manager: User) -> dict[str, str]:
    """One address of each kind the issue names. The partnership is the demo logins' flagship: its plan and
    reports went through the services, so its page and plan page show a history like a real one's."""
    partnership = (
        Partnership.objects.visible_to(manager)
        .filter(memberships__user__email=FLAGSHIP_LOGIN, pk__in=Plan.objects.values("partnership_id"))
        .first()
    )
    assert partnership is not None, "the demo has no flagship partnership with a plan"
    programme = partnership.programme
    return {
        "partnership list": "/partnerships/",
        "partnership page": f"/partnerships/{partnership.uuid}/",
        "plan page": f"/planning/{partnership.uuid}/",
        "programme dashboard": f"/monitoring/programmes/{programme.uuid}/",
        "API list": "/api/v1/partnerships?limit=50",
    }


def wait_until_up(base: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            return
        except Exception:  # not listening yet
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def run_clients(port: int, path: str, clients: int, headers: dict[str, str]) -> dict:
    """`clients` threads, each with its own keep-alive connection, request `path` in a closed loop for SECONDS.

    Timed on the client: from sending the request to reading the whole body. Anything but 200 is an error,
    counted by status ("connection" when no answer came).
    """
    stop_at = time.monotonic() + SECONDS
    latencies: list[float] = []
    failures: dict[str, int] = {}
    lock = threading.Lock()

    def one_client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed: list[str] = []
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    failed.append(str(response.status))
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                failed.append("connection")
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            for status in failed:
                failures[status] = failures.get(status, 0) + 1

    began = time.monotonic()
    threads = [threading.Thread(target=one_client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    return {
        "clients": clients,
        "requests": len(latencies),
        "errors": sum(failures.values()),
        "errors_by_status": failures,
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000),
        "p95_ms": round(cuts[94] * 1000),
        "p99_ms": round(cuts[98] * 1000),
    }


def _redis_if_answering(url: str) -> str:
    """`url`, its database emptied, when a Redis server answers there; "" otherwise (the database cache is used)."""
    if not url:
        return ""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).flushdb()
    except redis.RedisError:
        return ""
    return url


def main() -> None:
    started = time.perf_counter()
    if not os.environ.get("BENCH_LOAD_REUSE"):  # set it to measure again on the data of the last run
        call_command("demo", scale=SCALE, reset=True, stdout=io.StringIO())
        # A live database has been vacuumed and analysed since its rows were written: planner statistics, the
        # visibility map and hint bits set. Right after a bulk load it has none, and the first minutes of reading
        # pay for writing them (the partnership list answered 34.6 req/s on a fresh load against 62 afterwards).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    load_seconds = time.perf_counter() - started

    manager = User.objects.get(email="manager@demo.twinning")
    client = Client()
    client.force_login(manager)  # a database session that gunicorn's workers accept as well
    session_cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _token, raw_token = api_token_create(actor=manager, user=manager, name="load bench")
    targets = pages(manager)
    partnerships = Partnership.objects.count()
    connection.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cache = _redis_if_answering(REDIS_URL)
    env = {
        **os.environ,
        **({"REDIS_URL": cache} if cache else {}),
        "ALLOWED_HOSTS": "127.0.0.1",
        "PYTHONPATH": str(ROOT),
        # Every client is one address and one token here: limits far above what they send, so the figures are
        # the pages' (the limiter still counts every call, as in production); 429s would show as errors.
        "API_RATE_PER_ADDRESS": "10000000/min",
        "API_RATE_PER_TOKEN": "10000000/min",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "twinning.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    results = []
    try:
        wait_until_up(base, server)
        for name, path in targets.items():
            headers = (
                {"Authorization": f"Bearer {raw_token}"}
                if path.startswith("/api/")
                else {"Cookie": session_cookie}
            )
            run_clients(
                port, path, 2, headers
            )  # warm every worker's caches (templates, content types, connections)
            for clients in CLIENTS:
                results.append({"page": name, "path": path, **run_clients(port, path, clients, headers)})
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        json.dumps(
            {
                "benchmark": "load",
                "database": connection.vendor,
                "scale": SCALE,
                "cache": "redis" if cache else "database",
                "partnerships": partnerships,
                "gunicorn_workers": WORKERS,
                "seconds_per_run": SECONDS,
                "demo_load_seconds": round(load_seconds, 1),
                "runs": results,
            }
        )
    )


if __name__ == "__main__":
    if connection.vendor != "postgresql":
        print(json.dumps({"benchmark": "load", "database": connection.vendor, "skipped": "PostgreSQL only"}))
    else:
        main()
