"""Daily jobs: registry, one idempotent runner, and the beat schedule derived from it.

A job is a function ``fn(*, today: date) -> dict[str, int]`` (counts) living in
an app's ``jobs.py``. The ordered list of jobs is declared once in
``config/jobs.py`` (the top floor, so it may name every app); core never imports
it: the ``DAILY_JOBS`` setting names the list (``"config.jobs.JOBS"``) and
:func:`registry` loads it with ``import_string``. ``run_job`` records
a ``JobRun`` per job and as-of date: a date that already succeeded is not run
again; two workers racing for the same date do the work once; a run that
failed, was interrupted or died is resumed by the next attempt, which is safe
because every job is itself idempotent.

A run holds a lease: while the job works, a heartbeat thread renews
``JobRun.heartbeat_at`` every quarter of ``JOB_LEASE_SECONDS``. A "running" run
whose heartbeat is older than the lease belongs to a dead worker (SIGKILL, power
loss) and the next attempt takes it over; on the same host a run whose recorded
process no longer exists is taken over at once. SIGTERM (outside Celery, which
handles it itself) and Ctrl-C record the run as ``interrupted`` before the
process exits, so nothing waits for the lease at all.

A whole-book job declared with ``batches`` (issue 19) is shared by every worker: the run that claims
the date writes the plan once (``JobBatch`` rows; a resumed run reuses them), sends one
``core.tasks.run_job_batch`` task per pending batch when a real broker is in use, and works on batches
itself. Any worker takes the next pending batch ``FOR UPDATE SKIP LOCKED`` (or one whose lease ran out),
runs it and records it done with its counts; the claiming run finishes when every batch is done, with
their counts summed. A failed batch fails the run; the next attempt runs only the unfinished batches.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import clock
from .audit import acting_as
from .models import JobBatch, JobRun
from .observability import observe_job

log = logging.getLogger(__name__)

JobFunc = Callable[..., dict[str, int] | None]


def lease() -> dt.timedelta:
    """How long a run's heartbeat stays valid (``JOB_LEASE_SECONDS``); older = a dead worker's run."""
    return dt.timedelta(seconds=int(getattr(settings, "JOB_LEASE_SECONDS", 60)))


class JobInterrupted(SystemExit):
    """SIGTERM arrived while a job ran: the run is recorded ``interrupted`` and the process exits
    with 128 + the signal number, as a process killed by it would."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: str  # dotted path "app.jobs.function"
    schedule: Any = field(default=None)  # a celery schedule (crontab) for beat
    description: str = ""
    # A job that beat runs many times a day (``message_results`` every 5 minutes):
    # a succeeded run for the date does not block the next one; runs still never
    # overlap (one claim at a time) and ``attempts`` counts the day's runs.
    repeat: bool = False
    # A whole-book job split into batches (issue 19): ``Batches(plan=..., batch=...)``; see ``Batches``.
    batches: Batches | None = None

    def resolve(self) -> JobFunc:
        module, _, attr = self.func.rpartition(".")
        return getattr(import_module(module), attr)


#: One batch's description: JSON-able (stored and sent to other workers), e.g. ``{"ids": [1, 2, 3]}``.
Payload = dict[str, Any]


@dataclass(frozen=True)
class Batches:
    """How a whole-book job splits its work (issue 19), as two dotted paths:

    * ``plan``: ``fn(*, today) -> list[Payload]``: the batches of the date, in order, each a JSON-able dict
      (typically ``{"ids": [...]}`` of at most a few hundred rows); cheap (a query or two, no locks);
    * ``batch``: ``fn(*, today, payload) -> counts``: one batch in its own transaction(s). It takes the row
      locks it needs (``FOR UPDATE``, ``SKIP LOCKED`` where workers share), and is idempotent: run twice, or
      by two workers at once, it does the work once (the second run counts nothing new).

    The job's own function (``JobSpec.func``) stays callable directly and is ``run_batches(plan, batch)``."""

    plan: str
    batch: str
    # Optional: a small whole-run step that cannot be batched, ``fn(*, today) -> counts``, run once by the
    # run that claimed the date after every batch is done (its counts are added to the batches').
    finish: str = ""
    # Optional: the count keys the job reports, as 0 on a day whose plan is empty. Without them an empty
    # day runs the job's own function instead (which plans again) to report its zero counts.
    zero: tuple[str, ...] = ()

    def resolve(self) -> tuple[Callable[..., list[Payload]], Callable[..., dict[str, int] | None]]:
        return import_string(self.plan), import_string(self.batch)


