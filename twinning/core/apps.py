from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "twinning.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models import fields

        from twinning.core.forms import BLANK_LABEL

        # Django's documented hook (django.db.models.fields.BLANK_CHOICE_LABEL, overwritten in ready()).
        fields.BLANK_CHOICE_LABEL = BLANK_LABEL
