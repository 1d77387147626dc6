from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "twinning.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django import forms
        from django.db.models import fields

        from twinning.core.forms import BLANK_LABEL, NameOrderedChoices

        # Django's documented hook (django.db.models.fields.BLANK_CHOICE_LABEL, overwritten in ready()).
        fields.BLANK_CHOICE_LABEL = BLANK_LABEL
        # Every model picker (ours, a ModelForm's, the admin's) sorts names as readers do, on both databases;
        # `iterator` is the documented attribute of ModelChoiceField for its options.
        forms.ModelChoiceField.iterator = NameOrderedChoices  # type: ignore[misc]
