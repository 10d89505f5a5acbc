"""Job functions for the job-runner tests (and the Celery worker test, via EXTRA_JOBS).

Each writes rows so its effect can be seen in PostgreSQL from any process: a
``core.Holiday`` 50 years after the as-of date (the unique date makes a second
call for the same date an error), noting the clock and the audit actor it saw.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from core import clock
from core.audit import current_actor
from core.models import Holiday

CALLS: list[tuple[str, dt.date]] = []
_lock = threading.Lock()
FAIL = {"failing": True}


def marker_date(today: dt.date) -> dt.date:
    return today.replace(year=today.year + 50)


def _record(job: str, today: dt.date) -> dict[str, int]:
    with _lock:
        CALLS.append((job, today))
    Holiday.objects.create(
        date=marker_date(today), name=f"marker {job}",
        note=f"clock={clock.today().isoformat()} actor={current_actor().label}",
    )
    return {"rows": 1, "day": today.day}


def record(*, today: dt.date) -> dict[str, int]:
    return _record("record", today)


def count_only(*, today: dt.date) -> dict[str, int]:
    with _lock:
        CALLS.append(("count_only", today))
    return {"seen": 1}


def failing(*, today: dt.date) -> dict[str, int]:
    """Fails while FAIL["failing"] is set (a bug), then works (the fix is deployed)."""
    with _lock:
        CALLS.append(("failing", today))
    if FAIL["failing"]:
        raise RuntimeError(f"provider down on {today}")
    return {"recovered": 1}


def slow(*, today: dt.date) -> dict[str, int]:
    """Takes long enough that a racing worker arrives while it runs."""
    with _lock:
        CALLS.append(("slow", today))
    time.sleep(0.5)
    Holiday.objects.create(date=marker_date(today), name="marker slow")
    return {"rows": 1}


def interrupted(*, today: dt.date) -> dict[str, int]:
    raise KeyboardInterrupt


def bad_counts(*, today: dt.date) -> object:
    return ["not", "a", "dict"]


# A job list for the DAILY_JOBS setting test (core.jobs loads the list the setting names).
from core.jobs import JobSpec  # noqa: E402

TEST_DAILY_JOBS = [JobSpec("test_record", "tests.core.jobfuncs.record")]


UNITS = 6


def units_start(today: dt.date) -> dt.date:
    return marker_date(today) + dt.timedelta(days=100)


def units(*, today: dt.date) -> dict[str, int]:
    """A job of six units, each committed on its own and skipped when already done (as every real job
    is idempotent per unit); ``JOB_TEST_UNIT_DELAY`` seconds between units let a test kill it mid-way."""
    import os

    delay = float(os.environ.get("JOB_TEST_UNIT_DELAY", "0"))
    made = 0
    for n in range(UNITS):
        _, created = Holiday.objects.get_or_create(
            date=units_start(today) + dt.timedelta(days=n), defaults={"name": f"unit {n}"}
        )
        made += created
        time.sleep(delay)
    return {"units": made}


MOMENTS: list[dt.datetime] = []


def moment(*, today: dt.date) -> dict[str, int]:
    """Notes the clock's moment the job saw (repeat jobs run for today read the moment they run)."""
    MOMENTS.append(clock.now())
    return {"seen": 1}
