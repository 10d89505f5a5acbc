"""Korean electronic tax invoices (전자세금계산서) for issued invoices and notes (BIL-18).

Every issued invoice produces the data of one tax invoice: supplier (``settings.OPERATOR``) and
buyer (the customer) identities, supply amount, VAT, total, the date written (작성일자 = the
invoice's issue date), the item and the deadline to issue it. A credit note produces a modified
tax invoice (수정세금계산서) with negative amounts; a debit note (the reversal of a mistaken credit)
one with positive amounts.

Deadline (issue_by): a monthly invoice (월합계 세금계산서) must be issued by the policy's
``tax_invoice_issue_day`` (the 10th) of the month after the date written, or the next business
day when that day is not one (``BusinessCalendar.on_or_after``).

The rows are what the operator's e-tax invoice provider issues (issue 18). With
``TAX_INVOICE_PROVIDER=file`` (default) staff export them — CSV, or one NTS standard XML file per
tax invoice (:mod:`billing.taxinvoice.nts_xml`) — and upload them by hand. With an issuing service
(``popbill``) the daily job :func:`tax_invoices_issue` issues every ready row through the port
(:mod:`billing.taxinvoice`), long before its deadline, records the 국세청 승인번호 and polls the
service's status until the NTS has the document; staff may cancel (발행취소) one the service has not
yet sent to the NTS (:func:`tax_invoice_cancel`). One :class:`~billing.taxinvoice.TaxInvoiceDocument`
per row (:func:`tax_invoice_document`) feeds both the files and the service, so the data rules
live here once.

Buyers without a business number (individuals, 비사업자) get a blank ID with ``BusinessTypeCode`` 02
and a note: the operator fills in the resident registration number at its provider, because this
system does not keep it (DAT: no resident numbers stored). For the same reason the issue job leaves
their rows to be issued by hand.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Customer
from core import clock, csvkit
from core.audit import bulk_create_audited, record_history
from core.calendar import BusinessCalendar, add_months, clamp_day, default_calendar
from core.errors import DomainError
from core.related import attach_related
from core.transitions import transition, transition_many

from ..lifecycles import TAX_INVOICE
from ..models import CreditNote, Invoice, TaxInvoice
from ..taxinvoice import (
    LineItem,
    Party,
    ProviderState,
    TaxInvoiceDocument,
    TaxInvoiceIssuer,
    TaxInvoiceProviderError,
    TaxInvoiceRefused,
    TaxInvoiceTransportError,
    get_issuer,
    nts_xml,
)

DEFAULT_ISSUE_DAY = 10
TYPE_NORMAL = "0101"  # 일반 세금계산서
TYPE_AMENDED = "0201"  # 수정 세금계산서
PURPOSE_CHARGE = "02"  # 청구 (the bill is paid after the tax invoice)
PARTY_BUSINESS = "01"  # 사업자등록번호
PARTY_RESIDENT = "02"  # 주민등록번호 (비사업자)
ISSUE_BATCH = 200  # rows issued (and rows polled) per job run
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
        "phone": str(op.get("phone", "")),
        "business_type": str(op.get("business_type", "")),  # 업태
        "business_item": str(op.get("business_item", "")),  # 종목
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


def tax_invoice_for(*, invoice: Invoice, calendar: BusinessCalendar | None = None) -> TaxInvoice:
    """BIL-18: the tax invoice data of an issued invoice, created once (idempotent). ``calendar``: the
    run's business calendar (one per run, not one per invoice; issue 16)."""
    existing = TaxInvoice.objects.filter(invoice=invoice).first()
    if existing is not None:
        return existing
    return _create({"invoice": invoice}, _invoice_fields(invoice, _operator(), calendar))


