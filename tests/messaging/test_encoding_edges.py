"""MSG-2 sizes at their limits (mutation testing of messaging/services/encoding.py, docs/testing.md): kgmsg's
numbers — SMS 80 bytes, LMS 2,000 bytes with a 40-byte subject, AlimTalk 1,000 characters (button names
included), FriendTalk 1,000 (text) and 400 (image), 5 buttons named 1–14 characters. Byte counts are
worked out by hand: Hangul 2 bytes, ASCII 1."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from messaging.models import MessageKind
from messaging.services.encoding import check_kakao_size, check_text_size, cp949_bytes, text_kind, unencodable

from .test_paid_support import kgmsg_limits

LIMITS = kgmsg_limits()


def _refusal(call, *args, **kw):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        call(*args, **kw)
    return (err.value.code, err.value.field, err.value.rule, err.value.message_ko)


def test_unencodable_characters_are_named_once_each_in_order():
    """MSG-2: each character CP949 cannot encode is named once, in order, with its code point and Unicode
    name ('?' when it has none); the field and rule are the caller's."""
    assert unencodable("é😀é") == ["é", "😀"]
    assert unencodable("안녕 abc €") == []
    assert _refusal(cp949_bytes, "a😀b😀\ue000", field="subject", rule="MSG-3") == (
        "message_unencodable",
        "subject",
        "MSG-3",
        "MSG-3: 문자(SMS/LMS)로 보낼 수 없는 문자가 있습니다: "
        "'😀' (U+1F600 GRINNING FACE), '\ue000' (U+E000 ?)",
    )
    assert _refusal(cp949_bytes, "é")[1:3] == ("text", "MSG-2")


def test_text_kind_at_each_limit():
    """MSG-2: 80 bytes is still SMS; 2,000 bytes is still LMS; 2,001 is refused naming the limit and the
    size; a subject of exactly 40 bytes is accepted, 41 refused."""
    assert text_kind("a" * 80, LIMITS) == (MessageKind.SMS, 80)
    assert text_kind("a" * 81, LIMITS) == (MessageKind.LMS, 81)
    assert text_kind("a" * 2000, LIMITS) == (MessageKind.LMS, 2000)
    assert _refusal(text_kind, "a" * 2001, LIMITS) == (
        "message_too_long",
        "text",
        "MSG-2",
        "MSG-2: 문자는 2,000바이트까지 보낼 수 있습니다 (현재 2,001바이트).",
    )
    assert text_kind("본문", LIMITS, subject="가" * 20) == (MessageKind.LMS, 4)
    assert _refusal(text_kind, "본문", LIMITS, subject="가" * 20 + "a") == (
        "message_subject_too_long",
        "subject",
        "MSG-2",
        "MSG-2: LMS 제목은 40바이트까지입니다 (현재 41바이트).",
    )


def test_text_kind_passes_the_callers_field_and_rule_on():
    """MSG-3 (fallback): refusals of a fallback text name the fallback's field and MSG-3."""
    kw = {"field": "fallback_text", "rule": "MSG-3"}
    assert _refusal(text_kind, "a" * 2001, LIMITS, **kw)[1:3] == ("fallback_text", "MSG-3")
    assert _refusal(text_kind, "😀", LIMITS, **kw)[1:3] == ("fallback_text", "MSG-3")
    assert _refusal(text_kind, "본문", LIMITS, subject="😀", **kw)[1:3] == ("subject", "MSG-3")
    assert _refusal(text_kind, "본문", LIMITS, subject="가" * 21, **kw)[1:3] == ("subject", "MSG-3")
    assert _refusal(text_kind, "  ", LIMITS, **kw) == (
        "message_empty",
        "fallback_text",
        "MSG-3",
        "MSG-3: 보낼 내용을 입력해 주세요.",
    )


