"""The day loop (``core.replay``): the daily jobs, then the day hooks, for every date of a range, each
once (SPEC §10); what seed_demo, ``manage.py replay`` and the what-if share."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from core import clock, jobs, replay
from core.jobs import JobSpec
from core.models import JobRun

from . import jobfuncs

NOV1, NOV3 = dt.date(2026, 11, 1), dt.date(2026, 11, 3)


@pytest.fixture(autouse=True)
def _only_test_jobs(settings):
    """The built-in jobs are left out: one recording job, then the hooks."""
    settings.DAILY_JOBS = ""
    jobfuncs.CALLS.clear()
    jobs.register(JobSpec(name="test_record", func="tests.core.jobfuncs.record"))
    yield
    jobs.unregister("test_record")
    jobfuncs.CALLS.clear()


def _hook(seen: list[tuple[str, dt.date, dt.date]], fail_on: dt.date | None = None) -> replay.DayHook:
    def play(*, today: dt.date) -> dict[str, int]:
        if today == fail_on:
            raise RuntimeError("scripted failure")
        seen.append(("hook", today, clock.today()))
        return {"events": 2}

    return replay.DayHook("test_hook", play, "test hook")


@pytest.mark.django_db
def test_jobs_then_hooks_each_day_with_the_clock_at_that_day():
    """SPEC §10: each date runs the jobs, then the hook, with the clock frozen on that date; each is
    recorded as a JobRun and the hook is no longer registered afterwards."""
    seen: list[tuple[str, dt.date, dt.date]] = []
    result = replay.replay(NOV1, NOV3, hooks=[_hook(seen)])
    assert [(day, today) for _, day, today in seen] == [(d, d) for d in jobs.dates(NOV1, NOV3)]
    assert [day for _, day in jobfuncs.CALLS] == list(jobs.dates(NOV1, NOV3))
    assert (result.days, result.days_replayed, result.job_runs) == (3, 3, 6)
    assert result.counts["test_hook.events"] == 6
    assert JobRun.objects.filter(job="test_hook", status=JobRun.Status.SUCCEEDED).count() == 3
    assert "test_hook" not in {spec.name for spec in jobs.registry()}


@pytest.mark.django_db
def test_second_replay_of_the_range_plays_nothing():
    """Idempotent: the days already played are skipped whole (one query), the hook is not called again."""
    seen: list[tuple[str, dt.date, dt.date]] = []
    replay.replay(NOV1, NOV3, hooks=[_hook(seen)])
    seen.clear()
    jobfuncs.CALLS.clear()
    again = replay.replay(NOV1, NOV3, hooks=[_hook(seen)])
    assert (again.days_replayed, again.job_runs, seen, jobfuncs.CALLS) == (0, 0, [], [])


@pytest.mark.django_db
def test_a_failing_hook_stops_the_replay_and_the_next_one_resumes_there():
    """A failure raises (later days build on it); the next replay resumes at the failed hook."""
    seen: list[tuple[str, dt.date, dt.date]] = []
    nov2 = NOV1 + dt.timedelta(days=1)
    with pytest.raises(RuntimeError):
        replay.replay(NOV1, NOV3, hooks=[_hook(seen, fail_on=nov2)])
    assert [day for _, day, _ in seen] == [NOV1]
    assert JobRun.objects.get(job="test_hook", as_of=nov2).status == JobRun.Status.FAILED
    seen.clear()
    result = replay.replay(NOV1, NOV3, hooks=[_hook(seen)])
    assert [day for _, day, _ in seen] == [nov2, NOV3]
    assert result.days_replayed == 2


def test_simple_progress_bar_without_tqdm():
    """The fallback bar (tqdm missing) yields every day and ends its line."""
    out = io.StringIO()
    days = list(jobs.dates(NOV1, NOV3))
    assert list(replay._SimpleBar(days, out)) == days
    assert "3/3 days" in out.getvalue() and out.getvalue().endswith("\n")
    assert replay.progress_bar(days, enabled=False) == days
