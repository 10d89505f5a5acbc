"""Credit balance (BIL-11, BIL-17): offset by policy, arrears first, use for another purchase."""

from __future__ import annotations

import pytest

from billing.models import Invoice, LedgerEntry, Payment
from billing.services import ledger
from billing.services.collection import collect_payments, credit_use_for_purchase
from billing.services.credits import credit_apply
from billing.services.payments import payment_record
from contracts.models import OverpaymentDefault
from core.errors import DomainError
from tests.billing.payment_factories import CustomerFactory, D, PolicyFactory, make_invoice

pytestmark = pytest.mark.django_db


def give_credit(customer, amount):  # type: ignore[no-untyped-def]
    return payment_record(customer=customer, amount_won=amount, method=Payment.Method.BANK_TRANSFER,
                          received_on=D(2026, 11, 1))


def test_refund_policy_keeps_credit_until_arrears():
    """BIL-11: where the terms refund overpayments (damoa, 004 art.20-1) credit is not offset against
    a current invoice, but arrears are still deducted first (002 art.35④)."""
    customer = CustomerFactory()
    give_credit(customer, 50_000)
    policy = PolicyFactory(overpayment_default=OverpaymentDefault.REFUND, arrears_deducted_first=True)
    invoice = make_invoice(customer, 30_000, due_date=D(2026, 11, 30), policy=policy)
    assert credit_apply(customer=customer, today=D(2026, 11, 20)) == []
    assert ledger.invoice_open_amount(invoice) == 30_000
    applied = credit_apply(customer=customer, today=D(2026, 12, 1))  # now overdue
    assert applied == [(invoice, 30_000)]
    assert ledger.credit_available(customer) == 20_000


def test_credit_used_for_another_purchase():
    """BIL-17 (001 art.25-5): at the customer's choice credit pays another purchase, recorded as a
    described ledger movement; never more than the credit; idempotent with a key."""
    customer = CustomerFactory()
    give_credit(customer, 50_000)
    entry = credit_use_for_purchase(customer=customer, amount_won=20_000, description="추가 저장공간 100GB",
                                    today=D(2026, 11, 20), idempotency_key="buy-1")
    assert entry.kind == LedgerEntry.Kind.CREDIT_APPLIED and entry.amount_won == 20_000
    assert "추가 저장공간" in entry.description
    again = credit_use_for_purchase(customer=customer, amount_won=20_000, description="추가 저장공간 100GB",
                                    today=D(2026, 11, 20), idempotency_key="buy-1")
    assert again.pk == entry.pk
    assert ledger.credit_available(customer) == 30_000
    with pytest.raises(DomainError) as info:
        credit_use_for_purchase(customer=customer, amount_won=30_001, description="x", today=D(2026, 11, 20))
    assert info.value.code == "credit_insufficient"


def test_credit_used_for_a_chosen_invoice_even_under_refund_policy():
    """BIL-17: the customer may choose to use credit for a purchase invoice."""
    customer = CustomerFactory()
    give_credit(customer, 50_000)
    policy = PolicyFactory(overpayment_default=OverpaymentDefault.REFUND)
    invoice = make_invoice(customer, 40_000, due_date=D(2026, 12, 31), policy=policy)
    credit_use_for_purchase(customer=customer, amount_won=40_000, description="연간 애드온",
                            today=D(2026, 11, 20), invoice=invoice)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert ledger.credit_available(customer) == 10_000


def test_job_offsets_credit_across_invoices_oldest_first():
    """BIL-17: the job spreads credit over open invoices oldest first."""
    customer = CustomerFactory()
    give_credit(customer, 150_000)
    newer = make_invoice(customer, 110_000, due_date=D(2026, 12, 31))
    older = make_invoice(customer, 110_000, due_date=D(2026, 11, 30))
    counts = collect_payments(today=D(2026, 11, 20))
    assert counts["credit_applied"] == 2
    assert ledger.invoice_open_amount(older) == 0
    assert ledger.invoice_open_amount(newer) == 70_000
    assert ledger.customer_balance(customer) == 70_000
