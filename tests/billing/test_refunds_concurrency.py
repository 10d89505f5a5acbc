"""Refund requests and payments under concurrency (BIL-11; SPEC §10 "row locks, not hope")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from billing.models import CardRefund, LedgerEntry, Payment, Refund
from billing.services import ledger
from billing.services.payments import payment_record
from billing.services.refunds import refund_pay, refund_pay_card, refund_request
from tests.billing.payment_factories import CustomerFactory, D, fake_gateway  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def race(fn: Callable[[], Any], n: int = 2) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(fn())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_two_staff_paying_the_same_refund_post_it_once():
    """BIL-11: two "mark paid" clicks at the same moment post one refund entry."""
    customer = CustomerFactory()
    payment_record(
        customer=customer, amount_won=50_000, method=Payment.Method.BANK_TRANSFER, received_on=D(2026, 10, 1)
    )
    refund = refund_request(customer=customer, amount_won=50_000, reason="과납", today=D(2026, 11, 1))
    results, errors = race(lambda: refund_pay(refund=refund, today=D(2026, 11, 2)))
    assert not errors, errors
    assert {r.status for r in results} == {Refund.Status.PAID}
    assert LedgerEntry.objects.filter(customer=customer, kind=LedgerEntry.Kind.REFUND).count() == 1
    assert ledger.credit_available(customer) == 0


def test_two_requests_at_once_never_promise_the_same_credit():
    """BIL-11: concurrent requests are serialised by the customer lock; together they claim at most the
    credit."""
    customer = CustomerFactory()
    payment_record(
        customer=customer, amount_won=50_000, method=Payment.Method.BANK_TRANSFER, received_on=D(2026, 10, 1)
    )
    results, errors = race(
        lambda: refund_request(customer=customer, amount_won=40_000, reason="과납", today=D(2026, 11, 1))
    )
    assert len(results) + len(errors) == 2
    assert sum(r.amount_won for r in Refund.objects.filter(customer=customer)) == 50_000
    assert sorted(r.amount_won for r in results) == [10_000, 40_000]


def _card_paid(customer: Any, amount: int) -> Payment:
    from billing.gateways import get_gateway

    key = f"race-card:{customer.pk}:{amount}"
    result = get_gateway().charge(amount_won=amount, token="card-ok", idempotency_key=key, description="race")
    return payment_record(
        customer=customer,
        amount_won=amount,
        method=Payment.Method.CARD,
        received_on=D(2026, 10, 1),
        reference=result.reference,
        idempotency_key=key,
    )


def test_two_staff_refunding_the_same_refund_to_the_card_refund_once(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: two "카드로 환불" clicks at once: one plan, each part sent with the same key (the
    gateway refunds once), one ledger entry."""
    customer = CustomerFactory()
    _card_paid(customer, 50_000)
    refund = refund_request(customer=customer, amount_won=30_000, reason="과납", today=D(2026, 11, 1))
    results, errors = race(lambda: refund_pay_card(refund=refund, today=D(2026, 11, 2)))
    assert not errors, errors
    assert {r.status for r in results} == {Refund.Status.PAID}
    assert [amount for _ref, amount, _key in fake_gateway.refunds] == [30_000]
    assert LedgerEntry.objects.filter(customer=customer, kind=LedgerEntry.Kind.REFUND).count() == 1


def test_two_card_refunds_at_once_never_refund_a_payment_beyond_its_amount(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: two refunds planned at the same moment share the card payments under the
    customer lock: together they never go beyond a payment's amount."""
    customer = CustomerFactory()
    payment = _card_paid(customer, 30_000)
    payment_record(
        customer=customer, amount_won=30_000, method=Payment.Method.BANK_TRANSFER, received_on=D(2026, 10, 2)
    )
    one = refund_request(customer=customer, amount_won=20_000, reason="과납 1", today=D(2026, 11, 1))
    two = refund_request(customer=customer, amount_won=20_000, reason="과납 2", today=D(2026, 11, 1))
    pending = [one, two]
    results, errors = race(lambda: refund_pay_card(refund=pending.pop(), today=D(2026, 11, 2)))
    assert len(results) == 1 and len(errors) == 1
    assert getattr(errors[0], "code", "") == "card_refund_exceeds_card_payments"
    assert sum(CardRefund.objects.filter(payment=payment).values_list("amount_won", flat=True)) == 20_000
