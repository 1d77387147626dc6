"""Reads for IATI files: each starts from what the user (or, for a published file, anyone) may see."""

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from twinning.accounts.access import iati_file_is_public, programme_access, require
from twinning.accounts.models import User
from twinning.core.ids import parse_uuid
from twinning.interop.iati.collect import collect
from twinning.interop.iati.export import build_document, serialise
from twinning.interop.iati.rules import Problem, check
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff


@dataclass
class IatiFile:
    """An export: the XML bytes, a file name, and (when asked for) what the checks found."""

    content: bytes
    filename: str
    activities: int
    problems: list[Problem] | None = None


def _require_org_id(programme: Programme) -> None:
    if not programme.iati_org_id:
        raise ValidationError(
            {
                "iati_org_id": _(
                    "The programme has no IATI organisation identifier yet: a manager sets it on the programme's "
                    "IATI page first."
                )
            }
        )


def _file(programme: Programme, partnerships: Any, name: str, *, checked: bool) -> IatiFile:
    data = collect(programme, partnerships)
    root = build_document(data)
    return IatiFile(
        content=serialise(root),
        filename=f"{name}.xml",
        activities=len(data.activities),
        problems=check(root) if checked else None,
    )


def programme_iati_file(
    user: User, programme_uuid: Any, *, checked: bool = False
) -> tuple[Programme, IatiFile]:
    """The programme's IATI activity file (one activity per partnership), for its staff (Http404 for anyone
    else); with `checked`, what the 2.03 schema and our ruleset checks find in it.

    Raises: Http404, ValidationError (no IATI organisation identifier yet).
    """
    programme = get_programme_for_staff(user, programme_uuid)
    _require_org_id(programme)
    return programme, _file(
        programme, Partnership.objects.visible_to(user), f"iati-{programme.uuid}", checked=checked
    )


def partnership_iati_file(
    user: User, partnership_uuid: Any, *, checked: bool = False
) -> tuple[Partnership, IatiFile]:
    """One partnership's `iati-activity` in a file of its own, for whoever reads the partnership (Http404
    otherwise).

    Raises: Http404, ValidationError (the programme has no IATI organisation identifier yet).
    """
    partnership, _access = get_partnership_for_user(user, partnership_uuid)
    _require_org_id(partnership.programme)
    one = Partnership.objects.filter(pk=partnership.pk)
    return partnership, _file(partnership.programme, one, f"iati-{partnership.uuid}", checked=checked)


def public_iati_file(programme_uuid: Any) -> IatiFile:
    """The programme's published IATI file, for anyone (no account): Http404 unless it is published
    (access.iati_file_is_public). It holds every partnership of the programme, as the staff's file does.

    Raises: Http404.
    """
    programme = Programme.objects.filter(uuid=parse_uuid(programme_uuid)).first()
    if programme is None or not iati_file_is_public(programme):
        raise Http404
    return _file(programme, Partnership.objects.all(), f"iati-{programme.uuid}", checked=False)


def programme_for_iati_page(user: User | AnonymousUser, programme_uuid: Any) -> Programme:
    """A programme whose IATI page the user may open: its staff (Http404 for anyone else).

    Raises: Http404.
    """
    return get_programme_for_staff(user, programme_uuid)  # type: ignore[arg-type]


def programme_for_iati_import(user: User | AnonymousUser, programme_uuid: Any) -> Programme:
    """A programme the user may import an IATI file into: its staff (Http404 for anyone else) who edit it
    (`can_import_iati`, the rule `iati_import` applies; PermissionDenied for other staff). Asked before the
    file is read, so a reader's malformed upload answers 403 as a well-formed one does.

    Raises: Http404, PermissionDenied.
    """
    programme = programme_for_iati_page(user, programme_uuid)
    require(programme_access(user, programme.pk, programme).can_import_iati)
    return programme
