"""BIL-18: Korean electronic tax invoice data, its issue-by date, and the CSV/XML exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from django.test import override_settings

from accounts.models import Customer
from billing.models import CreditNote, Invoice, TaxInvoice
from billing.services import tax
from billing.taxinvoice import nts_xml
from core.calendar import BusinessCalendar
from tests.billing.bdocs_support import make_invoice
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_issue_by_is_tenth_of_next_month_or_next_business_day():
    """BIL-18: monthly invoices are issued by the 10th of the next month, the next business day when
    the 10th is not one (SPEC §12 item 11 calendar: 2027-10-10 Sunday, 10-11 substitute holiday)."""
    calendar = BusinessCalendar(extra_holidays={})
    assert tax.issue_by_date(dt.date(2027, 9, 30), calendar=calendar) == dt.date(2027, 10, 12)
    assert tax.issue_by_date(dt.date(2027, 9, 1), calendar=calendar) == dt.date(2027, 10, 12)
    assert tax.issue_by_date(dt.date(2026, 9, 15), calendar=calendar) == dt.date(2026, 10, 12)  # Saturday
    assert tax.issue_by_date(dt.date(2026, 10, 31), calendar=calendar) == dt.date(2026, 11, 10)  # Tuesday
    assert tax.issue_by_date(dt.date(2026, 12, 1), calendar=calendar) == dt.date(2027, 1, 11)  # year end
    assert tax.issue_by_date(dt.date(2026, 10, 31), issue_day=31, calendar=calendar) == dt.date(2026, 11, 30)


def test_tax_invoice_for_builds_the_data_once():
    """BIL-18: supplier (OPERATOR) and buyer identities, amounts, 작성일자 = issue date, deadline;
    idempotent."""
    customer = CustomerFactory(
        legal_name="주식회사 가나다", representative_name="홍길동", billing_email="tax@example.com"
    )
    invoice = make_invoice(
        customer,
        issue_date=dt.date(2027, 9, 30),
        lines=[("기본료 2027-09", 1, 300_000), ("추가 인원", 3, 11_111)],
    )
    row = tax.tax_invoice_for(invoice=invoice)
    assert row.supplier_business_number == "2208162517"
    assert row.supplier_name == "주식회사 텀즈옵스"
    assert row.supplier_representative == "정하윤"
    assert row.supplier_address
    assert row.buyer_business_number == customer.business_number
    assert row.buyer_name == "주식회사 가나다"
    assert row.buyer_representative == "홍길동"
    assert row.buyer_email == "tax@example.com"
    assert row.written_on == dt.date(2027, 9, 30)
    assert row.issue_by == dt.date(2027, 10, 12)
    assert (row.supply_won, row.vat_won, row.total_won) == (333_333, 33_333, 366_666)  # SPEC §12 item 15
    assert row.item_name == "기본료 2027-09 외 1건"
    assert row.status == TaxInvoice.Status.READY
    again = tax.tax_invoice_for(invoice=invoice)
    assert again.pk == row.pk
    assert TaxInvoice.objects.count() == 1


def test_individual_buyer_gets_blank_number_and_note():
    """BIL-18: a buyer without a business number (individual) gets the resident-style blank and a note."""
    customer = CustomerFactory(kind=Customer.Kind.INDIVIDUAL, business_number="")
    row = tax.tax_invoice_for(invoice=make_invoice(customer))
    assert row.buyer_business_number == ""
    assert tax.buyer_id_type(row) == tax.PARTY_RESIDENT
    assert "주민등록번호" in tax.note_for(row)


def test_void_invoice_is_refused():
    """BIL-18: only issued invoices produce tax invoice data."""
    invoice = make_invoice(CustomerFactory(), status=Invoice.Status.VOID)
    with pytest.raises(tax.DomainError) as exc:
        tax.tax_invoice_for(invoice=invoice)
    assert exc.value.rule == "BIL-18"


def _credit_note(
    invoice: Invoice,
    *,
    kind: str = CreditNote.Kind.CREDIT,
    total: int = 11_000,
    reverses: CreditNote | None = None,
) -> CreditNote:
    return CreditNote.objects.create(
        number=f"CN-2026-{CreditNote.objects.count() + 1:06d}",
        kind=kind,
        invoice=invoice,
        customer=invoice.customer,
        reverses=reverses,
        reason=CreditNote.Reason.CORRECTION,
        description="정정",
        issued_on=dt.date(2026, 11, 15),
        supply_won=total * 10 // 11,
        vat_won=total - total * 10 // 11,
        total_won=total,
    )


def test_credit_note_gives_modified_tax_invoice_with_negative_amounts():
    """BIL-18, BIL-2: a credit note is a modified tax invoice (negative); its debit reversal positive."""
    invoice = make_invoice(CustomerFactory())
    credit = _credit_note(invoice)
    row = tax.tax_invoice_for_credit_note(credit_note=credit)
    assert (row.supply_won, row.vat_won, row.total_won) == (-10_000, -1_000, -11_000)
    assert row.written_on == dt.date(2026, 11, 15)
    assert row.issue_by == dt.date(2026, 12, 10)
    assert invoice.number in row.item_name
    assert tax.is_amended(row)
    debit = _credit_note(invoice, kind=CreditNote.Kind.DEBIT, reverses=credit)
    assert tax.tax_invoice_for_credit_note(credit_note=debit).total_won == 11_000
    assert tax.tax_invoice_for_credit_note(credit_note=credit).pk == row.pk


def test_prepare_job_creates_missing_rows_once():
    """BIL-18: the job creates a row for every issued invoice (and note) lacking one; a rerun adds nothing."""
    customer = CustomerFactory()
    first = make_invoice(customer, issue_date=dt.date(2026, 10, 1))
    make_invoice(customer, issue_date=dt.date(2026, 11, 1), status=Invoice.Status.PAID)
    make_invoice(customer, issue_date=dt.date(2026, 12, 1))  # after today: not yet
    make_invoice(customer, issue_date=dt.date(2026, 9, 1), status=Invoice.Status.VOID)
    tax.tax_invoice_for(invoice=first)
    _credit_note(first)
    assert tax.tax_invoices_prepare(today=dt.date(2026, 11, 20)) == {"created": 2}
    assert TaxInvoice.objects.count() == 3
    assert tax.tax_invoices_prepare(today=dt.date(2026, 11, 20)) == {"created": 0}


def test_export_csv_marks_rows_exported():
    """BIL-18: CSV export of the tax invoice data (Korean header, UTF-8 BOM), rows marked exported."""
    customer = CustomerFactory(legal_name="주식회사 씨에스브이")
    row = tax.tax_invoice_for(invoice=make_invoice(customer, issue_date=dt.date(2026, 11, 1)))
    cancelled = tax.tax_invoice_for(invoice=make_invoice(customer, issue_date=dt.date(2026, 10, 1)))
    TaxInvoice.objects.filter(pk=cancelled.pk).update(status=TaxInvoice.Status.CANCELLED)
    data = tax.tax_invoices_export_csv(TaxInvoice.objects.all())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["공급받는자상호"] == "주식회사 씨에스브이"
    assert rows[0]["공급자사업자등록번호"] == "2208162517"
    assert rows[0]["작성일자"] == "2026-11-01"
    assert rows[0]["발급기한"] == "2026-12-10"
    assert (rows[0]["공급가액"], rows[0]["세액"], rows[0]["합계금액"]) == ("100000", "10000", "110000")
    assert rows[0]["종류"] == tax.TYPE_NORMAL
    row.refresh_from_db()
    cancelled.refresh_from_db()
    assert row.status == TaxInvoice.Status.EXPORTED and row.exported_at is not None
    assert cancelled.status == TaxInvoice.Status.CANCELLED


@override_settings(
    OPERATOR={
        "name": "주식회사 공급",
        "business_number": "2208162517",
        "representative": "김대표",
        "address": "서울",
        "email": "tax@op.example",
    }
)
def test_export_xml_is_one_nts_standard_document_per_tax_invoice():
    """BIL-18, issue 18: the XML export is a ZIP of NTS standard ``<TaxInvoice>`` documents (not one
    home-made batch), parties and amounts in the standard's elements; rows marked exported."""
    business = CustomerFactory(legal_name="주식회사 엑스엠엘")
    person = CustomerFactory(kind=Customer.Kind.INDIVIDUAL, business_number="", legal_name="김개인")
    invoice = make_invoice(business, issue_date=dt.date(2027, 9, 30))
    tax.tax_invoice_for(invoice=invoice)
    tax.tax_invoice_for(invoice=make_invoice(person, issue_date=dt.date(2027, 9, 30)))
    note = _credit_note(invoice)
    tax.tax_invoice_for_credit_note(credit_note=note)
    data = tax.tax_invoices_export_xml(TaxInvoice.objects.order_by("id"))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        docs = [ET.fromstring(archive.read(name)) for name in names]
    assert len(names) == 3 and names[0] == f"{invoice.number}.xml" and names[2] == f"{note.number}.xml"
    ns = {"t": nts_xml.NS}
    first, second, third = docs
    assert first.tag == f"{{{nts_xml.NS}}}TaxInvoice"
    assert first.findtext("t:TaxInvoiceDocument/t:IssueDateTime", namespaces=ns) == "20270930"
    assert first.findtext("t:ExchangedDocument/t:ID", namespaces=ns) == invoice.number
    settlement = "t:TaxInvoiceTradeSettlement"
    assert first.findtext(f"{settlement}/t:InvoicerParty/t:ID", namespaces=ns) == "2208162517"
    assert first.findtext(f"{settlement}/t:InvoicerParty/t:NameText", namespaces=ns) == "주식회사 공급"
    assert (
        first.findtext(f"{settlement}/t:InvoicerParty/t:SpecifiedPerson/t:NameText", namespaces=ns)
        == "김대표"
    )
    assert (
        first.findtext(f"{settlement}/t:InvoicerParty/t:DefinedContact/t:URICommunication", namespaces=ns)
        == "tax@op.example"
    )
    assert first.findtext(f"{settlement}/t:InvoiceeParty/t:ID", namespaces=ns) == business.business_number
    assert first.findtext(f"{settlement}/t:InvoiceeParty/t:NameText", namespaces=ns) == "주식회사 엑스엠엘"
    summary = f"{settlement}/t:SpecifiedMonetarySummation"
    assert first.findtext(f"{summary}/t:ChargeTotalAmount", namespaces=ns) == "100000"
    assert first.findtext(f"{summary}/t:TaxTotalAmount", namespaces=ns) == "10000"
    assert first.findtext(f"{summary}/t:GrandTotalAmount", namespaces=ns) == "110000"
    assert second.findtext(f"{settlement}/t:InvoiceeParty/t:ID", namespaces=ns) == ""
    business_type = f"{settlement}/t:InvoiceeParty/t:SpecifiedOrganization/t:BusinessTypeCode"
    assert second.findtext(business_type, namespaces=ns) == tax.PARTY_RESIDENT
    assert "주민등록번호" in (second.findtext("t:TaxInvoiceDocument/t:DescriptionText", namespaces=ns) or "")
    assert third.findtext("t:TaxInvoiceDocument/t:TypeCode", namespaces=ns) == tax.TYPE_AMENDED
    assert third.findtext("t:TaxInvoiceDocument/t:AmendmentStatusCode", namespaces=ns) == "01"
    assert third.findtext(f"{summary}/t:GrandTotalAmount", namespaces=ns) == "-11000"
    assert set(TaxInvoice.objects.values_list("status", flat=True)) == {TaxInvoice.Status.EXPORTED}


