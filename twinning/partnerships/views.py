from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from twinning.accounts.access import PartnershipAccess, history_for_user, require_programme_manager
from twinning.accounts.models import PartnershipMembership
from twinning.core.exports import Column, Link, Table, list_download
from twinning.core.forms import add_service_errors
from twinning.core.http import AuthedRequest, post_only, post_scope
from twinning.core.ids import parse_uuid
from twinning.core.pagination import history_page, paginate
from twinning.core.reference import country_name, name_sort_key
from twinning.partnerships import services
from twinning.partnerships.forms import (
    AgreementForm,
    MemberForm,
    PartnershipCreateForm,
    PartnershipEditForm,
    ReaderGrantsForm,
    StageForm,
    StakeholderForm,
)
from twinning.partnerships.models import Partnership, Programme, Stage
from twinning.partnerships.selectors import (
    get_partnership_for_user,
    get_programme_for_staff,
    get_programme_for_user,
    partnership_countries,
    partnership_list,
)

post_scope("partnership_uuid", lambda user, uuid: get_partnership_for_user(user, uuid))
post_scope("programme_uuid", lambda user, uuid: get_programme_for_user(user, uuid))


def _partnerships_table(partnerships: Any) -> Table:
    """The partnership list: each side's institutions with their countries' names, as the page shows them."""

    def side(links: Any) -> str:
        return "; ".join(
            f"{link.institution.name} ({country_name(link.institution.country)})" for link in links
        )

    return Table(
        key="partnerships",
        title=_("Partnerships"),
        columns=[
            Column(_("Partnership")),
            Column(_("Stage")),
            Column(_("Host side")),
            Column(_("Resource side")),
            Column(_("Programme")),
        ],
        rows=[
            (
                Link(p.title, reverse("partnerships:detail", args=[p.uuid])),
                p.get_stage_display(),
                side(p.host_links),
                side(p.resource_links),
                p.programme.name,
            )
            for p in partnerships
        ],
    )


@login_required
def partnership_list_view(request: AuthedRequest) -> HttpResponse:
    programmes = Programme.objects.visible_to(request.user).order_by("name")
    programme = None
    if request.GET.get("programme"):
        programme = programmes.filter(uuid=parse_uuid(request.GET["programme"])).first()
    filters = {
        "q": request.GET.get("q", "")[:100],
        "stage": request.GET.get("stage", "") if request.GET.get("stage") in Stage.values else "",
        "country": request.GET.get("country", "")[:2].upper(),
    }
    found = partnership_list(user=request.user, programme=programme, **filters)
    download = list_download(request, found, _partnerships_table)
    if download is not None:
        return download
    # Read only when the results are rendered, not when they come back from the cache ({% cached_section %}, per
    # reader and query string: they show stored data only).
    page: Any = SimpleLazyObject(lambda: paginate(request, found))
    context = {
        "cache_sections": True,
        "page_obj": page,
        "partnerships": SimpleLazyObject(lambda: page.object_list),
        "table": SimpleLazyObject(lambda: _partnerships_table(page.object_list)),
        "filters": filters,
        "programme": programme,
        "programmes": sorted(programmes, key=lambda p: name_sort_key(p.name)),
        "stages": Stage.choices,
        "countries": sorted(
            ((code, country_name(code)) for code in partnership_countries(request.user)),
            key=lambda choice: name_sort_key(choice[1]),
        ),
        "can_create": Programme.objects.edited_by(request.user).order_by("name").exists(),
    }
    template = "partnerships/includes/partnership_results.html" if request.htmx else "partnerships/list.html"
    return render(request, template, context)


