"""The partnership and institution lists download every row their filters select, as the page writes them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from twinning.testing.exports import csv_rows, downloads_agree
from twinning.testing.factories import InstitutionFactory, PartnershipFactory

pytestmark = pytest.mark.django_db


def test_partnership_list_downloads_what_the_page_shows_with_country_names(client, world):
    PartnershipFactory(programme=world.programme, title="=HYPERLINK(evil)")
    client.force_login(world.manager)

    rows = downloads_agree(client, reverse("partnerships:list"), "partnerships")
    assert rows[0] == ["Partnership", "Stage", "Host side", "Resource side", "Programme"]
    assert any(row[0] == "=HYPERLINK(evil)" for row in rows)
    assert all("(Uganda)" in row[2] and "(United Kingdom)" in row[3] for row in rows[1:])


def test_partnership_list_download_has_every_filtered_row_not_one_page(client, world, settings):
    settings.PAGE_SIZE = 2
    for _ in range(4):
        PartnershipFactory(programme=world.programme)
    client.force_login(world.manager)
    url = reverse("partnerships:list")

    page = client.get(url)
    downloaded = csv_rows(client.get(url, {"format": "csv", "page": "2"}).content)
    assert page.context["page_obj"].paginator.count == len(downloaded) - 1 > 2


def test_partnership_list_download_is_scoped_like_the_page(client, world):
    hidden = PartnershipFactory(title="Someone else's partnership")
    client.force_login(world.coordinator)
    text = client.get(reverse("partnerships:list"), {"format": "csv"}).content.decode("utf-8-sig")
    assert world.partnership.title in text and hidden.title not in text


def test_list_download_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world.manager)

    def count(name):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name), {"format": "xlsx"}).status_code == 200
        return len(queries)

    small = {name: count(name) for name in ("partnerships:list", "directory:list")}
    for _ in range(4):
        PartnershipFactory(programme=world.programme)
        InstitutionFactory()
    assert {name: count(name) for name in small} == small


def test_institution_list_downloads_what_the_page_shows(client, world):
    InstitutionFactory(name="Hôpital de Gulu", short_name="HG", country="UG", city="Gulu")
    client.force_login(world.member)

    rows = downloads_agree(client, reverse("directory:list"), "institutions")
    gulu = next(row for row in rows if row[0].startswith("Hôpital"))
    assert gulu[:4] == ["Hôpital de Gulu (HG)", "Hospital", "Gulu", "Uganda"]
