"""Scheduled jobs: idempotent, resumable, safe on several workers, recorded with counts (SPEC §10)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from celery.schedules import crontab
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core import jobs
from core.jobs import JobSpec
from core.models import Holiday, JobRun

from . import jobfuncs

NOV1, NOV5 = dt.date(2026, 11, 1), dt.date(2026, 11, 5)
JOB_NAMES = ["test_record", "test_count", "test_failing", "test_slow", "test_interrupted",
             "test_bad_counts", "test_repeat", "test_scheduled"]


def spec(name: str, func: str, **kwargs) -> JobSpec:
    return JobSpec(name=name, func=f"tests.core.jobfuncs.{func}", **kwargs)


@pytest.fixture(autouse=True)
def _registry():
    jobfuncs.CALLS.clear()
    jobfuncs.FAIL["failing"] = True
    yield
    for name in JOB_NAMES:
        jobs.unregister(name)
    jobfuncs.CALLS.clear()


@pytest.fixture
def two_jobs():
    jobs.register(spec("test_record", "record"))
    jobs.register(spec("test_count", "count_only"))
    return ["test_record", "test_count"]


def run(*args: str) -> None:
    call_command("run_jobs", *args, "--no-progress")


@pytest.mark.django_db
def test_range_records_one_run_per_job_and_date(two_jobs):
    """§10: one command runs every job in order for each date, recording a run with counts."""
    run("--date", "2026-11-01", "--until", "2026-11-05", "--job", "test_record", "--job", "test_count")
    runs = JobRun.objects.filter(job__in=two_jobs)
    assert runs.count() == 10
    for job in two_jobs:
        assert sorted(runs.filter(job=job).values_list("as_of", flat=True)) == list(jobs.dates(NOV1, NOV5))
    assert set(runs.values_list("status", "attempts")) == {(JobRun.Status.SUCCEEDED, 1)}
    nov3 = runs.get(job="test_record", as_of=dt.date(2026, 11, 3))
    assert nov3.counts == {"rows": 1, "day": 3}
    assert nov3.finished_at is not None and nov3.duration_ms is not None and nov3.worker
    assert runs.get(job="test_count", as_of=NOV5).counts == {"seen": 1}
    # In order: for each date, record then count.
    assert jobfuncs.CALLS[:4] == [("record", NOV1), ("count_only", NOV1),
                                  ("record", dt.date(2026, 11, 2)), ("count_only", dt.date(2026, 11, 2))]
    assert Holiday.objects.filter(name="marker record").count() == 5


@pytest.mark.django_db
def test_job_runs_with_the_clock_at_its_date_and_as_the_job(two_jobs):
    """§10: a replayed job sees the as-of date as today and is the audit actor "job:<name>"."""
    run("--date", "2026-11-03", "--job", "test_record")
    marker = Holiday.objects.get(date=jobfuncs.marker_date(dt.date(2026, 11, 3)))
    assert marker.note == "clock=2026-11-03 actor=job:test_record"
    assert marker.history.get().history_actor == "job:test_record"


@pytest.mark.django_db
def test_second_run_of_the_same_range_does_nothing(two_jobs, capsys):
    """§10: idempotent — running the same dates again creates no run and calls no job."""
    run("--date", "2026-11-01", "--until", "2026-11-05", "--job", "test_record", "--job", "test_count")
    before = list(JobRun.objects.filter(job__in=two_jobs).values_list("pk", "attempts", "finished_at"))
    jobfuncs.CALLS.clear()
    out_before = capsys.readouterr()
    run("--date", "2026-11-01", "--until", "2026-11-05", "--job", "test_record", "--job", "test_count")
    assert jobfuncs.CALLS == []
    after = list(JobRun.objects.filter(job__in=two_jobs).values_list("pk", "attempts", "finished_at"))
    assert after == before
    assert "0 job runs, 10 already done" in capsys.readouterr().out
    assert out_before  # the first run reported too


@pytest.mark.django_db
def test_run_job_returns_outcome_and_skips_done_dates(two_jobs):
    """§10: run_job reports whether it ran and the counts; a done date is skipped with its counts."""
    first = jobs.run_job("test_count", NOV1)
    assert (first.ran, first.status, first.counts) == (True, JobRun.Status.SUCCEEDED, {"seen": 1})
    second = jobs.run_job("test_count", NOV1)
    assert (second.ran, second.status, second.counts) == (False, JobRun.Status.SUCCEEDED, {"seen": 1})
    assert jobfuncs.CALLS == [("count_only", NOV1)]


@pytest.mark.django_db
def test_run_job_defaults_to_the_clocks_today(two_jobs, settings):
    """§10: with no date, a job (beat) runs for the clock's today."""
    settings.CLOCK_TODAY = "2026-11-20"
    outcome = jobs.run_job("test_count")
    assert outcome.as_of == dt.date(2026, 11, 20)
    assert JobRun.objects.filter(job="test_count", as_of=dt.date(2026, 11, 20)).exists()


