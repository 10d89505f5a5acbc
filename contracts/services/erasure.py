"""Contracts' part of a customer's purge (DAT-2): contracts and everything hanging off them, consents.

Called explicitly by the purge job at the top (``privacy``), which first copies the contract and
consent records it keeps apart (DAT-3). A new contracts table with customer data belongs in ``TABLES``.
"""

from __future__ import annotations

from accounts.models import Customer
from core.erasure import erase_customer_rows

from .. import models as m

TABLES = (
    m.SuccessionTransfer, m.TermsConsent, m.ContractChange, m.SeatAssignment, m.SeatAssignment.history.model,
    m.SpecialTerm, m.SpecialTerm.history.model, m.Suspension, m.Suspension.history.model, m.ScheduleChange,
    m.ContractTransition, m.ApplicationCheck, m.ContractDocument, m.ContractPeriod,
    m.Contract, m.Contract.history.model,
)


def customer_data_erase(*, customer_id: int) -> dict[str, int]:
    """Delete the customer's contract rows for real; return rows per table. Idempotent."""
    return erase_customer_rows(TABLES, customer_model=Customer, customer_id=customer_id)
