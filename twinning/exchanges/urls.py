from django.urls import path

from twinning.exchanges import views

app_name = "exchanges"

P = "<uuid:partnership_uuid>/"
E = P + "<uuid:exchange_uuid>/"
M = P + "mentoring/<uuid:pair_uuid>/"

urlpatterns = [
    path("programme/<uuid:programme_uuid>/summary/", views.programme_summary_view, name="programme_summary"),
    path(P, views.exchange_list_view, name="list"),
    path(P + "new/", views.exchange_create_view, name="create"),
    path(P + "summary/", views.partnership_summary_view, name="summary"),
    path(P + "cascade/", views.cascade_view, name="cascade"),
    path(E, views.exchange_detail_view, name="detail"),
    path(E + "edit/", views.exchange_edit_view, name="edit"),
    path(E + "delete/", views.exchange_delete_view, name="delete"),
    path(E + "report/", views.exchange_report_view, name="report"),
    path(E + "participants/", views.participant_add_view, name="participant_add"),
    path(
        E + "participants/<uuid:participant_uuid>/remove/",
        views.participant_remove_view,
        name="participant_remove",
    ),
    path(E + "trainees/", views.trainee_group_add_view, name="trainee_add"),
    path(E + "trainees/<uuid:group_uuid>/remove/", views.trainee_group_remove_view, name="trainee_remove"),
    path(P + "mentoring/", views.mentoring_list_view, name="mentoring_list"),
    path(P + "mentoring/new/", views.mentoring_create_view, name="mentoring_create"),
    path(M, views.mentoring_detail_view, name="mentoring_detail"),
    path(M + "edit/", views.mentoring_edit_view, name="mentoring_edit"),
    path(M + "sessions/", views.session_add_view, name="session_add"),
    path(M + "sessions/<uuid:session_uuid>/remove/", views.session_remove_view, name="session_remove"),
]
