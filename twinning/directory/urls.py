from django.urls import path

from twinning.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.institution_list_view, name="list"),
    path("new/", views.institution_create_view, name="create"),
    path("priorities/", views.priority_list_view, name="priorities"),
    path("options/", views.institution_options_view, name="institution_options"),
    path("<uuid:institution_uuid>/", views.institution_detail_view, name="detail"),
    path("<uuid:institution_uuid>/edit/", views.institution_edit_view, name="edit"),
    path("<uuid:institution_uuid>/people/new/", views.person_add_view, name="person_add"),
]
