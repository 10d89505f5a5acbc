"""Spam rules (MSG-7; 003 art.4-2, 002 art.26; 정보통신망법 제50조), checked before anything is sent.

An advertising message starts with "(광고)", names the sender and carries a free
opt-out (an 080 number); it goes only to recipients who consented, and not in the
night window (policy ``ad_night_start``..``ad_night_end``) without separate night
consent. FriendTalk is not sent in ``friendtalk_block_start``..``friendtalk_block_end``.
The opt-out list is honoured on every send. An advertising fallback SMS reads
``(광고)text[무료 수신거부]080…``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import DomainError

from ..limits import MessagingLimits
from ..models import MessageKind, Recipient
from .phones import normalize_phone

if TYPE_CHECKING:
    from accounts.models import Customer

RULE = "MSG-7"
AD_PREFIX = "(광고)"
OPT_OUT_LABEL = "[무료 수신거부]"
FRIENDTALK_KINDS = frozenset({MessageKind.FRIENDTALK_TEXT, MessageKind.FRIENDTALK_IMAGE})


@dataclass(frozen=True)
class Advert:
    """What an advertising send must carry: the sender's name and the free 080 opt-out number."""

    sender_name: str
    opt_out_number: str


def in_window(moment: dt.datetime, start: dt.time, end: dt.time) -> bool:
    """Whether ``moment`` (Asia/Seoul wall time) is in ``start``..``end``; a window may cross midnight."""
    local = moment.astimezone(clock.SEOUL).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def format_080(digits: str) -> str:
    return f"{digits[:3]}-{digits[3:-4]}-{digits[-4:]}"


def check_advert_text(
    text: str, advert: Advert, *, field: str = "text", opt_out_in_text: bool = True
) -> None:
    """The "(광고)" prefix, the sender's name and (for SMS/LMS) the 080 opt-out number are in the text.

    A KakaoTalk advert's opt-out is the channel's block button, so its text need
    not carry the 080 number; its fallback SMS gets ``[무료 수신거부]080…`` appended.
    The 080 number itself is always checked.
    """
    if not text.startswith(AD_PREFIX):
        raise DomainError(
            "advert_prefix_missing", _('광고성 메시지는 "(광고)"로 시작해야 합니다.'), field=field, rule=RULE
        )
    if not advert.sender_name.strip() or advert.sender_name.strip() not in text:
        raise DomainError(
            "advert_sender_name_missing",
            _("광고성 메시지에는 보내는 사람의 명칭을 적어야 합니다."),
            field=field,
            rule=RULE,
        )
    digits = opt_out_digits(advert)
    if opt_out_in_text and digits not in "".join(ch for ch in text if ch.isdigit()):
        raise DomainError(
            "advert_opt_out_missing",
            _("광고성 메시지에는 무료 수신거부 번호({number})를 적어야 합니다."),
            field=field,
            rule=RULE,
            number=format_080(digits),
        )


def opt_out_digits(advert: Advert) -> str:
    digits = normalize_phone(advert.opt_out_number, field="opt_out_number", mobile=False, rule=RULE)
    if not digits.startswith("080"):
        raise DomainError(
            "advert_opt_out_not_free",
            _("수신거부 번호는 무료(080) 번호여야 합니다: {number}"),
            field="opt_out_number",
            rule=RULE,
            number=advert.opt_out_number,
        )
    return digits


def advert_fallback_text(text: str, advert: Advert) -> str:
    """The SMS/LMS an advertising Kakao message falls back to: ``(광고)text[무료 수신거부]080…``."""
    body = text.removeprefix(AD_PREFIX)
    number = format_080(opt_out_digits(advert))
    tail = f"{OPT_OUT_LABEL}{number}"
    if tail in body:
        return f"{AD_PREFIX}{body}"
    return f"{AD_PREFIX}{body}{tail}"


def check_send_window(*, kind: str, now: dt.datetime, limits: MessagingLimits) -> None:
    """FriendTalk is not sent in its block window, whoever the recipient is."""
    if kind in FRIENDTALK_KINDS and in_window(
        now, limits.friendtalk_block_start, limits.friendtalk_block_end
    ):
        raise DomainError(
            "friendtalk_blocked_hours",
            _("친구톡은 {start}~{end}에는 보낼 수 없습니다."),
            field="now",
            rule=RULE,
            start=limits.friendtalk_block_start.strftime("%H:%M"),
            end=limits.friendtalk_block_end.strftime("%H:%M"),
        )


def recipient_refusals(
    *,
    customer: Customer,
    numbers: Iterable[str],
    kind: str,
    advert: bool,
    now: dt.datetime,
    limits: MessagingLimits,
) -> dict[str, DomainError]:
    """Per recipient number (normalised), why it may not receive this send; absent numbers may."""
    wanted = list(dict.fromkeys(numbers))
    night = advert and in_window(now, limits.ad_night_start, limits.ad_night_end)
    known = (
        {r.number: r for r in Recipient.objects.filter(customer=customer, number__in=wanted)}
        if wanted
        else {}
    )
    refusals: dict[str, DomainError] = {}
    for number in wanted:
        row = known.get(number)
        if row is not None and row.opted_out_at is not None:
            refusals[number] = DomainError(
                "recipient_opted_out",
                _("수신을 거부한 번호입니다: {number}"),
                field="recipient",
                rule=RULE,
                number=number,
            )
        elif advert and (row is None or row.ad_consent_at is None):
            refusals[number] = DomainError(
                "recipient_no_ad_consent",
                _("광고 수신에 동의하지 않은 번호입니다: {number}"),
                field="recipient",
                rule=RULE,
                number=number,
            )
        elif night and (row is None or row.night_consent_at is None):
            refusals[number] = DomainError(
                "advert_night_window",
                _("야간({start}~{end}) 광고는 별도 동의한 수신자에게만 보낼 수 있습니다: {number}"),
                field="recipient",
                rule=RULE,
                number=number,
                start=limits.ad_night_start.strftime("%H:%M"),
                end=limits.ad_night_end.strftime("%H:%M"),
            )
        elif kind in FRIENDTALK_KINDS and (row is None or not row.kakao_friend):
            refusals[number] = DomainError(
                "recipient_not_friend",
                _("카카오톡 채널을 친구로 추가한 사용자에게만 친구톡을 보낼 수 있습니다: {number}"),
                field="recipient",
                rule="MSG-2",
                number=number,
            )
    return refusals


def recipient_update(
    *,
    customer: Customer,
    number: str,
    now: dt.datetime,
    ad_consent: bool | None = None,
    night_consent: bool | None = None,
    opted_out: bool | None = None,
    kakao_friend: bool | None = None,
) -> Recipient:
    """Record consent, night consent, opt-out (수신거부) or channel friendship; ``None`` keeps a value."""
    digits = normalize_phone(number, field="number", rule=RULE)
    with transaction.atomic():
        row, _created = Recipient.objects.select_for_update().get_or_create(customer=customer, number=digits)
        for name, value in (
            ("ad_consent_at", ad_consent),
            ("night_consent_at", night_consent),
            ("opted_out_at", opted_out),
        ):
            if value is not None:
                setattr(row, name, (getattr(row, name) or now) if value else None)
        if kakao_friend is not None:
            row.kakao_friend = kakao_friend
        row.save()
    return row


def opt_out(*, customer: Customer, number: str, now: dt.datetime) -> Recipient:
    """The recipient called the 080 number: nothing more is sent to them (MSG-7)."""
    return recipient_update(customer=customer, number=number, now=now, opted_out=True)