def add_counts(total: dict[str, int], counts: dict[str, int] | None) -> dict[str, int]:
    """Add one batch's counts into ``total`` (in place; returned for chaining)."""
    for key, value in (counts or {}).items():
        total[key] = total.get(key, 0) + int(value)
    return total


def run_batches(
    plan: Callable[..., list[Payload]],
    batch: Callable[..., dict[str, int] | None],
    *,
    today: dt.date,
    zero: dict[str, int] | None = None,
) -> dict[str, int]:
    """Run a batched job in this process: every batch of ``plan`` in order, counts summed (starting from
    ``zero``, so a day with nothing to do still reports its keys)."""
    total = dict(zero or {})
    for payload in plan(today=today):
        add_counts(total, batch(today=today, payload=payload))
    return total


def registry() -> list[JobSpec]:
    """The ordered daily jobs: the list the ``DAILY_JOBS`` setting names (``config.jobs.JOBS``),
    then the ``EXTRA_JOBS`` setting (``"name=dotted.path"`` strings, from the environment, so
    another process such as a Celery worker sees them too), then any registered at run time (tests)."""
    # A later entry with the same name replaces an earlier one in its place (a test may point a
    # built-in job at another function); each name runs once per date.
    ordered: dict[str, JobSpec] = {}
    for spec in [*_declared(), *_from_settings(), *_extra]:
        ordered[spec.name] = spec
    return list(ordered.values())


def _declared() -> list[JobSpec]:
    """The built-in list, injected by the settings (core imports no app and not config)."""
    path = getattr(settings, "DAILY_JOBS", "")
    if not path:
        return []
    try:
        specs = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(f"DAILY_JOBS = {path!r} cannot be imported: {exc}") from exc
    if not all(isinstance(spec, JobSpec) for spec in specs):
        raise ImproperlyConfigured(f"DAILY_JOBS = {path!r} must name a list of core.jobs.JobSpec")
    return list(specs)


def _from_settings() -> list[JobSpec]:
    specs = []
    for entry in getattr(settings, "EXTRA_JOBS", None) or []:
        name, sep, target = str(entry).partition("=")
        func, at, every = target.partition("@")
        if not sep or not name.strip() or "." not in func or (at and not every.strip().isdigit()):
            raise ImproperlyConfigured(
                "EXTRA_JOBS entries are 'name=module.function' or 'name=module.function@SECONDS', "
                f"not {entry!r}"
            )
        # "@SECONDS": beat runs it every that many seconds, as a repeat job (several runs a day)
        schedule = float(every) if at else None
        specs.append(JobSpec(name=name.strip(), func=func.strip(), schedule=schedule, repeat=bool(at)))
    return specs


_extra: list[JobSpec] = []


def register(spec: JobSpec) -> None:
    """Add a job at run time (tests, plugins). The built-in list lives in config/jobs.py."""
    unregister(spec.name)
    _extra.append(spec)


def unregister(name: str) -> None:
    _extra[:] = [s for s in _extra if s.name != name]


def get(name: str) -> JobSpec:
    for spec in registry():
        if spec.name == name:
            return spec
    raise KeyError(f"unknown job {name!r}; known: {', '.join(s.name for s in registry())}")


@dataclass
class Outcome:
    job: str
    as_of: dt.date
    ran: bool
    status: str
    counts: dict[str, int]


def _worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(worker: str) -> bool:
    """True when ``worker`` ("host:pid") is a process of this host that no longer runs (killed).

    Another host's process cannot be checked: its run waits for the lease instead. A pid that is
    alive (or reused) counts as alive; a zombie (killed, not yet reaped) counts as gone.
    """
    host, _, pid_text = worker.rpartition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]  # noqa: SIM115
    except (OSError, IndexError):
        return False
    return state in {"Z", "X"}


