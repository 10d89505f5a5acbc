"""SLA's part of a customer's purge (DAT-2): incidents, months, credits and claims of the customer.

Called explicitly by the purge job at the top (``privacy``), which first copies the claims it keeps
apart (DAT-3). A new SLA table with customer data belongs in ``TABLES``.
"""

from __future__ import annotations

from accounts.models import Customer
from core.erasure import erase_customer_rows

from .. import models as m

TABLES = (
    m.SlaClaim, m.SlaClaim.history.model, m.SlaCreditDocument, m.SlaMonth, m.SlaMonth.history.model,
    m.IncidentUpdate, m.Incident, m.Incident.history.model,
)


def customer_data_erase(*, customer_id: int) -> dict[str, int]:
    """Delete the customer's SLA rows for real; return rows per table. Idempotent."""
    return erase_customer_rows(TABLES, customer_model=Customer, customer_id=customer_id)
