from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from twinning.accounts.access import (
    can_create_institution,
    can_edit_institution,
    can_see_contacts_of,
    can_see_people_of,
    history_for_user,
    is_programme_editor,
)
from twinning.core.exports import Column, Link, Table, list_download
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest
from twinning.core.pagination import history_page, paginate
from twinning.core.reference import country_name, name_sort_key
from twinning.directory import services
from twinning.directory.forms import (
    SEARCH_SUFFIX,
    CountryPriorityForm,
    InstitutionEditForm,
    InstitutionForm,
    PersonForm,
    institution_picker_choices,
)
from twinning.directory.models import CountryPriority, HealthArea, Institution
from twinning.directory.selectors import get_institution_for_user, institution_list, people_of

INSTITUTION_DATA_FIELDS = [
    f for f in InstitutionForm.Meta.fields if f not in {"languages", "expertise", "needs"}
]


def _institutions_table(institutions: Any) -> Table:
    """The institution list as the page shows it: place with the country's name, expertise and languages."""

    def name(i: Institution) -> str:
        return f"{i.name} ({i.short_name})" if i.short_name else i.name

    return Table(
        key="institutions",
        title=_("Institutions"),
        columns=[
            Column(_("Institution")),
            Column(_("Type")),
            Column(_("City")),
            Column(_("Country")),
            Column(_("Expertise")),
            Column(_("Languages")),
        ],
        rows=[
            (
                Link(name(i), reverse("directory:detail", args=[i.uuid])),
                i.get_type_display(),
                i.city,
                country_name(i.country),
                "; ".join(_(area.name) for area in i.expertise.all()),
                ", ".join(str(lang) for lang in i.languages.all()),
            )
            for i in institutions
        ],
    )


@login_required
def institution_list_view(request: AuthedRequest) -> HttpResponse:
    filters = {
        "q": request.GET.get("q", "")[:100],
        "country": request.GET.get("country", "")[:2].upper(),
        "type": request.GET.get("type", "") if request.GET.get("type") in Institution.Type.values else "",
        "expertise": request.GET.get("expertise", "")[:50],
    }
    found = institution_list(user=request.user, **filters)
    download = list_download(request, found, _institutions_table)
    if download is not None:
        return download
    page = paginate(request, found)
    countries = Institution.objects.order_by().values_list("country", flat=True).distinct()
    context = {
        "page_obj": page,
        "institutions": page.object_list,
        "table": _institutions_table(page.object_list),
        "filters": filters,
        "types": Institution.Type.choices,
        "areas": HealthArea.objects.all(),
        "countries": sorted(
            ((c, country_name(c)) for c in countries), key=lambda item: name_sort_key(item[1])
        ),
        "can_create": can_create_institution(request.user),
    }
    template = "directory/includes/institution_results.html" if request.htmx else "directory/list.html"
    return render(request, template, context)


@login_required
def institution_detail_view(request: AuthedRequest, institution_uuid: UUID) -> HttpResponse:
    institution = get_institution_for_user(request.user, institution_uuid)
    see_people = can_see_people_of(request.user, institution)
    can_edit = can_edit_institution(request.user, institution)
    return render(
        request,
        "directory/detail.html",
        {
            "institution": institution,
            # The people's table is kept rendered ({% cached_section %}: stored data, no form input) and read only
            # when rendered: an institution has up to hundreds of people.
            "cache_sections": True,
            "expertise": institution.expertise_items.select_related("area"),
            "needs": institution.need_items.select_related("area"),
            "people": people_of(institution) if see_people else None,
            "see_contacts": see_people and can_see_contacts_of(request.user, institution),
            "priorities": CountryPriority.objects.filter(country=institution.country).select_related("area"),
            "can_edit": can_edit,
            "person_form": PersonForm(),
            "events": history_page(request, history_for_user(request.user, institution)),
            "history_full": can_edit,
        },
    )


def _institution_data(form: InstitutionForm) -> dict:
    data = {name: form.cleaned_data[name] for name in INSTITUTION_DATA_FIELDS}
    data["languages"] = form.cleaned_data["languages"]
    return data


@login_required
def institution_create_view(request: AuthedRequest) -> HttpResponse:
    if not can_create_institution(request.user):
        raise PermissionDenied
    form = InstitutionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            institution = services.institution_create(
                actor=request.user,
                expertise=form.cleaned_data["expertise"],
                needs=form.cleaned_data["needs"],
                **_institution_data(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The institution is added to the directory."))
            return redirect("directory:detail", institution.uuid)
    return render(
        request,
        "directory/form.html",
        {"form": form, "title": _("New institution")},
        status=400 if form.errors else 200,
    )


@login_required
def institution_edit_view(request: AuthedRequest, institution_uuid: UUID) -> HttpResponse:
    institution = get_institution_for_user(request.user, institution_uuid, write=True)
    form = InstitutionEditForm(
        request.POST or None, instance=institution, initial={"version": institution.version}
    )
    if request.method == "POST" and form.is_valid():
        data = _institution_data(form)
        data["expertise"] = form.cleaned_data["expertise"]
        data["needs"] = form.cleaned_data["needs"]
        try:
            services.institution_update(
                actor=request.user,
                institution=institution,
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("directory:detail", institution.uuid)
    return render(
        request,
        "directory/form.html",
        {"form": form, "institution": institution, "title": _("Edit %(name)s") % {"name": institution.name}},
        status=400 if form.errors else 200,
    )


@login_required
def person_add_view(request: AuthedRequest, institution_uuid: UUID) -> HttpResponse:
    institution = get_institution_for_user(request.user, institution_uuid, write=True)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.person_create(actor=request.user, institution=institution, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The person is added."))
            return redirect(f"{institution_url(institution)}#people")
    return render(
        request,
        "directory/form.html",
        {
            "form": form,
            "institution": institution,
            "title": _("Add a person to %(name)s") % {"name": institution.name},
        },
        status=400 if form.errors else 200,
    )


def institution_url(institution: Institution) -> str:
    return reverse("directory:detail", args=[institution.uuid])


@login_required
def priority_list_view(request: AuthedRequest) -> HttpResponse:
    can_add = is_programme_editor(request.user)
    form = CountryPriorityForm(request.POST or None)
    if request.method == "POST":
        if not can_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.country_priority_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The priority is recorded."))
                return redirect("directory:priorities")
    country = request.GET.get("country", "")[:2].upper()
    priorities = CountryPriority.objects.select_related("area").order_by("country", "rank")
    if country:
        priorities = priorities.filter(country=country)
    countries = CountryPriority.objects.order_by().values_list("country", flat=True).distinct()
    return render(
        request,
        "directory/priorities.html",
        {
            "priorities": priorities,
            "country": country,
            "countries": sorted(
                ((c, country_name(c)) for c in countries), key=lambda item: name_sort_key(item[1])
            ),
            "form": form if can_add else None,
        },
        status=400 if form.errors else 200,
    )


@login_required
def institution_options_view(request: AuthedRequest) -> HttpResponse:
    """The <option>s of an institution search picker (forms.InstitutionSearchSelect) for the text typed in its
    box, sent as `<field>_search` with the field's chosen value as `<field>`: the chosen institution stays
    first. The directory is open to every signed-in user."""
    search_key = next((key for key in request.GET if key.endswith(SEARCH_SUFFIX)), "")
    field = search_key[: -len(SEARCH_SUFFIX)]
    choices = institution_picker_choices(
        selected=request.GET.get(field) or None, query=request.GET.get(search_key, "")
    )
    return render(request, "directory/includes/institution_options.html", {"choices": choices})
