"""Tenant-scoped billing reads shared by the portal, the API and the admin.

(Candidates for ``billing/selectors.py``: they live here until the billing app has that module.)
Every customer-facing read starts from the member's customer, so another customer's invoice is a 404.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from accounts.models import Customer

from ..models import CreditNote, Invoice, LedgerEntry, Payment, PaymentMethod


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


def customer_invoices(customer: Customer) -> QuerySet[Invoice]:
    """The customer's invoices, newest first, each with ``open_won`` annotated."""
    return (
        Invoice.objects.filter(customer=customer)
        .annotate(open_won=open_amount_subquery())
        .order_by("-issue_date", "-number")
    )


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
    rows = (
        customer_invoices(customer).filter(status=Invoice.Status.ISSUED).values_list("open_won", "due_date")  # type: ignore[misc]
    )
    open_rows = [(int(amount), due) for amount, due in rows if amount > 0]
    total = sum(amount for amount, _due in open_rows)
    next_due = min((due for _amount, due in open_rows), default=None)
    return total, next_due
