# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Bulk sends: per-recipient refusals, idempotency, 10,000 recipients with exact counts (MSG-2, 7, 8)."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from messaging.models import Message, MessageBatch
from messaging.providers.fake import FAILED, Outcome
from messaging.selectors import batch_counts, delivered_counts
from messaging.services import sending, spam
from messaging.services.sending import BulkRecipient

from .test_paid_support import (  # noqa: F401
    NOW,
    SENDER,
    fake,
    kgmsg_limits,
    mobile,
    paid_customer,
    run_provider,
    sms_sender,
)

LIMITS = kgmsg_limits()
DAY = NOW.date()


@pytest.mark.django_db
def test_bulk_reports_per_recipient_and_never_half_sends(paid_customer, sms_sender, fake):
    """MSG-2, MSG-7: a bulk send queues every valid recipient and records every other one with its reason."""
    spam.opt_out(customer=paid_customer, number=mobile(3), now=NOW)
    recipients = [mobile(1), "010-12", mobile(2), mobile(1), mobile(3), "02-555-1234", mobile(4)]
    batch = sending.bulk_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="text",
        recipients=recipients,
        sender=SENDER,
        text="정기 점검 안내입니다.",
        now=NOW,
        idempotency_key="notice-7",
    )
    assert (batch.total, batch.accepted, batch.refused) == (7, 3, 4)
    assert [(r["recipient"], r["code"], r["rule"]) for r in batch.refusals] == [
        ("010-12", "invalid_phone_number", "MSG-2"),
        (mobile(1), "recipient_duplicate", "MSG-2"),
        ("02-555-1234", "invalid_phone_number", "MSG-2"),
        (mobile(3), "recipient_opted_out", "MSG-7"),
    ]
    assert sorted(batch.messages.values_list("recipient", flat=True)) == [mobile(1), mobile(2), mobile(4)]
    again = sending.bulk_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="text",
        recipients=recipients,
        sender=SENDER,
        text="정기 점검 안내입니다.",
        now=NOW,
        idempotency_key="notice-7",
    )
    assert again.pk == batch.pk and Message.objects.count() == 3


@pytest.mark.django_db
def test_shared_problem_refuses_the_whole_batch_before_writing(paid_customer, sms_sender, fake):
    """MSG-2, MSG-7: a problem all recipients share (text, advert form) refuses the batch, writing nothing."""
    for text, code in [("가" * 1001, "message_too_long"), ("쿠폰 🎁", "message_unencodable")]:
        with pytest.raises(DomainError) as exc:
            sending.bulk_send(
                customer=paid_customer,
                limits=LIMITS,
                kind="text",
                recipients=[mobile(1)],
                sender=SENDER,
                text=text,
                now=NOW,
            )
        assert exc.value.code == code
    with pytest.raises(DomainError) as exc:
        sending.bulk_send(
            customer=paid_customer,
            limits=LIMITS,
            kind="text",
            recipients=[mobile(1)],
            sender=SENDER,
            text="세일",
            now=NOW,
            advert=spam.Advert(sender_name="한빛", opt_out_number="080-123-4567"),
        )
    assert (exc.value.code, exc.value.rule) == ("advert_prefix_missing", "MSG-7")
    assert not MessageBatch.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db
def test_ten_thousand_recipients_through_the_fake_provider(paid_customer, sms_sender, fake):
    """MSG-8, MSG-6: 10,000 recipients go through the fake provider with exact counts: 9,990 delivered,
    7 failed by the carrier, 3 refused (opted out) before sending; only delivered ones count for billing."""
    for n in (10, 20, 30):
        spam.opt_out(customer=paid_customer, number=mobile(n), now=NOW)
    for n in range(100, 107):
        fake.script(mobile(n), Outcome(FAILED, "수신 거부 단말"))
    recipients = [BulkRecipient(mobile(n)) for n in range(10_000)]
    batch = sending.bulk_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="text",
        recipients=recipients,
        sender=SENDER,
        text="[한빛] 시스템 점검 안내: 11/12 02:00~04:00",
        now=NOW,
    )
    assert (batch.total, batch.accepted, batch.refused) == (10_000, 9_997, 3)
    counts = run_provider()
    assert (counts.delivered, counts.failed, counts.ignored) == (9_990, 7, 0)
    assert len(fake.sent) == 9_997
    assert batch_counts(batch.pk) == {
        "queued": 0,
        "sending": 0,
        "sent": 0,
        "delivered": 9_990,
        "failed": 7,
        "refused": 3,
    }
    assert delivered_counts(customer_id=paid_customer.pk, start=DAY, end=DAY) == {"sms": 9_990}
