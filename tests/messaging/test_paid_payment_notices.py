# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Payment notification AlimTalk to merchant and buyer phones (MSG-5, 003 별표2-가)."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from messaging.models import Message, MessageKind, MessagePurpose, SenderNumber
from messaging.services import payment_notices as pn

from .test_paid_support import NOW, approve_sender, fake, kgmsg_limits, mobile, paid_customer  # noqa: F401

LIMITS = kgmsg_limits()
BUYER_SENDER = "1588-1234"


def _configure(customer, **kwargs):  # type: ignore[no-untyped-def]
    return pn.payment_notice_configure(customer=customer, limits=LIMITS, **kwargs)


@pytest.mark.django_db
def test_buyer_cancellation_requires_buyer_approval(paid_customer):
    """MSG-5: choosing buyer "cancellation" requires buyer "approval" too."""
    approve_sender(paid_customer, BUYER_SENDER, SenderNumber.Purpose.BUYER_ALIMTALK)
    with pytest.raises(DomainError) as exc:
        _configure(paid_customer, buyer_cancellation=True, buyer_sender=BUYER_SENDER)
    assert (exc.value.code, exc.value.field, exc.value.rule) == (
        "payment_buyer_cancel_needs_approval",
        "buyer_approval",
        "MSG-5",
    )
    setting = _configure(
        paid_customer, buyer_approval=True, buyer_cancellation=True, buyer_sender=BUYER_SENDER
    )
    assert setting.buyer_sender.number == "15881234"


@pytest.mark.django_db
def test_merchant_receivers_required_and_at_most_twenty(paid_customer):
    """MSG-5, MSG-4: merchant notices need receiver numbers (at most 20); buyer ones an approved sender."""
    with pytest.raises(DomainError) as exc:
        _configure(paid_customer, merchant_approval=True)
    assert exc.value.code == "payment_merchant_receiver_missing"
    with pytest.raises(DomainError) as exc:
        _configure(paid_customer, merchant_approval=True, merchant_receivers=[mobile(n) for n in range(21)])
    assert (exc.value.code, exc.value.rule) == ("payment_merchant_receivers_limit", "MSG-5")
    assert (
        len(
            _configure(
                paid_customer, merchant_approval=True, merchant_receivers=[mobile(n) for n in range(20)]
            ).merchant_receivers
        )
        == 20
    )
    with pytest.raises(DomainError) as exc:
        _configure(paid_customer, buyer_approval=True, buyer_sender=BUYER_SENDER)  # not registered
    assert (exc.value.code, exc.value.rule) == ("sender_not_registered", "MSG-4")


@pytest.mark.django_db
def test_events_notify_the_configured_phones_once(paid_customer, fake):
    """MSG-5: approval notifies merchant receivers and the buyer; a virtual account's approval goes when
    the deposit arrives; the same event again sends nothing more; KakaoTalk failures fall back to SMS/LMS."""
    approve_sender(paid_customer, BUYER_SENDER, SenderNumber.Purpose.BUYER_ALIMTALK)
    _configure(
        paid_customer,
        merchant_approval=True,
        merchant_receivers=[mobile(1), mobile(2)],
        buyer_approval=True,
        buyer_virtual_account=True,
        buyer_sender=BUYER_SENDER,
    )
    sent = pn.payment_event(
        customer=paid_customer,
        limits=LIMITS,
        event=pn.APPROVED,
        payment_ref="P-1",
        amount_won=15_000,
        buyer_phone=mobile(9),
        now=NOW,
    )
    assert sorted((m.recipient, m.sender) for m in sent) == [
        (mobile(1), "15884954"),
        (mobile(2), "15884954"),
        (mobile(9), "15881234"),
    ]
    assert {(m.kind, m.purpose, m.fallback_kind != "") for m in sent} == {
        (MessageKind.ALIMTALK, MessagePurpose.PAYMENT, True)
    }
    assert "15,000원" in sent[0].text
    again = pn.payment_event(
        customer=paid_customer,
        limits=LIMITS,
        event=pn.APPROVED,
        payment_ref="P-1",
        amount_won=15_000,
        buyer_phone=mobile(9),
        now=NOW,
    )
    assert {m.pk for m in again} == {m.pk for m in sent} and Message.objects.count() == 3
    # virtual account: the issue notifies the buyer only; the approval comes with the deposit
    issued = pn.payment_event(
        customer=paid_customer,
        limits=LIMITS,
        event=pn.VA_ISSUED,
        payment_ref="P-2",
        amount_won=30_000,
        buyer_phone=mobile(9),
        now=NOW,
    )
    assert [m.recipient for m in issued] == [mobile(9)] and "가상계좌" in issued[0].text
    deposited = pn.payment_event(
        customer=paid_customer,
        limits=LIMITS,
        event=pn.VA_DEPOSITED,
        payment_ref="P-2",
        amount_won=30_000,
        buyer_phone=mobile(9),
        now=NOW,
    )
    assert len(deposited) == 3
    # cancellation was not chosen: nothing is sent
    assert (
        pn.payment_event(
            customer=paid_customer,
            limits=LIMITS,
            event=pn.CANCELLED,
            payment_ref="P-1",
            amount_won=15_000,
            buyer_phone=mobile(9),
            now=NOW,
        )
        == []
    )
