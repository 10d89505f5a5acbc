"""Korean electronic tax invoices (전자세금계산서) for issued invoices and notes (BIL-18).

Every issued invoice produces the data of one tax invoice: supplier (``settings.OPERATOR``) and
buyer (the customer) identities, supply amount, VAT, total, the date written (작성일자 = the
invoice's issue date), the item and the deadline to issue it. A credit note produces a modified
tax invoice (수정세금계산서) with negative amounts; a debit note (the reversal of a mistaken credit)
one with positive amounts.

Deadline (issue_by): a monthly invoice (월합계 세금계산서) must be issued by the policy's
``tax_invoice_issue_day`` (the 10th) of the month after the date written, or the next business
day when that day is not one (``BusinessCalendar.on_or_after``).

The rows are the data the operator sends to its e-tax invoice provider (or uploads to 홈택스):
:func:`tax_invoices_export_csv` and :func:`tax_invoices_export_xml` produce the files and mark
the rows exported.

XML layout (a simplified form of the 국세청 e-tax invoice standard, element names kept where
practical)::

    <TaxInvoiceBatch count="N" generatedAt="...">
      <TaxInvoice>
        <ExchangedDocument>
          <IssueDateTime>20261130</IssueDateTime>          작성일자 (YYYYMMDD)
          <IssueDueDate>20261210</IssueDueDate>            발급 기한
          <ReferencedDocument><ID>INV-2026-000001</ID></ReferencedDocument>
        </ExchangedDocument>
        <TaxInvoiceDocument>
          <TypeCode>0101</TypeCode>                        0101 일반 / 0201 수정세금계산서
          <PurposeCode>02</PurposeCode>                    02 청구
          <AmendmentStatusCode/>                           수정 사유 (notes only: 01 기재사항 착오 …)
          <OriginalIssueID/>                               the amended invoice's number (notes)
        </TaxInvoiceDocument>
        <TaxInvoiceTradeSettlement>
          <InvoicerParty>                                  공급자
            <ID>2208162517</ID> <TypeCode>01</TypeCode> <NameText/> <SpecifiedPerson><NameText/>
            </SpecifiedPerson> <SpecifiedAddress><LineOneText/></SpecifiedAddress>
            <DefinedContact><URICommunication/></DefinedContact>
          </InvoicerParty>
          <InvoiceeParty> … same; TypeCode 01 사업자등록번호, 02 주민등록번호(개인) … </InvoiceeParty>
          <SpecifiedMonetarySummation>
            <ChargeTotalAmount/> <TaxTotalAmount/> <GrandTotalAmount/>
          </SpecifiedMonetarySummation>
        </TaxInvoiceTradeSettlement>
        <TaxInvoiceTradeLineItem>
          <SequenceNumeric>1</SequenceNumeric> <PurchaseExpiryDateTime/> <NameText/>
          <InvoiceAmount/> <TotalTax><CalculatedAmount/></TotalTax>
        </TaxInvoiceTradeLineItem>
        <DescriptionText/>                                 비고 (e.g. the note for individuals)
      </TaxInvoice>
    </TaxInvoiceBatch>

Buyers without a business number (individuals, 비사업자) get a blank ID with ``TypeCode`` 02 and a
note: the operator fills in the resident registration number at its provider, because this system
does not keep it (DAT: no resident numbers stored).
"""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Customer
from core import clock, csvkit
from core.audit import record_history
from core.calendar import BusinessCalendar, add_months, clamp_day, default_calendar
from core.errors import DomainError
from core.transitions import transition_many

from ..lifecycles import TAX_INVOICE
from ..models import CreditNote, Invoice, TaxInvoice

DEFAULT_ISSUE_DAY = 10
TYPE_NORMAL = "0101"  # 일반 세금계산서
TYPE_AMENDED = "0201"  # 수정 세금계산서
PARTY_BUSINESS = "01"  # 사업자등록번호
PARTY_RESIDENT = "02"  # 주민등록번호 (비사업자)
# 수정 사유: 01 기재사항 착오·정정, 02 공급가액 변동 (감액·증액), 04 계약의 해제.
AMENDMENT_BY_REASON = {
    CreditNote.Reason.CORRECTION: "01",
    CreditNote.Reason.REVERSAL: "01",
}
AMENDMENT_DEFAULT = "02"

ISSUABLE_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PAID)


# --------------------------------------------------------------------------- dates


def issue_by_date(
    written_on: dt.date,
    *,
    issue_day: int | None = DEFAULT_ISSUE_DAY,
    calendar: BusinessCalendar | None = None,
) -> dt.date:
    """BIL-18: the ``issue_day`` (10th) of the month after ``written_on``, or the next business day."""
    calendar = calendar or default_calendar()
    next_month = add_months(written_on.replace(day=1), 1)
    deadline = clamp_day(next_month.year, next_month.month, issue_day or DEFAULT_ISSUE_DAY)
    return calendar.on_or_after(deadline)


