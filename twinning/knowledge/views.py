"""Pages of the practice library: the library with its search, a practice, writing one up, its documents and
the publication workflow. The public pages anyone reads are in public_views.py."""

from pathlib import Path
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from twinning.accounts import access
from twinning.accounts.access import PracticeAccess, history_for_user
from twinning.core.exports import Column, Link, Table
from twinning.core.forms import add_service_errors, ask_for_files_again
from twinning.core.http import AuthedRequest, post_only, post_scope
from twinning.core.pagination import history_page, paginate
from twinning.core.reference import shipped_name
from twinning.directory.models import HealthArea
from twinning.knowledge import services
from twinning.knowledge.files import CONTENT_TYPES
from twinning.knowledge.forms import DocumentForm, MoveForm, PracticeEditForm, PracticeForm, VersionForm
from twinning.knowledge.models import Document, DocumentVersion, Practice, Setting
from twinning.knowledge.search import Filters, filter_problems, search
from twinning.knowledge.selectors import (
    as_read_by,
    document_editions,
    get_document,
    get_practice_for_user,
    get_version,
    practice_figures,
    practice_list,
    public_copy,
    public_text_waits,
    reads_whole,
)
from twinning.knowledge.spread.selectors import adoption_list
from twinning.partnerships.models import Pillar, Programme

post_scope("practice_uuid", lambda user, uuid: get_practice_for_user(user, uuid))


SEARCH_PAGE_SIZE = 20


def read_filters(request: HttpRequest) -> Filters:
    """The search and list filters from the query string, as given (search.filter_problems says which name
    nothing)."""
    get = request.GET
    return Filters(
        pillar=get.get("pillar", "").strip()[:50],
        health_area=get.get("health_area", "").strip()[:50],
        country=get.get("country", "").strip().upper()[:50],
        setting=get.get("setting", "").strip()[:50],
        document_type=get.get("document_type", "").strip()[:50],
        language=get.get("language", "").strip().lower()[:50],
    )


def filter_choices() -> dict[str, Any]:
    """Choices the filter form offers (pillars by code across programmes). Three small queries."""
    from twinning.core.reference import country_choices
    from twinning.knowledge.forms import language_choices

    # Shipped vocabularies: stored in English, offered in the reader's language (shipped_name).
    pillars = dict(Pillar.objects.order_by("order").values_list("code", "name"))
    areas = HealthArea.objects.filter(parent=None).values_list("code", "name")
    return {
        "pillars": [(code, shipped_name(name)) for code, name in pillars.items()],
        "health_areas": [(code, shipped_name(name)) for code, name in areas],
        "countries": country_choices(),
        "settings": Setting.choices,
        "document_types": Document.Type.choices,
        "languages": language_choices(),
    }


