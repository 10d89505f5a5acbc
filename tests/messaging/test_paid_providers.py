# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Providers, the Celery task and the message_results job (MSG-8, MSG-6).

Every test taking the ``fake`` fixture runs twice (issue 18): against the fake provider, and through the
Solapi adapter over Solapi's HTTP API as recorded (``solapi_support``: the same scripted outcomes,
answered in Solapi's shapes at the HTTP boundary).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from celery.exceptions import Retry

from config.jobs import JOBS
from core import clock
from core.jobs import run_job
from messaging import jobs as messaging_jobs
from messaging.models import Message, PendingResult
from messaging.providers import FAKE, DeliveryReport, OutboundMessage, ProviderUnavailable
from messaging.providers.fake import SILENT, FakeProvider, Outcome
from messaging.providers.http import HttpProvider
from messaging.selectors import delivered_counts
from messaging.services import sending
from messaging.services.dispatch import MAX_ATTEMPTS, RateLimited, dispatch_messages, requeue_stale
from messaging.services.results import PENDING_KEEP, results_collect, results_record
from messaging.tasks import backoff_seconds, dispatch_messages_task

from .solapi_support import fake_and_solapi  # noqa: F401  (the ``fake`` fixture, twice)
from .test_paid_support import (  # noqa: F401
    NOW,
    SENDER,
    kgmsg_limits,
    mobile,
    paid_customer,
    sms_sender,
)

LIMITS = kgmsg_limits()


def _queue(customer, n: int) -> list[int]:  # type: ignore[no-untyped-def]
    batch = sending.bulk_send(
        customer=customer,
        limits=LIMITS,
        kind="text",
        recipients=[mobile(i) for i in range(n)],
        sender=SENDER,
        text="안내",
        now=NOW,
    )
    return list(batch.messages.values_list("id", flat=True))


@pytest.mark.django_db
def test_rate_limited_per_provider(paid_customer, sms_sender, monkeypatch):
    """MSG-8: a provider's rate per second is counted in Redis (shared by every worker); what exceeds it
    stays queued and the task retries."""
    from messaging.providers import ratelimit

    second = int(dt.datetime.now(dt.UTC).timestamp())
    monkeypatch.setattr(ratelimit, "current_second", lambda: second)  # one window for the whole test
    slow = FakeProvider(rate_per_second=3)
    slow.name = f"slow-{second}-{paid_customer.pk}"
    ids = _queue(paid_customer, 5)
    with pytest.raises(RateLimited):
        dispatch_messages(now=NOW, message_ids=ids, provider=slow)
    statuses = sorted(Message.objects.filter(pk__in=ids).values_list("status", flat=True))
    assert statuses == ["queued", "queued", "sent", "sent", "sent"] and len(slow.sent) == 3
    monkeypatch.setattr(ratelimit, "current_second", lambda: second + 1)  # the next second
    assert dispatch_messages(now=NOW, message_ids=ids, provider=slow).sent == 2


@pytest.mark.django_db
def test_a_rate_limited_task_that_made_progress_goes_on_in_a_fresh_task(
    paid_customer, sms_sender, monkeypatch
):
    """MSG-8 (issue #14): the task that used up the provider's rate after sending some goes on in a fresh
    task a second later, so a large batch is never given up after MAX_RETRIES seconds of sends; a call
    that sent nothing retries (counted)."""
    from messaging.providers import ratelimit
    from messaging.services import dispatch

    second = int(dt.datetime.now(dt.UTC).timestamp())
    monkeypatch.setattr(ratelimit, "current_second", lambda: second)
    slow = FakeProvider(rate_per_second=3)
    slow.name = f"slow-task-{second}-{paid_customer.pk}"
    monkeypatch.setattr(dispatch, "get_provider", lambda: slow)
    fresh: list[dict[str, object]] = []
    monkeypatch.setattr(dispatch_messages_task, "apply_async", lambda **options: fresh.append(options))
    ids = _queue(paid_customer, 5)
    first = dispatch_messages_task.apply(kwargs={"message_ids": ids})
    assert first.get() == {"sent": 3, "failed": 0}
    assert fresh == [{"kwargs": {"message_ids": ids, "batch_id": None}, "countdown": 1}]
    with pytest.raises(Retry):  # the same second: nothing sent
        dispatch_messages_task.apply(kwargs={"message_ids": ids})
    assert len(fresh) == 1
    monkeypatch.setattr(ratelimit, "current_second", lambda: second + 1)
    assert dispatch_messages_task.apply(kwargs={"message_ids": ids}).get() == {"sent": 2, "failed": 0}
    assert len(slow.sent) == 5 and len(fresh) == 1


