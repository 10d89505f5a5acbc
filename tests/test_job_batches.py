"""Issue 19, scaling out: a whole-book job split into batches that any number of workers share.

* The run that claims a date writes the plan once (``JobBatch`` rows); a failed run is resumed by the next
  attempt, which reuses the plan and runs only the unfinished batches.
* A batch whose worker died (lease expired, or its process gone on this host) is taken again.
* Two workers on one batched job (threads with their own connections; then two real ``celery worker``
  processes through Redis beside the claiming process) share the batches: each batch is done once, every
  invoice is issued once with gapless numbers (BIL-2), the run's counts are the batches' summed, and the
  job run again does nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from billing.models import Invoice, LedgerEntry
from billing.services import invoicing
from contracts.presets import load_presets
from core import jobs
from core.jobs import Batches, JobSpec
from core.models import Holiday, JobBatch, JobRun
from core.tasks import run_job_batch
from tests.billing.conftest import make_contract
from tests.core import batchfuncs
from tests.core.test_job_faults import database_url

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(settings.BASE_DIR)
JOB = "test_batched"
DAY = dt.date(2026, 11, 3)
ISSUE = dt.date(2026, 2, 10)


@pytest.fixture(autouse=True)
def _batched_job():  # type: ignore[no-untyped-def]
    batchfuncs.SIZE.update(batches=5, delay=0.0)
    batchfuncs.FAIL.clear()
    batchfuncs.PLANS.clear()
    batchfuncs.RAN.clear()
    jobs.register(JobSpec(JOB, "tests.core.batchfuncs.job", batches=Batches(
        plan="tests.core.batchfuncs.plan", batch="tests.core.batchfuncs.batch")))
    yield
    jobs.unregister(JOB)


def _batches(job: str, as_of: dt.date) -> dict[int, tuple[str, int]]:
    return {
        index: (status, attempts)
        for index, status, attempts in JobBatch.objects.filter(job=job, as_of=as_of)
        .values_list("index", "status", "attempts")
    }


def test_plan_is_written_once_and_the_next_attempt_resumes_only_unfinished_batches() -> None:
    """§10, issue 19: a batch fails, so the run fails; the next attempt reuses the stored plan (even though
    a new plan would now differ) and runs only the failed and pending batches; the counts are summed over
    every batch, each batch ran under the job's clock and actor, and a third call does nothing."""
    D, P, F = JobBatch.Status.DONE, JobBatch.Status.PENDING, JobBatch.Status.FAILED
    batchfuncs.FAIL.add(2)
    with pytest.raises(RuntimeError, match="batch 2 broke"):
        jobs.run_job(JOB, DAY)
    run = JobRun.objects.get(job=JOB, as_of=DAY)
    assert run.status == JobRun.Status.FAILED and "batch 2 broke" in run.error
    assert _batches(JOB, DAY) == {0: (D, 1), 1: (D, 1), 2: (F, 1), 3: (P, 0), 4: (P, 0)}
    assert batchfuncs.PLANS == [DAY]

    batchfuncs.FAIL.clear()  # the fix is deployed
    batchfuncs.SIZE["batches"] = 9  # a new plan would have nine batches: the stored one is used
    outcome = jobs.run_job(JOB, DAY)
    assert (outcome.ran, outcome.status) == (True, JobRun.Status.SUCCEEDED)
    assert outcome.counts == {"rows": 5, "batches": 5}
    assert batchfuncs.PLANS == [DAY]
    assert batchfuncs.RAN == [0, 1, 2, 2, 3, 4]
    assert _batches(JOB, DAY) == {0: (D, 1), 1: (D, 1), 2: (D, 2), 3: (D, 1), 4: (D, 1)}
    run.refresh_from_db()
    assert (run.status, run.attempts, run.counts) == (JobRun.Status.SUCCEEDED, 2, {"rows": 5, "batches": 5})
    notes = set(Holiday.objects.filter(name__startswith="batch ").values_list("note", flat=True))
    assert notes == {f"clock={DAY} actor=job:{JOB}"}

    again = jobs.run_job(JOB, DAY)
    assert (again.ran, again.status) == (False, JobRun.Status.SUCCEEDED)
    assert batchfuncs.RAN == [0, 1, 2, 2, 3, 4]
    assert Holiday.objects.filter(name__startswith="batch ").count() == 5


