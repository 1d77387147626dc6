from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo programme loader (`twinning demo`): it sits above every other app and writes through them."""

    name = "twinning.demo"
    label = "demo"
    verbose_name = _("Demo")
