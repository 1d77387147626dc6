"""DHIS2 servers of a programme: their settings (credentials encrypted), the connection check, sending the
programme's results and fetching values into it. Every change and exchange is audited on the server."""

import os
import tempfile
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.accounts.access import can_use_dhis2_servers, require
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.core.services import delete_with_audit, update_with_audit
from twinning.interop.dhis2 import addresses, client, jobs, secrets
from twinning.interop.dhis2.export import ExportScope, export_stream
from twinning.interop.dhis2.imports import ImportOptions, ImportSummary, dhis2_import
from twinning.interop.models import Dhis2Server
from twinning.partnerships.models import Programme

SERVER_FIELDS = ("name", "base_url", "auth", "username")


@transaction.atomic
def dhis2_server_create(*, actor: User, programme: Programme, secret: str, **fields: Any) -> Dhis2Server:
    """A DHIS2 server of the programme (its editors), `secret` (password or token) stored encrypted.

    Raises: PermissionDenied, ValidationError, TypeError (a field not in SERVER_FIELDS).
    """
    require(can_use_dhis2_servers(actor, programme.pk))
    unknown = set(fields) - set(SERVER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown DHIS2 server fields: {sorted(unknown)}")
    if not secret:
        raise ValidationError({"secret": _("Give the password or token.")})
    server = Dhis2Server(programme=programme, secret_encrypted=secrets.encrypt(secret), **fields)
    server.full_clean()
    addresses.check_url(server.base_url)
    server.save()
    # The audit names the settings and that a secret was given, never the secret, even encrypted.
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=server,
        changes={**{f: [None, getattr(server, f)] for f in SERVER_FIELDS}, "password or token": [None, "…"]},
        parent=programme,
    )
    return server


@transaction.atomic
def dhis2_server_update(
    *, actor: User, server: Dhis2Server, data: dict[str, Any], secret: str = ""
) -> Dhis2Server:
    """Change a server's settings; a blank `secret` keeps the stored one.

    Raises: PermissionDenied, ValidationError, TypeError.
    """
    require(can_use_dhis2_servers(actor, server.programme_id))
    unknown = set(data) - set(SERVER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown DHIS2 server fields: {sorted(unknown)}")
    if "base_url" in data:
        addresses.check_url(data["base_url"])
    extra = {"password or token": ["…", "changed"]} if secret else None  # a code: history shows it translated
    server = update_with_audit(
        actor=actor,
        obj=server,
        data=data,
        parent=server.programme,
        extra_changes=extra,
        reason=_("DHIS2 server"),
    )
    if secret:
        Dhis2Server.objects.filter(pk=server.pk).update(secret_encrypted=secrets.encrypt(secret))
        server.refresh_from_db()
    return server


@transaction.atomic
def dhis2_server_delete(*, actor: User, server: Dhis2Server) -> None:
    """Remove a server and its stored credentials.

    Raises: PermissionDenied.
    """
    require(can_use_dhis2_servers(actor, server.programme_id))
    delete_with_audit(actor=actor, obj=server, parent=server.programme)


def dhis2_server_check(*, actor: User, server: Dhis2Server) -> tuple[bool, str]:
    """Test the connection: (worked, what the server said), recorded on the server.

    Raises: PermissionDenied.
    """
    require(can_use_dhis2_servers(actor, server.programme_id))
    try:
        ok, message = True, client.check(server)
    except (client.Dhis2Error, ValidationError) as exc:
        ok, message = False, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    Dhis2Server.objects.filter(pk=server.pk).update(last_checked_at=timezone.now(), last_check=message[:300])
    server.refresh_from_db()
    return ok, message


@dataclass
class SendOutcome:
    """What a send did: the server's own import summary (DHIS2's JSON), or why it failed, and the values sent."""

    sent: int
    summary: dict[str, Any] | None
    error: str = ""


def dhis2_send(
    *, actor: User, server: Dhis2Server, periods: tuple[str, ...] = (), dry_run: bool = False
) -> SendOutcome:
    """Send the programme's results the actor may see (of `periods`, or all) to the server as a JSON data value
    set, streamed from a temporary file; the server's import summary is returned and audited.

    Raises: PermissionDenied.
    """
    require(can_use_dhis2_servers(actor, server.programme_id))
    scope = ExportScope(programme=server.programme, periods=periods)
    with tempfile.TemporaryFile() as body:
        sent = 0
        for piece in export_stream(actor, scope, "json"):
            body.write(piece.encode())
            sent += piece.count('"dataElement"')
        length = body.tell()
        body.seek(0)
        try:
            outcome = SendOutcome(sent, client.send(server, body, length, dry_run=dry_run))
        except client.Dhis2Conflict as exc:
            outcome = SendOutcome(sent, exc.summary, str(exc))
        except (client.Dhis2Error, ValidationError) as exc:
            outcome = SendOutcome(
                sent, None, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            )
    counts = (outcome.summary or {}).get("importCount", {})
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=server,
            changes={
                "sent": [None, sent],
                "dry run": [None, dry_run],
                "server status": [None, (outcome.summary or {}).get("status", "") or outcome.error[:200]],
                "server import count": [None, counts],
            },
            parent=server.programme,
            reason=_("Results sent to DHIS2"),
        )
    return outcome


def dhis2_fetch(
    *,
    actor: User,
    server: Dhis2Server,
    data_set: str,
    periods: tuple[str, ...],
    org_unit: str,
    options: ImportOptions,
) -> ImportSummary:
    """Fetch a data value set from the server (a data set, periods, an org unit and its children) and import it
    into the programme like an uploaded file; recorded and audited as an import unless a dry run.

    Raises: PermissionDenied.
    """
    require(can_use_dhis2_servers(actor, server.programme_id))
    params = {"dataSet": data_set, "period": list(periods), "orgUnit": org_unit, "children": "true"}
    try:
        path = client.fetch(server, params)
    except (client.Dhis2Error, ValidationError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return ImportSummary(status="ERROR", description=message, options=options)
    try:
        summary = dhis2_import(
            actor=actor,
            programme=server.programme,
            opener=lambda: open(path, "rb"),  # noqa: SIM115 (the reader closes it)
            fmt="json",
            options=options,
            source=server.name,
        )
    finally:
        os.unlink(path)
    if not options.dry_run:
        with transaction.atomic():
            jobs.import_record(
                actor=actor,
                programme=server.programme,
                partnership=None,
                source=_("%(server)s (fetched)") % {"server": server.name},
                fmt="json",
                summary=summary,
                server=server,
            )
    return summary
