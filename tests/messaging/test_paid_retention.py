# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Message records purged after the retention period; recipients' data destroyed at contract end (MSG-9)."""

from __future__ import annotations

import datetime as dt

import pytest

from messaging.models import KakaoTemplate, Message, MessageKind, Recipient
from messaging.providers.fake import FAILED, SILENT, Outcome
from messaging.services import sending, spam, templates_kakao
from messaging.services.retention import messages_purge, recipients_erase

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


def _approved_template(customer) -> KakaoTemplate:  # type: ignore[no-untyped-def]
    template = templates_kakao.template_register(
        customer=customer, sender_profile="@hanbit", code="t", name="t", body="안내: #{x}", limits=LIMITS
    )
    template = templates_kakao.template_submit(template=template, now=NOW)
    return templates_kakao.template_review(template=template, approved=True, now=NOW)


@pytest.mark.django_db
def test_purge_after_retention_keeps_pending_and_handles_fallbacks(paid_customer, sms_sender, fake):
    """MSG-9 (003 art.5-6): records older than the cut-off are deleted, fallbacks with their originals;
    a message still waiting for its result is kept; running it again deletes nothing."""
    template = _approved_template(paid_customer)
    fake.script_kind(MessageKind.ALIMTALK, Outcome(FAILED, "미가입"))
    fake.script(mobile(3), Outcome(SILENT))
    sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="alimtalk",
        recipient=mobile(1),
        template=template,
        variables={"x": "1"},
        fallback_sender=SENDER,
        now=NOW,
    )
    sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="text",
        recipient=mobile(2),
        sender=SENDER,
        text="안녕",
        now=NOW,
    )
    sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="text",
        recipient=mobile(3),
        sender=SENDER,
        text="대기",
        now=NOW,
    )
    run_provider()
    run_provider()  # the fallback SMS
    assert Message.objects.count() == 4
    assert messages_purge(customer_id=paid_customer.pk, before=NOW - dt.timedelta(days=1)) == 0
    assert (
        messages_purge(customer_id=paid_customer.pk, before=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        == 3
    )
    assert list(Message.objects.values_list("recipient", "status")) == [(mobile(3), "sent")]
    assert (
        messages_purge(customer_id=paid_customer.pk, before=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        == 0
    )


@pytest.mark.django_db
def test_recipients_erased_when_the_contract_ends(paid_customer, sms_sender, fake):
    """MSG-9 (003 art.10-2): numbers, consents and opt-outs are destroyed; the records stay, numberless."""
    spam.recipient_update(customer=paid_customer, number=mobile(1), now=NOW, ad_consent=True)
    sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="text",
        recipient=mobile(1),
        sender=SENDER,
        text="안녕",
        now=NOW,
    )
    assert recipients_erase(customer_id=paid_customer.pk) == 1
    assert list(Message.objects.values_list("recipient", flat=True)) == [""]
    assert not Recipient.objects.exists()
    assert recipients_erase(customer_id=paid_customer.pk) == 0
