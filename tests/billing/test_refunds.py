"""Overpayment: offset by default, refunded on request with arrears deducted first and statutory
interest when the operator caused it (BIL-11, BIL-17; 000 art.18①⑥, 002 art.35③④)."""

from __future__ import annotations

import pytest

from billing.models import Invoice, LedgerEntry, Payment, Refund
from billing.services import ledger, refunds
from billing.services.collection import collect_payments
from billing.services.credits import credit_apply
from billing.services.payments import payment_record
from billing.services.refunds import (
    STATUTORY_INTEREST_PERCENT,
    overpaid_on,
    refund_cancel,
    refund_pay,
    refund_request,
    refundable_amount,
    statutory_interest,
)
from contracts.models import OverpaymentDefault
from core.errors import DomainError
from tests.billing.payment_factories import CustomerFactory, D, PolicyFactory, fake_gateway, make_invoice  # noqa: F401
from tests.factories import AdminMemberFactory, MemberFactory

pytestmark = pytest.mark.django_db


OCT_1 = D(2026, 10, 1)


def pay(customer, amount, on=OCT_1, invoice=None):  # type: ignore[no-untyped-def]
    return payment_record(
        customer=customer,
        amount_won=amount,
        method=Payment.Method.BANK_TRANSFER,
        received_on=on,
        invoice=invoice,
    )


def refund_entries(customer):  # type: ignore[no-untyped-def]
    return list(LedgerEntry.objects.filter(customer=customer, kind=LedgerEntry.Kind.REFUND))


def test_overpayment_offset_against_next_invoice_by_default(fake_gateway):  # noqa: F811
    """BIL-11 (002 art.35③), BIL-17: without a request, the collect job offsets credit against the next
    invoice — nothing is refunded."""
    customer = CustomerFactory()
    pay(customer, 50_000, on=D(2026, 10, 20))  # nothing open: all of it is credit
    assert ledger.credit_available(customer) == 50_000
    invoice = make_invoice(
        customer,
        30_000,
        issue_date=D(2026, 11, 1),
        due_date=D(2026, 11, 14),
        policy=PolicyFactory(overpayment_default=OverpaymentDefault.OFFSET),
    )
    collect_payments(today=D(2026, 11, 2))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert ledger.credit_available(customer) == 20_000
    assert refund_entries(customer) == [] and not Refund.objects.exists()


def test_refund_deducts_arrears_first_and_is_capped():
    """BIL-11 (002 art.35④, 000 art.18⑥): overdue fees are deducted from the overpayment before it is
    returned; the deduction is recorded and the refund capped at what is left."""
    customer = CustomerFactory()
    pay(customer, 100_000, on=D(2026, 10, 1))
    policy = PolicyFactory(overpayment_default=OverpaymentDefault.REFUND, arrears_deducted_first=True)
    overdue = make_invoice(customer, 30_000, due_date=D(2026, 11, 14), policy=policy)
    assert refundable_amount(customer, today=D(2026, 11, 20)) == 70_000
    refund = refund_request(customer=customer, amount_won=100_000, reason="이중 입금", today=D(2026, 11, 20))
    assert refund.status == Refund.Status.REQUESTED
    assert refund.arrears_deducted_won == 30_000
    assert refund.amount_won == 70_000 and refund.interest_won == 0
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID
    assert refund_entries(customer) == []  # nothing leaves before it is paid

    paid = refund_pay(refund=refund, today=D(2026, 11, 25), actor=None)
    assert paid.status == Refund.Status.PAID and paid.paid_on == D(2026, 11, 25)
    [entry] = refund_entries(customer)
    assert entry.amount_won == 70_000 and entry.key == f"refund:refund:{refund.pk}"
    assert ledger.credit_available(customer) == 0
    assert ledger.customer_balance(customer) == 0
    refund_pay(refund=refund, today=D(2026, 11, 26))  # idempotent
    assert len(refund_entries(customer)) == 1


def test_refund_with_statutory_interest_when_operator_caused_it():
    """BIL-11 (000 art.18①): the operator's mistake → refunded with statutory interest at the
    commercial rate (상법 제54조, 6%), by day from the overpayment to the refund date, truncated."""
    assert STATUTORY_INTEREST_PERCENT == 6
    customer = CustomerFactory()
    policy = PolicyFactory(overpayment_statutory_interest=True)
    invoice = make_invoice(
        customer, 1_000_000, issue_date=D(2026, 10, 1), due_date=D(2026, 10, 15), policy=policy
    )
    pay(customer, 1_000_000, on=D(2026, 10, 10), invoice=invoice)
    pay(customer, 1_000_000, on=D(2026, 10, 10), invoice=invoice)  # charged twice by our error
    assert overpaid_on(customer, 1_000_000, before=D(2026, 11, 9)) == D(2026, 10, 10)
    refund = refund_request(
        customer=customer,
        amount_won=1_000_000,
        reason="자동이체 이중 출금 (회사 과실)",
        today=D(2026, 11, 9),
        operator_caused=True,
    )
    assert refund.interest_won == 4_931  # 1,000,000 × 6% × 30/365 = 4,931.50 → estimate to the request
    refund = refund_pay(refund=refund, today=D(2026, 12, 9))
    assert refund.interest_won == 9_863  # 60 days: 9,863.01 → 9,863
    [entry] = refund_entries(customer)
    assert entry.amount_won == 1_009_863
    interest = LedgerEntry.objects.get(customer=customer, kind=LedgerEntry.Kind.ADJUSTMENT)
    assert interest.amount_won == -9_863
    assert ledger.customer_balance(customer) == 0


