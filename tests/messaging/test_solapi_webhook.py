# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Solapi's delivery-report webhook (issue 18, MSG-6, MSG-3): verified by its shared secret, each event
recorded once, into the same result handling as a poll of the fake provider."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging

import pytest
import respx
from django.db import IntegrityError, transaction

from core.models import ProviderCall
from messaging.models import Message, MessageKind, ReceivedReport
from messaging.providers import get_provider
from messaging.services import sending, templates_kakao
from messaging.services.dispatch import dispatch_messages

from .solapi_support import API_SECRET, BASE_URL, PFID, WEBHOOK_SECRET, configure, recording, reply
from .test_paid_support import NOW, SENDER, kgmsg_limits, paid_customer, sms_sender  # noqa: F401

URL = "/api/v1/webhooks/solapi/"
LIMITS = kgmsg_limits()


def _post(client, body, *, secret: str | None = WEBHOOK_SECRET, event: str = "SINGLE-REPORT"):  # type: ignore[no-untyped-def]
    headers = {"X-Solapi-Event-Name": event}
    if secret is not None:
        headers["X-Solapi-Secret"] = secret
    data = body if isinstance(body, (str, bytes)) else json.dumps(body, ensure_ascii=False)
    return client.post(URL, data=data, content_type="application/json", headers=headers)


def _sent_sms(customer) -> Message:  # type: ignore[no-untyped-def]
    """One SMS handed to Solapi (the recorded answer gives it its Solapi id)."""
    message = sending.message_send(
        customer=customer,
        limits=LIMITS,
        kind="text",
        recipient="010-2000-0000",
        sender=SENDER,
        text="안내",
        now=NOW,
    )
    with respx.mock(base_url=BASE_URL) as router:
        router.post("/messages/v4/send-many/detail").mock(
            return_value=reply("send_success", ref0=str(message.pk), ref1="none")
        )
        dispatch_messages(now=NOW, message_ids=[message.pk], provider=get_provider())
    message.refresh_from_db()
    assert (message.status, message.provider) == ("sent", "solapi")
    return message


def _report(message: Message, index: int = 0) -> list[dict]:
    body = recording("webhook_single_report", mid0=message.provider_message_id, ref0=str(message.pk))["body"]
    return [body[index]]


@pytest.mark.django_db
def test_a_delivered_report_is_recorded_once_and_a_replay_changes_nothing(
    client, settings, paid_customer, sms_sender
):
    """MSG-6: the webhook's report marks the message delivered (billed once); Solapi's retry of the same
    event, or a replay, is answered 200 and changes nothing (``ReceivedReport``'s unique event id)."""
    configure(settings)
    message = _sent_sms(paid_customer)
    first = _post(client, _report(message))
    assert first.status_code == 200 and first.json() == {"received": 1, "recorded": 1, "replayed": 0}
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    result_at = message.result_at
    again = _post(client, _report(message))
    assert again.status_code == 200 and again.json() == {"received": 1, "recorded": 0, "replayed": 1}
    message.refresh_from_db()
    assert (message.status, message.result_at) == (Message.Status.DELIVERED, result_at)
    assert ReceivedReport.objects.count() == 1
    outcomes = list(
        ProviderCall.objects.filter(operation="webhook").order_by("id").values_list("outcome", "http_status")
    )
    assert outcomes == [("ok", 200), ("duplicate", 200)]


