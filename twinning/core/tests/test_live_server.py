"""The browser tests' live server answers requests that arrive together (twinning.testing.live_server)."""

import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from twinning.partnerships.models import Partnership
from twinning.testing.factories import PartnershipFactory, partnership_member


def _status(url: str, cookie: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        return response.status


@pytest.mark.django_db(transaction=True)
def test_requests_at_once_and_the_tests_own_queries_all_succeed(live_server):
    # A page and the service worker's background fetches arrive together, while the test reads: on SQLite all meet
    # in one in-memory database, which once answered "bad parameter or other API misuse" and a 500.
    partnership = PartnershipFactory()
    coordinator = partnership_member(partnership, email="host@example.org")
    client = Client()
    client.force_login(coordinator)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    pages = [
        f"{live_server.url}/sustainability/{partnership.uuid}/transition/",
        f"{live_server.url}/partnerships/{partnership.uuid}/",
        f"{live_server.url}/my-work/",
    ]
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = [pool.submit(_status, pages[n % len(pages)], cookie) for n in range(60)]
        counts = [Partnership.objects.count() for _ in range(200)]
    assert [answer.result() for answer in answers] == [200] * 60
    assert counts == [1] * 200
    if connection.vendor == "sqlite":
        assert connection.is_in_memory_db()
