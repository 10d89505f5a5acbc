"""A job sent through the real Redis broker runs in a real Celery worker (SPEC §10: Celery beat jobs).

The worker is a subprocess on a queue of its own, pointed at the pytest test
database; the job is made visible to it through the ``EXTRA_JOBS`` setting.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from core.models import Holiday, JobRun
from core.tasks import run_job_task
from tests.core.jobfuncs import marker_date

BASE_DIR = Path(settings.BASE_DIR)
JOB = "celery_worker_record"


def _database_url() -> str:
    db = connection.settings_dict
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{auth}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


def _wait_for(predicate, timeout: float, worker: subprocess.Popen, log: Path):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            pytest.fail(f"worker exited with {worker.returncode}:\n{log.read_text()[-4000:]}")
        time.sleep(0.25)
    pytest.fail(f"nothing happened within {timeout}s; worker log:\n{log.read_text()[-4000:]}")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_job_runs_in_a_real_worker_through_redis(tmp_path):
    """§10: beat's task (core.tasks.run_job_task) travels through Redis and the worker runs the job once."""
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "this test needs the real broker"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    queue = f"termsops-test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EXTRA_JOBS": f"{JOB}=tests.core.jobfuncs.record",
        "PYTHONPATH": str(BASE_DIR),
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
             "-Q", queue, "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        as_of = dt.date(2026, 11, 1)
        run_job_task.apply_async(args=[JOB, as_of.isoformat()], queue=queue)
        _wait_for(
            lambda: JobRun.objects.filter(job=JOB, as_of=as_of, status=JobRun.Status.SUCCEEDED).exists(),
            timeout=60, worker=worker, log=log,
        )
        run = JobRun.objects.get(job=JOB, as_of=as_of)
        assert run.counts == {"rows": 1, "day": 1}
        assert run.attempts == 1
        assert run.worker.endswith(f":{worker.pid}")  # the worker process ran it, not this one
        marker = Holiday.objects.get(date=marker_date(as_of))
        assert marker.note == f"clock=2026-11-01 actor=job:{JOB}"

        # Sent again (beat fires twice, a redelivery): the worker does nothing new.
        run_job_task.apply_async(args=[JOB, as_of.isoformat()], queue=queue)
        run_job_task.apply_async(args=[JOB, "2026-11-02"], queue=queue)  # processed after the repeat
        _wait_for(
            lambda: JobRun.objects.filter(job=JOB, as_of=dt.date(2026, 11, 2),
                                          status=JobRun.Status.SUCCEEDED).exists(),
            timeout=60, worker=worker, log=log,
        )
        assert JobRun.objects.get(job=JOB, as_of=as_of).attempts == 1
        assert Holiday.objects.filter(name="marker record").count() == 2
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