def _claim(name: str, as_of: dt.date, *, repeat: bool = False) -> JobRun | None:
    """Take the run for (job, date) or return None when it is done or in other hands.

    The unique (job, as_of) row is the lock: the first worker inserts it; a later
    one may only take it over with a conditional UPDATE (failed, interrupted, or
    running but its lease expired or its process is gone), so of two racing
    workers exactly one gets it.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=name, as_of=as_of, started_at=now, heartbeat_at=now,
                                         worker=_worker_id())
    except IntegrityError:
        pass
    takeable = [JobRun.Status.FAILED, JobRun.Status.INTERRUPTED]
    if repeat:
        takeable.append(JobRun.Status.SUCCEEDED)
    expired = now - lease()
    condition = (
        Q(status__in=takeable)
        | Q(status=JobRun.Status.RUNNING, heartbeat_at__lt=expired)
        | Q(status=JobRun.Status.RUNNING, heartbeat_at__isnull=True, started_at__lt=expired)
    )
    holder = JobRun.objects.filter(job=name, as_of=as_of, status=JobRun.Status.RUNNING).first()
    if holder is not None and _process_gone(holder.worker):
        # Only that very holder: if another worker took it over meanwhile, the UPDATE matches nothing.
        condition |= Q(status=JobRun.Status.RUNNING, worker=holder.worker, started_at=holder.started_at)
    claimed = JobRun.objects.filter(condition, job=name, as_of=as_of).update(
        status=JobRun.Status.RUNNING, started_at=now, heartbeat_at=now, worker=_worker_id(), error="",
        finished_at=None, duration_ms=None, attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return JobRun.objects.get(job=name, as_of=as_of)


def _counts(result: Any) -> dict[str, int]:
    if result is None:
        return {}
    if not isinstance(result, dict):
        raise TypeError(f"a job returns a dict of counts, not {type(result).__name__}")
    return {str(key): int(value) for key, value in result.items()}


class _Heartbeat(threading.Thread):
    """Renews the run's lease every quarter of it until stopped (its own DB connection)."""

    def __init__(self, run: JobRun) -> None:
        super().__init__(name=f"heartbeat-{run.job}-{run.as_of}", daemon=True)
        self.run_pk, self.worker, self.started_at = run.pk, run.worker, run.started_at
        self.interval = max(lease().total_seconds() / 4, 0.05)
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.wait(self.interval):
                JobRun.objects.filter(
                    pk=self.run_pk, status=JobRun.Status.RUNNING, worker=self.worker,
                    started_at=self.started_at,
                ).update(heartbeat_at=timezone.now())
        except Exception:  # a lost database: the lease simply runs out, as for a dead worker
            log.exception("job heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self.done.set()
        self.join()


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises :class:`JobInterrupted` in the job (only where nobody else handles SIGTERM:
    the main thread of a plain process such as ``manage.py run_jobs``; Celery keeps its own)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
        signal.SIG_DFL, None,
    ):
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise JobInterrupted(128 + signum)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _moment(spec: JobSpec, as_of: dt.date) -> dt.datetime | dt.date:
    """The clock a job runs under. A repeat job (every few minutes) run for today reads the moment it
    runs; a daily job, or a replay of another date, reads 09:00 Seoul of its date. Freezing a repeat job
    at 09:00 made "queued for 10 minutes" mean "queued before 08:50" all day (message_results, MSG-6)."""
    return clock.now() if spec.repeat and as_of == clock.today() else as_of


