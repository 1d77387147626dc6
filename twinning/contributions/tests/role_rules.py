"""Who gets into each contributions URL (see twinning/testing/roles.py)."""

from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from twinning.contributions.models import GiftEvidence
from twinning.contributions.tests.factories import (
    AllocationFactory,
    AwardFactory,
    GiftFactory,
    TimeEntryFactory,
)
from twinning.testing import roles
from twinning.testing.roles import OK, OUTSIDERS, PROGRAMME_STAFF

FINANCE = {"finance", "manager", "me_officer", "admin"}


def programme_finance(role: str) -> Any:
    """Programme pages where finance officers and editors write; other staff read (403 on write)."""
    if role == "anonymous":
        return 302
    if role not in PROGRAMME_STAFF:
        return 404
    return OK if role in FINANCE else 403


def partnership_finance(role: str) -> Any:
    """Verify and count toward cost share: finance officers and programme editors of the partnership's programme."""
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in FINANCE else 403


def verifier_anywhere(role: str) -> Any:
    """Finance's queue: only those who may verify somewhere (finance officers, editors, administrators)."""
    if role == "anonymous":
        return 302
    return OK if role in FINANCE else 403


def host_receipt(role: str) -> Any:
    """The gift goes to the host side: only its coordinator or member signs (and administrators)."""
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in {"coordinator", "member", "admin"} else 403


def evidence_add(role: str) -> Any:
    if role == "anonymous":
        return 302
    if role in OUTSIDERS:
        return 404
    return OK if role in roles.PARTNERSHIP_DATA_ENTRY | FINANCE else 403


RULES = {
    "contributions:verification": ("get", verifier_anywhere),
    "contributions:leverage": ("get", roles.programme_read),
    "contributions:leverage#csv": ("get", roles.programme_read),
    "contributions:leverage#xlsx": ("get", roles.programme_read),
    "contributions:disclosure": ("get", roles.programme_read),
    "contributions:disclosure#csv": ("get", roles.programme_read),
    "contributions:disclosure#xlsx": ("get", roles.programme_read),
    "contributions:disclosure_xlsx": ("get", roles.programme_read),
    "contributions:awards": ("get", roles.programme_read),
    "contributions:awards#csv": ("get", roles.programme_read),
    "contributions:awards#xlsx": ("get", roles.programme_read),
    "contributions:awards#post": ("post", programme_finance),
    "contributions:rates": ("get", roles.programme_read),
    "contributions:rates#post": ("post", programme_finance),
    "contributions:exchange_rates": ("get", roles.programme_read),
    "contributions:exchange_rates#post": ("post", programme_finance),
    "contributions:exchange_rate_import": ("post", programme_finance),
    "contributions:award_detail": ("get", roles.programme_read),
    "contributions:allocation_add": ("post", programme_finance),
    "contributions:cost_share_xlsx": ("get", roles.programme_read),
    "contributions:ledger": ("get", roles.partnership_read),
    "contributions:ledger#csv": ("get", roles.partnership_read),
    "contributions:ledger#xlsx": ("get", roles.partnership_read),
    "contributions:partnership_leverage#csv": ("get", roles.partnership_read),
    "contributions:partnership_leverage#xlsx": ("get", roles.partnership_read),
    "contributions:partnership_leverage": ("get", roles.partnership_read),
    "contributions:time_add": ("get", roles.partnership_data_entry),
    "contributions:time_add#post": ("post", roles.partnership_data_entry),
    "contributions:time_verify": ("post", partnership_finance),
    "contributions:gift_add": ("get", roles.partnership_data_entry),
    "contributions:gift_add#post": ("post", roles.partnership_data_entry),
    "contributions:claim_add": ("post", partnership_finance),
    "contributions:gift_detail": ("get", roles.partnership_read),
    "contributions:gift_receive": ("post", host_receipt),
    "contributions:gift_verify": ("post", partnership_finance),
    "contributions:gift_evidence_add": ("post", evidence_add),
    "contributions:gift_evidence": ("get", roles.partnership_insider_read),
}


def objects(world: Any) -> dict[str, Any]:
    award = AwardFactory(programme=world.programme)
    AllocationFactory(award=award, partnership=world.partnership, amount=Decimal("1000"))
    gift = GiftFactory(partnership=world.partnership)
    entry = TimeEntryFactory(partnership=world.partnership)
    evidence = GiftEvidence.objects.create(gift=gift, file=SimpleUploadedFile("receipt.pdf", b"%PDF-1.4"))
    return {
        "award_uuid": award.uuid,
        "gift_uuid": gift.uuid,
        "entry_uuid": entry.uuid,
        "evidence_uuid": evidence.uuid,
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    # An empty POST changes nothing here except receive/verify, which empty bodies cannot complete
    # (receive needs a date; verify needs a received gift). Keep the gift pledged for the next role.
    from twinning.contributions.models import Gift, TimeEntry

    Gift.objects.filter(uuid=objects["gift_uuid"]).update(
        status="pledged", received_by=None, received_on=None, verified_by=None, verified_at=None
    )
    TimeEntry.objects.filter(uuid=objects["entry_uuid"]).update(
        status="received", verified_by=None, verified_at=None
    )