@pytest.mark.django_db
def test_the_same_event_cannot_be_stored_twice():
    """MSG-6: the database refuses a second row for one provider event, whoever races to write it."""
    ReceivedReport.objects.create(provider="solapi", event_id="ED-1", received_at=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReceivedReport.objects.create(provider="solapi", event_id="ED-1", received_at=NOW)


@pytest.mark.django_db
@pytest.mark.parametrize("secret", [None, "", "wrong-secret", WEBHOOK_SECRET.upper()])
def test_a_wrong_or_missing_secret_is_refused_and_changes_nothing(
    client, settings, paid_customer, sms_sender, secret
):
    """Issue 18: without Solapi's shared secret the report is refused (401), recorded as ``rejected``, and
    the message keeps waiting for its result."""
    configure(settings)
    message = _sent_sms(paid_customer)
    answer = _post(client, _report(message), secret=secret)
    assert answer.status_code == 401 and "detail" in answer.json()
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and not ReceivedReport.objects.exists()
    call = ProviderCall.objects.get(operation="webhook")
    assert (call.outcome, call.http_status) == ("rejected", 401)


@pytest.mark.django_db
def test_nothing_is_accepted_while_the_secret_is_not_configured(client, settings, paid_customer, sms_sender):
    """Issue 18: an unset SOLAPI_WEBHOOK_SECRET accepts no report at all (an empty header does not match)."""
    configure(settings)
    message = _sent_sms(paid_customer)
    configure(settings, SOLAPI_WEBHOOK_SECRET="")
    assert _post(client, _report(message), secret="").status_code == 401


@pytest.mark.django_db
def test_the_flat_shape_and_the_hashed_secret_are_accepted(client, settings, paid_customer, sms_sender):
    """MSG-6: Solapi's example payload (the messages themselves, no event envelope) and the secret's
    SHA-1 digest in the header are accepted; the event is named by message, status and time."""
    configure(settings)
    message = _sent_sms(paid_customer)
    body = recording("webhook_flat", mid0=message.provider_message_id, ref0=str(message.pk))["body"]
    digest = hashlib.sha1(WEBHOOK_SECRET.encode(), usedforsecurity=False).hexdigest()
    assert _post(client, body, secret=digest).json() == {"received": 1, "recorded": 1, "replayed": 0}
    assert _post(client, body).json()["replayed"] == 1
    message.refresh_from_db()
    assert message.status == Message.Status.DELIVERED
    assert (
        ReceivedReport.objects.get().event_id
        == f"{message.provider_message_id}:4000:2026-11-10T05:00:08.000Z"
    )


@pytest.mark.django_db
def test_other_events_and_unreadable_bodies(client, settings, paid_customer, sms_sender):
    """Issue 18: a group report is acknowledged and ignored (the single reports carry each result); a body
    that is not a JSON array of reports is refused (400) and changes nothing."""
    configure(settings)
    message = _sent_sms(paid_customer)
    assert _post(client, _report(message), event="GROUP-REPORT").json()["received"] == 0
    assert _post(client, "not json").status_code == 400
    assert _post(client, {"unexpected": True}).json() == {"received": 0, "recorded": 0, "replayed": 0}
    message.refresh_from_db()
    assert message.status == Message.Status.SENT
    assert client.get(URL).status_code == 405


@pytest.mark.django_db
def test_a_failed_alimtalk_reported_by_webhook_falls_back_to_sms_through_solapi(
    client, settings, paid_customer, sms_sender
):
    """MSG-3, MSG-6: an AlimTalk Solapi reports failed (with Kakao's reason) starts the same fallback as
    with the fake provider: an SMS of its own, sent through Solapi as SMS."""
    configure(settings)
    template = templates_kakao.template_register(
        customer=paid_customer,
        sender_profile=PFID,
        code="KA01TP261110000000000APPROVED1",
        name="결제",
        limits=LIMITS,
        body="#{name}님, 결제가 완료되었습니다.",
    )
    template = templates_kakao.template_submit(template=template, now=NOW)
    template = templates_kakao.template_review(template=template, approved=True, now=NOW)
    original = sending.message_send(
        customer=paid_customer,
        limits=LIMITS,
        kind="alimtalk",
        recipient="010-2000-0001",
        template=template,
        variables={"name": "홍길동"},
        fallback_sender=SENDER,
        now=NOW,
    )
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post("/messages/v4/send-many/detail").mock(
            return_value=reply("send_success", ref0=str(original.pk), ref1="none")
        )
        dispatch_messages(now=NOW, message_ids=[original.pk], provider=get_provider())
    [ata] = json.loads(route.calls.last.request.content)["messages"]
    assert ata["kakaoOptions"]["templateId"] == "KA01TP261110000000000APPROVED1"
    original.refresh_from_db()
    body = recording("webhook_single_report", mid1=original.provider_message_id, ref1=str(original.pk))[
        "body"
    ]
    assert _post(client, [body[1]]).json()["recorded"] == 1
    original.refresh_from_db()
    assert (original.status, original.failure_reason) == (Message.Status.FAILED, "카카오톡 미사용자")
    fallback = Message.objects.get(fallback_of=original)
    assert (fallback.kind, fallback.status) == (MessageKind.SMS, Message.Status.QUEUED)
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post("/messages/v4/send-many/detail").mock(
            return_value=reply("send_success", ref0=str(fallback.pk), ref1="none")
        )
        dispatch_messages(now=NOW, message_ids=[fallback.pk], provider=get_provider())
    [sms] = json.loads(route.calls.last.request.content)["messages"]
    assert (sms["type"], sms["from"], sms["text"]) == (
        "SMS",
        "0212345678",
        "홍길동님, 결제가 완료되었습니다.",
    )


@pytest.mark.django_db
def test_no_secret_reaches_the_log(client, settings, paid_customer, sms_sender, caplog):
    """Issue 18: the webhook's secret (right or wrong) and the API secret appear in no ProviderCall row and
    no log line."""
    configure(settings)
    caplog.set_level(logging.DEBUG)
    message = _sent_sms(paid_customer)
    _post(client, _report(message))
    _post(client, _report(message), secret=f"{WEBHOOK_SECRET}-guess")
    rows = " ".join(f"{c.reference} {c.detail}" for c in ProviderCall.objects.all())
    for secret in (WEBHOOK_SECRET, API_SECRET):
        assert secret not in rows and secret not in caplog.text


@pytest.mark.django_db
def test_old_event_ids_are_forgotten_by_the_results_job():
    """MSG-6: the message_results job forgets webhook event ids after RECEIVED_KEEP (a later replay still
    changes nothing: its message already has its result)."""
    from messaging.services.results import RECEIVED_KEEP, received_reports_prune

    ReceivedReport.objects.create(provider="solapi", event_id="old", received_at=NOW - RECEIVED_KEEP)
    ReceivedReport.objects.create(provider="solapi", event_id="new", received_at=NOW)
    assert received_reports_prune(now=NOW + dt.timedelta(seconds=1)) == 1
    assert list(ReceivedReport.objects.values_list("event_id", flat=True)) == ["new"]
