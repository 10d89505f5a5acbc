"""Tenant-scoped billing reads shared by the portal, the API and the admin.

(Candidates for ``billing/selectors.py``: they live here until the billing app has that module.)
Every customer-facing read starts from the member's customer, so another customer's invoice is a 404.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Customer

from ..models import CreditNote, Invoice, InvoiceLine, LedgerEntry, Payment, PaymentMethod


def open_amount_subquery() -> Coalesce:
    """Each invoice's open amount as one correlated subquery (Σ its ledger entries; no N+1)."""
    per_invoice = (
        LedgerEntry.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount_won"))
        .values("total")
    )
    return Coalesce(Subquery(per_invoice, output_field=BigIntegerField()), Value(0))


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


def customer_payments(customer: Customer) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(customer=customer)
        .select_related("invoice", "payment_method")
        .order_by("-received_on", "-id")
    )


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
