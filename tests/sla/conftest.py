"""SLA test helpers: preset contracts made through the contracts services, invoices carrying a month's fee
for a contract (the credit base), and Seoul datetimes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from billing.models import Invoice, InvoiceLine
from contracts.models import Contract
from contracts.presets import load_presets
from core.calendar import month_end
from core.clock import SEOUL
from tests.billing.conftest import make_contract
from tests.billing.payment_factories import make_invoice

D = dt.date
PLANS = {
    "officecore": "officecore-standard-monthly",
    "flow": "flow-business-monthly",
    "dcloud": "dcloud-vm-standard",
    "damoa": "damoa-standard",
}


def T(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> dt.datetime:
    """A Seoul wall-clock time."""
    return dt.datetime(y, m, d, h, mi, tzinfo=SEOUL)


@pytest.fixture
def presets(db):  # type: ignore[no-untyped-def]
    return {p.code: p for p in load_presets()}


DEFAULT_START = D(2026, 1, 5)


def contract_for(service: str, *, start: dt.date = DEFAULT_START, **kw: Any) -> Contract:
    return make_contract(PLANS[service], start=start, **kw)


def fee_invoice(contract: Contract, month: dt.date, amount_won: int) -> Invoice:
    """An issued invoice whose base-fee line bills ``amount_won`` for ``month`` of ``contract`` (in the
    policy's price basis)."""
    policy = contract.policy
    inclusive = bool(policy.vat_included)
    kw: dict[str, Any] = {"total_won": amount_won} if inclusive else {"supply_won": amount_won}
    invoice = make_invoice(
        contract.customer,
        policy=policy,
        vat_inclusive=inclusive,
        issue_date=month,
        due_date=month + dt.timedelta(20),
        **kw,
    )
    Invoice.objects.filter(pk=invoice.pk).update(period_start=month, period_end=month_end(month))
    InvoiceLine.objects.create(
        invoice=invoice,
        contract=contract,
        kind=InvoiceLine.Kind.BASE_FEE,
        description="월 기본료",
        amount_won=amount_won,
        service_start=month,
        service_end=month_end(month),
    )
    return invoice


__all__ = ["D", "T", "contract_for", "fee_invoice"]