def test_a_dead_workers_batch_is_taken_again(settings) -> None:  # type: ignore[no-untyped-def]
    """§10, issue 19: batches left "running" by dead workers are taken again: at once when the lease is
    over or the process is gone (this host), after the lease when another host's worker stops renewing
    it; a batch already done is not run again and keeps its counts; the plan is not written again."""
    settings.JOB_LEASE_SECONDS = 1
    gone = subprocess.Popen(["true"])  # a pid that no longer runs
    gone.wait()
    now = timezone.now()
    running = JobBatch.Status.RUNNING
    rows = [
        JobBatch(index=0, status=JobBatch.Status.DONE, attempts=1, worker="elsewhere:7",
                 counts={"rows": 1, "batches": 1}),
        JobBatch(index=1, status=running, attempts=1, worker="elsewhere:8",
                 heartbeat_at=now - dt.timedelta(minutes=10)),
        JobBatch(index=2, status=running, attempts=1, worker=f"{socket.gethostname()}:{gone.pid}",
                 heartbeat_at=now + dt.timedelta(minutes=10)),
        JobBatch(index=3, status=running, attempts=1, worker="elsewhere:9", heartbeat_at=now),
        JobBatch(index=4),
    ]
    for row in rows:
        row.job, row.as_of, row.payload = JOB, DAY, {"n": row.index}
    JobBatch.objects.bulk_create(rows)
    Holiday.objects.create(date=batchfuncs.day(DAY, 0), name="batch 0")  # what batch 0 did

    started = time.monotonic()
    outcome = jobs.run_job(JOB, DAY)
    assert outcome.status == JobRun.Status.SUCCEEDED
    assert time.monotonic() - started >= 0.5  # batch 3 was waited for until its lease ran out
    assert outcome.counts == {"rows": 5, "batches": 5}
    assert batchfuncs.PLANS == []
    assert sorted(batchfuncs.RAN) == [1, 2, 3, 4]
    D = JobBatch.Status.DONE
    assert _batches(JOB, DAY) == {0: (D, 1), 1: (D, 2), 2: (D, 2), 3: (D, 2), 4: (D, 1)}
    mine = jobs._worker_id()
    assert set(JobBatch.objects.filter(job=JOB, index__gte=1).values_list("worker", flat=True)) == {mine}
    assert Holiday.objects.filter(name__startswith="batch ").count() == 5


def test_work_batches_runs_nothing_when_every_batch_is_done_or_held() -> None:
    """Issue 19: a worker's task (core.tasks.run_job_batch) with nothing takeable returns at once: a batch
    done, and one another live worker holds, are left alone."""
    JobBatch.objects.create(job=JOB, as_of=DAY, index=0, status=JobBatch.Status.DONE, attempts=1)
    JobBatch.objects.create(job=JOB, as_of=DAY, index=1, status=JobBatch.Status.RUNNING, attempts=1,
                            worker="elsewhere:1", heartbeat_at=timezone.now())
    assert run_job_batch(JOB, DAY.isoformat()) == {"job": JOB, "as_of": DAY.isoformat(), "batches": 0}
    assert batchfuncs.RAN == []


def _contracts(n: int) -> list[Any]:
    load_presets()
    return [make_contract("dcloud-vm-standard", start=dt.date(2026, 1, 1)) for _ in range(n)]


def _slow_issue(monkeypatch: pytest.MonkeyPatch, delay: float) -> None:
    issue = invoicing._issue

    def slowed(drafts: list[Any]) -> list[Any]:
        issued = issue(drafts)
        time.sleep(delay)
        return issued

    monkeypatch.setattr(invoicing, "_issue", slowed)


def _slow_drafts(monkeypatch: pytest.MonkeyPatch, delay: float) -> None:
    """Each batch's drafting (the charge computation, before the gapless counter is locked) takes
    ``delay`` seconds more: the part of an invoice batch that workers do side by side. (From the number
    reservation to the commit a batch holds the year's counter row, so that part is one at a time.)"""
    draft = invoicing._batch_drafts

    def slowed(*args: Any, **kwargs: Any) -> list[Any]:
        time.sleep(delay)
        return draft(*args, **kwargs)

    monkeypatch.setattr(invoicing, "_batch_drafts", slowed)


