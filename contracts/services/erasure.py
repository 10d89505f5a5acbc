"""Contracts' part of a customer's purge (DAT-2, DAT-3): contracts and everything hanging off them, consents.

Called explicitly by the purge job at the top (``privacy``). The contract records the law keeps
(DAT-3: contracts, their periods, special terms, consent records) stay in place: the job passes their
ids as ``keep`` and first calls :func:`records_scrub`, which anonymises their personal fields. A new
contracts table with customer data belongs in ``TABLES``; one with personal fields that is kept, in
``RECORD_SCRUB``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import Model

from accounts.models import Customer
from core.erasure import SCRUBBED, erase_customer_rows, scrub_rows

from .. import models as m

TABLES = (
    m.SuccessionTransfer, m.TermsConsent, m.ContractChange, m.SeatAssignment, m.SeatAssignment.history.model,
    m.SpecialTerm, m.SpecialTerm.history.model, m.Suspension, m.Suspension.history.model, m.ScheduleChange,
    m.ContractTransition, m.ApplicationCheck, m.ContractDocument, m.ContractPeriod,
    m.Contract, m.Contract.history.model,
)

#: Tables that hold the customer's members (rows that cannot outlive them): what goes on the policy's
#: day even while billing still needs the contract records (privacy decision: money owed).
MEMBER_TABLES = (m.SeatAssignment, m.SeatAssignment.history.model)

#: Personal fields of the kept contract records, and what they become (DAT-3): the applying member and
#: the customer's own termination note; the consent's member and IP address.
RECORD_SCRUB: dict[type[Model], dict[str, object]] = {
    m.Contract: {"applied_by": None, "termination_note": SCRUBBED},
    m.TermsConsent: {"member": None, "ip_address": None},
    m.ContractPeriod: {},
    m.SpecialTerm: {},
}


def customer_data_erase(
    *, customer_id: int, keep: Mapping[str, Iterable[int]] | None = None
) -> dict[str, int]:
    """Delete the customer's contract rows for real, bar ``keep``; return rows per table. Idempotent."""
    return erase_customer_rows(TABLES, customer_model=Customer, customer_id=customer_id, keep=keep)


def member_data_erase(*, customer_id: int) -> dict[str, int]:
    """Delete only the rows that hold the customer's members (seat assignments); return rows per table."""
    return erase_customer_rows(MEMBER_TABLES, customer_model=Customer, customer_id=customer_id)


def records_scrub(*, ids: Mapping[str, Iterable[int]]) -> dict[str, int]:
    """Anonymise the kept contract records in place (DAT-3); return rows per table."""
    rows = {}
    for model, values in RECORD_SCRUB.items():
        pks = list(ids.get(model._meta.label, ()))
        if pks:
            rows[model._meta.label] = scrub_rows(model, pks, values)
    return rows
