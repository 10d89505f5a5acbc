"""Bank statements (BIL-7, 002 art.31③): import, match by payer name and amount, unmatched queue."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from billing.models import BankStatementImport, BankTransaction, Invoice, LedgerEntry, PayerAlias, Payment
from billing.selectors import customer_payments, payment_allocations
from billing.services import ledger
from billing.services.bank import (
    BankStatementInvalid,
    bank_statement_import,
    bank_transaction_assign,
    bank_transaction_ignore,
    normalise_payer,
)
from core.errors import DomainError
from tests.billing.payment_factories import CustomerFactory, D, make_invoice
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

HEADER = "거래일자,입금자명,입금액,거래번호,메모\n"


def csv_bytes(rows: list[str], *, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return (header + "\n".join(rows) + "\n").encode(encoding)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(주)가나다", "가나다"),
        ("㈜ 가나다", "가나다"),
        ("주식회사 가나다", "가나다"),
        ("가나다 주식회사", "가나다"),
        ("가 나 다(주)", "가나다"),
        ("(유)ABC Co., Ltd.", "abc"),
    ],
)
def test_normalise_payer(raw, expected):
    """BIL-7: payer names compare without spaces and legal forms."""
    assert normalise_payer(raw) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp949"])
def test_import_matches_by_name_and_applies_payment(encoding):
    """BIL-7: a UTF-8 or CP949 statement is imported; a deposit whose payer is a customer becomes a
    succeeded bank-transfer payment applied to its open invoice; the unknown stays unmatched."""
    customer = CustomerFactory(legal_name="주식회사 한빛소프트")
    invoice = make_invoice(customer, 110_000)
    content = csv_bytes(
        ["2026-11-10,㈜한빛소프트,\"110,000\",TX-1,11월분", "2026.11.11,모르는사람,5000,,"], encoding=encoding
    )
    report = bank_statement_import(file_name="kb-1110.csv", content=content, actor=None)
    assert report.row_count == 2 and len(report.matched) == 1 and len(report.unmatched) == 1
    statement = BankStatementImport.objects.get()
    assert (statement.row_count, statement.matched_count) == (2, 1)
    matched = BankTransaction.objects.get(line_no=2)
    assert matched.status == BankTransaction.Status.MATCHED and matched.customer_id == customer.pk
    payment = matched.payment
    assert payment is not None
    assert (payment.method, payment.status, payment.amount_won) == (
        Payment.Method.BANK_TRANSFER, Payment.Status.SUCCEEDED, 110_000,
    )
    assert payment.reference == "TX-1" and payment.received_on == D(2026, 11, 10)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    unmatched = BankTransaction.objects.get(line_no=3)
    assert unmatched.status == BankTransaction.Status.UNMATCHED and unmatched.note
    assert unmatched.transacted_on == D(2026, 11, 11)


def test_english_headers_and_reference_fallback():
    """BIL-7: English headers are accepted; without a bank reference the payment's reference is
    ``statement:{id}:{line}``."""
    customer = CustomerFactory(legal_name="Acme Korea", payer_name="에이씨엠이")
    make_invoice(customer, 30_000)
    make_invoice(customer, 1_000)
    content = "date,payer,amount\n20261110,ACME KOREA,30000\n2026/11/12,에이씨엠이,1000\n".encode()
    report = bank_statement_import(file_name="en.csv", content=content)
    assert len(report.matched) == 2
    payment = report.matched[0].payment
    assert payment is not None
    assert payment.reference == f"statement:{report.statement.pk}:2"
    assert ledger.customer_balance(customer) == 0


def test_malformed_file_reported_line_by_line_and_imports_nothing():
    """BIL-7: every problem is listed with line and column; not a single row is written."""
    CustomerFactory(legal_name="한빛")
    content = csv_bytes([
        "2026-11-10,한빛,10000,,",
        "2026-13-45,한빛,10000,,",
        "2026-11-10,,10000,,",
        "2026-11-10,한빛,-500,,",
        "2026-11-10,한빛,12.5,,",
        "",
        "2026-11-10",
    ])
    with pytest.raises(BankStatementInvalid) as info:
        bank_statement_import(file_name="bad.csv", content=content)
    problems = [(p.line, p.column) for p in info.value.problems]
    assert problems == [(3, "거래일자"), (4, "입금자명"), (5, "입금액"), (6, "입금액"), (8, "")]
    assert info.value.code == "bank_statement_invalid" and info.value.rule == "BIL-7"
    assert "3행 거래일자" in info.value.message_ko
    assert BankStatementImport.objects.count() == 0
    assert BankTransaction.objects.count() == Payment.objects.count() == LedgerEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "빈 파일"),
        ("입금자명,입금액\n한빛,100\n".encode(), "필수 열"),
        (b"\xff\xfe\x00\x00garbage\xff", "인코딩"),
        (HEADER.encode(), "입금 내역이 없습니다"),
    ],
)
def test_unreadable_files_are_refused(content, problem):
    """BIL-7: empty files, missing columns and unknown encodings are refused with a reason."""
    with pytest.raises(BankStatementInvalid) as info:
        bank_statement_import(file_name="x.csv", content=content)
    assert problem in str(info.value.problems[0])
    assert BankStatementImport.objects.count() == 0


def test_same_file_is_not_imported_twice():
    """BIL-7: the same file (SHA-256) is refused the second time, whatever its name."""
    make_invoice(CustomerFactory(legal_name="한빛"), 10_000)
    content = csv_bytes(["2026-11-10,한빛,10000,,"])
    bank_statement_import(file_name="a.csv", content=content)
    with pytest.raises(DomainError) as info:
        bank_statement_import(file_name="renamed.csv", content=content)
    assert info.value.code == "bank_statement_duplicate"
    assert BankTransaction.objects.count() == 1 and Payment.objects.count() == 1


def test_alias_remembered_then_matched_automatically_next_time():
    """BIL-7 (002 art.31③): staff assign an odd payer name to a customer once, remembering it; the next
    statement matches that name automatically."""
    staff = StaffUserFactory()
    customer = CustomerFactory(legal_name="주식회사 가온누리")
    first_invoice = make_invoice(customer, 55_000)
    report = bank_statement_import(file_name="1.csv", content=csv_bytes(["2026-11-10,김철수(가온),55000,,"]))
    tx = report.unmatched[0]
    payment = bank_transaction_assign(transaction=tx, customer=customer, remember_alias=True, actor=staff)
    tx.refresh_from_db()
    assert tx.status == BankTransaction.Status.MATCHED and tx.payment_id == payment.pk
    alias = PayerAlias.objects.get()
    assert alias.name == normalise_payer("김철수(가온)") and alias.customer_id == customer.pk
    assert alias.created_by_id == staff.pk
    first_invoice.refresh_from_db()
    assert first_invoice.status == Invoice.Status.PAID

    make_invoice(customer, 66_000)
    report = bank_statement_import(file_name="2.csv", content=csv_bytes(["2026-12-01,김철수 (가온),66000,,"]))
    assert len(report.matched) == 1 and report.matched[0].customer_id == customer.pk
    with pytest.raises(DomainError) as info:
        bank_transaction_assign(transaction=report.matched[0], customer=customer, remember_alias=False)
    assert info.value.code == "bank_transaction_not_unmatched"


def test_ambiguous_names_stay_unmatched_unless_the_amount_decides():
    """BIL-7: two customers with the same name: the one with an open invoice of exactly the deposit
    wins; otherwise the row waits in the queue."""
    one = CustomerFactory(legal_name="(주)미래")
    two = CustomerFactory(legal_name="미래 주식회사")
    make_invoice(one, 110_000)
    make_invoice(two, 220_000)
    content = csv_bytes(["2026-11-10,미래,220000,,", "2026-11-10,미래,100000,,"])
    report = bank_statement_import(file_name="m.csv", content=content)
    assert [tx.customer_id for tx in report.matched] == [two.pk]
    assert len(report.unmatched) == 1
    waiting = report.unmatched[0]
    assert waiting.status == BankTransaction.Status.UNMATCHED and "2" in waiting.note
    assert Payment.objects.count() == 1


def test_ignore_takes_a_row_out_of_the_queue():
    """BIL-7: staff may ignore an unmatched deposit with a reason."""
    report = bank_statement_import(file_name="i.csv", content=csv_bytes(["2026-11-10,누군가,1000,,"]))
    with pytest.raises(DomainError):
        bank_transaction_ignore(transaction=report.unmatched[0], reason=" ")
    tx = bank_transaction_ignore(transaction=report.unmatched[0], reason="타사 입금 착오, 은행 반환")
    assert tx.status == BankTransaction.Status.IGNORED and tx.note.startswith("타사")
    assert Payment.objects.count() == 0


def test_import_command(tmp_path: Path, capsys):
    """BIL-7: the management command imports a file and reports problems line by line."""
    make_invoice(CustomerFactory(legal_name="한빛"), 10_000)
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(["2026-11-10,한빛,10000,,"], encoding="cp949"))
    call_command("import_bank_statement", str(good))
    assert "자동 매칭 1건" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes(["2026-11-10,한빛,abc,,"]))
    with pytest.raises(CommandError):
        call_command("import_bank_statement", str(bad))
    assert "2행 입금액" in capsys.readouterr().err


# --------------------------------------------------------------------------- exact amounts only


def test_partial_deposit_is_not_auto_matched_but_queued_for_staff():
    """BIL-7 (docs/operations.md): a deposit of 100,000 from the payer of a 330,000 open invoice is not
    the exact amount: it waits in the queue with the reason; no payment, the invoice stays open."""
    customer = CustomerFactory(legal_name="주식회사 다온테크")
    invoice = make_invoice(customer, 330_000)
    content = csv_bytes(["2026-11-10,(주)다온테크,100000,T-1,"])
    report = bank_statement_import(file_name="p.csv", content=content)
    assert report.matched == [] and len(report.unmatched) == 1
    tx = report.unmatched[0]
    tx.refresh_from_db()
    assert (tx.status, tx.customer_id, tx.payment_id) == (BankTransaction.Status.UNMATCHED, None, None)
    assert tx.note == "입금액이 미납 청구서 금액이나 미납 총액과 일치하지 않습니다"
    assert not Payment.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.ISSUED and ledger.invoice_open_amount(invoice) == 330_000
    # staff decide: it is the customer's partial payment, applied to the open invoice
    payment = bank_transaction_assign(transaction=tx, customer=customer, remember_alias=False)
    assert [(a.invoice.pk, a.amount_won) for a in payment_allocations(payment).to_invoices] == [
        (invoice.pk, 100_000)
    ]
    assert ledger.invoice_open_amount(invoice) == 230_000


def test_exact_deposit_matches_and_the_payment_shows_its_invoice():
    """BIL-7: 330,000 from the payer of a 330,000 open invoice matches: the payment is for that invoice
    and the allocation read shows it."""
    customer = CustomerFactory(legal_name="주식회사 다온테크")
    invoice = make_invoice(customer, 330_000)
    report = bank_statement_import(file_name="e.csv", content=csv_bytes(["2026-11-10,다온테크,330000,T-2,"]))
    assert len(report.matched) == 1
    payment = report.matched[0].payment
    assert payment is not None and payment.invoice_id == invoice.pk
    allocations = payment_allocations(payment)
    assert [(a.invoice.pk, a.amount_won) for a in allocations.to_invoices] == [(invoice.pk, 330_000)]
    assert allocations.unallocated_won == 0 and allocations.invoices == [invoice]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_deposit_of_the_total_open_amount_pays_every_open_invoice_and_shows_them():
    """BIL-7: a deposit equal to the customer's total open amount (no single invoice) matches; it is
    applied oldest first and :func:`payment_allocations` names each invoice it paid."""
    customer = CustomerFactory(legal_name="주식회사 다온테크")
    older = make_invoice(customer, 110_000, due_date=D(2026, 10, 31))
    newer = make_invoice(customer, 220_000, due_date=D(2026, 11, 30))
    report = bank_statement_import(file_name="t.csv", content=csv_bytes(["2026-11-10,다온테크,330000,,"]))
    assert len(report.matched) == 1
    payment = report.matched[0].payment
    assert payment is not None and payment.invoice_id is None
    allocations = payment_allocations(payment)
    assert [(a.invoice.pk, a.amount_won) for a in allocations.to_invoices] == [
        (older.pk, 110_000),
        (newer.pk, 220_000),
    ]
    assert allocations.allocated_won == 330_000 and allocations.unallocated_won == 0
    # the list read carries the same allocations without a query per payment
    (listed,) = customer_payments(customer)
    assert payment_allocations(listed) == allocations


def test_excess_deposit_is_queued_and_an_unmatched_credit_shows_as_unallocated():
    """BIL-7, BIL-11: more than the customer owes is not an exact amount: queued; assigned by staff, the
    surplus is credit and the allocation read shows it as unallocated."""
    customer = CustomerFactory(legal_name="주식회사 다온테크")
    invoice = make_invoice(customer, 110_000)
    report = bank_statement_import(file_name="x.csv", content=csv_bytes(["2026-11-10,다온테크,150000,,"]))
    assert report.matched == [] and len(report.unmatched) == 1
    tx = report.unmatched[0]
    payment = bank_transaction_assign(transaction=tx, customer=customer, remember_alias=False)
    allocations = payment_allocations(payment)
    assert [(a.invoice.pk, a.amount_won) for a in allocations.to_invoices] == [(invoice.pk, 110_000)]
    assert allocations.unallocated_won == 40_000 == ledger.credit_available(customer)
