from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("SLA와 장애")

    def ready(self) -> None:
        # The SLA notice templates join the messaging registry (messaging.defaults.DEFAULT_TEMPLATES).
        from .notices import register_templates

        register_templates()
