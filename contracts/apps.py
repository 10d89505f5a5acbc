from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = _("약관과 계약")

    def ready(self) -> None:
        # Declare the hooks this app calls (billing fills them in its ready()), and let
        # ``manage.py check`` report any left empty (core.E001). See docs/architecture.md decision 1.
        from core.hooks import check_hooks

        from . import settlement  # noqa: F401  (declares contracts.settlement_calculator)
        from .services import applications  # noqa: F401  (declares contracts.unpaid_lookup)

        checks.register(check_hooks, "wiring")
