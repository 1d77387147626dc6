"""Who may use each practice-library URL (see twinning/testing/roles.py). The practice the URLs name is a draft
of world.partnership; the public pages are also asked for it (nobody may reach a draft there) and, as
"#public", for a practice published publicly (everyone, signed in or not)."""

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from twinning.knowledge import services
from twinning.knowledge.models import Practice
from twinning.knowledge.samples import pdf_bytes
from twinning.knowledge.tests import spread_role_rules
from twinning.knowledge.tests.factories import PracticeFactory, publish_as_is
from twinning.testing import roles

DRAFT_READERS = {"finance", "me_officer", "manager", "member", "coordinator", "resource_coordinator", "admin"}
WRITERS = {"me_officer", "manager", "member", "coordinator", "resource_coordinator", "admin"}
CREATORS = WRITERS | {"other_coordinator"}


def _draft(role: str, allowed: set[str]) -> Any:
    if role == "anonymous":
        return 302
    if role not in DRAFT_READERS:
        return 404
    return roles.OK if role in allowed else 403


def read_draft(role: str) -> Any:
    return _draft(role, DRAFT_READERS)


def write_draft(role: str) -> Any:
    return _draft(role, WRITERS)


def confirm(role: str) -> Any:
    # Only the author confirms (the draft has none, so only an administrator may).
    return _draft(role, {"admin"})


def create(role: str) -> Any:
    if role == "anonymous":
        return 302
    return roles.OK if role in CREATORS else 403


def nobody(role: str) -> Any:
    return 404


def everyone(role: str) -> Any:
    return 200


RULES = {
    "knowledge:library": ("get", roles.signed_in),
    "knowledge:create": ("get", create),
    "knowledge:create#post": ("post", create),
    "knowledge:detail": ("get", read_draft),
    "knowledge:edit": ("get", write_draft),
    "knowledge:edit#post": ("post", write_draft),
    "knowledge:move": ("post", read_draft),
    "knowledge:confirm": ("post", confirm),
    "knowledge:document_create": ("get", write_draft),
    "knowledge:document_create#post": ("post", write_draft),
    "knowledge:version_create": ("get", write_draft),
    "knowledge:download": ("get", read_draft),
    "practices:list": ("get", everyone),
    "practices:detail": ("get", nobody),
    "practices:detail#public": ("get", everyone),
    "practices:download": ("get", nobody),
    "practices:download#public": ("get", everyone),
    # Dissemination, the replication register and the spread views.
    **spread_role_rules.RULES,
}


def _with_document(world: Any, status: str) -> tuple[Practice, Any]:
    practice = PracticeFactory(
        partnership=world.partnership, title=f"Role matrix {status} practice", status=status
    )
    document = services.document_create(
        actor=world.admin,
        practice=practice,
        title="Role matrix toolkit",
        type="toolkit",
        language="en",
        file=SimpleUploadedFile("toolkit.pdf", pdf_bytes("Toolkit", ["For the role matrix."])),
    )
    Practice.objects.filter(pk=practice.pk).update(status=status)
    if status == Practice.Status.PUBLIC:
        # Published without the workflow, so its file and text are marked as covered by the author's
        # confirmation, as publishing publicly does (what is not yet confirmed stays off the public pages).
        return publish_as_is(practice), document
    return practice, document


def objects(world: Any) -> dict[str, Any]:
    draft, document = _with_document(world, Practice.Status.DRAFT)
    public, public_document = _with_document(world, Practice.Status.PUBLIC)
    public_version = public_document.versions.get()
    return {
        **spread_role_rules.objects(world),
        "practice_uuid": draft.uuid,
        "document_uuid": document.uuid,
        "version_uuid": document.versions.get().uuid,
        "practices:detail#public": {"practice_uuid": public.uuid},
        "practices:download#public": {"practice_uuid": public.uuid, "version_uuid": public_version.uuid},
    }


def restore(world: Any, objects: dict[str, Any]) -> None:
    spread_role_rules.restore(world, objects)
