from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "twinning.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge")

    def ready(self) -> None:
        # The pillar-5 figures on the programme dashboard and South-to-South on the institution page.
        from twinning.knowledge.spread import sections

        sections.register()
