"""``/metrics`` for Prometheus (issue 19).

Two kinds of figures:
* this process's own (prometheus_client's default registry): request counts and latencies
  (django-prometheus middleware), the job runs this process made (core.observability);
* the book's, read from the database and the broker at scrape time so every web instance reports the
  same: each daily job's last run, duration and stuck dates, the queue depth, and today's invoices
  issued, payments failed and messages sent, delivered and failed. Each is one indexed query.

With ``METRICS_TOKEN`` set the scraper must send ``Authorization: Bearer <token>``; production serves
``/metrics`` only with a token (``METRICS_OPEN`` is off there).
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from billing.models import Invoice, Payment
from core import clock, health
from messaging.models import Message


def queue_names() -> list[str]:
    return [getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", "") or "celery"]


def queue_depth(name: str) -> int | None:
    """Tasks waiting in a Redis-backed Celery queue (None without Redis: jobs run in-process)."""
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        return int(client.llen(name))
    finally:
        client.close()


class BookCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        last_run = GaugeMetricFamily(
            "termsops_job_last_run_date", "As-of date (Unix time) of each job's last run",
            labels=["job", "status"],
        )
        stuck = GaugeMetricFamily(
            "termsops_job_stuck_dates",
            "Dates of a job that failed, were interrupted or lost their worker and were not run again",
            labels=["job"],
        )
        for state in health.job_states(now):
            stuck.add_metric([state.job], len(state.stuck_dates))
            if state.last_as_of:
                moment = dt.datetime.combine(
                    state.last_as_of, dt.time(), tzinfo=timezone.get_current_timezone()
                )
                last_run.add_metric([state.job, state.last_status or ""], moment.timestamp())
        yield last_run
        yield stuck

        depth = GaugeMetricFamily(
            "termsops_queue_depth", "Tasks waiting in the Celery queue", labels=["queue"]
        )
        for name in queue_names():
            waiting = queue_depth(name)
            if waiting is not None:
                depth.add_metric([name], waiting)
        yield depth

        today = clock.today()
        midnight = dt.datetime.combine(today, dt.time(), tzinfo=timezone.get_current_timezone())
        yield GaugeMetricFamily(
            "termsops_invoices_issued_today", "Invoices written today (Seoul date)",
            value=Invoice.objects.filter(created_at__gte=midnight).count(),
        )
        yield GaugeMetricFamily(
            "termsops_payments_failed_today", "Payment attempts that failed today",
            value=Payment.objects.filter(created_at__gte=midnight, status=Payment.Status.FAILED).count(),
        )
        messages = GaugeMetricFamily("termsops_messages_today", "Paid messages requested today by status",
                                     labels=["status"])
        by_status = dict(
            Message.objects.filter(created_at__gte=midnight).values_list("status").annotate(n=Count("pk"))
            .values_list("status", "n")
        )
        for status in Message.Status.values:
            messages.add_metric([status], by_status.get(status, 0))
        yield messages


_book = BookCollector()


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    token = getattr(settings, "METRICS_TOKEN", "")
    if not token and not getattr(settings, "METRICS_OPEN", True):
        return HttpResponse("not found\n", status=404, content_type="text/plain")
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(sent.encode(), token.encode()):
            return HttpResponse("unauthorized\n", status=401, content_type="text/plain")
    body = generate_latest(REGISTRY)
    from prometheus_client import CollectorRegistry

    book = CollectorRegistry(auto_describe=False)
    book.register(_book)
    return HttpResponse(body + generate_latest(book), content_type=CONTENT_TYPE_LATEST)
