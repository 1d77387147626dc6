"""DHIS2 over the API: exports (and imports) of data value sets and ADX, thin over the same selectors and services
as the pages. Mounted under /api/v1/interop/dhis2."""

from typing import Any, Literal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from ninja import Field, File, Query, Router, Schema
from ninja.files import UploadedFile

from twinning.accounts.api_auth import ApiRequest
from twinning.accounts.models import User
from twinning.core.api import error_responses
from twinning.core.periods import parse_period
from twinning.interop.dhis2 import jobs
from twinning.interop.dhis2.export import CONTENT_TYPES, EXTENSIONS, ExportScope, export_stream
from twinning.interop.dhis2.ids import IdScheme
from twinning.interop.dhis2.imports import ImportOptions, ImportSummary
from twinning.interop.dhis2.selectors import get_import_for_user
from twinning.interop.models import Dhis2Import
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff
from twinning.planning.models import Indicator

router = Router(tags=["interop"])

_DOWNLOAD = {
    "responses": {
        200: {
            "description": "The data values, as a file in the format asked for.",
            "content": {media: {"schema": {"type": "string"}} for media in CONTENT_TYPES.values()},
        }
    }
}


class ExportQuery(Schema):
    format: Literal["json", "xml", "csv", "adx"] = "json"
    partnership: UUID | None = Field(None, description="Only this partnership's values.")
    indicator: UUID | None = Field(None, description="Only this indicator's values.")
    period: list[str] = Field(
        default_factory=list,
        description="DHIS2 period ids (repeat the parameter); none for all.",
        max_length=200,
    )
    dataElementIdScheme: Literal["UID", "CODE", "uid", "code"] = "UID"


def _export_scope(
    user: User, programme: Programme, query: ExportQuery, partnership: Partnership | None
) -> ExportScope:
    periods = []
    for period_id in query.period:
        try:
            periods.append(parse_period(period_id).id)
        except ValueError:
            raise ValidationError({"period": [f"{period_id[:12]}: not a DHIS2 period identifier."]}) from None
    if query.partnership is not None and partnership is None:
        partnership = (
            Partnership.objects.visible_to(user).filter(programme=programme, uuid=query.partnership).first()
        )
        if partnership is None:
            raise Http404
    indicator = None
    if query.indicator is not None:
        indicator = Indicator.objects.filter(programme=programme, uuid=query.indicator).first()
        if indicator is None:
            raise Http404
    return ExportScope(
        programme=programme,
        partnership=partnership,
        indicator=indicator,
        periods=tuple(periods),
        data_element_id_scheme=IdScheme.CODE if query.dataElementIdScheme.upper() == "CODE" else IdScheme.UID,
    )