@pytest.mark.django_db
def test_failed_job_is_recorded_and_resumed():
    """§10: a failure is recorded with its error and the next run resumes it (attempt 2)."""
    jobs.register(spec("test_failing", "failing"))
    with pytest.raises(CommandError, match=r"2026-11-01 test_failing failed.*provider down"):
        run("--date", "2026-11-01", "--until", "2026-11-02", "--job", "test_failing")
    failed = JobRun.objects.get(job="test_failing")
    assert failed.status == JobRun.Status.FAILED
    assert failed.as_of == NOV1
    assert failed.error == "RuntimeError: provider down on 2026-11-01"
    assert failed.finished_at is not None and failed.attempts == 1
    # The failure stopped the range: 11-02 did not run.
    assert not JobRun.objects.filter(job="test_failing", as_of=dt.date(2026, 11, 2)).exists()

    jobfuncs.FAIL["failing"] = False
    run("--date", "2026-11-01", "--until", "2026-11-02", "--job", "test_failing")
    resumed = JobRun.objects.get(job="test_failing", as_of=NOV1)
    assert (resumed.status, resumed.attempts, resumed.error) == (JobRun.Status.SUCCEEDED, 2, "")
    assert resumed.counts == {"recovered": 1}
    assert JobRun.objects.get(job="test_failing", as_of=dt.date(2026, 11, 2)).attempts == 1
    expected_calls = [("failing", NOV1), ("failing", NOV1), ("failing", dt.date(2026, 11, 2))]
    assert expected_calls == jobfuncs.CALLS


@pytest.mark.django_db
def test_failed_run_job_raises_to_the_caller():
    """§10: run_job re-raises (Celery sees the task fail) after recording the failure."""
    jobs.register(spec("test_failing", "failing"))
    with pytest.raises(RuntimeError, match="provider down"):
        jobs.run_job("test_failing", NOV1)
    assert JobRun.objects.get(job="test_failing").status == JobRun.Status.FAILED


@pytest.mark.django_db
def test_interrupted_run_is_resumable():
    """§10: Ctrl-C during a replay leaves the run interrupted, not "running" (bug: skipped for 2 hours)."""
    jobs.register(spec("test_interrupted", "interrupted"))
    with pytest.raises(KeyboardInterrupt):
        jobs.run_job("test_interrupted", NOV1)
    assert JobRun.objects.get(job="test_interrupted").status == JobRun.Status.INTERRUPTED
    jobs.register(spec("test_interrupted", "count_only"))  # the fixed code
    assert jobs.run_job("test_interrupted", NOV1).ran


@pytest.mark.django_db
def test_bad_counts_fail_the_run():
    """§10: counts must be a dict of numbers (bug: a bad return left the run "running")."""
    jobs.register(spec("test_bad_counts", "bad_counts"))
    with pytest.raises(TypeError, match="dict of counts"):
        jobs.run_job("test_bad_counts", NOV1)
    assert JobRun.objects.get(job="test_bad_counts").status == JobRun.Status.FAILED


@pytest.mark.django_db
def test_running_elsewhere_is_not_run_and_the_command_says_so(two_jobs):
    """§10: a run in another worker's hands is not started twice; a stale one (crash) is resumed."""
    JobRun.objects.create(job="test_count", as_of=NOV1, started_at=timezone.now(), worker="other:1")
    outcome = jobs.run_job("test_count", NOV1)
    assert (outcome.ran, outcome.status) == (False, JobRun.Status.RUNNING)
    with pytest.raises(CommandError, match="running in another worker"):
        run("--date", "2026-11-01", "--job", "test_count")
    assert jobfuncs.CALLS == []

    JobRun.objects.filter(job="test_count").update(started_at=timezone.now() - jobs.lease() * 2)
    run("--date", "2026-11-01", "--job", "test_count")
    resumed = JobRun.objects.get(job="test_count", as_of=NOV1)
    assert (resumed.status, resumed.attempts) == (JobRun.Status.SUCCEEDED, 2)
    assert jobfuncs.CALLS == [("count_only", NOV1)]


@pytest.mark.django_db
def test_repeat_job_runs_again_the_same_day():
    """§10: message_results runs every 5 minutes: a repeat job is not blocked by the day's success."""
    jobs.register(spec("test_repeat", "count_only", repeat=True))
    assert jobs.run_job("test_repeat", NOV1).ran
    assert jobs.run_job("test_repeat", NOV1).ran
    run_row = JobRun.objects.get(job="test_repeat")
    assert (run_row.status, run_row.attempts) == (JobRun.Status.SUCCEEDED, 2)
    assert len(jobfuncs.CALLS) == 2


