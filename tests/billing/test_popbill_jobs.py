"""Issue 18: the daily job issuing tax invoices through Popbill by the BIL-18 deadline, polling their
NTS status, and staff cancellation — over recorded HTTP exchanges (``popbill_replay``)."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from accounts.models import Customer
from billing import jobs
from billing.models import CreditNote, TaxInvoice
from billing.services import tax
from core.errors import DomainError
from core.models import ProviderCall, StatusTransition
from tests.billing import popbill_replay
from tests.billing.bdocs_support import make_invoice
from tests.billing.test_popbill import APPROVAL, POPBILL
from tests.factories import CustomerFactory

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def popbill_settings():
    with override_settings(**POPBILL):
        yield


def _ready_rows(count: int = 2) -> list[TaxInvoice]:
    customer = CustomerFactory(legal_name="주식회사 가나다", representative_name="홍길동")
    rows = [
        tax.tax_invoice_for(invoice=make_invoice(customer, issue_date=dt.date(2026, 11, 30)))
        for _ in range(count)
    ]
    return rows


def _credit_note(invoice, *, total: int = 11_000) -> CreditNote:
    return CreditNote.objects.create(
        number=f"CN-2026-{CreditNote.objects.count() + 1:06d}",
        kind=CreditNote.Kind.CREDIT,
        invoice=invoice,
        customer=invoice.customer,
        reason=CreditNote.Reason.CORRECTION,
        description="정정",
        issued_on=dt.date(2026, 11, 30),
        supply_won=total * 10 // 11,
        vat_won=total - total * 10 // 11,
        total_won=total,
    )


@pytest.mark.django_db
def test_file_provider_issues_nothing():
    """BIL-18: with nothing set (the file provider) the job sends nothing; rows wait for the export."""
    rows = _ready_rows(1)
    assert jobs.issue_tax_invoices(today=TODAY)["issued"] == 0
    rows[0].refresh_from_db()
    assert rows[0].status == TaxInvoice.Status.READY and ProviderCall.objects.count() == 0


@pytest.mark.django_db
def test_job_issues_ready_rows_records_approval_and_is_idempotent(popbill_settings, monkeypatch):
    """BIL-18: every ready row is issued (logged move ready → issued) with its 승인번호; the next run asks
    Popbill how each stands (sent to the NTS: final) and sends nothing new; a third run does nothing."""
    rows = _ready_rows(2)
    replay = popbill_replay.install(monkeypatch, "token", "issue_success_many", "info_sent_to_nts")
    counts = jobs.issue_tax_invoices(today=TODAY)
    assert (counts["issued"], counts["checked"], counts["refused"], counts["errors"]) == (2, 0, 0, 0)
    assert len(replay.calls()) == 0  # no GetInfo for the rows just issued
    second = jobs.issue_tax_invoices(today=TODAY)
    assert (second["issued"], second["checked"]) == (0, 2)
    for row in rows:
        row.refresh_from_db()
        assert row.status == TaxInvoice.Status.ISSUED and row.approval_number == APPROVAL
        assert (row.provider, row.provider_status, row.nts_result, row.provider_done) == (
            "popbill",
            "304",
            "SUC001",
            True,
        )
        assert row.issued_at is not None and row.issue_attempts == 1
    assert StatusTransition.objects.filter(machine="tax_invoice", to_status="issued").count() == 2
    sent_numbers = [s.body["invoicerMgtKey"] for s in replay.calls("ISSUE")]
    assert sorted(sent_numbers) == sorted(tax.source_number(r) for r in rows)
    again = jobs.issue_tax_invoices(today=TODAY)
    assert again["issued"] == 0 and again["checked"] == 0
    assert len(replay.calls("ISSUE")) == 2 and len(replay.calls()) == 2


@pytest.mark.django_db
def test_refused_row_stays_ready_with_the_reason_and_is_retried(popbill_settings, monkeypatch):
    """BIL-18: a refusal (invalid business number) leaves the row ready with Popbill's reason for staff;
    the next run tries again."""
    (row,) = _ready_rows(1)
    popbill_replay.install(monkeypatch, "token", "issue_refused_business_number")
    assert jobs.issue_tax_invoices(today=TODAY)["refused"] == 1
    row.refresh_from_db()
    assert row.status == TaxInvoice.Status.READY and row.issue_attempts == 1
    assert "-11001014" in row.provider_error
    monkeypatch.undo()
    popbill_replay.install(monkeypatch, "token", "issue_success")
    assert jobs.issue_tax_invoices(today=TODAY)["issued"] == 1
    row.refresh_from_db()
    assert row.status == TaxInvoice.Status.ISSUED and row.provider_error == "" and row.issue_attempts == 2


@pytest.mark.django_db
def test_lost_answer_is_recovered_without_issuing_twice(popbill_settings, monkeypatch):
    """BIL-18: a timeout leaves the row ready; the next run's document number is already used at
    Popbill, so the job reads the document back (GetInfo) and records it instead of issuing again."""
    (row,) = _ready_rows(1)
    popbill_replay.install(monkeypatch, "token", "issue_timeout")
    assert jobs.issue_tax_invoices(today=TODAY)["errors"] == 1
    row.refresh_from_db()
    assert row.status == TaxInvoice.Status.READY and "timed out" in row.provider_error
    monkeypatch.undo()
    replay = popbill_replay.install(monkeypatch, "token", "issue_duplicate_mgtkey")
    assert jobs.issue_tax_invoices(today=TODAY)["issued"] == 1
    row.refresh_from_db()
    assert row.status == TaxInvoice.Status.ISSUED and row.approval_number == APPROVAL
    assert not replay.pending


@pytest.mark.django_db
def test_server_error_leaves_row_ready(popbill_settings, monkeypatch):
    """BIL-18: a 5xx answer is a transport error: nothing changes but the attempt and its note."""
    (row,) = _ready_rows(1)
    popbill_replay.install(monkeypatch, "token", "issue_server_error")
    assert jobs.issue_tax_invoices(today=TODAY)["errors"] == 1
    row.refresh_from_db()
    assert row.status == TaxInvoice.Status.READY and row.approval_number == ""


@pytest.mark.django_db
def test_late_row_is_issued_with_force_issue(popbill_settings, monkeypatch):
    """BIL-18: a row still ready after its deadline (the 10th of the next month) is issued late, and
    Popbill is told so (forceIssue); rows within the deadline are not."""
    (row,) = _ready_rows(1)
    assert row.issue_by == dt.date(2026, 12, 10)
    replay = popbill_replay.install(monkeypatch, "token", "issue_success_many")
    jobs.issue_tax_invoices(today=dt.date(2026, 12, 11))
    assert replay.calls("ISSUE")[0].body["forceIssue"] is True


@pytest.mark.django_db
def test_amended_waits_for_the_original_then_carries_its_approval(popbill_settings, monkeypatch):
    """BIL-18: a credit note's 수정세금계산서 waits until the original has its 승인번호, then names it."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, issue_date=dt.date(2026, 11, 30))
    original = tax.tax_invoice_for(invoice=invoice)
    amended = tax.tax_invoice_for_credit_note(credit_note=_credit_note(invoice))
    TaxInvoice.objects.filter(pk=original.pk).update(written_on=dt.date(2026, 12, 5))  # not due yet
    popbill_replay.install(monkeypatch, "token")
    counts = jobs.issue_tax_invoices(today=TODAY)
    assert counts["waiting"] == 1 and counts["issued"] == 0
    amended.refresh_from_db()
    assert amended.status == TaxInvoice.Status.READY and "승인번호" in amended.provider_error
    monkeypatch.undo()
    replay = popbill_replay.install(monkeypatch, "token", "issue_success_many", "info_sent_to_nts")
    counts = jobs.issue_tax_invoices(today=dt.date(2026, 12, 5))
    assert counts["issued"] == 2
    bodies = [s.body for s in replay.calls("ISSUE")]
    assert [b["invoicerMgtKey"] for b in bodies] == [invoice.number, amended.credit_note.number]
    body = bodies[1]
    assert body["invoicerMgtKey"] == amended.credit_note.number
    assert body["modifyCode"] == 1 and body["orgNTSConfirmNum"] == APPROVAL
    assert body["totalAmount"] == "-11000"