# --------------------------------------------------------------------------- building


def _operator() -> dict[str, str]:
    op = dict(getattr(settings, "OPERATOR", {}) or {})
    return {
        "name": str(op.get("name", "")),
        "business_number": str(op.get("business_number", "")).replace("-", ""),
        "representative": str(op.get("representative", "")),
        "address": str(op.get("address", "")),
        "email": str(op.get("email", "")),
    }


def _buyer_business_number(customer: Customer) -> str:
    if not customer.is_business:
        return ""
    return (customer.business_number or "").replace("-", "")


def _item_name(invoice: Invoice) -> str:
    descriptions = [line.description for line in invoice.lines.all()]
    period = f"{invoice.period_start:%Y-%m}"
    if not descriptions:
        return _("서비스 이용료 ({period})").format(period=period)[:200]
    first = descriptions[0]
    if len(descriptions) > 1:
        first = _("{first} 외 {count}건").format(first=first, count=len(descriptions) - 1)
    return first[:200]


def _issue_day_for(invoice: Invoice | None) -> int:
    if invoice is None:
        return DEFAULT_ISSUE_DAY
    return getattr(invoice.policy, "tax_invoice_issue_day", None) or DEFAULT_ISSUE_DAY


def _create(source: dict, defaults: dict) -> TaxInvoice:  # type: ignore[type-arg]
    existing = TaxInvoice.objects.filter(**source).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return TaxInvoice.objects.create(**source, **defaults)
    except IntegrityError:  # a concurrent run made it first: one per source (OneToOne)
        return TaxInvoice.objects.get(**source)


def tax_invoice_for(*, invoice: Invoice) -> TaxInvoice:
    """BIL-18: the tax invoice data of an issued invoice, created once (idempotent)."""
    existing = TaxInvoice.objects.filter(invoice=invoice).first()
    if existing is not None:
        return existing
    if invoice.status not in ISSUABLE_STATUSES:
        raise DomainError(
            "tax_invoice_not_issuable",
            _("발행 상태의 청구서만 세금계산서를 만들 수 있습니다 ({number})."),
            rule="BIL-18",
            field="invoice",
            number=invoice.number,
        )
    customer = invoice.customer
    op = _operator()
    defaults = {
        "supplier_business_number": op["business_number"][:10],
        "supplier_name": op["name"][:200],
        "supplier_representative": op["representative"][:100],
        "supplier_address": op["address"][:300],
        "buyer_business_number": _buyer_business_number(customer),
        "buyer_name": customer.legal_name[:200],
        "buyer_representative": (customer.representative_name or "")[:100],
        "buyer_email": customer.billing_email or "",
        "written_on": invoice.issue_date,
        "issue_by": issue_by_date(invoice.issue_date, issue_day=_issue_day_for(invoice)),
        "supply_won": invoice.supply_won,
        "vat_won": invoice.vat_won,
        "total_won": invoice.total_won,
        "item_name": _item_name(invoice),
    }
    return _create({"invoice": invoice}, defaults)


def tax_invoice_for_credit_note(*, credit_note: CreditNote) -> TaxInvoice:
    """BIL-18: a modified tax invoice (수정세금계산서) for a credit note (negative amounts) or a debit
    note (positive amounts), dated the note's issue date. Idempotent."""
    existing = TaxInvoice.objects.filter(credit_note=credit_note).first()
    if existing is not None:
        return existing
    customer = credit_note.customer
    sign = -1 if credit_note.kind == CreditNote.Kind.CREDIT else 1
    op = _operator()
    source_number = credit_note.invoice.number if credit_note.invoice_id else ""  # type: ignore[union-attr]
    item = _("{number} 수정 ({reason})").format(
        number=source_number or credit_note.number, reason=credit_note.get_reason_display()
    )
    defaults = {
        "supplier_business_number": op["business_number"][:10],
        "supplier_name": op["name"][:200],
        "supplier_representative": op["representative"][:100],
        "supplier_address": op["address"][:300],
        "buyer_business_number": _buyer_business_number(customer),
        "buyer_name": customer.legal_name[:200],
        "buyer_representative": (customer.representative_name or "")[:100],
        "buyer_email": customer.billing_email or "",
        "written_on": credit_note.issued_on,
        "issue_by": issue_by_date(credit_note.issued_on, issue_day=_issue_day_for(credit_note.invoice)),
        "supply_won": sign * credit_note.supply_won,
        "vat_won": sign * credit_note.vat_won,
        "total_won": sign * credit_note.total_won,
        "item_name": item[:200],
    }
    return _create({"credit_note": credit_note}, defaults)


