"""Metrics, request ids and log lines (issue 19)."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.utils import timezone

from core import observability
from core.jobs import JobSpec, register, run_job, unregister
from core.models import JobRun

pytestmark = pytest.mark.django_db


def _sample(text: str, name: str, **labels: str) -> float | None:
    """The value of the first sample ``name`` whose labels include ``labels``."""
    for line in text.splitlines():
        metric, _, value = line.rpartition(" ")
        base, _, rest = metric.partition("{")
        if line.startswith("#") or base != name:
            continue
        if all(f'{k}="{v}"' in rest for k, v in labels.items()):
            return float(value)
    return None


def test_metrics_show_job_runs_and_the_book(client, settings):
    """A job run in this process is counted with its duration and counts; the book's figures are read at
    scrape time: each job's last run date, stuck dates and today's messages by status."""
    register(JobSpec("metrics_probe", "tests.core.jobfuncs.count_only"))
    try:
        run_job("metrics_probe", dt.date(2026, 11, 20))
    finally:
        unregister("metrics_probe")
    JobRun.objects.create(job="dunning", as_of=dt.date(2026, 11, 18), status=JobRun.Status.FAILED,
                          started_at=timezone.now())
    response = client.get("/metrics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert (_sample(text, "termsops_job_runs_total", job="metrics_probe", status="succeeded") or 0) >= 1
    assert (_sample(text, "termsops_job_duration_seconds_count", job="metrics_probe") or 0) >= 1
    assert _sample(text, "termsops_job_stuck_dates", job="dunning") == 1
    seoul_midnight = dt.datetime(2026, 11, 18, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    assert _sample(text, "termsops_job_last_run_date", job="dunning", status="failed") == (
        seoul_midnight.timestamp()
    )
    assert _sample(text, "termsops_job_stuck_dates", job="generate_invoices") == 0
    assert _sample(text, "termsops_messages_today", status="failed") == 0
    assert _sample(text, "termsops_invoices_issued_today") == 0
    assert _sample(text, "termsops_queue_depth", queue=settings.CELERY_TASK_DEFAULT_QUEUE) is not None
    assert "django_http_requests_total_by_method_total" in text  # django-prometheus request metrics


def test_metrics_token_guards_the_scrape(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    settings.METRICS_TOKEN = ""
    settings.METRICS_OPEN = False  # production without a token: not served at all
    assert client.get("/metrics").status_code == 404


def test_a_request_id_is_answered_and_never_echoes_a_bad_header(client):
    response = client.get("/healthz")
    generated = response["X-Request-ID"]
    assert len(generated) == 32
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a9c21-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c21-0001"
    # a header that is not a sane token is replaced, never echoed (log injection)
    response = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nINJECTED")
    assert "INJECTED" not in response["X-Request-ID"] and len(response["X-Request-ID"]) == 32


def test_the_request_id_travels_into_a_task(settings):
    """A task sent during a request runs with the request's id (eager here; through the broker the id
    rides in a message header, see test_processes)."""
    from celery import shared_task

    seen: list[str] = []

    @shared_task(name="tests.observability.probe")
    def probe() -> None:
        seen.append(observability.current_request_id())

    settings.CELERY_TASK_ALWAYS_EAGER = True
    token = observability.bind_request_id("req-0123456789")
    try:
        probe.apply()
    finally:
        observability.reset_request_id(token)
    assert seen == ["req-0123456789"]


def test_json_log_lines_carry_the_request_id():
    from pythonjsonlogger.json import JsonFormatter

    formatter = JsonFormatter(
        "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )
    record = logging.LogRecord("billing.jobs", logging.INFO, __file__, 1, "issued %s", (3,), None)
    token = observability.bind_request_id("req-abcdef12")
    try:
        observability.RequestIdFilter().filter(record)
    finally:
        observability.reset_request_id(token)
    line = json.loads(formatter.format(record))
    assert line["request_id"] == "req-abcdef12" and line["message"] == "issued 3"
    assert line["level"] == "INFO" and line["logger"] == "billing.jobs"
