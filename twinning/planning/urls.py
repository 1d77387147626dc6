from django.urls import path

from twinning.planning import views

app_name = "planning"

P = "<uuid:partnership_uuid>"
PLAN = f"{P}/plans/<uuid:plan_uuid>"

urlpatterns = [
    path(f"{P}/", views.plan_view, name="plan"),
    path(f"{P}/new/", views.plan_create_view, name="plan_create"),
    path(f"{PLAN}/", views.plan_version_view, name="version"),
    path(f"{PLAN}/edit/", views.plan_edit_view, name="plan_edit"),
    path(f"{PLAN}/sign/", views.plan_sign_view, name="plan_sign"),
    path(f"{PLAN}/new-version/", views.plan_new_version_view, name="plan_new_version"),
    path(f"{PLAN}/events/", views.event_add_view, name="event_add"),
    path(f"{PLAN}/objectives/", views.objective_add_view, name="objective_add"),
    path(f"{PLAN}/activities/", views.activity_add_view, name="activity_add"),
    path(f"{PLAN}/indicators/", views.adopt_view, name="adopt"),
    path(f"{P}/events/<uuid:event_uuid>/participants/", views.participant_add_view, name="participant_add"),
    path(
        f"{P}/events/<uuid:event_uuid>/participants/<int:participant_id>/remove/",
        views.participant_remove_view,
        name="participant_remove",
    ),
    path(f"{P}/objectives/<uuid:objective_uuid>/edit/", views.objective_edit_view, name="objective_edit"),
    path(
        f"{P}/objectives/<uuid:objective_uuid>/delete/", views.objective_delete_view, name="objective_delete"
    ),
    path(f"{P}/activities/<uuid:activity_uuid>/edit/", views.activity_edit_view, name="activity_edit"),
    path(
        f"{P}/activities/<uuid:activity_uuid>/progress/",
        views.activity_progress_view,
        name="activity_progress",
    ),
    path(f"{P}/activities/<uuid:activity_uuid>/delete/", views.activity_delete_view, name="activity_delete"),
    path(
        f"{P}/plan-indicators/<uuid:plan_indicator_uuid>/", views.plan_indicator_view, name="plan_indicator"
    ),
    path(
        f"{P}/plan-indicators/<uuid:plan_indicator_uuid>/targets/",
        views.targets_save_view,
        name="targets_save",
    ),
    path(
        f"{P}/plan-indicators/<uuid:plan_indicator_uuid>/remove/",
        views.plan_indicator_remove_view,
        name="plan_indicator_remove",
    ),
    path(f"{P}/indicators/new/", views.own_indicator_create_view, name="own_indicator_create"),
    path("indicators/<uuid:indicator_uuid>/edit/", views.indicator_edit_view, name="indicator_edit"),
    path("programmes/<uuid:programme_uuid>/indicators/", views.indicators_view, name="indicators"),
    path(
        "programmes/<uuid:programme_uuid>/indicators/new/",
        views.common_indicator_create_view,
        name="common_indicator_create",
    ),
    path(
        "programmes/<uuid:programme_uuid>/disaggregations/",
        views.disaggregation_add_view,
        name="disaggregation_add",
    ),
    path(
        "programmes/<uuid:programme_uuid>/disaggregations/<slug:category_code>/options/",
        views.option_add_view,
        name="option_add",
    ),
]
