"""Slow links: every page stays within 60 KB on a first visit and under 15 KB on a repeat visit, compressed, counting
the HTML and everything it makes the browser download. The role matrix (twinning/core/tests/test_role_matrix.py)
weighs each of its pages and the every-page walk (twinning/demo/tests/test_every_page_renders.py) each page with the
demo's data; this module tests the weighing (twinning/testing/weight.py) and what it assumes of production."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from twinning.testing.weight import FIRST_LOAD_BUDGET, PageWeight, Weigher, install_icon, static_sent_bytes

pytestmark = pytest.mark.django_db


def test_the_weigher_follows_stylesheets_and_counts_what_a_repeat_visit_fetches(client, world):
    client.force_login(world.admin)
    html = (
        b'<link rel="stylesheet" href="/static/twinning/site.css">'
        b'<link rel="canonical" href="/elsewhere/">'  # a link, not a download
        b'<link rel="apple-touch-icon" href="/static/twinning/touch.png">'  # read only on adding to a home screen
        b'<script src="/static/django_htmx/htmx-2.min.js" defer></script>'
        b'<script src="/i18n/js/"></script>'  # a view: fetched again on every visit
        b'<img src="/static/twinning/favicon.svg" srcset="/static/twinning/favicon.svg 1x">'
        b'<div style="background: url(/static/twinning/favicon.ico)"></div>'
        b'<script src="https://cdn.example.org/lib.js"></script>'
        b'<img src="/static/twinning/nothing-here.png">'
        b'<link rel="icon" href="/favicon.ico">'  # a redirect to the static icon: followed
    )
    weight = Weigher(client.get).weigh("/page/", html)
    urls = {r.url: r for r in weight.resources}
    assert set(urls) == {
        "/static/twinning/site.css",
        "/static/django_htmx/htmx-2.min.js",
        "/i18n/js/",
        "/static/twinning/favicon.svg",
        "/static/twinning/favicon.ico",
    }
    assert weight.foreign == ["https://cdn.example.org/lib.js"]
    assert weight.missing == ["/static/twinning/nothing-here.png"]
    assert [r.url for r in weight.resources if not r.cached] == ["/i18n/js/"]
    htmx = urls["/static/django_htmx/htmx-2.min.js"]
    assert htmx.sent < htmx.raw / 2  # served gzipped
    assert weight.first_load == weight.html_sent + sum(r.sent for r in weight.resources)
    assert weight.repeat_visit == weight.html_sent + urls["/i18n/js/"].sent
    assert weight.problems() == [
        "/page/: loads https://cdn.example.org/lib.js from another host",
        "/page/: /static/twinning/nothing-here.png is not found",
    ]


def test_a_stylesheets_own_references_are_weighed(client, tmp_path, settings):
    (tmp_path / "weigh").mkdir()
    (tmp_path / "weigh" / "a.css").write_text('@import "b.css"; body { background: url("dot.png") }')
    (tmp_path / "weigh" / "b.css").write_text("h1 { background: url(data:image/png;base64,AAAA) }")
    (tmp_path / "weigh" / "dot.png").write_bytes(b"\x89PNG" + bytes(range(256)) * 300)
    settings.STATICFILES_DIRS = [tmp_path]
    weight = Weigher(client.get).weigh("/page/", b'<link rel="stylesheet" href="/static/weigh/a.css">')
    sent = {r.url: r.sent for r in weight.resources}
    assert set(sent) == {"/static/weigh/a.css", "/static/weigh/b.css", "/static/weigh/dot.png"}
    assert sent["/static/weigh/dot.png"] == 4 + 256 * 300  # images are served as they are


def test_a_manifest_counts_the_one_icon_a_browser_fetches_before_installing(client, tmp_path, settings):
    icons = [
        {"src": "/static/i/512.png", "sizes": "512x512"},
        {"src": "/static/i/192.png", "sizes": "192x192"},
        {"src": "/static/i/96.png", "sizes": "96x96"},
    ]
    assert install_icon(icons) == "/static/i/192.png"
    assert install_icon(icons[2:]) == "/static/i/96.png"
    assert install_icon([*icons, {"src": "/static/i/logo.svg", "sizes": "any"}]) == "/static/i/logo.svg"
    assert install_icon([]) is None
    (tmp_path / "i").mkdir()
    (tmp_path / "i" / "192.png").write_bytes(b"\x89PNG" * 100)
    (tmp_path / "i" / "app.webmanifest").write_text('{"icons": [{"src": "192.png", "sizes": "192x192"}]}')
    settings.STATICFILES_DIRS = [tmp_path]
    weight = Weigher(client.get).weigh("/", b'<link rel="manifest" href="/static/i/app.webmanifest">')
    assert [(r.url, r.kind) for r in weight.resources] == [
        ("/static/i/app.webmanifest", "manifest"),
        ("/static/i/192.png", "image"),
    ]


def test_a_page_over_budget_is_reported(client):
    weight = PageWeight(url="/heavy/", html_raw=200_000, html_sent=FIRST_LOAD_BUDGET + 1)
    assert [problem.split(":")[0] for problem in weight.problems()] == ["/heavy/", "/heavy/"]


def test_compressing_is_skipped_where_whitenoise_skips_it():
    text = b"body { color: black }\n" * 100
    assert static_sent_bytes("a.css", text) < len(text) / 10
    assert static_sent_bytes("a.woff2", text) == len(text)
    noise = bytes(range(256))
    assert static_sent_bytes("a.js", noise) == len(noise)  # gzip would not save 5 %: served as it is


COLLECT_IGNORE = ["admin", "ninja", "ext", "htmx-4*", "htmax-4*", "htmx-2.js", "django-htmx.js"]


def test_production_serves_static_files_under_hashed_names_cached_for_good(tmp_path):
    """The repeat-visit budget counts no static file because production names each by its content's hash and
    WhiteNoise tells browsers to keep it for ten years; this runs collectstatic with the production settings and asks
    the production app for a page and its stylesheet."""
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "false",
        "TWINNING_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "twinning.settings",
        "PATH": "/usr/bin:/bin",
    }
    script = (
        "import django, re; django.setup()\n"
        "from django.core.management import call_command\n"
        # The files the sign-in page uses (Django's admin, the API's Swagger UI and htmx's other builds are left out:
        # compressing them all takes a minute).
        f"call_command('collectstatic', interactive=False, verbosity=0, ignore_patterns={COLLECT_IGNORE!r})\n"
        "from django.test import Client\n"
        "client = Client()\n"
        f"html = client.get({reverse('login')!r}).content.decode()\n"
        "css = re.search(r'href=\"(/static/twinning/site\\.[0-9a-f]{12}\\.css)\"', html).group(1)\n"
        "plain = client.get(css)\n"
        "zipped = client.get(css, headers={'accept-encoding': 'gzip'})\n"
        "print(css, plain['Cache-Control'], zipped['Content-Encoding'], sep='|')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[3],
    )
    assert result.returncode == 0, result.stderr
    css, cache_control, encoding = result.stdout.strip().splitlines()[-1].split("|")
    assert css.startswith("/static/twinning/site.")
    assert cache_control == "max-age=315360000, public, immutable"
    assert encoding == "gzip"
