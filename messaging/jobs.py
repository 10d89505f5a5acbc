"""Jobs of the messaging app: thin wrappers the job runner calls with a date."""

from __future__ import annotations

import datetime as dt

from .services import deliver_queued_emails


def deliver_emails(*, today: dt.date) -> dict[str, int]:
    """Send email notices left queued when a process died between commit and send (MSG-1)."""
    return {"sent": deliver_queued_emails()}
