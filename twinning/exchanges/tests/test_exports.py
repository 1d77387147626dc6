"""Exchange and training summaries: each table downloads with the page's numbers, scoped like the page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.exchanges.tests.test_summaries import build
from twinning.testing.exports import downloads_agree

pytestmark = pytest.mark.django_db


def test_partnership_summary_tables_download_with_the_pages_numbers(client, world):
    build(world, n=2)
    client.force_login(world.partnership_viewer)
    url = reverse("exchanges:summary", args=[world.partnership.uuid])

    directions = downloads_agree(client, url, "directions")
    assert directions[-1][0] == "Total" and directions[-1][-1] != "—"
    trained = downloads_agree(client, url, "trained")
    assert trained[-1][0] == "Total"
    client.force_login(world.outsider)
    assert client.get(url, {"format": "csv", "table": "trained"}).status_code == 404


def test_programme_summary_tables_download_for_programme_staff_only(client, world):
    build(world, n=1)
    client.force_login(world.finance)
    url = reverse("exchanges:programme_summary", args=[world.programme.uuid])

    rows = downloads_agree(client, url, "partnerships")
    assert rows[1][0] == world.partnership.title
    downloads_agree(client, url, "directions")
    client.force_login(world.member)
    assert client.get(url, {"format": "xlsx", "table": "partnerships"}).status_code == 404


def test_summary_download_query_count_does_not_grow_with_rows(client, world):
    build(world, n=1)
    client.force_login(world.manager)
    url = reverse("exchanges:programme_summary", args=[world.programme.uuid])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"format": "csv", "table": "trained"}).status_code == 200
    build(world, n=4)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"format": "csv", "table": "trained"}).status_code == 200
    assert len(many) == len(few)


def test_exchange_list_downloads_every_filtered_exchange_with_the_pages_numbers(client, world, settings):
    from twinning.exchanges.tests.factories import ExchangeFactory, ParticipantFactory

    settings.PAGE_SIZE = 2
    for _ in range(3):
        ParticipantFactory(exchange=ExchangeFactory(partnership=world.partnership))
    client.force_login(world.member)
    url = reverse("exchanges:list", args=[world.partnership.uuid])

    shown = client.get(url).context["page_obj"]
    from_csv = client.get(url, {"format": "csv"}).content.decode("utf-8-sig").strip().splitlines()
    assert len(from_csv) - 1 == shown.paginator.count == 3 > len(shown.object_list)
    settings.PAGE_SIZE = 25
    rows = downloads_agree(client, url, "exchanges")
    assert all(row[6] == "1" for row in rows[1:])
    client.force_login(world.outsider)
    assert client.get(url, {"format": "xlsx"}).status_code == 404
