from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from twinning import views
from twinning.accounts import views as account_views
from twinning.api import api, not_found

urlpatterns = [
    path("", views.home, name="home"),
    path("my-work/", views.my_work_view, name="my_work"),
    path("", include("twinning.accounts.urls")),
    path("institutions/", include("twinning.directory.urls")),
    path("partnerships/", include("twinning.partnerships.urls")),
    path("matching/", include("twinning.matching.urls")),
    path("planning/", include("twinning.planning.urls")),
    path("monitoring/", include("twinning.monitoring.urls")),
    path("exchanges/", include("twinning.exchanges.urls")),
    path("contributions/", include("twinning.contributions.urls")),
    path("knowledge/", include("twinning.knowledge.urls")),
    path("practices/", include("twinning.knowledge.public_urls")),
    path("sustainability/", include("twinning.sustainability.urls")),
    path("reports/", include("twinning.reports.urls")),
    path("interop/", include("twinning.interop.urls")),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", not_found),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", account_views.set_language, name="set_language"),
    # gettext() for hand-written JavaScript (the djangojs catalogues); a page whose script shows text loads it.
    path(
        "i18n/js/",
        JavaScriptCatalog.as_view(),
        name="javascript_catalog",
    ),
    path("favicon.ico", views.favicon, name="favicon"),
    # At the root, so the service worker's scope is the whole site (offline data entry).
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("manifest.<str:language>.webmanifest", views.web_manifest_in, name="web_manifest_in"),
    path("offline/", views.offline, name="offline"),
]

# A body found too large while it is read answers 413, not 400 (the size middleware catches declared sizes).
handler400 = "twinning.core.middleware.bad_request"
handler403 = "twinning.core.middleware.permission_denied"
