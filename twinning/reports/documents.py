"""A donor report as a document: built once (`report_build`), then rendered as PDF (WeasyPrint, from the HTML
of `reports/document.html`) or as XLSX (the project's one formula-safe writer, `core.exports.xlsx_bytes`).

The PDF has a cover, a table of contents with page numbers, the programme's name and the period at the top of
every page, page numbers at the bottom, and table headers repeated on every page a table runs over. Both formats
are written in the language active when they are rendered: the caller wraps the build and the rendering in
`translation.override` with the asking person's language.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from twinning.accounts.models import User
from twinning.core.exports import Column, Table, xlsx_bytes
from twinning.core.spreadsheets import XLSX_TYPE
from twinning.partnerships.models import Partnership, Programme
from twinning.planning.periods import Period
from twinning.reports.sections import Scope, Section, build_sections

FORMATS = ("pdf", "xlsx")
PDF_TYPE = "application/pdf"


@dataclass
class ReportDocument:
    scope: Scope
    sections: list[Section]
    generated_at: datetime.datetime

    @property
    def title(self) -> str:
        if self.scope.partnership is not None:
            return _("Partnership report: %(partnership)s") % {"partnership": self.scope.partnership.title}
        return _("Programme report: %(programme)s") % {"programme": self.scope.programme.name}

    @property
    def running_head(self) -> str:
        """What the top of every page says: the programme and the period."""
        return f"{self.scope.programme.name} · {self.scope.period.label()}"

    def filename(self, extension: str) -> str:
        subject = self.scope.partnership.title if self.scope.partnership else self.scope.programme.name
        return f"{slugify(subject)[:60] or 'report'}-{self.scope.period.id}.{extension}"


def report_build(
    *,
    user: User,
    programme: Programme,
    period: Period,
    approved_only: bool,
    partnership: Partnership | None = None,
    partnerships: list[Partnership] | None = None,
    scope: Scope | None = None,
) -> ReportDocument:
    """The report of `partnership` (or of `programme`'s `partnerships`) for `period`, every section built.
    The caller has checked the user may read it (reports.selectors.get_*_for_report) and chosen
    `approved_only` from their access. Pass a ready `scope` to follow the build's progress (Scope.on_step).

    Raises: nothing.
    """
    if scope is None:
        scope = Scope(
            user=user,
            programme=programme,
            partnerships=[partnership] if partnership is not None else list(partnerships or []),
            period=period,
            approved_only=approved_only,
            partnership=partnership,
        )
    return ReportDocument(scope=scope, sections=build_sections(scope), generated_at=timezone.now())


def report_html(document: ReportDocument) -> str:
    """The finished HTML the PDF is rendered from (self-contained: its style and SVG charts inline).

    Raises: nothing.
    """
    scope = document.scope
    return render_to_string(
        "reports/document.html",
        {
            "document": document,
            "scope": scope,
            "sections": document.sections,
            "language": get_language() or "en",
            "generated": date_format(timezone.localtime(document.generated_at), "DATETIME_FORMAT"),
            "page_label": css_string(_("Page")),
            "of_label": css_string(_("of")),
        },
    )


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (for generated content such as "Page 3 of 12").

    Raises: nothing.
    """
    escaped = "".join(c if c.isalnum() or c in " .,:;-_()" else f"\\{ord(c):06x}" for c in text)
    return f'"{escaped}"'


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's PDF of finished HTML (no network: every resource is inline).

    Raises: nothing.
    """
    from weasyprint import HTML  # imported here: loading pango costs a few hundred ms, pages never need it

    return bytes(HTML(string=html).write_pdf())


def report_pdf(document: ReportDocument) -> bytes:
    """The report as a PDF. Raises: nothing."""
    return html_to_pdf(report_html(document))


def cover_table(document: ReportDocument) -> Table:
    """The XLSX's first sheet: what the report is, for whom, and its contents."""
    scope = document.scope
    rows: list[Sequence[Any]] = [
        (_("Report"), document.title),
        (_("Programme"), scope.programme.name),
        (_("Period"), scope.period.label()),
        # Dates as dates: the workbook writes them as date cells with a date format.
        (_("Period starts"), scope.period.start),
        (_("Period ends"), scope.period.end),
        (_("Prepared"), timezone.localtime(document.generated_at)),
        (_("Prepared for"), scope.user.get_full_name() or scope.user.get_short_name()),
    ]
    if scope.approved_only:
        rows.append((_("Results"), _("Only approved periods are counted.")))
    rows += [(_("Contents"), section.title) for section in document.sections]
    return Table(key="cover", title=_("Report"), columns=[Column(_("Item")), Column(_("Value"))], rows=rows)


def report_xlsx(document: ReportDocument) -> bytes:
    """The report as a workbook: the cover (its dates as date cells), then each section's sheets (an IPTT sheet
    per partnership, the programme summary with its sheets by country and by pillar, narratives, exchanges with
    their total, contributions), each with a frozen bold header, number and
    percentage cells formatted, and text that could start a formula written as text.

    Raises: nothing.
    """
    sheets = [cover_table(document), *(t for section in document.sections for t in section.sheets)]
    return xlsx_bytes(sheets)


def report_response(document: ReportDocument, kind: str) -> HttpResponse:
    """The report as a download in `kind` ("pdf" or "xlsx"), rendered in the active language.

    Raises: nothing.
    """
    if kind == "pdf":
        response = HttpResponse(report_pdf(document), content_type=PDF_TYPE)
    else:
        response = HttpResponse(report_xlsx(document), content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, document.filename(kind))
    return response
