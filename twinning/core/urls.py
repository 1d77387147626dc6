from django.urls import path

from twinning.core import views

urlpatterns = [path("", views.home, name="home")]
