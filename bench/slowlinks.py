"""Slow-link benchmark: the results entry page in Chromium throttled to 256 kbit/s and 400 ms round trip, served as
production serves it (DEBUG off, gunicorn, static files collected with hashed names and compressed by WhiteNoise).

Run by bench/run.py (or alone: `make bench BENCH=slowlinks`); prints one JSON object. Steps: load the default demo,
collect the static files with the production settings into a temporary folder, start gunicorn with them, sign the
demo's member in, then open the entry page of their partnership's latest period twice in Debian's Chromium: first
with nothing cached, then again as a returning visitor. For each visit it reports when the page became usable
(DOMContentLoaded: the deferred scripts have run, a row saves), when it finished loading, and the bytes the browser
received; and the page's weight as twinning/testing/weight.py computes it for the tests. Goal (issue "Field
conditions"): usable within 5 s on a first visit; at most 60 KB first, under 15 KB repeat.
"""

import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from bench.load import free_port, wait_until_up  # noqa: E402
from twinning.accounts.models import PartnershipMembership, User  # noqa: E402
from twinning.monitoring.models import PeriodReport  # noqa: E402
from twinning.testing.weight import Weigher  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SLOW_LINK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 256 * 1000 / 8,
    "uploadThroughput": 256 * 1000 / 8,
}
MEMBER = "member@demo.twinning"
# The entry page needs none of Django's admin or the API's Swagger UI; compressing those takes a minute.
COLLECT_IGNORE = ["admin", "ninja", "ext", "htmx-4*", "htmax-4*", "htmx-2.js", "django-htmx.js"]


def visit(page, cdp, url: str) -> dict:
    received: list[float] = []
    cdp.on("Network.loadingFinished", lambda event: received.append(event["encodedDataLength"]))
    page.goto(url, wait_until="load")
    timing = page.evaluate(
        """() => { const n = performance.getEntriesByType("navigation")[0];
        return {usable: n.domContentLoadedEventEnd, loaded: n.loadEventEnd}; }"""
    )
    page.wait_for_timeout(500)  # the last loadingFinished events
    return {
        "usable_seconds": round(timing["usable"] / 1000, 2),
        "loaded_seconds": round(timing["loaded"] / 1000, 2),
        "bytes_received": int(sum(received)),
        "requests": len(received),
    }


def main() -> None:
    call_command("demo", stdout=io.StringIO())
    member = User.objects.get(email=MEMBER)
    partnership = PartnershipMembership.objects.filter(user=member).order_by("pk")[0].partnership
    period = PeriodReport.objects.filter(partnership=partnership).order_by("-period")[0].period
    path = f"/monitoring/{partnership.uuid}/{period}/"
    client = Client()
    client.force_login(member)  # a database session the server accepts as well
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    weight = Weigher(client.get).weigh(path, client.get(path).content)
    connection.close()

    with tempfile.TemporaryDirectory() as var_dir:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "twinning.settings",
            "DEBUG": "false",
            "HTTPS": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TWINNING_VAR_DIR": var_dir,
            "PYTHONPATH": str(ROOT),
        }
        ignore = [arg for pattern in COLLECT_IGNORE for arg in ("-i", pattern)]
        subprocess.run(
            [sys.executable, "-m", "twinning.cli", "collectstatic", "--noinput", "-v", "0", *ignore],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "twinning.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            env=env,
            cwd=ROOT,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(base, server)
            with sync_playwright() as p:
                browser = p.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
                )
                # No service worker: signed-in pages register one, and it would serve the page and the app shell
                # from its own caches, unthrottled and not counted (the first figures here read 0.19 s and 0 bytes).
                # The repeat visit is the browser's HTTP cache of the hashed static files.
                context = browser.new_context(service_workers="block")
                context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": base}])
                page = context.new_page()
                page.goto(base + path)  # warm the server (templates, connections), not timed
                cdp = context.new_cdp_session(page)
                cdp.send("Network.enable")
                cdp.send("Network.clearBrowserCache")
                cdp.send("Network.emulateNetworkConditions", SLOW_LINK)
                started = time.perf_counter()
                first = visit(page, cdp, base + path)
                repeat = visit(page, cdp, base + path)
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(
        json.dumps(
            {
                "benchmark": "slowlinks",
                "database": connection.vendor,
                "page": "results entry " + period,
                "link": "256 kbit/s, 400 ms round trip",
                "first_visit": first,
                "repeat_visit": repeat,
                "weight_first_load_bytes": weight.first_load,
                "weight_repeat_visit_bytes": weight.repeat_visit,
                "budget": {
                    "usable_seconds": 5,
                    "first_load_bytes": 60 * 1024,
                    "repeat_visit_bytes": 15 * 1024,
                },
                "browser_seconds": round(time.perf_counter() - started, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
