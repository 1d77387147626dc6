"""Reads for the institution directory."""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from twinning.accounts.access import can_edit_institution, require
from twinning.accounts.models import User
from twinning.core.ids import parse_uuid
from twinning.directory.models import Institution, Person


def institution_list(
    *, user: User, q: str = "", country: str = "", type: str = "", expertise: str = "", need: str = ""
) -> QuerySet[Institution]:
    """The directory is open to every signed-in user; this applies the search and filters.

    Raises: nothing.
    """
    if not user.is_authenticated:
        return Institution.objects.none()
    qs = Institution.objects.search(q)
    if country:
        qs = qs.filter(country=country)
    if type:
        qs = qs.filter(type=type)
    if expertise:
        qs = qs.filter(expertise_items__area__code=expertise)
    if need:
        qs = qs.filter(need_items__area__code=need)
    return qs.prefetch_related("languages", "expertise").order_by("name", "id")


def get_institution_for_user(user: User, institution_uuid: Any, *, write: bool = False) -> Institution:
    """The institution with this UUID, from the directory the user may see (Http404 otherwise). With
    write=True the user must also maintain it (`can_edit_institution`, the rule the services apply);
    PermissionDenied otherwise.

    Raises: Http404, PermissionDenied.
    """
    institution = institution_list(user=user).filter(uuid=parse_uuid(institution_uuid)).first()
    if institution is None:
        raise Http404
    if write:
        require(can_edit_institution(user, institution))
    return institution


def people_of(institution: Institution) -> QuerySet[Person]:
    """An institution's people, by name, with their languages.

    Raises: nothing.
    """
    return institution.people.prefetch_related("languages").order_by("full_name")
