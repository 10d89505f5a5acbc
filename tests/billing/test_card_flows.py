"""Card refunds and card removal through the payment gateway (issue 18; BIL-11, BIL-7).

Written against the ``fake_gateway`` handle; ``test_portone_suites.py`` runs them once more through
the PortOne adapter and its SDK over recorded answers at the HTTP boundary (``portone_support``).
"""

from __future__ import annotations

import pytest

from billing.gateways import get_gateway
from billing.models import CardRefund, LedgerEntry, Payment, PaymentMethod, Refund
from billing.selectors import card_refundable
from billing.services import ledger, payments
from billing.services.refunds import (
    card_refund_key,
    refund_cancel,
    refund_pay,
    refund_pay_card,
    refund_request,
)
from core.errors import DomainError
from tests.billing.payment_factories import (  # noqa: F401 - fixture
    CustomerFactory,
    D,
    PaymentMethodFactory,
    fake_gateway,
    make_invoice,
)

pytestmark = pytest.mark.django_db

PAID_ON = D(2026, 10, 1)
TODAY = D(2026, 11, 20)


def card_payment(customer, amount, *, on=PAID_ON, key=None):  # type: ignore[no-untyped-def]
    """A card charge the gateway made (so the PG knows its reference), recorded as a payment."""
    key = key or f"test-charge:{customer.pk}:{amount}:{on.isoformat()}"
    result = get_gateway().charge(
        amount_won=amount, token="card-ok", idempotency_key=key, description="테스트"
    )
    assert result.success
    return payments.payment_record(
        customer=customer,
        amount_won=amount,
        method=Payment.Method.CARD,
        received_on=on,
        reference=result.reference,
        idempotency_key=key,
    )


def overpaid_customer(*amounts_and_days):  # type: ignore[no-untyped-def]
    """A customer whose card payments (nothing invoiced) are all credit."""
    customer = CustomerFactory()
    made = [card_payment(customer, amount, on=on) for amount, on in amounts_and_days]
    return customer, made


def refund_entries(customer):  # type: ignore[no-untyped-def]
    return list(LedgerEntry.objects.filter(customer=customer, kind=LedgerEntry.Kind.REFUND))


def gateway_refunds(state):  # type: ignore[no-untyped-def]
    """(reference, amount) of every refund the gateway made."""
    return sorted((reference, amount) for reference, amount, _key in state.refunds)


# --------------------------------------------------------------------------- refunds to the card


