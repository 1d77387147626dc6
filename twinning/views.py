"""The project-level pages: the home page gathers what every app offers the signed-in user."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.vary import vary_on_headers

from twinning.accounts.access import in_finance_programmes, is_programme_editor
from twinning.core.http import AuthedRequest
from twinning.core.offline import service_worker_script
from twinning.core.work import KINDS
from twinning.partnerships.models import Programme
from twinning.partnerships.selectors import partnership_list
from twinning.work import my_work, offline_forms, work_for_user

HOME_WORK_ITEMS = 10


def _full_lists() -> dict[str, str]:
    """Where the whole list of a kind of work is, for the kinds that have one (kind → URL, newest first)."""
    queue = reverse("contributions:verification")
    return {
        "verify_gift": f"{queue}?show=gifts&order=newest",
        "verify_time": f"{queue}?show=time&order=newest",
        "review_practice": f"{reverse('knowledge:library')}?status=submitted",
    }


def _more_work(work: list, counts: dict[str, int]) -> list[tuple[str, int, str]]:
    """(kind label, how many more than listed, URL of the full list or "") for every kind the list cuts short."""
    shown: dict[str, int] = {}
    for item in work:
        shown[item.kind] = shown.get(item.kind, 0) + 1
    lists = _full_lists()
    return [
        (str(KINDS[kind]), n - shown.get(kind, 0), lists.get(kind, ""))
        for kind, n in counts.items()
        if n > shown.get(kind, 0)
    ]


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    partnerships = partnership_list(user=request.user)
    programmes = Programme.objects.visible_to(request.user).order_by("name")
    work = work_for_user(request.user)
    return render(
        request,
        "home.html",
        {
            "partnerships": partnerships[:50],
            "partnership_count": partnerships.count(),
            "programmes": programmes,
            "staff_programme_ids": set(
                Programme.objects.staffed_by(request.user).values_list("pk", flat=True)
            ),
            "can_create": is_programme_editor(request.user),
            "finance_programme_ids": set(
                Programme.objects.filter(in_finance_programmes(request.user, via="")).values_list(
                    "pk", flat=True
                )
            ),
            "work": work[:HOME_WORK_ITEMS],
            "more_work": len(work) > HOME_WORK_ITEMS,
        },
    )


@login_required
def my_work_view(request: AuthedRequest) -> HttpResponse:
    """Everything waiting for the user, overdue first, with a count per kind."""
    work = work_for_user(request.user)
    counts = my_work(request)["my_work"].counts  # the navigation's counts, computed once for the request
    return render(
        request,
        "my_work.html",
        {
            "work": work,
            "counts": [(kind, KINDS[kind], n) for kind, n in counts.items()],
            "more": _more_work(work, counts),
            "show_verification": bool({"verify_gift", "verify_time", "rate_missing"} & set(counts)),
            # Kept only when the person asks (a button): fetching them on every visit costs a slow link dearly.
            "offline_forms": offline_forms(request.user, work),
            # Filled in by site.js as the service worker reports; the placeholders stay as they are here.
            "offline_progress": _("Keeping forms for offline use: %(done)s of %(total)s…"),
            "offline_done": _("Forms kept for offline use: %(kept)s of %(total)s."),
        },
    )


@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page links to: send them to the static icon. Not a permanent
    redirect, because the static file's name changes with its content."""
    return redirect(static("twinning/favicon.ico"))


# The app shell: what every page loads, kept by the service worker so kept pages open offline.
SHELL_FILES = [
    "twinning/site.css",
    "twinning/site.js",
    "twinning/unsaved.js",
    "twinning/offline.js",
    "django_htmx/htmx-2.min.js",
    "monitoring/monitoring.css",
    "twinning/favicon.svg",
    "twinning/icon-192.png",
]


@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, at the site root so that it may serve every page (see twinning.core.offline)."""
    script = service_worker_script(
        shell=[static(name) for name in SHELL_FILES], offline_url=reverse("offline")
    )
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")


@vary_on_headers("Accept-Language", "Cookie")
@cache_control(private=True, max_age=86400)
def web_manifest(request: HttpRequest) -> JsonResponse:
    """What a phone needs to put Twinning on its home screen as an app, in the request's language. Pages link
    `web_manifest_in` instead: a browser fetches a manifest without cookies, so the language a person chose
    with the switcher or in their profile would not reach this one."""
    return _manifest()


@cache_control(public=True, max_age=86400)
def web_manifest_in(request: HttpRequest, language: str) -> JsonResponse:
    """The manifest in `language` (a code of settings.LANGUAGES, else 404), at a URL of its own per language,
    so that every cache keeps each language apart and a change of language fetches the other one."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(language):
        return _manifest()


def _manifest() -> JsonResponse:
    manifest = {
        "name": "Twinning",
        "short_name": "Twinning",
        "description": _("Twinning partnerships: plans, results, exchanges and contributions."),
        "lang": get_language(),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b6e4f",
        "icons": [
            {"src": static("twinning/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("twinning/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("twinning/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(manifest, content_type="application/manifest+json")


def offline(request: HttpRequest) -> HttpResponse:
    """What the service worker shows for a page it has not kept when there is no connection."""
    return render(request, "core/offline.html")
