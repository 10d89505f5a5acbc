"""The purge and the trail around payments (DAT-2, DAT-3): dunning step history, card cancellations of a
refund, and the payment gateway's webhooks.

These rows reach the customer only through another row (a case, a refund, a payment). Their tables were
in no app's erasure list: the step history outlived its deleted step (no join led to it any more, so the
purge's own check could not see it), and a card cancellation or a webhook pointing at a payment would
have stopped the destruction of the kept payment records five years later (its key still pointing at
the deleted payment). Counted here by their own keys, not through joins.
"""

from __future__ import annotations

import pytest

from billing.models import CardRefund, DunningCase, DunningStep, GatewayWebhook, Invoice, Payment, Refund
from privacy.models import RetainedRecord
from privacy.services.purge import purge_data

from .conftest import ENDED, D, ended_customer

pytestmark = pytest.mark.django_db

StepHistory = DunningStep.history.model


def _trail(customer):  # type: ignore[no-untyped-def]
    invoice = Invoice.objects.get(customer=customer)
    payment = Payment.objects.get(customer=customer)
    case = DunningCase.objects.create(
        invoice=invoice, customer=customer, status=DunningCase.Status.RESOLVED,
        opened_on=D(2026, 2, 15), resolved_on=D(2026, 2, 20), resolution="paid",
    )
    step = DunningStep.objects.create(
        case=case, index=1, action="reminder", scheduled_on=D(2026, 2, 15), executed_on=D(2026, 2, 15),
        amount_won=110_000, detail="납부 안내",
    )
    refund = Refund.objects.create(
        customer=customer, amount_won=10_000, reason="과오납 환불", requested_on=D(2026, 2, 21),
        paid_on=D(2026, 2, 22), status=Refund.Status.PAID,
    )
    card = CardRefund.objects.create(refund=refund, payment=payment, amount_won=10_000,
                                     status=CardRefund.Status.SUCCEEDED)
    hook = GatewayWebhook.objects.create(provider="fakepg", webhook_id="wh-1", event_type="paid",
                                         payment=payment, result="홍길동 결제 확인")
    return case, step, refund, card, hook, payment


def test_step_history_and_webhooks_go_and_card_refunds_are_kept_with_their_refund(presets):
    """DAT-2: the dunning step's history and the gateway's webhooks (which carry the payer's details)
    are destroyed with the rest; DAT-3: the card cancellation of a refund is a payment record, kept in
    place with the refund and listed by the kept record; on its own date it goes with them, and that
    destruction goes through."""
    customer = ended_customer("dcloud")
    case, step, refund, card, hook, payment = _trail(customer)
    assert StepHistory.objects.filter(id=step.pk).exists()

    assert purge_data(today=ENDED)["customers_purged"] == 1
    assert not DunningStep.objects.filter(pk=step.pk).exists()
    assert not StepHistory.objects.filter(case_id=case.pk).exists()
    assert not GatewayWebhook.objects.filter(pk=hook.pk).exists()
    kept = RetainedRecord.objects.get(customer_ref=customer.pk, kind=RetainedRecord.Kind.CONTRACT_RECORDS)
    assert kept.tables["billing.CardRefund"] == [card.pk] and kept.tables["billing.Refund"] == [refund.pk]
    assert CardRefund.objects.filter(pk=card.pk).exists()

    counts = purge_data(today=kept.destroy_on)
    assert counts["retained_records_destroyed"] >= 1
    assert not CardRefund.objects.filter(pk=card.pk).exists()
    assert not Refund.objects.filter(pk=refund.pk).exists()
    assert not Payment.objects.filter(pk=payment.pk).exists()


def test_while_money_is_owed_the_trail_stays_with_the_money_rows(presets):
    """DAT-3: held by money owed, the step history, card cancellations and webhooks stay live with the
    billing rows they belong to (they are billing's own), and nothing of them counts as left to erase."""
    from privacy.services.purge import _held_with_nothing_to_erase

    from .conftest import owe_final_settlement

    customer = ended_customer("dcloud")
    case, _step, _refund, card, hook, _payment = _trail(customer)
    owe_final_settlement(customer)
    assert purge_data(today=ENDED)["customers_held"] == 1
    assert StepHistory.objects.filter(case_id=case.pk).exists()
    assert CardRefund.objects.filter(pk=card.pk).exists()
    assert GatewayWebhook.objects.filter(pk=hook.pk).exists()
    assert _held_with_nothing_to_erase([customer.pk]) == {customer.pk}
