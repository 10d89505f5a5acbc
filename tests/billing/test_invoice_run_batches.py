"""Issue 16 / issue 19: the invoice run set-based and batched, shared by workers with SKIP LOCKED.

* The number of queries of a batch does not depend on how many invoices it issues, and the same run
  again (nothing to issue) is a constant number of queries.
* Two workers on the same date share the batches (each issues some), each invoice is issued once, the
  numbers are gapless (BIL-2) and each invoice has one ledger entry.
* A customer another transaction holds (a payment under ``ledger.lock_customer``) is passed over, then
  taken once the lock is released: the run still issues everything due before it returns.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer
from billing.models import DocumentCounter, Invoice, LedgerEntry
from billing.services import invoicing
from billing.services.invoicing import invoice_drafts, invoices_generate
from contracts.presets import load_presets

from .conftest import D, make_contract

ISSUE = D(2026, 2, 10)


def _contracts(n: int) -> list[Any]:
    return [make_contract("dcloud-vm-standard", start=D(2026, 1, 1)) for _ in range(n)]


def _queries(today: Any) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as ctx:
        counts = invoices_generate(today=today)
    return len(ctx.captured_queries), counts


@pytest.mark.django_db
def test_queries_per_batch_do_not_grow_with_its_invoices(presets: Any) -> None:
    """BIL-2, issue 16: a batch of 2 invoices and one of 6 take the same number of queries (numbers for
    the batch with one counter update, one insert per table); the run again is constant too."""
    DocumentCounter.objects.create(series="INV", year=2026)  # the first number of a year creates it
    _contracts(2)
    small, counts = _queries(ISSUE)
    assert counts["invoices"] == 2
    again_small, again = _queries(ISSUE)
    assert again["invoices"] == 0

    _contracts(4)  # the same day for the four new customers, and the two done ones again
    large, counts = _queries(ISSUE)
    assert counts["invoices"] == 4
    again_large, again = _queries(ISSUE)
    assert again["invoices"] == 0

    assert large == small, (small, large)
    assert again_large == again_small, (again_small, again_large)
    assert again_small <= 12, again_small  # candidates, lock, contracts + prefetches, issued keys...
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-2026-{n:06d}" for n in range(1, 7)]
    assert LedgerEntry.objects.filter(kind="invoice").count() == 6


@pytest.mark.django_db
def test_batched_run_issues_what_the_preview_shows(presets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """BIL-2: batches of two customers issue exactly the drafts of the preview, in customer order."""
    monkeypatch.setattr(invoicing, "BATCH_SIZE", 2)
    contracts = _contracts(5)
    drafts = invoice_drafts(today=ISSUE)
    assert len(drafts) == 5
    assert invoices_generate(today=ISSUE)["invoices"] == 5
    issued = {
        (i.customer_id, i.schedule, i.period_start): (i.number, i.total_won) for i in Invoice.objects.all()
    }
    assert {d.key: d.total_won for d in drafts} == {k: v[1] for k, v in issued.items()}
    by_customer = sorted(
        (c.customer_id, issued[(c.customer_id, "dcloud", D(2026, 1, 1))][0]) for c in contracts
    )
    assert [number for _c, number in by_customer] == [f"INV-2026-{n:06d}" for n in range(1, 6)]


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_batches_and_issue_each_invoice_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """BIL-2, issue 16/19: two workers (threads, real PostgreSQL) on the same date take different batches
    (FOR UPDATE SKIP LOCKED), each invoice is issued once, numbers gapless, one ledger entry each."""
    load_presets()
    contracts = _contracts(8)
    monkeypatch.setattr(invoicing, "BATCH_SIZE", 2)
    issue = invoicing._issue

    def slow_issue(drafts: list[Any]) -> list[Any]:
        time.sleep(0.3)  # hold the batch's locks long enough for the other worker to pass over it
        return issue(drafts)

    monkeypatch.setattr(invoicing, "_issue", slow_issue)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(invoices_generate(today=ISSUE))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert sum(r["invoices"] for r in results) == 8
    assert all(r["invoices"] > 0 for r in results), results  # both workers took batches
    keys = list(Invoice.objects.values_list("customer_id", "schedule", "period_start"))
    assert len(keys) == len(set(keys)) == 8
    assert {k[0] for k in keys} == {c.customer_id for c in contracts}
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-2026-{n:06d}" for n in range(1, 9)
    ]
    assert LedgerEntry.objects.filter(kind="invoice").count() == 8
    assert invoices_generate(today=ISSUE)["invoices"] == 0


@pytest.mark.django_db(transaction=True)
def test_a_customer_held_by_another_transaction_is_issued_once_released() -> None:
    """BIL-2, issue 16: the run passes over a customer whose row another transaction holds (SKIP LOCKED),
    then waits for it at the end, so the run still issues it, once, before returning."""
    load_presets()
    contracts = _contracts(3)
    held = contracts[1].customer_id
    locked = threading.Event()

    def holder() -> None:
        try:
            with transaction.atomic():
                Customer.objects.select_for_update().get(pk=held)
                locked.set()
                time.sleep(1.0)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert locked.wait(10)
    counts = invoices_generate(today=ISSUE)
    thread.join()
    assert counts["invoices"] == 3
    assert Invoice.objects.filter(customer_id=held).count() == 1
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-2026-{n:06d}" for n in range(1, 4)
    ]


def _charge_reads(queries: list[dict[str, Any]]) -> list[str]:
    """The charge reads among ``queries`` (promotions, suspensions, usage, delivered messages, late
    charges): what a batch reads only for customers with something to bill."""
    tables = ("billing_promotion", "contracts_suspension", "billing_usagerecord", "messaging_message",
              "billing_latecharge")
    return [q["sql"] for q in queries if q["sql"].startswith("SELECT") and any(
        f'FROM "{table}"' in q["sql"] for table in tables)]


@pytest.mark.django_db
def test_idle_usage_only_contracts_do_not_make_every_day_a_billing_day(presets: Any) -> None:
    """BIL-2, BIL-6, issue 16: a usage-only (kgmsg) contract with no messages in its past months has
    nothing to bill for them; those months stay unissued, and used to be "due" every day, so the batch
    read every charge of every customer each day. Now its usage is read once, nothing is billed, and no
    other charge is read; a contract that did send messages is billed for them as before."""
    from billing.models import UsageRecord

    idle = [make_contract("kgmsg-standard", start=D(2026, 1, 1)) for _ in range(3)]
    busy = make_contract("kgmsg-standard", start=D(2026, 1, 1))
    UsageRecord.objects.create(contract=busy, day=D(2026, 2, 3), unit="sms", quantity=100)
    ordinary = D(2026, 2, 20)
    invoices_generate(today=ordinary)  # whatever was due by now, issued
    before = Invoice.objects.count()
    with CaptureQueriesContext(connection) as ctx:
        counts = invoices_generate(today=ordinary + dt.timedelta(days=1))
    assert counts["invoices"] == 0 and Invoice.objects.count() == before
    reads = _charge_reads(ctx.captured_queries)
    assert len(reads) <= 2 and all(
        'FROM "billing_usagerecord"' in sql or 'FROM "messaging_message"' in sql for sql in reads
    ), reads
    assert not Invoice.objects.filter(customer__in=[c.customer for c in idle]).exists()

    invoices_generate(today=D(2026, 3, 20))  # February's invoice (10th business day): only the busy one
    billed = Invoice.objects.filter(period_start=D(2026, 2, 1))
    assert [i.customer_id for i in billed] == [busy.customer_id]
    assert billed.get().lines.get().amount_won > 0
