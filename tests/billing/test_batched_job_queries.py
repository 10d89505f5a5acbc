"""Issue 16: ``apply_late_charges`` and ``collect_payments`` read and write set-based per batch of customers,
so their queries do not grow with the book (quick counterparts of the slow ``tests/test_query_scaling.py``),
and their batches (issue 19) are idempotent."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import LateCharge, Payment
from billing.services.collection import collect_payments, collect_payments_batch, collect_payments_plan
from billing.services.late_charges import (
    apply_late_charges,
    apply_late_charges_batch,
    apply_late_charges_plan,
)
from tests.billing.payment_factories import (
    CustomerFactory,
    D,
    PaymentMethodFactory,
    fake_gateway,  # noqa: F401 - fixture
    flow_policy,
    make_invoice,
)

from .test_late_charges import dcloud_policy

DUE = D(2026, 11, 2)  # a Monday; no public holidays in November 2026
ONE = dt.timedelta(days=1)


def _run(func: Callable[[], Any]) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        result = func()
    return result, [q["sql"] for q in ctx.captured_queries]


def _late_book(n: int) -> None:
    policy = dcloud_policy()
    for _ in range(n):
        make_invoice(CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=policy)


@pytest.mark.django_db
def test_late_charges_queries_do_not_grow_with_the_invoices():
    """BIL-9, issue 16: recording the late charges of 6 invoices takes as many queries as of 2 (policies,
    ledger entries, disputes and recorded periods read once per batch; one insert for the new charges)."""
    _late_book(2)
    small, small_sql = _run(lambda: apply_late_charges(today=D(2026, 4, 1)))
    assert small == {"invoices": 2, "late_charges": 4, "amount_won": 2 * (15_189 + 16_816), "existing": 0}
    _late_book(4)
    large, large_sql = _run(lambda: apply_late_charges(today=D(2026, 4, 1)))
    assert large == {"invoices": 6, "late_charges": 8, "amount_won": 4 * (15_189 + 16_816), "existing": 4}
    assert len(large_sql) == len(small_sql), "\n".join(large_sql)
    inserts = [sql for sql in large_sql if sql.startswith('INSERT INTO "billing_latecharge"')]
    assert len(inserts) == 1
    assert LateCharge.objects.count() == 12


@pytest.mark.django_db
def test_late_charge_batches_are_idempotent():
    """BIL-9, issue 19: the plan lists the customers once; a batch run twice records each period once."""
    _late_book(3)
    today = D(2026, 4, 1)
    plan = apply_late_charges_plan(today=today)
    assert len(plan) == 1 and len(plan[0]["customers"]) == 3
    first = apply_late_charges_batch(today=today, payload=plan[0])
    again = apply_late_charges_batch(today=today, payload=plan[0])
    assert (first["late_charges"], first["existing"]) == (6, 0)
    assert (again["late_charges"], again["existing"]) == (0, 6)
    assert LateCharge.objects.count() == 6


def _card_customers(n: int, due: dt.date) -> None:
    policy = flow_policy()
    for _ in range(n):
        customer = CustomerFactory()
        PaymentMethodFactory(customer=customer, gateway_token="fail_card", kind="card")
        make_invoice(customer, 110_000, due_date=due, policy=policy)


@pytest.mark.django_db
def test_collect_payments_queries_do_not_grow_with_the_customers(fake_gateway):  # noqa: F811
    """BIL-7, BIL-8, issue 16: on a day with open invoices but no attempt due (the retries wait for their
    business day) the job takes as many queries for 6 customers as for 2; the attempts due on a day are
    claimed with one insert."""
    _card_customers(2, DUE)
    assert collect_payments(today=DUE)["failed"] == 2
    small, small_sql = _run(lambda: collect_payments(today=DUE + ONE))
    assert small["charged"] == 0
    _card_customers(4, DUE + ONE)
    charged, charged_sql = _run(lambda: collect_payments(today=DUE + ONE))
    assert (charged["charged"], charged["failed"], charged["retry_scheduled"]) == (4, 4, 4)
    assert len([sql for sql in charged_sql if sql.startswith('INSERT INTO "billing_payment"')]) == 1
    large, large_sql = _run(lambda: collect_payments(today=DUE + 2 * ONE))
    assert large["charged"] == 0
    assert len(large_sql) == len(small_sql), "\n".join(large_sql)
    assert Payment.objects.filter(status=Payment.Status.FAILED).count() == 6


@pytest.mark.django_db
def test_collect_payment_batches_are_idempotent(fake_gateway):  # noqa: F811
    """BIL-7, issue 19: a customers' batch run twice charges each due invoice once."""
    _card_customers(3, DUE)
    plan = collect_payments_plan(today=DUE)
    assert plan == [{"customers": sorted(plan[0]["customers"])}] and len(plan[0]["customers"]) == 3
    first = collect_payments_batch(today=DUE, payload=plan[0])
    again = collect_payments_batch(today=DUE, payload=plan[0])
    assert (first["charged"], again["charged"]) == (3, 0)
    assert len(fake_gateway.charges) == 3
