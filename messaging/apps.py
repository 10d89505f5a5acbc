from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _notify_change_request(customer: Any, event: str, context: dict[str, Any], dedupe_key: str) -> None:
    from .services import notify

    notify(customer=customer, event=event, context=context, dedupe_key=dedupe_key)


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("알림과 메시지")

    def ready(self) -> None:
        # Wiring, not a signal: accounts (below messaging) tells customers about change-request
        # decisions (ACC-9) through this hook. See docs/architecture.md decision 1.
        from accounts.services_changes import set_notifier

        set_notifier(_notify_change_request)
        # Services enqueue tasks by name (current_app.tasks[...]); register them in every process, not
        # only in workers (autodiscovery imports tasks modules there alone).
        # Issue 18: the messaging port on the providers page and in check_providers.
        from core import providers

        from . import tasks  # noqa: F401
        from .providers import provider_port

        providers.register(provider_port())
