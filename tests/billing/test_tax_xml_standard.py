"""Issue 18, BIL-18: the XML export follows the NTS standard e-tax invoice structure in full.

Every exported document is run through the rule checker (:func:`billing.taxinvoice.nts_xml.check`:
element order and cardinality, code lists, date formats, 10-digit business numbers, amounts equal to
the sum of the lines, 10% VAT), and each rule is shown to catch the violation it names.
"""

from __future__ import annotations

import copy
import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Customer
from billing.models import CreditNote, TaxInvoice
from billing.services import tax
from billing.taxinvoice import LineItem, Party, TaxInvoiceDocument, nts_xml
from tests.billing.bdocs_support import make_invoice
from tests.factories import CustomerFactory

APPROVAL = "20270930410000420000a1b2"
NS = {"t": nts_xml.NS}
STAMP = dt.datetime(2027, 10, 1, 9, 30, 5)


def q(path: str) -> str:
    return "/".join(f"t:{p}" for p in path.split("/"))


def local(element: ET.Element) -> str:
    return element.tag.split("}", 1)[1]


def rules(problems) -> set[str]:
    return {p.path for p in problems}


@pytest.fixture
def issued_row(db) -> TaxInvoice:
    customer = CustomerFactory(
        legal_name="주식회사 가나다",
        representative_name="홍길동",
        billing_email="tax@ganada.kr",
        address="서울 강남구",
    )
    invoice = make_invoice(
        customer,
        issue_date=dt.date(2027, 9, 30),
        lines=[("기본료 2027-09", 1, 300_000), ("추가 인원", 3, 11_111)],
    )
    row = tax.tax_invoice_for(invoice=invoice)
    TaxInvoice.objects.filter(pk=row.pk).update(approval_number=APPROVAL)
    row.refresh_from_db()
    return row


def xml_of(row: TaxInvoice) -> ET.Element:
    return ET.fromstring(tax.tax_invoice_xml(row))


def test_exported_document_conforms_and_keeps_the_standard_order(issued_row):
    """BIL-18: namespace and schema location of the KEC TaxInvoice module; children in the standard's
    order; the checker finds nothing to object to."""
    root = xml_of(issued_row)
    assert root.tag == f"{{{nts_xml.NS}}}TaxInvoice"
    assert root.get(f"{{{nts_xml.XSI}}}schemaLocation").endswith("TaxInvoiceSchemaModule_1.0.xsd")
    assert [local(c) for c in root] == [
        "ExchangedDocument",
        "TaxInvoiceDocument",
        "TaxInvoiceTradeSettlement",
        "TaxInvoiceTradeLineItem",
    ]
    head = root.find(q("TaxInvoiceDocument"), NS)
    assert [local(c) for c in head] == ["IssueID", "TypeCode", "IssueDateTime", "PurposeCode"]
    settlement = root.find(q("TaxInvoiceTradeSettlement"), NS)
    assert [local(c) for c in settlement] == [
        "InvoicerParty",
        "InvoiceeParty",
        "SpecifiedPaymentMeans",
        "SpecifiedMonetarySummation",
    ]
    invoicee = settlement.find(q("InvoiceeParty"), NS)
    assert [local(c) for c in invoicee] == [
        "ID",
        "NameText",
        "SpecifiedOrganization",
        "SpecifiedPerson",
        "PrimaryDefinedContact",
        "SpecifiedAddress",
    ]
    line = root.find(q("TaxInvoiceTradeLineItem"), NS)
    assert [local(c) for c in line] == [
        "SequenceNumeric",
        "InvoiceAmount",
        "NameText",
        "PurchaseExpiryDateTime",
        "TotalTax",
    ]
    assert nts_xml.check(root) == []


