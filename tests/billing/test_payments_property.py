"""Property: money is never lost or invented (BIL-7, BIL-11, BIL-17)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from billing.models import Invoice, LedgerEntry, Payment
from billing.services import ledger
from billing.services.credits import credit_apply
from billing.services.payments import payment_record
from tests.billing.payment_factories import CustomerFactory, D, PolicyFactory, make_invoice

invoice_op = st.tuples(st.just("invoice"), st.integers(min_value=1, max_value=500_000))
payment_op = st.tuples(
    st.just("pay"), st.integers(min_value=1, max_value=600_000), st.one_of(st.none(), st.integers(0, 5))
)
offset_op = st.tuples(st.just("offset"))
operations = st.lists(st.one_of(invoice_op, payment_op, offset_op), min_size=1, max_size=12)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_ledger_sum_is_invoiced_minus_paid_and_no_invoice_goes_negative(ops):
    """BIL-7, BIL-11, BIL-17: for any sequence of invoices, payments (to a named invoice, open or
    closed, or to none) and credit offsets, the customer's ledger sums to total invoiced − total
    paid, no invoice's open amount goes below zero, credit never goes positive, and an invoice
    is paid exactly when nothing is open on it."""
    customer = CustomerFactory()
    policy = PolicyFactory()
    invoices: list[Invoice] = []
    invoiced = paid = 0
    day = D(2026, 1, 1)
    for op in ops:
        day += dt.timedelta(days=1)
        if op[0] == "invoice":
            invoices.append(make_invoice(customer, op[1], due_date=day, issue_date=day, policy=policy))
            invoiced += op[1]
        elif op[0] == "pay":
            target = invoices[op[2] % len(invoices)] if op[2] is not None and invoices else None
            payment_record(customer=customer, amount_won=op[1], method=Payment.Method.BANK_TRANSFER,
                           received_on=day, invoice=target)
            paid += op[1]
        else:
            credit_apply(customer=customer, today=day)

    assert ledger.customer_balance(customer) == invoiced - paid
    assert ledger.unallocated_balance(customer) <= 0
    for invoice in invoices:
        invoice.refresh_from_db()
        open_won = ledger.invoice_open_amount(invoice)
        assert 0 <= open_won <= invoice.total_won
        assert (invoice.status == Invoice.Status.PAID) == (open_won == 0)
    payments = LedgerEntry.objects.filter(customer=customer, kind=LedgerEntry.Kind.PAYMENT)
    assert -sum(payments.values_list("amount_won", flat=True)) == paid
