"""MSG-7 at its edges (mutation testing of messaging/services/spam.py, docs/testing.md): every refusal's
code, field, rule and Korean message; the windows at their first and last minute; the fallback text; what
``recipient_update`` keeps and clears. Times are Asia/Seoul wall clock."""

from __future__ import annotations

import datetime as dt

import pytest

from core import clock
from core.errors import DomainError
from messaging.models import MessageKind, Recipient
from messaging.services import spam
from messaging.services.spam import (
    Advert,
    advert_fallback_text,
    check_advert_text,
    check_send_window,
    in_window,
)
from tests.factories import CustomerFactory

from .test_paid_support import kgmsg_limits

LIMITS = kgmsg_limits()  # adverts not 21:00–08:00 without night consent; FriendTalk not 20:50–08:00
AD = Advert(sender_name="한빛상사", opt_out_number="080-123-4567")


def at(hour: int, minute: int = 0, day: int = 10) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=clock.SEOUL)


def _refusal(call, *args, **kw):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as err:
        call(*args, **kw)
    return (err.value.code, err.value.field, err.value.rule, err.value.message_ko)


# --------------------------------------------------------------------------- the advert's text


def test_each_missing_part_of_an_advert_is_named():
    """MSG-7 (정보통신망법 제50조④): the prefix "(광고)", the sender's name and the 080 number, each refused
    with its message, in the field the caller names."""
    assert _refusal(check_advert_text, "한빛상사 세일 080-123-4567", AD) == (
        "advert_prefix_missing",
        "text",
        "MSG-7",
        'MSG-7: 광고성 메시지는 "(광고)"로 시작해야 합니다.',
    )
    assert _refusal(check_advert_text, "(광고)세일 080-123-4567", AD, field="fallback_text") == (
        "advert_sender_name_missing",
        "fallback_text",
        "MSG-7",
        "MSG-7: 광고성 메시지에는 보내는 사람의 명칭을 적어야 합니다.",
    )
    assert _refusal(check_advert_text, "(광고)한빛상사 세일", AD) == (
        "advert_opt_out_missing",
        "text",
        "MSG-7",
        "MSG-7: 광고성 메시지에는 무료 수신거부 번호(080-123-4567)를 적어야 합니다.",
    )


def test_the_080_number_counts_in_any_spelling_and_kakao_adverts_need_it_only_in_the_fallback():
    """MSG-7: the number's digits anywhere in the text count ("0801234567" or with dashes and spaces); an
    advert by KakaoTalk (``opt_out_in_text=False``) need not carry it, and the default is to require it;
    a name of spaces only is no name."""
    check_advert_text("(광고)한빛상사 세일 수신거부 080 123 4567", AD)
    check_advert_text("(광고)한빛상사 세일 0801234567", AD)
    check_advert_text("(광고)한빛상사 세일", AD, opt_out_in_text=False)
    with pytest.raises(DomainError):
        check_advert_text("(광고)한빛상사 세일", AD)
    blank = Advert(sender_name="   ", opt_out_number="080-123-4567")
    assert _refusal(check_advert_text, "(광고)    세일 0801234567", blank)[0] == "advert_sender_name_missing"
    spaced = Advert(sender_name=" 한빛상사 ", opt_out_number="080-123-4567")
    check_advert_text("(광고)한빛상사 세일 0801234567", spaced)


def test_the_opt_out_number_must_be_a_free_080_number():
    """MSG-7: a 02 number is refused naming the number as given, in the field ``opt_out_number``; an
    invalid one names the same field and rule."""
    paid = Advert(sender_name="한빛상사", opt_out_number="02-123-4567")
    assert _refusal(check_advert_text, "(광고)한빛상사 세일 021234567", paid) == (
        "advert_opt_out_not_free",
        "opt_out_number",
        "MSG-7",
        "MSG-7: 수신거부 번호는 무료(080) 번호여야 합니다: 02-123-4567",
    )
    broken = Advert(sender_name="한빛상사", opt_out_number="12")
    assert _refusal(spam.opt_out_digits, broken)[0:3] == ("invalid_phone_number", "opt_out_number", "MSG-7")
    assert spam.opt_out_digits(AD) == "0801234567"


