"""Posting money to invoices (BIL-7, BIL-11, BIL-17).

A succeeded payment becomes negative ledger entries: on the invoice it was made for, or on the
customer's open invoices oldest first (arrears — the overdue ones — therefore first, 002 art.35④),
partial payments allowed; whatever is left becomes unallocated credit (an entry without an
invoice), never lost. Every posting is keyed, so applying the same payment twice changes nothing.

An invoice's status follows its open amount through :func:`invoice_settle` (the one place that
moves ``issued ⇄ paid/void`` on money): 0 open → paid (void when credit notes cancelled it
entirely), open again after a debit note → issued.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.transitions import transition

from ..lifecycles import INVOICE
from ..models import Invoice, LedgerEntry, Payment
from . import events, ledger
from .facts import net_noted_won, open_invoices, require_positive_won

# Helpers that lived here before ``facts`` (settlement, evasion, refunds, payments import them by this path).
__all__ = [
    "Allocation",
    "invoice_settle",
    "net_noted_won",
    "open_invoices",
    "payment_apply",
    "require_positive_won",
]


@dataclass
class Allocation:
    """What one payment (or credit) went to."""

    to_invoices: list[tuple[Invoice, int]] = field(default_factory=list)
    unallocated_won: int = 0

    @property
    def allocated_won(self) -> int:
        return sum(amount for _, amount in self.to_invoices)


def invoice_settle(*, invoice: Invoice, today: dt.date) -> Invoice:
    """Bring the invoice's status in line with its open amount (call under the customer lock).

    open ≤ 0 → paid on ``today`` (or void when credit notes cancelled the whole total);
    open > 0 on a paid/void invoice (a debit note reopened it) → issued again.
    """
    open_won = ledger.invoice_open_amount(invoice)
    target = invoice.status
    if open_won <= 0 and invoice.status == Invoice.Status.ISSUED:
        fully_cancelled = net_noted_won(invoice) >= invoice.total_won
        target = Invoice.Status.VOID if fully_cancelled else Invoice.Status.PAID
    elif open_won > 0 and invoice.status in (Invoice.Status.PAID, Invoice.Status.VOID):
        target = Invoice.Status.ISSUED
    if target == invoice.status:
        return invoice
    if not INVOICE.can(invoice.status, target):
        raise DomainError(
            "invoice_transition_not_allowed",
            _("청구서 {number}의 상태를 {source}에서 {target}(으)로 바꿀 수 없습니다."),
            rule="BIL-7",
            field="status",
            number=invoice.number,
            source=invoice.status,
            target=target,
        )
    invoice.paid_on = today if target == Invoice.Status.PAID else None
    transition(invoice, INVOICE, target, today=today, save_fields=["paid_on"])
    if target in (Invoice.Status.PAID, Invoice.Status.VOID):
        # DUN-1: payment in full lifts restriction/suspension at once and stops the ladder (the event's
        # receiver is dunning.on_invoice_paid, registered by BillingConfig.ready).
        events.invoice_paid(invoice=invoice, today=today)
    return invoice


def _payment_key(payment: Payment, suffix: str) -> str:
    return f"payment:{payment.pk}:{suffix}"


def _existing_allocation(payment: Payment) -> Allocation | None:
    entries = list(
        LedgerEntry.objects.filter(payment=payment, kind=LedgerEntry.Kind.PAYMENT).select_related("invoice")
    )
    if not entries:
        return None
    result = Allocation()
    for entry in entries:
        if entry.invoice is None:
            result.unallocated_won += -entry.amount_won
        else:
            result.to_invoices.append((entry.invoice, -entry.amount_won))
    return result


def _describe(payment: Payment) -> str:
    label = Payment.Method(payment.method).label
    parts = [f"{label} {payment.amount_won:,}원"]
    if payment.payer_name:
        parts.append(f"입금자 {payment.payer_name}")
    if payment.reference:
        parts.append(payment.reference)
    return " · ".join(parts)


def payment_apply(*, payment: Payment, today: dt.date) -> Allocation:
    """Post a succeeded payment to the ledger (BIL-7). Idempotent: a second call returns the first split.

    With ``payment.invoice``: that invoice up to its open amount (a closed invoice takes nothing);
    without: the open invoices oldest first. The rest is unallocated credit (BIL-11, BIL-17),
    which the ``collect_payments`` job offsets against the next invoice.
    """
    with transaction.atomic():
        customer = ledger.lock_customer(payment.customer)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != Payment.Status.SUCCEEDED:
            raise DomainError(
                "payment_not_succeeded",
                _("성공한 결제만 원장에 반영합니다 (결제 {id}: {status})."),
                rule="BIL-7",
                field="status",
                id=payment.pk,
                status=payment.status,
            )
        existing = _existing_allocation(payment)
        if existing is not None:
            return existing
        if payment.invoice_id is not None:
            targets: list[Invoice] = list(
                Invoice.objects.filter(pk=payment.invoice_id, status=Invoice.Status.ISSUED)
            )
        else:
            targets = list(open_invoices(customer))
        result = Allocation()
        remaining = payment.amount_won
        description = _describe(payment)
        for invoice in targets:
            if remaining <= 0:
                break
            open_won = ledger.invoice_open_amount(invoice)
            if open_won <= 0:
                continue
            portion = min(open_won, remaining)
            ledger.post(
                customer=customer,
                kind=LedgerEntry.Kind.PAYMENT,
                amount_won=-portion,
                occurred_on=payment.received_on,
                description=f"{description} → {invoice.number}",
                invoice=invoice,
                payment=payment,
                key=_payment_key(payment, f"invoice:{invoice.pk}"),
            )
            remaining -= portion
            result.to_invoices.append((invoice, portion))
            invoice_settle(invoice=invoice, today=today)
        if remaining > 0:
            ledger.post(
                customer=customer,
                kind=LedgerEntry.Kind.PAYMENT,
                amount_won=-remaining,
                occurred_on=payment.received_on,
                description=f"{description} → 크레딧 잔액",
                payment=payment,
                key=_payment_key(payment, "unallocated"),
            )
            result.unallocated_won = remaining
        return result
