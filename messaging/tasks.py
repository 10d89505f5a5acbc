"""Celery tasks of the paid messaging product: take ids, call a service, nothing else (MSG-8).

Sending is asynchronous: ``services.sending`` queues messages and enqueues
``dispatch_messages_task`` after commit. When the provider is unreachable the task
retries with exponential backoff. When the provider's rate is used up after some
messages went out, a fresh task goes on a second later (a retry would count toward
``MAX_RETRIES``, and a batch larger than nine seconds of the provider's rate was
given up); a call that sent nothing retries. The service only ever sends messages
still ``queued``, so a retried or duplicated task sends each message once.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core import clock

from .providers import ProviderUnavailable
from .services.dispatch import RateLimited, dispatch_messages

MAX_RETRIES = 8


def backoff_seconds(retries: int) -> int:
    """1, 2, 4, ... seconds, at most 5 minutes."""
    return int(min(300, 2**retries))


@shared_task(
    bind=True, name="messaging.tasks.dispatch_messages_task", max_retries=MAX_RETRIES, acks_late=True
)
def dispatch_messages_task(
    self: Any, message_ids: list[int] | None = None, batch_id: int | None = None
) -> dict[str, int]:
    try:
        counts = dispatch_messages(now=clock.now(), message_ids=message_ids, batch_id=batch_id)
    except RateLimited as exc:
        if exc.counts.sent or exc.counts.failed:
            # progress: the rate, not a fault; a fresh task (not a counted retry) takes the next second
            self.apply_async(kwargs={"message_ids": message_ids, "batch_id": batch_id}, countdown=1)
            return {"sent": exc.counts.sent, "failed": exc.counts.failed}
        raise self.retry(exc=exc, countdown=1) from exc
    except ProviderUnavailable as exc:
        raise self.retry(exc=exc, countdown=backoff_seconds(self.request.retries)) from exc
    return {"sent": counts.sent, "failed": counts.failed}