def tax_invoices_prepare(*, today: dt.date) -> dict[str, int]:
    """Job (BIL-18): create the tax invoice data of every issued invoice and note written on or before
    ``today`` that still lacks one. Running it again creates nothing new."""
    created = 0
    invoices = (
        Invoice.objects.filter(status__in=ISSUABLE_STATUSES, issue_date__lte=today, tax_invoice__isnull=True)
        .exclude(total_won=0)
        .select_related("customer", "policy")
        .order_by("issue_date", "number")
    )
    for invoice in invoices.iterator(chunk_size=200):
        tax_invoice_for(invoice=invoice)
        created += 1
    notes = CreditNote.objects.filter(issued_on__lte=today, tax_invoice__isnull=True).select_related(
        "customer", "invoice__policy"
    )
    for note in notes.iterator(chunk_size=200):
        tax_invoice_for_credit_note(credit_note=note)
        created += 1
    return {"created": created}


def tax_invoices_due(*, today: dt.date) -> QuerySet[TaxInvoice]:
    """Rows still to send whose deadline is today or earlier (an overdue list for the back office)."""
    return TaxInvoice.objects.filter(status=TaxInvoice.Status.READY, issue_by__lte=today)


# --------------------------------------------------------------------------- presentation helpers


def is_amended(row: TaxInvoice) -> bool:
    return row.credit_note_id is not None


def buyer_id_type(row: TaxInvoice) -> str:
    return PARTY_BUSINESS if row.buyer_business_number else PARTY_RESIDENT


def note_for(row: TaxInvoice) -> str:
    """비고: the note shown on the tax invoice (the individual-buyer note; the amended invoice)."""
    parts: list[str] = []
    if not row.buyer_business_number:
        parts.append(_("공급받는자 비사업자(개인): 주민등록번호는 발급 시 기재 (시스템에 저장하지 않음)"))
    if row.credit_note_id is not None and row.credit_note is not None:
        note = row.credit_note
        parts.append(
            _("수정세금계산서: {note} ({reason})").format(note=note.number, reason=note.get_reason_display())
        )
    return " / ".join(parts)


def source_number(row: TaxInvoice) -> str:
    if row.invoice_id is not None and row.invoice is not None:
        return row.invoice.number
    if row.credit_note is not None:
        return row.credit_note.number
    return ""


def original_number(row: TaxInvoice) -> str:
    note = row.credit_note if row.credit_note_id is not None else None
    if note is not None and note.invoice is not None:
        return note.invoice.number
    return ""


def amendment_code(row: TaxInvoice) -> str:
    if row.credit_note is None:
        return ""
    return AMENDMENT_BY_REASON.get(row.credit_note.reason, AMENDMENT_DEFAULT)  # type: ignore[call-overload]


def _rows(queryset: Iterable[TaxInvoice]) -> list[TaxInvoice]:
    if isinstance(queryset, QuerySet):
        queryset = queryset.select_related(
            "invoice__customer", "credit_note__invoice", "credit_note__customer"
        )
    return [row for row in queryset if row.status != TaxInvoice.Status.CANCELLED]


def _mark_exported(rows: list[TaxInvoice]) -> None:
    """Ready rows move to exported (logged, BIL-18); rows exported before get the new export time."""
    if not rows:
        return
    now = clock.now()
    locked = dict(
        TaxInvoice.objects.select_for_update()
        .filter(pk__in=[row.pk for row in rows])
        .filter(~Q(status=TaxInvoice.Status.CANCELLED))
        .order_by("pk")
        .values_list("pk", "status")
    )
    ready = [row for row in rows if locked.get(row.pk) == TaxInvoice.Status.READY]
    again = [row for row in rows if locked.get(row.pk) == TaxInvoice.Status.EXPORTED]
    transition_many(ready, TAX_INVOICE, TaxInvoice.Status.EXPORTED, today=clock.today(),
                    changes={"exported_at": now})
    TaxInvoice.objects.filter(pk__in=[row.pk for row in again]).update(exported_at=now, updated_at=now)
    for row in again:
        row.exported_at = row.updated_at = now
    record_history([*ready, *again])  # the updates above write no history of their own


def _buyer_address(row: TaxInvoice) -> str:
    customer = None
    if row.invoice is not None:
        customer = row.invoice.customer
    elif row.credit_note is not None:
        customer = row.credit_note.customer
    return (customer.address if customer is not None else "") or ""


# --------------------------------------------------------------------------- exports

CSV_HEADER = [
    "종류",
    "원본번호",
    "수정대상번호",
    "작성일자",
    "발급기한",
    "공급자사업자등록번호",
    "공급자상호",
    "공급자대표자",
    "공급자주소",
    "공급자이메일",
    "공급받는자구분",
    "공급받는자사업자등록번호",
    "공급받는자상호",
    "공급받는자대표자",
    "공급받는자주소",
    "공급받는자이메일",
    "품목",
    "공급가액",
    "세액",
    "합계금액",
    "비고",
]


