"""Billing's part of a customer's purge (DAT-2, DAT-3): every billing table holding the customer's rows.

Called explicitly by the purge job at the top (``privacy``). The records the law keeps (DAT-3:
invoices and their lines, payments and their allocations in the ledger, credit notes, tax invoices,
refunds, settlements, late charges; disputes) stay in place, so reports and ledgers read the same
after a purge: the job passes their ids as ``keep`` and first calls :func:`records_scrub`, which
anonymises their personal fields. While :func:`money_open` says something is still owed or open,
the job leaves every billing row alone. A new billing table with customer data belongs in ``TABLES``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet, Sum

from accounts.models import Customer
from core.erasure import SCRUBBED, erase_customer_rows, scrub_rows

from .. import models as m
from .facts import customer_open_won, issued_invoices, open_amount_subquery, open_invoices

TABLES = (
    m.Settlement, m.CardRefund, m.Refund, m.Refund.history.model, m.Dispute, m.Dispute.history.model,
    m.DunningStep, m.DunningStep.history.model, m.DunningCase, m.DunningCase.history.model,
    m.DunningPause, m.DunningPause.history.model,
    m.LateCharge, m.LateCharge.history.model, m.TaxInvoice, m.TaxInvoice.history.model,
    m.Promotion, m.Promotion.history.model, m.UsageRecord, m.SeatSnapshot,
    m.BankTransaction, m.BankTransaction.history.model, m.PayerAlias, m.PayerAlias.history.model,
    m.GatewayWebhook, m.LedgerEntry, m.Payment, m.Payment.history.model,
    m.PaymentMethod, m.PaymentMethod.history.model, m.CreditNote, m.CreditNote.history.model,
    m.InvoiceLine, m.Invoice, m.Invoice.history.model,
)

#: Personal fields of the kept records and what they become (DAT-3): the depositor's name and the
#: stored payment method (its token) of a payment; the customer's own words in a dispute or a refund
#: request and the member who filed it; the buyer's representative and e-mail on a tax invoice (its
#: buyer name and business number are required items of the tax invoice itself, VAT Act art.32, and
#: name a business, not a person).
RECORD_SCRUB: dict[type[Model], dict[str, object]] = {
    m.Payment: {"payer_name": SCRUBBED, "payment_method": None},
    m.Refund: {"reason": SCRUBBED},
    m.Dispute: {"reason": SCRUBBED, "filed_by": None},
    m.TaxInvoice: {"buyer_representative": SCRUBBED, "buyer_email": SCRUBBED},
    m.Invoice: {},
    m.InvoiceLine: {},
    m.CreditNote: {},
    m.LedgerEntry: {},
    m.Settlement: {},
    m.LateCharge: {},
}


def customer_data_erase(
    *, customer_id: int, keep: Mapping[str, Iterable[int]] | None = None
) -> dict[str, int]:
    """Delete the customer's billing rows for real, bar ``keep``; return rows per table. Idempotent."""
    return erase_customer_rows(TABLES, customer_model=Customer, customer_id=customer_id, keep=keep)


def records_scrub(*, ids: Mapping[str, Iterable[int]]) -> dict[str, int]:
    """Anonymise the kept billing records in place (DAT-3); return rows per table."""
    rows = {}
    for model, values in RECORD_SCRUB.items():
        pks = list(ids.get(model._meta.label, ()))
        if pks:
            rows[model._meta.label] = scrub_rows(model, pks, values)
    return rows


@dataclass(frozen=True)
class MoneyOpen:
    """What a customer still owes or has open with billing (the purge waits for it, DAT-3)."""

    open_won: int
    open_invoices: int
    disputes: int
    disputed_won: int
    refunds: int
    refund_won: int
    pending_payments: int
    unissued_settlements: int

    @property
    def blocking(self) -> bool:
        return bool(
            self.open_won
            or self.disputes
            or self.refunds
            or self.pending_payments
            or self.unissued_settlements
        )


def _open_disputes() -> QuerySet[m.Dispute]:
    return m.Dispute.objects.filter(status=m.Dispute.Status.OPEN)


def _requested_refunds() -> QuerySet[m.Refund]:
    return m.Refund.objects.filter(status=m.Refund.Status.REQUESTED)


def _pending_payments() -> QuerySet[m.Payment]:
    return m.Payment.objects.filter(status=m.Payment.Status.PENDING)


def _unissued_settlements() -> QuerySet[m.Settlement]:
    """A final settlement neither invoiced nor refunded yet (and not zero)."""
    return m.Settlement.objects.filter(invoice__isnull=True, refund__isnull=True).filter(~Q(total_won=0))


def money_open(*, customer_id: int) -> MoneyOpen:
    """The customer's open money matters, each from billing's one definition: the open amount of its
    issued invoices (``facts.customer_open_won``: unpaid, partly paid, the final settlement invoice,
    whether or not past due), open disputes, requested refunds, payments still being processed, and a
    final settlement neither invoiced nor refunded yet."""
    customer = Customer.objects.get(pk=customer_id)
    open_won = customer_open_won(customer)
    open_count = sum(
        1
        for value in open_invoices(customer)
        .annotate(open_won=open_amount_subquery())
        .values_list("open_won", flat=True)
        if value > 0
    )
    disputes = _open_disputes().filter(customer_id=customer_id)
    refunds = _requested_refunds().filter(customer_id=customer_id)
    return MoneyOpen(
        open_won=open_won,
        open_invoices=open_count,
        disputes=disputes.count(),
        disputed_won=int(disputes.aggregate(total=Sum("amount_won"))["total"] or 0),
        refunds=refunds.count(),
        refund_won=int(refunds.aggregate(total=Sum("amount_won"))["total"] or 0),
        pending_payments=_pending_payments().filter(customer_id=customer_id).count(),
        unissued_settlements=_unissued_settlements().filter(contract__customer_id=customer_id).count(),
    )


def money_blocking(*, customer_ids: Collection[int]) -> set[int]:
    """Which of ``customer_ids`` :func:`money_open` would call blocking, in one query for any number of
    customers (the purge's daily prefilter, issue 16): an issued invoice with an open amount, an open
    dispute, a requested refund, a pending payment or an unissued final settlement."""
    ids = list(customer_ids)
    if not ids:
        return set()
    owing = (
        issued_invoices()
        .filter(customer_id__in=ids)
        .annotate(open_won=open_amount_subquery())
        .filter(open_won__gt=0)
        .values_list("customer_id", flat=True)
    )
    reads = [
        _open_disputes().filter(customer_id__in=ids).values_list("customer_id", flat=True),
        _requested_refunds().filter(customer_id__in=ids).values_list("customer_id", flat=True),
        _pending_payments().filter(customer_id__in=ids).values_list("customer_id", flat=True),
        _unissued_settlements()
        .filter(contract__customer_id__in=ids)
        .values_list("contract__customer_id", flat=True),
    ]
    return set(owing.order_by().union(*(read.order_by() for read in reads)))
