"""Two billing events the dunning ladder answers, declared low so the money primitives need not import it.

* "invoice paid" — :func:`invoice_paid`, sent by ``allocation.invoice_settle`` when an invoice becomes
  paid or void (DUN-1: the ladder stops and restriction/suspension are lifted).
* "dispute decided" — :func:`dispute_decided`, sent by ``disputes.dispute_decide`` (BIL-10/DUN-1).

Not a Django signal and not a list of listeners: each event has exactly one receiver, registered
explicitly by ``BillingConfig.ready`` (``dunning.on_invoice_paid`` / ``dunning.on_dispute_decided``).
Sending an event with no receiver registered raises ``ImproperlyConfigured`` — a silently skipped DUN-1
would leave a paying customer suspended. The receiver runs synchronously, in the sender's transaction
and under its customer lock, exactly as the direct call did.

Tests that need another receiver use :func:`receivers` to save and restore the registration.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.core.exceptions import ImproperlyConfigured

from ..models import Dispute, Invoice

__all__ = [
    "DisputeDecidedReceiver",
    "InvoicePaidReceiver",
    "dispute_decided",
    "invoice_paid",
    "receivers",
    "register",
]


class InvoicePaidReceiver(Protocol):
    def __call__(self, *, invoice: Invoice, today: dt.date) -> None: ...


class DisputeDecidedReceiver(Protocol):
    def __call__(self, *, dispute: Dispute, today: dt.date) -> None: ...


_invoice_paid: InvoicePaidReceiver | None = None
_dispute_decided: DisputeDecidedReceiver | None = None


def register(
    *,
    invoice_paid: InvoicePaidReceiver | None,
    dispute_decided: DisputeDecidedReceiver | None,
) -> None:
    """Install the receivers (``None`` removes one). Called once by ``BillingConfig.ready``."""
    global _invoice_paid, _dispute_decided
    _invoice_paid = invoice_paid
    _dispute_decided = dispute_decided


def receivers() -> tuple[InvoicePaidReceiver | None, DisputeDecidedReceiver | None]:
    """The receivers now installed (to restore them after a test)."""
    return _invoice_paid, _dispute_decided


def _missing(event: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"billing event '{event}' has no receiver: BillingConfig.ready registers dunning's "
        "(billing.services.events.register)"
    )


def invoice_paid(*, invoice: Invoice, today: dt.date) -> None:
    """The invoice became paid or void (DUN-1)."""
    if _invoice_paid is None:
        raise _missing("invoice_paid")
    _invoice_paid(invoice=invoice, today=today)


def dispute_decided(*, dispute: Dispute, today: dt.date) -> None:
    """The dispute was answered (BIL-10/DUN-1)."""
    if _dispute_decided is None:
        raise _missing("dispute_decided")
    _dispute_decided(dispute=dispute, today=today)
