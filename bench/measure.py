"""The measurements, each a function of the current database (``bench.run`` calls them in a fresh child
process on a fresh copy of the book, so each starts from the same rows and its peak memory is its own).

Every function returns a dict of figures: seconds, queries, and what it touched. Queries are counted
with ``connection.execute_wrapper`` (the SQL is not kept, so counting costs no memory).
"""

from __future__ import annotations

import datetime as dt
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.test.utils import override_settings

from bench.dates import ISSUE_DAY
from core.audit import acting_as


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def measured() -> Iterator[dict[str, Any]]:
    """Time and count the queries of the block; the figures land in the yielded dict."""
    figures: dict[str, Any] = {}
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        yield figures
    figures["seconds"] = time.perf_counter() - started
    figures["queries"] = counter.count


def peak_mb() -> float:
    """This process's peak resident memory (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _quiet() -> Any:
    return override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")


def _max_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608 (fixed names)
        return int(cursor.fetchone()[0])


def _timed_sql(statements: list[tuple[str, list[Any]]]) -> float:
    """Run the statements in a transaction that is rolled back; their seconds."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return seconds


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
            [table],
        )
        return [f'"{row[0]}"' for row in cursor.fetchall()]


def invoice_floor(after_invoice: int, after_line: int) -> float:
    """The set-based floor of an invoice run: one ``INSERT … SELECT`` writing the same invoice rows (as
    ``adjustment`` kind, so the one-regular-invoice-per-period constraint lets them in, with their number
    and key suffixed) and one writing the same lines pointing at them; rolled back."""
    inv_cols = _columns("billing_invoice")
    inv_vals = [
        {'"number"': "\"number\" || 'F'", '"idempotency_key"': "\"idempotency_key\" || 'F'",
         '"kind"': "'adjustment'"}.get(c, c) for c in inv_cols
    ]
    line_cols = _columns("billing_invoiceline")
    line_vals = [
        {'"invoice_id"': "m.new_id"}.get(c, f"l.{c}") for c in line_cols
    ]
    return _timed_sql([
        ("CREATE TEMP TABLE bench_invoice_map (old_id bigint, new_id bigint) ON COMMIT DROP", []),
        (f'WITH ins AS (INSERT INTO billing_invoice ({", ".join(inv_cols)}) '  # noqa: S608
         f'SELECT {", ".join(inv_vals)} FROM billing_invoice WHERE id > %s RETURNING id, "number") '
         "INSERT INTO bench_invoice_map SELECT i.id, ins.id FROM ins "
         "JOIN billing_invoice i ON i.number || 'F' = ins.number", [after_invoice]),
        (f'INSERT INTO billing_invoiceline ({", ".join(line_cols)}) '  # noqa: S608
         f'SELECT {", ".join(line_vals)} FROM billing_invoiceline l '
         "JOIN bench_invoice_map m ON m.old_id = l.invoice_id WHERE l.id > %s", [after_line]),
    ])


def invoice_run(*, today: dt.date) -> dict[str, Any]:
    """``generate_invoices`` on an issue date, then again (nothing to issue), then its floor."""
    from billing.jobs import generate_invoices

    before_invoice, before_line = _max_id("billing_invoice"), _max_id("billing_invoiceline")
    with _quiet(), acting_as(job="bench"):
        with measured() as first:
            first["counts"] = generate_invoices(today=today)
        with measured() as again:
            again["counts"] = generate_invoices(today=today)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM billing_invoiceline WHERE id > %s", [before_line])
        lines = int(cursor.fetchone()[0])
    return {
        "first": first, "again": again, "lines": lines,
        "floor_seconds": invoice_floor(before_invoice, before_line), "peak_mb": peak_mb(),
    }


