from django.urls import URLPattern

app_name = "exchanges"

urlpatterns: list[URLPattern] = []
