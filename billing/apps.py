from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("청구와 수납")

    def ready(self) -> None:
        # Wiring, not a signal: the termination preview (CON-7) shows the complete final settlement that
        # billing issues afterwards (BIL-12..16). See docs/architecture.md decision 1.
        from contracts.services.applications import set_unpaid_lookup
        from contracts.settlement import set_calculator

        from .services import events
        from .services.dunning import on_dispute_decided, on_invoice_paid
        from .services.facts import unpaid_won
        from .services.settlement import settlement_compute

        set_calculator(settlement_compute)
        # Unpaid fees for the application checks (CON-2) and termination completion (CON-7): one
        # definition, amounts under an open dispute not counted (the decision is at facts.unpaid_won).
        set_unpaid_lookup(unpaid_won)
        # DUN-1: the money primitives tell the ladder through these events (failing loudly when unset).
        events.register(invoice_paid=on_invoice_paid, dispute_decided=on_dispute_decided)
