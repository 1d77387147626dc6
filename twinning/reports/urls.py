from django.urls import path

from twinning.reports import views

app_name = "reports"

urlpatterns = [
    path("partnerships/<uuid:partnership_uuid>/", views.partnership_view, name="partnership"),
    path("programmes/<uuid:programme_uuid>/", views.programme_view, name="programme"),
    path("jobs/<uuid:report_job_uuid>/", views.job_view, name="job"),
    path("jobs/<uuid:report_job_uuid>/file/", views.job_file_view, name="job_file"),
]
