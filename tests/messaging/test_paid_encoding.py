"""Message sizes: CP949 byte counting, SMS or LMS, Kakao character limits (MSG-2, SPEC §12 item 14)."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from messaging.models import MessageKind
from messaging.services.encoding import check_kakao_size, check_text_size, cp949_bytes, text_kind, unencodable

from .test_paid_support import kgmsg_limits

LIMITS = kgmsg_limits()


def test_worked_example_14_sms_or_lms():
    """MSG-2, SPEC §12 item 14: "안녕하세요" is 10 bytes; 40 Hangul (80 bytes) go as SMS; 41, or 40 plus one
    ASCII letter, as LMS."""
    assert cp949_bytes("안녕하세요") == 10
    assert text_kind("가" * 40, LIMITS) == (MessageKind.SMS, 80)
    assert text_kind("가" * 41, LIMITS) == (MessageKind.LMS, 82)
    assert text_kind("가" * 40 + "a", LIMITS) == (MessageKind.LMS, 81)


def test_cp949_counts_rare_syllables_as_two_bytes():
    """MSG-2: '똠' is 2 bytes in CP949 (Python's euc-kr would say 8); ASCII is 1."""
    assert len("똠".encode("euc-kr")) == 8  # the codec the rule forbids
    assert cp949_bytes("똠") == 2
    assert cp949_bytes("똠방각하 OK") == 11


def test_sms_limit_is_the_policy_parameter():
    """MSG-2: the SMS limit is the policy's sms_max_bytes (80 here; 90 where an operator says so)."""
    wider = kgmsg_limits(sms_max_bytes=90)
    assert text_kind("가" * 45, wider) == (MessageKind.SMS, 90)
    assert text_kind("가" * 45, LIMITS)[0] == MessageKind.LMS


def test_emoji_refused_with_the_characters_named():
    """MSG-2: text CP949 cannot encode is refused for SMS/LMS, naming the offending characters."""
    assert unencodable("안녕 😀 hi 🎉😀") == ["😀", "🎉"]
    with pytest.raises(DomainError) as exc:
        text_kind("할인 행사 😀", LIMITS)
    assert exc.value.code == "message_unencodable"
    assert exc.value.field == "text" and exc.value.rule == "MSG-2"
    assert "😀" in exc.value.message_ko and "U+1F600" in exc.value.message_ko


def test_lms_limits_text_and_subject():
    """MSG-2: LMS up to 2,000 bytes with a subject up to 40 bytes; longer text is refused."""
    assert text_kind("가" * 1000, LIMITS) == (MessageKind.LMS, 2000)
    with pytest.raises(DomainError) as exc:
        text_kind("가" * 1000 + "a", LIMITS)
    assert exc.value.code == "message_too_long" and exc.value.field == "text"
    assert text_kind("짧은 글", LIMITS, subject="제목")[0] == MessageKind.LMS  # a subject means LMS
    with pytest.raises(DomainError) as exc:
        text_kind("본문", LIMITS, subject="가" * 21)
    assert exc.value.field == "subject"
    with pytest.raises(DomainError) as exc:
        check_text_size(MessageKind.SMS, "가" * 41, LIMITS)
    assert exc.value.code == "message_too_long"


def test_kakao_limits():
    """MSG-2: AlimTalk up to 1,000 characters with button names included; at most 5 buttons named up to
    14 characters; FriendTalk image text up to 400 characters."""
    buttons = [{"name": "배송조회", "url": "https://example.com"}]
    assert check_kakao_size(MessageKind.ALIMTALK, "가" * 996, buttons, LIMITS) == 1000
    with pytest.raises(DomainError) as exc:
        check_kakao_size(MessageKind.ALIMTALK, "가" * 997, buttons, LIMITS)
    assert exc.value.code == "message_too_long"
    assert check_kakao_size(MessageKind.FRIENDTALK_TEXT, "가" * 1000, buttons, LIMITS) == 1000
    with pytest.raises(DomainError):
        check_kakao_size(MessageKind.FRIENDTALK_IMAGE, "가" * 401, [], LIMITS)
    with pytest.raises(DomainError) as exc:
        check_kakao_size(MessageKind.ALIMTALK, "본문", [{"name": f"버튼{i}"} for i in range(6)], LIMITS)
    assert exc.value.code == "message_too_many_buttons" and exc.value.field == "buttons"
    with pytest.raises(DomainError) as exc:
        check_kakao_size(MessageKind.ALIMTALK, "본문", [{"name": "가" * 15}], LIMITS)
    assert exc.value.code == "message_button_name"