def search_context(request: HttpRequest, user: Any) -> dict[str, Any]:
    """The query, filters and one page of results (or none without a query), for the library and the public
    list alike."""
    text = request.GET.get("q", "").strip()[:200]
    filters = read_filters(request)
    problems = filter_problems(filters)
    if problems:
        # Nothing is searched or listed with a filter that names nothing: the page says which one.
        return {
            "q": text,
            "filters": filters,
            "results": None,
            "page_number": 1,
            "pages": 0,
            "filter_problems": list(problems.values()),
        }
    try:
        number = max(1, min(int(request.GET.get("page", "1")), 500))
    except ValueError:
        number = 1
    results = (
        search(
            user=user,
            text=text,
            filters=filters,
            limit=SEARCH_PAGE_SIZE,
            offset=(number - 1) * SEARCH_PAGE_SIZE,
        )
        if text
        else None
    )
    pages = -(-results.total // SEARCH_PAGE_SIZE) if results else 0
    return {"q": text, "filters": filters, "results": results, "page_number": number, "pages": pages}


def _practices_table(practices: Any) -> Table:
    return Table(
        key="practices",
        title=_("Practices"),
        columns=[
            Column(_("Practice")),
            Column(_("Partnerships")),
            Column(pgettext("where a practice is carried out", "Setting")),
            Column(_("Status")),
        ],
        rows=[
            (
                Link(p.shown_title, reverse("knowledge:detail", args=[p.uuid])),
                ", ".join(x.title for x in p.partnerships.all()),
                p.get_setting_display(),
                p.get_status_display(),
            )
            for p in practices
        ],
    )


@login_required
def library_view(request: AuthedRequest) -> HttpResponse:
    context = search_context(request, request.user)
    status = request.GET.get("status", "")
    practices = practice_list(
        user=request.user,
        filters=context["filters"],
        status=status if status in Practice.Status.values else "",
    )
    if context.get("filter_problems"):
        practices = practices.none()
    page = paginate(request, practices)
    page.object_list = as_read_by(request.user, list(page.object_list))
    context |= {
        "page_obj": page,
        "table": _practices_table(page.object_list),
        "statuses": Practice.Status.choices,
        "status": status,
        "can_create": access.can_create_practice(request.user),
        **filter_choices(),
    }
    template = "knowledge/includes/library_results.html" if request.htmx else "knowledge/library.html"
    return render(request, template, context, status=400 if context.get("filter_problems") else 200)


def _detail_context(request: AuthedRequest, practice: Practice, rights: PracticeAccess) -> dict[str, Any]:
    # Publishing publicly waits for the author's "no personal data" confirmation (services.practice_move refuses
    # it before): the button is not offered until then; the page says why (detail.html).
    moves = [
        s
        for s in Practice.Status.values
        if rights.can_move(s)
        and not (s == Practice.Status.PUBLIC and practice.no_personal_data_confirmed_at is None)
    ]
    whole = reads_whole(request.user, practice)
    return {
        # Whoever reads it only because it is public reads the text its author last confirmed.
        "practice": practice if whole else public_copy(practice),
        "rights": rights,
        "editions": document_editions(practice, whole=whole),
        "awaiting_confirmation": whole
        and practice.status == Practice.Status.PUBLIC
        and any(v.cleared_at is None for d in practice.documents.all() for v in d.versions.all()),
        "text_awaiting_confirmation": whole and public_text_waits(practice),
        "figures": practice_figures(request.user, practice),
        "moves": [(value, Practice.Status(value).label) for value in moves],
        "move_form": MoveForm(),
        "steps": practice.steps.select_related("actor") if rights.can_see_history else [],
        "events": history_page(request, history_for_user(request.user, practice)),
        "history_full": rights.can_see_history,
        # The replication register is the programme's record: only its people reach the Spread page.
        "can_see_spread": (
            can_see_spread := Programme.objects.visible_to(request.user)
            .filter(pk=practice.programme_id)
            .exists()
        ),
        # Derived from the replication register each time, never stored beside it.
        "adoption_count": adoption_list(user=request.user, practice=practice).count()
        if can_see_spread
        else None,
    }


@login_required
def practice_detail_view(request: AuthedRequest, practice_uuid: UUID) -> HttpResponse:
    practice, rights = get_practice_for_user(request.user, practice_uuid)
    return render(request, "knowledge/detail.html", _detail_context(request, practice, rights))


@login_required
def practice_create_view(request: AuthedRequest) -> HttpResponse:
    access.require(access.can_create_practice(request.user))
    form = PracticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            practice = services.practice_create(actor=request.user, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("The practice is saved as a draft. Add its documents, then submit it.")
            )
            return redirect("knowledge:detail", practice.uuid)
    return render(
        request,
        "knowledge/form.html",
        {"form": form, "title": _("Write up a practice")},
        status=400 if form.errors else 200,
    )


@login_required
def practice_edit_view(request: AuthedRequest, practice_uuid: UUID) -> HttpResponse:
    practice, _rights = get_practice_for_user(request.user, practice_uuid, write=True)
    form = PracticeEditForm(
        request.POST or None, instance=practice, user=request.user, initial={"version": practice.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_update(
                actor=request.user,
                practice=practice,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("knowledge:detail", practice.uuid)
    return render(
        request,
        "knowledge/form.html",
        {"form": form, "practice": practice, "title": _("Edit %(title)s") % {"title": practice.shown_title}},
        status=400 if form.errors else 200,
    )


@login_required
@post_only
def practice_move_view(request: AuthedRequest, practice_uuid: UUID) -> HttpResponse:
    practice, rights = get_practice_for_user(request.user, practice_uuid)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Choose a step."))
    to_status = form.cleaned_data["to_status"]
    seen = form.cleaned_data["from_status"]
    if seen and seen != practice.status:
        # Someone took another step since the page was shown: this step was asked of a status that is gone (it
        # may not even exist from the new one), so it is not taken, and the comment is given back to copy.
        messages.error(
            request,
            _("This practice was moved meanwhile and is now: %(status)s. Your step was not taken.")
            % {"status": practice.get_status_display()},
        )
        if form.cleaned_data["comment"]:
            messages.info(
                request,
                _("Your comment was not recorded: %(comment)s") % {"comment": form.cleaned_data["comment"]},
            )
        return redirect("knowledge:detail", practice.uuid)
    rights.require_move(to_status)
    try:
        services.practice_move(
            actor=request.user, practice=practice, to_status=to_status, comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("The practice is now: %(status)s.") % {"status": Practice.Status(to_status).label}
        )
    return redirect("knowledge:detail", practice.uuid)


@login_required
@post_only
def practice_confirm_view(request: AuthedRequest, practice_uuid: UUID) -> HttpResponse:
    practice, _rights = get_practice_for_user(request.user, practice_uuid)
    services.practice_confirm_no_personal_data(actor=request.user, practice=practice)
    messages.success(request, _("Recorded: the practice and its documents hold no patient or personal data."))
    return redirect("knowledge:detail", practice.uuid)


@login_required
def document_create_view(request: AuthedRequest, practice_uuid: UUID) -> HttpResponse:
    practice, _rights = get_practice_for_user(request.user, practice_uuid, write=True)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_create(
                actor=request.user,
                practice=practice,
                title=data["title"],
                type=data["type"],
                description=data["description"],
                licence=data["licence"],
                language=data["language"],
                file=data["file"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The document is attached."))
            return redirect("knowledge:detail", practice.uuid)
    ask_for_files_again(form)
    return render(
        request,
        "knowledge/document_form.html",
        {"form": form, "practice": practice, "title": _("Attach a document")},
        status=400 if form.errors else 200,
    )


@login_required
def version_create_view(request: AuthedRequest, practice_uuid: UUID, document_uuid: UUID) -> HttpResponse:
    practice, _rights = get_practice_for_user(request.user, practice_uuid, write=True)
    document = get_document(practice, document_uuid)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_version_add(
                actor=request.user,
                document=document,
                language=data["language"],
                file=data["file"],
                note=data["note"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The new version is uploaded; earlier ones stay available."))
            return redirect("knowledge:detail", practice.uuid)
    ask_for_files_again(form)
    return render(
        request,
        "knowledge/document_form.html",
        {
            "form": form,
            "practice": practice,
            "title": _("New version of %(title)s") % {"title": shipped_name(document.title)},
        },
        status=400 if form.errors else 200,
    )


def _reader_key(request: HttpRequest, user: Any) -> str:
    """Who downloads, to count each reader once a day: the signed-in user, else the browser's session (made
    here if it has none yet)."""
    if user.is_authenticated:
        return f"user:{user.pk}"
    if not request.session.session_key:
        request.session.save()
    return f"session:{request.session.session_key}"


def file_response(request: HttpRequest, practice: Practice, version: DocumentVersion) -> FileResponse:
    """A document file, counted when it is a reader's download (services.download_is_a_readers, once a day per
    reader), always as an attachment with its type from the content and nosniff: a browser never renders it
    inside Twinning's pages."""
    user = getattr(request, "auth", None) or request.user
    if services.download_is_a_readers(
        user=user,
        practice=practice,
        version=version,
        method=request.method or "",
        range_header=request.headers.get("Range", ""),
        user_agent=request.headers.get("User-Agent", ""),
    ):
        services.document_download_counted(version, reader=_reader_key(request, user))
    response = FileResponse(
        version.file.open("rb"),
        as_attachment=True,
        filename=Path(version.file_name).name or "document",
        content_type=CONTENT_TYPES.get(version.file_type, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def version_download_view(request: AuthedRequest, practice_uuid: UUID, version_uuid: UUID) -> FileResponse:
    practice, _rights = get_practice_for_user(request.user, practice_uuid)
    whole = reads_whole(request.user, practice)
    return file_response(request, practice, get_version(practice, version_uuid, whole=whole))
