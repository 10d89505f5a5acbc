"""Jobs of the messaging app: thin wrappers the job runner calls with a date."""

from __future__ import annotations

import datetime as dt

from core import clock

from .services import deliver_queued_emails
from .services.dispatch import requeue_stale
from .services.results import received_reports_prune, results_collect, results_timeout
from .services.sending import enqueue


def deliver_emails(*, today: dt.date) -> dict[str, int]:
    """Send email notices left queued when a process died between commit and send (MSG-1)."""
    return {"sent": deliver_queued_emails()}


def message_results(*, today: dt.date) -> dict[str, int]:
    """Every 5 minutes: collect results, fail messages past their result deadline, hand messages whose task
    is gone (stuck ``sending``, or ``queued`` for 10 minutes) to a new task.

    MSG-6 (48 hours, 003 art.5-3), MSG-8.
    """
    now = clock.now()
    collected = results_collect(now=now)
    timed_out = results_timeout(now=now)
    stale = requeue_stale(now=now)
    received_reports_prune(now=now)  # webhook event ids past their use (issue 18)
    if stale:
        enqueue(message_ids=stale)
    return {
        "delivered": collected.delivered,
        "failed": collected.failed,
        "ignored": collected.ignored,
        "fallbacks": collected.fallbacks,
        "pending": collected.pending,
        "timed_out": timed_out,
        "requeued": len(stale),
    }
