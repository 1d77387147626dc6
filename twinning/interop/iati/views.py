"""IATI pages: the programme's IATI page (checks, downloads, publication), the files, the public file."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from twinning.accounts.access import iati_file_is_public, programme_access, require
from twinning.core.exports import Column, Table
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only
from twinning.interop.iati import selectors, services
from twinning.interop.iati.forms import ImportForm, PublicationForm
from twinning.interop.iati.importer import ImportSummary, iati_import
from twinning.interop.iati.rules import Problem
from twinning.interop.iati.selectors import IatiFile
from twinning.partnerships.models import Programme


def _download(file: IatiFile) -> HttpResponse:
    response = HttpResponse(file.content, content_type="application/xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{file.filename}"'
    return response


def problems_table(problems: list[Problem], key: str = "problems") -> Table:
    """Problems as the shared table component shows them: where in the file, and what."""
    return Table(
        key=key,
        title=_("Problems"),
        columns=[Column(_("Element")), Column(_("Problem"))],
        rows=[(p.path, p.message) for p in problems],
    )


def _page(
    request: AuthedRequest,
    programme: Programme,
    form: PublicationForm,
    status: int = 200,
    import_form: ImportForm | None = None,
    summary: ImportSummary | None = None,
) -> HttpResponse:
    access = programme_access(request.user, programme.pk, programme)
    checked = None
    if programme.iati_org_id:
        checked = selectors.programme_iati_file(request.user, programme.uuid, checked=True)[1]
    public_url = (
        request.build_absolute_uri(reverse("interop:iati_public", args=[programme.uuid]))
        if iati_file_is_public(programme)
        else ""
    )
    context = {
        "programme": programme,
        "access": access,
        "form": form,
        "checked": checked,
        "problems": problems_table(checked.problems or []) if checked else None,
        "public_url": public_url,
        "import_form": import_form or ImportForm(),
        "summary": summary,
        "summary_problems": problems_table(summary.problems, "import-problems") if summary else None,
        "summary_warnings": problems_table(summary.warnings, "import-warnings") if summary else None,
        "summary_rule_breaks": problems_table(summary.rule_breaks, "import-rule-breaks") if summary else None,
    }
    return render(request, "interop/iati/programme.html", context, status=status)


def _publication_form(programme: Programme, data: object = None) -> PublicationForm:
    initial = {
        "iati_org_id": programme.iati_org_id,
        "iati_org_type": programme.iati_org_type,
        "published": programme.iati_published,
    }
    return PublicationForm(data, initial=initial)  # type: ignore[arg-type]


@login_required
@require_GET
def programme_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """The programme's IATI page: what the checks find in its file, downloads, the public address; staff only."""
    programme = selectors.programme_for_iati_page(request.user, programme_uuid)
    return _page(request, programme, _publication_form(programme))


@login_required
@post_only
def publication_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """Set the IATI organisation and publish or withdraw the file: managers (other staff 403, others 404)."""
    programme = selectors.programme_for_iati_page(request.user, programme_uuid)
    require(programme_access(request.user, programme.pk, programme).can_publish_iati)
    form = _publication_form(programme, request.POST)
    if form.is_valid():
        try:
            services.iati_publication_set(
                actor=request.user,
                programme=programme,
                iati_org_id=form.cleaned_data["iati_org_id"],
                iati_org_type=form.cleaned_data["iati_org_type"],
                published=form.cleaned_data["published"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("interop:iati_programme", programme.uuid)
    programme.refresh_from_db()
    return _page(request, programme, form, status=400)


@login_required
@require_GET
def programme_file_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """The programme's IATI activity file (staff)."""
    try:
        _programme, file = selectors.programme_iati_file(request.user, programme_uuid)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("interop:iati_programme", programme_uuid)
    return _download(file)


@login_required
@require_GET
def partnership_file_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    """One partnership's IATI activity (whoever reads the partnership)."""
    try:
        _partnership, file = selectors.partnership_iati_file(request.user, partnership_uuid)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("partnerships:detail", partnership_uuid)
    return _download(file)


@require_GET
def public_file_view(request: HttpRequest, programme_uuid: UUID) -> HttpResponse:
    """The published file, for anyone and the IATI Registry (404 unless published); served inline."""
    file = selectors.public_iati_file(programme_uuid)
    return HttpResponse(file.content, content_type="application/xml; charset=utf-8")


@login_required
@post_only
def import_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """Check (dry run) or import an IATI activity file into the programme: its editors (other staff 403, others
    404). The page shows what changed or would change, every problem with its element's path, and warnings."""
    programme = selectors.programme_for_iati_import(request.user, programme_uuid)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, programme, _publication_form(programme), status=400, import_form=form)
    upload = form.cleaned_data["file"]
    summary = iati_import(
        actor=request.user,
        programme=programme,
        data=upload,  # read as a stream (the upload handler has it in memory or a temporary file)
        dry_run=form.cleaned_data["dry_run"],
        default_country=form.cleaned_data["default_country"],
        name=upload.name,
    )
    # No flash message besides: the summary on the page says what happened (and a flash "imported" over a
    # summary saying nothing changed was the confusion).
    status = 400 if summary.problems else 200
    return _page(request, programme, _publication_form(programme), status, ImportForm(), summary)