@pytest.mark.django_db
def test_a_repeat_job_run_for_today_reads_the_moment_it_runs_and_a_replay_reads_nine():
    """§10, MSG-6: message_results (every 5 minutes) asks "queued for 10 minutes?" against the moment it
    runs; frozen at 09:00 of its date it missed everything queued after 08:50 all day. A replay of another
    date, and a daily job, still run at 09:00 Seoul of their date."""
    from core import clock

    jobs.register(spec("test_repeat", "moment", repeat=True))
    jobs.register(spec("test_scheduled", "moment"))
    jobfuncs.MOMENTS.clear()
    at = dt.datetime(2026, 11, 5, 15, 42, tzinfo=clock.SEOUL)
    with clock.frozen(at):
        jobs.run_job("test_repeat")
        jobs.run_job("test_repeat", NOV1)
        jobs.run_job("test_scheduled")
    nine = dt.time(9, 0)
    assert jobfuncs.MOMENTS[0] == at
    assert (jobfuncs.MOMENTS[1].date(), jobfuncs.MOMENTS[1].timetz().replace(tzinfo=None)) == (NOV1, nine)
    assert jobfuncs.MOMENTS[2].astimezone(clock.SEOUL).time() == nine


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_do_the_work_once():
    """§10: safe on several workers — two threads racing for the same job and date call it once."""
    jobs.register(spec("test_slow", "slow"))
    barrier = threading.Barrier(2)
    outcomes: list[jobs.Outcome] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(jobs.run_job("test_slow", NOV1))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert jobfuncs.CALLS == [("slow", NOV1)]
    assert sorted(o.ran for o in outcomes) == [False, True]
    row = JobRun.objects.get(job="test_slow", as_of=NOV1)
    assert (row.status, row.attempts) == (JobRun.Status.SUCCEEDED, 1)
    assert Holiday.objects.filter(name="marker slow").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_resuming_a_failed_run_do_it_once():
    """§10: racing retries of a failed run: the conditional claim lets exactly one through."""
    jobs.register(spec("test_slow", "slow"))
    JobRun.objects.create(job="test_slow", as_of=NOV1, started_at=timezone.now(), status=JobRun.Status.FAILED)
    barrier = threading.Barrier(2)
    outcomes: list[jobs.Outcome] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(jobs.run_job("test_slow", NOV1))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert jobfuncs.CALLS == [("slow", NOV1)]
    assert sorted(o.ran for o in outcomes) == [False, True]
    assert JobRun.objects.get(job="test_slow").attempts == 2


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--date", "2026-13-01"], "--date"),
        (["--date", "yesterday"], "--date"),
        (["--date", "2026-11-01", "--until", "11/05/2026"], "--until"),
    ],
)
@pytest.mark.django_db
def test_bad_dates_name_the_option(args, option):
    """§10: a mistyped date is refused with the option's name."""
    with pytest.raises(CommandError, match=f"^{option}: "):
        run(*args)
    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_until_before_date_is_refused():
    """§10: an empty range is a mistake, not a silent no-op."""
    with pytest.raises(CommandError, match="--until"):
        run("--date", "2026-11-05", "--until", "2026-11-01")


@pytest.mark.django_db
def test_unknown_job_is_refused(two_jobs):
    """§10: --job names a registered job."""
    with pytest.raises(CommandError, match=r"unknown job.*no_such_job"):
        run("--date", "2026-11-01", "--job", "no_such_job")
    with pytest.raises(KeyError, match="no_such_job"):
        jobs.run_job("no_such_job", NOV1)
    assert not JobRun.objects.exists()


def test_beat_schedule_has_scheduled_jobs():
    """§10: beat runs each scheduled job through core.tasks.run_job_task; unscheduled ones are not in beat."""
    jobs.register(spec("test_scheduled", "count_only", schedule=jobs.daily(3, 0)))
    jobs.register(spec("test_count", "count_only"))
    schedule = jobs.beat_schedule()
    entry = schedule["test_scheduled"]
    assert entry["task"] == "core.tasks.run_job_task"
    assert entry["args"] == ("test_scheduled",)
    assert isinstance(entry["schedule"], crontab)
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {0}
    assert "test_count" not in schedule


