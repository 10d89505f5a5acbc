"""The day loop: the daily jobs replayed over a range of dates, with scripted events after each day's jobs.

One engine for everything that plays days on a book: ``manage.py seed_demo`` (the demo's history),
``manage.py replay`` (a year of scripted presets and its report) and whoever else needs days to pass
(the what-if of a terms change). For every date of the range, in order, it runs the registered daily
jobs (``core.jobs.run_all``, the same registry as ``run_jobs`` and beat), each under the injectable
clock frozen at that date, then the caller's *day hooks* — functions ``fn(*, today) -> counts`` that
play what people do that day (customers pay, staff open an incident, a member leaves). A hook runs as a
job of its own for the day: it is recorded in ``JobRun`` like the others, so replaying a range twice
runs nothing twice, an interrupted replay resumes where it stopped, and a day whose jobs and hooks all
succeeded is skipped with no work at all.

Core imports no app: the hooks are passed in, and the jobs come from the ``DAILY_JOBS`` setting.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.db import connection

from . import jobs
from .models import JobRun

HookFunc = Callable[..., dict[str, int] | None]


@dataclass(frozen=True)
class DayHook:
    """Something that happens each replayed day after the jobs: ``func(today=day)`` returns counts.

    ``name`` is its job name in ``JobRun`` (one run per date): keep it stable, or a second replay of the
    same range would play the day again."""

    name: str
    func: HookFunc
    description: str = ""


@dataclass(frozen=True)
class _HookSpec(jobs.JobSpec):
    """A day hook as a registered job: resolves to the function itself, not a dotted path."""

    hook: HookFunc | None = field(default=None, compare=False)

    def resolve(self) -> jobs.JobFunc:
        assert self.hook is not None
        return self.hook


@dataclass
class ReplayResult:
    start: dt.date
    end: dt.date
    days: int = 0  # dates in the range
    days_replayed: int = 0  # dates on which something ran (the others were done already)
    job_runs: int = 0
    seconds: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)  # "job.count" summed over the range


class SqliteFastWrites:
    """On SQLite (the demo database), skip the fsync of each commit while replaying: a replay commits
    thousands of small transactions (a ``JobRun`` claim per job and day) and would otherwise spend most
    of its time waiting for the disk. The worst a crash can do is leave a half-written demo database
    (``make clean`` removes it). Other databases are left alone."""

    def __enter__(self) -> None:
        self.previous: int | None = None
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                self.previous = int(cursor.fetchone()[0])
                cursor.execute("PRAGMA synchronous = OFF")

    def __exit__(self, *exc: Any) -> None:
        if self.previous is not None and not connection.in_atomic_block:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {self.previous:d}")


class _SimpleBar:
    """The progress bar when tqdm is not installed: one line, rewritten in place."""

    def __init__(self, days: list[dt.date], file: TextIO) -> None:
        self.days, self.file, self.started = days, file, time.monotonic()

    def __iter__(self) -> Iterator[dt.date]:
        total = len(self.days)
        for i, day in enumerate(self.days, 1):
            yield day
            done = int(30 * i / total)
            self.file.write(
                f"\r{day.isoformat()} [{'#' * done}{'.' * (30 - done)}] {i}/{total} days "
                f"{time.monotonic() - self.started:.0f}s"
            )
            self.file.flush()
        self.file.write("\n")

    def set_description(self, text: str) -> None:  # the tqdm interface the loop uses
        pass


def progress_bar(
    days: list[dt.date], *, file: TextIO | None = None, enabled: bool = True
) -> Iterable[dt.date]:
    """tqdm over the days if it is installed, else a simple one-line bar; nothing when not ``enabled``."""
    if not enabled or not days:
        return days
    out = file or sys.stderr
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency; the fallback is for slim installs
        return _SimpleBar(days, out)
    return tqdm(days, unit="day", file=out, dynamic_ncols=True)


def _done_days(start: dt.date, end: dt.date, names: list[str]) -> set[dt.date]:
    """The dates of the range on which every one of ``names`` has succeeded (one query)."""
    per_day = Counter(
        JobRun.objects.filter(
            as_of__gte=start, as_of__lte=end, status=JobRun.Status.SUCCEEDED, job__in=names
        ).values_list("as_of", flat=True)
    )
    return {day for day, n in per_day.items() if n >= len(names)}


def replay(
    start: dt.date,
    end: dt.date,
    *,
    hooks: Sequence[DayHook] = (),
    progress: bool = False,
    progress_file: TextIO | None = None,
    before_day: Callable[[dt.date], None] | None = None,
) -> ReplayResult:
    """Run the daily jobs, then the ``hooks`` in order, for every date from ``start`` to ``end``
    (inclusive) not done yet. A failing job or hook raises (later days build on it); what succeeded is
    kept, and the next call resumes at the failed job. ``before_day(day)`` is called before a day that
    will be played (the caller may, say, set up what that day's hooks need)."""
    result = ReplayResult(start=start, end=end)
    days = list(jobs.dates(start, end))
    result.days = len(days)
    for hook in hooks:
        jobs.register(
            _HookSpec(
                hook.name,
                f"{hook.func.__module__}.{hook.func.__name__}",
                None,
                hook.description,
                hook=hook.func,
            )
        )
    started = time.monotonic()
    try:
        names = [spec.name for spec in jobs.registry() if not spec.repeat]
        done = _done_days(start, end, names)
        todo = [day for day in days if day not in done]
        bar = progress_bar(todo, file=progress_file, enabled=progress)
        with SqliteFastWrites():
            for day in bar:
                if hasattr(bar, "set_description"):
                    bar.set_description(day.isoformat())
                if before_day is not None:
                    before_day(day)
                outcomes = jobs.run_all(day)
                ran = [o for o in outcomes if o.ran]
                result.job_runs += len(ran)
                result.days_replayed += bool(ran)
                for outcome in ran:
                    for key, value in outcome.counts.items():
                        result.counts[f"{outcome.job}.{key}"] += value
    finally:
        for hook in hooks:
            jobs.unregister(hook.name)
        result.seconds = time.monotonic() - started
    return result