def test_the_fallback_text_gets_the_opt_out_once():
    """MSG-7: a Kakao advert's fallback SMS reads "(광고)…[무료 수신거부]080-123-4567"; the prefix is not
    doubled, and a text that already ends with that tail does not get it twice."""
    assert advert_fallback_text("한빛상사 세일", AD) == "(광고)한빛상사 세일[무료 수신거부]080-123-4567"
    assert advert_fallback_text("(광고)한빛상사 세일", AD) == "(광고)한빛상사 세일[무료 수신거부]080-123-4567"
    done = "(광고)한빛상사 세일[무료 수신거부]080-123-4567"
    assert advert_fallback_text(done, AD) == done
    assert spam.format_080("0801234567") == "080-123-4567"
    assert spam.format_080("08012345678") == "080-1234-5678"


# --------------------------------------------------------------------------- windows


def test_a_window_within_one_day_includes_its_start_and_not_its_end():
    """MSG-7: a window of 12:00–13:00 holds 12:00 and 12:59, not 11:59 or 13:00."""
    start, end = dt.time(12, 0), dt.time(13, 0)
    assert [in_window(at(h, m), start, end) for h, m in [(11, 59), (12, 0), (12, 59), (13, 0)]] == [
        False,
        True,
        True,
        False,
    ]


def test_friendtalk_is_blocked_from_2050_to_0800_and_other_kinds_are_not():
    """MSG-7 (kgmsg): FriendTalk text and image are refused from 20:50 to 07:59, naming the hours; at 20:49
    and 08:00 they go; SMS and AlimTalk are never held by this window."""
    for kind in (MessageKind.FRIENDTALK_TEXT, MessageKind.FRIENDTALK_IMAGE):
        assert _refusal(check_send_window, kind=kind, now=at(20, 50), limits=LIMITS) == (
            "friendtalk_blocked_hours",
            "now",
            "MSG-7",
            "MSG-7: 친구톡은 20:50~08:00에는 보낼 수 없습니다.",
        )
        with pytest.raises(DomainError):
            check_send_window(kind=kind, now=at(7, 59, day=11), limits=LIMITS)
        check_send_window(kind=kind, now=at(20, 49), limits=LIMITS)
        check_send_window(kind=kind, now=at(8, 0, day=11), limits=LIMITS)
    for kind in (MessageKind.SMS, MessageKind.ALIMTALK):
        check_send_window(kind=kind, now=at(23, 0), limits=LIMITS)


# --------------------------------------------------------------------------- recipients


@pytest.mark.django_db
def test_each_recipient_refusal_names_the_number_and_the_rule():
    """MSG-7, MSG-2: per number, in order of precedence — opted out (any send), no advert consent, the
    night window without night consent (its hours named), FriendTalk to a non-friend (MSG-2); numbers
    that may receive are absent, and a number given twice is judged once."""
    customer = CustomerFactory()
    now = at(10)
    spam.recipient_update(customer=customer, number="010-2000-0001", now=now, ad_consent=True, opted_out=True)
    spam.recipient_update(customer=customer, number="010-2000-0002", now=now, ad_consent=True)
    spam.recipient_update(
        customer=customer, number="010-2000-0003", now=now, ad_consent=True, night_consent=True
    )
    spam.recipient_update(customer=customer, number="010-2000-0004", now=now, kakao_friend=True)
    numbers = ["01020000001", "01020000002", "01020000003", "01020000004", "01020000005", "01020000002"]

    def why(**kw):  # type: ignore[no-untyped-def]
        refused = spam.recipient_refusals(customer=customer, numbers=numbers, limits=LIMITS, **kw)
        return {n: (e.code, e.field, e.rule, e.message_ko) for n, e in refused.items()}

    by_day = why(kind=MessageKind.SMS, advert=True, now=at(10))
    assert by_day == {
        "01020000001": (
            "recipient_opted_out",
            "recipient",
            "MSG-7",
            "MSG-7: 수신을 거부한 번호입니다: 01020000001",
        ),
        "01020000004": (
            "recipient_no_ad_consent",
            "recipient",
            "MSG-7",
            "MSG-7: 광고 수신에 동의하지 않은 번호입니다: 01020000004",
        ),
        "01020000005": (
            "recipient_no_ad_consent",
            "recipient",
            "MSG-7",
            "MSG-7: 광고 수신에 동의하지 않은 번호입니다: 01020000005",
        ),
    }
    at_night = why(kind=MessageKind.SMS, advert=True, now=at(22))
    assert at_night["01020000002"] == (
        "advert_night_window",
        "recipient",
        "MSG-7",
        "MSG-7: 야간(21:00~08:00) 광고는 별도 동의한 수신자에게만 보낼 수 있습니다: 01020000002",
    )
    assert "01020000003" not in at_night
    assert set(why(kind=MessageKind.SMS, advert=False, now=at(22))) == {"01020000001"}
    friends = why(kind=MessageKind.FRIENDTALK_TEXT, advert=False, now=at(10))
    assert set(friends) == {"01020000001", "01020000002", "01020000003", "01020000005"}
    assert friends["01020000005"] == (
        "recipient_not_friend",
        "recipient",
        "MSG-2",
        "MSG-2: 카카오톡 채널을 친구로 추가한 사용자에게만 친구톡을 보낼 수 있습니다: 01020000005",
    )
    assert why(kind=MessageKind.FRIENDTALK_IMAGE, advert=False, now=at(10)).keys() == friends.keys()
    assert (
        spam.recipient_refusals(
            customer=customer, numbers=[], kind=MessageKind.SMS, advert=True, now=at(10), limits=LIMITS
        )
        == {}
    )


