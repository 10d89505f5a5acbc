"""The one clock every rule reads "today" and "now" from.

Rules take ``today``/``now`` as arguments; the callers at the edges (jobs,
views, commands) get them from here. The clock can be set:

* for a block of code: ``with clock.frozen(date(2026, 11, 1)): ...``
  (``run_jobs --date`` uses this to replay days),
* for a whole process: the ``CLOCK_TODAY`` setting / environment variable.

Business dates are Asia/Seoul dates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

SEOUL = ZoneInfo("Asia/Seoul")

_override: ContextVar[dt.datetime | None] = ContextVar("clock_override", default=None)


def _env_override() -> dt.datetime | None:
    raw = getattr(settings, "CLOCK_TODAY", "") or ""
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"CLOCK_TODAY must be YYYY-MM-DD, not {raw!r}") from exc
    real = timezone.now().astimezone(SEOUL)
    return dt.datetime.combine(day, real.timetz())


def now() -> dt.datetime:
    """The current aware datetime (Asia/Seoul), honouring any override."""
    value = _override.get() or _env_override()
    if value is not None:
        return value.astimezone(SEOUL)
    return timezone.now().astimezone(SEOUL)


def today() -> dt.date:
    """Today's business date in Asia/Seoul."""
    return now().astimezone(SEOUL).date()


def is_overridden() -> bool:
    return _override.get() is not None or bool(getattr(settings, "CLOCK_TODAY", ""))


def to_seoul_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SEOUL).date()


def start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=SEOUL)


@contextlib.contextmanager
def frozen(at: dt.date | dt.datetime) -> Iterator[dt.datetime]:
    """Set the clock for the block. A date freezes at 09:00 Seoul that day."""
    if isinstance(at, dt.datetime):
        moment = at if timezone.is_aware(at) else at.replace(tzinfo=SEOUL)
    else:
        moment = dt.datetime.combine(at, dt.time(9, 0), tzinfo=SEOUL)
    token = _override.set(moment)
    try:
        yield moment
    finally:
        _override.reset(token)