def test_card_refund_newest_payments_first_capped_per_payment(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: a refund goes back to the customer's card payments newest first, as many as
    needed and never more than each one's amount; the ledger is posted as for a bank payout."""
    customer, (old, new) = overpaid_customer((60_000, D(2026, 9, 1)), (30_000, D(2026, 10, 1)))
    refund = refund_request(customer=customer, amount_won=50_000, reason="이중 결제", today=TODAY)
    paid = refund_pay_card(refund=refund, today=TODAY)
    assert paid.status == Refund.Status.PAID and paid.paid_on == TODAY
    parts = {p.payment_id: p for p in CardRefund.objects.filter(refund=refund)}
    assert {k: v.amount_won for k, v in parts.items()} == {new.pk: 30_000, old.pk: 20_000}
    assert all(p.status == CardRefund.Status.SUCCEEDED and p.reference for p in parts.values())
    assert gateway_refunds(fake_gateway) == sorted([(new.reference, 30_000), (old.reference, 20_000)])
    assert [e.amount_won for e in refund_entries(customer)] == [50_000]
    assert ledger.credit_available(customer) == 40_000
    # what is left to refund per payment: the newer one is used up
    assert [(p.pk, left) for p, left in card_refundable(customer)] == [(old.pk, 40_000)]
    # paying a paid refund changes nothing and asks the gateway nothing
    assert refund_pay_card(refund=paid, today=TODAY).status == Refund.Status.PAID
    assert len(fake_gateway.refunds) == 2


def test_card_refund_keys_are_per_refund_and_payment(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: each part is sent with the key ``refund:{refund}:{payment}``."""
    customer, (payment,) = overpaid_customer((40_000, PAID_ON))
    refund = refund_request(customer=customer, amount_won=10_000, reason="과납", today=TODAY)
    refund_pay_card(refund=refund, today=TODAY)
    part = CardRefund.objects.get(refund=refund)
    assert card_refund_key(part) == f"refund:{refund.pk}:{payment.pk}"


def test_declined_card_refund_changes_nothing(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: a refund the PG declines is refused, naming the field; nothing is written."""
    customer, (payment,) = overpaid_customer((40_000, PAID_ON))
    refund = refund_request(customer=customer, amount_won=10_000, reason="과납", today=TODAY)
    fake_gateway.refuse_refunds.add(payment.reference)
    with pytest.raises(DomainError) as err:
        refund_pay_card(refund=refund, today=TODAY)
    assert err.value.code == "card_refund_declined" and err.value.field == "payment"
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED and refund.interest_won == 0
    assert not CardRefund.objects.exists() and refund_entries(customer) == []
    assert ledger.credit_available(customer) == 40_000
    # with nothing sent to the card, a bank payout is still possible
    assert refund_pay(refund=refund, today=TODAY).status == Refund.Status.PAID


def test_card_refund_transport_error_then_retry_with_the_same_keys(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: when the PG does not answer nothing is posted and the refund stays requested;
    it can then only be finished by card, and the retry sends the same keys (the PG refunds once)."""
    customer, (payment,) = overpaid_customer((40_000, PAID_ON))
    refund = refund_request(customer=customer, amount_won=15_000, reason="과납", today=TODAY)
    fake_gateway.unavailable = True
    with pytest.raises(DomainError) as err:
        refund_pay_card(refund=refund, today=TODAY)
    assert err.value.code == "gateway_unavailable" and err.value.field == "refund"
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED and refund_entries(customer) == []
    with pytest.raises(DomainError) as err:  # the outcome is unknown: no bank payout, no cancel
        refund_pay(refund=refund, today=TODAY)
    assert err.value.code == "card_refund_started"
    with pytest.raises(DomainError):
        refund_cancel(refund=refund, today=TODAY, reason="고객 철회")
    fake_gateway.unavailable = False
    # the PG did refund, but its answer was lost: the retry gets the first answer, no second refund
    get_gateway().refund(
        reference=payment.reference, amount_won=15_000, idempotency_key=f"refund:{refund.pk}:{payment.pk}"
    )
    assert refund_pay_card(refund=refund, today=TODAY).status == Refund.Status.PAID
    assert gateway_refunds(fake_gateway) == [(payment.reference, 15_000)]
    assert [e.amount_won for e in refund_entries(customer)] == [15_000]


def test_card_refund_refused_when_card_payments_do_not_cover_it(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: money that came by bank transfer cannot go back to a card: refused with the
    field named before the PG is asked; nothing is written."""
    customer, _made = overpaid_customer((10_000, PAID_ON))
    payments.payment_record(
        customer=customer, amount_won=50_000, method=Payment.Method.BANK_TRANSFER, received_on=PAID_ON
    )
    refund = refund_request(customer=customer, amount_won=30_000, reason="과납", today=TODAY)
    with pytest.raises(DomainError) as err:
        refund_pay_card(refund=refund, today=TODAY)
    assert err.value.code == "card_refund_exceeds_card_payments" and err.value.field == "amount_won"
    assert fake_gateway.refunds == [] and not CardRefund.objects.exists()
    assert refund_pay(refund=refund, today=TODAY).status == Refund.Status.PAID  # bank payout as today


def test_a_payment_is_never_refunded_beyond_its_amount_across_refunds(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: a second refund only uses what the first left of each card payment."""
    customer, (first, second) = overpaid_customer((20_000, D(2026, 9, 1)), (20_000, D(2026, 10, 1)))
    one = refund_request(customer=customer, amount_won=25_000, reason="과납 1", today=TODAY)
    refund_pay_card(refund=one, today=TODAY)
    two = refund_request(customer=customer, amount_won=15_000, reason="과납 2", today=TODAY)
    refund_pay_card(refund=two, today=TODAY)
    refunded = {p.pk: sum(p.card_refunds.values_list("amount_won", flat=True)) for p in (first, second)}
    assert refunded == {first.pk: 20_000, second.pk: 20_000}
    assert ledger.credit_available(customer) == 0 and card_refundable(customer) == []


# --------------------------------------------------------------------------- removing a card


def test_removing_a_card_deletes_its_billing_key(fake_gateway):  # noqa: F811
    """BIL-7, issue 18: removing a card deletes its billing key at the PG, then retires the method (the
    payments naming it keep it); removing it again asks the PG nothing."""
    method = PaymentMethodFactory(gateway_token="card-remove-1")
    removed = payments.payment_method_remove(method=method, reason="고객 요청")
    assert fake_gateway.deleted_billing_keys == ["card-remove-1"]
    assert not removed.active and not removed.is_default and removed.gateway_token == ""
    assert PaymentMethod.objects.filter(pk=method.pk, active=False).exists()
    payments.payment_method_remove(method=method)
    assert fake_gateway.deleted_billing_keys == ["card-remove-1"]


def test_the_default_card_may_be_removed_while_an_invoice_is_open(fake_gateway):  # noqa: F811
    """BIL-7 sets no condition on removing a method: the default goes even with an invoice open, and no
    other card becomes the default without the customer choosing it."""
    method = PaymentMethodFactory(gateway_token="card-remove-2", is_default=True)
    other = PaymentMethodFactory(customer=method.customer, gateway_token="card-other", is_default=False)
    make_invoice(method.customer, 110_000)
    payments.payment_method_remove(method=method)
    other.refresh_from_db()
    assert not other.is_default and other.active
    assert not PaymentMethod.objects.filter(customer=method.customer, is_default=True, active=True).exists()


@pytest.mark.parametrize("failure", ["refused", "unavailable"])
def test_a_pg_failure_leaves_the_card_in_place(fake_gateway, failure):  # noqa: F811
    """BIL-7, issue 18: when the PG refuses to delete the billing key or does not answer, the method stays
    as it was and the error names the field."""
    method = PaymentMethodFactory(gateway_token="card-remove-3")
    if failure == "refused":
        fake_gateway.refuse_deletes.add("card-remove-3")
    else:
        fake_gateway.unavailable = True
    with pytest.raises(DomainError) as err:
        payments.payment_method_remove(method=method)
    assert err.value.field == "method"
    assert err.value.code == ("billing_key_delete_refused" if failure == "refused" else "gateway_unavailable")
    method.refresh_from_db()
    assert method.active and method.is_default and method.gateway_token == "card-remove-3"


def test_removing_a_bank_transfer_method_asks_the_pg_nothing(fake_gateway):  # noqa: F811
    """BIL-7: only cards have a billing key at the PG."""
    method = PaymentMethodFactory(kind=PaymentMethod.Kind.BANK_TRANSFER, gateway_token="")
    payments.payment_method_remove(method=method)
    assert fake_gateway.deleted_billing_keys == []


def test_after_a_decline_that_followed_a_refunded_part_only_the_rest_is_sent(fake_gateway):  # noqa: F811
    """BIL-11, issue 18: when one part went back and the next was declined, the part that went back
    stays recorded (the money is on the card); the next "카드로 환불" plans only the rest."""
    customer, (old, new) = overpaid_customer((30_000, D(2026, 9, 1)), (20_000, D(2026, 10, 1)))
    refund = refund_request(customer=customer, amount_won=35_000, reason="과납", today=TODAY)
    fake_gateway.refuse_refunds.add(old.reference)
    with pytest.raises(DomainError) as err:
        refund_pay_card(refund=refund, today=TODAY)
    assert err.value.code == "card_refund_declined"
    kept = CardRefund.objects.get(refund=refund)
    assert (kept.payment_id, kept.amount_won, kept.status) == (new.pk, 20_000, CardRefund.Status.SUCCEEDED)
    assert refund_entries(customer) == []
    fake_gateway.refuse_refunds.clear()
    assert refund_pay_card(refund=refund, today=TODAY).status == Refund.Status.PAID
    assert gateway_refunds(fake_gateway) == sorted([(new.reference, 20_000), (old.reference, 15_000)])
    assert [e.amount_won for e in refund_entries(customer)] == [35_000]