def _assert_issued_once(contracts: list[Any], counts: dict[str, int]) -> None:
    """BIL-2: one invoice per customer, gapless numbers, one ledger entry each, the counts summed right."""
    n = len(contracts)
    keys = list(Invoice.objects.values_list("customer_id", "schedule", "period_start"))
    assert len(keys) == len(set(keys)) == n
    assert {key[0] for key in keys} == {c.customer_id for c in contracts}
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-2026-{i:06d}" for i in range(1, n + 1)
    ]
    assert LedgerEntry.objects.filter(kind="invoice").count() == n
    total = Invoice.objects.aggregate(total=Sum("total_won"))["total"]
    assert counts == {"customers": n, "invoices": n, "already_issued": 0, "total_won": total}
    assert set(_batches("generate_invoices", ISSUE).values()) == {(JobBatch.Status.DONE, 1)}
    assert JobBatch.objects.filter(job="generate_invoices", as_of=ISSUE).count() == n


def test_two_workers_in_threads_share_the_invoice_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """BIL-2, issue 19: the claiming run and a second worker's task (its own DB connection) share one
    batched invoice run: each batch once, each invoice once with gapless numbers, counts summed; the job
    again does nothing, nor does the invoice run called directly."""
    contracts = _contracts(8)
    monkeypatch.setattr(invoicing, "BATCH_SIZE", 1)
    _slow_issue(monkeypatch, 0.2)
    helper: dict[str, Any] = {}

    def second_worker() -> None:
        try:
            deadline = time.monotonic() + 60
            while not JobBatch.objects.filter(job="generate_invoices", as_of=ISSUE).exists():
                assert time.monotonic() < deadline, "no plan was written"
                time.sleep(0.02)
            helper.update(run_job_batch("generate_invoices", ISSUE.isoformat()))
        except BaseException as exc:  # pragma: no cover - reported below
            helper["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=second_worker)
    thread.start()
    outcome = jobs.run_job("generate_invoices", ISSUE)
    thread.join()
    assert "error" not in helper, helper
    assert 1 <= helper["batches"] < 8, helper  # both took batches
    assert outcome.status == JobRun.Status.SUCCEEDED
    _assert_issued_once(contracts, outcome.counts)
    assert jobs.run_job("generate_invoices", ISSUE).ran is False
    assert invoicing.invoices_generate(today=ISSUE)["invoices"] == 0


def _worker(queue: str, name: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "JOB_TEST_UNIT_DELAY": "0.3",
        "PYTHONPATH": str(BASE_DIR),
    }
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.batchworker", "--pool=solo", "--concurrency=1", "-Q", queue,
             "-n", f"{name}-{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "--loglevel=INFO"],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )


def _stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


@pytest.mark.slow
def test_two_real_celery_workers_share_one_batched_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings  # type: ignore[no-untyped-def]
) -> None:
    """BIL-2, §10, issue 19: the run that claims the invoice run sends one task per batch through Redis;
    two real ``celery worker`` processes and the claiming process take the batches (SKIP LOCKED): each of
    the three does some, side by side (the run ends sooner than one process could), each batch is done
    once, every invoice is issued once with gapless numbers, the run's counts are the batches' summed, and
    the job run again does nothing."""
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    queue = f"termsops-test-batches-{uuid.uuid4().hex[:12]}"
    settings.JOB_BATCH_TASKS = True
    settings.JOB_BATCH_QUEUE = queue
    contracts = _contracts(12)
    monkeypatch.setattr(invoicing, "BATCH_SIZE", 1)
    _slow_drafts(monkeypatch, 0.3)
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers = [_worker(queue, "a", logs[0]), _worker(queue, "b", logs[1])]
    try:
        deadline = time.monotonic() + 90
        while not all(" ready." in log.read_text() for log in logs):
            for worker, log in zip(workers, logs, strict=True):
                if worker.poll() is not None:
                    pytest.fail(f"worker exited with {worker.returncode}:\n{log.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                tails = "\n".join(log.read_text()[-2000:] for log in logs)
                pytest.fail(f"the workers did not start:\n{tails}")
            time.sleep(0.2)

        started = time.monotonic()
        outcome = jobs.run_job("generate_invoices", ISSUE)
        elapsed = time.monotonic() - started

        assert outcome.status == JobRun.Status.SUCCEEDED
        _assert_issued_once(contracts, outcome.counts)
        # Adding workers shortens the night: one process alone needs at least 12 × 0.3 s for these
        # batches (each one's drafting is slowed that much); the three together finished sooner.
        timeline = [
            (b.index, b.worker.rpartition(":")[2], f"{(b.started_at - t0).total_seconds():.2f}",
             f"{(b.finished_at - t0).total_seconds():.2f}")
            for t0 in [JobRun.objects.get(job="generate_invoices", as_of=ISSUE).started_at]
            for b in JobBatch.objects.filter(job="generate_invoices", as_of=ISSUE).order_by("started_at")
        ]
        assert elapsed < 12 * 0.3, f"{elapsed:.1f} s: the batches were not worked on side by side: {timeline}"
        by_worker = Counter(
            JobBatch.objects.filter(job="generate_invoices", as_of=ISSUE).values_list("worker", flat=True)
        )
        pids = {int(worker_id.rpartition(":")[2]) for worker_id in by_worker}
        assert pids == {os.getpid(), workers[0].pid, workers[1].pid}, (by_worker, logs[0].read_text()[-3000:])
        assert sum(by_worker.values()) == 12
        assert jobs.run_job("generate_invoices", ISSUE).ran is False
        assert Invoice.objects.count() == 12
    finally:
        for worker in workers:
            _stop(worker)
        redis.Redis.from_url(settings.CELERY_BROKER_URL).delete(queue)


def test_the_job_run_page_shows_its_batches_by_status_and_worker() -> None:
    """Issue 19: the admin's job-run record of a batched job shows its batches in words: how many are in
    each status and how many each worker ran."""
    from django.test import Client
    from django.urls import reverse

    from tests.factories import UserFactory

    outcome = jobs.run_job(JOB, DAY)
    assert outcome.status == JobRun.Status.SUCCEEDED
    run = JobRun.objects.get(job=JOB, as_of=DAY)
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:core_jobrun_change", args=[run.pk])).content.decode()
    assert '<th scope="row">완료</th><td>5</td>' in page
    assert f'<th scope="row">{jobs._worker_id()}</th><td>5</td>' in page


@pytest.mark.parametrize("zero", [(), ("rows", "batches")])
def test_a_day_with_nothing_to_batch_reports_zero_counts(zero: tuple[str, ...]) -> None:
    """§10, issue 19: an empty plan writes no batch and reports the job's count keys as 0: from the spec's
    ``zero`` when it names them (the plan read once), otherwise from the job's own function."""
    batchfuncs.SIZE["batches"] = 0
    jobs.register(JobSpec(JOB, "tests.core.batchfuncs.job", batches=Batches(
        plan="tests.core.batchfuncs.plan", batch="tests.core.batchfuncs.batch", zero=zero)))
    outcome = jobs.run_job(JOB, DAY)
    assert (outcome.status, outcome.counts) == (JobRun.Status.SUCCEEDED, {"rows": 0, "batches": 0})
    assert not JobBatch.objects.filter(job=JOB).exists()
    assert len(batchfuncs.PLANS) == (1 if zero else 2)


def test_the_batched_jobs_declare_the_count_keys_their_services_report() -> None:
    """Issue 19: the ``zero`` keys of the invoice run and renewals in config/jobs.py are those the services
    count, so an empty day reports the same keys as a busy one."""
    from contracts.services import renewal

    batches = {name: jobs.get(name).batches for name in ("generate_invoices", "renew_contracts")}
    assert batches["generate_invoices"] is not None and batches["renew_contracts"] is not None
    assert batches["generate_invoices"].zero == tuple(invoicing._zero())
    assert batches["renew_contracts"].zero == tuple(renewal._zero())
