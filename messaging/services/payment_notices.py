"""Payment notification AlimTalk (MSG-5; 003 별표2-가).

A customer configures which payment events notify the merchant's receiver
numbers (up to ``max_merchant_receiver_numbers``) and/or the buyer's phone (from
the customer's one approved buyer-facing sender number). Choosing buyer
"cancellation" requires buyer "approval" too. A virtual-account payment's
approval is sent when the deposit arrives; its issue (채번) has its own notice.
Merchant-facing notices go from the operator's fixed number. When KakaoTalk
fails the notice falls back to SMS/LMS (MSG-3).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..limits import MessagingLimits
from ..models import Message, MessageKind, MessagePurpose, PaymentNoticeSetting, SenderNumber
from .encoding import check_kakao_size, text_kind
from .notices import _acting
from .operator import operator_sender
from .phones import normalize_phone
from .senders import approved_sender
from .sending import Draft, enqueue
from .spam import recipient_refusals

if TYPE_CHECKING:
    from accounts.models import Customer

RULE = "MSG-5"
APPROVED, CANCELLED = "approved", "cancelled"
VA_ISSUED, VA_DEPOSITED = "virtual_account_issued", "virtual_account_deposited"
EVENTS = (APPROVED, CANCELLED, VA_ISSUED, VA_DEPOSITED)


def payment_notice_configure(
    *,
    customer: Customer,
    limits: MessagingLimits,
    merchant_approval: bool = False,
    merchant_cancellation: bool = False,
    merchant_receivers: Sequence[str] = (),
    buyer_approval: bool = False,
    buyer_cancellation: bool = False,
    buyer_virtual_account: bool = False,
    buyer_sender: str = "",
    actor: Any = None,
) -> PaymentNoticeSetting:
    """Save which payment events notify whom; refused if the combination breaks 003 별표2-가."""
    if buyer_cancellation and not buyer_approval:
        raise DomainError(
            "payment_buyer_cancel_needs_approval",
            _("구매자 대상 '취소완료 통보'를 선택하면 '승인완료 통보'도 선택해야 합니다."),
            field="buyer_approval",
            rule=RULE,
        )
    receivers = list(
        dict.fromkeys(normalize_phone(n, field="merchant_receivers", rule=RULE) for n in merchant_receivers)
    )
    if (merchant_approval or merchant_cancellation) and not receivers:
        raise DomainError(
            "payment_merchant_receiver_missing",
            _("가맹점 대상 알림톡을 받을 수신번호를 입력해 주세요."),
            field="merchant_receivers",
            rule=RULE,
        )
    if len(receivers) > limits.max_merchant_receiver_numbers:
        raise DomainError(
            "payment_merchant_receivers_limit",
            _("가맹점 대상 수신번호는 최대 {limit}개까지 등록할 수 있습니다."),
            field="merchant_receivers",
            rule=RULE,
            limit=limits.max_merchant_receiver_numbers,
        )
    sender: SenderNumber | None = None
    if buyer_approval or buyer_cancellation or buyer_virtual_account:
        if not buyer_sender:
            raise DomainError(
                "payment_buyer_sender_missing",
                _("구매자 대상 알림톡의 발신번호를 선택해 주세요."),
                field="buyer_sender",
                rule="MSG-4",
            )
        sender = approved_sender(
            customer=customer, number=buyer_sender, purpose=SenderNumber.Purpose.BUYER_ALIMTALK
        )
    with _acting(actor), transaction.atomic():
        setting, _created = PaymentNoticeSetting.objects.update_or_create(
            customer=customer,
            defaults={
                "merchant_approval": merchant_approval,
                "merchant_cancellation": merchant_cancellation,
                "merchant_receivers": receivers,
                "buyer_approval": buyer_approval,
                "buyer_cancellation": buyer_cancellation,
                "buyer_virtual_account": buyer_virtual_account,
                "buyer_sender": sender,
            },
        )
    return setting


def payment_event(
    *,
    customer: Customer,
    limits: MessagingLimits,
    event: str,
    payment_ref: str,
    amount_won: int,
    now: dt.datetime,
    buyer_phone: str = "",
    merchant_name: str = "",
    actor: Any = None,
) -> list[Message]:
    """Queue the payment AlimTalk the customer configured for ``event``; once per payment, event and phone."""
    if event not in EVENTS:
        raise DomainError(
            "payment_event_unknown",
            _("알 수 없는 결제 이벤트입니다: {event}"),
            field="event",
            rule=RULE,
            event=event,
        )
    setting = PaymentNoticeSetting.objects.filter(customer=customer).first()
    if setting is None:
        return []
    text = _text(
        event, payment_ref=payment_ref, amount_won=amount_won, merchant=merchant_name or customer.legal_name
    )
    targets: list[tuple[str, str]] = []  # (recipient, sender)
    if (event in (APPROVED, VA_DEPOSITED) and setting.merchant_approval) or (
        event == CANCELLED and setting.merchant_cancellation
    ):
        targets += [
            (n, normalize_phone(operator_sender(), field="sender", mobile=False, rule=RULE))
            for n in setting.merchant_receivers
        ]
    buyer_wanted = (
        (event in (APPROVED, VA_DEPOSITED) and setting.buyer_approval)
        or (event == CANCELLED and setting.buyer_cancellation)
        or (event == VA_ISSUED and setting.buyer_virtual_account)
    )
    if buyer_wanted and setting.buyer_sender is not None:
        if setting.buyer_sender.status != SenderNumber.Status.APPROVED:
            raise DomainError(
                "sender_not_registered",
                _("등록·승인되지 않은 발신번호로는 보낼 수 없습니다: {number}"),
                field="buyer_sender",
                rule="MSG-4",
                number=setting.buyer_sender.number,
            )
        targets.append(
            (normalize_phone(buyer_phone, field="buyer_phone", rule=RULE), setting.buyer_sender.number)
        )
    if not targets:
        return []
    size = check_kakao_size(MessageKind.ALIMTALK, text, [], limits)
    fallback_kind, _bytes = text_kind(text, limits, rule="MSG-3")
    blocked = recipient_refusals(
        customer=customer,
        numbers=[r for r, _s in targets],
        kind=MessageKind.ALIMTALK,
        advert=False,
        now=now,
        limits=limits,
    )
    messages: list[Message] = []
    with _acting(actor), transaction.atomic():
        for recipient, sender in targets:
            if recipient in blocked:
                continue
            key = f"payment:{payment_ref}:{event}:{recipient}"
            existing = Message.objects.filter(customer=customer, idempotency_key=key).first()
            if existing is not None:
                messages.append(existing)
                continue
            draft = Draft(
                kind=MessageKind.ALIMTALK,
                purpose=MessagePurpose.PAYMENT,
                sender=sender,
                sender_number=None,
                text=text,
                size=size,
                fallback_kind=fallback_kind,
                fallback_sender=sender,
                fallback_text=text,
                result_timeout_hours=limits.message_result_timeout_hours,
            )
            try:
                with transaction.atomic():
                    message = draft.message(customer, recipient, idempotency_key=key)
                    message.save()
            except IntegrityError:
                message = Message.objects.get(customer=customer, idempotency_key=key)
            messages.append(message)
        fresh = [m.pk for m in messages if m.status == Message.Status.QUEUED]
        if fresh:
            transaction.on_commit(lambda: enqueue(message_ids=fresh), robust=True)
    return messages


def _text(event: str, *, payment_ref: str, amount_won: int, merchant: str) -> str:
    amount = f"{amount_won:,}"
    templates = {
        APPROVED: gettext("[{merchant}] 결제가 승인되었습니다.\n결제번호: {ref}\n금액: {amount}원"),
        VA_DEPOSITED: gettext(
            "[{merchant}] 가상계좌 입금이 확인되어 결제가 승인되었습니다.\n결제번호: {ref}\n금액: {amount}원"
        ),
        CANCELLED: gettext("[{merchant}] 결제가 취소되었습니다.\n결제번호: {ref}\n금액: {amount}원"),
        VA_ISSUED: gettext(
            "[{merchant}] 가상계좌가 발급되었습니다. 입금해 주세요.\n결제번호: {ref}\n금액: {amount}원"
        ),
    }
    return templates[event].format(merchant=merchant, ref=payment_ref, amount=amount)
