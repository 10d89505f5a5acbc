"""The ledger (BIL-7): the only place money is recorded. Balances are sums of entries.

Unpaid and overdue amounts (CON-2, CON-7, BIL-10) are defined in :mod:`billing.services.facts`
(``unpaid_won``, ``invoice_overdue_won``, ``dunnable_won``).

Sign convention: positive = the customer owes it; negative = in the customer's favour.
An entry with an invoice belongs to that invoice's open amount; one without an invoice is
part of the customer's unallocated balance (a negative unallocated balance is credit, BIL-17).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from core.audit import current_actor
from core.errors import DomainError

from ..models import CreditNote, Invoice, LedgerEntry, Payment
from .facts import invoice_open_amount

# An invoice's open amount is defined once, in ``facts`` (the SQL form for lists is next to it);
# ``ledger.invoice_open_amount`` stays the name the services and interfaces call.
__all__ = [
    "credit_available",
    "customer_balance",
    "invoice_open_amount",
    "lock_customer",
    "post",
    "post_many",
    "unallocated_balance",
]


def post(
    *,
    customer: Customer,
    kind: str,
    amount_won: int,
    occurred_on: dt.date,
    description: str,
    invoice: Invoice | None = None,
    payment: Payment | None = None,
    credit_note: CreditNote | None = None,
    key: str | None = None,
) -> LedgerEntry:
    """Append one entry. With a ``key``, posting the same event twice returns the first entry."""
    _check(customer, amount_won, invoice)
    if key is not None:
        existing = LedgerEntry.objects.filter(key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                customer=customer,
                kind=kind,
                amount_won=amount_won,
                occurred_on=occurred_on,
                description=description[:300],
                invoice=invoice,
                payment=payment,
                credit_note=credit_note,
                key=key,
                actor=current_actor().label,
            )
    except IntegrityError:
        if key is None:
            raise
        return LedgerEntry.objects.get(key=key)


def _check(customer: Customer, amount_won: int, invoice: Invoice | None) -> None:
    if not isinstance(amount_won, int) or isinstance(amount_won, bool):
        raise DomainError(
            "amount_not_integer", _("금액은 원 단위 정수여야 합니다."), rule="BIL-7", field="amount_won"
        )
    if amount_won == 0:
        raise DomainError("amount_zero", _("0원은 기록하지 않습니다."), rule="BIL-7", field="amount_won")
    if invoice is not None and invoice.customer_id != customer.pk:
        raise DomainError("wrong_customer", _("다른 고객의 청구서입니다."), rule="BIL-7", field="invoice")


def post_many(entries: list[dict[str, Any]]) -> list[LedgerEntry]:
    """:func:`post` for a batch (the invoice run, issue 16): the same checks per entry, keyed entries
    already posted are skipped, the rest written with one insert. Each dict holds :func:`post`'s
    arguments. Call it under the customers' locks, in the caller's transaction."""
    if not entries:
        return []
    for e in entries:
        _check(e["customer"], e["amount_won"], e.get("invoice"))
    keys = [e["key"] for e in entries if e.get("key")]
    done = set(LedgerEntry.objects.filter(key__in=keys).values_list("key", flat=True)) if keys else set()
    actor = current_actor().label
    rows = [
        LedgerEntry(
            customer=e["customer"],
            kind=e["kind"],
            amount_won=e["amount_won"],
            occurred_on=e["occurred_on"],
            description=e["description"][:300],
            invoice=e.get("invoice"),
            payment=e.get("payment"),
            credit_note=e.get("credit_note"),
            key=e.get("key"),
            actor=actor,
        )
        for e in entries
        if not e.get("key") or e["key"] not in done
    ]
    return LedgerEntry.objects.bulk_create(rows, batch_size=1000)


def _sum(qs) -> int:  # type: ignore[no-untyped-def]
    return int(qs.aggregate(total=Sum("amount_won"))["total"] or 0)


def customer_balance(customer: Customer) -> int:
    """Everything owed minus everything paid or credited. Negative = the customer is in credit."""
    return _sum(LedgerEntry.objects.filter(customer=customer))


def unallocated_balance(customer: Customer) -> int:
    """Entries not tied to an invoice: negative means credit available to apply (BIL-17)."""
    return _sum(LedgerEntry.objects.filter(customer=customer, invoice__isnull=True))


def credit_available(customer: Customer) -> int:
    return max(0, -unallocated_balance(customer))


def lock_customer(customer: Customer) -> Customer:
    """Serialise money movements of one customer (row lock on the customer; take it first)."""
    return Customer.objects.select_for_update().get(pk=customer.pk)