def run_job(name: str, as_of: dt.date | None = None) -> Outcome:
    """Run one job for one as-of date, at most once (see the module docstring).

    Returns ``ran=False`` when the date already succeeded or another worker holds
    it (``status`` then says which). A failure is recorded as ``failed``, an
    interruption (SIGTERM, Ctrl-C) as ``interrupted``, and re-raised; the next
    call resumes it.
    """
    spec = get(name)
    as_of = as_of or clock.today()
    run = _claim(name, as_of, repeat=spec.repeat)
    if run is None:
        done = JobRun.objects.filter(job=name, as_of=as_of).first()
        return Outcome(name, as_of, False, done.status if done else "", dict(done.counts) if done else {})
    started = time.monotonic()
    heartbeat = _Heartbeat(run)
    heartbeat.start()
    try:
        with _sigterm_interrupts():
            if spec.batches is not None:
                counts = _run_batched(spec, as_of)
            else:
                func = spec.resolve()
                with clock.frozen(_moment(spec, as_of)), acting_as(job=name):
                    counts = _counts(func(today=as_of))
    except BaseException as exc:
        # BaseException too: an interruption must not leave the run "running",
        # or the next replay would skip it as "in other hands" until the lease runs out.
        heartbeat.stop()
        interrupted = isinstance(exc, KeyboardInterrupt | JobInterrupted)
        JobRun.objects.filter(pk=run.pk).update(
            status=JobRun.Status.INTERRUPTED if interrupted else JobRun.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:4000],
            finished_at=timezone.now(), duration_ms=int((time.monotonic() - started) * 1000),
        )
        log.exception("job %s for %s %s", name, as_of, "interrupted" if interrupted else "failed")
        observe_job(name, "interrupted" if interrupted else "failed", time.monotonic() - started, {})
        raise
    heartbeat.stop()
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.SUCCEEDED, counts=counts, finished_at=timezone.now(),
        duration_ms=int((time.monotonic() - started) * 1000),
    )
    observe_job(name, JobRun.Status.SUCCEEDED, time.monotonic() - started, counts)
    log.info("job %s for %s succeeded: %s", name, as_of, counts)
    return Outcome(name, as_of, True, JobRun.Status.SUCCEEDED, counts)


# --- Batched jobs shared by several workers (issue 19) -------------------------------------------------


class JobBatchFailed(RuntimeError):
    """A batch of the run failed (in this worker or another); the next attempt resumes the unfinished."""


def _batch_tasks_enabled() -> bool:
    """Fan batches out to other workers only through a real broker: ``JOB_BATCH_TASKS`` when set,
    otherwise whenever tasks are not run eagerly (the demo without Redis runs everything in-process)."""
    configured = getattr(settings, "JOB_BATCH_TASKS", None)
    if configured is not None:
        return bool(configured)
    return not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False)


def _write_plan(spec: JobSpec, as_of: dt.date) -> int:
    """The date's batch rows, written once: existing rows are reused (a resumed run), except that a
    repeat job's finished rows belong to its previous run and make way for a new plan. A failed batch
    of an earlier attempt is made pending again. Returns the number of batches (0: nothing to do)."""
    assert spec.batches is not None
    rows = JobBatch.objects.filter(job=spec.name, as_of=as_of)
    if spec.repeat and rows.exists() and not rows.exclude(status=JobBatch.Status.DONE).exists():
        rows.delete()
    if rows.exists():
        JobBatch.objects.filter(job=spec.name, as_of=as_of, status=JobBatch.Status.FAILED).update(
            status=JobBatch.Status.PENDING
        )
        return rows.count()
    plan, _batch = spec.batches.resolve()
    with clock.frozen(_moment(spec, as_of)), acting_as(job=spec.name):
        payloads = list(plan(today=as_of))
    if not payloads:
        return 0
    try:
        with transaction.atomic():
            JobBatch.objects.bulk_create(
                [JobBatch(job=spec.name, as_of=as_of, index=index, payload=payload)
                 for index, payload in enumerate(payloads)],
                batch_size=1000,
            )
    except IntegrityError:  # written meanwhile by another claim of the date (a taken-over run): reuse it
        pass
    return rows.count()


def _send_batch_tasks(name: str, as_of: dt.date) -> int:
    """One ``core.tasks.run_job_batch`` per takeable batch, on ``JOB_BATCH_QUEUE`` (default: the default
    queue), sent once the plan is committed. Each task takes batches until none is left, so a task that
    finds nothing (the others were faster) costs one query."""
    if not _batch_tasks_enabled():
        return 0
    pending = JobBatch.objects.filter(job=name, as_of=as_of, status=JobBatch.Status.PENDING).count()
    queue = str(getattr(settings, "JOB_BATCH_QUEUE", "") or "")

    def send() -> None:
        from .tasks import run_job_batch  # core.tasks imports this module

        options: dict[str, Any] = {"queue": queue} if queue else {}
        for _ in range(pending):
            run_job_batch.apply_async(args=(name, as_of.isoformat()), **options)

    transaction.on_commit(send)
    return pending


