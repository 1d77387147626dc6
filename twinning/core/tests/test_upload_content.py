"""Every upload field that accepts PDFs or Office files checks the content the same way (tester finding, issue 12):
a PDF with script and a zip bomb posing as a document are refused everywhere, with a message naming the kind."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from twinning.contributions.models import GiftEvidence
from twinning.core.validators import validate_upload_content
from twinning.exchanges.models import Exchange
from twinning.knowledge.models import Adoption, DisseminationRecord, validate_evidence_file
from twinning.monitoring.models import Evidence
from twinning.partnerships.models import Agreement

JS_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n%%EOF"


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "x" * 8_000_000)
    return out.getvalue()


FIELDS = [
    (GiftEvidence, "file"),
    (Exchange, "report_file"),
    (Evidence, "file"),
    (Agreement, "document"),
    (DisseminationRecord, "evidence_file"),
    (Adoption, "evidence_file"),
]


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m.__name__}.{f}" for m, f in FIELDS])
def test_every_upload_field_checks_the_content(model, field):
    validators = model._meta.get_field(field).validators
    assert validate_upload_content in validators or validate_evidence_file in validators


def test_a_pdf_with_javascript_is_refused():
    with pytest.raises(ValidationError, match="active content"):
        validate_upload_content(SimpleUploadedFile("report.pdf", JS_PDF))


def test_a_zip_bomb_named_docx_is_refused_as_an_archive_not_a_workbook():
    with pytest.raises(ValidationError) as caught:
        validate_upload_content(SimpleUploadedFile("report.docx", zip_bomb()))
    assert "archive" in str(caught.value) and "workbook" not in str(caught.value)


@pytest.mark.parametrize(
    ("name", "content"), [("report.pdf", b"MZ\x90\x00"), ("report.doc", b"%PDF-1.4"), ("a.txt", b"a\x00b")]
)
def test_content_that_disagrees_with_the_name_is_refused(name, content):
    with pytest.raises(ValidationError, match="does not match"):
        validate_upload_content(SimpleUploadedFile(name, content))


def test_a_clean_pdf_passes():
    from twinning.knowledge.samples import pdf_bytes

    validate_upload_content(SimpleUploadedFile("ok.pdf", pdf_bytes("Title", ["Body"])))
