from django.urls import path

from twinning.partnerships import views

app_name = "partnerships"

urlpatterns = [
    path("", views.partnership_list_view, name="list"),
    path("new/", views.partnership_create_view, name="create"),
    path("<uuid:partnership_uuid>/", views.partnership_detail_view, name="detail"),
    path("<uuid:partnership_uuid>/edit/", views.partnership_edit_view, name="edit"),
    path("<uuid:partnership_uuid>/stage/", views.stage_change_view, name="stage"),
    path("<uuid:partnership_uuid>/stakeholders/", views.stakeholder_add_view, name="stakeholder_add"),
    path(
        "<uuid:partnership_uuid>/stakeholders/<uuid:stakeholder_uuid>/delete/",
        views.stakeholder_delete_view,
        name="stakeholder_delete",
    ),
    path("<uuid:partnership_uuid>/agreements/", views.agreement_add_view, name="agreement_add"),
    path(
        "<uuid:partnership_uuid>/agreements/<uuid:agreement_uuid>/document/",
        views.agreement_document_view,
        name="agreement_document",
    ),
    path("<uuid:partnership_uuid>/members/", views.member_add_view, name="member_add"),
    path("programmes/<uuid:programme_uuid>/readers/", views.programme_readers_view, name="programme_readers"),
    path(
        "<uuid:partnership_uuid>/members/<int:membership_id>/remove/",
        views.member_remove_view,
        name="member_remove",
    ),
]
