"""Sending paid messages: one recipient or many, validated before anything is written (MSG-2, 3, 4, 7).

``message_send`` and ``bulk_send`` check everything first (sizes and encoding,
the sender number, the template, the advert form, the hours, each recipient's
consent and opt-out) and refuse with a ``DomainError`` naming the field and the
rule. Accepted messages are written ``queued`` and handed to the Celery task
after the transaction commits; ``services.dispatch`` sends them. An idempotency
key makes a repeated request return the first answer and send nothing more.
A bulk send never half-sends silently: every recipient is either a queued
message or a refusal recorded on the batch with its reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from celery import current_app
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.audit import current_actor
from core.errors import DomainError

from ..limits import MessagingLimits
from ..models import (
    KAKAO_KINDS,
    TEXT_KINDS,
    KakaoTemplate,
    Message,
    MessageBatch,
    MessageKind,
    MessagePurpose,
    SenderNumber,
)
from .encoding import check_kakao_size, check_text_size, text_kind
from .notices import _acting
from .phones import normalize_phone
from .senders import approved_sender
from .spam import Advert, advert_fallback_text, check_advert_text, check_send_window, recipient_refusals
from .templates_kakao import alimtalk_text, usable_template

if TYPE_CHECKING:
    from accounts.models import Customer

log = logging.getLogger(__name__)

DISPATCH_TASK = "messaging.tasks.dispatch_messages_task"
INSERT_BATCH = 2_000
TEXT = "text"  # a "text" send picks SMS or LMS by length (MSG-2)


@dataclass(frozen=True)
class BulkRecipient:
    """One recipient of a bulk send; ``variables`` fill an AlimTalk template for this recipient."""

    number: str
    variables: Mapping[str, Any] | None = None


@dataclass
class Draft:
    """A validated send without its recipient: the fields every message of it shares."""

    kind: str
    purpose: str
    sender: str
    sender_number: SenderNumber | None
    text: str
    subject: str = ""
    template: KakaoTemplate | None = None
    image_url: str = ""
    buttons: list[dict[str, str]] = dataclasses.field(default_factory=list)
    size: int = 0
    fallback_kind: str = ""
    fallback_sender: str = ""
    fallback_subject: str = ""
    fallback_text: str = ""
    result_timeout_hours: int = 48

    def message(self, customer: Customer, recipient: str, **extra: Any) -> Message:
        return Message(
            customer=customer,
            recipient=recipient,
            kind=self.kind,
            purpose=self.purpose,
            sender=self.sender,
            sender_number=self.sender_number,
            text=self.text,
            subject=self.subject,
            template=self.template,
            image_url=self.image_url,
            buttons=self.buttons,
            size=self.size,
            fallback_kind=self.fallback_kind,
            fallback_sender=self.fallback_sender,
            fallback_subject=self.fallback_subject,
            fallback_text=self.fallback_text,
            result_timeout_hours=self.result_timeout_hours,
            actor=current_actor().label,
            **extra,
        )


def prepare(
    *,
    customer: Customer,
    limits: MessagingLimits,
    kind: str,
    now: dt.datetime,
    text: str | None = None,
    sender: str = "",
    subject: str = "",
    template: KakaoTemplate | None = None,
    variables: Mapping[str, Any] | None = None,
    image_url: str = "",
    buttons: list[dict[str, str]] | None = None,
    advert: Advert | None = None,
    fallback_sender: str = "",
    purpose: str | None = None,
) -> Draft:
    """Check a send that does not depend on the recipient; return its shared fields (or refuse)."""
    purpose = purpose or (MessagePurpose.ADVERT if advert else MessagePurpose.INFO)
    if kind != TEXT and kind not in MessageKind.values:
        raise DomainError(
            "message_kind_unknown",
            _("알 수 없는 메시지 유형입니다: {kind}"),
            field="kind",
            rule="MSG-2",
            kind=kind,
        )
    check_send_window(kind=kind, now=now, limits=limits)
    draft = Draft(
        kind=kind,
        purpose=purpose,
        sender=sender,
        sender_number=None,
        text=text or "",
        subject=subject,
        result_timeout_hours=limits.message_result_timeout_hours,
    )
    if kind == TEXT or kind in (MessageKind.SMS, MessageKind.LMS):
        _prepare_text(draft, customer, limits, kind, sender)
    elif kind == MessageKind.ALIMTALK:
        if advert:
            raise DomainError(
                "alimtalk_not_for_adverts",
                _("알림톡으로는 광고성 정보를 보낼 수 없습니다."),
                field="kind",
                rule="MSG-7",
            )
        if template is None:
            raise DomainError(
                "template_required",
                _("알림톡은 승인된 템플릿으로만 보낼 수 있습니다."),
                field="template",
                rule="MSG-2a",
            )
        usable_template(customer=customer, template=template)
        draft.template, draft.sender, draft.buttons = (
            template,
            template.sender_profile,
            list(template.buttons),
        )
        draft.text = alimtalk_text(template=template, variables=variables, text=text)
        draft.size = check_kakao_size(kind, draft.text, draft.buttons, limits)
    else:  # FriendTalk
        if not sender.strip():
            raise DomainError(
                "sender_profile_required",
                _("카카오 발신 프로필을 입력해 주세요."),
                field="sender",
                rule="MSG-2",
            )
        if kind == MessageKind.FRIENDTALK_IMAGE and not image_url:
            raise DomainError(
                "image_required",
                _("친구톡(이미지)에는 이미지 한 장이 필요합니다."),
                field="image_url",
                rule="MSG-2",
            )
        draft.image_url, draft.buttons = image_url, list(buttons or [])
        draft.size = check_kakao_size(kind, draft.text, draft.buttons, limits)
    if advert:
        check_advert_text(draft.text, advert, opt_out_in_text=draft.kind in TEXT_KINDS)
    if draft.kind in KAKAO_KINDS and fallback_sender:
        _prepare_fallback(draft, customer, limits, fallback_sender, advert)
    return draft


def _prepare_text(draft: Draft, customer: Customer, limits: MessagingLimits, kind: str, sender: str) -> None:
    if kind == TEXT:
        draft.kind, draft.size = text_kind(draft.text, limits, subject=draft.subject)
    else:
        draft.size = check_text_size(kind, draft.text, limits, subject=draft.subject)
    number = approved_sender(customer=customer, number=sender)
    draft.sender, draft.sender_number = number.number, number


def _prepare_fallback(
    draft: Draft, customer: Customer, limits: MessagingLimits, fallback_sender: str, advert: Advert | None
) -> None:
    """MSG-3: a failed Kakao message goes again as SMS/LMS (by length; FriendTalk image: the text only)."""
    number = approved_sender(customer=customer, number=fallback_sender)
    text = advert_fallback_text(draft.text, advert) if advert else draft.text
    draft.fallback_kind, _size = text_kind(text, limits, rule="MSG-3")
    draft.fallback_sender, draft.fallback_text = number.number, text


def message_send(
    *,
    customer: Customer,
    limits: MessagingLimits,
    kind: str,
    recipient: str,
    now: dt.datetime,
    idempotency_key: str | None = None,
    actor: Any = None,
    **fields: Any,
) -> Message:
    """Send one message (see :func:`prepare` for ``fields``). The same key again returns the first message."""
    with _acting(actor):
        if idempotency_key:
            existing = Message.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        draft = prepare(customer=customer, limits=limits, kind=kind, now=now, **fields)
        number = normalize_phone(recipient, field="recipient")
        refusal = recipient_refusals(
            customer=customer,
            numbers=[number],
            kind=draft.kind,
            advert=draft.purpose == MessagePurpose.ADVERT,
            now=now,
            limits=limits,
        ).get(number)
        if refusal is not None:
            raise refusal
        try:
            with transaction.atomic():
                message = draft.message(customer, number, idempotency_key=idempotency_key or None)
                message.save()
                transaction.on_commit(lambda: enqueue(message_ids=[message.pk]), robust=True)
        except IntegrityError:
            if not idempotency_key:
                raise
            return Message.objects.get(customer=customer, idempotency_key=idempotency_key)
    return message


def bulk_send(
    *,
    customer: Customer,
    limits: MessagingLimits,
    kind: str,
    recipients: Sequence[str | BulkRecipient],
    now: dt.datetime,
    idempotency_key: str | None = None,
    actor: Any = None,
    variables: Mapping[str, Any] | None = None,
    **fields: Any,
) -> MessageBatch:
    """Send to many recipients: a batch with a message per accepted recipient and a refusal per other one.

    Checks shared by every recipient (sender, text, template, advert form,
    hours) refuse the whole batch before anything is written. Per recipient:
    a malformed number, a duplicate, an opt-out, missing consent. The same
    ``idempotency_key`` again returns the first batch and sends nothing.
    """
    with _acting(actor):
        if idempotency_key:
            existing = MessageBatch.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
            if existing is not None:
                return existing
        entries = [r if isinstance(r, BulkRecipient) else BulkRecipient(str(r)) for r in recipients]
        if not entries:
            raise DomainError("bulk_no_recipients", _("수신자가 없습니다."), field="recipients", rule="MSG-2")
        per_recipient_text = kind == MessageKind.ALIMTALK and any(e.variables for e in entries)
        first_vars = {**(variables or {}), **(entries[0].variables or {})}
        draft = prepare(customer=customer, limits=limits, kind=kind, now=now, variables=first_vars, **fields)
        refusals: list[dict[str, Any]] = []
        numbers: list[tuple[str, BulkRecipient]] = []
        seen: set[str] = set()
        for entry in entries:
            try:
                number = normalize_phone(entry.number, field="recipient")
                if number in seen:
                    raise DomainError(
                        "recipient_duplicate",
                        _("같은 발송에 중복된 수신번호입니다: {number}"),
                        field="recipient",
                        rule="MSG-2",
                        number=number,
                    )
            except DomainError as exc:
                refusals.append(_refusal(entry.number, exc))
                continue
            seen.add(number)
            numbers.append((number, entry))
        blocked = recipient_refusals(
            customer=customer,
            numbers=[n for n, _e in numbers],
            kind=draft.kind,
            advert=draft.purpose == MessagePurpose.ADVERT,
            now=now,
            limits=limits,
        )
        messages: list[Message] = []
        for number, entry in numbers:
            if number in blocked:
                refusals.append(_refusal(entry.number, blocked[number]))
                continue
            if per_recipient_text:
                try:
                    one = prepare(
                        customer=customer,
                        limits=limits,
                        kind=kind,
                        now=now,
                        variables={**(variables or {}), **(entry.variables or {})},
                        **fields,
                    )
                except DomainError as exc:
                    refusals.append(_refusal(entry.number, exc))
                    continue
                messages.append(one.message(customer, number))
            else:
                messages.append(draft.message(customer, number))
        try:
            with transaction.atomic():
                batch = MessageBatch.objects.create(
                    customer=customer,
                    kind=draft.kind,
                    idempotency_key=idempotency_key or None,
                    total=len(entries),
                    accepted=len(messages),
                    refused=len(refusals),
                    refusals=refusals,
                    actor=current_actor().label,
                )
                for message in messages:
                    message.batch = batch
                Message.objects.bulk_create(messages, batch_size=INSERT_BATCH)
                if messages:
                    transaction.on_commit(lambda: enqueue(batch_id=batch.pk), robust=True)
        except IntegrityError:
            if not idempotency_key:
                raise
            return MessageBatch.objects.get(customer=customer, idempotency_key=idempotency_key)
    log.info(
        "bulk send %s for customer %s: %s accepted, %s refused",
        batch.pk,
        customer.pk,
        batch.accepted,
        batch.refused,
    )
    return batch


def _refusal(number: str, exc: DomainError) -> dict[str, Any]:
    return {
        "recipient": number,
        "code": exc.code,
        "field": exc.field,
        "rule": exc.rule,
        "message": exc.message_ko,
        "message_en": exc.message_en,
    }


def enqueue(*, message_ids: Sequence[int] | None = None, batch_id: int | None = None) -> None:
    """Hand queued messages to the Celery dispatch task (looked up by name: services never import tasks)."""
    current_app.tasks[DISPATCH_TASK].apply_async(
        kwargs={"message_ids": list(message_ids) if message_ids else None, "batch_id": batch_id},
    )