def run_jobs(*, today: dt.date) -> dict[str, Any]:
    """Every daily job for one date (``core.jobs.run_all``, as ``manage.py run_jobs`` runs them)."""
    from core import jobs

    per_job: dict[str, dict[str, Any]] = {}
    with _quiet(), measured() as figures:
        for spec in jobs.registry():  # as ``run_all`` runs them on a date not run yet, each one timed
            with measured() as one:
                outcome = jobs.run_job(spec.name, today)
            per_job[spec.name] = {"seconds": round(one["seconds"], 3), "queries": one["queries"],
                                  "counts": outcome.counts}
    figures["jobs"] = per_job
    figures["peak_mb"] = peak_mb()
    return figures


def dunning(*, today: dt.date) -> dict[str, Any]:
    """The dunning job for a date, and its floor: one ``UPDATE`` touching the overdue invoices and their
    open cases (rolled back)."""
    from billing.services.dunning import dunning_run

    with _quiet(), acting_as(job="bench"), measured() as figures:
        figures["counts"] = dunning_run(today=today)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM billing_invoice WHERE status = 'issued' AND due_date < %s", [today]
        )
        figures["overdue_invoices"] = int(cursor.fetchone()[0])
    figures["floor_seconds"] = _timed_sql([
        ("UPDATE billing_invoice SET updated_at = now() WHERE status = 'issued' AND due_date < %s", [today]),
        ("UPDATE billing_dunningcase SET updated_at = now() WHERE invoice_id IN "
         "(SELECT id FROM billing_invoice WHERE status = 'issued' AND due_date < %s)", [today]),
    ])
    figures["peak_mb"] = peak_mb()
    return figures


#: One live contract in this many has an outage in the closing month (issue 16: 5,000 of 100,000).
INCIDENT_EVERY = 20
#: The outage: twelve hours from 09:00 (below every preset's monthly target).
OUTAGE = (dt.time(9, 0), dt.timedelta(hours=12))


def add_incidents(month: dt.date, *, every: int = INCIDENT_EVERY) -> int:
    """A resolved twelve-hour outage in ``month`` for one live contract in ``every`` (contract-scoped, as
    a customer's report confirmed by staff), on the 10th or the day after the contract's activation: the
    set-up of the SLA close, not measured."""
    from django.utils import timezone

    from contracts.models import Contract, ContractStatus
    from core.calendar import month_end
    from sla.models import Incident

    last = month_end(month) - dt.timedelta(days=1)
    rows = list(
        Contract.objects.filter(status__in=[ContractStatus.ACTIVE, ContractStatus.SUSPENDED],
                                activated_on__lt=last)
        .order_by("pk").values_list("pk", "policy__code", "activated_on")
    )[::every]
    incidents = []
    for pk, code, activated_on in rows:
        assert activated_on is not None  # live contracts are activated
        day = max(month.replace(day=10), activated_on + dt.timedelta(days=1))
        started = timezone.make_aware(dt.datetime.combine(day, OUTAGE[0]))
        incidents.append(Incident(service=code, contract_id=pk, title="bench outage",
                                  status=Incident.Status.RESOLVED, reported_at=started, detected_at=started,
                                  started_at=started, ended_at=started + OUTAGE[1]))
    Incident.objects.bulk_create(incidents, batch_size=2000)
    return len(incidents)


def _copy_rows_floor(table: str, after: int, changed: dict[str, str]) -> tuple[str, list[Any]]:
    """An ``INSERT … SELECT`` copying ``table``'s rows with id > ``after``, ``changed`` columns rewritten
    (so unique keys let the copies in)."""
    cols = _columns(table)
    values = [changed.get(c, c) for c in cols]
    return (f'INSERT INTO "{table}" ({", ".join(cols)}) '  # noqa: S608 (fixed names)
            f'SELECT {", ".join(values)} FROM "{table}" WHERE id > %s', [after])


