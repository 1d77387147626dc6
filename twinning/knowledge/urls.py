from django.urls import path

from twinning.knowledge import views
from twinning.knowledge.spread import urls as spread_urls

app_name = "knowledge"

P = "<uuid:practice_uuid>/"

urlpatterns = [
    path("", views.library_view, name="library"),
    path("new/", views.practice_create_view, name="create"),
    path(P, views.practice_detail_view, name="detail"),
    path(P + "edit/", views.practice_edit_view, name="edit"),
    path(P + "move/", views.practice_move_view, name="move"),
    path(P + "confirm/", views.practice_confirm_view, name="confirm"),
    path(P + "documents/new/", views.document_create_view, name="document_create"),
    path(
        P + "documents/<uuid:document_uuid>/versions/new/", views.version_create_view, name="version_create"
    ),
    path(P + "files/<uuid:version_uuid>/", views.version_download_view, name="download"),
    # Dissemination, the replication register and the spread views.
    *spread_urls.urlpatterns,
]