def tax_invoices_export_csv(queryset: Iterable[TaxInvoice]) -> bytes:
    """BIL-18: one CSV row per tax invoice (UTF-8 with BOM so Excel reads Korean), rows marked exported.

    Cancelled rows are left out.
    """
    rows = _rows(queryset)
    op = _operator()
    buffer = io.StringIO()
    writer = csvkit.writer(buffer)  # formula cells escaped (CSV injection)
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                TYPE_AMENDED if is_amended(row) else TYPE_NORMAL,
                source_number(row),
                original_number(row),
                row.written_on.isoformat(),
                row.issue_by.isoformat(),
                row.supplier_business_number,
                row.supplier_name,
                row.supplier_representative,
                row.supplier_address,
                op["email"],
                buyer_id_type(row),
                row.buyer_business_number,
                row.buyer_name,
                row.buyer_representative,
                _buyer_address(row),
                row.buyer_email,
                row.item_name,
                row.supply_won,
                row.vat_won,
                row.total_won,
                note_for(row),
            ]
        )
    with transaction.atomic():
        _mark_exported(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sub(parent: ET.Element, tag: str, text: str | int | None = None) -> ET.Element:
    element = ET.SubElement(parent, tag)
    if text is not None and text != "":
        element.text = str(text)
    return element


def _party(
    parent: ET.Element, tag: str, *, number: str, name: str, person: str, address: str, email: str
) -> None:
    party = _sub(parent, tag)
    _sub(party, "ID", number)
    _sub(party, "TypeCode", PARTY_BUSINESS if number else PARTY_RESIDENT)
    _sub(party, "NameText", name)
    _sub(_sub(party, "SpecifiedPerson"), "NameText", person)
    _sub(_sub(party, "SpecifiedAddress"), "LineOneText", address)
    _sub(_sub(party, "DefinedContact"), "URICommunication", email)


def tax_invoice_element(row: TaxInvoice) -> ET.Element:
    """One ``<TaxInvoice>`` element (see the module docstring for the layout)."""
    op = _operator()
    root = ET.Element("TaxInvoice")
    doc = _sub(root, "ExchangedDocument")
    _sub(doc, "IssueDateTime", f"{row.written_on:%Y%m%d}")
    _sub(doc, "IssueDueDate", f"{row.issue_by:%Y%m%d}")
    _sub(_sub(doc, "ReferencedDocument"), "ID", source_number(row))
    kind = _sub(root, "TaxInvoiceDocument")
    _sub(kind, "TypeCode", TYPE_AMENDED if is_amended(row) else TYPE_NORMAL)
    _sub(kind, "PurposeCode", "02")  # 청구
    _sub(kind, "AmendmentStatusCode", amendment_code(row))
    _sub(kind, "OriginalIssueID", original_number(row))
    settlement = _sub(root, "TaxInvoiceTradeSettlement")
    _party(
        settlement,
        "InvoicerParty",
        number=row.supplier_business_number,
        name=row.supplier_name,
        person=row.supplier_representative,
        address=row.supplier_address,
        email=op["email"],
    )
    _party(
        settlement,
        "InvoiceeParty",
        number=row.buyer_business_number,
        name=row.buyer_name,
        person=row.buyer_representative,
        address=_buyer_address(row),
        email=row.buyer_email,
    )
    summation = _sub(settlement, "SpecifiedMonetarySummation")
    _sub(summation, "ChargeTotalAmount", row.supply_won)
    _sub(summation, "TaxTotalAmount", row.vat_won)
    _sub(summation, "GrandTotalAmount", row.total_won)
    item = _sub(root, "TaxInvoiceTradeLineItem")
    _sub(item, "SequenceNumeric", 1)
    _sub(item, "PurchaseExpiryDateTime", f"{row.written_on:%Y%m%d}")
    _sub(item, "NameText", row.item_name)
    _sub(item, "InvoiceAmount", row.supply_won)
    _sub(_sub(item, "TotalTax"), "CalculatedAmount", row.vat_won)
    _sub(root, "DescriptionText", note_for(row))
    return root


def tax_invoices_export_xml(queryset: Iterable[TaxInvoice]) -> bytes:
    """BIL-18: a ``<TaxInvoiceBatch>`` of ``<TaxInvoice>`` elements (UTF-8), rows marked exported."""
    rows = _rows(queryset)
    batch = ET.Element("TaxInvoiceBatch", {"count": str(len(rows)), "generatedAt": clock.now().isoformat()})
    for row in rows:
        batch.append(tax_invoice_element(row))
    ET.indent(batch)
    data = ET.tostring(batch, encoding="utf-8", xml_declaration=True)
    with transaction.atomic():
        _mark_exported(rows)
    return data
