"""The public practice pages: readable without an account, only practices published publicly, light (no
script, one stylesheet) and with link previews (Open Graph). Whoever is signed in sees the same."""

from typing import Any
from uuid import UUID

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from twinning.core.pagination import paginate
from twinning.knowledge.selectors import (
    document_editions,
    get_public_practice,
    get_version,
    practice_figures,
    public_copy,
    public_practice_list,
)
from twinning.knowledge.views import file_response, filter_choices, search_context


@require_GET
def public_list_view(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = search_context(request, AnonymousUser())
    problems = context.get("filter_problems")
    if context["results"] is None:
        practices = public_practice_list(context["filters"])
        context["page_obj"] = paginate(request, practices.none() if problems else practices)
    context |= filter_choices()
    return render(request, "knowledge/public_list.html", context, status=400 if problems else 200)


@require_GET
def public_detail_view(request: HttpRequest, practice_uuid: UUID) -> HttpResponse:
    # The text its author last confirmed free of personal data, not edits made since (Practice.public_text).
    practice = public_copy(get_public_practice(practice_uuid))
    context = {
        "practice": practice,
        # Files added since the author's last confirmation of no personal data wait for it.
        "editions": document_editions(practice, whole=False),
        "figures": practice_figures(AnonymousUser(), practice),
        "public": True,
    }
    return render(request, "knowledge/public_detail.html", context)


@require_GET
def public_download_view(request: HttpRequest, practice_uuid: UUID, version_uuid: UUID) -> FileResponse:
    practice = get_public_practice(practice_uuid)
    return file_response(request, practice, get_version(practice, version_uuid, whole=False))
