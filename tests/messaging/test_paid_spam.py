# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Spam rules: "(광고)", sender name, 080 opt-out, consent, night window, opt-out list (MSG-7)."""

from __future__ import annotations

import datetime as dt

import pytest

from core import clock
from core.errors import DomainError
from messaging.models import Message
from messaging.services import sending, spam
from messaging.services.spam import Advert, advert_fallback_text, in_window

from .test_paid_support import MOBILE, NOW, SENDER, fake, kgmsg_limits, paid_customer, sms_sender  # noqa: F401

LIMITS = kgmsg_limits()
AD = Advert(sender_name="한빛상사", opt_out_number="080-123-4567")
AD_TEXT = "(광고)한빛상사 가을 세일 30%\n[무료 수신거부]080-123-4567"
NIGHT = dt.datetime(2026, 11, 10, 22, 30, tzinfo=clock.SEOUL)


def _ad(customer, **kwargs):  # type: ignore[no-untyped-def]
    fields = {
        "kind": "text",
        "recipient": MOBILE,
        "sender": SENDER,
        "text": AD_TEXT,
        "now": NOW,
        "advert": AD,
    }
    return sending.message_send(customer=customer, limits=LIMITS, **{**fields, **kwargs})


def _refused(customer, **kwargs) -> DomainError:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as exc:
        _ad(customer, **kwargs)
    return exc.value


@pytest.mark.django_db
def test_advert_form_prefix_sender_name_and_080(paid_customer, sms_sender, fake):
    """MSG-7: an advert starts with "(광고)", names the sender and carries the free 080 opt-out number."""
    spam.recipient_update(customer=paid_customer, number=MOBILE, now=NOW, ad_consent=True)
    cases = [
        ("한빛상사 가을 세일 [무료 수신거부]080-123-4567", "advert_prefix_missing"),
        ("(광고)가을 세일 [무료 수신거부]080-123-4567", "advert_sender_name_missing"),
        ("(광고)한빛상사 가을 세일", "advert_opt_out_missing"),
    ]
    for text, code in cases:
        error = _refused(paid_customer, text=text)
        assert (error.code, error.field, error.rule) == (code, "text", "MSG-7")
    error = _refused(paid_customer, advert=Advert(sender_name="한빛상사", opt_out_number="02-123-4567"))
    assert error.code == "advert_opt_out_not_free"
    assert not Message.objects.exists()
    assert _ad(paid_customer).purpose == "advert"


@pytest.mark.django_db
def test_advert_only_with_consent(paid_customer, sms_sender, fake):
    """MSG-7: adverts go only to recipients who consented."""
    error = _refused(paid_customer)
    assert (error.code, error.field, error.rule) == ("recipient_no_ad_consent", "recipient", "MSG-7")
    spam.recipient_update(customer=paid_customer, number=MOBILE, now=NOW, ad_consent=True)
    assert _ad(paid_customer).status == Message.Status.QUEUED


@pytest.mark.django_db
def test_night_window_needs_separate_consent(paid_customer, sms_sender, fake):
    """MSG-7: no adverts 21:00–08:00 (policy parameters) without separate night consent."""
    spam.recipient_update(customer=paid_customer, number=MOBILE, now=NOW, ad_consent=True)
    error = _refused(paid_customer, now=NIGHT)
    assert (error.code, error.rule) == ("advert_night_window", "MSG-7")
    assert _refused(paid_customer, now=dt.datetime(2026, 11, 11, 7, 59, tzinfo=clock.SEOUL)).code == (
        "advert_night_window"
    )
    assert _ad(paid_customer, now=dt.datetime(2026, 11, 11, 8, 0, tzinfo=clock.SEOUL)).pk
    # the window is the policy's: an operator that starts it at 22:00 may send at 21:30
    later = kgmsg_limits(ad_night_start=dt.time(22, 0))
    at_2130 = dt.datetime(2026, 11, 10, 21, 30, tzinfo=clock.SEOUL)
    assert sending.message_send(
        customer=paid_customer,
        limits=later,
        kind="text",
        recipient=MOBILE,
        sender=SENDER,
        text=AD_TEXT,
        now=at_2130,
        advert=AD,
    ).pk
    spam.recipient_update(customer=paid_customer, number=MOBILE, now=NOW, night_consent=True)
    assert _ad(paid_customer, now=NIGHT).pk
    # information messages are not adverts: the night window does not apply
    assert sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="text",
        recipient="010-2000-0009",
        sender=SENDER,
        text="주문하신 상품이 발송되었습니다.",
        now=NIGHT,
    ).pk


@pytest.mark.django_db
def test_opt_out_list_honoured_on_every_send(paid_customer, sms_sender, fake):
    """MSG-7: a number on the opt-out list receives nothing, advert or not."""
    spam.recipient_update(customer=paid_customer, number=MOBILE, now=NOW, ad_consent=True)
    spam.opt_out(customer=paid_customer, number="+82 10-2000-0001", now=NOW)
    assert _refused(paid_customer).code == "recipient_opted_out"
    with pytest.raises(DomainError) as exc:
        sending.message_send(
            customer=paid_customer,
            limits=LIMITS,
            kind="text",
            recipient=MOBILE,
            sender=SENDER,
            text="안내 문자",
            now=NOW,
        )
    assert (exc.value.code, exc.value.field, exc.value.rule) == ("recipient_opted_out", "recipient", "MSG-7")


@pytest.mark.django_db
def test_friendtalk_hours_and_friends_only(paid_customer, fake):
    """MSG-7, MSG-2: FriendTalk is not sent 20:50–08:00 and goes only to users who befriended the channel."""
    ft = {"kind": "friendtalk_text", "recipient": MOBILE, "sender": "@hanbit", "text": "새 소식이 있어요"}
    with pytest.raises(DomainError) as exc:
        sending.message_send(
            customer=paid_customer,
            limits=LIMITS,
            now=dt.datetime(2026, 11, 10, 20, 50, tzinfo=clock.SEOUL),
            **ft,
        )
    assert (exc.value.code, exc.value.rule) == ("friendtalk_blocked_hours", "MSG-7")
    with pytest.raises(DomainError) as exc:
        sending.message_send(customer=paid_customer, limits=LIMITS, now=NOW, **ft)
    assert exc.value.code == "recipient_not_friend"
    spam.recipient_update(customer=paid_customer, number=MOBILE, now=NOW, kakao_friend=True)
    assert sending.message_send(customer=paid_customer, limits=LIMITS, now=NOW, **ft).pk


def test_windows_cross_midnight_and_fallback_form():
    """MSG-7: the 21:00–08:00 window wraps midnight; an advert fallback reads (광고)text[무료 수신거부]080…"""
    start, end = dt.time(21, 0), dt.time(8, 0)
    at = lambda h, m: dt.datetime(2026, 11, 10, h, m, tzinfo=clock.SEOUL)  # noqa: E731
    assert [in_window(at(h, m), start, end) for h, m in [(20, 59), (21, 0), (0, 0), (7, 59), (8, 0)]] == [
        False,
        True,
        True,
        True,
        False,
    ]
    # a UTC moment is read in Asia/Seoul: 12:30 UTC is 21:30 KST
    assert in_window(dt.datetime(2026, 11, 10, 12, 30, tzinfo=dt.UTC), start, end)
    assert (
        advert_fallback_text("(광고)한빛상사 신상품", AD)
        == "(광고)한빛상사 신상품[무료 수신거부]080-123-4567"
    )
