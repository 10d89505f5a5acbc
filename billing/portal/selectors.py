"""Moved to :mod:`billing.selectors` (the billing reads every interface shares); this re-export keeps
the admin, API and portal imports working until they switch to ``billing.selectors``."""

from billing.selectors import (
    OpenAmounts,
    customer_credit_notes,
    customer_invoice_detail,
    customer_invoices,
    customer_payment_methods,
    customer_payments,
    late_charges_subquery,
    open_amount_subquery,
    open_amounts,
    open_summary,
    with_amounts,
)

__all__ = [
    "OpenAmounts",
    "customer_credit_notes",
    "customer_invoice_detail",
    "customer_invoices",
    "customer_payment_methods",
    "customer_payments",
    "late_charges_subquery",
    "open_amount_subquery",
    "open_amounts",
    "open_summary",
    "with_amounts",
]
