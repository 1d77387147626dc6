"""Who may do what with exchanges and mentoring.

- partnership coordinators and members, and programme editors (managers, M&E officers), record exchanges,
  participants, trainees and mentoring;
- partnership viewers, programme viewers and finance officers read;
- everyone else does not see the partnership (404).
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from twinning.accounts.models import PartnershipMembership
from twinning.accounts.permissions import PartnershipAccess, partnership_access
from twinning.core.ids import parse_uuid
from twinning.partnerships.models import Partnership, Programme

DATA_ENTRY_MEMBER_ROLES = (PartnershipMembership.Role.COORDINATOR, PartnershipMembership.Role.MEMBER)


def can_enter_data(access: PartnershipAccess) -> bool:
    return access.can_edit or access.membership_role in DATA_ENTRY_MEMBER_ROLES


def require_data_entry(user: Any, partnership: Partnership) -> PartnershipAccess:
    """Access for a write: 404 if the user cannot see the partnership, 403 if they only read it."""
    access = partnership_access(user, partnership)
    if not access.can_read:
        raise Http404
    if not can_enter_data(access):
        raise PermissionDenied
    return access


def get_programme_for_staff(user: Any, programme_uuid: Any) -> Programme:
    """A programme-wide summary is for the programme's staff; partnership members see their partnership's."""
    qs = Programme.objects.all()
    if not user.is_superuser:
        qs = qs.filter(staff_roles__user=user)
    programme = qs.filter(uuid=parse_uuid(programme_uuid)).first()
    if programme is None:
        raise Http404
    return programme