def sla_close(*, today: dt.date) -> dict[str, Any]:
    """The SLA month close on ``today`` (closing last month) with :func:`add_incidents` outages, and its
    floor: ``INSERT … SELECT`` of the same month rows and credit notes it wrote (rolled back)."""
    from core.calendar import add_months, month_start
    from sla.jobs import sla_month_close

    month = add_months(month_start(today), -1)
    incidents = add_incidents(month)
    before_month, before_note = _max_id("sla_slamonth"), _max_id("billing_creditnote")
    with _quiet(), acting_as(job="bench"), measured() as figures:
        figures["counts"] = sla_month_close(today=today)
    figures["incidents"] = incidents
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM billing_creditnote WHERE id > %s", [before_note])
        figures["credit_notes"] = int(cursor.fetchone()[0])
    figures["floor_seconds"] = _timed_sql([
        _copy_rows_floor("sla_slamonth", before_month,
                         {'"month"': "(\"month\" - interval '1200 months')::date"}),
        _copy_rows_floor("billing_creditnote", before_note, {
            '"number"': "\"number\" || 'F'", '"idempotency_key"': "\"idempotency_key\" || 'F'",
        }),
    ])
    figures["peak_mb"] = peak_mb()
    return figures


#: The admin lists of the issue's table: (label, admin URL name).
CHANGELISTS = (
    ("invoices", "admin:billing_invoice_changelist"),
    ("contracts", "admin:contracts_contract_changelist"),
    ("dunning", "admin:billing_dunningcase_changelist"),
    ("payments", "admin:billing_payment_changelist"),
    ("messages", "admin:messaging_message_changelist"),
)


def changelists() -> dict[str, Any]:
    """Each admin list's first page as a superuser: queries and seconds at its page size, and queries
    with a page of 10 rows (the same number when nothing is fetched per row)."""
    from django.contrib import admin
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    user_model = get_user_model()
    user = user_model.objects.filter(is_superuser=True).first() or user_model.objects.create_superuser(
        username="bench-admin", email="bench@termsops.example", password="bench-admin-password",
    )
    client = Client()
    client.force_login(user)
    out: dict[str, Any] = {}
    for label, name in CHANGELISTS:
        url = reverse(name)
        model_admin = next(ma for m, ma in admin.site._registry.items()
                           if f"{m._meta.app_label}_{m._meta.model_name}_changelist" in name)
        client.get(url)  # warm caches (templates, content types)
        with measured() as page:
            status = client.get(url).status_code
        per_page = model_admin.list_per_page
        setattr(model_admin, "list_per_page", 10)  # noqa: B010 (an instance attribute, for this page only)
        try:
            with measured() as ten:
                client.get(url)
        finally:
            setattr(model_admin, "list_per_page", per_page)  # noqa: B010
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COUNT(*) FROM "{model_admin.model._meta.db_table}"')  # noqa: S608
            rows = int(cursor.fetchone()[0])
        out[label] = {"status": status, "seconds": page["seconds"], "queries": page["queries"],
                      "queries_10_rows": ten["queries"], "per_page": per_page, "rows": rows}
    return out




