"""Issue #14: the bank import is all or nothing, bounded, processed in the background and resumable (BIL-7).

Figures quoted in docs/robustness.md come from these tests (rows, where processing stopped, payments).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from celery import current_app
from django.db import connection

from billing.models import BankStatementImport, BankTransaction, Invoice, LedgerEntry, Payment
from billing.services import ledger
from billing.services.bank import (
    BankStatementInvalid,
    bank_statement_import,
    bank_statement_process,
    bank_statement_record,
    bank_statement_submit,
    bank_transaction_assign,
    statement_report,
)
from core import clock
from core.errors import DomainError
from tests.billing.payment_factories import CustomerFactory, make_invoice

HEADER = "거래일자,입금자명,입금액,거래번호,메모\n"
TODAY = dt.date(2026, 11, 20)


def csv_bytes(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def _nothing_written() -> None:
    assert BankStatementImport.objects.count() == 0
    assert BankTransaction.objects.count() == Payment.objects.count() == 0
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).exists()


@pytest.mark.django_db
def test_out_of_range_rows_are_refused_by_line_and_nothing_is_saved():
    """BIL-7 (issue #14): dates outside the business window (9999-12-31, 0001-01-01, after today),
    amounts of 10^20 and 2^63, and a NUL byte are each reported with their line; nothing is written
    (the 9999-12-31 row used to answer 500 after its statement was committed)."""
    make_invoice(CustomerFactory(legal_name="한빛"), 10_000)
    content = csv_bytes([
        "2026-11-10,한빛,10000,,",          # line 2: fine
        "9999-12-31,한빛,10000,,",          # 3
        "0001-01-01,한빛,10000,,",          # 4
        "2026-11-21,한빛,10000,,",          # 5: after today
        f"2026-11-10,한빛,{10**20},,",      # 6
        f"2026-11-10,한빛,{2**63},,",       # 7
        "2026-11-10,한\x00빛,10000,,",      # 8
        "2026-11-10,한빛,10000000001,,",    # 9: one won over INPUT_MAX_WON
    ])
    with pytest.raises(BankStatementInvalid) as info:
        bank_statement_import(file_name="bad.csv", content=content)
    problems = [(p.line, p.column) for p in info.value.problems]
    assert problems == [(3, "거래일자"), (4, "거래일자"), (5, "거래일자"), (6, "입금액"), (7, "입금액"),
                        (8, ""), (9, "입금액")]
    assert "2016-11-20부터 2026-11-20 사이" in str(info.value.problems[0])
    assert "10,000,000,000원 이하" in str(info.value.problems[-1])
    _nothing_written()


@pytest.mark.django_db
def test_size_and_row_limits(settings):
    """BIL-7 (issue #14): a file over BANK_IMPORT_MAX_ROWS rows or BANK_IMPORT_MAX_BYTES bytes is refused
    whole, before anything is saved."""
    settings.BANK_IMPORT_MAX_ROWS = 3
    four = csv_bytes([f"2026-11-1{i},한빛,1000,,"for i in range(4)])
    with pytest.raises(BankStatementInvalid) as info:
        bank_statement_import(file_name="many.csv", content=four)
    assert [str(p) for p in info.value.problems] == ["5행: 행이 너무 많습니다 (최대 3행)"]
    settings.BANK_IMPORT_MAX_ROWS = 10_000
    settings.BANK_IMPORT_MAX_BYTES = 100
    with pytest.raises(BankStatementInvalid) as info:
        bank_statement_import(file_name="big.csv", content=four)
    assert "파일이 너무 큽니다 (156바이트, 최대 100바이트)" in str(info.value.problems[0])
    _nothing_written()


def _statement_with_overdue_payer_last(rows: int) -> tuple[bytes, Invoice]:
    """``rows`` deposits from strangers, then (last line) one that pays an overdue invoice exactly."""
    customer = CustomerFactory(legal_name="주식회사 연체상사")
    overdue = make_invoice(customer, 55_000, due_date=dt.date(2026, 10, 31))
    lines = [f"2026-11-{1 + i % 19:02d},모르는분{i},{1000 + i},REF-{i}," for i in range(rows - 1)]
    lines.append("2026-11-19,(주)연체상사,55000,REF-LAST,")
    return csv_bytes(lines), overdue


@pytest.mark.django_db
def test_interrupted_import_continues_on_retry_instead_of_being_refused():
    """BIL-7 (issue #14): processing stopped after 120 of 300 rows (a worker killed mid-file); sending
    the same file again continues at row 121 instead of being refused as a duplicate; the last row pays
    the overdue invoice; every row is processed once; then the finished file is a duplicate."""
    content, overdue = _statement_with_overdue_payer_last(300)
    statement, created = bank_statement_record(file_name="nov.csv", content=content)
    assert created and statement.row_count == 300
    statement = bank_statement_process(statement_id=statement.pk, limit=120)  # the worker dies here
    assert (statement.processed_count, statement.finished_at) == (120, None)
    assert BankTransaction.objects.filter(processed_at__isnull=True).count() == 180

    report = bank_statement_import(file_name="nov-retry.csv", content=content)  # the retry
    statement = report.statement
    assert statement.pk == BankStatementImport.objects.get().pk
    assert (statement.processed_count, statement.matched_count) == (300, 1)
    assert statement.finished_at is not None
    assert len(report.matched) == 1 and len(report.unmatched) == 299
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID and ledger.invoice_open_amount(overdue) == 0
    assert Payment.objects.count() == 1
    with pytest.raises(DomainError) as info:
        bank_statement_import(file_name="nov-again.csv", content=content)
    assert info.value.code == "bank_statement_duplicate"


@pytest.mark.django_db
def test_processing_twice_changes_nothing():
    """BIL-7: a second run over a finished statement matches nothing again (jobs are idempotent)."""
    content, _overdue = _statement_with_overdue_payer_last(5)
    report = bank_statement_import(file_name="a.csv", content=content)
    before = (Payment.objects.count(), LedgerEntry.objects.count(), report.statement.finished_at)
    again = bank_statement_process(statement_id=report.statement.pk)
    assert (Payment.objects.count(), LedgerEntry.objects.count(), again.finished_at) == before
    assert (again.processed_count, again.matched_count) == (5, 1)


@pytest.mark.django_db
def test_staff_wait_until_automatic_matching_saw_the_row():
    """BIL-7: a deposit not yet processed cannot be assigned (a worker may hold it); after, it can."""
    customer = CustomerFactory(legal_name="가온")
    make_invoice(customer, 7_000)
    content = csv_bytes(["2026-11-10,이상한이름,7000,,"])
    statement, _ = bank_statement_record(file_name="s.csv", content=content)
    row = BankTransaction.objects.get()
    with pytest.raises(DomainError) as info:
        bank_transaction_assign(transaction=row, customer=customer, remember_alias=False)
    assert info.value.code == "bank_transaction_processing" and Payment.objects.count() == 0
    bank_statement_process(statement_id=statement.pk)
    bank_transaction_assign(transaction=row, customer=customer, remember_alias=False)
    assert Payment.objects.count() == 1


@pytest.mark.django_db
def test_submit_queues_the_background_task_eager_in_the_demo(django_capture_on_commit_callbacks):
    """BIL-7: the admin's path records the file and queues billing.tasks.process_bank_statement after
    commit; with eager tasks (the demo) it runs at once."""
    content, _overdue = _statement_with_overdue_payer_last(3)
    eager = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            statement, created = bank_statement_submit(file_name="demo.csv", content=content)
    finally:
        current_app.conf.task_always_eager = eager
    assert created and len(callbacks) == 1
    statement.refresh_from_db()
    assert (statement.processed_count, statement.matched_count) == (3, 1) and statement.finished_at
    assert [tx.payer_name for tx in statement_report(statement).matched] == ["(주)연체상사"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_share_the_rows_and_match_each_once():
    """BIL-7 (issue #14): two workers process the same statement at once (SKIP LOCKED row locks): every
    row is processed exactly once, the overdue invoice is paid once."""
    customers = [CustomerFactory(legal_name=f"고객{i}") for i in range(6)]
    invoices = [make_invoice(c, 11_000 * (i + 1)) for i, c in enumerate(customers)]
    lines = [f"2026-11-10,고객{i},{11_000 * (i + 1)},,"for i in range(6)]
    lines += [f"2026-11-11,낯선이{i},500,," for i in range(24)]
    statement, _ = bank_statement_record(file_name="race.csv", content=csv_bytes(lines))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            with clock.frozen(TODAY):
                barrier.wait()
                bank_statement_process(statement_id=statement.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    statement.refresh_from_db()
    assert (statement.processed_count, statement.matched_count) == (30, 6) and statement.finished_at
    assert Payment.objects.count() == 6
    for invoice in invoices:
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.PAID