def test_values_follow_the_element_rules(issued_row):
    """BIL-18: TypeCode 0101 (일반), PurposeCode 02 (청구), 작성일자 YYYYMMDD, 발행일시 YYYYMMDDHHMMSS,
    IssueID the 24-character 승인번호, 10-digit business numbers, 외상미수금 payment means, amounts
    (SPEC §12 item 15: 333,333 + 33,333 = 366,666) equal to the line and 10% of the supply."""
    root = xml_of(issued_row)
    text = lambda path: root.findtext(q(path), namespaces=NS)  # noqa: E731
    assert text("TaxInvoiceDocument/TypeCode") == "0101"
    assert text("TaxInvoiceDocument/PurposeCode") == "02"
    assert text("TaxInvoiceDocument/IssueDateTime") == "20270930"
    assert text("TaxInvoiceDocument/IssueID") == APPROVAL
    assert len(text("ExchangedDocument/IssueDateTime")) == 14
    assert text("TaxInvoiceTradeSettlement/InvoicerParty/ID") == "2208162517"
    assert text("TaxInvoiceTradeSettlement/InvoiceeParty/SpecifiedOrganization/BusinessTypeCode") == "01"
    assert text("TaxInvoiceTradeSettlement/SpecifiedPaymentMeans/TypeCode") == "40"
    assert text("TaxInvoiceTradeSettlement/SpecifiedPaymentMeans/PaidAmount") == "366666"
    summary = "TaxInvoiceTradeSettlement/SpecifiedMonetarySummation"
    assert (text(f"{summary}/ChargeTotalAmount"), text(f"{summary}/TaxTotalAmount")) == ("333333", "33333")
    assert text(f"{summary}/GrandTotalAmount") == "366666"
    assert text("TaxInvoiceTradeLineItem/InvoiceAmount") == "333333"
    assert text("TaxInvoiceTradeLineItem/TotalTax/CalculatedAmount") == "33333"
    assert text("TaxInvoiceTradeLineItem/PurchaseExpiryDateTime") == "20270930"
    assert text("TaxInvoiceTradeLineItem/NameText") == "기본료 2027-09 외 1건"


def test_amended_document_names_reason_and_original(issued_row):
    """BIL-18: a credit note's 수정세금계산서 is TypeCode 0201 with AmendmentStatusCode (01 착오 정정)
    and OriginalIssueID = the original's 승인번호, negative amounts allowed; it conforms."""
    note = CreditNote.objects.create(
        number="CN-2027-000001",
        kind=CreditNote.Kind.CREDIT,
        invoice=issued_row.invoice,
        customer=issued_row.invoice.customer,
        reason=CreditNote.Reason.CORRECTION,
        description="정정",
        issued_on=dt.date(2027, 10, 5),
        supply_won=10_000,
        vat_won=1_000,
        total_won=11_000,
    )
    root = xml_of(tax.tax_invoice_for_credit_note(credit_note=note))
    text = lambda path: root.findtext(q(path), namespaces=NS)  # noqa: E731
    assert text("TaxInvoiceDocument/TypeCode") == "0201"
    assert text("TaxInvoiceDocument/AmendmentStatusCode") == "01"
    assert text("TaxInvoiceDocument/OriginalIssueID") == APPROVAL
    head = root.find(q("TaxInvoiceDocument"), NS)
    assert [local(c) for c in head] == [
        "IssueID",
        "TypeCode",
        "DescriptionText",
        "IssueDateTime",
        "AmendmentStatusCode",
        "PurposeCode",
        "OriginalIssueID",
    ]
    assert text("TaxInvoiceTradeSettlement/SpecifiedMonetarySummation/GrandTotalAmount") == "-11000"
    assert root.find(q("TaxInvoiceTradeSettlement/SpecifiedPaymentMeans"), NS) is None
    assert nts_xml.check(root) == []


def test_individual_buyer_only_lacks_the_resident_number(db):
    """BIL-18, DAT: an individual buyer (BusinessTypeCode 02) has no stored resident number, so the one
    rule the file breaks is the 13-digit ID the operator fills in at upload; a not yet issued document
    has an empty IssueID, which is allowed."""
    person = CustomerFactory(kind=Customer.Kind.INDIVIDUAL, business_number="", legal_name="김개인")
    row = tax.tax_invoice_for(invoice=make_invoice(person, issue_date=dt.date(2027, 9, 30)))
    problems = nts_xml.check(xml_of(row))
    assert [p.path for p in problems] == ["InvoiceeParty/ID"]
    assert "주민등록번호" in problems[0].rule


def _document(**overrides) -> TaxInvoiceDocument:
    values = {
        "number": "INV-2027-000001",
        "written_on": dt.date(2027, 9, 30),
        "issue_by": dt.date(2027, 10, 12),
        "type_code": "0101",
        "purpose_code": "02",
        "supplier": Party("2208162517", "주식회사 텀즈옵스", "정하윤", "서울", "b@op.kr"),
        "buyer": Party("1234567891", "주식회사 가나다", "홍길동", "서울", "t@g.kr"),
        "supply_won": 100_000,
        "vat_won": 10_000,
        "total_won": 110_000,
        "items": (LineItem(1, dt.date(2027, 9, 30), "기본료", 100_000, 10_000),),
        "approval_number": APPROVAL,
    }
    values.update(overrides)
    return TaxInvoiceDocument(**values)


