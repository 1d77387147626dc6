"""Who may do what. Every view, API endpoint and service asks these, never the models directly.

Rules (see DESIGN.md, "Who uses it"):
- programme staff see every partnership of their programme; managers and M&E officers may change them;
  finance officers and viewers read only;
- partnership members see their partnerships; coordinators change them and manage their own side's members;
- the institution directory is readable by every signed-in user; programme editors and coordinators maintain it.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F

from twinning.accounts.models import PartnershipMembership, ProgrammeRole


def programme_role(user: Any, programme_id: int) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        ProgrammeRole.objects.filter(user=user, programme_id=programme_id)
        .values_list("role", flat=True)
        .first()
    )


def is_programme_editor(user: Any, programme_id: int | None = None) -> bool:
    """Manager or M&E officer of the given programme (of any programme when none is given)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    roles = ProgrammeRole.objects.filter(user=user, role__in=ProgrammeRole.EDITOR_ROLES)
    if programme_id is not None:
        roles = roles.filter(programme_id=programme_id)
    return roles.exists()


def is_programme_staff(user: Any) -> bool:
    return user.is_authenticated and (user.is_superuser or ProgrammeRole.objects.filter(user=user).exists())


@dataclass(frozen=True)
class PartnershipAccess:
    """What one user may do in one partnership; computed once per request with two small queries."""

    can_read: bool = False
    can_edit: bool = False
    managed_sides: frozenset[str] = field(default_factory=frozenset)
    programme_role: str | None = None
    membership_role: str | None = None
    membership_side: str | None = None

    @property
    def can_manage_members(self) -> bool:
        return bool(self.managed_sides)


def partnership_access(user: Any, partnership: Any) -> PartnershipAccess:
    if not user.is_authenticated:
        return PartnershipAccess()
    if user.is_superuser:
        return PartnershipAccess(True, True, frozenset({"host", "resource"}))
    role = programme_role(user, partnership.programme_id)
    membership = (
        PartnershipMembership.objects.filter(user=user, partnership=partnership)
        .values_list("role", "side")
        .first()
    )
    m_role, m_side = membership if membership else (None, None)
    is_editor = role in ProgrammeRole.EDITOR_ROLES
    is_coordinator = m_role == PartnershipMembership.Role.COORDINATOR
    sides: set[str] = set()
    if role == ProgrammeRole.Role.MANAGER:
        sides = {"host", "resource"}
    elif is_coordinator and m_side:
        sides = {m_side}
    return PartnershipAccess(
        can_read=role is not None or m_role is not None,
        can_edit=is_editor or is_coordinator,
        managed_sides=frozenset(sides),
        programme_role=role,
        membership_role=m_role,
        membership_side=m_side,
    )


def can_edit_institution(user: Any, institution: Any) -> bool:
    """Programme editors maintain the directory; a coordinator maintains the institutions on their side."""
    if is_programme_editor(user):
        return True
    if not user.is_authenticated:
        return False
    return PartnershipMembership.objects.filter(
        user=user,
        role=PartnershipMembership.Role.COORDINATOR,
        partnership__side_links__institution=institution,
        partnership__side_links__side=F("side"),
    ).exists()


def can_create_institution(user: Any) -> bool:
    if is_programme_editor(user):
        return True
    return (
        user.is_authenticated
        and PartnershipMembership.objects.filter(
            user=user, role=PartnershipMembership.Role.COORDINATOR
        ).exists()
    )


def can_see_people_of(user: Any, institution: Any) -> bool:
    """People's names and emails are personal data: staff, and members of partnerships with the institution."""
    if is_programme_staff(user):
        return True
    return (
        user.is_authenticated
        and PartnershipMembership.objects.filter(
            user=user, partnership__side_links__institution=institution
        ).exists()
    )
