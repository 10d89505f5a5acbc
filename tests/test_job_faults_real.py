"""Killed jobs do not block the day, with the real jobs (issue #14): ``manage.py run_jobs`` runs the
invoice run, dunning or the purge in a process of its own (the bank import: its command; a bulk send: a
real Celery worker), slowed between units (tests/slowjobs.py); it is SIGKILLed mid-way, and the rerun
takes the work over and finishes it exactly once: no duplicate invoice, case, step, payment, destruction
or message, nothing lost."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import redis
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Count

from billing.models import DunningCase, DunningStep, Invoice
from billing.services.usage import usage_totals
from core.models import JobRun
from tests.billing.bdocs_support import make_invoice
from tests.billing.conftest import make_contract
from tests.billing.ui.support import NOTIFY_LADDER
from tests.contracts.factories import PolicyFactory
from tests.core.test_job_faults import BASE_DIR, database_url, start, wait_until
from tests.factories import AdminMemberFactory

D = dt.date
UNITS = 5

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def kill_mid_way(tmp_path, job: str, day: dt.date, rows, **env: str) -> int:  # type: ignore[no-untyped-def]
    """Start ``run_jobs --job <job> --date <day>`` slowed down; SIGKILL it once ``rows()`` ≥ 2."""
    log = tmp_path / f"{job}.log"
    worker = start(
        ["run_jobs", "--date", day.isoformat(), "--job", job, "--no-progress"],
        log,
        EXTRA_JOBS=f"{job}=tests.slowjobs.{job}",
        JOB_TEST_UNIT_DELAY="0.6",
        **env,
    )
    try:
        wait_until(lambda: rows() >= 2, worker, log, timeout=120)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    run = JobRun.objects.get(job=job, as_of=day)
    assert run.status == JobRun.Status.RUNNING  # what a killed worker leaves behind
    done = rows()
    assert 2 <= done < UNITS, done
    call_command("run_jobs", "--date", day.isoformat(), "--job", job, "--no-progress")
    resumed = JobRun.objects.get(job=job, as_of=day)
    assert (resumed.status, resumed.attempts) == (JobRun.Status.SUCCEEDED, 2)
    return done


def test_invoice_run_killed_mid_way_issues_each_invoice_exactly_once(tmp_path):
    """BIL-2, §10 (issue #14): five contracts due on 2026-01-07; the killed run issued some; the rerun
    issues the rest at once; one invoice per contract, none twice."""
    from contracts.presets import load_presets

    load_presets()
    contracts = [make_contract("damoa-standard", start=D(2026, 1, 2)) for _ in range(UNITS)]
    kill_mid_way(tmp_path, "generate_invoices", D(2026, 1, 7), Invoice.objects.count)
    assert Invoice.objects.count() == UNITS
    issued_to = sorted(Invoice.objects.values_list("customer_id", flat=True))
    assert issued_to == sorted(c.customer_id for c in contracts)


def test_dunning_killed_mid_way_takes_each_step_exactly_once(tmp_path):
    """DUN-1, §10 (issue #14): five overdue invoices (due 2026-11-10, ladder day 1 notify); dunning on
    2026-11-20 is killed after some steps; the rerun opens the other cases: one case and one step each."""
    policy = PolicyFactory(dunning_ladder=NOTIFY_LADDER)
    invoices = [
        make_invoice(
            AdminMemberFactory().customer,
            issue_date=D(2026, 10, 27),
            due_days=14,
            lines=[("기본료 10월", 1, 100_000)],
            policy_obj=policy,
        )
        for _ in range(UNITS)
    ]
    kill_mid_way(tmp_path, "dunning", D(2026, 11, 20), DunningStep.objects.count)
    assert DunningCase.objects.count() == UNITS
    assert sorted(DunningCase.objects.values_list("invoice_id", flat=True)) == sorted(i.pk for i in invoices)
    assert DunningStep.objects.count() == UNITS
    assert [case.steps.count() for case in DunningCase.objects.all()] == [1] * UNITS


def test_purge_killed_mid_way_destroys_each_customer_exactly_once(tmp_path, settings):
    """DAT-2, DAT-5, §10 (issue #14): five dcloud customers whose data is due on their contract's end;
    the killed purge destroyed some; the rerun destroys the rest: one destruction record and one
    retained identity record per customer, none twice."""
    from contracts.presets import load_presets
    from privacy.models import DestructionRecord, RetainedRecord
    from tests.privacy.conftest import ENDED, ended_customer

    settings.PRIVACY_PURGE_ENABLED = True
    load_presets()
    customers = [ended_customer("dcloud") for _ in range(UNITS)]
    purged = DestructionRecord.objects.filter(kind=DestructionRecord.Kind.CUSTOMER_DATA)
    kill_mid_way(tmp_path, "purge_data", ENDED, purged.count, PRIVACY_PURGE_ENABLED="true")
    assert sorted(purged.values_list("customer_ref", flat=True)) == sorted(c.pk for c in customers)
    identities = RetainedRecord.objects.filter(kind=RetainedRecord.Kind.IDENTITY)
    assert sorted(identities.values_list("customer_ref", flat=True)) == sorted(c.pk for c in customers)


def test_bank_import_killed_mid_way_matches_each_deposit_exactly_once(tmp_path):
    """BIL-7, §10 (issue #14): a statement of five deposits, each paying one customer's invoice; the
    import is SIGKILLed after some were matched. Importing the same file again used to be refused as a
    duplicate, leaving the rest unmatched; now it matches exactly the untried rows: five payments,
    every invoice paid once, and a third import is the duplicate refusal."""
    from billing.models import BankStatementImport, BankTransaction, Payment
    from tests.billing.payment_factories import CustomerFactory
    from tests.billing.payment_factories import make_invoice as make_billing_invoice

    names = ["가람", "나래", "다솜", "라온", "마루"]
    invoices = [
        make_billing_invoice(CustomerFactory(legal_name=f"주식회사 {name}소프트"), 110_000) for name in names
    ]
    rows = [f"2026-11-10,㈜{name}소프트,110000,TX-{n},11월분" for n, name in enumerate(names)]
    statement = tmp_path / "kb-1110.csv"
    header = "거래일자,입금자명,입금액,거래번호,메모\n"
    statement.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    log = tmp_path / "import.log"
    worker = start(
        ["billing.Payment", "import_bank_statement", str(statement)],
        log,
        program=["-m", "tests.slowjobs"],
        JOB_TEST_UNIT_DELAY="0.6",
    )
    try:
        wait_until(lambda: Payment.objects.count() >= 2, worker, log, timeout=120)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    assert 2 <= Payment.objects.count() < UNITS

    call_command("import_bank_statement", str(statement))
    assert Payment.objects.count() == UNITS
    assert BankStatementImport.objects.get().matched_count == UNITS
    assert set(BankTransaction.objects.values_list("status", flat=True)) == {BankTransaction.Status.MATCHED}
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID
        assert Payment.objects.filter(customer=invoice.customer).count() == 1
    with pytest.raises(CommandError, match="이미 반영"):
        call_command("import_bank_statement", str(statement))


class ProviderStub(BaseHTTPRequestHandler):
    """A message provider on the loopback, speaking ``messaging.providers.http``'s JSON: it keeps every
    hand-over (``handed``, resends included), sends a ``client_ref`` once (``sent``) and reports each
    sent message delivered on the next ``GET /results``, as soon as it took it; it answers the hand-over
    ``answer_delay`` seconds later. It lives in the test process, so what it recorded survives the
    worker's SIGKILL."""

    lock = threading.Lock()
    handed: ClassVar[list[tuple[str, str]]] = []
    sent: ClassVar[dict[str, str]] = {}
    results: ClassVar[list[str]] = []
    answer_delay: ClassVar[float] = 0.0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        receipts = []
        with self.lock:
            for message in body["messages"]:
                ref = str(message["client_ref"])
                self.handed.append((ref, message["recipient"]))
                if ref not in self.sent:  # a resend of the same message is not sent again
                    self.sent[ref] = f"stub-{len(self.sent) + 1}"
                    self.results.append(self.sent[ref])
                receipts.append({"client_ref": ref, "accepted": True, "id": self.sent[ref]})
        time.sleep(self.answer_delay)
        self._answer({"receipts": receipts})

    def do_GET(self) -> None:
        with self.lock:
            due, self.results[:] = list(self.results), []
        self._answer({"results": [{"id": i, "delivered": True} for i in due]})

    def _answer(self, payload: dict[str, object]) -> None:
        data = json.dumps(payload).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the worker was killed waiting
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return None


def celery_worker(log: Path, env: dict[str, str], *, slowed: bool) -> subprocess.Popen:
    """A real Celery worker on the default queue (services never name one; this Redis db is the test's)."""
    program = (
        ["-m", "tests.slowjobs", "--send-worker"] if slowed else ["-m", "celery", "-A", "config", "worker"]
    )
    options = [
        "--pool=solo",
        "--concurrency=1",
        "-n",
        f"faults-{uuid.uuid4().hex[:8]}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, *program, *options],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(worker: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


@pytest.mark.parametrize("kill_point", ["between_messages", "provider_holds_one"])
def test_bulk_send_killed_mid_way_sends_each_message_exactly_once(tmp_path, monkeypatch, kill_point):
    """MSG-8, MSG-6, BIL-6, §10 (issue #14): a bulk SMS to five recipients travels through Redis to a
    real Celery worker, which hands the messages to the provider one by one; the worker is SIGKILLed
    after some were sent: between two messages, or while the provider holds one whose receipt never
    reaches us (its result comes before the resend). The worker's task stays unacknowledged in the
    broker (redelivered only after the visibility timeout, an hour), so the rest used to wait that
    long, or for ever if the task was lost; now the next ``message_results`` run (every 5 minutes)
    hands messages queued or sending for more than 10 minutes to a new task, and keeps a result that
    matches no message yet until the resend records the provider's id (it used to be dropped: the
    message failed 48 hours later, unbilled). A restarted worker sends the rest: every recipient gets
    exactly one message (the provider drops the resend of the held one), each is billed once, and
    the runs are not left blocking."""
    from contracts.presets import load_presets
    from contracts.services.messaging_limits import messaging_limits_for
    from core import clock
    from core.jobs import run_job
    from messaging.models import Message
    from messaging.selectors import batch_progress
    from messaging.services.sending import bulk_send
    from tests.messaging.test_api_paid_support import SENDER, approved_sender, kgmsg_contract
    from tests.messaging.test_paid_support import mobile

    assert not settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("redis://")
    ProviderStub.handed, ProviderStub.sent, ProviderStub.results = [], {}, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), ProviderStub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    provider_env = {
        "MESSAGING_PROVIDER": "http",
        "MESSAGING_HTTP_URL": f"http://127.0.0.1:{server.server_port}",
        "MESSAGING_HTTP_TIMEOUT": "5",
    }
    for name, value in provider_env.items():
        monkeypatch.setenv(name, value)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "PYTHONPATH": str(BASE_DIR),
        "JOB_TEST_UNIT_DELAY": "0.6" if kill_point == "between_messages" else "0",
        **provider_env,
    }
    ProviderStub.answer_delay = 0.0 if kill_point == "between_messages" else 0.6
    load_presets()
    member = AdminMemberFactory()
    contract = kgmsg_contract(member.customer)
    limits = messaging_limits_for(member.customer, today=clock.today())
    approved_sender(member.customer, limits)
    numbers = [mobile(n) for n in range(1, UNITS + 1)]
    workers = [celery_worker(tmp_path / "killed.log", env, slowed=True)]
    batch = None
    try:
        batch = bulk_send(
            customer=member.customer,
            limits=limits,
            kind="text",
            recipients=numbers,
            sender=SENDER,
            text="정기 점검 안내입니다.",
            now=clock.now(),
        )
        sent = Message.objects.filter(batch=batch, status=Message.Status.SENT)
        if kill_point == "between_messages":
            killed_after = lambda: sent.count() >= 2  # noqa: E731
        else:
            killed_after = lambda: len(ProviderStub.handed) >= 2  # noqa: E731
        wait_until(killed_after, workers[0], tmp_path / "killed.log", timeout=120)
        stop(workers[0], signal.SIGKILL)
        ProviderStub.answer_delay = 0.0
        left = dict(
            Message.objects.filter(batch=batch).order_by().values_list("status").annotate(n=Count("id"))
        )
        held = 0 if kill_point == "between_messages" else 1  # taken by the provider, receipt lost
        assert 1 <= left[Message.Status.SENT] < UNITS and left.get(Message.Status.SENDING, 0) == held, left
        assert left[Message.Status.QUEUED] == UNITS - left[Message.Status.SENT] - held, left
        assert len(ProviderStub.handed) == left[Message.Status.SENT] + held
        assert len(unacked(f"'batch_id': {batch.pk}")) == 1  # the killed worker's task, held back

        workers.append(celery_worker(tmp_path / "restarted.log", env, slowed=False))
        killed_at = clock.now()
        with clock.frozen(killed_at + dt.timedelta(minutes=11)):  # beat's next run, past the 10 minutes
            first = run_job("message_results")
        assert first.counts["requeued"] == UNITS - left[Message.Status.SENT]
        assert first.counts["pending"] == held  # its result came before its provider id was recorded
        waiting = Message.objects.filter(
            batch=batch, status__in=[Message.Status.QUEUED, Message.Status.SENDING]
        )
        wait_until(lambda: not waiting.exists(), workers[1], tmp_path / "restarted.log", timeout=120)
        with clock.frozen(killed_at + dt.timedelta(minutes=16)):
            second = run_job("message_results")
        assert first.counts["delivered"] + second.counts["delivered"] == UNITS
    finally:
        for worker in workers:
            stop(worker)
        server.shutdown()
        server.server_close()
        if batch is not None:
            forget_unacked(f"'batch_id': {batch.pk}")

    assert Message.objects.count() == UNITS
    assert sorted(Message.objects.values_list("recipient", flat=True)) == numbers
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.DELIVERED}
    handed = Counter(number for _ref, number in ProviderStub.handed)
    assert sorted(handed) == numbers and sorted(handed.values()) == [1] * (UNITS - held) + [2] * held
    assert sorted(ProviderStub.sent) == sorted(str(pk) for pk in Message.objects.values_list("pk", flat=True))
    progress = batch_progress(batch)
    assert (progress["finished"], progress["percent"], progress["done"]) == (True, 100, UNITS)
    today = clock.today()
    assert usage_totals(contract, today.replace(day=1), today) == {"sms": UNITS}  # billed once each
    run = JobRun.objects.get(job="message_results", as_of=today)
    assert (run.status, run.attempts) == (JobRun.Status.SUCCEEDED, 2)


def unacked(marker: str) -> list[bytes]:
    """The broker's unacknowledged tasks whose message mentions ``marker`` (kombu's ``unacked`` hash,
    where a task taken by a killed worker stays until the visibility timeout)."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    return [tag for tag, raw in client.hgetall("unacked").items() if marker in raw.decode(errors="replace")]


def forget_unacked(marker: str) -> None:
    """Drop the killed worker's task from the broker, so that it is not redelivered to a later test's
    worker an hour from now."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    for tag in unacked(marker):
        client.hdel("unacked", tag)
        client.zrem("unacked_index", tag)
