"""Killed jobs do not block the day (issue #14): a real ``manage.py run_jobs`` process is killed mid-way.

SIGKILL leaves the run "running"; the next ``run_jobs`` sees that the recorded process is gone and
takes the run over at once, finishing exactly the units that were missing, and the rest of the day's
jobs run. SIGTERM records the run as ``interrupted`` before the process exits.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from core import jobs
from core.jobs import JobSpec
from core.models import Holiday, JobRun

from . import jobfuncs

BASE_DIR = Path(settings.BASE_DIR)
DAY = dt.date(2026, 11, 2)


def database_url() -> str:
    db = connection.settings_dict
    auth = quote(db.get("USER") or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def start(args: list[str], log: Path, *, program: list[str] | None = None, **env: str) -> subprocess.Popen:
    """``manage.py <args>`` (or ``program``) in a process of its own, on the pytest database."""
    full_env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": database_url(),
        "PYTHONPATH": str(BASE_DIR), "CELERY_TASK_ALWAYS_EAGER": "true", **env,
    }
    with log.open("w") as out:
        return subprocess.Popen([sys.executable, *(program or ["manage.py"]), *args], cwd=BASE_DIR,
                                env=full_env, stdout=out, stderr=subprocess.STDOUT)


def wait_until(predicate, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process.poll() is not None:
            pytest.fail(f"the process ended ({process.returncode}) too early:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    pytest.fail(f"nothing happened within {timeout}s:\n{log.read_text()[-3000:]}")


def unit_rows() -> int:
    first = jobfuncs.units_start(DAY)
    return Holiday.objects.filter(date__gte=first, date__lt=first + dt.timedelta(days=jobfuncs.UNITS)).count()


@pytest.fixture
def day_jobs():
    """Two jobs for the day: the slow one that gets killed, then one that must still run after it."""
    jobs.register(JobSpec("fault_units", "tests.core.jobfuncs.units"))
    jobs.register(JobSpec("fault_after", "tests.core.jobfuncs.record"))
    yield
    jobs.unregister("fault_units")
    jobs.unregister("fault_after")


EXTRA = "fault_units=tests.core.jobfuncs.units,fault_after=tests.core.jobfuncs.record"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigkilled_run_jobs_is_taken_over_at_once_and_the_day_completes(tmp_path, day_jobs):
    """§10 (issue #14): SIGKILL mid-way leaves the run "running"; the rerun takes it over at once (the
    recorded process is gone), does only the missing units, and the rest of the day still runs."""
    log = tmp_path / "run.log"
    worker = start(["run_jobs", "--date", DAY.isoformat(), "--job", "fault_units", "--job", "fault_after"],
                   log, EXTRA_JOBS=EXTRA, JOB_TEST_UNIT_DELAY="0.5")
    try:
        wait_until(lambda: unit_rows() >= 2, worker, log)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    killed = JobRun.objects.get(job="fault_units", as_of=DAY)
    assert killed.status == JobRun.Status.RUNNING
    assert killed.worker.endswith(f":{worker.pid}")
    done_before = unit_rows()
    assert 2 <= done_before < jobfuncs.UNITS

    started = time.monotonic()
    call_command("run_jobs", "--date", DAY.isoformat(), "--job", "fault_units", "--job", "fault_after",
                 "--no-progress")
    assert time.monotonic() - started < 10  # not the lease, let alone the old 2-hour window

    resumed = JobRun.objects.get(job="fault_units", as_of=DAY)
    assert (resumed.status, resumed.attempts) == (JobRun.Status.SUCCEEDED, 2)
    assert resumed.counts == {"units": jobfuncs.UNITS - done_before}
    assert unit_rows() == jobfuncs.UNITS  # every unit exactly once (the dates are unique)
    assert JobRun.objects.get(job="fault_after", as_of=DAY).status == JobRun.Status.SUCCEEDED


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_sigterm_records_the_run_as_interrupted_and_the_next_run_resumes_it(tmp_path, day_jobs):
    """§10 (issue #14): SIGTERM records the run ``interrupted`` (not "running") and the process exits
    143; the next run resumes it and the day completes."""
    log = tmp_path / "run.log"
    worker = start(["run_jobs", "--date", DAY.isoformat(), "--job", "fault_units", "--job", "fault_after"],
                   log, EXTRA_JOBS=EXTRA, JOB_TEST_UNIT_DELAY="0.5")
    try:
        wait_until(lambda: unit_rows() >= 1, worker, log)
    finally:
        worker.send_signal(signal.SIGTERM)
        returncode = worker.wait(timeout=30)
    assert returncode == 128 + signal.SIGTERM, log.read_text()[-3000:]
    run = JobRun.objects.get(job="fault_units", as_of=DAY)
    assert run.status == JobRun.Status.INTERRUPTED
    assert run.error.startswith("JobInterrupted")
    assert not JobRun.objects.filter(job="fault_after").exists()

    call_command("run_jobs", "--date", DAY.isoformat(), "--job", "fault_units", "--job", "fault_after",
                 "--no-progress")
    assert JobRun.objects.get(job="fault_units", as_of=DAY).status == JobRun.Status.SUCCEEDED
    assert JobRun.objects.get(job="fault_after", as_of=DAY).status == JobRun.Status.SUCCEEDED
    assert unit_rows() == jobfuncs.UNITS
