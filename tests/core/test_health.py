"""Liveness and readiness probes (issue 19): /healthz, /readyz and the checks behind them (core.health)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from config.celery import app as celery_app
from core import health
from core.models import Heartbeat, JobRun

pytestmark = pytest.mark.django_db


def _checks(body: dict) -> dict[str, bool]:
    return {check["name"]: check["ok"] for check in body["checks"]}


def test_healthz_answers_without_touching_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_is_ready_and_says_beat_has_not_beaten_yet(client):
    """A fresh install: database, broker (the real Redis) and migrations fine; no beat heartbeat yet."""
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["status"] == "degraded"
    assert _checks(body) == {
        "database": True, "broker": True, "migrations": True, "beat": False, "jobs": True,
    }
    assert {state["job"] for state in body["jobs"]} >= {"generate_invoices", "dunning", "purge_data"}
    assert all(state["last_as_of"] is None for state in body["jobs"])


def test_a_fresh_beat_heartbeat_makes_it_ok_and_a_late_one_degraded(client):
    health.record_heartbeat(health.BEAT, source="worker-1")
    assert client.get("/readyz").json()["status"] == "ok"
    Heartbeat.objects.filter(name=health.BEAT).update(
        at=timezone.now() - health.beat_max_age() - dt.timedelta(seconds=5)
    )
    body = client.get("/readyz").json()
    assert body["status"] == "degraded" and _checks(body)["beat"] is False
    assert "s ago" in next(c for c in body["checks"] if c["name"] == "beat")["detail"]


def test_last_run_of_each_job_and_its_stuck_dates(client):
    """A failed date and a running date whose lease lapsed are stuck; later successes are the last run."""
    health.record_heartbeat(health.BEAT)
    now = timezone.now()
    JobRun.objects.create(job="dunning", as_of=dt.date(2026, 11, 18), status=JobRun.Status.FAILED,
                          started_at=now, error="boom")
    JobRun.objects.create(job="dunning", as_of=dt.date(2026, 11, 19), status=JobRun.Status.SUCCEEDED,
                          started_at=now, finished_at=now)
    JobRun.objects.create(job="generate_invoices", as_of=dt.date(2026, 11, 19), status=JobRun.Status.RUNNING,
                          started_at=now - dt.timedelta(hours=1), heartbeat_at=now - dt.timedelta(hours=1))
    JobRun.objects.create(job="renew_contracts", as_of=dt.date(2026, 11, 19), status=JobRun.Status.RUNNING,
                          started_at=now, heartbeat_at=now)
    body = client.get("/readyz").json()
    assert body["ready"] is True and body["status"] == "degraded"
    states = {state["job"]: state for state in body["jobs"]}
    assert states["dunning"]["last_as_of"] == "2026-11-19" and states["dunning"]["last_status"] == "succeeded"
    assert states["dunning"]["finished_at"] == timezone.localtime(now).isoformat()  # JSON keeps ISO
    assert states["dunning"]["stuck_dates"] == ["2026-11-18"]
    assert states["generate_invoices"]["stuck_dates"] == ["2026-11-19"]
    assert states["renew_contracts"]["stuck_dates"] == []  # alive: its lease is fresh
    jobs_check = next(c for c in body["checks"] if c["name"] == "jobs")
    assert jobs_check["ok"] is False and "dunning" in jobs_check["detail"]


def test_an_unapplied_migration_makes_it_not_ready(client):
    MigrationRecorder.Migration.objects.filter(app="core", name="0005_heartbeat").delete()
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["ready"] is False and body["status"] == "fail"
    migrations = next(c for c in body["checks"] if c["name"] == "migrations")
    assert migrations["ok"] is False and "core.0005_heartbeat" in migrations["detail"]


def test_an_unreachable_broker_makes_it_not_ready(client):
    original = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # type: ignore[misc]  # nothing listens on port 1
    try:
        response = client.get("/readyz")
    finally:
        celery_app.conf.broker_url = original  # type: ignore[misc]
    assert response.status_code == 503
    assert _checks(response.json())["broker"] is False


def test_in_process_jobs_need_no_broker_nor_beat(client, settings):
    """The demo (SQLite, jobs in-process): no broker or beat to wait for."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    body = client.get("/readyz").json()
    assert body["status"] == "ok"
    assert "in-process" in next(c for c in body["checks"] if c["name"] == "beat")["detail"]


def test_beat_sends_the_heartbeat_every_minute():
    from core.jobs import beat_schedule
    from core.tasks import beat_heartbeat

    entry = beat_schedule()["beat_heartbeat"]
    assert entry["task"] == "core.tasks.beat_heartbeat" and entry["schedule"] == 60.0
    beat_heartbeat()
    beat = Heartbeat.objects.get(name=health.BEAT)
    assert (timezone.now() - beat.at).total_seconds() < 5 and ":" in beat.source


def test_readyz_refuses_writes(client):
    assert client.post("/readyz").status_code == 405


def test_admin_system_page_shows_the_same_report_to_staff_who_see_job_runs(client, django_user_model):
    """The admin's 시스템 상태 page: each check in words and each job's last run and stuck dates, dates and
    times written as dates (the page once showed ``2026-12-07T23:24:32.949000+09:00``)."""
    from django.contrib.auth.models import Permission

    JobRun.objects.create(job="dunning", as_of=dt.date(2026, 11, 18), status=JobRun.Status.FAILED,
                          started_at=timezone.now())
    finished = dt.datetime(2026, 11, 19, 4, 30, tzinfo=dt.UTC)  # 13:30 in Seoul
    JobRun.objects.create(job="generate_invoices", as_of=dt.date(2026, 11, 19),
                          status=JobRun.Status.SUCCEEDED, started_at=finished, finished_at=finished)
    staff = django_user_model.objects.create_user("ops-status", password="x" * 12, is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/core/heartbeat/").status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_jobrun"))
    response = client.get("/admin/core/heartbeat/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "시스템 상태" in text and "데이터베이스" in text and "일일 작업 스케줄러 (beat)" in text
    assert "<strong>2026-11-18</strong>" in text and "실패" in text
    assert "<td>2026-11-19 13:30</td>" in text and "T13:30" not in text and "+09:00" not in text
    assert "미납 청구서의 연체 단계 진행" in text  # the job in words, not its code name
    assert client.post("/admin/core/heartbeat/add/").status_code == 403
