"""Reads of DHIS2 records, scoped to the user."""

from typing import Any

from django.db.models import Q
from django.http import Http404

from twinning.accounts.access import in_edited_programmes
from twinning.accounts.models import User
from twinning.core.ids import parse_uuid
from twinning.interop.models import Dhis2Import, Dhis2Server
from twinning.partnerships.models import Programme


def get_import_for_user(user: User, import_uuid: Any) -> Dhis2Import:
    """An import record the user ran, or one of a programme they edit.

    Raises: Http404.
    """
    edited = in_edited_programmes(user)
    # An administrator's scope is the empty Q, which OR-ed would let nothing more through.
    records = (
        Dhis2Import.objects.filter(Q(requested_by=user) | edited) if edited else Dhis2Import.objects.all()
    )
    record = (
        records.select_related("programme", "partnership", "server")
        .filter(uuid=parse_uuid(import_uuid))
        .first()
    )
    if record is None:
        raise Http404
    return record


def get_server_for_user(user: User, server_uuid: Any) -> Dhis2Server:
    """A DHIS2 server of a programme the user is staff of (Http404 otherwise); whether they may use it is the
    service's (and view's) question (`access.can_use_dhis2_servers`).

    Raises: Http404.
    """
    server = (
        Dhis2Server.objects.filter(programme__in=Programme.objects.staffed_by(user))
        .select_related("programme")
        .filter(uuid=parse_uuid(server_uuid))
        .first()
    )
    if server is None:
        raise Http404
    return server
