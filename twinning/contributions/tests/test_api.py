"""The contributions API: scoping, the gift life cycle, bad input, cost share, imports and query counts."""

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from twinning.accounts.services import api_token_create
from twinning.contributions.models import Basis, CostShareClaim, ExchangeRate, Gift
from twinning.contributions.tests.factories import (
    AllocationFactory,
    AwardFactory,
    ExchangeRateFactory,
    GiftFactory,
    TimeEntryFactory,
    ValuationRateFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/contributions"


def bearer(user):
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def call(method, url, user, body=None):
    client = Client()
    kwargs = bearer(user)
    if body is not None:
        return getattr(client, method)(
            url, data=json.dumps(body, default=str), content_type="application/json", **kwargs
        )
    return getattr(client, method)(url, **kwargs)


GIFT = {
    "category": "reference",
    "contributor_kind": "private",
    "contributor_name": "A publisher",
    "description": "Forty surgical textbooks",
    "quantity": "40",
    "fair_value": "3200.00",
    "currency": "GBP",
    "gift_date": "2024-02-10",
    "valuation_technique": "market_price",
}


def test_gift_life_cycle_over_the_api(world):
    ExchangeRateFactory(programme=world.programme, currency="GBP", rate=Decimal("1.25"))
    response = call("post", f"{API}/partnerships/{world.partnership.uuid}/gifts", world.member, GIFT)
    assert response.status_code == 201, response.content
    gift = response.json()
    assert gift["status"] == "pledged" and Decimal(gift["value"]) == Decimal("4000.00")
    url = f"{API}/gifts/{gift['uuid']}"
    assert call("post", url + "/receive", world.resource_coordinator, {}).status_code == 403
    assert call("post", url + "/receive", world.coordinator, {"received_on": "2024-02-12"}).status_code == 200
    assert call("post", url + "/verify", world.coordinator).status_code == 403
    verified = call("post", url + "/verify", world.finance)
    assert verified.status_code == 200 and verified.json()["status"] == "verified"


@pytest.mark.parametrize("fair_value", ["3200.00", "3200", " 3200 ", 3200, 3200.0])
def test_a_decimal_is_taken_as_a_json_number_or_as_decimal_text(world, fair_value):
    response = call(
        "post",
        f"{API}/partnerships/{world.partnership.uuid}/gifts",
        world.member,
        {**GIFT, "fair_value": fair_value},
    )
    assert response.status_code == 201, response.content
    assert Gift.objects.get().fair_value == Decimal("3200")


def test_gift_in_a_currency_without_a_rate_has_a_null_value(world):
    response = call(
        "post",
        f"{API}/partnerships/{world.partnership.uuid}/gifts",
        world.member,
        {**GIFT, "currency": "EUR"},
    )
    assert response.status_code == 201
    assert response.json()["value"] is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"fair_value": "-1"}, "fair_value"),
        ({"fair_value": "1.234"}, "fair_value"),
        ({"fair_value": "3_200"}, "fair_value"),
        ({"fair_value": "3.2e3"}, "fair_value"),
        ({"fair_value": "3,200.00"}, "fair_value"),
        ({"fair_value": "NaN"}, "fair_value"),
        ({"quantity": "forty"}, "quantity"),
        ({"currency": "XYZ"}, "currency"),
        ({"category": "jewels"}, "category"),
        ({"gift_date": "2024-02-30"}, "gift_date"),
        ({"description": "a\x00b"}, "description"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_gift_input_gets_422_and_writes_nothing(world, change, field):
    response = call(
        "post", f"{API}/partnerships/{world.partnership.uuid}/gifts", world.member, {**GIFT, **change}
    )
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Gift.objects.exists()


def test_outsider_gets_404_and_viewer_403(world):
    url = f"{API}/partnerships/{world.partnership.uuid}/gifts"
    assert call("get", url, world.outsider).status_code == 404
    assert call("post", url, world.outsider, GIFT).status_code == 404
    assert call("post", url, world.partnership_viewer, GIFT).status_code == 403
    gift = GiftFactory(partnership=world.partnership)
    assert call("get", f"{API}/gifts/{gift.uuid}", world.other_coordinator).status_code == 404
    assert (
        call("get", f"{API}/programmes/{world.programme.uuid}/awards", world.coordinator).status_code == 404
    )


@pytest.mark.parametrize(
    ("route", "reader", "writer"),
    [
        ("time_entry", "partnership_viewer", "member"),
        ("gift", "programme_viewer", "coordinator"),
        # Awards and rates are the finance officer's work, not only the programme editors'.
        ("awards", "programme_viewer", "finance"),
        ("claims", "programme_viewer", "finance"),
        # Only the receiving (host) side signs for a gift: the resource side's coordinator enters data but not this.
        ("receive", "resource_coordinator", "coordinator"),
    ],
)
def test_a_bad_body_answers_403_to_who_may_not_write_it_and_422_to_who_may(world, route, reader, writer):
    # django-ninja refuses the body before the view runs; the answer still follows who may write here.
    award = AwardFactory(programme=world.programme)
    urls = {
        "time_entry": ("patch", f"{API}/time-entries/{TimeEntryFactory(partnership=world.partnership).uuid}"),
        "gift": ("patch", f"{API}/gifts/{GiftFactory(partnership=world.partnership).uuid}"),
        "awards": ("post", f"{API}/programmes/{world.programme.uuid}/awards"),
        "claims": ("post", f"{API}/awards/{award.uuid}/claims"),
        "receive": ("post", f"{API}/gifts/{GiftFactory(partnership=world.partnership).uuid}/receive"),
    }
    method, url = urls[route]
    bad = {"quantity": "forty", "amount": "x", "gift": "not-a-uuid", "received_on": "2024-02-30"}
    refused = call(method, url, getattr(world, reader), bad)
    assert refused.status_code == 403, refused.content
    invalid = call(method, url, getattr(world, writer), bad)
    assert invalid.status_code == 422, invalid.content


def test_time_entry_is_valued_on_each_basis(world):
    ValuationRateFactory(programme=world.programme, basis=Basis.GENERIC, hourly_rate=Decimal("30"))
    ValuationRateFactory(
        programme=world.programme, basis=Basis.FAIR_VALUE, cadre="surgeon", hourly_rate=Decimal("110")
    )
    resource = world.partnership.side_links.get(side="resource").institution
    body = {
        "side": "resource",
        "institution": str(resource.uuid),
        "start_date": "2024-05-06",
        "end_date": "2024-05-10",
        "quantity": "5",
        "unit": "days",
        "cadre": "surgeon",
        "specialised_skill": True,
    }
    response = call("post", f"{API}/partnerships/{world.partnership.uuid}/time-entries", world.member, body)
    assert response.status_code == 201, response.content
    entry = response.json()
    assert entry["hours"] == "40.00" or Decimal(entry["hours"]) == 40
    assert {k: v and Decimal(v) for k, v in entry["values"].items()} == {
        "generic": Decimal("1200.00"),
        "fair_value": Decimal("4400.00"),
        "local": None,
    }
    assert entry["country"] == "GB"


def test_time_entry_naming_an_institution_outside_the_partnership_is_refused(world):
    other = world.other_partnership.side_links.first().institution
    body = {
        "side": "host",
        "institution": str(other.uuid),
        "start_date": "2024-01-01",
        "end_date": "2024-01-01",
        "quantity": "1",
    }
    response = call("post", f"{API}/partnerships/{world.partnership.uuid}/time-entries", world.member, body)
    assert response.status_code == 422 and "institution" in response.json()["errors"]


def test_allocation_over_the_award_is_refused(world):
    award = AwardFactory(programme=world.programme, amount=Decimal("1000"))
    url = f"{API}/awards/{award.uuid}/allocations/{world.partnership.uuid}"
    assert call("put", url, world.finance, {"amount": "1000.01"}).status_code == 422
    assert call("put", url, world.programme_viewer, {"amount": "10"}).status_code == 403
    ok = call("put", url, world.finance, {"amount": "1000"})
    assert ok.status_code == 200 and Decimal(ok.json()["amount"]) == 1000


def test_double_counting_is_refused_over_the_api(world):
    first, second = AwardFactory(programme=world.programme), AwardFactory(programme=world.programme)
    for award in (first, second):
        AllocationFactory(award=award, partnership=world.partnership)
    entry = TimeEntryFactory(partnership=world.partnership)
    assert (
        call(
            "post", f"{API}/awards/{first.uuid}/claims", world.finance, {"time_entry": str(entry.uuid)}
        ).status_code
        == 201
    )
    again = call("post", f"{API}/awards/{second.uuid}/claims", world.finance, {"time_entry": str(entry.uuid)})
    assert again.status_code == 422
    assert "already counts toward" in again.json()["detail"]
    assert CostShareClaim.objects.count() == 1


def test_csv_import_over_the_api_reports_rows(world):
    url = f"{API}/programmes/{world.programme.uuid}/exchange-rates/import"
    bad = call(
        "post",
        url,
        world.finance,
        {"csv": "currency,valid_from,valid_to,rate\nGBP,2024-01-01,2023-01-01,1.2\n"},
    )
    assert bad.status_code == 422
    assert bad.json()["detail"] == "Nothing was imported."
    assert bad.json()["rows"] == [
        {
            "row": 2,
            "column": "valid_to",
            "value": "2023-01-01",
            "message": "The period cannot end before it starts.",
        }
    ]
    good = call(
        "post",
        url,
        world.finance,
        {"csv": "currency,valid_from,valid_to,rate\nGBP,2024-01-01,2024-12-31,1.2\n"},
    )
    assert good.status_code == 201 and ExchangeRate.objects.count() == 1


def test_programme_leverage_over_the_api(world):
    award = AwardFactory(programme=world.programme)
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("200000"))
    GiftFactory(
        partnership=world.partnership,
        fair_value=Decimal("120000"),
        status="verified",
        received_by=world.member,
        received_on=datetime.date(2024, 5, 1),
    )
    response = call("get", f"{API}/programmes/{world.programme.uuid}/leverage", world.programme_viewer)
    assert response.status_code == 200
    assert Decimal(response.json()["total"]["leverage_verified"]) == Decimal("0.60")
    assert (
        call("get", f"{API}/programmes/{world.programme.uuid}/leverage?basis=nope", world.manager).status_code
        == 422
    )


def test_list_query_count_is_constant(world):
    ValuationRateFactory(programme=world.programme)
    url = f"{API}/partnerships/{world.partnership.uuid}/time-entries"
    headers = bearer(world.member)
    client = Client()
    TimeEntryFactory(partnership=world.partnership)
    client.get(url, **headers)  # the first use of a token records it; measure from the second
    with CaptureQueriesContext(connection) as few:
        client.get(url, **headers)
    for _ in range(10):
        TimeEntryFactory(partnership=world.partnership)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, **headers).json()["count"] == 11
    assert len(many) == len(few)
