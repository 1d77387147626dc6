from django.urls import URLPattern

from twinning.interop.dhis2.urls import urlpatterns as dhis2_urls
from twinning.interop.iati.urls import urlpatterns as iati_urlpatterns

app_name = "interop"

urlpatterns: list[URLPattern] = [*iati_urlpatterns, *dhis2_urls]
