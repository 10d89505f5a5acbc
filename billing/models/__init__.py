"""Billing: the ledger, invoices and their lines, credit/debit notes, payments, bank imports,
seat snapshots, usage records, promotions and tax invoices (SPEC §5, BIL-1..8, BIL-17..19).

Money is integer won (``BigIntegerField``, ``*_won``). A customer's balance and an invoice's
open amount are sums of ``LedgerEntry`` rows; nothing stores a balance on its own (BIL-7).
Sign convention: a positive entry is owed by the customer, a negative one is money or credit
in the customer's favour.

The models live in three modules by stage (``invoices``, ``payments``, ``collection``); import them
from here.
"""

from billing.models.collection import (
    CardRefund,
    Dispute,
    DunningCase,
    DunningPause,
    DunningStep,
    LateCharge,
    Refund,
    Settlement,
)
from billing.models.invoices import (
    CreditNote,
    DocumentCounter,
    Invoice,
    InvoiceLine,
    Promotion,
    SeatSnapshot,
    TaxInvoice,
    UsageRecord,
)
from billing.models.payments import (
    BankStatementImport,
    BankTransaction,
    GatewayWebhook,
    LedgerEntry,
    PayerAlias,
    Payment,
    PaymentMethod,
)

__all__ = [
    "BankStatementImport",
    "BankTransaction",
    "CardRefund",
    "CreditNote",
    "Dispute",
    "DocumentCounter",
    "DunningCase",
    "DunningPause",
    "DunningStep",
    "GatewayWebhook",
    "Invoice",
    "InvoiceLine",
    "LateCharge",
    "LedgerEntry",
    "PayerAlias",
    "Payment",
    "PaymentMethod",
    "Promotion",
    "Refund",
    "SeatSnapshot",
    "Settlement",
    "TaxInvoice",
    "UsageRecord",
]
