"""Request ids, log records and job metrics (issue 19).

* Every request gets an id: the caller's ``X-Request-ID`` when it is a sane token (a load balancer's),
  else a new one; it is answered in the same header, put on every log record of the request
  (``request_id``) and carried into the Celery tasks the request sends (a message header), so one id
  follows a click through the web process into the worker that finishes its work.
* ``RequestIdFilter`` adds ``request_id`` to log records (``-`` outside a request or task); production
  logs are JSON lines (python-json-logger, ``LOG_FORMAT=json``).
* Job metrics: ``observe_job`` records each run's duration, outcome and counts in Prometheus metrics
  (prometheus_client); the figures the database already keeps (last run per job, queue depth, today's
  invoices, failed payments and messages) are read at scrape time by ``core.metrics``.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

HEADER = "X-Request-ID"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


def bind_request_id(value: str | None) -> contextvars.Token[str]:
    """Use ``value`` (or a new id) for the rest of this context; returns the token to reset it."""
    return _request_id.set(value if value and _SANE.match(value) else uuid.uuid4().hex)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


class RequestIdMiddleware:
    """First in the chain: binds the request id, answers it in ``X-Request-ID``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = bind_request_id(request.headers.get(HEADER))
        try:
            response = self.get_response(request)
            response[HEADER] = current_request_id()
            return response
        finally:
            reset_request_id(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


# --- Celery: the id travels in a message header -----------------------------------------------------
def _publish(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is not None and current_request_id() != "-":
        headers.setdefault("request_id", current_request_id())


_task_tokens: dict[str, contextvars.Token[str]] = {}


def _prerun(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    incoming = getattr(getattr(task, "request", None), "request_id", None)
    here = current_request_id()  # an eager task runs inside its caller's context
    if task_id:
        _task_tokens[task_id] = bind_request_id(incoming or (here if here != "-" else f"task-{task_id}"))


def _postrun(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id or "", None)
    if token is not None:
        reset_request_id(token)


def connect_celery_signals() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    before_task_publish.connect(_publish, weak=False, dispatch_uid="termsops-request-id-publish")
    task_prerun.connect(_prerun, weak=False, dispatch_uid="termsops-request-id-prerun")
    task_postrun.connect(_postrun, weak=False, dispatch_uid="termsops-request-id-postrun")


# --- Job metrics (per process; the worker that runs a job exposes them, see docs/operations.md) ----
JOB_SECONDS = Histogram(
    "termsops_job_duration_seconds", "Duration of one daily job run", ["job"],
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 1800, 3600),
)
JOB_RUNS = Counter("termsops_job_runs", "Daily job runs by outcome", ["job", "status"])
JOB_ITEMS = Counter("termsops_job_items", "What the daily jobs counted (issued, failed, sent, ...)",
                    ["job", "count"])


def observe_job(job: str, status: str, seconds: float, counts: dict[str, int]) -> None:
    JOB_SECONDS.labels(job).observe(seconds)
    JOB_RUNS.labels(job, status).inc()
    for name, value in counts.items():
        if isinstance(value, int) and value > 0:
            JOB_ITEMS.labels(job, name).inc(value)
