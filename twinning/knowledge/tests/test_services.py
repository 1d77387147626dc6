"""The practice services: writing up, the publication workflow with its comments and confirmation, documents
with versions and language editions, and hostile uploads."""

import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from twinning.audit.models import AuditEvent
from twinning.knowledge import services
from twinning.knowledge.models import DocumentVersion, Practice, SearchEntry
from twinning.knowledge.samples import docx_bytes, pdf_bytes
from twinning.knowledge.tests.factories import PracticeFactory

S = Practice.Status


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_member_writes_up_a_practice_as_its_author(world):
    practice = services.practice_create(
        actor=world.member,
        partnerships=[world.partnership],
        title="Safer births checklist",
        summary="A checklist at every birth.",
        countries=["UG", "SE"],
        setting="hospital",
    )
    assert practice.status == S.DRAFT
    assert practice.author == world.member
    assert practice.programme == world.programme
    assert sorted(practice.countries.values_list("country", flat=True)) == ["SE", "UG"]
    assert AuditEvent.objects.for_object(practice).filter(action="create").exists()
    assert SearchEntry.objects.filter(practice=practice, version=None).count() == 1


def test_a_practice_cannot_be_written_for_someone_elses_partnership(world):
    with pytest.raises(ValidationError) as exc:
        services.practice_create(
            actor=world.member, partnerships=[world.other_partnership], title="X", summary="Y"
        )
    assert "partnerships" in exc.value.message_dict
    assert not Practice.objects.exists()


def test_a_viewer_writes_no_practice(world):
    with pytest.raises(PermissionDenied):
        services.practice_create(
            actor=world.partnership_viewer, partnerships=[world.partnership], title="X", summary="Y"
        )


def test_bad_input_changes_nothing(world):
    with pytest.raises(ValidationError) as exc:
        services.practice_create(
            actor=world.member, partnerships=[world.partnership], title="", summary="", countries=["XX"]
        )
    assert {"title", "summary", "countries"} <= set(exc.value.message_dict)
    assert not Practice.objects.exists()


def test_the_whole_workflow_with_comments_and_the_authors_confirmation(world):
    practice = PracticeFactory(partnership=world.partnership, author=world.member)
    services.practice_move(actor=world.member, practice=practice, to_status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        services.practice_move(actor=world.manager, practice=practice, to_status=S.PROGRAMME, comment=" ")
    services.practice_move(actor=world.manager, practice=practice, to_status=S.PROGRAMME, comment="Good work")
    with pytest.raises(ValidationError) as exc:
        services.practice_move(actor=world.manager, practice=practice, to_status=S.PUBLIC, comment="Share it")
    assert "personal data" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.practice_confirm_no_personal_data(actor=world.coordinator, practice=practice)
    services.practice_confirm_no_personal_data(actor=world.member, practice=practice)
    services.practice_move(actor=world.me_officer, practice=practice, to_status=S.PUBLIC, comment="Share it")
    practice.refresh_from_db()
    assert practice.status == S.PUBLIC and practice.published_at is not None
    steps = list(practice.steps.order_by("created_at", "id").values_list("to_status", "comment"))
    assert steps == [(S.SUBMITTED, ""), (S.PROGRAMME, "Good work"), (S.PUBLIC, "Share it")]
    audited = AuditEvent.objects.for_object(practice).filter(changes__has_key="status")
    assert audited.count() == 3


def test_a_member_cannot_approve_and_a_step_cannot_be_skipped(world):
    practice = PracticeFactory(partnership=world.partnership, status=S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.practice_move(
            actor=world.coordinator, practice=practice, to_status=S.PROGRAMME, comment="ok"
        )
    draft = PracticeFactory(partnership=world.partnership)
    with pytest.raises(PermissionDenied):
        services.practice_move(actor=world.manager, practice=draft, to_status=S.PUBLIC, comment="ok")
    assert Practice.objects.get(pk=draft.pk).status == S.DRAFT


def test_an_outsider_gets_404_from_the_workflow(world):
    from django.http import Http404

    practice = PracticeFactory(partnership=world.partnership, status=S.SUBMITTED)
    with pytest.raises(Http404):
        services.practice_move(
            actor=world.other_coordinator, practice=practice, to_status=S.WITHDRAWN, comment="x"
        )


def test_a_change_after_confirmation_asks_the_author_again(world):
    practice = PracticeFactory(partnership=world.partnership, author=world.member)
    services.practice_confirm_no_personal_data(actor=world.member, practice=practice)
    services.practice_update(actor=world.member, practice=practice, data={"results": "Fewer deaths."})
    practice.refresh_from_db()
    assert practice.no_personal_data_confirmed_at is None


def test_versions_and_language_editions_of_one_document(world):
    practice = PracticeFactory(partnership=world.partnership)
    document = services.document_create(
        actor=world.member,
        practice=practice,
        title="Checklist toolkit",
        type="toolkit",
        language="en",
        file=upload("toolkit.pdf", pdf_bytes("Toolkit", ["partograph first edition"])),
    )
    services.document_version_add(
        actor=world.member,
        document=document,
        language="en",
        file=upload("t2.pdf", pdf_bytes("T", ["second"])),
    )
    services.document_version_add(
        actor=world.member,
        document=document,
        language="ru",
        file=upload("t.docx", docx_bytes("Руководство", ["партограмма"])),
    )
    versions = sorted(document.versions.values_list("language", "number"))
    assert versions == [("en", 1), ("en", 2), ("ru", 1)]
    # The index holds the newest version of each edition; older ones stay downloadable.
    indexed = SearchEntry.objects.filter(practice=practice).exclude(version=None)
    assert sorted((e.language, e.version.number) for e in indexed) == [("en", 2), ("ru", 1)]
    assert DocumentVersion.objects.filter(document=document, number=1, language="en").get().file


def test_members_upload_only_while_a_draft(world):
    practice = PracticeFactory(partnership=world.partnership, status=S.PROGRAMME)
    with pytest.raises(PermissionDenied):
        services.document_create(
            actor=world.member,
            practice=practice,
            title="T",
            type="toolkit",
            language="en",
            file=upload("a.pdf", pdf_bytes("T", ["x"])),
        )


def _zip_bomb_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b"A" * (60 * 1024 * 1024) + b"</w:document>")
    return out.getvalue()


HOSTILE = {
    "zip bomb posing as DOCX": ("report.docx", _zip_bomb_docx),
    "PDF with JavaScript": (
        "brief.pdf",
        lambda: pdf_bytes("x", ["y"]).replace(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>",
        ),
    ),
    "PDF with an escaped JavaScript name": (
        "brief.pdf",
        lambda: pdf_bytes("x", ["y"]).replace(
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Catalog /Pages 2 0 R /Names << /J#61vaScript 5 0 R >> >>",
        ),
    ),
    "SVG with script": (
        "logo.svg",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "SVG named as text": (
        "notes.txt",
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "HTML named as PDF": ("brief.pdf", lambda: b"<html><script>alert(1)</script></html>"),
    "PDF named as DOCX": ("brief.docx", lambda: pdf_bytes("x", ["y"])),
    "executable named as PNG": ("photo.png", lambda: b"MZ\x90\x00" + b"\x00" * 100),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_uploads_are_refused(world, case):
    name, make = HOSTILE[case]
    practice = PracticeFactory(partnership=world.partnership)
    with pytest.raises(ValidationError) as exc:
        services.document_create(
            actor=world.member,
            practice=practice,
            title="T",
            type="other",
            language="en",
            file=upload(name, make()),
        )
    assert "file" in exc.value.message_dict
    assert not practice.documents.exists()
