"""IATI over the API: the files as XML, and publication settings; thin endpoints over selectors and services."""

from uuid import UUID

from django.http import HttpResponse
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from twinning.accounts.api_auth import ApiRequest
from twinning.core.api import error_responses
from twinning.interop.iati import selectors
from twinning.interop.iati.importer import iati_import

router = Router(tags=["interop"])

XML_RESPONSE = {
    "responses": {
        200: {
            "description": "An IATI 2.03 activity file.",
            "content": {"application/xml": {"schema": {"type": "string"}}},
        }
    }
}


def _xml(file: selectors.IatiFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


@router.get(
    "/iati/programmes/{programme_uuid}/activities.xml",
    response=error_responses(404),
    openapi_extra=XML_RESPONSE,
    summary="The programme's IATI activity file",
)
def programme_file(request: ApiRequest, programme_uuid: UUID) -> HttpResponse:
    """One `iati-activity` per partnership you may see (programme staff; 404 otherwise). 422 while the programme
    has no IATI organisation identifier."""
    _programme, file = selectors.programme_iati_file(request.auth, programme_uuid)
    return _xml(file)


@router.get(
    "/iati/partnerships/{partnership_uuid}/activity.xml",
    response=error_responses(404),
    openapi_extra=XML_RESPONSE,
    summary="A partnership's IATI activity",
)
def partnership_file(request: ApiRequest, partnership_uuid: UUID) -> HttpResponse:
    """The partnership's `iati-activity` (whoever reads the partnership; 404 otherwise)."""
    _partnership, file = selectors.partnership_iati_file(request.auth, partnership_uuid)
    return _xml(file)


class ProblemOut(Schema):
    path: str = Field(
        description="The element's path in the file, e.g. /iati-activities/iati-activity[2]/budget[1]."
    )
    message: str


class IatiImportOut(Schema):
    dry_run: bool
    written: bool = Field(
        description="True when the file was imported (never for a dry run or with problems)."
    )
    changes: list[str]
    counts: dict[str, int]
    problems: list[ProblemOut] = Field(description="Any problem: nothing is written.")
    warnings: list[ProblemOut] = Field(description="What was left out or waits; the rest is imported.")
    rule_breaks: list[ProblemOut] = Field(
        description="IATI rules the file breaks where the import does not rely on them: they do not stop it."
    )
    outcome: str = Field(description="The outcome in one sentence, its count matching `counts`.")


@router.post(
    "/iati/programmes/{programme_uuid}/import",
    response={200: IatiImportOut, **error_responses(403, 404)},
    summary="Check or import an IATI activity file",
)
def import_file(
    request: ApiRequest,
    programme_uuid: UUID,
    file: File[UploadedFile],
    dry_run: Form[bool] = True,
    default_country: Form[str] = "",
) -> IatiImportOut:
    """Programme editors (403 for other staff, 404 for everyone else). A dry run (the default) says what would
    change; an import writes everything or, with any problem, nothing. Re-importing the same file changes
    nothing. `default_country` (ISO 3166 alpha-2) places new organisations the file does not place."""
    programme = selectors.programme_for_iati_import(request.auth, programme_uuid)
    summary = iati_import(
        actor=request.auth,
        programme=programme,
        data=file,  # read as a stream (the upload handler has it in memory or a temporary file)
        dry_run=dry_run,
        default_country=default_country.strip().upper()[:2],
        name=file.name or "",
    )
    return IatiImportOut(
        dry_run=summary.dry_run,
        written=summary.written,
        changes=summary.changes,
        counts=summary.counts,
        problems=[ProblemOut(path=p.path, message=p.message) for p in summary.problems],
        warnings=[ProblemOut(path=p.path, message=p.message) for p in summary.warnings],
        rule_breaks=[ProblemOut(path=p.path, message=p.message) for p in summary.rule_breaks],
        outcome=summary.outcome,
    )
