from django.contrib import admin
from django.urls import include, path, re_path

from twinning import views
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
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", views.favicon, name="favicon"),
]

# A body found too large while it is read answers 413, not 400 (the size middleware catches declared sizes).
handler400 = "twinning.core.middleware.bad_request"