VALID = nts_xml.document_element(_document(), generated_at=STAMP)


def _broken(mutate) -> set[str]:
    root = copy.deepcopy(VALID)
    mutate(root)
    return rules(nts_xml.check(root))


def _set(path: str, value: str):
    def mutate(root: ET.Element) -> None:
        root.find(q(path), NS).text = value

    return mutate


def _remove(parent: str, child: str):
    def mutate(root: ET.Element) -> None:
        holder = root.find(q(parent), NS) if parent else root
        holder.remove(holder.find(q(child), NS))

    return mutate


def _swap(parent: str, first: str, second: str):
    def mutate(root: ET.Element) -> None:
        holder = root.find(q(parent), NS)
        a, b = holder.find(q(first), NS), holder.find(q(second), NS)
        children = list(holder)
        i, j = children.index(a), children.index(b)
        children[i], children[j] = b, a
        for child in list(holder):
            holder.remove(child)
        holder.extend(children)

    return mutate


SETTLEMENT = "TaxInvoiceTradeSettlement"
SUMMARY = f"{SETTLEMENT}/SpecifiedMonetarySummation"
VIOLATIONS = {
    "required element missing": (
        _remove(f"{SETTLEMENT}/InvoicerParty", "ID"),
        "TaxInvoice/TaxInvoiceTradeSettlement/InvoicerParty/ID",
    ),
    "no line item": (_remove("", "TaxInvoiceTradeLineItem"), "TaxInvoice/TaxInvoiceTradeLineItem"),
    "order": (
        _swap("TaxInvoiceDocument", "IssueDateTime", "PurposeCode"),
        "TaxInvoice/TaxInvoiceDocument/IssueDateTime",
    ),
    "type code list": (_set("TaxInvoiceDocument/TypeCode", "0199"), "TaxInvoiceDocument/TypeCode"),
    "purpose code list": (_set("TaxInvoiceDocument/PurposeCode", "03"), "TaxInvoiceDocument/PurposeCode"),
    "작성일자 format": (
        _set("TaxInvoiceDocument/IssueDateTime", "2027-09-30"),
        "TaxInvoiceDocument/IssueDateTime",
    ),
    "impossible date": (
        _set("TaxInvoiceDocument/IssueDateTime", "20270231"),
        "TaxInvoiceDocument/IssueDateTime",
    ),
    "발행일시 format": (
        _set("ExchangedDocument/IssueDateTime", "20271001"),
        "ExchangedDocument/IssueDateTime",
    ),
    "승인번호 length": (_set("TaxInvoiceDocument/IssueID", APPROVAL[:-1]), "TaxInvoiceDocument/IssueID"),
    "supplier number with hyphens": (
        _set(f"{SETTLEMENT}/InvoicerParty/ID", "220-81-62517"),
        "InvoicerParty/ID",
    ),
    "buyer number 9 digits": (_set(f"{SETTLEMENT}/InvoiceeParty/ID", "123456789"), "InvoiceeParty/ID"),
    "business type code list": (
        _set(f"{SETTLEMENT}/InvoiceeParty/SpecifiedOrganization/BusinessTypeCode", "09"),
        "InvoiceeParty/SpecifiedOrganization/BusinessTypeCode",
    ),
    "payment means code list": (
        _set(f"{SETTLEMENT}/SpecifiedPaymentMeans/TypeCode", "50"),
        "SpecifiedPaymentMeans/TypeCode",
    ),
    "grand total": (_set(f"{SUMMARY}/GrandTotalAmount", "110001"), f"{SUMMARY}/GrandTotalAmount"),
    "lines sum": (_set("TaxInvoiceTradeLineItem/InvoiceAmount", "90000"), f"{SUMMARY}/ChargeTotalAmount"),
    "line tax sum": (
        _set("TaxInvoiceTradeLineItem/TotalTax/CalculatedAmount", "9000"),
        f"{SUMMARY}/TaxTotalAmount",
    ),
    "tax 10%": (
        lambda r: (
            _set(f"{SUMMARY}/TaxTotalAmount", "9000")(r),
            _set(f"{SUMMARY}/GrandTotalAmount", "109000")(r),
            _set("TaxInvoiceTradeLineItem/TotalTax/CalculatedAmount", "9000")(r),
        ),
        f"{SUMMARY}/TaxTotalAmount",
    ),
    "decimal amount": (_set(f"{SUMMARY}/ChargeTotalAmount", "100000.0"), f"{SUMMARY}/ChargeTotalAmount"),
    "negative on a normal invoice": (
        lambda r: (
            _set(f"{SUMMARY}/ChargeTotalAmount", "-100000")(r),
            _set(f"{SUMMARY}/TaxTotalAmount", "-10000")(r),
            _set(f"{SUMMARY}/GrandTotalAmount", "-110000")(r),
        ),
        f"{SUMMARY}/ChargeTotalAmount",
    ),
    "amendment code on a normal invoice": (
        lambda r: r.find(q("TaxInvoiceDocument"), NS).insert(
            3, ET.Element(f"{{{nts_xml.NS}}}AmendmentStatusCode")
        ),
        "TaxInvoiceDocument/AmendmentStatusCode",
    ),
    "supply date outside the month": (
        _set("TaxInvoiceTradeLineItem/PurchaseExpiryDateTime", "20271001"),
        "TaxInvoiceTradeLineItem[1]/PurchaseExpiryDateTime",
    ),
    "line numbering": (
        _set("TaxInvoiceTradeLineItem/SequenceNumeric", "2"),
        "TaxInvoiceTradeLineItem[1]/SequenceNumeric",
    ),
    "empty representative": (
        _set(f"{SETTLEMENT}/InvoicerParty/SpecifiedPerson/NameText", ""),
        "InvoicerParty/SpecifiedPerson/NameText",
    ),
    "name too long": (_set(f"{SETTLEMENT}/InvoiceeParty/NameText", "가" * 201), "NameText"),
    "unknown element": (
        lambda r: r.find(q("ExchangedDocument"), NS).append(ET.Element(f"{{{nts_xml.NS}}}Remark")),
        "TaxInvoice/ExchangedDocument/Remark",
    ),
}


