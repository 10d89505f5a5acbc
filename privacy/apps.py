from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("개인정보와 데이터 보관")

    def ready(self) -> None:
        # The export reminder template joins the messaging registry (messaging.defaults.DEFAULT_TEMPLATES).
        from .notices import register_templates

        register_templates()
        # The export service enqueues its build by name (current_app.tasks[...]): register the task in
        # every process, not only in workers (as messaging does); else POST /privacy/exports/ was a 500.
        from . import tasks  # noqa: F401
