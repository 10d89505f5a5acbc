"""Delivery results (MSG-6) and fallback (MSG-3).

Each message ends ``delivered`` or ``failed`` with the carrier's reason. A result
that arrives twice changes nothing the second time (the move is only allowed
from ``sending``/``sent``), so it is counted once. A message without a result
``result_timeout_hours`` (48, 003 art.5-3) after it was sent is failed, and
only delivered messages are billed. A failed AlimTalk/FriendTalk with a
fallback is sent again as the SMS/LMS prepared (and validated) at send time;
it is its own message, billed at the SMS/LMS price if delivered.

A result for a provider id that no message carries yet (a worker was killed after the provider took
the message and before its receipt was recorded) is kept (``PendingResult``) and applied when a
message gets that id from the resend's receipt; one kept longer than ``PENDING_KEEP`` is dropped.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from ..lifecycles import from_states, move_messages, move_messages_each
from ..models import KAKAO_KINDS, Message, PendingResult, ReceivedReport
from ..providers import DeliveryReport, Provider, get_provider
from .encoding import cp949_bytes
from .sending import enqueue

log = logging.getLogger(__name__)
CHUNK = 1_000
#: How long a result that matches no message is kept for the resend that records its id.
PENDING_KEEP = dt.timedelta(days=3)
#: How long a webhook event id is remembered. An older replay still changes nothing (its message has its
#: result); the ids only make the log say "duplicate" and spare the work.
RECEIVED_KEEP = dt.timedelta(days=7)


@dataclass
class ResultCounts:
    delivered: int = 0
    failed: int = 0
    ignored: int = 0
    fallbacks: int = 0
    pending: int = 0  # results kept for a message that does not carry the provider's id yet

    def add(self, other: ResultCounts) -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


def _carried(keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (provider, provider id) pairs among ``keys`` that some message carries."""
    wanted = set(keys)
    if not wanted:
        return set()
    found = Message.objects.filter(
        provider__in={p for p, _i in wanted}, provider_message_id__in=[i for _p, i in wanted]
    ).values_list("provider", "provider_message_id")
    return set(found) & wanted


def results_record(*, reports: Sequence[DeliveryReport], now: dt.datetime) -> ResultCounts:
    """Record carriers' results; a report for a message that already has its result is ignored."""
    counts = ResultCounts()
    for start in range(0, len(reports), CHUNK):
        chunk = reports[start : start + CHUNK]
        _record_chunk(chunk, now, counts)
    return counts


def _record_chunk(reports: Sequence[DeliveryReport], now: dt.datetime, counts: ResultCounts) -> None:
    by_key: dict[tuple[str, str], DeliveryReport] = {}
    for report in reports:
        key = (report.provider, report.provider_message_id)
        if key in by_key:
            counts.ignored += 1  # the same result twice in one delivery
        else:
            by_key[key] = report
    open_states = sorted(set(from_states(Message.Status.DELIVERED)) & set(from_states(Message.Status.FAILED)))
    with transaction.atomic():
        providers = {p for p, _id in by_key}
        ids = [i for _p, i in by_key]
        rows = list(
            Message.objects.select_for_update()
            .filter(provider__in=providers, provider_message_id__in=ids, status__in=open_states)
            .order_by("id")
        )
        delivered: list[Message] = []
        failed: list[Message] = []
        for message in rows:
            found = by_key.get((message.provider, message.provider_message_id))
            if found is None:
                continue
            message.result_at = found.at or now
            message.updated_at = now
            if found.delivered:
                message.status = Message.Status.DELIVERED
                delivered.append(message)
            else:
                message.status = Message.Status.FAILED
                message.failure_reason = (found.reason or gettext("전송 실패"))[:300]
                failed.append(message)
        columns = ("failure_reason", "result_at", "updated_at")
        for target, moved in ((Message.Status.DELIVERED, delivered), (Message.Status.FAILED, failed)):
            move_messages_each(
                target, [(m.pk, {c: getattr(m, c) for c in columns}) for m in moved], columns=columns
            )
        counts.delivered += len(delivered)
        counts.failed += len(failed)
        counts.fallbacks += start_fallbacks(failed)
        matched = {(m.provider, m.provider_message_id) for m in rows}
        unmatched = [key for key in by_key if key not in matched]
        known = _carried(unmatched)
        unknown = [by_key[key] for key in unmatched if key not in known]
        counts.ignored += len(unmatched) - len(unknown)  # a message that already has its result
        PendingResult.objects.bulk_create(
            [
                PendingResult(
                    provider=r.provider,
                    provider_message_id=r.provider_message_id,
                    delivered=r.delivered,
                    reason=(r.reason or "")[:300],
                    reported_at=r.at or now,
                    received_at=now,
                )
                for r in unknown
            ],
            ignore_conflicts=True,
        )
        counts.pending += len(unknown)


