"""Evidence files of dissemination records and adoptions over the API: attached, replaced, downloaded and
removed with the web form's checks (type from the content, archive bounds, size limit), 404 outside, 403 read-only."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from twinning.accounts.services import api_token_create
from twinning.audit.models import AuditEvent
from twinning.knowledge.models import Adoption, DisseminationRecord
from twinning.knowledge.samples import pdf_bytes
from twinning.knowledge.tests.spread_factories import AdoptionFactory, DisseminationFactory, practice_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/knowledge"


def api(user) -> Client:
    _token, raw = api_token_create(actor=user, user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def pdf(name="slides.pdf", text="Bundle outcomes"):
    return SimpleUploadedFile(name, pdf_bytes(text, ["Presented to four district hospitals."]))


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "x" * 8_000_000)
    return out.getvalue()


@pytest.fixture
def record(world):
    return DisseminationFactory(partnership=world.partnership)


@pytest.fixture
def adoption(world):
    return AdoptionFactory(practice=practice_of(world.partnership))


def paths(record, adoption):
    return {
        "dissemination": (f"{URL}/dissemination/{record.uuid}/evidence", record),
        "adoption": (f"{URL}/adoptions/{adoption.uuid}/evidence", adoption),
    }


@pytest.mark.parametrize("kind", ["dissemination", "adoption"])
def test_a_member_attaches_replaces_downloads_and_removes_evidence(world, record, adoption, kind):
    url, obj = paths(record, adoption)[kind]
    client = api(world.member)
    response = client.post(url, {"file": pdf()})
    assert response.status_code == 200, response.json()
    assert response.json()["has_evidence_file"] is True
    obj.refresh_from_db()
    assert obj.evidence_file.name.endswith(".pdf") and obj.version == 2
    download = client.get(url)
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
    assert any("evidence_file" in event.changes for event in AuditEvent.objects.for_object(obj))
    # Replacing it checks the version read, when one is sent.
    assert client.post(url, {"file": pdf("v2.pdf"), "version": 1}).status_code == 409
    assert client.post(url, {"file": pdf("v2.pdf"), "version": 2}).status_code == 200
    assert client.delete(url).status_code == 204
    obj.refresh_from_db()
    assert not obj.evidence_file
    assert client.get(url).status_code == 404 and client.delete(url).status_code == 404


@pytest.mark.parametrize("kind", ["dissemination", "adoption"])
def test_outsiders_get_404_and_readers_403(world, record, adoption, kind):
    url, obj = paths(record, adoption)[kind]
    assert api(world.member).post(url, {"file": pdf()}).status_code == 200
    for outsider in (world.outsider, world.other_coordinator):
        client = api(outsider)
        assert client.post(url, {"file": pdf("mine.pdf")}).status_code == 404
        assert client.delete(url).status_code == 404
        assert client.get(url).status_code == 404
    reader = api(world.partnership_viewer)
    assert reader.post(url, {"file": pdf("mine.pdf")}).status_code == 403
    assert reader.delete(url).status_code == 403
    obj.refresh_from_db()
    assert "slides" in obj.evidence_file.name and "mine" not in obj.evidence_file.name and obj.version == 2


HOSTILE = {
    "executable named as PDF": ("report.pdf", b"MZ\x90\x00" + b"\x00" * 200),
    "zip bomb named as DOCX": ("report.docx", zip_bomb()),
    "SVG with script": (
        "logo.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    "HTML named as text": ("notes.exe", b"<html><script>alert(1)</script></html>"),
    "binary named as text": ("notes.txt", b"\x00\x01\x02binary"),
    "PDF with JavaScript": (
        "slides.pdf",
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("kind", ["dissemination", "adoption"])
def test_bad_files_are_422_and_change_nothing(world, record, adoption, kind, case):
    url, obj = paths(record, adoption)[kind]
    name, content = HOSTILE[case]
    response = api(world.member).post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 422, response.content
    assert response.json()["detail"]
    obj.refresh_from_db()
    assert not obj.evidence_file and obj.version == 1


@pytest.mark.parametrize("kind", ["dissemination", "adoption"])
def test_a_request_without_a_file_or_with_a_bad_version_is_422(world, record, adoption, kind):
    url, obj = paths(record, adoption)[kind]
    client = api(world.member)
    assert client.post(url, {}).status_code == 422
    assert client.post(url, {"file": pdf(), "version": "0"}).status_code == 422
    assert client.post(url, {"file": pdf(), "version": "x"}).status_code == 422
    obj.refresh_from_db()
    assert not obj.evidence_file


@override_settings(MAX_UPLOAD_BYTES=2000, DATA_UPLOAD_MAX_MEMORY_SIZE=5000)
@pytest.mark.parametrize("kind", ["dissemination", "adoption"])
def test_oversized_files_are_refused(world, record, adoption, kind):
    url, obj = paths(record, adoption)[kind]
    client = api(world.member)
    # Over the file limit but within the request's: the form's size check answers 422 with the limit.
    over = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 3000)
    response = client.post(url, {"file": over})
    assert response.status_code == 422 and "limit" in str(response.json())
    # A body past what any upload may be is refused before it is read.
    huge = SimpleUploadedFile("huge.pdf", b"%PDF-1.4\n" + b"0" * 20_000)
    response = client.post(url, {"file": huge})
    assert response.status_code == 413 and response.json()["detail"]
    obj.refresh_from_db()
    assert not obj.evidence_file
    assert not DisseminationRecord.objects.exclude(evidence_file="").exists()
    assert not Adoption.objects.exclude(evidence_file="").exists()


# One helper (knowledge.spread.evidence) serves both kinds of record, on the pages and over the API alike.


@pytest.mark.parametrize("kind", ["dissemination", "adoptions"])
def test_the_page_and_the_api_serve_the_same_attachment_for_both_kinds(client, world, kind):
    from django.urls import reverse

    holder = (
        DisseminationFactory(partnership=world.partnership)
        if kind == "dissemination"
        else AdoptionFactory(practice=practice_of(world.partnership))
    )
    member = api(world.member)
    attached = member.post(f"{URL}/{kind}/{holder.uuid}/evidence", {"file": pdf("list of people.pdf")})
    assert attached.status_code == 200, attached.content
    over_api = member.get(f"{URL}/{kind}/{holder.uuid}/evidence")
    client.force_login(world.member)
    page = (
        reverse("knowledge:dissemination_evidence", args=[holder.uuid])
        if kind == "dissemination"
        else reverse("knowledge:adoption_evidence", args=[holder.uuid])
    )
    on_page = client.get(page)
    assert over_api.status_code == on_page.status_code == 200
    assert over_api["Content-Disposition"] == on_page["Content-Disposition"]
    assert over_api["Content-Disposition"].startswith("attachment")
    assert member.delete(f"{URL}/{kind}/{holder.uuid}/evidence").status_code == 204
    assert member.delete(f"{URL}/{kind}/{holder.uuid}/evidence").status_code == 404
    assert client.get(page).status_code == 404


@pytest.mark.parametrize("kind", ["dissemination", "adoption"])
def test_refusals_name_the_right_kind_of_file(world, record, adoption, kind):
    """Tester findings 1 and 9: a PDF with script is refused as a practice document is; a zip bomb named .docx
    is refused as an archive, not as 'the workbook'."""
    url, _obj = paths(record, adoption)[kind]
    client = api(world.member)
    detail = str(client.post(url, {"file": SimpleUploadedFile(*HOSTILE["PDF with JavaScript"])}).json())
    assert "active content" in detail
    detail = str(client.post(url, {"file": SimpleUploadedFile(*HOSTILE["zip bomb named as DOCX"])}).json())
    assert "archive" in detail and "workbook" not in detail
