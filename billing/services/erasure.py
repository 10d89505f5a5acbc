"""Billing's part of a customer's purge (DAT-2): every billing table holding the customer's rows.

Called explicitly by the purge job at the top (``privacy``), which first copies the payment and dispute
records it must keep apart (DAT-3). A new billing table with customer data belongs in ``TABLES``; the
purge refuses to finish while any table still holds the customer's rows.
"""

from __future__ import annotations

from accounts.models import Customer
from core.erasure import erase_customer_rows

from .. import models as m

TABLES = (
    m.Settlement, m.Refund, m.Refund.history.model, m.Dispute, m.Dispute.history.model,
    m.DunningStep, m.DunningCase, m.DunningCase.history.model, m.DunningPause, m.DunningPause.history.model,
    m.LateCharge, m.LateCharge.history.model, m.TaxInvoice, m.TaxInvoice.history.model,
    m.Promotion, m.Promotion.history.model, m.UsageRecord, m.SeatSnapshot,
    m.BankTransaction, m.BankTransaction.history.model, m.PayerAlias, m.PayerAlias.history.model,
    m.LedgerEntry, m.Payment, m.Payment.history.model,
    m.PaymentMethod, m.PaymentMethod.history.model, m.CreditNote, m.CreditNote.history.model,
    m.InvoiceLine, m.Invoice, m.Invoice.history.model,
)


def customer_data_erase(*, customer_id: int) -> dict[str, int]:
    """Delete the customer's billing rows for real; return rows per table. Idempotent."""
    return erase_customer_rows(TABLES, customer_model=Customer, customer_id=customer_id)
