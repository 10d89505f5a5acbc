"""Billing services move statuses through core.transitions: each move leaves a log row (who, when, from,
to, why) and a refused move leaves none (BIL-7, BIL-10, BIL-11, BIL-18, DUN-3)."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.models import (
    BankStatementImport,
    BankTransaction,
    Dispute,
    DunningCase,
    Invoice,
    Payment,
    Refund,
)
from billing.services import tax
from billing.services.bank import bank_transaction_ignore
from billing.services.disputes import dispute_decide, dispute_file, dispute_withdraw
from billing.services.dunning import dunning_pause
from billing.services.payments import payment_record
from billing.services.refunds import refund_cancel, refund_pay, refund_request
from core import clock
from core.audit import acting_as
from core.errors import DomainError
from core.transitions import history
from tests.billing.payment_factories import CustomerFactory, make_invoice
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

D = dt.date


def _moves(obj: object) -> list[tuple[str, str, str]]:
    return [(row.from_status, row.to_status, row.reason) for row in history(obj)]  # type: ignore[arg-type]


def test_invoice_paid_in_full_is_logged_issued_to_paid():
    """BIL-7: payment in full settles the invoice; the move issued → paid is logged on the payment day."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000)
    payment_record(
        customer=customer,
        amount_won=110_000,
        method=Payment.Method.BANK_TRANSFER,
        received_on=D(2026, 10, 3),
        invoice=invoice,
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    [row] = history(invoice)
    assert (row.machine, row.from_status, row.to_status, row.on_date) == (
        "invoice",
        "issued",
        "paid",
        D(2026, 10, 3),
    )


def test_refund_cancel_logs_the_reason_and_a_refused_pay_logs_nothing():
    """BIL-11: requested → cancelled is logged with the staff member and the reason; paying it is refused."""
    customer = CustomerFactory()
    payment_record(
        customer=customer, amount_won=50_000, method=Payment.Method.BANK_TRANSFER, received_on=D(2026, 10, 1)
    )
    refund = refund_request(customer=customer, amount_won=50_000, reason="과납", today=D(2026, 11, 1))
    staff = StaffUserFactory()
    refund_cancel(refund=refund, today=D(2026, 11, 2), actor=staff, reason="고객 철회")
    [row] = history(refund)
    assert (row.from_status, row.to_status, row.reason, row.user, row.on_date) == (
        "requested",
        "cancelled",
        "고객 철회",
        staff,
        D(2026, 11, 2),
    )
    with pytest.raises(DomainError) as err:
        refund_pay(refund=refund, today=D(2026, 11, 3))
    assert err.value.code == "refund_transition_not_allowed"
    refund.refresh_from_db()
    assert refund.status == Refund.Status.CANCELLED
    assert len(history(refund)) == 1


def test_dispute_decision_and_withdrawal_are_logged_with_the_answer():
    """BIL-10: open → rejected carries the answer; open → withdrawn the customer's reason; once only."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000, issue_date=D(2026, 10, 1), due_date=D(2026, 10, 15))
    first = dispute_file(invoice=invoice, amount_won=10_000, reason="과다 청구", today=D(2026, 10, 5))
    second = dispute_file(invoice=invoice, amount_won=10_000, reason="중복 청구", today=D(2026, 10, 5))
    dispute_decide(dispute=first, upheld_amount_won=0, answer="정상 청구입니다", today=D(2026, 10, 8))
    dispute_withdraw(dispute=second, today=D(2026, 10, 9), reason="확인했습니다")
    assert _moves(first) == [("open", "rejected", "정상 청구입니다")]
    assert _moves(second) == [("open", "withdrawn", "확인했습니다")]
    with pytest.raises(DomainError):
        dispute_withdraw(dispute=first, today=D(2026, 10, 10))
    first.refresh_from_db()
    assert first.status == Dispute.Status.REJECTED
    assert len(history(first)) == 1


def test_dunning_pause_logs_each_open_case_with_the_reason():
    """DUN-3: staff pause the ladder; every open case moves open → paused with the pause reason."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, 110_000, issue_date=D(2026, 10, 1), due_date=D(2026, 10, 15))
    case = DunningCase.objects.create(invoice=invoice, customer=customer, opened_on=D(2026, 10, 16))
    staff = StaffUserFactory()
    dunning_pause(
        customer=customer, reason="분납 협의", ends_on=D(2026, 11, 30), today=D(2026, 10, 20), actor=staff
    )
    case.refresh_from_db()
    assert case.status == DunningCase.Status.PAUSED
    [row] = history(case)
    assert (row.from_status, row.to_status, row.reason, row.user) == ("open", "paused", "분납 협의", staff)


def test_bank_line_ignored_once_and_logged():
    """BIL-7: an unmatched deposit taken out of the queue is logged; a second try is refused, no new row."""
    statement = BankStatementImport.objects.create(file_name="s.csv", sha256="2" * 64)
    line = BankTransaction.objects.create(
        statement=statement, line_no=1, transacted_on=D(2026, 10, 1), payer_name="모르는분", amount_won=5_000,
        processed_at=clock.now(),  # automatic matching looked at it (staff act only after that)
    )
    staff = StaffUserFactory()
    bank_transaction_ignore(transaction=line, reason="테스트 입금", actor=staff)
    assert _moves(line) == [("unmatched", "ignored", "테스트 입금")]
    with pytest.raises(DomainError) as err:
        bank_transaction_ignore(transaction=line, reason="다시", actor=staff)
    assert err.value.code == "bank_transaction_not_unmatched"
    assert len(history(line)) == 1


def test_tax_export_logs_ready_to_exported_once():
    """BIL-18: the first export moves ready → exported (logged); a re-export only renews the export time."""
    customer = CustomerFactory()
    row = tax.tax_invoice_for(invoice=make_invoice(customer, issue_date=D(2026, 11, 1)))
    with acting_as(job="export"):
        tax.tax_invoices_export_csv(tax.TaxInvoice.objects.filter(pk=row.pk))
    row.refresh_from_db()
    first_export = row.exported_at
    assert row.status == tax.TaxInvoice.Status.EXPORTED
    assert [(r.from_status, r.to_status, r.actor) for r in history(row)] == [
        ("ready", "exported", "job:export")
    ]
    tax.tax_invoices_export_xml(tax.TaxInvoice.objects.filter(pk=row.pk))
    row.refresh_from_db()
    assert row.status == tax.TaxInvoice.Status.EXPORTED
    assert row.exported_at is not None and first_export is not None and row.exported_at >= first_export
    assert len(history(row)) == 1
