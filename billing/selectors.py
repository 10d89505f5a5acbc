"""Billing reads that more than one interface needs (the admin, the API, the portal, jobs and commands).

Tenant scoping: every customer-facing read starts from the member's customer, so another customer's
invoice is a 404. Writes and rules stay in ``billing.services``; this module only reads, and no
billing service imports it.

Derived amounts have ONE definition each, in :mod:`billing.services.facts`, exposed here:

* open — :func:`invoice_open_amount` (one invoice) and :func:`open_amount_subquery` (lists); both sum
  ``facts.invoice_entries``, and ``tests/billing/test_selectors.py`` checks them equal;
* held (open disputes, VAT included) — :func:`held_won`;
* dunnable (open − held: what dunning acts on, BIL-10) — :func:`dunnable_won`;
* overdue (dunnable once past due) — :func:`invoice_overdue_won`;
* unpaid (a customer's overdue amounts: CON-2, CON-7) — :func:`unpaid_won`.

Where a payment went (BIL-7): :func:`payment_allocations`, from the ledger entries the payment posted —
also for a payment made without an invoice (applied oldest first) or matched on a customer's total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, F, OuterRef, Prefetch, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Customer

from .models import CreditNote, Invoice, InvoiceLine, LedgerEntry, Payment, PaymentMethod
from .services.dunning_reads import LadderPosition, ladder_position
from .services.facts import (
    customer_open_won,
    dunnable_won,
    held_won,
    invoice_open_amount,
    invoice_overdue_won,
    open_amount_subquery,
    open_invoices,
    unpaid_won,
)

__all__ = [
    "LadderPosition",
    "OpenAmounts",
    "PaymentAllocation",
    "PaymentAllocations",
    "customer_credit_notes",
    "customer_invoice_detail",
    "customer_invoices",
    "customer_open_won",
    "customer_payment_methods",
    "customer_payments",
    "dunnable_won",
    "held_won",
    "invoice_open_amount",
    "invoice_overdue_won",
    "ladder_position",
    "late_charges_subquery",
    "open_amount_subquery",
    "open_amounts",
    "open_invoices",
    "open_summary",
    "payment_allocations",
    "unpaid_won",
    "with_amounts",
]


# --------------------------------------------------------------------------- invoices


def late_charges_subquery() -> Coalesce:
    """Each invoice's late-charge lines (BIL-9: billed on it, outside supply/VAT/total) as one subquery."""
    per_invoice = (
        InvoiceLine.objects.filter(invoice=OuterRef("pk"), kind=InvoiceLine.Kind.LATE_CHARGE)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount_won"))
        .values("total")
    )
    return Coalesce(Subquery(per_invoice, output_field=BigIntegerField()), Value(0))


def with_amounts(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate what a person is shown about an invoice's money: ``open_won`` (the ledger's open amount),
    ``late_won`` (late charges billed on it) and ``due_won`` = ``total_won`` + ``late_won``, the amount
    due (``late_charges.invoice_amount_due_won``; the ledger open amount before payments)."""
    return invoices.annotate(open_won=open_amount_subquery(), late_won=late_charges_subquery()).annotate(
        due_won=F("total_won") + F("late_won")
    )


def customer_invoices(customer: Customer) -> QuerySet[Invoice]:
    """The customer's invoices, newest first, each with ``open_won``, ``late_won`` and ``due_won``."""
    return with_amounts(Invoice.objects.filter(customer=customer)).order_by("-issue_date", "-number")


def customer_invoice_detail(customer: Customer) -> QuerySet[Invoice]:
    return customer_invoices(customer).select_related("customer", "policy").prefetch_related("lines")


def customer_credit_notes(customer: Customer) -> QuerySet[CreditNote]:
    return (
        CreditNote.objects.filter(customer=customer).select_related("invoice").order_by("-issued_on", "-id")
    )


def customer_payment_methods(customer: Customer) -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.filter(customer=customer, active=True).order_by("-is_default", "kind", "id")


def open_summary(customer: Customer) -> tuple[int, dt.date | None]:
    """Total still owed on issued invoices and the earliest due date among them (the home card)."""
    summary = open_amounts(customer)
    return summary.open_won, summary.next_due


@dataclass(frozen=True)
class OpenAmounts:
    """The customer's issued invoices that still have something open: the open amount (ledger), what
    they asked for (total + late charges = amount due), the late charges in it, the next due date."""

    open_won: int
    total_won: int
    late_won: int
    due_won: int
    next_due: dt.date | None
    count: int


def open_amounts(customer: Customer) -> OpenAmounts:
    rows = (
        customer_invoices(customer)
        .filter(status=Invoice.Status.ISSUED)
        .values_list("open_won", "total_won", "late_won", "due_date")  # type: ignore[misc]
    )
    open_rows = [(int(o), int(t), int(late), due) for o, t, late, due in rows if o > 0]
    return OpenAmounts(
        open_won=sum(r[0] for r in open_rows),
        total_won=sum(r[1] for r in open_rows),
        late_won=sum(r[2] for r in open_rows),
        due_won=sum(r[1] + r[2] for r in open_rows),
        next_due=min((r[3] for r in open_rows), default=None),
        count=len(open_rows),
    )


# --------------------------------------------------------------------------- payments (BIL-7)


def _allocation_entries() -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT)
        .select_related("invoice")
        .order_by("invoice__due_date", "invoice_id", "pk")
    )


def customer_payments(customer: Customer) -> QuerySet[Payment]:
    """The customer's payments, newest first, with what each went to prefetched
    (:func:`payment_allocations` reads it without another query)."""
    return (
        Payment.objects.filter(customer=customer)
        .select_related("invoice", "payment_method")
        .prefetch_related(
            Prefetch("ledger_entries", queryset=_allocation_entries(), to_attr="allocation_entries")
        )
        .order_by("-received_on", "-id")
    )


@dataclass(frozen=True)
class PaymentAllocation:
    invoice: Invoice
    amount_won: int


@dataclass(frozen=True)
class PaymentAllocations:
    """What one payment went to: invoices (oldest first) with the amount each took, and the rest that
    became credit balance (BIL-11, BIL-17). Empty for a payment not (yet) in the ledger."""

    to_invoices: list[PaymentAllocation]
    unallocated_won: int

    @property
    def allocated_won(self) -> int:
        return sum(a.amount_won for a in self.to_invoices)

    @property
    def invoices(self) -> list[Invoice]:
        return [a.invoice for a in self.to_invoices]


def payment_allocations(payment: Payment) -> PaymentAllocations:
    """Which invoices a payment went to and how much each took, from the entries it posted (BIL-7).

    ``payment.invoice`` names only the invoice a payment was made for; a payment without one (a bank
    deposit matched on the customer's total, an overpayment, a CMS charge of several invoices) is
    applied oldest first, and this read is where it shows."""
    entries = getattr(payment, "allocation_entries", None)
    if entries is None:
        entries = list(_allocation_entries().filter(payment=payment))
    by_invoice: dict[int, PaymentAllocation] = {}
    unallocated = 0
    for entry in entries:
        if entry.invoice is None:
            unallocated += -entry.amount_won
            continue
        previous = by_invoice.get(entry.invoice.pk)
        amount = -entry.amount_won + (previous.amount_won if previous else 0)
        by_invoice[entry.invoice.pk] = PaymentAllocation(entry.invoice, amount)
    return PaymentAllocations(list(by_invoice.values()), unallocated)
