"""DHIS2 routes, included in the interop app's URLs (namespace `interop`, names prefixed `dhis2_`)."""

from django.urls import path

from twinning.interop.dhis2 import server_views, views

PROG = "dhis2/<uuid:programme_uuid>/"
PART = "dhis2/partnership/<uuid:partnership_uuid>/"
SERVER = "dhis2/servers/<uuid:server_uuid>/"

urlpatterns = [
    path(PROG, views.programme_view, name="dhis2_programme"),
    path(PROG + "export/", views.programme_export_view, name="dhis2_export"),
    path(PROG + "mapping/", views.mapping_view, name="dhis2_mapping"),
    path(PART, views.partnership_view, name="dhis2_partnership"),
    path(PART + "export/", views.partnership_export_view, name="dhis2_partnership_export"),
    path(PROG + "import/", views.programme_import_view, name="dhis2_import"),
    path(PART + "import/", views.partnership_import_view, name="dhis2_partnership_import"),
    path("dhis2/imports/<uuid:import_uuid>/", views.import_detail_view, name="dhis2_import_detail"),
    path(PROG + "servers/", server_views.server_list_view, name="dhis2_servers"),
    path(SERVER, server_views.server_view, name="dhis2_server"),
    path(SERVER + "check/", server_views.server_check_view, name="dhis2_server_check"),
    path(SERVER + "send/", server_views.server_send_view, name="dhis2_server_send"),
    path(SERVER + "fetch/", server_views.server_fetch_view, name="dhis2_server_fetch"),
    path(SERVER + "delete/", server_views.server_delete_view, name="dhis2_server_delete"),
]
