"""Handing queued messages to the provider (MSG-8): rate-limited, retried with backoff, idempotent.

A chunk of queued messages is claimed (``queued → sending``, rows locked with
SKIP LOCKED so two workers never take the same message) and committed; the
provider is called outside any transaction with our message id as the client
reference (a resend of the same message is dropped by the provider); the
receipts are then recorded (``sending → sent`` with the result deadline, or
``failed`` with the provider's reason, which starts a fallback, MSG-3). When the
provider is unreachable the chunk goes back to ``queued`` and the caller (the
Celery task) retries with backoff; after ``MAX_ATTEMPTS`` a message fails. A message whose task is gone
(a killed worker, a lost enqueue) is handed to a new task by :func:`requeue_stale` (issue #14).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet

from ..lifecycles import move_messages, move_messages_each
from ..models import KakaoTemplate, Message
from ..providers import OutboundMessage, Provider, ProviderUnavailable, get_provider, ratelimit
from .results import start_fallbacks

log = logging.getLogger(__name__)

CHUNK = 1_000
SENT_FIELDS = ("provider_message_id", "sent_at", "result_due_at", "updated_at")
FAILED_FIELDS = ("failure_reason", "result_at", "updated_at")
MAX_ATTEMPTS = 5


class RateLimited(Exception):
    """The provider's rate is used up for now; the rest stays queued and the task tries again shortly.

    ``counts`` says what this call did before (``sent`` > 0: it made progress)."""

    def __init__(self, message: str, counts: DispatchCounts | None = None) -> None:
        super().__init__(message)
        self.counts = counts or DispatchCounts()


@dataclass
class DispatchCounts:
    sent: int = 0
    failed: int = 0
    deferred: int = 0


def dispatch_messages(
    *,
    now: dt.datetime,
    message_ids: Sequence[int] | None = None,
    batch_id: int | None = None,
    provider: Provider | None = None,
) -> DispatchCounts:
    """Send the queued messages among ``message_ids`` / of ``batch_id``; others are skipped."""
    chosen = provider or get_provider()
    counts = DispatchCounts()
    while True:
        claimed = _claim(_queued(message_ids, batch_id), chosen, now)
        if claimed is None:
            break
        if not claimed:
            counts.deferred = _queued(message_ids, batch_id).count()
            raise RateLimited(f"{chosen.name}: rate used up, {counts.deferred} messages wait", counts)
        sent, failed = _hand_over(claimed, chosen, now)
        counts.sent += sent
        counts.failed += failed
    return counts


def _queued(message_ids: Sequence[int] | None, batch_id: int | None) -> QuerySet[Message]:
    rows = Message.objects.filter(status=Message.Status.QUEUED)
    if message_ids is not None:
        rows = rows.filter(pk__in=list(message_ids))
    if batch_id is not None:
        rows = rows.filter(batch_id=batch_id)
    return rows


def _claim(rows: QuerySet[Message], provider: Provider, now: dt.datetime) -> list[Message] | None:
    """Lock and move up to CHUNK queued messages to ``sending``.

    ``None`` when none is left, ``[]`` when the provider's rate is used up.
    """
    with transaction.atomic():
        locked = list(rows.select_for_update(skip_locked=True).order_by("id")[:CHUNK])
        if not locked:
            return None
        allowed = ratelimit.take(provider.name, len(locked), provider.rate_per_second)
        chosen = locked[:allowed]
        if chosen:
            move_messages(
                Message.objects.filter(pk__in=[m.pk for m in chosen]),
                Message.Status.SENDING,
                provider=provider.name,
                attempts=F("attempts") + 1,
                updated_at=now,
            )
        return chosen


def _hand_over(messages: list[Message], provider: Provider, now: dt.datetime) -> tuple[int, int]:
    template_ids = {m.template_id for m in messages if m.template_id}
    codes = dict(KakaoTemplate.objects.filter(pk__in=template_ids).values_list("pk", "code"))
    outbound = [
        OutboundMessage(
            client_ref=str(m.pk),
            kind=m.kind,
            sender=m.sender,
            recipient=m.recipient,
            text=m.text,
            subject=m.subject,
            image_url=m.image_url,
            buttons=list(m.buttons or []),
            template_code=codes.get(m.template_id, "") if m.template_id else "",
            attempt=m.attempts + 1,  # the claim counted this hand-over in the row, not in ``m``
        )
        for m in messages
    ]
    try:
        receipts = provider.send_many(outbound)
    except ProviderUnavailable as exc:
        _give_back(messages, now, str(exc))
        raise
    by_ref = {r.client_ref: r for r in receipts}
    sent: list[Message] = []
    rejected: list[Message] = []
    with transaction.atomic():
        current = {
            m.pk: m
            for m in Message.objects.select_for_update().filter(
                pk__in=[m.pk for m in messages], status=Message.Status.SENDING
            )
        }
        for pk, message in current.items():
            receipt = by_ref.get(str(pk))
            if receipt is None:  # the provider did not answer for it: leave it for the stale sweep
                continue
            if receipt.accepted:
                message.status = Message.Status.SENT
                message.provider_message_id = receipt.provider_message_id
                message.sent_at = now
                message.result_due_at = now + dt.timedelta(hours=message.result_timeout_hours)
                message.updated_at = now
                sent.append(message)
            else:
                message.status = Message.Status.FAILED
                message.failure_reason = (receipt.reason or "rejected")[:300]
                message.result_at = now
                message.updated_at = now
                rejected.append(message)
        move_messages_each(
            Message.Status.SENT, [(m.pk, _values(m, SENT_FIELDS)) for m in sent], columns=SENT_FIELDS
        )
        move_messages_each(
            Message.Status.FAILED,
            [(m.pk, _values(m, FAILED_FIELDS)) for m in rejected],
            columns=FAILED_FIELDS,
        )
        start_fallbacks(rejected)
    return len(sent), len(rejected)


def _values(message: Message, names: tuple[str, ...]) -> dict[str, object]:
    return {name: getattr(message, name) for name in names}


def _give_back(messages: list[Message], now: dt.datetime, reason: str) -> None:
    """The provider was unreachable: back to the queue, or failed after MAX_ATTEMPTS."""
    ids = [m.pk for m in messages]
    with transaction.atomic():
        rows = Message.objects.select_for_update().filter(pk__in=ids, status=Message.Status.SENDING)
        exhausted = list(rows.filter(attempts__gte=MAX_ATTEMPTS))
        move_messages(rows.filter(attempts__lt=MAX_ATTEMPTS), Message.Status.QUEUED, updated_at=now)
        if exhausted:
            move_messages(
                Message.objects.filter(pk__in=[m.pk for m in exhausted]),
                Message.Status.FAILED,
                failure_reason=f"provider unavailable after {MAX_ATTEMPTS} attempts: {reason}"[:300],
                result_at=now,
                updated_at=now,
            )
            start_fallbacks(list(Message.objects.filter(pk__in=[m.pk for m in exhausted])))
    log.warning("provider unavailable for %s messages: %s", len(ids), reason)


def requeue_stale(*, now: dt.datetime, older_than: dt.timedelta = dt.timedelta(minutes=10)) -> list[int]:
    """Messages whose task is gone, for the caller to hand to a new task (``message_results``, every 5 min).

    * Left ``sending`` by a crashed worker: back to the queue (the provider drops a resend of the same
      ``client_ref``).
    * Still ``queued`` ``older_than`` after they were queued or last tried: their task was lost. A worker
      SIGKILLed in the middle of a bulk send leaves its task unacknowledged in the broker, which redelivers
      it only after its visibility timeout (an hour); an enqueue that failed after the commit, or a task
      out of retries, never comes back. Their ``updated_at`` is set to ``now``, so a batch still being
      sent is handed over again at most once per ``older_than``.

    A second task for a message its first task still sends is harmless: claiming locks and moves it
    (``queued → sending``) once. At most ``10 × CHUNK`` of each per call; the next run takes the rest.
    """
    cutoff = now - older_than
    limit = CHUNK * 10
    with transaction.atomic():
        rows = Message.objects.select_for_update(skip_locked=True).filter(
            status=Message.Status.SENDING,
            updated_at__lt=cutoff,
        )
        ids = list(rows.order_by("id").values_list("id", flat=True)[:limit])
        move_messages(Message.objects.filter(pk__in=ids), Message.Status.QUEUED, updated_at=now)
        waiting = Message.objects.select_for_update(skip_locked=True).filter(
            status=Message.Status.QUEUED,
            updated_at__lt=cutoff,
        )
        lost = list(waiting.order_by("id").values_list("id", flat=True)[:limit])
        Message.objects.filter(pk__in=lost, status=Message.Status.QUEUED).update(updated_at=now)
    return ids + lost
