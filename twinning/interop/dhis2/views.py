"""The DHIS2 pages: a programme's exchange page, its mapping, exports (programme and partnership)."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from twinning.accounts.access import (
    can_import_dhis2_programme,
    can_map_dhis2,
    can_use_dhis2_servers,
    require,
)
from twinning.accounts.models import User
from twinning.core.choices import Side
from twinning.core.http import AuthedRequest
from twinning.interop.dhis2 import jobs
from twinning.interop.dhis2 import mapping as dhis2_mapping
from twinning.interop.dhis2.export import CONTENT_TYPES, EXTENSIONS, ExportScope, export_stream
from twinning.interop.dhis2.forms import ExportForm, ImportForm
from twinning.interop.dhis2.imports import ImportSummary
from twinning.interop.dhis2.selectors import get_import_for_user
from twinning.interop.models import Dhis2Import
from twinning.partnerships.models import Partnership, Programme
from twinning.partnerships.selectors import get_partnership_for_user, get_programme_for_staff
from twinning.planning.models import Indicator


def _indicators(user: User, programme: Programme) -> QuerySet[Indicator]:
    """The programme's common indicators and the own indicators of partnerships the user may see."""
    visible = Partnership.objects.visible_to(user).filter(programme=programme)
    return Indicator.objects.filter(programme=programme).filter(
        Q(partnership__isnull=True) | Q(partnership__in=visible)
    )


def _export_form(
    user: User, programme: Programme, data: Any, partnership: Partnership | None = None
) -> ExportForm:
    partnerships = (
        Partnership.objects.filter(pk=partnership.pk)
        if partnership is not None
        else Partnership.objects.visible_to(user).filter(programme=programme)
    )
    indicators = _indicators(user, programme)
    if partnership is not None:
        indicators = indicators.filter(Q(partnership__isnull=True) | Q(partnership=partnership))
    return ExportForm(data, partnerships=partnerships.order_by("title"), indicators=indicators)


def export_filename(scope: ExportScope, fmt: str, name: str) -> str:
    """The download's name: the partnership's (else `name`, the programme's) slug, the periods asked for
    (the first and last of many), "dhis2" and the format's extension, joined by dashes.

    Raises: nothing.
    """
    subject = scope.partnership.title if scope.partnership is not None else name
    periods = list(scope.periods or ())
    shown = periods if len(periods) <= 2 else [periods[0], periods[-1]]
    parts = [slugify(subject)[:60] or "export", *(slugify(p) for p in shown), "dhis2"]
    return f"{'-'.join(parts)}.{EXTENSIONS[fmt]}"


def _download(user: User, scope: ExportScope, fmt: str, name: str) -> StreamingHttpResponse:
    pieces = (piece.encode() for piece in export_stream(user, scope, fmt))
    response = StreamingHttpResponse(pieces, content_type=f"{CONTENT_TYPES[fmt]}; charset=utf-8")
    filename = export_filename(scope, fmt, name)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _scope(form: ExportForm, programme: Programme, partnership: Partnership | None = None) -> ExportScope:
    data = form.cleaned_data
    return ExportScope(
        programme=programme,
        partnership=partnership or data.get("partnership"),
        indicator=data.get("indicator"),
        periods=data["periods"],
        data_element_id_scheme=data["data_element_id_scheme"],
    )


@login_required
def programme_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """A programme's DHIS2 page: the export for its staff; mapping, imports and servers for its editors."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    return render(
        request,
        "interop/dhis2/programme.html",
        {
            "programme": programme,
            "form": _export_form(request.user, programme, None),
            "can_map": can_map_dhis2(request.user, programme.pk),
            "can_import": can_import_dhis2_programme(request.user, programme.pk),
            "can_use_servers": can_use_dhis2_servers(request.user, programme.pk),
        },
    )


@login_required
def programme_export_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponseBase:
    """The download of the export the form describes (JSON when no format is given); only what the user may see."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    form = _export_form(request.user, programme, request.GET)
    if not form.is_valid():
        context = {"programme": programme, "form": form, "can_map": can_map_dhis2(request.user, programme.pk)}
        return render(request, "interop/dhis2/programme.html", context, status=400)
    return _download(request.user, _scope(form, programme), form.cleaned_data["format"], programme.name)


@login_required
def partnership_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    """A partnership's DHIS2 page: its export for everyone who may see it."""
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    form = _export_form(request.user, partnership.programme, None, partnership)
    return render(
        request,
        "interop/dhis2/partnership.html",
        {"partnership": partnership, "form": form, "can_import": access.can_enter_data},
    )


@login_required
def partnership_export_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponseBase:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    form = _export_form(request.user, partnership.programme, request.GET, partnership)
    if not form.is_valid():
        context = {"partnership": partnership, "form": form, "can_import": access.can_enter_data}
        return render(request, "interop/dhis2/partnership.html", context, status=400)
    scope = _scope(form, partnership.programme, partnership)
    return _download(request.user, scope, form.cleaned_data["format"], partnership.title)


# --- the mapping ------------------------------------------------------------------------------------------


