# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""AlimTalk templates under Kakao's review (MSG-2a)."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from messaging.models import KakaoTemplate, Message, MessageKind
from messaging.services import sending, templates_kakao

from .test_paid_support import MOBILE, NOW, fake, kgmsg_limits, paid_customer  # noqa: F401

LIMITS = kgmsg_limits()
BODY = "#{name}님, 주문 #{order}이(가) 발송되었습니다."


def _template(customer, body: str = BODY) -> KakaoTemplate:  # type: ignore[no-untyped-def]
    return templates_kakao.template_register(
        customer=customer,
        sender_profile="@hanbit",
        code="ship-1",
        name="발송 안내",
        body=body,
        limits=LIMITS,
        buttons=[{"name": "배송조회", "url": "https://hanbit.example/track"}],
    )


def _approved(customer) -> KakaoTemplate:  # type: ignore[no-untyped-def]
    template = templates_kakao.template_submit(template=_template(customer), now=NOW)
    return templates_kakao.template_review(template=template, approved=True, now=NOW)


@pytest.mark.django_db
def test_review_workflow_and_rejection_reason(paid_customer):
    """MSG-2a: requested → in review → approved | rejected with a reason."""
    template = _template(paid_customer)
    assert template.status == KakaoTemplate.Status.REQUESTED
    with pytest.raises(DomainError) as exc:
        templates_kakao.template_review(template=template, approved=True, now=NOW)
    assert exc.value.code == "illegal_transition"  # not in review yet
    template = templates_kakao.template_submit(template=template, now=NOW)
    with pytest.raises(DomainError) as exc:
        templates_kakao.template_review(template=template, approved=False, now=NOW)
    assert exc.value.field == "reason"
    rejected = templates_kakao.template_review(
        template=template, approved=False, reason="광고성 문구", now=NOW
    )
    assert (rejected.status, rejected.rejection_reason) == (KakaoTemplate.Status.REJECTED, "광고성 문구")


@pytest.mark.django_db
def test_editing_an_approved_template_sends_it_back_to_review(paid_customer):
    """MSG-2a: an edit of an approved template returns it to review; it does not send meanwhile."""
    template = _approved(paid_customer)
    edited = templates_kakao.template_edit(
        template=template, body=BODY + " 감사합니다.", limits=LIMITS, now=NOW
    )
    assert edited.status == KakaoTemplate.Status.REQUESTED and edited.revision == 2
    with pytest.raises(DomainError) as exc:
        sending.message_send(
            customer=paid_customer,
            limits=LIMITS,
            kind="alimtalk",
            recipient=MOBILE,
            template=edited,
            variables={"name": "홍길동", "order": "A-1"},
            now=NOW,
        )
    assert (exc.value.code, exc.value.field, exc.value.rule) == (
        "template_not_approved",
        "template",
        "MSG-2a",
    )


@pytest.mark.django_db
def test_only_approved_templates_send_and_text_must_match(paid_customer, fake):
    """MSG-2a: an approved template sends with its variables filled; text that differs is refused."""
    template = _approved(paid_customer)
    message = sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="alimtalk",
        recipient=MOBILE,
        template=template,
        variables={"name": "홍길동", "order": "A-1"},
        now=NOW,
    )
    assert message.kind == MessageKind.ALIMTALK
    assert message.text == "홍길동님, 주문 A-1이(가) 발송되었습니다."
    assert message.sender == "@hanbit" and message.buttons == template.buttons
    same = sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="alimtalk",
        recipient=MOBILE,
        template=template,
        text="김철수님, 주문 B-7이(가) 발송되었습니다.",
        now=NOW,
    )
    assert same.text.startswith("김철수님")
    with pytest.raises(DomainError) as exc:
        sending.message_send(
            customer=paid_customer,
            limits=LIMITS,
            kind="alimtalk",
            recipient=MOBILE,
            template=template,
            text="홍길동님, 오늘만 50% 할인!",
            now=NOW,
        )
    assert (exc.value.code, exc.value.field) == ("template_mismatch", "text")
    with pytest.raises(DomainError) as exc:
        sending.message_send(
            customer=paid_customer,
            limits=LIMITS,
            kind="alimtalk",
            recipient=MOBILE,
            template=template,
            variables={"name": "홍길동"},
            now=NOW,
        )
    assert exc.value.code == "template_variable_missing" and "order" in exc.value.message_ko
    assert Message.objects.count() == 2
