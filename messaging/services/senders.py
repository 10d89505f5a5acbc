"""Sender numbers (MSG-4, 003 art.4-4, 별표2-가): registered with a telecom certificate, approved by staff.

At most ``max_sms_sender_numbers`` SMS numbers and ``max_buyer_alimtalk_sender_numbers``
buyer-facing payment AlimTalk numbers per customer (requested and approved count).
Sending from a number that is not approved is refused; a spoofed number
(번호변작) is blocked and reported.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit import current_actor
from core.errors import DomainError
from core.transitions import transition

from ..lifecycles import SENDER_NUMBER
from ..limits import MessagingLimits
from ..models import SenderNumber
from .notices import _acting
from .phones import normalize_phone

if TYPE_CHECKING:
    from accounts.models import Customer

log = logging.getLogger(__name__)
RULE = "MSG-4"


def sender_number_request(
    *,
    customer: Customer,
    number: str,
    proof_document: File[Any] | None,
    limits: MessagingLimits,
    purpose: str = SenderNumber.Purpose.SMS,
    actor: Any = None,
) -> SenderNumber:
    """Register a number for staff approval; refused without the telecom certificate or over the limit."""
    digits = normalize_phone(number, field="number", mobile=False, rule=RULE)
    if purpose not in SenderNumber.Purpose.values:
        raise DomainError(
            "sender_purpose_unknown", _("알 수 없는 발신번호 용도입니다."), field="purpose", rule=RULE
        )
    if not proof_document:
        raise DomainError(
            "sender_proof_missing",
            _("발신번호마다 통신서비스 이용증명원(통신가입사실증명서)을 제출해야 합니다."),
            field="proof_document",
            rule=RULE,
        )
    limit = (
        limits.max_sms_sender_numbers
        if purpose == SenderNumber.Purpose.SMS
        else limits.max_buyer_alimtalk_sender_numbers
    )
    with _acting(actor), transaction.atomic():
        # Lock the customer's numbers so two requests cannot both take the last place.
        active = list(
            SenderNumber.objects.select_for_update()
            .filter(customer=customer, purpose=purpose, status__in=SenderNumber.ACTIVE)
            .values_list("number", flat=True)
        )
        if digits in active:
            raise DomainError(
                "sender_duplicate",
                _("이미 등록(요청)된 발신번호입니다: {number}"),
                field="number",
                rule=RULE,
                number=digits,
            )
        if len(active) >= limit:
            raise DomainError(
                "sender_limit_reached",
                _("발신번호는 최대 {limit}개까지 등록할 수 있습니다."),
                field="number",
                rule=RULE,
                limit=limit,
            )
        return SenderNumber.objects.create(
            customer=customer,
            number=digits,
            purpose=purpose,
            proof_document=proof_document,
            requested_by=current_actor().user,
        )


def sender_number_approve(*, sender: SenderNumber, now: dt.datetime, actor: Any = None) -> SenderNumber:
    """Staff approve a requested number after checking its certificate."""
    return _decide(sender, SenderNumber.Status.APPROVED, now=now, reason="", actor=actor)


def sender_number_reject(
    *, sender: SenderNumber, reason: str, now: dt.datetime, actor: Any = None
) -> SenderNumber:
    if not reason.strip():
        raise DomainError("reason_required", _("반려 사유를 입력해 주세요."), field="reason", rule=RULE)
    return _decide(sender, SenderNumber.Status.REJECTED, now=now, reason=reason, actor=actor)


def sender_number_revoke(
    *, sender: SenderNumber, reason: str, now: dt.datetime, actor: Any = None
) -> SenderNumber:
    """The customer or staff retire an approved number (it frees a place under the limit)."""
    return _decide(sender, SenderNumber.Status.REVOKED, now=now, reason=reason, actor=actor)


def sender_number_block_spoofed(
    *,
    sender: SenderNumber,
    reason: str,
    now: dt.datetime,
    actor: Any = None,
) -> SenderNumber:
    """Block a spoofed number (번호변작) and record the report; nothing is sent from it again."""
    if not reason.strip():
        raise DomainError("reason_required", _("차단 사유를 입력해 주세요."), field="reason", rule=RULE)
    blocked = _decide(
        sender,
        SenderNumber.Status.BLOCKED,
        now=now,
        reason=reason,
        actor=actor,
        extra={"spoof_reported_at": now},
    )
    log.warning(
        "sender number %s of customer %s blocked as spoofed: %s", blocked.number, blocked.customer_id, reason
    )
    return blocked


def approved_sender(
    *, customer: Customer, number: str, purpose: str = SenderNumber.Purpose.SMS
) -> SenderNumber:
    """The approved sender number ``number``, or a refusal naming the field ``sender`` (003 art.4-4)."""
    digits = normalize_phone(number, field="sender", mobile=False, rule=RULE)
    rows = list(SenderNumber.objects.filter(customer=customer, number=digits, purpose=purpose))
    if any(r.status == SenderNumber.Status.APPROVED for r in rows):
        return next(r for r in rows if r.status == SenderNumber.Status.APPROVED)
    if any(r.status == SenderNumber.Status.BLOCKED for r in rows):
        raise DomainError(
            "sender_blocked",
            _("변작 신고로 차단된 발신번호입니다: {number}"),
            field="sender",
            rule=RULE,
            number=digits,
        )
    raise DomainError(
        "sender_not_registered",
        _("등록·승인되지 않은 발신번호로는 보낼 수 없습니다: {number}"),
        field="sender",
        rule=RULE,
        number=digits,
    )


def _decide(
    sender: SenderNumber,
    to: str,
    *,
    now: dt.datetime,
    reason: str,
    actor: Any,
    extra: dict[str, Any] | None = None,
) -> SenderNumber:
    with _acting(actor), transaction.atomic():
        locked = SenderNumber.objects.select_for_update().get(pk=sender.pk)
        locked.reviewed_by = current_actor().user
        locked.reviewed_at = now
        locked.decision_reason = reason
        for name, value in (extra or {}).items():
            setattr(locked, name, value)
        transition(
            locked,
            SENDER_NUMBER,
            to,
            today=clock.to_seoul_date(now),
            reason=reason,
            save_fields=["reviewed_by", "reviewed_at", "decision_reason", *(extra or {})],
        )
    return locked