@pytest.mark.parametrize("name", list(VIOLATIONS))
def test_each_rule_catches_its_violation(name):
    """BIL-18: the checker is a rule table of the standard: each broken rule is reported at its element."""
    mutate, path = VIOLATIONS[name]
    assert nts_xml.check(VALID) == []
    assert path in _broken(mutate), _broken(mutate)


def test_amended_rules():
    """BIL-18: an amended (02xx) document needs AmendmentStatusCode 01..06 and the original's 승인번호."""
    amended = _document(type_code="0201", amendment_code="07", original_approval_number="")
    problems = rules(nts_xml.check(nts_xml.document_element(amended, generated_at=STAMP)))
    assert {"TaxInvoiceDocument/AmendmentStatusCode", "TaxInvoiceDocument/OriginalIssueID"} <= problems
    fixed = _document(
        type_code="0201",
        amendment_code="04",
        original_approval_number=APPROVAL,
        supply_won=-100_000,
        vat_won=-10_000,
        total_won=-110_000,
        items=(LineItem(1, dt.date(2027, 9, 30), "해제", -100_000, -10_000),),
    )
    assert nts_xml.check(nts_xml.document_element(fixed, generated_at=STAMP)) == []


@settings(max_examples=60, deadline=None)
@given(supply=st.integers(min_value=1, max_value=10**12), negative=st.booleans())
def test_any_supply_with_ten_percent_vat_conforms(supply, negative):
    """BIL-18: for any supply amount, VAT = 10% rounded down (the product's split) passes the amount
    rules, positive on a normal invoice and negative on an amended one."""
    sign = -1 if negative else 1
    vat = supply // 10
    doc = _document(
        type_code="0201" if negative else "0101",
        amendment_code="02" if negative else "",
        original_approval_number=APPROVAL if negative else "",
        supply_won=sign * supply,
        vat_won=sign * vat,
        total_won=sign * (supply + vat),
        items=(LineItem(1, dt.date(2027, 9, 30), "품목", sign * supply, sign * vat),),
    )
    assert nts_xml.check(nts_xml.document_element(doc, generated_at=STAMP)) == []