def test_no_interest_when_customer_caused_it_or_policy_says_none():
    """BIL-11: interest only for the operator's mistake, and only where the terms promise it."""
    assert statutory_interest(1_000_000, D(2026, 1, 1), D(2026, 1, 1)) == 0
    customer = CustomerFactory()
    make_invoice(customer, 10_000, policy=PolicyFactory(overpayment_statutory_interest=False))
    pay(customer, 110_000, on=D(2026, 9, 1))
    refund = refund_request(
        customer=customer, amount_won=100_000, reason="과납", today=D(2026, 11, 30), operator_caused=True
    )
    assert refund.interest_won == 0
    assert refund_pay(refund=refund, today=D(2026, 12, 30)).interest_won == 0


def test_refund_refusals_name_the_field():
    """BIL-11: a reason and a positive amount are required; nothing to refund is refused."""
    customer = CustomerFactory()
    with pytest.raises(DomainError) as info:
        refund_request(customer=customer, amount_won=10_000, reason=" ", today=D(2026, 11, 1))
    assert info.value.field == "reason" and info.value.rule == "BIL-11"
    with pytest.raises(DomainError) as info:
        refund_request(customer=customer, amount_won=0, reason="과납", today=D(2026, 11, 1))
    assert info.value.field == "amount_won"
    with pytest.raises(DomainError) as info:
        refund_request(customer=customer, amount_won=10_000, reason="과납", today=D(2026, 11, 1))
    assert info.value.code == "no_credit_to_refund" and info.value.field == "amount_won"


def test_open_requests_claim_credit_and_idempotency_key_replays():
    """BIL-11: two requests never promise the same credit; the same idempotency key returns the first."""
    customer = CustomerFactory()
    pay(customer, 50_000)
    first = refund_request(
        customer=customer, amount_won=30_000, reason="과납", today=D(2026, 11, 1), idempotency_key="k-1"
    )
    again = refund_request(
        customer=customer, amount_won=30_000, reason="과납", today=D(2026, 11, 1), idempotency_key="k-1"
    )
    assert again.pk == first.pk and Refund.objects.count() == 1
    second = refund_request(customer=customer, amount_won=30_000, reason="과납", today=D(2026, 11, 1))
    assert second.amount_won == 20_000
    with pytest.raises(DomainError):
        refund_request(customer=customer, amount_won=1, reason="과납", today=D(2026, 11, 1))


def test_member_must_be_an_admin_of_the_customer():
    """BIL-11: the portal/API request is the customer admin's."""
    admin = AdminMemberFactory()
    pay(admin.customer, 10_000)
    plain = MemberFactory(customer=admin.customer)
    with pytest.raises(DomainError) as info:
        refund_request(
            customer=admin.customer, amount_won=5_000, reason="과납", today=D(2026, 11, 1), member=plain
        )
    assert info.value.code == "not_customer_admin"
    refund = refund_request(
        customer=admin.customer, amount_won=5_000, reason="과납", today=D(2026, 11, 1), member=admin
    )
    assert refund.amount_won == 5_000


def test_cancel_and_transitions():
    """BIL-11: a requested refund can be cancelled (the credit stays); paid and cancelled are final."""
    customer = CustomerFactory()
    pay(customer, 50_000)
    refund = refund_request(customer=customer, amount_won=50_000, reason="과납", today=D(2026, 11, 1))
    refund = refund_cancel(refund=refund, today=D(2026, 11, 2), reason="고객 철회")
    assert refund.status == Refund.Status.CANCELLED
    assert refund_cancel(refund=refund, today=D(2026, 11, 2)).status == Refund.Status.CANCELLED
    with pytest.raises(DomainError) as info:
        refund_pay(refund=refund, today=D(2026, 11, 3))
    assert info.value.code == "refund_transition_not_allowed"
    assert ledger.credit_available(customer) == 50_000
    other = refund_request(customer=customer, amount_won=50_000, reason="과납", today=D(2026, 11, 3))
    refund_pay(refund=other, today=D(2026, 11, 4))
    with pytest.raises(DomainError):
        refund_cancel(refund=other, today=D(2026, 11, 5))


def test_pay_refused_when_credit_was_offset_meanwhile():
    """BIL-11: paying never refunds more than the credit left (the default offset may have used it)."""
    customer = CustomerFactory()
    pay(customer, 50_000)
    refund = refund_request(customer=customer, amount_won=50_000, reason="과납", today=D(2026, 11, 1))
    make_invoice(customer, 50_000, issue_date=D(2026, 11, 2), due_date=D(2026, 11, 16))
    credit_apply(customer=customer, today=D(2026, 11, 3))
    with pytest.raises(DomainError) as info:
        refund_pay(refund=refund, today=D(2026, 11, 4))
    assert info.value.code == "credit_insufficient"
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED


def test_pay_by_end_of_next_month_where_the_terms_say_so():
    """BIL-11/BIL-12 (000 art.18⑥): refunds paid by the end of the next month."""
    customer = CustomerFactory()
    make_invoice(customer, 10_000, policy=PolicyFactory(refund_by_end_of_next_month=True))
    pay(customer, 60_000)
    refund = refunds.refund_request(customer=customer, amount_won=10_000, reason="과납", today=D(2026, 11, 5))
    assert refund.pay_by == D(2026, 12, 31)