def _take_batch(name: str, as_of: dt.date) -> JobBatch | None:
    """The next batch to run, taken in a short transaction: pending, or running with its lease expired
    (or, on this host, its process gone): a dead worker's. ``SKIP LOCKED``: two workers never wait for
    each other nor take the same batch."""
    now = timezone.now()
    expired = now - lease()
    takeable = Q(status=JobBatch.Status.PENDING) | Q(status=JobBatch.Status.RUNNING, heartbeat_at__lt=expired)
    holders = set(
        JobBatch.objects.filter(job=name, as_of=as_of, status=JobBatch.Status.RUNNING)
        .values_list("worker", flat=True)
    )
    for worker in holders:
        if _process_gone(worker):
            takeable |= Q(status=JobBatch.Status.RUNNING, worker=worker)
    with transaction.atomic():
        batch = (
            JobBatch.objects.select_for_update(skip_locked=True)
            .filter(takeable, job=name, as_of=as_of)
            .order_by("index")
            .first()
        )
        if batch is None:
            return None
        JobBatch.objects.filter(pk=batch.pk).update(
            status=JobBatch.Status.RUNNING, worker=_worker_id(), error="", started_at=now, heartbeat_at=now,
            finished_at=None, attempts=F("attempts") + 1,
        )
    batch.refresh_from_db()
    return batch


class _BatchHeartbeat(threading.Thread):
    """Renews one batch's lease every quarter of it until stopped (its own DB connection)."""

    def __init__(self, batch: JobBatch) -> None:
        super().__init__(name=f"heartbeat-{batch.job}-{batch.as_of}-{batch.index}", daemon=True)
        self.batch_pk, self.attempts = batch.pk, batch.attempts
        self.interval = max(lease().total_seconds() / 4, 0.05)
        self.done = threading.Event()

    def run(self) -> None:
        try:
            while not self.done.wait(self.interval):
                JobBatch.objects.filter(
                    pk=self.batch_pk, status=JobBatch.Status.RUNNING, attempts=self.attempts
                ).update(heartbeat_at=timezone.now())
        except Exception:
            log.exception("job batch heartbeat failed")
        finally:
            connection.close()

    def stop(self) -> None:
        self.done.set()
        self.join()


def _run_batch(spec: JobSpec, batch: JobBatch) -> dict[str, int]:
    """Run one taken batch and record it: ``done`` with its counts, ``failed`` with the error (raised), or
    back to ``pending`` when interrupted (SIGTERM, Ctrl-C), for another worker to take at once. The record
    is conditional on this attempt still holding the batch: a batch taken over from a worker thought dead
    is recorded by its new holder only (the work itself is idempotent)."""
    assert spec.batches is not None
    _plan, func = spec.batches.resolve()
    heartbeat = _BatchHeartbeat(batch)
    heartbeat.start()
    try:
        with clock.frozen(_moment(spec, batch.as_of)), acting_as(job=spec.name):
            counts = _counts(func(today=batch.as_of, payload=batch.payload))
    except BaseException as exc:
        heartbeat.stop()
        interrupted = isinstance(exc, KeyboardInterrupt | JobInterrupted | SystemExit)
        JobBatch.objects.filter(pk=batch.pk, status=JobBatch.Status.RUNNING, attempts=batch.attempts).update(
            status=JobBatch.Status.PENDING if interrupted else JobBatch.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:4000], finished_at=timezone.now(),
        )
        raise
    heartbeat.stop()
    JobBatch.objects.filter(pk=batch.pk, status=JobBatch.Status.RUNNING, attempts=batch.attempts).update(
        status=JobBatch.Status.DONE, counts=counts, finished_at=timezone.now()
    )
    return counts


def work_batches(name: str, as_of: dt.date, *, keep_going: bool = False) -> int:
    """Take and run the date's batches of job ``name`` until none is takeable; returns how many this
    worker ran. A failing batch raises (recorded ``failed``), or with ``keep_going`` (a worker's task) is
    logged and the worker goes on with the next one. What ``core.tasks.run_job_batch`` does."""
    spec = get(name)
    if spec.batches is None:
        raise ValueError(f"job {name!r} is not batched")
    ran = 0
    while (batch := _take_batch(name, as_of)) is not None:
        try:
            _run_batch(spec, batch)
        except Exception:
            if not keep_going:
                raise
            log.exception("job %s for %s: batch %s failed", name, as_of, batch.index)
            continue
        ran += 1
    return ran


