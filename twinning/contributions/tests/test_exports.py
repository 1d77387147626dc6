"""Leverage and disclosure tables: the page, its CSV and its XLSX show the same numbers, scoped like the page."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.contributions.tests.factories import (
    AllocationFactory,
    AwardFactory,
    GiftFactory,
    TimeEntryFactory,
)
from twinning.contributions.tests.test_views import ledger, verified_gift
from twinning.testing.exports import downloads_agree

pytestmark = pytest.mark.django_db


def test_every_leverage_table_downloads_with_the_pages_numbers(client, world):
    ledger(world, 2)
    GiftFactory(partnership=world.partnership, fair_value=Decimal("999"), currency="EUR")  # no rate
    client.force_login(world.finance)
    url = reverse("contributions:leverage", args=[world.programme.uuid]) + "?basis=fair_value"

    for key in ("basis", "years", "countries", "unconverted"):
        downloads_agree(client, url, key)
    partnerships = downloads_agree(client, url, "partnerships")
    assert partnerships[0][2] == "Donor funds (USD)"  # every money column names its currency
    assert all(row[1] == "Uganda" for row in partnerships[1:])  # the country's name, not "UG"


def test_partnership_leverage_downloads_for_its_members_only(client, world):
    award = AwardFactory(programme=world.programme)
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("100000"))
    verified_gift(world, fair_value=Decimal("70000"))
    client.force_login(world.partnership_viewer)
    url = reverse("contributions:partnership_leverage", args=[world.partnership.uuid])

    years = downloads_agree(client, url, "years")
    assert years[1][-1] == "0.7"
    client.force_login(world.outsider)
    assert client.get(url, {"format": "csv", "table": "years"}).status_code == 404


def test_disclosure_downloads_agree_with_the_page_and_total(client, world):
    verified_gift(world, fair_value=Decimal("1200.50"), category="supplies", description="=2+3")
    GiftFactory(partnership=world.partnership, fair_value=Decimal("300"), category="supplies")
    GiftFactory(partnership=world.partnership, fair_value=Decimal("999"), currency="EUR")  # no rate
    client.force_login(world.programme_viewer)
    url = reverse("contributions:disclosure", args=[world.programme.uuid])

    gifts = downloads_agree(client, url, "gifts")
    assert gifts[-1][3:] == ["3", "300.00", "0.00", "1,200.50"]
    assert gifts[0][4:] == ["Pledged (USD)", "Received, not verified (USD)", "Verified (USD)"]
    unconverted = downloads_agree(client, url, "unconverted")
    assert unconverted[1] == ["Equipment", "EUR", "999.00", "1"]  # money with its currency's cents
    client.force_login(world.coordinator)
    assert client.get(url, {"format": "xlsx", "table": "gifts"}).status_code == 404


def test_leverage_download_query_count_does_not_grow_with_the_ledger(client, world):
    ledger(world, 2)
    client.force_login(world.manager)
    url = reverse("contributions:leverage", args=[world.programme.uuid])
    query = {"basis": "fair_value", "format": "csv", "table": "partnerships"}
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, query).status_code == 200
    ledger(world, 5)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, query).status_code == 200
    assert len(many) == len(few)


def test_time_is_received_in_every_word_of_the_form(client, world):
    client.force_login(world.member)
    page = client.get(reverse("contributions:time_add", args=[world.partnership.uuid])).content.decode()
    assert ">Received<" in page and "Time volunteered" in page
    assert "Given" not in page and "given)" not in page and "Time given" not in page


def test_ledger_tables_download_with_the_pages_values_and_currencies(client, world):
    ledger(world, 0)
    verified_gift(world, fair_value=Decimal("1200.50"), description="@SUM(1)")
    GiftFactory(partnership=world.partnership, fair_value=Decimal("999"), currency="EUR")  # no rate
    TimeEntryFactory(partnership=world.partnership)
    client.force_login(world.finance)
    url = reverse("contributions:ledger", args=[world.partnership.uuid])

    gifts = downloads_agree(client, f"{url}?show=gifts", "gifts")
    assert "Value (USD)" in gifts[0] and any(row[1] == "@SUM(1)" for row in gifts)
    time = downloads_agree(client, f"{url}?show=time", "time")
    assert [h for h in time[0] if h.endswith("(USD)")] == [
        "Generic volunteer-hour rate (USD)",
        "Fair value by profession and country (USD)",
        "Local rate (USD)",
    ]
    assert "Verify" in client.get(url, {"show": "time"}).content.decode()  # the page's action, not a column
    client.force_login(world.outsider)
    assert client.get(url, {"show": "time", "format": "csv", "table": "time"}).status_code == 404


def test_awards_download_with_their_currencies(client, world):
    award = AwardFactory(programme=world.programme, amount=Decimal("250000"), currency="EUR")
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("1000.5"))
    client.force_login(world.finance)
    url = reverse("contributions:awards", args=[world.programme.uuid])

    rows = downloads_agree(client, url, "awards")
    assert rows[1][4:] == ["250,000.00", "1,000.50", "EUR", "1"]  # issue 15: never "1,000.5"
    client.force_login(world.member)
    assert client.get(url, {"format": "csv"}).status_code == 404
