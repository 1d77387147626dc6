"""Small real documents (PDF, DOCX) made from text: for the demo programme's practice library, the tests and
the benchmark. The PDF is written by hand (one page per ~45 lines, Helvetica, WinAnsi text), so nothing beyond
python-docx is needed; both open in any reader and their text comes back out through knowledge.files.
"""

import io
import textwrap

import docx

_LINES_PER_PAGE = 45


def _pdf_string(line: str) -> bytes:
    raw = line.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def pdf_bytes(title: str, paragraphs: list[str]) -> bytes:
    """A valid PDF 1.4 with `title` and the paragraphs wrapped at 90 characters (Latin text: the standard
    Helvetica font writes Windows-1252, so other scripts come out as '?')."""
    lines = [title, ""]
    for paragraph in paragraphs:
        lines.extend(textwrap.wrap(paragraph, 90) or [""])
        lines.append("")
    pages = [lines[i : i + _LINES_PER_PAGE] for i in range(0, len(lines), _LINES_PER_PAGE)] or [[]]
    objects: list[bytes] = []
    page_ids = [4 + 2 * n for n in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = b" ".join(b"%d 0 R" % pid for pid in page_ids)
    objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for number, page_lines in enumerate(pages):
        stream = (
            b"BT /F1 11 Tf 14 TL 56 790 Td " + b" ".join(_pdf_string(t) + b" '" for t in page_lines) + b" ET"
        )
        content_id = page_ids[number] + 1
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % content_id
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for index, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (index, body))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def docx_bytes(title: str, paragraphs: list[str]) -> bytes:
    """A DOCX with `title` as its heading and the paragraphs (any script)."""
    document = docx.Document()
    document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