def _mapping_rows(mapping: dhis2_mapping.Dhis2Mapping) -> dict[str, list[dict[str, Any]]]:
    """The page's rows: what each object is, its form key(s) and current identifiers."""
    m = dhis2_mapping
    return {
        "partnerships": [
            {"label": p.title, "key": m.partnership_key(p), "value": p.dhis2_attribute_option_combo}
            for p in mapping.partnerships
        ],
        "institutions": [
            {
                "label": row.institution.name,
                "detail": ", ".join(
                    str(Side(side).label)
                    for side in row.sides  # type: ignore[arg-type]
                ),
                "partnerships": ", ".join(row.partnerships),
                "key": m.institution_key(row.institution),
                "value": row.institution.dhis2_org_unit,
            }
            for row in mapping.institutions
        ],
        "indicators": [
            {
                "label": f"{i.code} {i.name}",
                "detail": i.partnership.title if i.partnership else _("Common"),
                "key": m.indicator_key(i, "uid"),
                "value": i.dhis2_data_element,
                "code_key": m.indicator_key(i, "code"),
                "code_value": i.dhis2_data_element_code,
            }
            for i in mapping.indicators
        ],
        "options": [
            {
                "label": str(o),  # in the reader's language, as every page names shipped options
                "detail": str(o.category),
                "key": m.option_key(o),
                "value": o.dhis2_category_option_combo,
            }
            for o in mapping.options
        ],
    }


# The hidden field that carries an identifier as the page showed it: "seen-" and the identifier's own key.
SEEN = "seen-"


@login_required
def mapping_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """Set and check the programme's DHIS2 identifiers (its editors; other staff 403, everyone else 404)."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    require(can_map_dhis2(request.user, programme.pk))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            posted_values = request.POST.dict()
            seen = {k.removeprefix(SEEN): v for k, v in posted_values.items() if k.startswith(SEEN)}
            changed = dhis2_mapping.dhis2_mapping_update(
                actor=request.user, programme=programme, values=posted_values, seen=seen
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(
                request,
                ngettext("%(count)s identifier changed.", "%(count)s identifiers changed.", changed)
                % {"count": changed},
            )
            return redirect("interop:dhis2_mapping", programme.uuid)
    mapping = dhis2_mapping.dhis2_mapping(programme)
    rows = _mapping_rows(mapping)
    posted = request.POST if errors else {}
    for group in rows.values():
        for row in group:
            for key_name, value_name in (("key", "value"), ("code_key", "code_value")):
                if key_name in row:
                    # The value as stored now goes with the form (the version this save edits); what the
                    # person typed stays in the field.
                    row[f"seen_{value_name}"] = row[value_name]
                    row[value_name] = posted.get(row[key_name], row[value_name])
                    row[key_name + "_errors"] = errors.get(row[key_name], [])
    programme_value = posted.get(dhis2_mapping.PROGRAMME_KEY, programme.dhis2_attribute_option_combo)
    return render(
        request,
        "interop/dhis2/mapping.html",
        {
            "programme": programme,
            "mapping": mapping,
            "rows": rows,
            "programme_key": dhis2_mapping.PROGRAMME_KEY,
            "programme_value": programme_value,
            "programme_seen": programme.dhis2_attribute_option_combo,
            "data_set_seen": programme.dhis2_data_set,
            "programme_errors": errors.get(dhis2_mapping.PROGRAMME_KEY, []),
            "data_set_key": dhis2_mapping.DATA_SET_KEY,
            "data_set_value": posted.get(dhis2_mapping.DATA_SET_KEY, programme.dhis2_data_set),
            "data_set_errors": errors.get(dhis2_mapping.DATA_SET_KEY, []),
            "has_errors": bool(errors),
        },
        status=400 if errors else 200,
    )


# --- imports --------------------------------------------------------------------------------------------------


def _import_page(
    request: AuthedRequest, programme: Programme, partnership: Partnership | None, back: str
) -> HttpResponse:
    """The import form and, after a small file, its summary; a large file goes to its record's page."""
    form = ImportForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"programme": programme, "partnership": partnership, "form": form, "back": back}
    if request.method == "POST" and form.is_valid():
        done = jobs.import_upload(
            actor=request.user,
            programme=programme,
            upload=form.cleaned_data["file"],
            fmt=form.cleaned_data["format"],
            options=form.options(),
            partnership=partnership,
        )
        if isinstance(done, Dhis2Import):
            return redirect("interop:dhis2_import_detail", done.uuid)
        context["summary"] = done
    return render(request, "interop/dhis2/import.html", context, status=400 if form.errors else 200)


@login_required
def programme_import_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """Import a DHIS2 file into the programme (its editors; other staff 403, everyone else 404)."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    require(can_import_dhis2_programme(request.user, programme.pk))
    return _import_page(request, programme, None, reverse("interop:dhis2_programme", args=[programme.uuid]))


@login_required
def partnership_import_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    """Import a DHIS2 file into one partnership (those who enter its data; readers 403, outsiders 404)."""
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, data_entry=True)
    back = reverse("interop:dhis2_partnership", args=[partnership.uuid])
    return _import_page(request, partnership.programme, partnership, back)


@login_required
def import_detail_view(request: AuthedRequest, import_uuid: UUID) -> HttpResponse:
    """An import's record: progress while the worker runs it (htmx polls), then its summary. For the person who
    ran it and the programme's editors; 404 for everyone else."""
    record = get_import_for_user(request.user, import_uuid)
    context = {
        "record": record,
        "summary": ImportSummary.from_dhis2(record.summary) if record.summary else None,
    }
    if request.htmx:
        return render(request, "interop/dhis2/includes/import_record.html", context)
    return render(request, "interop/dhis2/import_record.html", context)