@pytest.mark.django_db
def test_provider_unavailable_requeues_then_fails_after_max_attempts(paid_customer, sms_sender, fake):
    """MSG-8: an unreachable provider puts the messages back in the queue (retried with backoff); after
    MAX_ATTEMPTS they fail with the reason and are never billed."""
    ids = _queue(paid_customer, 2)
    fake.unavailable = True
    for attempt in range(1, MAX_ATTEMPTS + 1):
        with pytest.raises(ProviderUnavailable):
            dispatch_messages(now=NOW, message_ids=ids, provider=fake)
        expected = "queued" if attempt < MAX_ATTEMPTS else "failed"
        assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {expected}
    assert "provider unavailable" in Message.objects.get(pk=ids[0]).failure_reason
    assert [backoff_seconds(r) for r in (0, 1, 2, 3, 10)] == [1, 2, 4, 8, 300]


@pytest.mark.django_db
def test_task_takes_ids_and_sends_each_message_once(paid_customer, sms_sender, fake):
    """MSG-8: the Celery task takes ids and calls the service; running it twice sends each message once."""
    ids = _queue(paid_customer, 3)
    first = dispatch_messages_task.apply(kwargs={"message_ids": ids}).get()
    second = dispatch_messages_task.apply(kwargs={"message_ids": ids}).get()
    assert (first, second) == ({"sent": 3, "failed": 0}, {"sent": 0, "failed": 0})
    assert len(fake.sent) == 3 and fake.calls == 1


@pytest.mark.django_db
def test_stuck_sending_is_requeued_and_the_provider_drops_the_resend(paid_customer, sms_sender, fake):
    """MSG-8: a message left "sending" by a crashed worker goes back to the queue; the resend carries the same
    client reference, so the provider does not send it twice."""
    ids = _queue(paid_customer, 1)
    dispatch_messages(now=NOW, message_ids=ids, provider=fake)
    Message.objects.filter(pk=ids[0]).update(status="sending", updated_at=NOW - dt.timedelta(minutes=30))
    assert requeue_stale(now=NOW) == ids
    dispatch_messages(now=NOW, message_ids=ids, provider=fake)
    assert len(fake.sent) == 1 and Message.objects.get(pk=ids[0]).status == "sent"


@pytest.mark.django_db
def test_messages_queued_too_long_are_handed_to_a_new_task(paid_customer, sms_sender, fake):
    """MSG-8 (issue #14): a message still queued 10 minutes after it was queued has lost its task (a killed
    worker's task is held by the broker for an hour; a failed enqueue never comes back). The sweep hands it
    over again, at most once per 10 minutes; a younger one is left to its task; it is sent once."""
    old, young = _queue(paid_customer, 2)
    Message.objects.filter(pk=old).update(updated_at=NOW - dt.timedelta(minutes=11))
    Message.objects.filter(pk=young).update(updated_at=NOW - dt.timedelta(minutes=9))
    assert requeue_stale(now=NOW) == [old]
    assert requeue_stale(now=NOW + dt.timedelta(minutes=5)) == [young]
    assert requeue_stale(now=NOW + dt.timedelta(minutes=9)) == []
    assert requeue_stale(now=NOW + dt.timedelta(minutes=11)) == [old]
    dispatch_messages(now=NOW, message_ids=[old, old], provider=fake)
    dispatch_messages(now=NOW, message_ids=[old, young], provider=fake)
    assert sorted(fake.sent) == sorted([str(old), str(young)]) and fake.handed == 2
    assert requeue_stale(now=NOW + dt.timedelta(hours=1)) == []


@pytest.mark.django_db
def test_a_result_before_the_receipt_is_kept_until_the_resend_records_the_id(paid_customer, sms_sender):
    """MSG-6, MSG-8 (issue #14): a worker killed after the provider took a message, before its receipt was
    recorded, leaves it "sending" without the provider's id; the carrier's result comes first. It is kept,
    not dropped: the resend (same client_ref, the provider answers with the same id) and the next
    collection record it delivered, once; a kept result matching nothing is dropped after PENDING_KEEP."""
    provider = FakeProvider()
    (message_id,) = _queue(paid_customer, 1)
    message = Message.objects.get(pk=message_id)
    outbound = OutboundMessage(str(message_id), message.kind, message.sender, message.recipient, message.text)
    provider.send_many([outbound])  # taken by the provider; the worker dies before recording the receipt
    Message.objects.filter(pk=message_id).update(
        status=Message.Status.SENDING, provider="fake", updated_at=NOW - dt.timedelta(minutes=11)
    )
    first = results_collect(now=NOW, provider=provider)
    assert (first.delivered, first.pending, first.ignored) == (0, 1, 0)
    assert PendingResult.objects.count() == 1
    assert requeue_stale(now=NOW) == [message_id]
    dispatch_messages(now=NOW, message_ids=[message_id], provider=provider)
    assert len(provider.sent) == 1 and provider.handed == 2  # the resend was not sent again
    second = results_collect(now=NOW + dt.timedelta(minutes=5), provider=provider)
    assert (second.delivered, second.pending) == (1, 0)
    assert Message.objects.get(pk=message_id).status == Message.Status.DELIVERED
    assert not PendingResult.objects.exists()
    assert delivered_counts(customer_id=paid_customer.pk, start=NOW.date(), end=NOW.date()) == {"sms": 1}
    stray = DeliveryReport("fake", "fake-999", True, "", NOW)
    assert results_record(reports=[stray, stray], now=NOW).pending == 1
    assert results_collect(now=NOW + PENDING_KEEP, provider=provider).delivered == 0
    assert PendingResult.objects.count() == 1
    results_collect(now=NOW + PENDING_KEEP + dt.timedelta(hours=1), provider=provider)
    assert not PendingResult.objects.exists()


