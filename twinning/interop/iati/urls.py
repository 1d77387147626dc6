from django.urls import path

from twinning.interop.iati import views

PROGRAMME = "iati/programme/<uuid:programme_uuid>/"

urlpatterns = [
    path(PROGRAMME, views.programme_view, name="iati_programme"),
    path(PROGRAMME + "publication/", views.publication_view, name="iati_publication"),
    path(PROGRAMME + "import/", views.import_view, name="iati_import"),
    path(PROGRAMME + "activities.xml", views.programme_file_view, name="iati_programme_file"),
    path(
        "iati/partnership/<uuid:partnership_uuid>/activity.xml",
        views.partnership_file_view,
        name="iati_partnership_file",
    ),
    path("iati/public/<uuid:programme_uuid>/activities.xml", views.public_file_view, name="iati_public"),
]
