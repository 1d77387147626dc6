"""Fixtures shared by the whole suite: a partnership and one user for every role around it."""

import importlib
import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test.testcases import LiveServerThread
from django.utils import translation
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from twinning.accounts.models import PartnershipMembership, ProgrammeRole, User
from twinning.partnerships.models import Partnership, Programme
from twinning.testing.factories import (
    PartnershipFactory,
    ProgrammeFactory,
    UserFactory,
    partnership_member,
    programme_staff,
)
from twinning.testing.live_server import OneRequestAtATimeOnSQLiteServer

# Browser expectations wait up to 15 s instead of Playwright's 5: CI runs the suite with two workers on two cores, and
# there a page that fetches its 16 kept forms in the background once took longer than 5 s. A failing expectation only
# fails later; nothing passes that would fail with the shorter wait.
expect.set_options(timeout=15_000)

# pytest-django builds its live server from Django's LiveServerThread: on the in-memory SQLite database, its server
# takes one request at a time (see twinning.testing.live_server).
LiveServerThread.server_class = OneRequestAtATimeOnSQLiteServer


@pytest.fixture(autouse=True)
def _site_language() -> None:
    # Each test starts in the site's language: a request that chose another (the chooser, Accept-Language, a
    # profile's language) leaves it active in this thread, and a lazy message read later would follow it.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # Rate-limit counts live in the cache, which outlives a test: each test starts with none.
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request: pytest.FixtureRequest) -> None:
    # A transactional test ends with a flush, which empties the tables the data migrations seed (languages, health
    # areas, the shipped assessment instruments), and every later test on that worker would then miss them: put
    # them back whenever they are missing, so that each test sees the database `migrate` leaves. Inside a
    # non-transactional test the seeding is rolled back with the test.
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    put_back_reference_data()


def put_back_reference_data() -> None:
    """Seed what the data migrations seed (languages, health areas, the shipped instruments) when it is missing."""
    from django.apps import apps

    from twinning.directory.models import HealthArea, Language
    from twinning.directory.taxonomy import seed_languages_and_health_areas
    from twinning.sustainability.models import Instrument

    if not (Language.objects.exists() and HealthArea.objects.exists()):
        seed_languages_and_health_areas(Language, HealthArea)
    if not Instrument.objects.filter(programme__isnull=True).exists():
        shipped = importlib.import_module("twinning.sustainability.migrations.0002_shipped_instruments")
        shipped.load(apps, None)


@dataclass
class World:
    """One programme with a partnership, another programme's partnership, and a user per role."""

    programme: Programme
    partnership: Partnership
    other_partnership: Partnership
    admin: User
    manager: User
    me_officer: User
    finance: User
    programme_viewer: User
    coordinator: User
    resource_coordinator: User
    member: User
    partnership_viewer: User
    outsider: User
    other_coordinator: User


@pytest.fixture
def world(db) -> World:
    programme = ProgrammeFactory()
    partnership = PartnershipFactory(programme=programme)
    other_partnership = PartnershipFactory(programme=ProgrammeFactory())
    return World(
        programme=programme,
        partnership=partnership,
        other_partnership=other_partnership,
        admin=UserFactory(email="admin@example.org", is_superuser=True, is_staff=True),
        manager=programme_staff(programme, ProgrammeRole.Role.MANAGER, email="manager@example.org"),
        me_officer=programme_staff(programme, ProgrammeRole.Role.ME_OFFICER, email="me@example.org"),
        finance=programme_staff(programme, ProgrammeRole.Role.FINANCE_OFFICER, email="finance@example.org"),
        programme_viewer=programme_staff(programme, ProgrammeRole.Role.VIEWER, email="viewer@example.org"),
        coordinator=partnership_member(partnership, email="coordinator@example.org"),
        resource_coordinator=partnership_member(
            partnership, side="resource", email="resource-coordinator@example.org"
        ),
        member=partnership_member(partnership, PartnershipMembership.Role.MEMBER, email="member@example.org"),
        partnership_viewer=partnership_member(
            partnership, PartnershipMembership.Role.VIEWER, email="pviewer@example.org"
        ),
        outsider=UserFactory(email="outsider@example.org"),
        other_coordinator=partnership_member(other_partnership, email="other@example.org"),
    )


# --- browser tests -------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Debian's Chromium, never a downloaded one. A missing browser must fail the browser tests, not skip them.
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install it (apt-get install chromium) or set CHROMIUM_PATH."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


@pytest.fixture
def page(page):
    """The browser page of every browser test, failing the test if the page broke its Content-Security-Policy
    (Chromium reports each refused script, style or resource as a console error)."""
    violations: list[str] = []

    def listen(message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", listen)
    yield page
    assert not violations, "The page broke its Content-Security-Policy:\n" + "\n".join(violations)


@dataclass
class EntryPage:
    """The results entry page of `world`'s partnership for 2024Q1, open for its member and kept for offline use."""

    monitored: (
        Any  # what twinning.monitoring.tests.factories.monitored made: plan indicators such as `trained`
    )
    trained: Any  # the Locator of the "trained" indicator's total row
    url: str


@pytest.fixture
def entry_page(page, live_server, world) -> EntryPage:
    """The set-up every offline browser test of the entry page starts from: a monitored plan, the member signed
    in, and the entry page opened once the service worker controls the site (so it keeps the page)."""
    from twinning.monitoring.tests.factories import monitored
    from twinning.monitoring.tests.test_browser_offline import open_kept
    from twinning.partnerships.tests.test_browser import sign_in

    made = monitored(world)
    url = f"{live_server.url}/monitoring/{world.partnership.uuid}/2024Q1/"
    sign_in(page, live_server, world.member.email)
    open_kept(page, url)
    return EntryPage(monitored=made, trained=page.locator(f"#row-{made.trained.uuid}-total"), url=url)
