"""The ledger's services: who may write, what is refused, and that refused writes change nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from twinning.audit.models import AuditEvent
from twinning.contributions import services
from twinning.contributions.models import Allocation, CostShareClaim, ExchangeRate, Gift, TimeEntry
from twinning.contributions.tests.factories import (
    AllocationFactory,
    AwardFactory,
    ExchangeRateFactory,
    GiftFactory,
    TimeEntryFactory,
)
from twinning.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db

GIFT = {
    "category": Gift.Category.EQUIPMENT,
    "contributor_kind": Gift.ContributorKind.NATIONAL_GOVERNMENT,
    "contributor_name": "Ministry of Health",
    "description": "Two anaesthesia machines",
    "quantity": Decimal(2),
    "fair_value": Decimal("48000"),
    "currency": "USD",
    "gift_date": datetime.date(2024, 4, 1),
    "valuation_technique": Gift.Technique.DONOR_INVOICE,
}


def time_fields(world, **extra):
    person = PersonFactory(
        institution=world.partnership.side_links.get(side="resource").institution, cadre="surgeon"
    )
    return {
        "side": "resource",
        "person": person,
        "start_date": datetime.date(2024, 3, 4),
        "end_date": datetime.date(2024, 3, 8),
        "quantity": Decimal(5),
        "unit": TimeEntry.Unit.DAYS,
        **extra,
    }


# --- time ---------------------------------------------------------------------------------------------


def test_member_records_time_and_days_become_hours_with_the_persons_cadre_and_country(world):
    entry = services.time_entry_create(
        actor=world.member, partnership=world.partnership, **time_fields(world)
    )
    assert (entry.hours, entry.cadre, entry.country, entry.year) == (Decimal(40), "surgeon", "GB", 2024)
    assert AuditEvent.objects.for_object(entry).exists()


def test_client_generated_uuid_is_kept(world):
    import uuid

    wanted = uuid.uuid4()
    entry = services.time_entry_create(
        actor=world.member, partnership=world.partnership, uuid=wanted, **time_fields(world)
    )
    assert entry.uuid == wanted


@pytest.mark.parametrize("role", ["partnership_viewer", "finance", "programme_viewer"])
def test_readers_may_not_record_time(world, role):
    with pytest.raises(PermissionDenied):
        services.time_entry_create(
            actor=getattr(world, role), partnership=world.partnership, **time_fields(world)
        )
    assert not TimeEntry.objects.exists()


def test_outsider_cannot_record_time(world):
    with pytest.raises(Http404):
        services.time_entry_create(actor=world.outsider, partnership=world.partnership, **time_fields(world))


def test_time_that_ends_before_it_starts_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.time_entry_create(
            actor=world.member,
            partnership=world.partnership,
            **time_fields(world, end_date=datetime.date(2024, 1, 1)),
        )
    assert "end_date" in exc.value.message_dict
    assert not TimeEntry.objects.exists()


def test_finance_verifies_time_and_verified_time_is_frozen(world):
    entry = services.time_entry_create(
        actor=world.member, partnership=world.partnership, **time_fields(world)
    )
    with pytest.raises(PermissionDenied):
        services.time_entry_verify(actor=world.coordinator, entry=entry)
    services.time_entry_verify(actor=world.finance, entry=entry)
    entry.refresh_from_db()
    assert entry.status == "verified" and entry.verified_by == world.finance
    with pytest.raises(ValidationError):
        services.time_entry_update(actor=world.member, entry=entry, data={"quantity": Decimal(1)})


# --- gifts --------------------------------------------------------------------------------------------


def test_gift_goes_pledged_received_verified(world):
    gift = services.gift_create(actor=world.member, partnership=world.partnership, **GIFT)
    assert gift.status == "pledged" and gift.year == 2024
    # The resource side did not receive it, and finance cannot verify before it is signed for.
    with pytest.raises(PermissionDenied):
        services.gift_receive(actor=world.resource_coordinator, gift=gift)
    with pytest.raises(ValidationError):
        services.gift_verify(actor=world.finance, gift=gift)
    services.gift_receive(actor=world.member, gift=gift, received_on=datetime.date(2024, 4, 3))
    gift.refresh_from_db()
    assert (gift.status, gift.received_by, gift.received_on) == (
        "received",
        world.member,
        datetime.date(2024, 4, 3),
    )
    with pytest.raises(PermissionDenied):
        services.gift_verify(actor=world.coordinator, gift=gift)
    services.gift_verify(actor=world.me_officer, gift=gift)
    gift.refresh_from_db()
    assert gift.status == "verified" and gift.verified_by == world.me_officer


def test_partner_gift_must_name_an_institution_of_the_partnership(world):
    other = world.other_partnership.side_links.first().institution
    with pytest.raises(ValidationError) as exc:
        services.gift_create(
            actor=world.member,
            partnership=world.partnership,
            **{
                **GIFT,
                "contributor_kind": "partner",
                "contributor_name": "",
                "contributor_institution": other,
            },
        )
    assert "contributor_institution" in exc.value.message_dict
    assert not Gift.objects.exists()


def test_gift_with_a_bad_currency_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.gift_create(actor=world.member, partnership=world.partnership, **{**GIFT, "currency": "XXY"})
    assert "currency" in exc.value.message_dict


# --- awards and allocations ---------------------------------------------------------------------------


def test_allocations_cannot_exceed_the_award(world):
    award = services.award_create(
        actor=world.finance,
        programme=world.programme,
        donor="USAID",
        reference="AID-1",
        amount=Decimal("100000"),
        currency="USD",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2025, 12, 31),
    )
    from twinning.testing.factories import PartnershipFactory

    second = PartnershipFactory(programme=world.programme)
    services.allocation_set(
        actor=world.finance, award=award, partnership=world.partnership, amount=Decimal("60000")
    )
    with pytest.raises(ValidationError) as exc:
        services.allocation_set(
            actor=world.finance, award=award, partnership=second, amount=Decimal("40000.01")
        )
    assert "40000.00" in str(exc.value)
    services.allocation_set(actor=world.finance, award=award, partnership=second, amount=Decimal("40000"))
    # Changing an allocation replaces it, it does not add to it.
    services.allocation_set(
        actor=world.finance, award=award, partnership=world.partnership, amount=Decimal("50000")
    )
    assert sorted(Allocation.objects.values_list("amount", flat=True)) == [Decimal("40000"), Decimal("50000")]


def test_only_finance_and_editors_manage_awards(world):
    for role in ("coordinator", "member", "programme_viewer"):
        with pytest.raises(PermissionDenied):
            services.award_create(
                actor=getattr(world, role),
                programme=world.programme,
                donor="X",
                reference="R",
                amount=Decimal(1),
                currency="USD",
                start_date=datetime.date(2024, 1, 1),
                end_date=datetime.date(2024, 1, 2),
            )


def test_allocation_to_a_partnership_of_another_programme_is_refused(world):
    award = AwardFactory(programme=world.programme)
    with pytest.raises(ValidationError):
        services.allocation_set(
            actor=world.finance, award=award, partnership=world.other_partnership, amount=Decimal(1)
        )


# --- cost share ---------------------------------------------------------------------------------------


def test_a_contribution_counts_toward_one_award_only(world):
    first = AwardFactory(programme=world.programme, reference="A-1")
    second = AwardFactory(programme=world.programme, reference="B-2")
    AllocationFactory(award=first, partnership=world.partnership)
    AllocationFactory(award=second, partnership=world.partnership)
    gift = GiftFactory(partnership=world.partnership)
    services.cost_share_claim(actor=world.finance, award=first, gift=gift)
    with pytest.raises(ValidationError) as exc:
        services.cost_share_claim(actor=world.finance, award=second, gift=gift)
    assert "already counts toward Global Health Fund A-1" in exc.value.messages[0]
    with pytest.raises(ValidationError, match="already counts"):
        services.cost_share_claim(actor=world.finance, award=first, gift=gift)
    assert CostShareClaim.objects.count() == 1


def test_the_database_refuses_a_second_claim_too(world):
    first = AwardFactory(programme=world.programme)
    second = AwardFactory(programme=world.programme)
    entry = TimeEntryFactory(partnership=world.partnership)
    CostShareClaim.objects.create(award=first, time_entry=entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostShareClaim.objects.create(award=second, time_entry=entry)


def test_a_claim_names_exactly_one_contribution_in_the_database(world):
    award = AwardFactory(programme=world.programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        CostShareClaim.objects.create(award=award)


def test_a_contribution_counts_only_toward_an_award_allocated_to_its_partnership(world):
    award = AwardFactory(programme=world.programme)
    with pytest.raises(ValidationError, match="no allocation"):
        services.cost_share_claim(
            actor=world.finance, award=award, gift=GiftFactory(partnership=world.partnership)
        )


def test_members_cannot_claim_cost_share(world):
    award = AwardFactory(programme=world.programme)
    AllocationFactory(award=award, partnership=world.partnership)
    with pytest.raises(PermissionDenied):
        services.cost_share_claim(
            actor=world.coordinator, award=award, gift=GiftFactory(partnership=world.partnership)
        )


# --- exchange rates -------------------------------------------------------------------------------------


def test_overlapping_exchange_rates_are_refused(world):
    ExchangeRateFactory(programme=world.programme, currency="GBP")
    with pytest.raises(ValidationError, match="already covers"):
        services.exchange_rate_create(
            actor=world.finance,
            programme=world.programme,
            currency="GBP",
            valid_from=datetime.date(2024, 6, 1),
            valid_to=datetime.date(2025, 5, 31),
            rate=Decimal("1.3"),
        )


def test_csv_import_writes_every_row(world):
    csv = "currency,valid_from,valid_to,rate,source\nGBP,2024-01-01,2024-06-30,1.27,BoE\nEUR,2024-01-01,2024-12-31,1.08,ECB\n"
    created = services.exchange_rates_import(
        actor=world.finance, programme=world.programme, data=csv.encode()
    )
    assert len(created) == 2
    assert ExchangeRate.objects.get(currency="GBP").rate == Decimal("1.27")


def test_csv_import_reports_every_bad_row_and_writes_nothing(world):
    ExchangeRateFactory(programme=world.programme, currency="KES", valid_from=datetime.date(2024, 1, 1))
    csv = (
        "currency,valid_from,valid_to,rate\n"
        "GBP,2024-01-01,2024-06-30,1.27\n"  # good
        "ZZZ,2024-01-01,2024-06-30,1.27\n"  # bad currency
        "EUR,2024-13-01,2024-06-30,1.08\n"  # bad date
        "EUR,2024-01-01,2024-06-30,-2\n"  # bad rate
        "GBP,2024-06-01,2024-12-31,1.3\n"  # overlaps row 2
        "KES,2024-03-01,2024-03-31,0.0077\n"  # overlaps a stored rate
        "USD,2024-01-01,2024-12-31,1\n"  # the reporting currency
    )
    with pytest.raises(services.ImportRejected) as exc:
        services.exchange_rates_import(actor=world.finance, programme=world.programme, data=csv)
    found = [(e.row, e.column, e.value) for e in exc.value.row_errors]
    assert found == [
        (3, "currency", "ZZZ"),
        (4, "valid_from", "2024-13-01"),
        (5, "rate", "-2"),
        (6, "valid_from", "2024-06-01"),
        (7, "valid_from", "2024-03-01"),
        (8, "currency", "USD"),
    ]
    assert ExchangeRate.objects.count() == 1


def test_csv_import_with_a_missing_column_is_refused(world):
    with pytest.raises(services.ImportRejected) as exc:
        services.exchange_rates_import(
            actor=world.finance, programme=world.programme, data="currency,rate\nGBP,1\n"
        )
    assert [e.column for e in exc.value.row_errors] == ["valid_from", "valid_to"]


def test_coordinators_cannot_import_rates(world):
    with pytest.raises(PermissionDenied):
        services.exchange_rates_import(actor=world.coordinator, programme=world.programme, data="x")


def _exchange(partnership):
    from twinning.exchanges.models import Exchange

    return Exchange.objects.create(
        partnership=partnership,
        title="Surgical camp",
        type="site_visit",
        direction="resource_to_host",
        start_date=datetime.date(2024, 3, 4),
        end_date=datetime.date(2024, 3, 8),
    )


def test_time_links_to_the_exchange_it_served(world):
    exchange = _exchange(world.partnership)
    entry = services.time_entry_create(
        actor=world.member, partnership=world.partnership, **time_fields(world, exchange=exchange)
    )
    assert list(exchange.time_entries.all()) == [entry]


def test_time_cannot_link_to_another_partnerships_exchange(world):
    exchange = _exchange(world.other_partnership)
    with pytest.raises(ValidationError) as exc:
        services.time_entry_create(
            actor=world.member, partnership=world.partnership, **time_fields(world, exchange=exchange)
        )
    assert "exchange" in exc.value.message_dict
    assert not TimeEntry.objects.exists()


def test_a_gift_received_today_where_the_receiving_side_is_is_not_in_the_future(world):
    """Issue "Numbers people can trust": "received in the future" is judged on the receiving side's date."""
    from unittest import mock

    from twinning.directory.models import Institution

    def at(*args):
        return mock.patch(
            "django.utils.timezone.now", return_value=datetime.datetime(*args, tzinfo=datetime.UTC)
        )

    hosts = Institution.objects.filter(side_links__partnership=world.partnership, side_links__side="host")
    gift = services.gift_create(actor=world.member, partnership=world.partnership, **GIFT)
    hosts.update(time_zone="Pacific/Honolulu")  # UTC-10: still 31 March there at 00:30 UTC on 1 April
    with at(2025, 4, 1, 0, 30), pytest.raises(ValidationError, match="received in the future"):
        services.gift_receive(actor=world.member, gift=gift, received_on=datetime.date(2025, 4, 1))
    hosts.update(time_zone="Pacific/Tarawa")  # UTC+12: already 1 April there at 23:30 UTC on 31 March
    with at(2025, 3, 31, 23, 30):
        services.gift_receive(actor=world.member, gift=gift)
    gift.refresh_from_db()
    assert gift.received_on == datetime.date(2025, 4, 1)
