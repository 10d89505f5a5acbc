"""SLA's part of a customer's purge (DAT-2, DAT-3): incidents, months, credits and claims of the customer.

Called explicitly by the purge job at the top (``privacy``). The claims (DAT-3: complaints and disputes,
3 years) and the months they are about stay in place: the job passes their ids as ``keep`` and first
calls :func:`records_scrub`. A new SLA table with customer data belongs in ``TABLES``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from django.db.models import Model, QuerySet

from accounts.models import Customer
from core.erasure import SCRUBBED, erase_customer_rows, scrub_rows

from .. import models as m

TABLES = (
    m.SlaClaim, m.SlaClaim.history.model, m.SlaCreditDocument, m.SlaMonth, m.SlaMonth.history.model,
    m.IncidentUpdate, m.Incident, m.Incident.history.model,
)

#: The customer's content (incidents its members reported): goes on the policy's day even while
#: billing still needs the money records (the months, credits and claims stay until then).
CONTENT_TABLES = (m.IncidentUpdate, m.Incident, m.Incident.history.model)

#: Personal fields of the kept claims: the member who filed it and the customer's own description.
RECORD_SCRUB: dict[type[Model], dict[str, object]] = {
    m.SlaClaim: {"submitted_by": None, "details": SCRUBBED},
    m.SlaMonth: {},
}


def customer_data_erase(
    *, customer_id: int, keep: Mapping[str, Iterable[int]] | None = None
) -> dict[str, int]:
    """Delete the customer's SLA rows for real, bar ``keep``; return rows per table. Idempotent."""
    return erase_customer_rows(TABLES, customer_model=Customer, customer_id=customer_id, keep=keep)


def content_erase(*, customer_id: int) -> dict[str, int]:
    """Delete the customer's incidents and their updates only; return rows per table."""
    return erase_customer_rows(CONTENT_TABLES, customer_model=Customer, customer_id=customer_id)


def claim_month_ids(claim_ids: Iterable[int]) -> list[int]:
    """The months the kept claims are about (a claim cannot outlive its month)."""
    months = m.SlaClaim.objects.filter(pk__in=list(claim_ids)).values_list("sla_month_id", flat=True)
    return sorted(set(months))


def _undecided_claims() -> QuerySet[m.SlaClaim]:
    return m.SlaClaim.objects.filter(status=m.SlaClaim.Status.SUBMITTED)


def open_claims(*, customer_id: int) -> int:
    """SLA claims of the customer still waiting for a decision (money the operator may owe)."""
    return _undecided_claims().filter(contract__customer_id=customer_id).count()


def customers_with_open_claims(*, customer_ids: Collection[int]) -> set[int]:
    """Which of ``customer_ids`` have :func:`open_claims` (one query)."""
    return set(
        _undecided_claims()
        .filter(contract__customer_id__in=list(customer_ids))
        .values_list("contract__customer_id", flat=True)
    )


def records_scrub(*, ids: Mapping[str, Iterable[int]]) -> dict[str, int]:
    """Anonymise the kept claims in place (DAT-3); return rows per table."""
    rows = {}
    for model, values in RECORD_SCRUB.items():
        pks = list(ids.get(model._meta.label, ()))
        if pks:
            rows[model._meta.label] = scrub_rows(model, pks, values)
    return rows
