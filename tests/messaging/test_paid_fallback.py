# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Kakao fallback to SMS/LMS, billed once at the SMS/LMS price (MSG-3, BIL-6).

The tests taking ``fake`` run twice (issue 18): with the fake provider, and through the Solapi adapter
over Solapi's HTTP API as recorded (``solapi_support``).
"""

from __future__ import annotations

import pytest

from billing.services import usage
from billing.services.charges import monthly_lines
from billing.services.dates import calendar_month
from contracts.effective import effective_policy
from core.errors import DomainError
from messaging.limits import MessagingLimits
from messaging.models import Message, MessageKind
from messaging.providers.fake import FAILED, Outcome
from messaging.selectors import delivered_counts
from messaging.services import sending, spam, templates_kakao
from messaging.services.spam import Advert
from tests.billing.conftest import D, make_contract

from .solapi_support import fake_and_solapi  # noqa: F401  (the ``fake`` fixture, twice)
from .test_paid_support import (  # noqa: F401
    NOW,
    SENDER,
    approve_sender,
    kgmsg_limits,
    paid_customer,
    run_provider,
)

DAY = NOW.date()


def _alimtalk_template(customer, limits):  # type: ignore[no-untyped-def]
    template = templates_kakao.template_register(
        customer=customer,
        sender_profile="@hanbit",
        code="pay-1",
        name="결제",
        limits=limits,
        body="#{name}님, 결제 #{amount}원이 완료되었습니다.",
    )
    template = templates_kakao.template_submit(template=template, now=NOW)
    return templates_kakao.template_review(template=template, approved=True, now=NOW)


@pytest.mark.django_db
def test_failed_alimtalk_falls_back_to_sms_billed_once_at_the_sms_price(fake):
    """MSG-3, MSG-6, BIL-6: a failed AlimTalk goes again as SMS; the AlimTalk is not billed, the SMS is,
    once, at the plan's SMS price (9 won), on the kgmsg contract's usage line."""
    from contracts.presets import load_presets

    load_presets(codes=["kgmsg"])
    contract = make_contract("kgmsg-standard", start=D(2026, 1, 1))
    customer = contract.customer
    limits = MessagingLimits.from_policy(effective_policy(contract), contract.plan.usage_unit_prices)
    approve_sender(customer)
    template = _alimtalk_template(customer, limits)
    fake.script_kind(MessageKind.ALIMTALK, Outcome(FAILED, "카카오톡 미사용자"))
    original = sending.message_send(
        customer=customer,
        limits=limits,
        kind="alimtalk",
        recipient="010-3000-0001",
        template=template,
        variables={"name": "홍길동", "amount": "15,000"},
        fallback_sender=SENDER,
        now=NOW,
    )
    assert (original.fallback_kind, original.fallback_sender) == (MessageKind.SMS, "0212345678")
    first = run_provider()
    assert (first.failed, first.fallbacks) == (1, 1)
    second = run_provider()  # the fallback SMS goes out and is delivered
    assert second.delivered == 1
    fallback = Message.objects.get(fallback_of=original)
    assert (fallback.kind, fallback.status, fallback.text) == (
        MessageKind.SMS,
        Message.Status.DELIVERED,
        "홍길동님, 결제 15,000원이 완료되었습니다.",
    )
    # the failure reported again starts no second fallback
    third = run_provider()
    assert third.fallbacks == 0 and Message.objects.count() == 2
    assert delivered_counts(customer_id=customer.pk, start=DAY, end=DAY) == {"sms": 1}
    assert usage.usage_totals(contract, D(2026, 11, 1), D(2026, 11, 30)) == {"sms": 1}
    lines = monthly_lines(contract, calendar_month(D(2026, 11, 1)), effective_policy(contract))
    assert [(line.kind, line.quantity, line.unit_price_won, line.amount_won) for line in lines] == [
        ("usage", 1, 9, 9)
    ]


@pytest.mark.django_db
def test_friendtalk_image_fallback_sends_the_text_as_lms_and_adverts_take_the_fallback_form(
    paid_customer, fake
):
    """MSG-3, MSG-7: a FriendTalk image falls back with its text only (LMS by length), in the advert form
    "(광고)text[무료 수신거부]080…"."""
    customer = paid_customer
    limits = kgmsg_limits()
    approve_sender(customer)
    spam.recipient_update(
        customer=customer, number="010-3000-0002", now=NOW, ad_consent=True, kakao_friend=True
    )
    text = "(광고)한빛상사 가을 신상품 입고 안내입니다."
    message = sending.message_send(
        customer=customer,
        limits=limits,
        kind="friendtalk_image",
        recipient="010-3000-0002",
        sender="@hanbit",
        text=text,
        image_url="https://hanbit.example/a.png",
        fallback_sender=SENDER,
        now=NOW,
        advert=Advert(sender_name="한빛상사", opt_out_number="080-123-4567"),
    )
    assert message.fallback_text == "(광고)한빛상사 가을 신상품 입고 안내입니다.[무료 수신거부]080-123-4567"
    assert message.fallback_kind == MessageKind.SMS or message.fallback_kind == MessageKind.LMS
    assert message.fallback_kind == (
        MessageKind.SMS if len(message.fallback_text.encode("cp949")) <= 80 else MessageKind.LMS
    )
    fake.script_kind(MessageKind.FRIENDTALK_IMAGE, Outcome(FAILED, "친구 아님"))
    run_provider()
    run_provider()
    fallback = Message.objects.get(fallback_of=message)
    assert fallback.image_url == "" and fallback.status == Message.Status.DELIVERED
    assert delivered_counts(customer_id=customer.pk, start=DAY, end=DAY) == {str(fallback.kind): 1}


@pytest.mark.django_db
def test_fallback_that_sms_cannot_carry_is_refused_up_front(paid_customer, fake):
    """MSG-3: a Kakao text with emoji cannot fall back to SMS: refused before anything is written."""
    customer = paid_customer
    limits = kgmsg_limits()
    approve_sender(customer)
    spam.recipient_update(customer=customer, number="010-3000-0003", now=NOW, kakao_friend=True)
    with pytest.raises(DomainError) as exc:
        sending.message_send(
            customer=customer,
            limits=limits,
            kind="friendtalk_text",
            recipient="010-3000-0003",
            sender="@hanbit",
            text="반가워요 😀",
            fallback_sender=SENDER,
            now=NOW,
        )
    assert (exc.value.code, exc.value.rule) == ("message_unencodable", "MSG-3")
    assert not Message.objects.exists()
