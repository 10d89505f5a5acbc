"""Celery tasks: take a name and a date, call the runner, nothing else."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from . import jobs


@shared_task(name="core.tasks.run_job_task")
def run_job_task(name: str, as_of: str | None = None) -> dict[str, object]:
    """Run one job for ``as_of`` (ISO date; default: the clock's today). See ``core.jobs.run_job``."""
    outcome = jobs.run_job(name, dt.date.fromisoformat(as_of) if as_of else None)
    return {
        "job": outcome.job, "as_of": outcome.as_of.isoformat(), "ran": outcome.ran,
        "status": outcome.status, "counts": outcome.counts,
    }


@shared_task(name="core.tasks.run_job_batch", ignore_result=True)
def run_job_batch(name: str, as_of: str) -> dict[str, object]:
    """Take and run batches of a batched job's date until none is left (issue 19; sent by the run that
    claimed the date, one per batch; see ``core.jobs.work_batches``). A batch that fails is recorded and
    the worker goes on; the claiming run fails on it and its next attempt resumes it."""
    ran = jobs.work_batches(name, dt.date.fromisoformat(as_of), keep_going=True)
    return {"job": name, "as_of": as_of, "batches": ran}


@shared_task(name="core.tasks.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    """Sent by beat every minute; the worker that runs it proves beat, broker and worker alive (/readyz)."""
    from .health import BEAT, record_heartbeat

    record_heartbeat(BEAT, source=jobs._worker_id())