def test_registry_reads_extra_jobs_setting(settings):
    """§10: EXTRA_JOBS ("name=module.function") adds jobs every process sees (the worker test uses it)."""
    settings.EXTRA_JOBS = ["test_count=tests.core.jobfuncs.count_only"]
    assert jobs.get("test_count").resolve() is jobfuncs.count_only
    settings.EXTRA_JOBS = ["broken"]
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="EXTRA_JOBS"):
        jobs.registry()


def test_registry_reads_the_list_the_daily_jobs_setting_names(settings):
    """§10: the built-in list is injected by the DAILY_JOBS setting (core imports no config); a wrong
    path is a configuration error, not an empty list."""
    from django.core.exceptions import ImproperlyConfigured

    from config.jobs import JOBS

    assert settings.DAILY_JOBS == "config.jobs.JOBS"
    assert [s.name for s in jobs.registry()][: len(JOBS)] == [s.name for s in JOBS]
    settings.DAILY_JOBS = "tests.core.jobfuncs.TEST_DAILY_JOBS"
    assert [s.name for s in jobs.registry()] == ["test_record"]
    settings.DAILY_JOBS = "tests.core.jobfuncs.NOT_THERE"
    with pytest.raises(ImproperlyConfigured, match="DAILY_JOBS"):
        jobs.registry()


def test_register_replaces_and_unregister_removes():
    """§10: registering a name twice keeps one entry."""
    jobs.register(spec("test_count", "count_only"))
    jobs.register(spec("test_count", "record"))
    assert [s.func for s in jobs.registry() if s.name == "test_count"] == ["tests.core.jobfuncs.record"]
    jobs.unregister("test_count")
    assert all(s.name != "test_count" for s in jobs.registry())


@pytest.mark.django_db
def test_run_job_task_eager(two_jobs):
    """§10: the Celery task only calls the runner with the date."""
    from core.tasks import run_job_task

    result = run_job_task.apply(args=["test_count", "2026-11-01"]).get()
    assert result == {"job": "test_count", "as_of": "2026-11-01", "ran": True, "status": "succeeded",
                      "counts": {"seen": 1}}


@pytest.mark.django_db
def test_a_run_with_a_live_heartbeat_is_not_taken_but_an_expired_lease_is(two_jobs):
    """§10 (issue #14): a lease, not a 2-hour window — a recent heartbeat keeps the run in its worker's
    hands even when it started long ago; a heartbeat older than the lease is a dead worker's run."""
    long_ago = timezone.now() - dt.timedelta(hours=5)
    JobRun.objects.create(job="test_count", as_of=NOV1, started_at=long_ago, heartbeat_at=timezone.now(),
                          worker="other-host:1")
    assert jobs.run_job("test_count", NOV1).ran is False
    expired = timezone.now() - jobs.lease() - dt.timedelta(seconds=1)
    JobRun.objects.filter(job="test_count").update(heartbeat_at=expired)
    outcome = jobs.run_job("test_count", NOV1)
    assert (outcome.ran, outcome.status) == (True, JobRun.Status.SUCCEEDED)
    assert JobRun.objects.get(job="test_count").attempts == 2


@pytest.mark.django_db
def test_a_run_whose_process_is_gone_is_taken_at_once(two_jobs):
    """§10 (issue #14): on the same host, a run whose recorded process no longer exists (SIGKILL) is
    resumed at once, though its heartbeat is fresh; a live process's run is left alone."""
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    JobRun.objects.create(job="test_count", as_of=NOV1, started_at=timezone.now(),
                          heartbeat_at=timezone.now(), worker=f"{host}:{gone.pid}")
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        JobRun.objects.create(job="test_record", as_of=NOV1, started_at=timezone.now(),
                              heartbeat_at=timezone.now(), worker=f"{host}:{alive.pid}")
        assert jobs.run_job("test_record", NOV1).ran is False
    finally:
        alive.kill()
        alive.wait()
    outcome = jobs.run_job("test_count", NOV1)
    assert (outcome.ran, outcome.status) == (True, JobRun.Status.SUCCEEDED)


@pytest.mark.django_db(transaction=True)
def test_heartbeat_renews_the_lease_while_the_job_runs(settings):
    """§10 (issue #14): a long job renews its heartbeat, so it is never mistaken for a dead one."""
    settings.JOB_LEASE_SECONDS = 1  # renewed every 0.25 s
    jobs.register(spec("test_slow", "slow"))
    seen: list[dt.datetime | None] = []

    def watch() -> None:
        import time
        time.sleep(0.2)
        for _ in range(4):
            run = JobRun.objects.filter(job="test_slow").first()
            seen.append(run.heartbeat_at if run else None)
            time.sleep(0.3)
        connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    jobs.run_job("test_slow", NOV1)
    watcher.join()
    beats = [b for b in seen if b is not None]
    assert len(set(beats)) >= 2, seen
