"""Checking a practice document's upload and extracting its text for search.

Every upload is treated as hostile (issue 12; the same bounds as core/uploads.py). The type is found from the
content, and the name's extension must agree with it, so a file lying about its type is refused. Office files
(DOCX, XLSX, PPTX, ODF) are ZIP archives: their archive is checked with core.uploads.check_archive (members,
sizes, compression ratio) before anything is parsed, so a zip bomb posing as a DOCX is refused. A PDF that
carries active content (JavaScript, launch actions, embedded files) is refused. SVG and HTML are not accepted
at all (they run script when opened in a browser); and every file is served only as an attachment with
`X-Content-Type-Options: nosniff` (views), never rendered inline.

Text comes out of PDF (pypdf), DOCX (python-docx) and XLSX (every sheet, through the bounded reader of
core.uploads); it is capped at MAX_EXTRACTED_CHARS, and a file whose text cannot be read is still accepted
(search then finds it by its title and description only).
"""

import logging
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from twinning.core.uploads import check_archive, read_workbook, refuse_active_pdf
from twinning.knowledge.models import MAX_EXTRACTED_CHARS

logger = logging.getLogger(__name__)

# Extension -> the type the content must have. Office documents are told apart by their archive members.
ACCEPTED = {
    "pdf": "pdf",
    "docx": "docx",
    "xlsx": "xlsx",
    "pptx": "pptx",
    "odt": "odt",
    "ods": "ods",
    "odp": "odp",
    "txt": "text",
    "csv": "text",
    "png": "png",
    "jpg": "jpg",
    "jpeg": "jpg",
}
ACCEPTED_EXTENSIONS = sorted(ACCEPTED)
# The media type a download is served with, from the type found in the content.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "text": "text/plain; charset=utf-8",
    "png": "image/png",
    "jpg": "image/jpeg",
}
MAX_PDF_PAGES = 2000
MAX_XLSX_ROWS = 50_000


@dataclass(frozen=True)
class Inspected:
    file_type: str  # a value of ACCEPTED
    text: str
    extraction: str  # a DocumentVersion.Extraction value


def inspect_upload(file: IO[bytes], name: str) -> Inspected:
    """The checked type of an uploaded document and its text.

    Raises ValidationError when the extension is not accepted, the content is not what the extension says, an
    archive is unsafe to open, or a PDF carries active content. Leaves the file at its start.
    """
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ACCEPTED:
        raise ValidationError(
            _("Files of this type are not accepted. Upload one of: %(types)s.")
            % {"types": ", ".join(ACCEPTED_EXTENSIONS)},
            code="file_type",
        )
    file.seek(0)
    found = _sniff(file)
    if found != ACCEPTED[extension]:
        raise ValidationError(
            _(
                "The file's content is not a .%(extension)s file; save it in that format, or name it for what it is."
            )
            % {"extension": extension},
            code="file_type",
        )
    try:
        if found == "pdf":
            refuse_active_pdf(file)
        return _extract(file, found)
    finally:
        file.seek(0)


def _sniff(file: IO[bytes]) -> str:
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_archive(file)
    return _sniff_text(file)


def _sniff_archive(file: IO[bytes]) -> str:
    try:
        check_archive(file)
    except ValidationError:
        raise ValidationError(
            _("The file is a damaged archive, or too large or too densely packed to open safely."),
            code="unsafe",
        ) from None
    with zipfile.ZipFile(file) as archive:
        names = set(archive.namelist())
        mimetype = archive.read("mimetype")[:100].decode("ascii", "replace") if "mimetype" in names else ""
    file.seek(0)
    if "[Content_Types].xml" in names:
        for member, kind in (
            ("word/document.xml", "docx"),
            ("xl/workbook.xml", "xlsx"),
            ("ppt/presentation.xml", "pptx"),
        ):
            if member in names:
                return kind
    odf = {
        "application/vnd.oasis.opendocument.text": "odt",
        "application/vnd.oasis.opendocument.spreadsheet": "ods",
        "application/vnd.oasis.opendocument.presentation": "odp",
    }
    return odf.get(mimetype.strip(), "zip")


def _sniff_text(file: IO[bytes]) -> str:
    data = file.read(64 * 1024)
    file.seek(0)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(data) - 4:
            return "binary"
        text = data[: exc.start].decode("utf-8")
    if "\x00" in text:
        return "binary"
    # Markup that a browser would run if the file were ever opened inline is not plain text.
    if re.search(r"<\s*(svg|script|html|iframe|object)\b", text[:4096], re.IGNORECASE):
        return "markup"
    return "text"


def _extract(file: IO[bytes], file_type: str) -> Inspected:
    reader = {"pdf": _pdf_text, "docx": _docx_text, "xlsx": _xlsx_text, "text": _plain_text}
    extract = reader.get(file_type)
    if extract is None:
        return Inspected(file_type, "", "none")
    try:
        text = extract(file)
    except ValidationError:
        raise
    except Exception:  # broken but harmless files are kept; search finds them by title and description
        logger.info("no text extracted from an uploaded %s", file_type, exc_info=True)
        return Inspected(file_type, "", "failed")
    text = text.replace("\x00", "")[:MAX_EXTRACTED_CHARS]
    return Inspected(file_type, text, "done")


def _pdf_text(file: IO[bytes]) -> str:
    from pypdf import PdfReader

    reader = PdfReader(file)
    parts: list[str] = []
    total = 0
    for number, page in enumerate(reader.pages):
        if number >= MAX_PDF_PAGES or total > MAX_EXTRACTED_CHARS:
            break
        text = page.extract_text() or ""
        parts.append(text)
        total += len(text)
    return "\n".join(parts)


def _docx_text(file: IO[bytes]) -> str:
    import docx

    document = docx.Document(file)
    parts: list[str] = []
    total = 0
    for paragraph in document.paragraphs:
        parts.append(paragraph.text)
        total += len(paragraph.text)
        if total > MAX_EXTRACTED_CHARS:
            return "\n".join(parts)
    for table in document.tables:
        for row in table.rows:
            line = " ".join(cell.text for cell in row.cells)
            parts.append(line)
            total += len(line)
            if total > MAX_EXTRACTED_CHARS:
                return "\n".join(parts)
    return "\n".join(parts)


def _xlsx_text(file: IO[bytes]) -> str:
    parts: list[str] = []
    total = 0
    title = None
    # The bounded reader checks the archive again, streams every sheet's rows and caps cells; the row limit
    # counts the rows of all sheets together: stop before it. Each sheet's name is text search may look for.
    for number, (sheet, row) in enumerate(read_workbook(file, max_rows=MAX_XLSX_ROWS + 1)):
        if number >= MAX_XLSX_ROWS or total > MAX_EXTRACTED_CHARS:
            break
        if sheet != title:
            title = sheet
            parts.append(sheet)
            total += len(sheet)
        line = " ".join(str(value) for value in row if value not in (None, ""))
        parts.append(line)
        total += len(line)
    return "\n".join(parts)


def _plain_text(file: IO[bytes]) -> str:
    return file.read(MAX_EXTRACTED_CHARS * 4).decode("utf-8", "replace")
