"""Request guards that run before any view or middleware reads the body."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults


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


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page, except for a body found too large while it was read (no length was declared, or
    the form fields alone were over the limit): that is a 413."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return defaults.bad_request(request, exception)