def _stream(user: User, scope: ExportScope, fmt: str, name: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (piece.encode() for piece in export_stream(user, scope, fmt)),
        content_type=CONTENT_TYPES[fmt],
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-dhis2.{EXTENSIONS[fmt]}"'
    return response


@router.get(
    "/programmes/{programme_uuid}/export",
    response=error_responses(404),
    openapi_extra=_DOWNLOAD,
    summary="Export a programme's results to DHIS2",
)
def programme_export(request: ApiRequest, programme_uuid: UUID, query: Query[ExportQuery]) -> Any:
    """The programme's results you may see as a DHIS2 data value set (JSON, XML, CSV) or ADX, optionally of one
    partnership, one indicator and some periods. Values without a DHIS2 identifier are left out."""
    programme = get_programme_for_staff(request.auth, programme_uuid)
    scope = _export_scope(request.auth, programme, query, None)
    return _stream(request.auth, scope, query.format, "programme")


@router.get(
    "/partnerships/{partnership_uuid}/export",
    response=error_responses(404),
    openapi_extra=_DOWNLOAD,
    summary="Export a partnership's results to DHIS2",
)
def partnership_export(request: ApiRequest, partnership_uuid: UUID, query: Query[ExportQuery]) -> Any:
    """One partnership's results you may see, as for the programme export (its `partnership` is ignored)."""
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    query.partnership = None
    scope = _export_scope(request.auth, partnership.programme, query, partnership)
    return _stream(request.auth, scope, query.format, "partnership")


# --- imports ----------------------------------------------------------------------------------------------------


class ImportQuery(Schema):
    format: Literal["json", "xml", "csv", "adx"] = Field(..., description="The file's format.")
    dryRun: bool = False
    atomicMode: Literal["ALL", "NONE"] = Field(
        "ALL", description="ALL: nothing unless every value; NONE: per value."
    )
    importStrategy: Literal["CREATE_AND_UPDATE", "DELETE"] = Field(
        "CREATE_AND_UPDATE",
        description="CREATE_AND_UPDATE: add and update results; DELETE: delete the results the file names "
        "(those of submitted or approved periods are conflicts, never deleted).",
    )
    dataElementIdScheme: Literal["UID", "CODE", "uid", "code"] | None = None
    idScheme: Literal["UID", "CODE", "uid", "code"] | None = None


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class Dhis2ConflictOut(Schema):
    object: str
    value: str
    indexes: list[int]
    property: str


class ImportSummaryOut(Schema):
    responseType: str
    status: str
    description: str
    importOptions: dict[str, Any]
    importCount: ImportCountOut
    conflicts: list[Dhis2ConflictOut]
    totalConflicts: int
    valuesRead: int


class QueuedOut(Schema):
    uuid: UUID
    status: str
    detail: str


def _options(query: ImportQuery) -> ImportOptions:
    return ImportOptions(
        dry_run=query.dryRun,
        atomic=query.atomicMode == "ALL",
        strategy=query.importStrategy,
        data_element_id_scheme=query.dataElementIdScheme.upper() if query.dataElementIdScheme else None,
        id_scheme=query.idScheme.upper() if query.idScheme else None,
    )


def _import_answer(done: ImportSummary | Dhis2Import) -> tuple[int, dict[str, Any]]:
    if isinstance(done, Dhis2Import):
        return 202, {"uuid": done.uuid, "status": done.status, "detail": "Queued for the task worker."}
    return 200, done.as_dhis2()


_IMPORT_RESPONSES: dict[int, Any] = {200: ImportSummaryOut, 202: QueuedOut, **error_responses(403, 404, 413)}


@router.post(
    "/programmes/{programme_uuid}/import",
    response=_IMPORT_RESPONSES,
    summary="Import a DHIS2 file into a programme",
)
def programme_import(
    request: ApiRequest, programme_uuid: UUID, query: Query[ImportQuery], file: File[UploadedFile]
) -> tuple[int, dict[str, Any]]:
    """Import a DHIS2 data value set (JSON, XML, CSV) or ADX file into the programme's results (its managers and
    M&E officers). Answers DHIS2's ImportSummary; a large file is queued (202) and its summary recorded."""
    programme = get_programme_for_staff(request.auth, programme_uuid)
    # Asked before the file is read (as the service asks again), so a reader's malformed upload answers 403.
    jobs.require_import(request.auth, programme, None)
    done = jobs.import_upload(
        actor=request.auth, programme=programme, upload=file, fmt=query.format, options=_options(query)
    )
    return _import_answer(done)


@router.post(
    "/partnerships/{partnership_uuid}/import",
    response=_IMPORT_RESPONSES,
    summary="Import a DHIS2 file into a partnership",
)
def partnership_import(
    request: ApiRequest, partnership_uuid: UUID, query: Query[ImportQuery], file: File[UploadedFile]
) -> tuple[int, dict[str, Any]]:
    """As the programme import, for one partnership (those who enter its data); values of others are conflicts."""
    partnership, _access = get_partnership_for_user(request.auth, partnership_uuid)
    jobs.require_import(request.auth, partnership.programme, partnership)  # before the file, as above
    done = jobs.import_upload(
        actor=request.auth,
        programme=partnership.programme,
        upload=file,
        fmt=query.format,
        options=_options(query),
        partnership=partnership,
    )
    return _import_answer(done)


@router.get(
    "/imports/{import_uuid}",
    response={200: ImportSummaryOut, 202: QueuedOut, **error_responses(404)},
    summary="A DHIS2 import's summary",
)
def import_detail(request: ApiRequest, import_uuid: UUID) -> tuple[int, dict[str, Any]]:
    """A queued or finished import you ran (or of a programme you edit): 202 while it waits or runs."""
    record = get_import_for_user(request.auth, import_uuid)
    if record.is_active or not record.summary:
        return 202, {
            "uuid": record.uuid,
            "status": record.status,
            "detail": f"{record.values_read} values read.",
        }
    return 200, record.summary
