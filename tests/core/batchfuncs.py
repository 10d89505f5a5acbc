"""A batched job for the batch tests (tests/test_job_batches.py): ``plan`` lists ``SIZE["batches"]``
batches; each batch writes one ``core.Holiday`` row (get_or_create: idempotent) 60 years after the
as-of date plus its number, and fails while its number is in ``FAIL``."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

from core import clock
from core.audit import current_actor
from core.jobs import run_batches
from core.models import Holiday

SIZE = {"batches": 5, "delay": 0.0}
FAIL: set[int] = set()
PLANS: list[dt.date] = []
RAN: list[int] = []
_lock = threading.Lock()


def day(today: dt.date, n: int) -> dt.date:
    return today.replace(year=today.year + 60) + dt.timedelta(days=n)


def plan(*, today: dt.date) -> list[dict[str, Any]]:
    with _lock:
        PLANS.append(today)
    return [{"n": n} for n in range(int(SIZE["batches"]))]


def batch(*, today: dt.date, payload: dict[str, Any]) -> dict[str, int]:
    n = int(payload["n"])
    with _lock:
        RAN.append(n)
    if n in FAIL:
        raise RuntimeError(f"batch {n} broke")
    time.sleep(SIZE["delay"])
    _row, created = Holiday.objects.get_or_create(
        date=day(today, n),
        defaults={"name": f"batch {n}", "note": f"clock={clock.today()} actor={current_actor().label}"},
    )
    return {"rows": int(created), "batches": 1}


def job(*, today: dt.date) -> dict[str, int]:
    return run_batches(plan, batch, today=today, zero={"rows": 0, "batches": 0})
