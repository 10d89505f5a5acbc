"""A contract's availability for one month with its working, as the API and the portal show it (SLA-3).

A closed month (``SlaMonth``, written by the month close) is shown as stored, with its credit (SLA-4) and
claim terms (SLA-5); a month not yet closed is measured now by ``sla.services.availability.measure_month``
and marked provisional. The working is the breakdown the service computed, with its times as datetimes;
nothing here counts minutes again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from contracts.models import Contract
from core.calendar import month_start

from . import selectors
from .models import SlaMonth
from .services.availability import measure_month


@dataclass(frozen=True)
class MonthReport:
    contract: Contract
    month: dt.date
    closed: bool
    availability: Decimal
    service_minutes: int
    counted_minutes: Decimal
    outages: list[dict[str, Any]] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)
    maintenance: list[dict[str, Any]] = field(default_factory=list)
    record: SlaMonth | None = None

    @property
    def credit_won(self) -> int | None:
        return self.record.credit_won if self.record else None

    @property
    def credit_basis(self) -> str:
        return self.record.credit_basis if self.record else ""

    @property
    def claim_required(self) -> bool:
        return bool(self.record and self.record.claim_required)

    @property
    def claim_due_on(self) -> dt.date | None:
        return self.record.claim_due_on if self.record else None

    @property
    def status(self) -> str | None:
        return self.record.status if self.record else None


def _when(value: Any) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _with_times(rows: list[dict[str, Any]], *names: str) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        row = dict(row)
        for name in names:
            if name in row:
                row[name] = _when(row[name])
        out.append(row)
    return out


def month_report(*, contract: Contract, month: dt.date, now: dt.datetime) -> MonthReport:
    """SLA-3: the month's availability and its working (closed: as stored; else measured as of ``now``)."""
    month = month_start(month)
    record = selectors.closed_month(contract, month)
    if record is not None:
        breakdown: dict[str, Any] = dict(record.breakdown or {})
        availability, counted = record.availability, record.counted_minutes
        service_minutes = record.service_minutes
    else:
        m = measure_month(contract=contract, month=month, now=now)
        breakdown = m.breakdown()
        availability, service_minutes = m.availability, m.service_minutes
        counted = Decimal(str(breakdown.get("counted_minutes", 0)))
    return MonthReport(
        contract=contract,
        month=month,
        closed=record is not None,
        availability=Decimal(availability),
        service_minutes=int(service_minutes),
        counted_minutes=Decimal(counted),
        outages=_with_times(list(breakdown.get("outages", [])), "start", "end", "counted_from"),
        excluded=list(breakdown.get("excluded_incidents", [])),
        maintenance=_with_times(list(breakdown.get("maintenance", [])), "start", "end"),
        record=record,
    )