def _invoice_fields(
    invoice: Invoice, op: dict[str, str], calendar: BusinessCalendar | None
) -> dict[str, Any]:
    """The tax invoice's fields for an issued ``invoice`` (refused for any other status, BIL-18)."""
    if invoice.status not in ISSUABLE_STATUSES:
        raise DomainError(
            "tax_invoice_not_issuable",
            _("발행 상태의 청구서만 세금계산서를 만들 수 있습니다 ({number})."),
            rule="BIL-18",
            field="invoice",
            number=invoice.number,
        )
    customer = invoice.customer
    return {
        "supplier_business_number": op["business_number"][:10],
        "supplier_name": op["name"][:200],
        "supplier_representative": op["representative"][:100],
        "supplier_address": op["address"][:300],
        "buyer_business_number": _buyer_business_number(customer),
        "buyer_name": customer.legal_name[:200],
        "buyer_representative": (customer.representative_name or "")[:100],
        "buyer_email": customer.billing_email or "",
        "written_on": invoice.issue_date,
        "issue_by": issue_by_date(invoice.issue_date, issue_day=_issue_day_for(invoice), calendar=calendar),
        "supply_won": invoice.supply_won,
        "vat_won": invoice.vat_won,
        "total_won": invoice.total_won,
        "item_name": _item_name(invoice),
    }


def _prepare_invoices(invoices: list[Invoice], calendar: BusinessCalendar) -> int:
    """The tax invoices of a chunk of issued invoices that lack one, inserted at once with their history
    rows (issue 16: was two look-ups, an insert and a history insert per invoice). When another run
    made some of them meanwhile (the one-per-invoice constraint refuses the insert), one at a time."""
    op = _operator()
    # each customer and policy once for the chunk, not a wide joined copy per invoice (issue 16)
    attach_related(invoices, "customer", "policy")
    rows = [TaxInvoice(invoice=invoice, **_invoice_fields(invoice, op, calendar)) for invoice in invoices]
    try:
        with transaction.atomic():
            bulk_create_audited(rows)
    except IntegrityError:
        taken = set(
            TaxInvoice.objects.filter(invoice__in=invoices).values_list("invoice_id", flat=True)
        )
        missing = [invoice for invoice in invoices if invoice.pk not in taken]
        for invoice in missing:
            tax_invoice_for(invoice=invoice, calendar=calendar)
        return len(missing)
    return len(rows)


def tax_invoice_for_credit_note(
    *, credit_note: CreditNote, calendar: BusinessCalendar | None = None
) -> TaxInvoice:
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
        "issue_by": issue_by_date(
            credit_note.issued_on, issue_day=_issue_day_for(credit_note.invoice), calendar=calendar
        ),
        "supply_won": sign * credit_note.supply_won,
        "vat_won": sign * credit_note.vat_won,
        "total_won": sign * credit_note.total_won,
        "item_name": item[:200],
    }
    return _create({"credit_note": credit_note}, defaults)


#: Invoices whose tax invoices ``tax_invoices_prepare`` inserts at once (issue 16).
PREPARE_CHUNK = 200


def tax_invoices_prepare(*, today: dt.date) -> dict[str, int]:
    """Job (BIL-18): create the tax invoice data of every issued invoice and note written on or before
    ``today`` that still lacks one. Running it again creates nothing new. One business calendar for the
    run, the invoices' lines read and their tax invoices inserted per chunk (issue 16: was a calendar, a
    lines query, two look-ups and two inserts per invoice)."""
    created = 0
    calendar = default_calendar()
    invoices = (
        Invoice.objects.filter(status__in=ISSUABLE_STATUSES, issue_date__lte=today, tax_invoice__isnull=True)
        .exclude(total_won=0)
        .prefetch_related("lines")
        .order_by("issue_date", "number")
    )
    chunk: list[Invoice] = []
    for invoice in invoices.iterator(chunk_size=PREPARE_CHUNK):
        chunk.append(invoice)
        if len(chunk) == PREPARE_CHUNK:
            created += _prepare_invoices(chunk, calendar)
            chunk = []
    if chunk:
        created += _prepare_invoices(chunk, calendar)
    notes = CreditNote.objects.filter(issued_on__lte=today, tax_invoice__isnull=True).select_related(
        "customer", "invoice__policy"
    )
    for note in notes.iterator(chunk_size=200):
        tax_invoice_for_credit_note(credit_note=note, calendar=calendar)
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
    return " / ".join(_note_parts(row))