@pytest.mark.django_db
def test_individual_buyer_is_left_for_manual_issue(popbill_settings, monkeypatch):
    """BIL-18, DAT: no resident number is stored, so an individual's tax invoice is not sent; the row
    says why and stays ready for the file export."""
    person = CustomerFactory(kind=Customer.Kind.INDIVIDUAL, business_number="")
    row = tax.tax_invoice_for(invoice=make_invoice(person, issue_date=dt.date(2026, 11, 30)))
    popbill_replay.install(monkeypatch, "token")
    assert jobs.issue_tax_invoices(today=TODAY)["manual"] == 1
    row.refresh_from_db()
    assert row.status == TaxInvoice.Status.READY and "주민등록번호" in row.provider_error
    assert ProviderCall.objects.count() == 0


@pytest.mark.django_db
def test_poll_follows_nts_failure_and_cancellation_at_popbill(popbill_settings, monkeypatch):
    """BIL-18: the poll records a failed NTS transmission (final, for staff) and a cancellation made on
    Popbill's site (issued → cancelled, logged)."""
    rows = _ready_rows(2)
    popbill_replay.install(monkeypatch, "token", "issue_success_many", "info_nts_failed", "info_cancelled")
    assert jobs.issue_tax_invoices(today=TODAY)["issued"] == 2
    counts = jobs.issue_tax_invoices(today=TODAY)
    assert (counts["checked"], counts["cancelled"]) == (1, 1)
    states = {
        r.pk: (r.status, r.provider_status, r.nts_result)
        for r in TaxInvoice.objects.filter(pk__in=[x.pk for x in rows])
    }
    assert sorted(states.values()) == [
        (TaxInvoice.Status.CANCELLED, "600", ""),
        (TaxInvoice.Status.ISSUED, "305", "ERR001"),
    ]