@login_required
def partnership_create_view(request: AuthedRequest) -> HttpResponse:
    programmes = Programme.objects.edited_by(request.user).order_by("name")
    if not programmes.exists():
        raise PermissionDenied
    form = PartnershipCreateForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            partnership = services.partnership_create(
                actor=request.user,
                programme=data["programme"],
                title=data["title"],
                shared_goal=data["shared_goal"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                stage=data["stage"],
                hosts=data["hosts"],
                resources=data["resources"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partnership is created."))
            return redirect("partnerships:detail", partnership.uuid)
    return render(
        request,
        "partnerships/form.html",
        {"form": form, "title": _("New partnership")},
        status=400 if form.errors else 200,
    )


def _detail_context(
    request: AuthedRequest, partnership: Partnership, access: PartnershipAccess, **forms: Any
) -> dict:
    members = list(
        PartnershipMembership.objects.filter(partnership=partnership)
        .select_related("user")
        .order_by("side", "role")
    )
    links = list(
        partnership.side_links.select_related("institution")
        .annotate(people_count=Count("institution__people"))
        .order_by("side", "institution__name")
    )
    return {
        "partnership": partnership,
        "access": access,
        # The page's sections are kept rendered ({% cached_section %}), but never with a form's input.
        "cache_sections": not forms,
        "host_links": [link for link in links if link.side == "host"],
        "resource_links": [link for link in links if link.side == "resource"],
        "host_members": [m for m in members if m.side == "host"],
        "resource_members": [m for m in members if m.side == "resource"],
        "stakeholders": partnership.stakeholders.select_related("institution"),
        "agreements": partnership.agreements.all(),
        "stage_changes": partnership.stage_changes.select_related("actor"),
        "events": history_page(request, history_for_user(request.user, partnership)),
        "history_full": access.can_edit,
        "stage_form": forms.get("stage_form") or StageForm(initial={"version": partnership.version}),
        "stakeholder_form": forms.get("stakeholder_form") or StakeholderForm(),
        "agreement_form": forms.get("agreement_form") or AgreementForm(),
        "member_form": forms.get("member_form") or MemberForm(sides=access.managed_sides),
    }


@login_required
def partnership_detail_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    return render(request, "partnerships/detail.html", _detail_context(request, partnership, access))


@login_required
def partnership_edit_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    links = partnership.side_links.select_related("institution")
    initial = {
        "version": partnership.version,
        "hosts": [link.institution.uuid for link in links if link.side == "host"],
        "resources": [link.institution.uuid for link in links if link.side == "resource"],
    }
    form = PartnershipEditForm(request.POST or None, instance=partnership, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partnership_update(
                actor=request.user,
                partnership=partnership,
                data={k: data[k] for k in ("title", "shared_goal", "start_date", "end_date")},
                expected_version=data["version"],
            )
            services.partnership_sides_set(
                actor=request.user, partnership=partnership, hosts=data["hosts"], resources=data["resources"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("partnerships:detail", partnership.uuid)
    return render(
        request,
        "partnerships/form.html",
        {
            "form": form,
            "partnership": partnership,
            "title": _("Edit %(title)s") % {"title": partnership.title},
        },
        status=400 if form.errors else 200,
    )


def _section_response(
    request: AuthedRequest, partnership: Partnership, access: PartnershipAccess, section: str, **forms: Any
) -> HttpResponse:
    """htmx gets the section back; a plain browser gets redirected (or the page, with the form's errors)."""
    has_errors = any(form.errors for form in forms.values())
    if request.htmx:
        context = _detail_context(request, partnership, access, **forms)
        return render(request, f"partnerships/includes/{section}.html", context)
    if has_errors:
        context = _detail_context(request, partnership, access, **forms)
        return render(request, "partnerships/detail.html", context, status=400)
    return redirect(f"{partnership_url(partnership)}#{section}")


def partnership_url(partnership: Partnership) -> str:
    return reverse("partnerships:detail", args=[partnership.uuid])


@login_required
@post_only
def stage_change_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.partnership_stage_change(
                actor=request.user,
                partnership=partnership,
                stage=form.cleaned_data["stage"],
                changed_on=form.cleaned_data["changed_on"],
                note=form.cleaned_data["note"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The stage is changed."))
            form = StageForm(initial={"version": partnership.version})
    return _section_response(request, partnership, access, "overview", stage_form=form)


@login_required
@post_only
def stakeholder_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    form = StakeholderForm(request.POST)
    if form.is_valid():
        try:
            services.stakeholder_create(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = StakeholderForm()
    return _section_response(request, partnership, access, "stakeholders", stakeholder_form=form)


@login_required
@post_only
def stakeholder_delete_view(
    request: AuthedRequest, partnership_uuid: UUID, stakeholder_uuid: UUID
) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    stakeholder = partnership.stakeholders.filter(uuid=stakeholder_uuid).first()
    if stakeholder is None:
        raise Http404
    services.stakeholder_delete(actor=request.user, stakeholder=stakeholder)
    return _section_response(request, partnership, access, "stakeholders")


@login_required
@post_only
def agreement_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid, write=True)
    form = AgreementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.agreement_create(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = AgreementForm()
    return _section_response(request, partnership, access, "agreements", agreement_form=form)


@login_required
def agreement_document_view(
    request: AuthedRequest, partnership_uuid: UUID, agreement_uuid: UUID
) -> FileResponse:
    """Agreement files are served only through this scoped view, never from a public media URL."""
    partnership, _access = get_partnership_for_user(request.user, partnership_uuid)
    agreement = partnership.agreements.filter(uuid=agreement_uuid).first()
    if agreement is None or not agreement.document:
        raise Http404
    return FileResponse(
        agreement.document.open("rb"), as_attachment=True, filename=Path(agreement.document.name or "").name
    )


@login_required
@post_only
def member_add_view(request: AuthedRequest, partnership_uuid: UUID) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    if not access.can_manage_members:
        raise PermissionDenied
    form = MemberForm(request.POST, sides=access.managed_sides)
    if form.is_valid():
        try:
            services.membership_invite(
                actor=request.user,
                partnership=partnership,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                side=form.cleaned_data["side"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = MemberForm(sides=access.managed_sides)
    return _section_response(request, partnership, access, "sides", member_form=form)


@login_required
@post_only
def member_remove_view(request: AuthedRequest, partnership_uuid: UUID, membership_id: int) -> HttpResponse:
    partnership, access = get_partnership_for_user(request.user, partnership_uuid)
    membership = (
        PartnershipMembership.objects.filter(partnership=partnership, pk=membership_id)
        .select_related("user")
        .first()
    )
    if membership is None:
        raise Http404
    services.membership_remove(actor=request.user, membership=membership)
    return _section_response(request, partnership, access, "sides")


@login_required
def programme_readers_view(request: AuthedRequest, programme_uuid: UUID) -> HttpResponse:
    """What the programme grants its readers (evidence files, contact details): its managers change it; other
    staff get 403, everyone else 404 (docs/ACCESS.md)."""
    programme = get_programme_for_staff(request.user, programme_uuid)
    require_programme_manager(request.user, programme.pk)
    fields = list(ReaderGrantsForm.base_fields)
    form = ReaderGrantsForm(request.POST or None, initial={f: getattr(programme, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(
                actor=request.user, programme=programme, data={f: form.cleaned_data[f] for f in fields}
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("partnerships:programme_readers", programme.uuid)
    return render(
        request,
        "partnerships/programme_readers.html",
        {"programme": programme, "form": form},
        status=400 if form.errors else 200,
    )
