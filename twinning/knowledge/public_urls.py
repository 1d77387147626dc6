from django.urls import path

from twinning.knowledge import public_views

app_name = "practices"

urlpatterns = [
    path("", public_views.public_list_view, name="list"),
    path("<uuid:practice_uuid>/", public_views.public_detail_view, name="detail"),
    path(
        "<uuid:practice_uuid>/files/<uuid:version_uuid>/", public_views.public_download_view, name="download"
    ),
]
