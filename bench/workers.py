"""Child-process entry points that must import nothing of Django before ``django.setup()`` (the
``spawn`` start method imports this module first to find the function)."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any


def message_worker(db_url: str, batch_id: int, now: dt.datetime, ready: Any, go: Any, queue: Any) -> None:
    """One messaging worker: set up, wait for the start signal, hand the batch's queued messages to the
    fake provider and record their results (``dispatch_messages`` then ``results_collect``), as a
    Celery worker's dispatch and result tasks do."""
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection

    from messaging.providers import FAKE
    from messaging.services.dispatch import dispatch_messages
    from messaging.services.results import results_collect

    connection.ensure_connection()
    ready.set()
    go.wait()
    try:
        sent = dispatch_messages(now=now, batch_id=batch_id, provider=FAKE)
        results = results_collect(now=now, provider=FAKE)
        queue.put({"ok": True, "sent": sent.sent, "failed": sent.failed, "results": str(results)})
    except BaseException as exc:  # reported to the parent
        queue.put({"ok": False, "error": repr(exc)})
