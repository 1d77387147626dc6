from django.urls import path

from twinning.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.round_list_view, name="rounds"),
    path("new/", views.round_create_view, name="round_create"),
    path("rounds/<uuid:round_uuid>/", views.round_detail_view, name="round"),
    path("rounds/<uuid:round_uuid>/edit/", views.round_edit_view, name="round_edit"),
    path("rounds/<uuid:round_uuid>/applicants/", views.applicant_add_view, name="applicant_add"),
    path(
        "rounds/<uuid:round_uuid>/applicants/<uuid:applicant_uuid>/remove/",
        views.applicant_remove_view,
        name="applicant_remove",
    ),
    path("rounds/<uuid:round_uuid>/run/", views.round_run_view, name="round_run"),
    path("rounds/<uuid:round_uuid>/progress/", views.round_progress_view, name="round_progress"),
    path("rounds/<uuid:round_uuid>/decide/", views.decide_view, name="decide"),
    path(
        "rounds/<uuid:round_uuid>/candidates/<uuid:applicant_uuid>/",
        views.recommendations_view,
        name="recommendations",
    ),
    path("programmes/<uuid:programme_uuid>/conflicts/", views.conflicts_view, name="conflicts"),
    path("conflicts/<uuid:conflict_uuid>/remove/", views.conflict_remove_view, name="conflict_remove"),
    path("institutions/<uuid:institution_uuid>/profile/", views.profile_view, name="profile"),
    path("institutions/<uuid:institution_uuid>/twins/", views.twins_view, name="twins"),
    path("institutions/<uuid:institution_uuid>/twins/start/", views.twin_start_view, name="twin_start"),
    path(
        "institutions/<uuid:institution_uuid>/twins/round/", views.twin_round_add_view, name="twin_round_add"
    ),
]
