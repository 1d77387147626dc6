"""Who may do what in the contributions ledger.

- partnership coordinators and members (and programme editors) record time and gifts for their partnership;
- the receiving side's coordinator or member signs for a gift's receipt;
- programme finance officers and editors verify, manage awards, allocations, cost-share claims, valuation
  and exchange rates (finance officers are read-only elsewhere, but this ledger is their work);
- everyone who may read the partnership or programme reads its ledger and reports.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from twinning.accounts.models import PartnershipMembership, ProgrammeRole
from twinning.accounts.permissions import PartnershipAccess, partnership_access, programme_role
from twinning.core.ids import parse_uuid
from twinning.partnerships.models import Partnership, Programme

FINANCE_ROLES = (*ProgrammeRole.EDITOR_ROLES, ProgrammeRole.Role.FINANCE_OFFICER)
DATA_ENTRY_MEMBER_ROLES = (PartnershipMembership.Role.COORDINATOR, PartnershipMembership.Role.MEMBER)


def can_enter_data(access: PartnershipAccess) -> bool:
    return access.can_edit or access.membership_role in DATA_ENTRY_MEMBER_ROLES


def can_manage_finance(user: Any, programme: Programme | int) -> bool:
    """Finance officers and programme editors: verify, awards, rates, claims."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    programme_id = programme if isinstance(programme, int) else programme.pk
    return programme_role(user, programme_id) in FINANCE_ROLES


def finance_from_access(user: Any, access: PartnershipAccess) -> bool:
    return bool(user.is_superuser or access.programme_role in FINANCE_ROLES)


def can_sign_receipt(user: Any, access: PartnershipAccess, side: str) -> bool:
    """Only someone on the side that received the gift can say it arrived."""
    if user.is_superuser:
        return True
    return access.membership_side == side and access.membership_role in DATA_ENTRY_MEMBER_ROLES


def require_data_entry(user: Any, partnership: Partnership) -> PartnershipAccess:
    access = partnership_access(user, partnership)
    if not access.can_read:
        raise Http404
    if not can_enter_data(access):
        raise PermissionDenied
    return access


def require_finance(user: Any, programme: Programme) -> None:
    if not can_manage_finance(user, programme):
        raise PermissionDenied


def get_programme_staff_view(user: Any, programme_uuid: Any) -> Programme:
    """A programme whose ledger the user may read: programme staff only (partnership members: 404)."""
    qs = Programme.objects.all()
    if not user.is_superuser:
        qs = qs.filter(staff_roles__user=user)
    programme = qs.filter(uuid=parse_uuid(programme_uuid)).first()
    if programme is None:
        raise Http404
    return programme
