from django.urls import path

from twinning.monitoring import views

app_name = "monitoring"

P = "<uuid:partnership_uuid>"
R = f"{P}/<str:period_id>"

urlpatterns = [
    path("", views.due_view, name="due"),
    path("notifications/read/", views.notifications_read_view, name="notifications_read"),
    path("programmes/<uuid:programme_uuid>/", views.programme_view, name="programme"),
    path("programmes/<uuid:programme_uuid>/settings/", views.settings_view, name="settings"),
    path(f"{P}/", views.partnership_view, name="partnership"),
    path(f"{R}/", views.entry_view, name="entry"),
    path(f"{R}/rows/<uuid:adoption_uuid>/<str:option_key>/", views.row_save_view, name="row_save"),
    path(f"{R}/save/", views.save_all_view, name="save_all"),
    path(f"{R}/submit/", views.submit_view, name="submit"),
    path(f"{R}/narrative/", views.narrative_view, name="narrative"),
    path(f"{R}/return/", views.return_view, name="return"),
    path(f"{R}/approve/", views.approve_view, name="approve"),
    path(f"{R}/unlock/", views.unlock_view, name="unlock"),
    path(f"{R}/comments/", views.comment_add_view, name="comment_add"),
    path(f"{R}/comments/<uuid:review_comment_uuid>/done/", views.action_done_view, name="action_done"),
    path(f"{R}/evidence/", views.evidence_add_view, name="evidence_add"),
    path(f"{R}/evidence/<uuid:result_evidence_uuid>/", views.evidence_file_view, name="evidence_file"),
    path(
        f"{R}/evidence/<uuid:result_evidence_uuid>/delete/",
        views.evidence_delete_view,
        name="evidence_delete",
    ),
    path(f"{R}/template.xlsx", views.template_view, name="template"),
    path(f"{R}/upload/", views.upload_view, name="upload"),
    path(f"{R}/imports/<uuid:job_uuid>/", views.import_job_view, name="import_job"),
]
