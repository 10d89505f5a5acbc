"""Back office for billing (SPEC §11), one module per domain; importing them registers the admins.

Thin: lists, filters, actions and buttons that call ``billing.services`` under
``acting_as(request.user)``; a ``DomainError`` becomes an admin message or an error next to the field.
Shared plumbing comes from ``core.adminkit`` and ``core.forms``.
"""

from . import (  # noqa: F401  (registration)
    bank,
    disputes,
    dunning,
    invoices,
    late_charges,
    ledger,
    payments,
    promotions,
    refunds,
    tax,
    usage,
)
