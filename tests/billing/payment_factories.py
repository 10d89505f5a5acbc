"""Factories and helpers for the payments, bank, credit, notes and collection tests.

Invoices are made directly with the ORM (the invoice run is tested elsewhere): an ``Invoice``
plus one ``invoice`` ledger entry for its total, keyed ``invoice:{pk}`` like the run does.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory
import pytest

from billing.gateways import fake_state
from billing.models import Invoice, LedgerEntry, PaymentMethod
from billing.services import ledger
from contracts.models import OverpaymentDefault, Policy
from core.money import vat_split
from tests.contracts.factories import PolicyFactory
from tests.factories import CustomerFactory

D = dt.date
DEFAULT_DUE = D(2026, 11, 14)
_numbers = itertools.count(1)

__all__ = [
    "CustomerFactory",
    "D",
    "PaymentMethodFactory",
    "PolicyFactory",
    "fake_gateway",
    "flow_policy",
    "make_invoice",
]


class PaymentMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentMethod

    customer = factory.SubFactory(CustomerFactory)
    kind = PaymentMethod.Kind.CARD
    label = factory.Sequence(lambda n: f"카드 ****{n:04d}")
    gateway_token = factory.Sequence(lambda n: f"tok_{n}")
    is_default = True
    active = True


def flow_policy(**overrides: Any) -> Policy:
    """A policy with flow's payment rules: 2 retries within 10 business days (BIL-8), VAT inclusive."""
    values: dict[str, Any] = {
        "payment_retry_count": 2,
        "payment_retry_window_business_days": 10,
        "vat_included": True,
        "overpayment_default": OverpaymentDefault.OFFSET,
    }
    values.update(overrides)
    return PolicyFactory(**values)


def make_invoice(
    customer: Any,
    total_won: int | None = None,
    *,
    supply_won: int | None = None,
    due_date: dt.date = DEFAULT_DUE,
    issue_date: dt.date | None = None,
    policy: Policy | None = None,
    vat_inclusive: bool = False,
) -> Invoice:
    """An issued invoice and its ``invoice`` ledger entry. Give ``total_won`` (VAT split out of it)
    or ``supply_won`` (VAT added)."""
    policy = policy or PolicyFactory()
    if supply_won is not None:
        split = vat_split(supply_won, inclusive=False)
    else:
        split = vat_split(total_won if total_won is not None else 110_000, inclusive=True)
    n = next(_numbers)
    issue_date = issue_date or min(due_date, due_date - dt.timedelta(days=14))
    invoice = Invoice.objects.create(
        customer=customer,
        policy=policy,
        schedule=f"test-{n}",
        number=f"TST-{issue_date.year}-{n:06d}",
        period_start=issue_date.replace(day=1),
        period_end=issue_date.replace(day=1) + dt.timedelta(days=27),
        issue_date=issue_date,
        due_date=due_date,
        vat_inclusive=vat_inclusive,
        supply_won=split.supply_won,
        vat_won=split.vat_won,
        total_won=split.total_won,
    )
    ledger.post(
        customer=customer,
        kind=LedgerEntry.Kind.INVOICE,
        amount_won=invoice.total_won,
        occurred_on=issue_date,
        description=f"청구서 {invoice.number}",
        invoice=invoice,
        key=f"invoice:{invoice.pk}",
    )
    return invoice


@pytest.fixture
def fake_gateway():  # type: ignore[no-untyped-def]
    """The process-wide fake gateway state, clean for the test and after it."""
    state = fake_state()
    state.reset()
    yield state
    state.reset()