@pytest.mark.django_db
def test_staff_cancel_before_nts_and_refusals(popbill_settings, monkeypatch):
    """BIL-18: 발행취소 of an issued row not yet at the NTS (logged, with the reason); refused without a
    reason, after the NTS has it, and when Popbill refuses (nothing changes)."""
    first, second = _ready_rows(2)
    popbill_replay.install(monkeypatch, "token", "issue_success_many", "info_issued", "info_issued")
    jobs.issue_tax_invoices(today=TODAY)
    jobs.issue_tax_invoices(today=TODAY)  # Popbill: 300 발행완료, not yet sent to the NTS
    monkeypatch.undo()
    popbill_replay.install(monkeypatch, "token", "cancel_success", "cancel_refused")
    first.refresh_from_db()
    with pytest.raises(DomainError) as no_reason:
        tax.tax_invoice_cancel(row=first, reason=" ", today=TODAY)
    assert no_reason.value.field == "reason"
    cancelled = tax.tax_invoice_cancel(row=first, reason="중복 발행", today=TODAY)
    assert cancelled.status == TaxInvoice.Status.CANCELLED and cancelled.provider_status == "600"
    log = StatusTransition.objects.filter(machine="tax_invoice", to_status="cancelled").get()
    assert log.reason == "중복 발행"
    second.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        tax.tax_invoice_cancel(row=second, reason="취소 요청", today=TODAY)
    assert refused.value.rule == "BIL-18"
    second.refresh_from_db()
    assert second.status == TaxInvoice.Status.ISSUED
    TaxInvoice.objects.filter(pk=second.pk).update(provider_done=True)
    second.refresh_from_db()
    with pytest.raises(DomainError) as sent:
        tax.tax_invoice_cancel(row=second, reason="취소 요청", today=TODAY)
    assert sent.value.code == "tax_invoice_sent_to_nts"


@pytest.mark.django_db(transaction=True)
def test_two_workers_issue_each_row_once(popbill_settings, monkeypatch):
    """BIL-18: two workers running the job at the same moment (SKIP LOCKED per row) send every row to
    Popbill exactly once, and each row is issued once."""
    rows = _ready_rows(6)
    replay = popbill_replay.install(monkeypatch, "token", "issue_success_many", "info_sent_to_nts")
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(jobs.issue_tax_invoices(today=TODAY))
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(r["issued"] for r in results) == 6 and sum(r["checked"] for r in results) == 0
    sent: list[Any] = [s.body["invoicerMgtKey"] for s in replay.calls("ISSUE")]
    assert sorted(sent) == sorted(tax.source_number(r) for r in rows)  # none twice
    assert set(TaxInvoice.objects.values_list("status", flat=True)) == {TaxInvoice.Status.ISSUED}
    assert StatusTransition.objects.filter(machine="tax_invoice", to_status="issued").count() == 6
    assert ProviderCall.objects.filter(operation="registIssue").count() == 6
