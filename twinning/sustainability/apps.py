from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SustainabilityConfig(AppConfig):
    name = "twinning.sustainability"
    label = "sustainability"
    verbose_name = _("Sustainability")