def _prepare_queries(invoices: int, *, issue_date: dt.date) -> tuple[int, dict[str, int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(invoices):
        make_invoice(CustomerFactory(), issue_date=issue_date)
    with CaptureQueriesContext(connection) as ctx:
        counts = tax.tax_invoices_prepare(today=issue_date)
    return len(ctx.captured_queries), counts


def test_prepare_job_inserts_a_chunk_at_once_with_its_history():
    """BIL-18, issue 16: the job's queries do not grow with the invoices (a chunk's tax invoices and their
    history rows inserted at once); each row has the invoice's data and a history row naming the job."""
    from core.audit import acting_as

    with acting_as(job="tax_invoices_prepare"):
        few, counts = _prepare_queries(2, issue_date=dt.date(2026, 10, 1))
        assert counts == {"created": 2}
        many, counts = _prepare_queries(6, issue_date=dt.date(2026, 10, 2))
        assert counts == {"created": 6}
    assert few == many, (few, many)
    for row in TaxInvoice.objects.select_related("invoice"):
        assert (row.supply_won, row.vat_won, row.total_won, row.written_on) == (
            row.invoice.supply_won, row.invoice.vat_won, row.invoice.total_won, row.invoice.issue_date,
        )
        assert row.issue_by == dt.date(2026, 11, 10)
        [record] = row.history.all()
        assert record.history_type == "+" and "tax_invoices_prepare" in record.history_actor


def test_prepare_job_after_another_run_made_some_rows_creates_only_the_rest(monkeypatch):
    """BIL-18: when another run inserted some tax invoices between this run's read and its insert (the
    one-per-invoice constraint refuses the chunk), the rest are made one at a time, each once."""
    customer = CustomerFactory()
    invoices = [make_invoice(customer, issue_date=dt.date(2026, 10, 1)) for _ in range(3)]
    real = tax._prepare_invoices

    def racing(chunk, calendar):  # type: ignore[no-untyped-def]
        tax.tax_invoice_for(invoice=chunk[1])  # the other run, between the read and the insert
        return real(chunk, calendar)

    monkeypatch.setattr(tax, "_prepare_invoices", racing)
    assert tax.tax_invoices_prepare(today=dt.date(2026, 10, 1)) == {"created": 2}
    assert sorted(TaxInvoice.objects.values_list("invoice_id", flat=True)) == sorted(i.pk for i in invoices)