def _note_parts(row: TaxInvoice) -> list[str]:
    parts: list[str] = []
    if not row.buyer_business_number:
        parts.append(_("공급받는자 비사업자(개인): 주민등록번호는 발급 시 기재 (시스템에 저장하지 않음)"))
    if row.credit_note_id is not None and row.credit_note is not None:
        note = row.credit_note
        parts.append(
            _("수정세금계산서: {note} ({reason})").format(note=note.number, reason=note.get_reason_display())
        )
    return parts


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
    transition_many(
        ready, TAX_INVOICE, TaxInvoice.Status.EXPORTED, today=clock.today(), changes={"exported_at": now}
    )
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
    "국세청승인번호",
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
                row.approval_number,
            ]
        )
    with transaction.atomic():
        _mark_exported(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --------------------------------------------------------------------------- the document (issue 18)


def original_row(row: TaxInvoice) -> TaxInvoice | None:
    """The tax invoice an amended one corrects (the credit note's invoice's), if it exists."""
    note = row.credit_note if row.credit_note_id is not None else None
    if note is None or note.invoice_id is None:
        return None
    return TaxInvoice.objects.filter(invoice_id=note.invoice_id).first()


def tax_invoice_document(row: TaxInvoice) -> TaxInvoiceDocument:
    """BIL-18: the one description of a tax invoice the XML export and every issuing service use."""
    op = _operator()
    amended = is_amended(row)
    original = original_row(row) if amended else None
    supplier = Party(
        business_number=row.supplier_business_number,
        name=row.supplier_name,
        representative=row.supplier_representative,
        address=row.supplier_address,
        email=op["email"],
        phone=op["phone"],
        business_type=op["business_type"],
        business_item=op["business_item"],
    )
    buyer = Party(
        business_number=row.buyer_business_number,
        name=row.buyer_name,
        representative=row.buyer_representative or row.buyer_name,
        address=_buyer_address(row),
        email=row.buyer_email,
    )
    item = LineItem(
        sequence=1,
        supplied_on=row.written_on,
        name=row.item_name[: nts_xml.LINE_NAME_MAX],
        supply_won=row.supply_won,
        vat_won=row.vat_won,
    )
    return TaxInvoiceDocument(
        number=source_number(row),
        written_on=row.written_on,
        issue_by=row.issue_by,
        type_code=TYPE_AMENDED if amended else TYPE_NORMAL,
        purpose_code=PURPOSE_CHARGE,
        supplier=supplier,
        buyer=buyer,
        supply_won=row.supply_won,
        vat_won=row.vat_won,
        total_won=row.total_won,
        items=(item,),
        remarks=tuple(_note_parts(row))[:3],
        amendment_code=amendment_code(row),
        original_number=original_number(row),
        original_approval_number=original.approval_number if original is not None else "",
        approval_number=row.approval_number,
    )


def tax_invoice_xml(row: TaxInvoice) -> bytes:
    """BIL-18: one tax invoice as an NTS standard XML document (``<TaxInvoice>``, UTF-8)."""
    return nts_xml.document_xml(tax_invoice_document(row), generated_at=timezone.localtime(clock.now()))


def tax_invoices_export_xml(queryset: Iterable[TaxInvoice]) -> bytes:
    """BIL-18: a ZIP of one NTS standard XML file per tax invoice (``<number>.xml``), the standard
    knowing one document per file; ready rows marked exported. Cancelled rows are left out."""
    rows = _rows(queryset)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for row in rows:
            archive.writestr(f"{source_number(row) or row.pk}.xml", tax_invoice_xml(row))
    with transaction.atomic():
        _mark_exported(rows)
    return buffer.getvalue()


# --------------------------------------------------------------------------- issuing (issue 18)

_PROVIDER_FIELDS = [
    "provider",
    "approval_number",
    "provider_status",
    "nts_result",
    "provider_error",
    "issue_attempts",
    "issued_at",
    "status_checked_at",
    "provider_done",
]


def _error_text(exc: TaxInvoiceProviderError) -> str:
    return (f"[{exc.code}] {exc.message}" if exc.code else str(exc.message))[:300]


def _save_provider_fields(row: TaxInvoice) -> None:
    row.save(update_fields=[*_PROVIDER_FIELDS, "updated_at"])


def _apply_state(row: TaxInvoice, state: ProviderState, *, provider: str) -> None:
    row.provider = provider
    row.provider_status = state.code
    row.approval_number = state.approval_number or row.approval_number
    row.nts_result = state.nts_result or row.nts_result
    row.provider_error = ""
    row.status_checked_at = clock.now()
    row.provider_done = state.final


def _waiting_reason(row: TaxInvoice) -> str:
    """Why a ready row is not sent automatically (blank = send it)."""
    if not row.buyer_business_number:
        return str(
            _("개인 고객: 주민등록번호가 필요해 자동 발행하지 않습니다. 파일로 내보내 직접 발행하세요.")
        )
    if is_amended(row):
        original = original_row(row)
        if original is None or not original.approval_number:
            return str(
                _("원본 세금계산서의 국세청 승인번호가 아직 없어 수정세금계산서를 발행할 수 없습니다.")
            )
    return ""


def _existing_state(issuer: TaxInvoiceIssuer, number: str) -> ProviderState | None:
    """The service's own record of ``number`` (an earlier attempt whose answer was lost), if any."""
    try:
        state = issuer.state(number)
    except TaxInvoiceProviderError:
        return None
    return state if state.issued and not state.cancelled else None


def _issue_one(pk: int, *, issuer: TaxInvoiceIssuer, today: dt.date) -> str:
    with transaction.atomic():
        row = (
            TaxInvoice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("invoice__customer", "credit_note__invoice", "credit_note__customer")
            .filter(pk=pk, status=TaxInvoice.Status.READY)
            .first()
        )
        if row is None:  # another worker holds it, or it moved on since the list was read
            return "skipped"
        reason = _waiting_reason(row)
        if reason:
            if row.provider_error != reason[:300]:
                row.provider_error = reason[:300]
                _save_provider_fields(row)
            return "manual" if not row.buyer_business_number else "waiting"
        document = tax_invoice_document(row)
        row.issue_attempts += 1
        try:
            state = issuer.issue(document, late=today > row.issue_by)
        except TaxInvoiceRefused as exc:
            existing = _existing_state(issuer, document.number)  # issued before, answer lost?
            if existing is None:
                row.provider, row.provider_error = issuer.name, _error_text(exc)
                _save_provider_fields(row)
                return "refused"
            state = existing
        except TaxInvoiceTransportError as exc:
            row.provider, row.provider_error = issuer.name, _error_text(exc)
            _save_provider_fields(row)
            return "errors"
        _apply_state(row, state, provider=issuer.name)
        row.issued_at = clock.now()
        transition(
            row,
            TAX_INVOICE,
            TaxInvoice.Status.ISSUED,
            today=today,
            reason=str(_("전자세금계산서 발행 ({provider})")).format(provider=issuer.name),
            save_fields=_PROVIDER_FIELDS,
        )
        return "issued"


def _poll_one(pk: int, *, issuer: TaxInvoiceIssuer, today: dt.date) -> str:
    with transaction.atomic():
        row = (
            TaxInvoice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("invoice", "credit_note")
            .filter(pk=pk, status=TaxInvoice.Status.ISSUED, provider_done=False)
            .first()
        )
        if row is None:
            return "skipped"
        try:
            state = issuer.state(source_number(row))
        except TaxInvoiceProviderError as exc:
            row.provider_error = _error_text(exc)
            row.status_checked_at = clock.now()
            _save_provider_fields(row)
            return "errors"
        _apply_state(row, state, provider=issuer.name)
        if state.cancelled:  # cancelled at the service itself (its website)
            transition(
                row,
                TAX_INVOICE,
                TaxInvoice.Status.CANCELLED,
                today=today,
                reason=str(_("연동 업체에서 발행취소됨")),
                save_fields=_PROVIDER_FIELDS,
            )
            return "cancelled"
        _save_provider_fields(row)
        return "checked"


def tax_invoices_issue(*, today: dt.date, issuer: TaxInvoiceIssuer | None = None) -> dict[str, int]:
    """Job (BIL-18, issue 18): issue every ready tax invoice written on or before ``today`` through the
    e-tax invoice provider, then ask the provider how the earlier issued ones stand (국세청 전송: the
    provider sends a document to the NTS the day after it is issued, so this run's are asked next run).

    Rows go out the day their data is prepared, so the deadline (``issue_by``: the 10th of the next
    month) is met with days to spare; a row still ready after it is issued late (the provider is
    told to accept a late issue). Each row is locked (``SKIP LOCKED``) for its own call, so two
    workers share the work and never send one row twice; a row whose answer was lost is recognised
    by its number at the next run. With the file provider (default) nothing is sent.
    """
    issuer = issuer or get_issuer()
    started = clock.now()
    counts = dict.fromkeys(
        ("issued", "refused", "errors", "waiting", "manual", "checked", "cancelled", "skipped"), 0
    )
    if not issuer.automatic:
        return counts
    ready = (
        TaxInvoice.objects.filter(status=TaxInvoice.Status.READY, written_on__lte=today)
        .order_by("issue_by", "id")
        .values_list("pk", flat=True)[:ISSUE_BATCH]
    )
    for pk in list(ready):
        counts[_issue_one(pk, issuer=issuer, today=today)] += 1
    issued = (
        TaxInvoice.objects.filter(status=TaxInvoice.Status.ISSUED, provider=issuer.name, provider_done=False)
        .filter(Q(status_checked_at__isnull=True) | Q(status_checked_at__lt=started))  # not just issued
        .order_by("status_checked_at", "id")
        .values_list("pk", flat=True)[:ISSUE_BATCH]
    )
    for pk in list(issued):
        counts[_poll_one(pk, issuer=issuer, today=today)] += 1
    return counts


def provider_status_label(row: TaxInvoice) -> str:
    """The provider's stored status in words (staff pages)."""
    if row.provider == "popbill":
        from ..taxinvoice.popbill import describe_state

        return describe_state(row.provider_status)
    return row.provider_status


def tax_invoice_cancel(
    *, row: TaxInvoice, reason: str, today: dt.date, issuer: TaxInvoiceIssuer | None = None
) -> TaxInvoice:
    """Cancel (발행취소) an issued tax invoice the provider has not yet sent to the NTS (BIL-18).

    After the NTS has it, only an amended tax invoice (a credit note) corrects it. Refusals change
    nothing and name the rule."""
    if not (reason or "").strip():
        raise DomainError(
            "tax_invoice_cancel_reason", _("발행취소 사유를 입력하세요."), rule="BIL-18", field="reason"
        )
    if row.status != TaxInvoice.Status.ISSUED:
        raise DomainError(
            "tax_invoice_not_issued",
            _("발행 완료된 전자세금계산서만 발행취소할 수 있습니다."),
            rule="BIL-18",
            field="status",
        )
    if row.provider_done:
        raise DomainError(
            "tax_invoice_sent_to_nts",
            _("국세청에 전송된 전자세금계산서는 취소할 수 없습니다. 수정세금계산서(감액 노트)로 정정하세요."),
            rule="BIL-18",
            field="status",
        )
    issuer = issuer or get_issuer()
    if issuer.name != row.provider:
        raise DomainError(
            "tax_invoice_other_provider",
            _("이 전자세금계산서를 발행한 연동 업체({provider})가 현재 설정과 다릅니다."),
            rule="BIL-18",
            field="provider",
            provider=row.provider,
        )
    with transaction.atomic():
        locked = (
            TaxInvoice.objects.select_for_update(of=("self",))
            .select_related("invoice", "credit_note")
            .get(pk=row.pk)
        )
        if locked.status != TaxInvoice.Status.ISSUED:
            raise DomainError(
                "tax_invoice_not_issued",
                _("발행 완료된 전자세금계산서만 발행취소할 수 있습니다."),
                rule="BIL-18",
                field="status",
            )
        try:
            state = issuer.cancel(source_number(locked), memo=reason.strip())
        except TaxInvoiceProviderError as exc:
            raise DomainError(
                "tax_invoice_cancel_refused",
                _("연동 업체가 발행취소를 거절했습니다: {detail}"),
                rule="BIL-18",
                field="status",
                detail=_error_text(exc),
            ) from None
        _apply_state(locked, state, provider=issuer.name)
        transition(
            locked,
            TAX_INVOICE,
            TaxInvoice.Status.CANCELLED,
            today=today,
            reason=reason.strip(),
            save_fields=_PROVIDER_FIELDS,
        )
    return locked
