"""The programme dashboard's tables, their CSV and XLSX downloads, and the dashboard's own fixes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from twinning.core.charts import AMBER
from twinning.monitoring import services
from twinning.monitoring.tests.factories import monitored
from twinning.testing.exports import csv_rows, downloads_agree

pytestmark = pytest.mark.django_db


def _results(world, m, quarters=("2024Q1", "2024Q2")):
    for i, quarter in enumerate(quarters, start=1):
        services.result_save(
            actor=world.member, plan_indicator=m.trained, period=quarter, values={"value": str(11 * i + 1)}
        )
        services.result_save(
            actor=world.member,
            plan_indicator=m.deaths,
            period=quarter,
            values={"numerator": "2", "denominator": "3"},
        )


def _url(world, query="from=2024&to=2025"):
    return f"/monitoring/programmes/{world.programme.uuid}/?{query}"


def test_every_programme_table_downloads_with_the_pages_numbers(client, world):
    m = monitored(world)
    _results(world, m)
    client.force_login(world.manager)

    periods = downloads_agree(client, _url(world), "hw1-periods")
    assert periods[0] == ["Period", "Programme", "Partnerships reporting", "Their target"]
    assert periods[1] == ["Q1 2024", "12", "1", "10"]
    deaths = downloads_agree(client, _url(world), "mda-periods")
    assert deaths[1][1] == "66.7%"
    countries = downloads_agree(client, _url(world), "hw1-countries")
    assert countries[1][0] == "Uganda"  # the name, never the code "UG"
    downloads_agree(client, _url(world), "hw1-pillars")


def test_a_formula_in_user_text_stays_text_in_both_downloads(client, world):
    m = monitored(world)
    services.result_save(
        actor=world.member, plan_indicator=m.story, period="2024", values={"text": "=HYPERLINK(1)"}
    )
    client.force_login(world.manager)

    rows = downloads_agree(client, _url(world), "not-combinable")
    assert rows[1][3] == "=HYPERLINK(1)"
    raw = csv_rows(client.get(_url(world, "from=2024&to=2024&format=csv&table=not-combinable")).content)
    assert raw[1][3] == "'=HYPERLINK(1)"


def test_downloads_are_scoped_like_the_page(client, world):
    monitored(world)
    client.force_login(world.coordinator)  # not programme staff: the page is 404 for them
    for query in ("format=csv", "format=xlsx&table=hw1-periods"):
        assert client.get(_url(world, query)).status_code == 404
    client.force_login(world.manager)
    assert client.get(_url(world, "format=csv&table=no-such-table")).status_code == 404


def test_download_query_count_does_not_grow_with_rows(client, world):
    m = monitored(world)
    _results(world, m, quarters=("2024Q1",))
    client.force_login(world.manager)

    def count(kind):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(_url(world, f"from=2024&to=2025&format={kind}&table=hw1-countries")).status_code
                == 200
            )
        return len(queries)

    small = {kind: count(kind) for kind in ("csv", "xlsx")}
    _results(world, m, quarters=("2024Q2", "2024Q3", "2024Q4", "2025Q1"))
    assert {kind: count(kind) for kind in ("csv", "xlsx")} == small


def test_the_period_range_shows_every_year_between_from_and_to(client, world):
    m = monitored(world)
    _results(world, m, quarters=("2024Q4", "2025Q1"))
    client.force_login(world.manager)

    both = downloads_agree(client, _url(world, "from=2024&to=2025"), "hw1-periods")
    assert [row[0] for row in both[1:]] == ["Q4 2024", "Q1 2025"]
    one = downloads_agree(client, _url(world, "year=2025"), "hw1-periods")
    assert [row[0] for row in one[1:]] == ["Q1 2025"]
    page = client.get(_url(world, "from=2025&to=2024")).content.decode()  # backwards is read forwards
    assert "Q4 2024" in page and "Q1 2025" in page and "2024Q4" not in page


def test_the_chart_draws_the_target_its_legend_names(client, world):
    m = monitored(world)
    _results(world, m)
    client.force_login(world.manager)

    page = client.get(_url(world)).content.decode()
    chart = re.search(r'<section class="card" id="indicator-HW1">.*?</svg>', page, re.S).group(0)
    assert "Their target" in chart and f'stroke="{AMBER}" stroke-width="2.5"><title>' in chart
    assert chart.count('class="tick"') >= 3  # a value axis with ticks, not only its two ends


def test_partnership_dashboard_tables_download_with_the_pages_numbers(client, world):
    m = monitored(world)
    _results(world, m)
    services.result_save(
        actor=world.member, plan_indicator=m.story, period="2024", values={"text": "@SUM(A1)"}
    )
    # A read-only insider: viewers would see only approved periods (monitoring/tests/test_readers.py).
    client.force_login(world.finance)
    url = f"/monitoring/{world.partnership.uuid}/"

    trained = downloads_agree(client, url, "hw1")
    assert trained[0] == ["Period", "Achieved", "Target", "To date", "Target to date", "Note"]
    assert trained[1][:5] == ["Q1 2024", "12", "10", "12", "10"]
    deaths = downloads_agree(client, url, "mda")
    assert deaths[1][1] == "66.7%"
    story = downloads_agree(client, url, "story")
    assert story[1][:2] == ["2024", "@SUM(A1)"]
    periods = downloads_agree(client, url, "periods")
    assert "Q1 2024" in [row[0] for row in periods]
    client.force_login(world.outsider)
    assert client.get(f"{url}?format=csv&table=hw1").status_code == 404


def test_the_page_lists_the_first_not_combinable_rows_and_the_download_holds_them_all(
    client, world, monkeypatch
):
    m = monitored(world)
    for period, text in (("2024", "Ward rounds now daily"), ("2025", "Handover checklist in use")):
        services.result_save(actor=world.member, plan_indicator=m.story, period=period, values={"text": text})
    monkeypatch.setattr("twinning.monitoring.views.NOT_COMBINABLE_SHOWN", 1)
    client.force_login(world.manager)

    page = client.get(_url(world)).content.decode()
    assert "Ward rounds now daily" in page and "Handover checklist in use" not in page
    assert "1 more row is in the downloads." in page
    rows = csv_rows(client.get(_url(world, "from=2024&to=2025&format=csv&table=not-combinable")).content)
    assert [row[3] for row in rows[1:]] == ["Ward rounds now daily", "Handover checklist in use"]
