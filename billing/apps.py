from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("청구와 수납")

    def ready(self) -> None:
        # Wiring, not a signal: billing fills the hooks contracts declares (core.hooks). Missing, they
        # raise at use and ``manage.py check`` reports them. See docs/architecture.md decision 1.
        from contracts.services.applications import unpaid_lookup
        from contracts.settlement import calculator

        from .services import events
        from .services.dunning import on_dispute_decided, on_invoice_paid
        from .services.facts import unpaid_won
        from .services.settlement import settlement_compute

        # The termination preview (CON-7) shows the complete final settlement billing issues (BIL-12..16).
        calculator.install(settlement_compute)
        # Unpaid fees for the application checks (CON-2) and termination completion (CON-7): one
        # definition, amounts under an open dispute not counted (the decision is at facts.unpaid_won).
        unpaid_lookup.install(unpaid_won)
        # DUN-1: the money primitives tell the ladder through these events (failing loudly when unset).
        events.register(invoice_paid=on_invoice_paid, dispute_decided=on_dispute_decided)
        # The Celery tasks are registered in every process, not only in a worker that autodiscovers
        # them: the admin queues ``process_bank_statement`` by name, and the demo runs tasks eagerly.
        # Issue 18: the payment and e-tax invoice ports on the providers page and in check_providers.
        from core import providers

        from . import tasks  # noqa: F401
        from .gateways import provider_ports

        for port in provider_ports():
            providers.register(port)
