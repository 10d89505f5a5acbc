"""SPEC §11 back office for billing: smoke tests (changelist, search, filters, add where allowed, each
action), read-only issued invoices (BIL-2), credit/debit notes (BIL-2), payments and the bank queue
(BIL-7), promotions (BIL-19), tax invoice exports (BIL-18) and pinned changelist query counts."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from billing.models import (
    BankStatementImport,
    BankTransaction,
    CreditNote,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    PayerAlias,
    Payment,
    PaymentMethod,
    Promotion,
    SeatSnapshot,
    TaxInvoice,
    UsageRecord,
)
from billing.services import bank, ledger, payments, tax
from core import clock
from tests.billing.bdocs_support import make_invoice
from tests.billing.conftest import make_contract
from tests.factories import AdminMemberFactory, CustomerFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:billing_{model}_{view}", args=args)


def act(client, model: str, action: str, pks, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], **extra}
    return client.post(url(model), data)


@pytest.fixture
def invoice():
    return make_invoice(CustomerFactory(legal_name="주식회사 관리자테스트"), issue_date=dt.date(2026, 11, 1))


SMOKE = [
    ("invoice", {"status__exact": "issued"}),
    ("creditnote", {"kind__exact": "credit"}),
    ("payment", {"status__exact": "succeeded"}),
    ("paymentmethod", {"kind__exact": "card"}),
    ("ledgerentry", {"kind__exact": "invoice"}),
    ("bankstatementimport", {}),
    ("banktransaction", {"status__exact": "all"}),
    ("payeralias", {}),
    ("seatsnapshot", {}),
    ("usagerecord", {"unit": "sms"}),
    ("promotion", {"kind__exact": "amount"}),
    ("taxinvoice", {"status__exact": "ready"}),
]


@pytest.mark.parametrize(("model", "filters"), SMOKE)
def test_changelists_search_and_filters(admin_client, invoice, model, filters):
    """SPEC §11: every billing model has a working changelist, search and filters."""
    assert admin_client.get(url(model)).status_code == 200
    assert admin_client.get(url(model), {"q": "테스트"}).status_code == 200
    response = admin_client.get(url(model), filters)
    assert response.status_code == 200, response.content[:500]


def test_invoice_filters_search_and_open_amount(admin_client, invoice):
    """BIL-7: the open amount column comes from the ledger; filters by policy code and schedule work."""
    ledger.post(
        customer=invoice.customer,
        kind=LedgerEntry.Kind.PAYMENT,
        amount_won=-10_000,
        occurred_on=TODAY,
        description="입금",
        invoice=invoice,
    )
    for params in (
        {"policy__code": invoice.policy.code},
        {"schedule": invoice.schedule},
        {"kind__exact": "regular"},
        {"issue_date__year": "2026", "issue_date__month": "11"},
        {"q": invoice.customer.business_number},
        {"q": invoice.number},
    ):
        response = admin_client.get(url("invoice"), params)
        assert response.status_code == 200
        assert invoice.number in response.content.decode(), params
    body = admin_client.get(url("invoice")).content.decode()
    assert "100,000" in body or "100000" in body  # 110,000 − 10,000


def test_issued_invoice_is_read_only(admin_client, invoice):
    """BIL-2: issued invoices are immutable in the admin: no add, change or delete."""
    response = admin_client.get(url("invoice", "change", invoice.pk))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="_save"' not in body
    assert "크레딧 노트 발행" in body
    assert admin_client.post(url("invoice", "change", invoice.pk), {"note": "x"}).status_code == 403
    assert admin_client.get(url("invoice", "add")).status_code == 403
    assert admin_client.post(url("invoice", "delete", invoice.pk), {"post": "yes"}).status_code == 403
    invoice.refresh_from_db()
    assert invoice.note == ""
    pdf = admin_client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_invoice_changelist_query_count_is_flat(admin_client, django_assert_max_num_queries):
    """SPEC §11 reads are cheap: 10 or 50 invoices cost the same number of queries (open amount annotated)."""
    customer = CustomerFactory()
    for i in range(10):
        make_invoice(customer, issue_date=dt.date(2025, 1, 1) + dt.timedelta(days=31 * i))
    admin_client.get(url("invoice"))  # warm the session/permission caches
    # 12, plus the overdue column's fixed reads for the whole page (issue 15: invoices, open disputes,
    # dunning cases, the policies' lines, pauses), whatever the number of rows
    with django_assert_max_num_queries(16) as ten:
        assert admin_client.get(url("invoice")).status_code == 200
    for i in range(40):
        make_invoice(CustomerFactory(), issue_date=dt.date(2026, 1, 1) + dt.timedelta(days=i))
    with django_assert_max_num_queries(len(ten.captured_queries)):
        assert admin_client.get(url("invoice")).status_code == 200


def test_invoice_csv_export(admin_client, invoice):
    """SPEC §11: CSV export of invoices with the open amount."""
    response = act(admin_client, "invoice", "export_csv", [invoice.pk])
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert invoice.number in text and "110000" in text


def test_credit_note_button_and_action(admin_client, invoice):
    """BIL-2: the credit note form calls notes.credit_note_issue; errors are shown on the form."""
    response = act(admin_client, "invoice", "credit_note_action", [invoice.pk])
    assert response.status_code == 302
    form_url = reverse("admin:billing_invoice_credit_note", args=[invoice.pk])
    assert response["Location"] == form_url
    assert admin_client.get(form_url).status_code == 200
    too_much = admin_client.post(
        form_url, {"amount_won": 999_999, "reason": "correction", "description": "x"}
    )
    assert too_much.status_code == 200
    assert "최대" in too_much.content.decode()
    done = admin_client.post(form_url, {"amount_won": 10_000, "reason": "goodwill", "description": "보상"})
    assert done.status_code == 302
    note = CreditNote.objects.get(invoice=invoice)
    assert note.total_won == 11_000 and note.reason == "goodwill"
    assert ledger.invoice_open_amount(invoice) == 99_000
    two = make_invoice(invoice.customer, issue_date=dt.date(2026, 10, 1))
    response = act(admin_client, "invoice", "credit_note_action", [invoice.pk, two.pk])
    assert response.status_code == 302 and CreditNote.objects.count() == 1


def test_reverse_credit_note_with_debit_note(admin_client, invoice):
    """BIL-2: a mistaken credit note is reversed by a debit note (action with a reason form)."""
    from billing.services import notes

    note = notes.credit_note_issue(
        invoice=invoice, amount_won=10_000, reason="correction", description="x", today=TODAY
    )
    first = act(admin_client, "creditnote", "reverse_with_debit_note", [note.pk])
    assert first.status_code == 200 and "취소 사유" in first.content.decode()
    done = act(
        admin_client, "creditnote", "reverse_with_debit_note", [note.pk], apply="1", reason="잘못 발행"
    )
    assert done.status_code == 302
    debit = CreditNote.objects.get(kind=CreditNote.Kind.DEBIT)
    assert debit.reverses == note
    again = act(admin_client, "creditnote", "reverse_with_debit_note", [note.pk], apply="1", reason="다시")
    assert again.status_code == 302
    assert CreditNote.objects.filter(kind=CreditNote.Kind.DEBIT).count() == 1
    assert admin_client.get(url("creditnote", "change", note.pk)).status_code == 200
    assert admin_client.get(url("creditnote", "add")).status_code == 403


def test_record_payment_through_service(admin_client, invoice):
    """BIL-7: the add form records a payment with payments.payment_record (a ledger entry)."""
    assert admin_client.get(url("payment", "add")).status_code == 200
    response = admin_client.post(
        url("payment", "add"),
        {
            "customer": invoice.customer.pk,
            "invoice": invoice.pk,
            "method": "bank_transfer",
            "amount_won": 110_000,
            "received_on": "2026-11-10",
            "payer_name": "관리자테스트",
            "reference": "",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.SUCCEEDED
    assert ledger.invoice_open_amount(invoice) == 0
    assert admin_client.get(url("payment", "change", payment.pk)).status_code == 200
    other = make_invoice(CustomerFactory())
    bad = admin_client.post(
        url("payment", "add"),
        {
            "customer": invoice.customer.pk,
            "invoice": other.pk,
            "method": "bank_transfer",
            "amount_won": 1,
            "received_on": "2026-11-10",
        },
    )
    assert bad.status_code == 200 and Payment.objects.count() == 1
    export = act(admin_client, "payment", "export_csv", [payment.pk])
    assert export.status_code == 200 and "110000" in export.content.decode("utf-8-sig")


def test_payment_method_add(admin_client, invoice):
    """BIL-7: staff can add a payment method record."""
    response = admin_client.post(
        url("paymentmethod", "add"),
        {
            "customer": invoice.customer.pk,
            "kind": "bank_transfer",
            "label": "국민은행 ****1234",
            "is_default": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302, response.content[:1000]
    assert PaymentMethod.objects.get().label == "국민은행 ****1234"


def test_ledger_is_read_only(admin_client, invoice):
    """BIL-7: ledger entries are append-only (no add, change, delete in the admin)."""
    entry = LedgerEntry.objects.get()
    assert admin_client.get(url("ledgerentry", "change", entry.pk)).status_code == 200
    assert admin_client.get(url("ledgerentry", "add")).status_code == 403
    assert admin_client.post(url("ledgerentry", "delete", entry.pk), {"post": "yes"}).status_code == 403


STATEMENT = "거래일자,입금자명,입금액,메모\n2026-11-10,이상한이름,110000,\n2026-11-11,모르는사람,5000,\n"


def test_bank_statement_upload_and_queue(admin_client, invoice):
    """BIL-7: upload a statement, assign an odd payer name to a customer (alias remembered), ignore one."""
    assert admin_client.get(url("bankstatementimport", "add")).status_code == 200
    bad = admin_client.post(
        url("bankstatementimport", "add"),
        {"file": SimpleUploadedFile("bad.csv", "거래일자,입금자명,입금액\n어제,누구,abc\n".encode())},
    )
    assert bad.status_code == 200
    body = bad.content.decode()
    assert "2행" in body and "bank-problems" in body
    assert BankStatementImport.objects.count() == 0
    ok = admin_client.post(
        url("bankstatementimport", "add"), {"file": SimpleUploadedFile("nov.csv", STATEMENT.encode())}
    )
    assert ok.status_code == 302
    # Recorded now, matched in the background (the worker's task is the service below).
    statement = BankStatementImport.objects.get()
    assert statement.finished_at is None and statement.processed_count == 0
    assert "처리 중 0/2행 (0%)" in admin_client.get(url("bankstatementimport")).content.decode()
    bank.bank_statement_process(statement_id=statement.pk)
    assert "완료 (2/2행)" in admin_client.get(url("bankstatementimport")).content.decode()
    assert BankTransaction.objects.filter(status=BankTransaction.Status.UNMATCHED).count() == 2
    queue = admin_client.get(url("banktransaction"))
    assert "이상한이름" in queue.content.decode()
    odd = BankTransaction.objects.get(payer_name="이상한이름")
    stranger = BankTransaction.objects.get(payer_name="모르는사람")
    form = act(admin_client, "banktransaction", "assign_to_customer", [odd.pk])
    assert form.status_code == 200
    done = act(
        admin_client,
        "banktransaction",
        "assign_to_customer",
        [odd.pk],
        apply="1",
        customer=str(invoice.customer.pk),
        remember_alias="on",
    )
    assert done.status_code == 302
    odd.refresh_from_db()
    assert odd.status == BankTransaction.Status.MATCHED and odd.customer == invoice.customer
    assert PayerAlias.objects.filter(customer=invoice.customer).exists()
    assert ledger.invoice_open_amount(invoice) == 0
    ignored = act(
        admin_client,
        "banktransaction",
        "ignore_transactions",
        [stranger.pk],
        apply="1",
        reason="잘못 보낸 돈",
    )
    assert ignored.status_code == 302
    stranger.refresh_from_db()
    assert stranger.status == BankTransaction.Status.IGNORED
    statement = BankStatementImport.objects.get()
    assert admin_client.get(url("bankstatementimport", "change", statement.pk)).status_code == 200
    dup = admin_client.post(
        url("bankstatementimport", "add"), {"file": SimpleUploadedFile("again.csv", STATEMENT.encode())}
    )
    assert dup.status_code == 200 and BankStatementImport.objects.count() == 1


def test_payer_alias_add(admin_client):
    """BIL-7 (002 art.31③): staff tell the system an odd payer name belongs to a customer."""
    customer = CustomerFactory()
    response = admin_client.post(
        url("payeralias", "add"), {"name": "(주) 이상한 이름", "customer": customer.pk}
    )
    assert response.status_code == 302, response.content[:1000]
    alias = PayerAlias.objects.get()
    assert alias.customer == customer and alias.created_by is not None


def test_seat_and_usage_read_only(admin_client, presets):
    """BIL-5, BIL-6: seat snapshots and usage records are shown, not edited."""
    contract = make_contract("flow-business-monthly", start=dt.date(2026, 10, 1))
    snap = SeatSnapshot.objects.create(
        contract=contract, day=dt.date(2026, 11, 1), registered=3, contracted=5
    )
    usage = UsageRecord.objects.create(
        contract=contract, day=dt.date(2026, 11, 1), unit="sms", quantity=10, source_ref="t1"
    )
    assert admin_client.get(url("seatsnapshot", "change", snap.pk)).status_code == 200
    assert admin_client.get(url("usagerecord", "change", usage.pk)).status_code == 200
    assert admin_client.get(url("seatsnapshot", "add")).status_code == 403
    assert admin_client.get(url("usagerecord", "add")).status_code == 403


def test_promotion_add_through_service(admin_client, presets):
    """BIL-19: a promotion is added through promotions.promotion_add; bad input is refused."""
    contract = make_contract("flow-business-monthly", start=dt.date(2026, 10, 1))
    assert admin_client.get(url("promotion", "add")).status_code == 200
    response = admin_client.post(
        url("promotion", "add"),
        {
            "contract": contract.pk,
            "kind": "amount",
            "amount_won": 30_000,
            "percent": "0",
            "starts_on": "2026-11-01",
            "periods": 2,
            "description": "첫 달 할인",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    promo = Promotion.objects.get()
    assert promo.amount_won == 30_000 and promo.periods == 2
    bad = admin_client.post(
        url("promotion", "add"),
        {
            "contract": contract.pk,
            "kind": "amount",
            "amount_won": 0,
            "percent": "0",
            "starts_on": "2026-11-01",
            "periods": 1,
            "description": "0원",
        },
    )
    assert bad.status_code == 302 and Promotion.objects.count() == 1


def test_tax_invoice_exports(admin_client, invoice):
    """BIL-18: CSV and XML export actions mark rows exported."""
    row = tax.tax_invoice_for(invoice=invoice)
    response = act(admin_client, "taxinvoice", "export_csv", [row.pk])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert invoice.number in response.content.decode("utf-8-sig")
    response = act(admin_client, "taxinvoice", "export_xml", [row.pk])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:  # issue 18: one NTS XML per invoice
        assert archive.namelist() == [f"{invoice.number}.xml"]
        assert b"<InvoicerParty>" in archive.read(f"{invoice.number}.xml")
    row.refresh_from_db()
    assert row.status == TaxInvoice.Status.EXPORTED
    assert admin_client.get(url("taxinvoice", "change", row.pk)).status_code == 200
    assert admin_client.get(url("taxinvoice", "add")).status_code == 403


def spread_payment(customer) -> tuple[Payment, Invoice, Invoice]:
    """A 300,000 transfer without an invoice: the two open invoices (oldest first), the rest credit."""
    older = make_invoice(customer, issue_date=dt.date(2026, 9, 1), lines=[("기본료 9월", 1, 100_000)])
    newer = make_invoice(customer, issue_date=dt.date(2026, 10, 1), lines=[("기본료 10월", 1, 100_000)])
    payment = payments.payment_record(
        customer=customer, amount_won=300_000, method="bank_transfer", received_on=dt.date(2026, 11, 10)
    )
    return payment, older, newer


def test_payment_page_shows_the_invoices_it_went_to(admin_client):
    """BIL-7: the payment's page and list show where it went: each invoice with its amount, then credit."""
    payment, older, newer = spread_payment(CustomerFactory())
    assert payment.invoice is None
    page = admin_client.get(url("payment", "change", payment.pk)).content.decode()
    assert page.index(older.number) < page.index(newer.number)
    assert f"{older.number}</a> 110,000원" in page and f"{newer.number}</a> 110,000원" in page
    assert "크레딧 잔액 80,000원" in page
    listing = admin_client.get(url("payment")).content.decode()
    assert f"{older.number} 110,000원, {newer.number} 110,000원, 크레딧 잔액 80,000원" in listing
    export = act(admin_client, "payment", "export_csv", [payment.pk]).content.decode("utf-8-sig")
    assert f"{older.number} 110,000원" in export


