"""Routes of dissemination, the replication register and the spread views (mounted by knowledge/urls.py)."""

from django.urls import path

from twinning.knowledge.spread import views

D = "dissemination/<uuid:record_uuid>/"
A = "adoptions/<uuid:practice_adoption_uuid>/"

urlpatterns = [
    path("programme/<uuid:programme_uuid>/spread/", views.programme_spread_view, name="programme_spread"),
    path(
        "programme/<uuid:programme_uuid>/dissemination/",
        views.dissemination_programme_view,
        name="dissemination_programme",
    ),
    path(
        "programme/<uuid:programme_uuid>/dissemination/new/",
        views.dissemination_programme_create_view,
        name="dissemination_programme_create",
    ),
    path(
        "partnership/<uuid:partnership_uuid>/dissemination/",
        views.dissemination_list_view,
        name="dissemination_list",
    ),
    path(
        "partnership/<uuid:partnership_uuid>/dissemination/new/",
        views.dissemination_create_view,
        name="dissemination_create",
    ),
    path(D, views.dissemination_detail_view, name="dissemination_detail"),
    path(D + "edit/", views.dissemination_edit_view, name="dissemination_edit"),
    path(D + "delete/", views.dissemination_delete_view, name="dissemination_delete"),
    path(D + "evidence/", views.dissemination_evidence_view, name="dissemination_evidence"),
    path("<uuid:practice_uuid>/spread/", views.practice_spread_view, name="practice_spread"),
    path("<uuid:practice_uuid>/adoptions/new/", views.adoption_create_view, name="adoption_create"),
    path(A, views.adoption_detail_view, name="adoption_detail"),
    path(A + "edit/", views.adoption_edit_view, name="adoption_edit"),
    path(A + "delete/", views.adoption_delete_view, name="adoption_delete"),
    path(A + "levels/", views.adoption_level_add_view, name="adoption_level_add"),
    path(
        A + "levels/<uuid:level_uuid>/remove/", views.adoption_level_remove_view, name="adoption_level_remove"
    ),
    path(A + "evidence/", views.adoption_evidence_view, name="adoption_evidence"),
]
