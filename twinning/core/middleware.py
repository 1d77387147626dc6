"""Request guards that run before any view or middleware reads the body, the audit change stamp held for a request,
and the messages of an htmx answer."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.template import loader
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from twinning.audit.services import hold_change_stamp
from twinning.core.http import ReadRefused


def body_limit(request: HttpRequest) -> int:
    """The largest body accepted: an upload (multipart) may carry a file of MAX_UPLOAD_BYTES besides its form
    fields; any other body is read into memory whole, so Django's DATA_UPLOAD_MAX_MEMORY_SIZE is its limit."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
    if request.content_type == "multipart/form-data":
        return settings.MAX_UPLOAD_BYTES + fields
    return fields


def too_large(request: HttpRequest) -> HttpResponse:
    """413 with a message a person can act on, naming the limit that applies to this request (`body_limit`): the
    file limit for an upload (multipart), the body limit for anything else (a 3 MB JSON body was told "files may be
    at most 10 MB"). JSON under the API, a short page elsewhere."""
    if request.content_type == "multipart/form-data":
        message = _("The request is too large; files may be at most %(limit)s.") % {
            "limit": filesizeformat(settings.MAX_UPLOAD_BYTES)
        }
    else:
        message = _("The request is too large; a request's body may be at most %(limit)s.") % {
            "limit": filesizeformat(body_limit(request))
        }
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=413)
    # The standalone layout: this answer comes before sessions and users are known.
    return HttpResponse(render_to_string("413.html", {"message": message}), status=413)


class RequestSizeLimitMiddleware:
    """Answers 413 to a request whose declared body is over the limit, before anything reads it (issue 10,
    finding 8: it used to surface as an error while the body was parsed). Put it first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > body_limit(request):
            return too_large(request)
        return self.get_response(request)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 403 page, told whether the role may not read the thing at all (`core.http.ReadRefused`) or only
    not change it, which the page's heading says."""
    page = loader.get_template("403.html").render(
        {"exception": str(exception), "read_refused": isinstance(exception, ReadRefused)}, request
    )
    return HttpResponseForbidden(page)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page, except for a body found too large while it was read (no length was declared, or
    the form fields alone were over the limit): that is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return defaults.bad_request(request, exception)


class ChangeStampMiddleware:
    """Holds the audit change stamp for the request (`audit.services.hold_change_stamp`): every cached part of a
    page (`{% cached_section %}`, `cached_until_change`) is keyed on it, and a page with six of them read it six
    times from the shared cache (issue 10's load goal)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with hold_change_stamp():
            return self.get_response(request)


class HtmxMessagesMiddleware:
    """A partial page answering an htmx request (a section swapped in after an action) carries the messages queued
    for the user, as an out-of-band swap of the page's message list (`core/includes/messages.html`, id "messages"):
    without it a refusal said with `messages.error` waited for the next full page, and a person saw their change
    vanish without a word (fresh tester, issue 10). Only on a 200 HTML answer, the one htmx swaps in, that loads no
    other page; anything else leaves the messages for the next page. Placed after the messages and htmx middleware.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            # An answer that makes the browser load another page leaves the messages to that page.
            and not any(header in response for header in ("HX-Refresh", "HX-Redirect", "HX-Location"))
        ):
            queued = list(messages.get_messages(request))
            if queued:
                response.content += render_to_string(
                    "core/includes/messages.html", {"messages": queued, "out_of_band": True}, request=request
                ).encode()
        return response
