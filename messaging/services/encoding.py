"""Message sizes (MSG-2): CP949 byte counting for SMS/LMS, the SMS-or-LMS choice, Kakao character limits.

SMS and LMS are counted in CP949 (Hangul 2 bytes, ASCII 1). Python's ``euc-kr``
codec is never used: it encodes syllables outside KS X 1001 (such as '똠') as an
8-byte composition sequence, where CP949 (the carriers' code page) has 2 bytes.
Text CP949 cannot encode (emoji, some symbols) is refused with the characters named.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..limits import MessagingLimits
from ..models import MessageKind

CODEC = "cp949"


def unencodable(text: str) -> list[str]:
    """The distinct characters of ``text`` that CP949 cannot encode, in order of appearance."""
    bad: list[str] = []
    for char in text:
        try:
            char.encode(CODEC)
        except UnicodeEncodeError:
            if char not in bad:
                bad.append(char)
    return bad


def _describe(chars: list[str]) -> str:
    return ", ".join(f"'{c}' (U+{ord(c):04X} {unicodedata.name(c, '?')})" for c in chars)


def cp949_bytes(text: str, *, field: str = "text", rule: str = "MSG-2") -> int:
    """The size of ``text`` in CP949 bytes; unencodable characters are refused by name."""
    bad = unencodable(text)
    if bad:
        raise DomainError(
            "message_unencodable",
            _("문자(SMS/LMS)로 보낼 수 없는 문자가 있습니다: {chars}"),
            field=field,
            rule=rule,
            chars=_describe(bad),
        )
    return len(text.encode(CODEC))


def text_kind(
    text: str, limits: MessagingLimits, *, subject: str = "", field: str = "text", rule: str = "MSG-2"
) -> tuple[str, int]:
    """SMS or LMS for ``text`` by its CP949 length (and a subject, which only LMS has); with the byte count.

    ``rule`` names the rule asking (MSG-2 for a "text" send, MSG-3 for a fallback).
    """
    size = cp949_bytes(text, field=field, rule=rule)
    subject_size = cp949_bytes(subject, field="subject", rule=rule) if subject else 0
    if subject_size > limits.lms_subject_max_bytes:
        raise DomainError(
            "message_subject_too_long",
            _("LMS 제목은 {limit}바이트까지입니다 (현재 {size}바이트)."),
            field="subject",
            rule=rule,
            limit=limits.lms_subject_max_bytes,
            size=subject_size,
        )
    if not text.strip():
        raise DomainError("message_empty", _("보낼 내용을 입력해 주세요."), field=field, rule=rule)
    if size <= limits.sms_max_bytes and not subject:
        return MessageKind.SMS, size
    if size <= limits.lms_max_bytes:
        return MessageKind.LMS, size
    raise DomainError(
        "message_too_long",
        _("문자는 {limit}바이트까지 보낼 수 있습니다 (현재 {size}바이트)."),
        field=field,
        rule=rule,
        limit=limits.lms_max_bytes,
        size=size,
    )


def check_text_size(kind: str, text: str, limits: MessagingLimits, *, subject: str = "") -> int:
    """An explicit SMS or LMS: its CP949 size within that type's limit (MSG-2)."""
    size = cp949_bytes(text)
    if kind == MessageKind.SMS:
        if subject:
            raise DomainError(
                "message_sms_subject",
                _("SMS에는 제목을 쓸 수 없습니다. LMS로 보내 주세요."),
                field="subject",
                rule="MSG-2",
            )
        limit = limits.sms_max_bytes
    else:
        subject_size = cp949_bytes(subject, field="subject") if subject else 0
        if subject_size > limits.lms_subject_max_bytes:
            raise DomainError(
                "message_subject_too_long",
                _("LMS 제목은 {limit}바이트까지입니다 (현재 {size}바이트)."),
                field="subject",
                rule="MSG-2",
                limit=limits.lms_subject_max_bytes,
                size=subject_size,
            )
        limit = limits.lms_max_bytes
    if not text.strip():
        raise DomainError("message_empty", _("보낼 내용을 입력해 주세요."), field="text", rule="MSG-2")
    if size > limit:
        raise DomainError(
            "message_too_long",
            _("{kind}는 {limit}바이트까지 보낼 수 있습니다 (현재 {size}바이트)."),
            field="text",
            rule="MSG-2",
            kind=kind.upper(),
            limit=limit,
            size=size,
        )
    return size


def check_kakao_size(kind: str, text: str, buttons: list[dict[str, str]], limits: MessagingLimits) -> int:
    """AlimTalk/FriendTalk: characters (button names included) and buttons within the limits (MSG-2)."""
    if len(buttons) > limits.kakao_buttons_max:
        raise DomainError(
            "message_too_many_buttons",
            _("버튼은 {limit}개까지입니다 (현재 {count}개)."),
            field="buttons",
            rule="MSG-2",
            limit=limits.kakao_buttons_max,
            count=len(buttons),
        )
    names = [str(b.get("name", "")) for b in buttons]
    for name in names:
        if not name.strip() or len(name) > limits.kakao_button_name_max_chars:
            raise DomainError(
                "message_button_name",
                _("버튼명은 1~{limit}자여야 합니다: '{name}'"),
                field="buttons",
                rule="MSG-2",
                limit=limits.kakao_button_name_max_chars,
                name=name,
            )
    if not text.strip():
        raise DomainError("message_empty", _("보낼 내용을 입력해 주세요."), field="text", rule="MSG-2")
    limit = {
        MessageKind.ALIMTALK: limits.alimtalk_max_chars,
        MessageKind.FRIENDTALK_TEXT: limits.friendtalk_text_max_chars,
        MessageKind.FRIENDTALK_IMAGE: limits.friendtalk_image_max_chars,
    }[MessageKind(kind)]
    # AlimTalk counts the button names with the text (003 별표2-나: 1,000자, 버튼명 포함).
    size = len(text) + (sum(len(n) for n in names) if kind == MessageKind.ALIMTALK else 0)
    if size > limit:
        raise DomainError(
            "message_too_long",
            _("{kind}는 {limit}자까지 보낼 수 있습니다 (현재 {size}자)."),
            field="text",
            rule="MSG-2",
            kind=str(MessageKind(kind).label),
            limit=limit,
            size=size,
        )
    return size
