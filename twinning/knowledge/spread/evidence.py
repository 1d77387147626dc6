"""The evidence file of a dissemination record or an adoption, one way for both and for web and API alike:
read it (scoped, 403 for a reader the programme does not grant evidence, 404 when there is none), attach
one (replacing the one there) and remove it. The pages and the API routes only name which kind of record."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

from twinning.accounts.access import can_see_record_evidence, require
from twinning.accounts.models import User
from twinning.knowledge.models import Adoption, DisseminationRecord
from twinning.knowledge.spread import selectors, services


@dataclass(frozen=True)
class EvidenceOf[R: (DisseminationRecord, Adoption)]:
    """How one kind of record holds its evidence: its scoped getter (`get(user, uuid, write=...)`, Http404
    outside, PermissionDenied for a write not allowed), who may download (`may_see(user, record)`) and the
    update service that attaches or clears the file (`update(actor, record, data, expected_version)`)."""

    get: Callable[..., R]
    may_see: Callable[[User, R], bool]
    update: Callable[[User, R, dict[str, Any], int | None], R]


def _record_may_see(user: User, record: DisseminationRecord) -> bool:
    return can_see_record_evidence(user, programme=record.programme, partnership=record.partnership)


DISSEMINATION: EvidenceOf[DisseminationRecord] = EvidenceOf(
    get=selectors.get_dissemination_for_user,
    may_see=_record_may_see,
    update=lambda actor, record, data, version: services.dissemination_update(
        actor=actor, record=record, data=data, expected_version=version
    ),
)
ADOPTION: EvidenceOf[Adoption] = EvidenceOf(
    get=selectors.get_adoption_for_user,
    may_see=selectors.can_see_adoption_evidence,
    update=lambda actor, adoption, data, version: services.adoption_update(
        actor=actor, adoption=adoption, data=data, expected_version=version
    ),
)


def evidence_download[R: (DisseminationRecord, Adoption)](
    kind: EvidenceOf[R], user: User, uuid: UUID
) -> FileResponse:
    """The record's evidence file, always as an attachment (a browser never renders an upload in the site's
    origin). Raises: Http404 (record hidden, or no file), PermissionDenied (evidence not granted to readers).
    """
    record = kind.get(user, uuid)
    require(kind.may_see(user, record))
    file: FieldFile = record.evidence_file
    if not file:
        raise Http404
    return FileResponse(file.open("rb"), as_attachment=True, filename=Path(file.name or "").name)


def evidence_attach[R: (DisseminationRecord, Adoption)](
    kind: EvidenceOf[R], user: User, uuid: UUID, file: Any, sent: Any
) -> R:
    """Attach `file` to the record (replacing the one attached), through its update service, at the version the
    form `sent` gives (`sent.version`, int or None); returns the record read again. The record is looked up
    before the form is read, so a hidden record answers 404 whatever was sent (see twinning.core.api).
    Raises: Http404, PermissionDenied, ValidationError (a refused file), VersionConflict."""
    record = kind.get(user, uuid, write=True)
    kind.update(user, record, {"evidence_file": file}, sent.version)
    return kind.get(user, uuid)


def evidence_remove[R: (DisseminationRecord, Adoption)](kind: EvidenceOf[R], user: User, uuid: UUID) -> None:
    """Remove the record's evidence file. Raises: Http404 (hidden, or no file), PermissionDenied."""
    record = kind.get(user, uuid, write=True)
    if not record.evidence_file:
        raise Http404
    kind.update(user, record, {"evidence_file": ""}, None)