def test_explicit_sms_and_lms_sizes():
    """MSG-2: an explicit SMS may be 80 bytes and has no subject; an LMS may be 2,000 bytes with a 40-byte
    subject; each refusal names the type, the limit and the size."""
    assert check_text_size(MessageKind.SMS, "가" * 40, LIMITS) == 80
    assert _refusal(check_text_size, MessageKind.SMS, "가" * 40 + "a", LIMITS) == (
        "message_too_long",
        "text",
        "MSG-2",
        "MSG-2: SMS는 80바이트까지 보낼 수 있습니다 (현재 81바이트).",
    )
    assert _refusal(check_text_size, MessageKind.SMS, "본문", LIMITS, subject="제목") == (
        "message_sms_subject",
        "subject",
        "MSG-2",
        "MSG-2: SMS에는 제목을 쓸 수 없습니다. LMS로 보내 주세요.",
    )
    assert check_text_size(MessageKind.LMS, "가" * 1000, LIMITS, subject="가" * 20) == 2000
    assert check_text_size(MessageKind.LMS, "a", LIMITS) == 1
    assert _refusal(check_text_size, MessageKind.LMS, "가" * 1000 + "a", LIMITS) == (
        "message_too_long",
        "text",
        "MSG-2",
        "MSG-2: LMS는 2,000바이트까지 보낼 수 있습니다 (현재 2,001바이트).",
    )
    assert _refusal(check_text_size, MessageKind.LMS, "본문", LIMITS, subject="가" * 20 + "a") == (
        "message_subject_too_long",
        "subject",
        "MSG-2",
        "MSG-2: LMS 제목은 40바이트까지입니다 (현재 41바이트).",
    )
    assert _refusal(check_text_size, MessageKind.LMS, "본문", LIMITS, subject="😀")[0:3] == (
        "message_unencodable",
        "subject",
        "MSG-2",
    )
    for kind in (MessageKind.SMS, MessageKind.LMS):
        assert _refusal(check_text_size, kind, " \n", LIMITS) == (
            "message_empty",
            "text",
            "MSG-2",
            "MSG-2: 보낼 내용을 입력해 주세요.",
        )


def test_kakao_limits_at_their_edges():
    """MSG-2: 5 buttons and a 14-character name are accepted; 6 buttons, a blank or 15-character name, or
    an empty text are refused naming the limit; FriendTalk does not count button names."""
    five = [{"name": "가" * 14} for _ in range(5)]
    assert check_kakao_size(MessageKind.ALIMTALK, "가" * 930, five, LIMITS) == 1000  # 930 + 5 × 14
    assert _refusal(check_kakao_size, MessageKind.ALIMTALK, "가" * 931, five, LIMITS) == (
        "message_too_long",
        "text",
        "MSG-2",
        "MSG-2: 알림톡는 1,000자까지 보낼 수 있습니다 (현재 1,001자).",
    )
    assert check_kakao_size(MessageKind.FRIENDTALK_TEXT, "가" * 1000, five, LIMITS) == 1000
    assert check_kakao_size(MessageKind.FRIENDTALK_IMAGE, "가" * 400, five, LIMITS) == 400
    assert _refusal(check_kakao_size, MessageKind.FRIENDTALK_IMAGE, "가" * 401, [], LIMITS) == (
        "message_too_long",
        "text",
        "MSG-2",
        "MSG-2: 친구톡(이미지)는 400자까지 보낼 수 있습니다 (현재 401자).",
    )
    assert _refusal(check_kakao_size, MessageKind.ALIMTALK, "본문", [*five, {"name": "a"}], LIMITS) == (
        "message_too_many_buttons",
        "buttons",
        "MSG-2",
        "MSG-2: 버튼은 5개까지입니다 (현재 6개).",
    )
    assert _refusal(check_kakao_size, MessageKind.ALIMTALK, "본문", [{"name": "가" * 15}], LIMITS) == (
        "message_button_name",
        "buttons",
        "MSG-2",
        f"MSG-2: 버튼명은 1~14자여야 합니다: '{'가' * 15}'",
    )
    assert _refusal(check_kakao_size, MessageKind.ALIMTALK, "본문", [{"url": "https://x"}], LIMITS)[0] == (
        "message_button_name"
    )
    assert _refusal(check_kakao_size, MessageKind.ALIMTALK, "본문", [{"name": " "}], LIMITS)[0] == (
        "message_button_name"
    )
    assert _refusal(check_kakao_size, MessageKind.FRIENDTALK_TEXT, "  ", [], LIMITS) == (
        "message_empty",
        "text",
        "MSG-2",
        "MSG-2: 보낼 내용을 입력해 주세요.",
    )


def test_a_policy_that_allows_no_subject_still_sends_lms_without_one():
    """MSG-2: the subject limit applies to the subject only. With a special term allowing 0 subject bytes,
    an LMS with no subject is sent (100 bytes, no subject: 0 bytes is within 0), for a size-picked text
    and an explicit LMS alike; any subject is refused naming the 0-byte limit."""
    no_subject = kgmsg_limits(lms_subject_max_bytes=0)
    assert text_kind("a" * 100, no_subject) == (MessageKind.LMS, 100)
    assert check_text_size(MessageKind.LMS, "a" * 100, no_subject) == 100
    assert _refusal(text_kind, "본문", no_subject, subject="a")[0:3] == (
        "message_subject_too_long",
        "subject",
        "MSG-2",
    )
    assert _refusal(check_text_size, MessageKind.LMS, "본문", no_subject, subject="a")[0] == (
        "message_subject_too_long"
    )
