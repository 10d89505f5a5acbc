"""Liveness and readiness (issue 19): what ``/healthz``, ``/readyz`` and the admin's system page show.

* ``alive()``: the process answers; nothing else is touched (a load balancer's liveness probe).
* ``readiness()``: the database answers, the broker answers, every migration is applied, Celery beat's
  last heartbeat is fresh, and per daily job its last run and whether a date is stuck (failed,
  interrupted, or running with a lapsed lease: the next attempt of that date has not happened).

The essential checks (database, broker, migrations) decide ``ready``: without them the instance must not
take traffic (HTTP 503). Beat and stuck dates make the report ``degraded`` (still HTTP 200, because the web
process can serve), so a monitor alerts on them without the load balancer pulling every instance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Max
from django.utils import timezone

from . import jobs
from .models import Heartbeat, JobRun

BEAT = "beat"


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    essential: bool = True


@dataclass
class JobState:
    job: str
    last_as_of: dt.date | None
    last_status: str | None
    finished_at: dt.datetime | None
    stuck_dates: list[dt.date] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form of ``/readyz``: dates and times as ISO strings (Asia/Seoul)."""
        return {
            "job": self.job,
            "last_as_of": self.last_as_of.isoformat() if self.last_as_of else None,
            "last_status": self.last_status,
            "finished_at": timezone.localtime(self.finished_at).isoformat() if self.finished_at else None,
            "stuck_dates": [date.isoformat() for date in self.stuck_dates],
        }


@dataclass
class Readiness:
    ready: bool
    status: str  # "ok", "degraded" or "fail"
    checks: list[Check]
    jobs: list[JobState]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ready": self.ready,
            "status": self.status,
            "checks": [asdict(check) for check in self.checks],
            "jobs": [state.as_dict() for state in self.jobs],
        }


def _in_process() -> bool:
    """Jobs run inside the web process (the demo: no broker, no beat, no worker)."""
    return bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))


def check_database() -> Check:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return Check("database", False, type(exc).__name__)
    return Check("database", True, connections[DEFAULT_DB_ALIAS].vendor)


def check_broker() -> Check:
    if _in_process():
        return Check("broker", True, "in-process (CELERY_TASK_ALWAYS_EAGER)")
    from celery import current_app

    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return Check("broker", False, type(exc).__name__)
    return Check("broker", True, current_app.conf.broker_url.split("://", 1)[0])


def check_migrations() -> Check:
    try:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        # Every migration on disk, not only the plan to the leaves: a plan skips a gap below an applied
        # leaf (a migration whose record was lost, or one restored from an older backup).
        graph = executor.loader.graph
        applied = executor.loader.applied_migrations
        missing = sorted(key for key in graph.nodes if key not in applied)
    except Exception as exc:
        return Check("migrations", False, type(exc).__name__)
    if missing:
        pending = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        return Check("migrations", False, f"{len(missing)} not applied: {pending}")
    return Check("migrations", True, "all applied")


def beat_max_age() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "HEALTH_BEAT_MAX_AGE_SECONDS", 180)))


def check_beat(now: dt.datetime) -> Check:
    if _in_process():
        return Check("beat", True, "not used: jobs run in-process", essential=False)
    beat = Heartbeat.objects.filter(name=BEAT).first()
    if beat is None:
        return Check("beat", False, "no heartbeat yet", essential=False)
    age = int((now - beat.at).total_seconds())
    fresh = age <= beat_max_age().total_seconds()
    return Check("beat", fresh, f"last heartbeat {age} s ago", essential=False)


def job_states(now: dt.datetime) -> list[JobState]:
    """Per registered job: its last run and the dates stuck (two queries whatever the number of jobs)."""
    names = [spec.name for spec in jobs.registry()]
    latest = dict(
        JobRun.objects.filter(job__in=names).values_list("job").annotate(last=Max("as_of")).values_list(
            "job", "last"
        )
    )
    last_runs = {
        run.job: run
        for run in JobRun.objects.filter(job__in=names, as_of__in=set(latest.values()))
        if latest.get(run.job) == run.as_of
    }
    lapsed = now - jobs.lease()
    stuck: dict[str, list[dt.date]] = {}
    for job, as_of in (
        JobRun.objects.filter(job__in=names)
        .filter(
            status__in=[JobRun.Status.FAILED, JobRun.Status.INTERRUPTED]
        ).values_list("job", "as_of").union(
            JobRun.objects.filter(job__in=names, status=JobRun.Status.RUNNING, heartbeat_at__lt=lapsed)
            .values_list("job", "as_of")
        ).order_by("as_of")
    ):
        stuck.setdefault(job, []).append(as_of)
    states = []
    for name in names:
        run = last_runs.get(name)
        states.append(
            JobState(
                job=name,
                last_as_of=run.as_of if run else None,
                last_status=run.status if run else None,
                finished_at=run.finished_at if run else None,
                stuck_dates=stuck.get(name, []),
            )
        )
    return states


def alive() -> bool:
    return True


def readiness(now: dt.datetime | None = None) -> Readiness:
    now = now or timezone.now()
    checks = [check_database(), check_broker(), check_migrations()]
    database_ok = checks[0].ok
    if database_ok:
        checks.append(check_beat(now))
        states = job_states(now)
    else:
        states = []
    stuck = [state.job for state in states if state.stuck_dates]
    detail = ("stuck: " + ", ".join(stuck)) if stuck else "no stuck date"
    checks.append(Check("jobs", not stuck, detail, essential=False))
    ready = all(c.ok for c in checks if c.essential)
    degraded = not all(c.ok for c in checks)
    return Readiness(ready=ready, status="fail" if not ready else "degraded" if degraded else "ok",
                     checks=checks, jobs=states)


def record_heartbeat(name: str, source: str = "") -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now(), "source": source[:200]})