def _run_batched(spec: JobSpec, as_of: dt.date) -> dict[str, int]:
    """The claimed run of a batched job: plan once, fan out, work, wait for the others, sum the counts."""
    assert spec.batches is not None
    total = dict.fromkeys(spec.batches.zero, 0)
    if not _write_plan(spec, as_of):
        if not spec.batches.zero:
            # Nothing to batch today: the job's own function reports its zero counts (and any whole-run step).
            with clock.frozen(_moment(spec, as_of)), acting_as(job=spec.name):
                return _counts(spec.resolve()(today=as_of))
        return _finish(spec, as_of, total)
    _send_batch_tasks(spec.name, as_of)
    rows = JobBatch.objects.filter(job=spec.name, as_of=as_of)
    # Waiting for the batches other workers hold: a cheap status read a few times a second, so the run
    # ends soon after its last batch (a 1 s poll added up to a second to every batched job).
    poll = min(max(lease().total_seconds() / 8, 0.05), 0.25)
    while True:
        work_batches(spec.name, as_of)
        statuses = set(rows.values_list("status", flat=True))
        if JobBatch.Status.FAILED in statuses:
            failed = rows.filter(status=JobBatch.Status.FAILED).order_by("index").first()
            assert failed is not None
            raise JobBatchFailed(f"batch {failed.index} of {spec.name} {as_of} failed: {failed.error}")
        if statuses <= {JobBatch.Status.DONE}:
            break
        time.sleep(poll)  # other workers hold batches; a dead one's is taken again once its lease runs out
    for counts in rows.order_by("index").values_list("counts", flat=True):
        add_counts(total, counts)
    return _finish(spec, as_of, total)


def _finish(spec: JobSpec, as_of: dt.date, total: dict[str, int]) -> dict[str, int]:
    """The whole-run step of a batched job (``Batches.finish``), once, after every batch; counts added."""
    assert spec.batches is not None
    if spec.batches.finish:
        with clock.frozen(_moment(spec, as_of)), acting_as(job=spec.name):
            add_counts(total, _counts(import_string(spec.batches.finish)(today=as_of)))
    return total


def dates(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def run_all(as_of: dt.date, only: list[str] | None = None) -> list[Outcome]:
    """Every registered job in order for one date (a failure stops that date: it raises).

    Dates already done are skipped with one query for the whole date, so replaying a year that
    already ran costs a query a day rather than three a job.
    """
    specs = [spec for spec in registry() if not only or spec.name in only]
    done = dict(
        JobRun.objects.filter(as_of=as_of, status=JobRun.Status.SUCCEEDED,
                              job__in=[spec.name for spec in specs if not spec.repeat])
        .values_list("job", "counts")
    )
    outcomes = []
    for spec in specs:
        if spec.name in done:
            outcomes.append(Outcome(spec.name, as_of, False, JobRun.Status.SUCCEEDED, dict(done[spec.name])))
        else:
            outcomes.append(run_job(spec.name, as_of))
    return outcomes


def beat_schedule() -> dict[str, dict[str, Any]]:
    """Celery beat entries for the jobs that have a schedule; each runs for "today"."""
    schedule: dict[str, dict[str, Any]] = {}
    only = set(getattr(settings, "BEAT_ONLY", None) or [])
    for spec in registry():
        if spec.schedule is None or (only and spec.name not in only):
            continue
        schedule[spec.name] = {
            "task": "core.tasks.run_job_task",
            "schedule": spec.schedule,
            "args": (spec.name,),
        }
    # Not a job: proves beat, the broker and a worker alive (core.health, /readyz).
    every = float(getattr(settings, "HEALTH_BEAT_INTERVAL_SECONDS", 60))
    schedule["beat_heartbeat"] = {"task": "core.tasks.beat_heartbeat", "schedule": every}
    return schedule


def daily(hour: int, minute: int) -> Any:
    return crontab(hour=hour, minute=minute)
