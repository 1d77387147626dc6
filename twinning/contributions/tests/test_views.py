"""The ledger's pages through the full stack: happy paths, bad input, downloads and query counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from twinning.contributions import services
from twinning.contributions.models import Basis, CostShareClaim, ExchangeRate, Gift, GiftEvidence, TimeEntry
from twinning.contributions.tests.factories import (
    AllocationFactory,
    AwardFactory,
    ExchangeRateFactory,
    GiftFactory,
    TimeEntryFactory,
    ValuationRateFactory,
)
from twinning.testing.factories import PartnershipFactory

pytestmark = pytest.mark.django_db


def verified_gift(world, partnership=None, **kwargs):
    return GiftFactory(
        partnership=partnership or world.partnership,
        status="verified",
        received_by=world.member,
        received_on=datetime.date(2024, 5, 2),
        **kwargs,
    )


def ledger(world, rows):
    """`rows` partnerships, each with an allocation, two gifts and two time entries."""
    award = AwardFactory(programme=world.programme, amount=Decimal("10000000"))
    if not ExchangeRate.objects.filter(programme=world.programme).exists():
        ValuationRateFactory(programme=world.programme, basis=Basis.GENERIC, hourly_rate=Decimal("30"))
        ExchangeRateFactory(programme=world.programme, currency="GBP")
    for _ in range(rows):
        p = PartnershipFactory(programme=world.programme)
        AllocationFactory(award=award, partnership=p, amount=Decimal("100000"))
        verified_gift(world, p, fair_value=Decimal("30000"))
        GiftFactory(partnership=p, currency="GBP", fair_value=Decimal("1000"))
        TimeEntryFactory(partnership=p, status="verified")
        TimeEntryFactory(partnership=p)
    return award


def test_leverage_dashboard_shows_the_ratio_and_charts(client, world):
    award = AwardFactory(programme=world.programme)
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("100000"))
    verified_gift(world, fair_value=Decimal("45000"))
    GiftFactory(partnership=world.partnership, fair_value=Decimal("20000"))
    client.force_login(world.finance)
    response = client.get(reverse("contributions:leverage", args=[world.programme.uuid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<dd id="programme-leverage"><strong>0.45</strong>' in html
    assert "<svg" in html and "0.65" in html  # pledged leverage


def test_leverage_dashboard_query_count_does_not_grow_with_the_ledger(client, world):
    ledger(world, 2)
    client.force_login(world.manager)
    url = reverse("contributions:leverage", args=[world.programme.uuid])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url, {"basis": "fair_value"}).status_code == 200
    ledger(world, 6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url, {"basis": "fair_value"}).status_code == 200
    assert len(many) == len(few)


def test_partnership_leverage_is_readable_by_its_members(client, world):
    award = AwardFactory(programme=world.programme)
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("100000"))
    verified_gift(world, fair_value=Decimal("70000"))
    client.force_login(world.partnership_viewer)
    response = client.get(reverse("contributions:partnership_leverage", args=[world.partnership.uuid]))
    assert '<dd id="partnership-leverage"><strong>0.70</strong>' in response.content.decode()


def test_disclosure_xlsx_has_the_same_totals_as_the_page(client, world):
    verified_gift(world, fair_value=Decimal("1200.50"), category="supplies")
    GiftFactory(partnership=world.partnership, fair_value=Decimal("300"), category="supplies")
    GiftFactory(partnership=world.partnership, fair_value=Decimal("999"), currency="EUR")  # no rate
    client.force_login(world.programme_viewer)
    response = client.get(reverse("contributions:disclosure_xlsx", args=[world.programme.uuid]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(book.worksheets[0].values)
    assert rows[-1][3:] == (3, 300, 0, 1200.5)  # three gifts; the EUR one is not converted
    assert list(book.worksheets[1].values)[1] == ("Equipment", "EUR", 999, 1)
    page = client.get(reverse("contributions:disclosure", args=[world.programme.uuid]))
    assert "1,200.50" in page.content.decode() and "Not converted" in page.content.decode()
    client.force_login(world.member)
    leverage = client.get(reverse("contributions:partnership_leverage", args=[world.partnership.uuid]))
    assert "<td>gift</td>" not in leverage.content.decode()  # the kind's label, not its code
    assert "<td>In-kind gift</td>" in leverage.content.decode()


def test_cost_share_report_and_xlsx(client, world):
    award = AwardFactory(programme=world.programme, cost_share_required=Decimal("50000"))
    AllocationFactory(award=award, partnership=world.partnership)
    gift = verified_gift(world, fair_value=Decimal("25000"))
    CostShareClaim.objects.create(award=award, gift=gift)
    client.force_login(world.finance)
    page = client.get(reverse("contributions:award_detail", args=[award.uuid]))
    assert page.status_code == 200
    assert page.context["report"].share_met == Decimal("0.50")
    response = client.get(reverse("contributions:cost_share_xlsx", args=[award.uuid]))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    contributions = list(book.worksheets[2].values)
    assert contributions[1][0] == "Gift" and contributions[1][-1] == 25000


def test_member_records_a_gift_host_signs_and_finance_verifies(client, world):
    client.force_login(world.member)
    response = client.post(
        reverse("contributions:gift_add", args=[world.partnership.uuid]),
        {
            "category": "equipment",
            "contributor_kind": "local_government",
            "contributor_name": "Gulu District",
            "receiving_side": "host",
            "description": "Oxygen concentrator",
            "quantity": "1",
            "fair_value": "1850.00",
            "currency": "USD",
            "gift_date": "2024-06-01",
            "valuation_technique": "market_price",
            "use": "used",
        },
    )
    assert response.status_code == 302, response.content
    gift = Gift.objects.get()
    url = reverse("contributions:gift_receive", args=[world.partnership.uuid, gift.uuid])
    assert client.post(url, {"received_on": "2024-06-03"}).status_code == 302
    client.force_login(world.finance)
    assert (
        client.post(
            reverse("contributions:gift_verify", args=[world.partnership.uuid, gift.uuid])
        ).status_code
        == 302
    )
    gift.refresh_from_db()
    assert gift.status == "verified" and gift.received_by == world.member


def test_a_gift_with_a_negative_value_is_refused_and_nothing_written(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("contributions:gift_add", args=[world.partnership.uuid]),
        {
            "category": "equipment",
            "contributor_kind": "community",
            "receiving_side": "host",
            "description": "x",
            "quantity": "1",
            "fair_value": "-5",
            "currency": "USD",
            "gift_date": "2024-06-01",
            "valuation_technique": "market_price",
            "use": "used",
        },
    )
    assert response.status_code == 400
    assert "fair_value" in response.context["form"].errors
    assert not Gift.objects.exists()


GIFT = {
    "category": "equipment",
    "contributor_kind": "community",
    "contributor_name": "Rotary club",
    "receiving_side": "host",
    "description": "Monitors",
    "currency": "USD",
    "gift_date": "2024-06-01",
    "valuation_technique": "market_price",
    "use": "used",
}


def test_a_portuguese_user_types_amounts_with_a_decimal_comma(client, world):
    client.force_login(world.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pt"
    url = reverse("contributions:gift_add", args=[world.partnership.uuid])
    response = client.post(url, {**GIFT, "quantity": "2,5", "fair_value": "1.234,50"})
    assert response.status_code == 302, response.context["form"].errors
    gift = Gift.objects.get()
    assert (gift.quantity, gift.fair_value) == (Decimal("2.5"), Decimal("1234.50"))


def test_an_amount_in_the_wrong_form_is_refused_not_multiplied(client, world):
    client.force_login(world.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("contributions:gift_add", args=[world.partnership.uuid])
    response = client.post(url, {**GIFT, "quantity": "1", "fair_value": "1.234,50"})
    assert response.status_code == 400
    assert response.context["form"].errors["fair_value"] == [
        "“1.234,50” is not a number. Enter a number such as 12.5."
    ]
    assert not Gift.objects.exists()


def test_time_entry_through_the_form(client, world):
    client.force_login(world.member)
    host = world.partnership.side_links.get(side="host").institution
    response = client.post(
        reverse("contributions:time_add", args=[world.partnership.uuid]),
        {
            "side": "host",
            "institution": host.uuid,
            "start_date": "2024-02-01",
            "end_date": "2024-02-02",
            "quantity": "2",
            "unit": "days",
            "cadre": "nurse",
            "status": "received",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    entry = TimeEntry.objects.get()
    assert (entry.hours, entry.country) == (Decimal(16), "UG")


def test_ledger_query_count_does_not_grow(client, world):
    client.force_login(world.member)
    for tab in ("gifts", "time"):
        TimeEntryFactory(partnership=world.partnership)
        GiftFactory(partnership=world.partnership)
        url = reverse("contributions:ledger", args=[world.partnership.uuid])
        with CaptureQueriesContext(connection) as few:
            client.get(url, {"show": tab})
        for _ in range(5):
            TimeEntryFactory(partnership=world.partnership)
            GiftFactory(partnership=world.partnership)
        with CaptureQueriesContext(connection) as many:
            client.get(url, {"show": tab})
        assert len(many) == len(few), tab


def test_exchange_rate_import_lists_bad_rows_and_writes_nothing(client, world):
    client.force_login(world.finance)
    upload = SimpleUploadedFile(
        "rates.csv",
        b"currency,valid_from,valid_to,rate\nGBP,2024-01-01,2024-12-31,1.27\nXXQ,2024-01-01,2024-12-31,abc\n",
    )
    response = client.post(
        reverse("contributions:exchange_rate_import", args=[world.programme.uuid]), {"file": upload}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was imported" in html and "XXQ" in html and "abc" in html
    assert not ExchangeRate.objects.exists()


def test_evidence_of_the_wrong_type_is_refused(client, world):
    gift = GiftFactory(partnership=world.partnership)
    client.force_login(world.member)
    url = reverse("contributions:gift_evidence_add", args=[world.partnership.uuid, gift.uuid])
    response = client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ")})
    assert response.status_code == 400
    assert not GiftEvidence.objects.exists()
    response = client.post(
        url, {"file": SimpleUploadedFile("invoice.pdf", b"%PDF-1.4"), "description": "Invoice"}
    )
    assert response.status_code == 302
    evidence = GiftEvidence.objects.get()
    client.force_login(world.outsider)
    download = reverse("contributions:gift_evidence", args=[world.partnership.uuid, gift.uuid, evidence.uuid])
    assert client.get(download).status_code == 404


def test_counting_a_gift_twice_shows_the_reason(client, world):
    first = AwardFactory(programme=world.programme, reference="FIRST")
    second = AwardFactory(programme=world.programme, reference="SECOND")
    AllocationFactory(award=first, partnership=world.partnership)
    AllocationFactory(award=second, partnership=world.partnership)
    gift = GiftFactory(partnership=world.partnership)
    client.force_login(world.finance)
    url = reverse("contributions:claim_add", args=[world.partnership.uuid])
    client.post(url, {"gift": gift.uuid, "award": first.uuid})
    response = client.post(url, {"gift": gift.uuid, "award": second.uuid}, follow=True)
    assert "already counts toward Global Health Fund FIRST" in response.content.decode()
    assert CostShareClaim.objects.get().award == first


def test_signing_for_a_gift_keeps_an_edit_saved_meanwhile(client, world, monkeypatch):
    """The receipt changes the status only: an edit committed between the page's read and its save stays."""
    gift = GiftFactory(partnership=world.partnership, receiving_side="host", description="Ultrasound machine")
    real_receive = services.gift_receive

    def coordinator_edits_first(**kwargs):
        services.gift_update(
            actor=world.coordinator,
            gift=Gift.objects.get(pk=gift.pk),
            data={"description": "Two ultrasound machines"},
        )
        return real_receive(**kwargs)

    monkeypatch.setattr(services, "gift_receive", coordinator_edits_first)
    client.force_login(world.member)
    url = reverse("contributions:gift_receive", args=[world.partnership.uuid, gift.uuid])
    assert client.post(url, {"received_on": "2024-06-03"}).status_code == 302
    gift.refresh_from_db()
    assert (gift.status, gift.received_by, gift.description, gift.version) == (
        "received",
        world.member,
        "Two ultrasound machines",
        3,
    )


def test_editing_a_gift_verified_meanwhile_is_refused_and_changes_nothing(world):
    gift = GiftFactory(
        partnership=world.partnership,
        status="received",
        received_by=world.member,
        received_on=datetime.date(2024, 5, 2),
    )
    # The coordinator read the gift above; a finance officer verifies it before the edit is saved.
    services.gift_verify(actor=world.finance, gift=Gift.objects.get(pk=gift.pk))
    with pytest.raises(ValidationError, match="verified gift cannot be changed"):
        services.gift_update(actor=world.coordinator, gift=gift, data={"description": "Changed"})
    gift.refresh_from_db()
    assert (gift.status, gift.description) == ("verified", "Ultrasound machine")
