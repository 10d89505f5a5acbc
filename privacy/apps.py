from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("개인정보와 데이터 보관")

    def ready(self) -> None:
        # The export reminder template joins the messaging registry (messaging.defaults.DEFAULT_TEMPLATES).
        from .notices import register_templates

        register_templates()