def messages(*, count: int = 5000, workers: int = 2) -> dict[str, Any]:
    """Messages through the fake provider: a bulk send of ``count`` SMS by a messaging customer (its
    calling number approved as staff would), then ``workers`` processes dispatching and recording the
    results at once. Messages per second from the start signal to the last worker's end."""
    import multiprocessing

    from django.conf import settings

    from bench import book
    from bench import workers as worker_module
    from contracts.management.commands import seed_demo
    from contracts.models import Contract, ContractStatus
    from contracts.services.messaging_limits import messaging_limits_for
    from core import clock
    from messaging.models import Message
    from messaging.services import sending

    contract = (
        Contract.objects.filter(plan__code="kgmsg-standard", status=ContractStatus.ACTIVE)
        .select_related("customer", "plan").order_by("pk").first()
    )
    assert contract is not None, "the book has no messaging contract"
    customer = contract.customer
    day = ISSUE_DAY + dt.timedelta(days=1)  # a weekday (2026-11-02), within the sending hours at 10:00
    now = clock.start_of_day(day) + dt.timedelta(hours=10)
    with _quiet(), acting_as(job="bench"), clock.frozen(now):
        seed_demo._sender_number(book._spec(1, "kgmsg-standard"), customer, contract, day)
        limits = messaging_limits_for(customer, today=day)
        batch = sending.bulk_send(
            customer=customer, limits=limits, kind="text", sender=seed_demo.DEMO_SENDER,
            recipients=[seed_demo.demo_recipient(i) for i in range(count)],
            text="[벤치] 배송 출발 안내: 오늘 중 도착 예정입니다.", now=now, idempotency_key="bench:messages",
        )
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    ctx = multiprocessing.get_context("spawn")
    ready = [ctx.Event() for _ in range(workers)]
    go = ctx.Event()
    queue = ctx.Queue()
    procs = [ctx.Process(target=worker_module.message_worker, args=(url, batch.pk, now, r, go, queue))
             for r in ready]
    for proc in procs:
        proc.start()
    for r in ready:
        r.wait(120)
    started = time.perf_counter()
    go.set()
    replies = [queue.get() for _ in procs]
    seconds = time.perf_counter() - started
    for proc in procs:
        proc.join()
    errors = [r["error"] for r in replies if not r["ok"]]
    recorded = Message.objects.filter(batch_id=batch.pk).exclude(
        status__in=[Message.Status.QUEUED, Message.Status.SENDING, Message.Status.SENT]
    ).count()
    return {"accepted": batch.accepted, "recorded": recorded, "seconds": seconds,
            "per_second": recorded / seconds if seconds else 0.0, "errors": errors,
            "sent": [r.get("sent") for r in replies], "peak_mb": peak_mb()}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(port: int, key: str, count: int, latencies: list[float], errors: list[str]) -> None:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Token {key}", "Accept": "application/json"}
    for _ in range(count):
        started = time.perf_counter()
        try:
            conn.request("GET", "/api/v1/invoices/", headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors.append(str(response.status))
        except OSError as exc:
            errors.append(repr(exc))
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies.append(time.perf_counter() - started)
    conn.close()


def api_invoice_list(*, clients: int = 50, per_client: int = 20, web_workers: int = 3) -> dict[str, Any]:
    """The API invoice list under ``clients`` concurrent keep-alive clients, each a member of another
    customer with its own token, against gunicorn (``config/gunicorn.py``) on loopback."""
    import os
    import subprocess
    import sys
    import threading
    from pathlib import Path

    from django.conf import settings
    from rest_framework.authtoken.models import Token

    from accounts.models import Member

    members = list(
        Member.objects.filter(role=Member.Role.ADMIN, user__isnull=False).select_related("user")
        .order_by("pk")[:clients]
    )
    keys = [Token.objects.get_or_create(user=m.user)[0].key for m in members]
    db = settings.DATABASES["default"]
    port = _free_port()
    env = {**os.environ, "WEB_BIND": f"127.0.0.1:{port}", "WEB_WORKERS": str(web_workers),
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"}
    root = Path(__file__).resolve().parent.parent
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-c", "config/gunicorn.py"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        warm: list[float] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            errs: list[str] = []
            _client(port, keys[0], 1, warm, errs)
            if not errs:
                break
            time.sleep(0.5)
        for key in keys:  # one request each first: every worker has its connection and caches
            _client(port, key, 1, warm, [])
        latencies: list[float] = []
        errors: list[str] = []
        threads = [
            threading.Thread(target=_client, args=(port, keys[i % len(keys)], per_client, latencies, errors))
            for i in range(clients)
        ]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)
    latencies.sort()
    p95 = latencies[max(0, int(len(latencies) * 0.95) - 1)] if latencies else None
    return {"p95": p95, "requests": len(latencies), "errors": len(errors), "error_samples": errors[:5],
            "seconds": seconds, "per_second": len(latencies) / seconds if seconds else 0.0,
            "web_workers": web_workers, "peak_mb": peak_mb()}


MEASUREMENTS: dict[str, Callable[..., dict[str, Any]]] = {
    "invoice_run": invoice_run,
    "run_jobs": run_jobs,
    "dunning": dunning,
    "sla_close": sla_close,
    "changelists": changelists,
    "messages": messages,
    "api_invoice_list": api_invoice_list,
}