@pytest.mark.django_db
def test_another_customers_consent_does_not_count():
    """MSG-7: consent is given to one customer (the sender); another customer's recipient list does not
    let this one advertise to the number."""
    mine, theirs = CustomerFactory(), CustomerFactory()
    spam.recipient_update(customer=theirs, number="010-2000-0001", now=at(10), ad_consent=True)
    refused = spam.recipient_refusals(
        customer=mine, numbers=["01020000001"], kind=MessageKind.SMS, advert=True, now=at(10), limits=LIMITS
    )
    assert refused["01020000001"].code == "recipient_no_ad_consent"


@pytest.mark.django_db
def test_an_update_keeps_the_first_consent_time_clears_on_no_and_leaves_the_rest():
    """MSG-7: consenting again keeps the first time of consent; ``False`` clears it; ``None`` leaves each
    value as it was; the number is stored as national digits."""
    customer = CustomerFactory()
    first = spam.recipient_update(
        customer=customer, number="+82 10-2000-0001", now=at(10), ad_consent=True, night_consent=True
    )
    assert (first.number, first.ad_consent_at, first.night_consent_at, first.opted_out_at) == (
        "01020000001",
        at(10),
        at(10),
        None,
    )
    again = spam.recipient_update(customer=customer, number="01020000001", now=at(11), ad_consent=True)
    assert (again.ad_consent_at, again.night_consent_at) == (at(10), at(10))
    cleared = spam.recipient_update(customer=customer, number="01020000001", now=at(12), night_consent=False)
    assert (cleared.ad_consent_at, cleared.night_consent_at, cleared.kakao_friend) == (at(10), None, False)
    friend = spam.recipient_update(customer=customer, number="01020000001", now=at(13), kakao_friend=True)
    assert friend.kakao_friend is True
    assert spam.recipient_update(customer=customer, number="01020000001", now=at(14)).kakao_friend is True
    out = spam.opt_out(customer=customer, number="010-2000-0001", now=at(15))
    assert (out.opted_out_at, out.ad_consent_at) == (at(15), at(10))
    assert Recipient.objects.filter(customer=customer).count() == 1
    with pytest.raises(DomainError) as err:
        spam.recipient_update(customer=customer, number="12", now=at(16), ad_consent=True)
    assert (err.value.field, err.value.rule) == ("number", "MSG-7")


def test_a_window_that_starts_where_it_ends_is_empty():
    """MSG-7: a policy that sets the night window to 00:00–00:00 (or any start equal to its end) has no
    night window: no moment of the day is in it."""
    for start in (dt.time(0, 0), dt.time(21, 0)):
        assert not any(in_window(at(h, m), start, start) for h in range(24) for m in (0, 30))