@dataclass
class ReceivedCounts:
    fresh: int = 0
    replayed: int = 0  # events seen before (a provider's retry or a replay): nothing recorded again
    results: ResultCounts = dataclasses.field(default_factory=ResultCounts)


def results_receive(
    *, provider: str, events: Sequence[tuple[str, DeliveryReport]], now: dt.datetime
) -> ReceivedCounts:
    """Results a provider pushed to our webhook (MSG-6): each event once, then the same handling as a poll.

    ``events`` pairs the provider's event id with its report. An event id already received is counted as
    ``replayed`` and changes nothing; ``ReceivedReport``'s unique constraint decides when two deliveries
    of the same event race. The fresh reports go through :func:`results_record`, like polled ones.
    """
    counts = ReceivedCounts()
    fresh: list[DeliveryReport] = []
    with transaction.atomic():
        for event_id, report in events:
            _row, created = ReceivedReport.objects.get_or_create(
                provider=provider,
                event_id=event_id[:160],
                defaults={"provider_message_id": report.provider_message_id[:100], "received_at": now},
            )
            if created:
                fresh.append(report)
            else:
                counts.replayed += 1
        counts.fresh = len(fresh)
        if fresh:
            counts.results = results_record(reports=fresh, now=now)
    return counts


def received_reports_prune(*, now: dt.datetime) -> int:
    """Forget webhook event ids older than ``RECEIVED_KEEP`` (run by ``message_results``). Idempotent."""
    return int(ReceivedReport.objects.filter(received_at__lt=now - RECEIVED_KEEP).delete()[0])


def results_pending(*, now: dt.datetime) -> ResultCounts:
    """Apply kept results whose message now carries the provider's id; drop those kept too long."""
    counts = ResultCounts()
    with transaction.atomic():
        PendingResult.objects.filter(received_at__lt=now - PENDING_KEEP).delete()
        kept = list(PendingResult.objects.select_for_update(skip_locked=True).order_by("id")[: CHUNK * 10])
        if not kept:
            return counts
        carried = _carried((r.provider, r.provider_message_id) for r in kept)
        ready = [r for r in kept if (r.provider, r.provider_message_id) in carried]
        reports = [
            DeliveryReport(r.provider, r.provider_message_id, r.delivered, r.reason, r.reported_at)
            for r in ready
        ]
        for start in range(0, len(reports), CHUNK):
            _record_chunk(reports[start : start + CHUNK], now, counts)
        PendingResult.objects.filter(pk__in=[r.pk for r in ready]).delete()
    return counts


def results_timeout(*, now: dt.datetime) -> int:
    """MSG-6: messages still without a result after their deadline (sent + 48 hours) are failed, never billed.

    No fallback is sent for them: a text two days late would mislead more than it informs.
    """
    total = 0
    reason = gettext("전송 결과 없음: 발송 후 기한 내 결과 미수신 (003 제5조③)")
    while True:
        with transaction.atomic():
            ids = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(status=Message.Status.SENT, result_due_at__lte=now)
                .order_by("id")
                .values_list("id", flat=True)[:CHUNK]
            )
            if not ids:
                return total
            total += move_messages(
                Message.objects.filter(pk__in=ids),
                Message.Status.FAILED,
                failure_reason=reason[:300],
                result_at=now,
                updated_at=now,
            )


def results_collect(*, now: dt.datetime, provider: Provider | None = None) -> ResultCounts:
    """Fetch the provider's new results and record them."""
    chosen = provider or get_provider()
    counts = results_record(reports=chosen.fetch_results(now), now=now)
    counts.add(results_pending(now=now))
    return counts


def start_fallbacks(failed: Sequence[Message]) -> int:
    """MSG-3: a queued SMS/LMS for each failed Kakao message that has a fallback and none yet.

    The caller holds the failed rows locked; ``fallback_of`` is one-to-one, so a
    message never gets two fallbacks. The new messages are dispatched after commit.
    """
    candidates = [m for m in failed if m.kind in KAKAO_KINDS and m.fallback_kind and m.fallback_text]
    if not candidates:
        return 0
    taken = set(Message.objects.filter(fallback_of__in=candidates).values_list("fallback_of_id", flat=True))
    fresh = [
        Message(
            customer_id=m.customer_id,
            batch_id=m.batch_id,
            kind=m.fallback_kind,
            purpose=m.purpose,
            sender=m.fallback_sender,
            sender_number=None,
            recipient=m.recipient,
            subject=m.fallback_subject,
            text=m.fallback_text,
            size=cp949_bytes(m.fallback_text),
            fallback_of=m,
            result_timeout_hours=m.result_timeout_hours,
            actor=m.actor,
        )
        for m in candidates
        if m.pk not in taken
    ]
    created = Message.objects.bulk_create(fresh, batch_size=CHUNK)
    ids = [m.pk for m in created]
    if ids:
        transaction.on_commit(lambda: enqueue(message_ids=ids), robust=True)
        log.info("fallback queued for %s failed Kakao messages", len(ids))
    return len(ids)
