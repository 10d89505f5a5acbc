# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Sending one message, delivery results, fallback and the 48-hour timeout (MSG-2, 3, 6, 8)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from messaging.models import Message, MessageKind
from messaging.providers import FAKE, DeliveryReport
from messaging.providers.fake import FAILED, SILENT, Outcome
from messaging.selectors import delivered_counts
from messaging.services import sending
from messaging.services.results import results_record, results_timeout

from .test_paid_support import (  # noqa: F401 (fixtures)
    MOBILE,
    NOW,
    SENDER,
    fake,
    kgmsg_limits,
    paid_customer,
    run_provider,
    sms_sender,
)

LIMITS = kgmsg_limits()
DAY = NOW.date()


def _send(customer, **kwargs):  # type: ignore[no-untyped-def]
    fields = {
        "kind": "text",
        "recipient": MOBILE,
        "sender": SENDER,
        "text": "안녕하세요",
        "now": NOW,
        **kwargs,
    }
    return sending.message_send(customer=customer, limits=LIMITS, **fields)


@pytest.mark.django_db
def test_text_send_is_queued_and_dispatched_after_commit(
    paid_customer, sms_sender, fake, django_capture_on_commit_callbacks
):
    """MSG-2, MSG-8: a "text" send picks SMS by length, is stored queued and enqueued after commit."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = _send(paid_customer)
    assert len(callbacks) == 1  # the Celery task, enqueued only once the row is committed
    assert (message.kind, message.size, message.status) == (MessageKind.SMS, 10, Message.Status.QUEUED)
    assert message.recipient == "01020000001" and message.sender == "0212345678"
    assert fake.sent == {}  # nothing left the building mid-transaction
    counts = run_provider()
    assert (counts.delivered, counts.failed) == (1, 0)
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED and message.provider == "fake"
    assert message.result_due_at == NOW + dt.timedelta(hours=48)
    assert fake.sent[str(message.pk)].text == "안녕하세요"


@pytest.mark.django_db
def test_idempotency_key_sends_once(paid_customer, sms_sender, fake):
    """MSG-8: the same idempotency key returns the first message; the provider sees it once."""
    first = _send(paid_customer, idempotency_key="order-1")
    again = _send(paid_customer, idempotency_key="order-1", text="다른 내용")
    assert again.pk == first.pk and Message.objects.count() == 1
    run_provider()
    from messaging.services.dispatch import dispatch_messages

    assert dispatch_messages(now=NOW, message_ids=[first.pk], provider=FAKE).sent == 0  # no longer queued
    assert len(fake.sent) == 1


@pytest.mark.django_db
def test_bad_input_refused_before_sending(paid_customer, sms_sender, fake):
    """MSG-2: malformed phone numbers, over-length and unencodable text are refused naming the field."""
    cases = [
        ({"recipient": "010-123"}, "invalid_phone_number", "recipient"),
        ({"recipient": "02-123-4567"}, "invalid_phone_number", "recipient"),  # not a mobile
        ({"text": "가" * 1001}, "message_too_long", "text"),
        ({"text": "반가워요 👋"}, "message_unencodable", "text"),
        ({"kind": "sms", "text": "가" * 41}, "message_too_long", "text"),
    ]
    for kwargs, code, field in cases:
        with pytest.raises(DomainError) as exc:
            _send(paid_customer, **kwargs)
        assert (exc.value.code, exc.value.field) == (code, field), kwargs
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_result_arriving_twice_counted_once(paid_customer, sms_sender, fake):
    """MSG-6: a delivery result reported twice changes nothing the second time and is billed once."""
    message = _send(paid_customer)
    first = run_provider()
    message.refresh_from_db()
    report = DeliveryReport("fake", message.provider_message_id, True, "", NOW)
    second = results_record(reports=[report, report], now=NOW)
    assert (first.delivered, second.delivered, second.ignored) == (1, 0, 2)
    late_failure = results_record(
        reports=[DeliveryReport("fake", message.provider_message_id, False, "x")], now=NOW
    )
    assert late_failure.failed == 0
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert delivered_counts(customer_id=paid_customer.pk, start=DAY, end=DAY) == {"sms": 1}


@pytest.mark.django_db
def test_no_result_for_48_hours_is_failed_and_not_billed(paid_customer, sms_sender, fake):
    """MSG-6 (003 art.5-3): a message with no result 48 hours after sending is failed and never billed."""
    fake.script("01020000001", Outcome(SILENT))
    message = _send(paid_customer)
    run_provider()
    assert results_timeout(now=NOW + dt.timedelta(hours=47, minutes=59)) == 0
    assert results_timeout(now=NOW + dt.timedelta(hours=48)) == 1
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and "003" in message.failure_reason
    assert results_timeout(now=NOW + dt.timedelta(hours=49)) == 0  # the job may run again
    # a result that turns up after the deadline does not revive it
    results_record(reports=[DeliveryReport("fake", message.provider_message_id, True)], now=NOW)
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED
    assert delivered_counts(customer_id=paid_customer.pk, start=DAY, end=DAY) == {}


@pytest.mark.django_db
def test_failed_result_carries_the_carrier_reason(paid_customer, sms_sender, fake):
    """MSG-6: each message ends delivered or failed with the carrier's reason."""
    fake.script("01020000001", Outcome(FAILED, "결번"))
    message = _send(paid_customer)
    assert run_provider().failed == 1
    message.refresh_from_db()
    assert (message.status, message.failure_reason) == (Message.Status.FAILED, "결번")