@pytest.mark.django_db
def test_message_results_job_collects_and_times_out(paid_customer, sms_sender, fake):
    """MSG-6, §10: the message_results job (every 5 minutes) records results and fails messages 48 hours
    without one; running it again changes nothing."""
    spec = next(spec for spec in JOBS if spec.name == "message_results")
    assert (spec.func, spec.repeat) == ("messaging.jobs.message_results", True)
    fake.script(mobile(1), Outcome(SILENT))
    ids = _queue(paid_customer, 2)
    dispatch_messages(now=NOW, message_ids=ids, provider=fake)
    with clock.frozen(NOW + dt.timedelta(minutes=5)):
        outcome = run_job("message_results", NOW.date())
    assert outcome.ran and (outcome.counts["delivered"], outcome.counts["timed_out"]) == (1, 0)
    with clock.frozen(NOW + dt.timedelta(hours=48)):
        assert messaging_jobs.message_results(today=NOW.date())["timed_out"] == 1
        assert messaging_jobs.message_results(today=NOW.date())["timed_out"] == 0
    assert sorted(Message.objects.values_list("status", flat=True)) == ["delivered", "failed"]


@pytest.mark.django_db
def test_http_adapter_speaks_json_and_reports_unavailability():
    """MSG-8: the HTTP adapter posts messages and reads results as JSON; a 5xx means unavailable; each
    request is logged as a ProviderCall (issue 18)."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

        def _reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):  # type: ignore[no-untyped-def]
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"auth": self.headers["Authorization"], **payload})
            if payload["messages"][0]["recipient"] == "down":
                return self._reply(503, {})
            receipts = [
                {"client_ref": m["client_ref"], "accepted": True, "id": f"h-{m['client_ref']}"}
                for m in payload["messages"]
            ]
            return self._reply(200, {"receipts": receipts})

        def do_GET(self):  # type: ignore[no-untyped-def]
            self._reply(200, {"results": [{"id": "h-7", "delivered": False, "reason": "결번"}]})

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        provider = HttpProvider(url=f"http://127.0.0.1:{server.server_port}", token="t0k", timeout=5)
        receipts = provider.send_many([OutboundMessage("7", "sms", "0212345678", "01020000001", "안녕")])
        assert receipts[0].accepted and receipts[0].provider_message_id == "h-7"
        assert seen[0]["auth"] == "Bearer t0k" and seen[0]["messages"][0]["text"] == "안녕"
        [report] = provider.fetch_results(NOW)
        assert (report.provider, report.provider_message_id, report.delivered, report.reason) == (
            "http",
            "h-7",
            False,
            "결번",
        )
        with pytest.raises(ProviderUnavailable):
            provider.send_many([OutboundMessage("8", "sms", "0212345678", "down", "x")])
        # issue 18: every request is in the outside-provider call log, without the token
        from core.models import ProviderCall

        calls = ProviderCall.objects.filter(provider="http").order_by("id")
        assert list(calls.values_list("operation", "outcome", "http_status", "reference")) == [
            ("send", "ok", 200, "7"),
            ("results", "ok", 200, ""),
            ("send", "error", 503, "8"),
        ]
        assert not any("t0k" in c.detail for c in calls)
    finally:
        server.shutdown()
        server.server_close()


def test_fake_is_the_default_provider():
    """MSG-8: without configuration the fake provider is used."""
    from messaging.providers import get_provider

    assert get_provider() is FAKE


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_message_once(paid_customer, sms_sender, fake):
    """MSG-8: two workers dispatching the same messages at once hand each message over exactly once
    (rows claimed with SKIP LOCKED)."""
    from django.db import connection

    ids = _queue(paid_customer, 600)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            dispatch_messages(now=NOW, message_ids=ids, provider=fake)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert fake.handed == 600 and len(fake.sent) == 600
    assert set(Message.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"sent"}