def test_payment_changelist_query_count_is_flat(admin_client):
    """BIL-7 (SPEC §11 reads are cheap): the allocations of a page of payments are one prefetch."""
    spread_payment(CustomerFactory())
    admin_client.get(url("payment"))  # warm the session/permission caches
    with CaptureQueriesContext(connection) as two:
        assert admin_client.get(url("payment")).status_code == 200
    for _ in range(4):
        spread_payment(CustomerFactory())
    with CaptureQueriesContext(connection) as ten:
        assert admin_client.get(url("payment")).status_code == 200
    assert Payment.objects.count() == 5
    assert len(ten.captured_queries) == len(two.captured_queries)


def test_evasion_charge_from_the_invoice_admin(admin_client, presets):
    """BIL-20: from an invoice, staff charge evasion for one of its contracts (flow ×2), with a reason."""
    admin_member = AdminMemberFactory()
    contract = make_contract(
        "flow-business-monthly", start=dt.date(2026, 10, 1), customer=admin_member.customer
    )
    invoice = make_invoice(admin_member.customer, issue_date=dt.date(2026, 11, 1))
    InvoiceLine.objects.filter(invoice=invoice).update(contract=contract)
    change = admin_client.get(url("invoice", "change", invoice.pk)).content.decode()
    assert "evasion-button" in change
    response = act(admin_client, "invoice", "evasion_charge_action", [invoice.pk])
    assert response.status_code == 302 and response["Location"] == url("invoice", "evasion", invoice.pk)
    form = admin_client.get(url("invoice", "evasion", invoice.pk))
    assert form.status_code == 200
    response = admin_client.post(
        url("invoice", "evasion", invoice.pk),
        {"contract": contract.pk, "evaded_amount_won": 50_000, "reason": " "},
    )
    assert response.status_code == 200
    assert not Invoice.objects.filter(kind=Invoice.Kind.ADJUSTMENT).exists()
    response = admin_client.post(
        url("invoice", "evasion", invoice.pk),
        {"contract": contract.pk, "evaded_amount_won": 50_000, "reason": "계정 공유", "token": "t-1"},
    )
    assert response.status_code == 302
    charged = Invoice.objects.get(kind=Invoice.Kind.ADJUSTMENT)
    assert charged.total_won == 100_000
    admin_client.post(  # a double submit of the same form issues nothing new
        url("invoice", "evasion", invoice.pk),
        {"contract": contract.pk, "evaded_amount_won": 50_000, "reason": "계정 공유", "token": "t-1"},
    )
    assert Invoice.objects.filter(kind=Invoice.Kind.ADJUSTMENT).count() == 1
