"""DHIS2 imports as records: run during the request when the file is small, else queued for the task worker
(`twinning db_worker`), which records progress as it reads. Every import that could write is recorded with its
summary and audited on the programme (a dry run writes nothing, not even its record, unless it runs in the
background, where the record is how the summary reaches the page).
"""

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from twinning.accounts.access import can_import_dhis2_programme, partnership_access, require
from twinning.accounts.models import User
from twinning.audit.models import AuditEvent
from twinning.audit.services import audit_record
from twinning.interop.dhis2.imports import ImportOptions, ImportSummary, Progress, dhis2_import
from twinning.interop.dhis2.parse import Opener
from twinning.interop.models import Dhis2Import, Dhis2Server
from twinning.partnerships.models import Partnership, Programme

# A file up to this size is imported during the request (a few thousand values); larger ones in the background.
INLINE_BYTES = 1024 * 1024
logger = logging.getLogger(__name__)


def require_import(actor: User, programme: Programme, partnership: Partnership | None) -> None:
    """A programme-wide import is for the programme's editors; a partnership's for those who enter its data.

    Raises: PermissionDenied.
    """
    if partnership is None:
        require(can_import_dhis2_programme(actor, programme.pk))
    else:
        require(partnership_access(actor, partnership).can_enter_data)


def _upload_opener(upload: Any) -> Opener:
    path = getattr(upload, "temporary_file_path", None)
    if path is not None:
        name = path()
        return lambda: open(name, "rb")
    upload.seek(0)
    data = upload.read()
    return lambda: io.BytesIO(data)


def import_record(
    *,
    actor: User,
    programme: Programme,
    partnership: Partnership | None,
    source: str,
    fmt: str,
    summary: ImportSummary,
    server: Dhis2Server | None = None,
) -> Dhis2Import:
    """Record a finished import with its summary, audited on the programme ("every import audited with its
    summary"). Call inside a transaction.

    Raises: ValidationError.
    """
    record = Dhis2Import(
        programme=programme,
        partnership=partnership,
        server=server,
        requested_by=actor,
        source=source[:200],
        format=fmt,
        options=summary.options.as_dict(),
        status=Dhis2Import.Status.DONE,
        values_read=summary.read,
        summary=summary.as_dhis2(),
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )
    record.full_clean()
    record.save()
    _audit(actor, record, summary)
    return record


def _audit(actor: User | None, record: Dhis2Import, summary: ImportSummary) -> None:
    audit_record(
        actor=actor,  # type: ignore[arg-type]
        action=AuditEvent.Action.CREATE,
        obj=record,
        changes={
            "source": [None, record.source],
            "status": [None, summary.status],
            "imported": [None, summary.imported],
            "updated": [None, summary.updated],
            "ignored": [None, summary.ignored],
            "deleted": [None, summary.deleted],
            "conflicts": [None, summary.conflict_count],
            "summary": [None, summary.description[:500]],
        },
        parent=record.programme,
        reason=_("DHIS2 import"),
    )


def import_upload(
    *,
    actor: User,
    programme: Programme,
    upload: Any,
    fmt: str,
    options: ImportOptions,
    partnership: Partnership | None = None,
) -> ImportSummary | Dhis2Import:
    """Import an uploaded DHIS2 file: a small one now (its summary returned, recorded unless a dry run), a large
    one queued for the task worker (the queued record returned, its page polls it).

    Raises: PermissionDenied.
    """
    require_import(actor, programme, partnership)
    source = (getattr(upload, "name", "") or "upload")[:200]
    if (upload.size or 0) > INLINE_BYTES:
        return _queue(actor, programme, partnership, upload, source, fmt, options)
    summary = dhis2_import(
        actor=actor,
        programme=programme,
        opener=_upload_opener(upload),
        fmt=fmt,
        options=options,
        partnership=partnership,
        source=source,
    )
    if not options.dry_run:
        with transaction.atomic():
            import_record(
                actor=actor,
                programme=programme,
                partnership=partnership,
                source=source,
                fmt=fmt,
                summary=summary,
            )
    return summary


@transaction.atomic
def _queue(
    actor: User,
    programme: Programme,
    partnership: Partnership | None,
    upload: Any,
    source: str,
    fmt: str,
    options: ImportOptions,
    server: Dhis2Server | None = None,
) -> Dhis2Import:
    record = Dhis2Import(
        programme=programme,
        partnership=partnership,
        server=server,
        requested_by=actor,
        source=source,
        format=fmt,
        options=options.as_dict(),
        file=upload,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=record,
        changes={"source": [None, source], "status": [None, record.status]},
        parent=programme,
        reason=_("DHIS2 import queued"),
    )
    transaction.on_commit(lambda: import_task.enqueue(record.pk))
    return record


def import_run(import_id: int) -> None:
    """Run one queued import as the person who asked for it, recording progress and the summary on its record
    (and in the audit log). The stored file is deleted afterwards, whatever happened.

    Raises: nothing (an unexpected error is logged and recorded as failed).
    """
    record = (
        Dhis2Import.objects.select_related("programme", "partnership", "requested_by")
        .filter(pk=import_id, status=Dhis2Import.Status.QUEUED)
        .first()
    )
    if record is None:
        return
    Dhis2Import.objects.filter(pk=record.pk).update(
        status=Dhis2Import.Status.RUNNING, started_at=timezone.now()
    )
    options = ImportOptions.from_dict(record.options)
    summary: ImportSummary | None = None
    status = Dhis2Import.Status.DONE
    try:
        if record.requested_by is None:
            raise PermissionDenied
        require_import(record.requested_by, record.programme, record.partnership)
        with _progress_recorder(record.pk) as progress:
            summary = dhis2_import(
                actor=record.requested_by,
                programme=record.programme,
                opener=lambda: record.file.storage.open(record.file.name or "", "rb"),
                fmt=record.format,
                options=options,
                partnership=record.partnership,
                source=record.source,
                progress=progress,
            )
    except (PermissionDenied, ValidationError):
        summary = ImportSummary(
            status="ERROR", description=_("You may no longer import into this programme."), options=options
        )
    except Exception:  # recorded for the page; the worker goes on with other jobs
        logger.exception("DHIS2 import %s failed", record.pk)
        status = Dhis2Import.Status.FAILED
        summary = ImportSummary(
            status="ERROR",
            description=_("The import failed and nothing was imported. Try again later."),
            options=options,
        )
    finally:
        record.file.delete(save=False)
    with transaction.atomic():
        Dhis2Import.objects.filter(pk=record.pk).update(
            file="",
            status=status,
            summary=summary.as_dhis2(),
            values_read=summary.read,
            finished_at=timezone.now(),
        )
        record.refresh_from_db()
        _audit(record.requested_by, record, summary)


@task
def import_task(import_id: int) -> None:
    """The task worker's entry point; takes the record's id so the worker reads the current row."""
    import_run(import_id)


@contextmanager
def _progress_recorder(import_id: int) -> Iterator[Progress | None]:
    """A callback writing the values read so far to the record through a second connection (the import's own
    writes stay invisible until it commits). On SQLite a second writer would wait for the import's lock, so
    there the page shows "running" without a count."""
    if connection.vendor != "postgresql":
        yield None
        return
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    table = Dhis2Import._meta.db_table

    def record(values: int) -> None:
        with other.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET values_read = %s WHERE id = %s", [values, import_id])

    try:
        yield record
    finally:
        other.close()
