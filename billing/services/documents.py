"""Invoice PDF (BIL-18): what the customer downloads, rendered with a Korean font.

Font: ``core.pdf.pdf_fonts`` (the configured TTF, NanumGothic, else the built-in CID font), embedded.

The issuer (상호, 대표자, 사업자등록번호, 주소, 연락처, 입금 계좌) comes from ``settings.OPERATOR``, which the
operator fills in through ``OPERATOR_*`` environment variables. How to pay follows the customer's default
payment method: CMS auto-debit or card prints the debit date; bank transfer prints the account. A
customer document names no rule ids; amounts and quantities read as ``core.formatting`` writes them.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.formatting import day, number, quantity, won
from core.pdf import font_canvas, pdf_fonts

from ..models import Invoice, InvoiceLine, PaymentMethod
from . import collection, ledger


def _business_number(value: str) -> str:
    digits = (value or "").replace("-", "")
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


def invoice_pdf(invoice: Invoice) -> bytes:
    """BIL-18: the invoice as a PDF (A4, Korean font, page numbers)."""
    regular, bold = pdf_fonts()
    op: dict[str, Any] = dict(getattr(settings, "OPERATOR", {}) or {})
    customer = invoice.customer
    all_lines = list(invoice.lines.all())
    # Late charges (BIL-9) are billed on the invoice but are not a supply: outside supply/VAT/total,
    # listed under the total; the amount due is the total plus them (= the ledger's open amount before
    # payments, late_charges.invoice_amount_due_won).
    lines = [line for line in all_lines if line.kind != InvoiceLine.Kind.LATE_CHARGE]
    late_lines = [line for line in all_lines if line.kind == InvoiceLine.Kind.LATE_CHARGE]
    due_won = invoice.total_won + sum(line.amount_won for line in late_lines)
    open_won = ledger.invoice_open_amount(invoice)
    settled_won = due_won - open_won

    base = ParagraphStyle("kr", fontName=regular, fontSize=9, leading=13)
    small = ParagraphStyle("kr-small", parent=base, fontSize=8, leading=11, textColor=colors.grey)
    title = ParagraphStyle("kr-title", parent=base, fontName=bold, fontSize=20, leading=26)
    head = ParagraphStyle("kr-head", parent=base, fontName=bold, fontSize=10, leading=14)
    right = ParagraphStyle("kr-right", parent=base, alignment=2)

    story: list[Any] = [
        Paragraph(_("청구서"), title),
        Spacer(1, 4 * mm),
    ]
    meta = [
        [_("청구서 번호"), invoice.number, _("구분"), invoice.get_kind_display()],
        [_("발행일"), day(invoice.issue_date), _("납기일"), day(invoice.due_date)],
        [
            _("청구 기간"),
            f"{day(invoice.period_start)} ~ {day(invoice.period_end)}",
            _("상태"),
            invoice.get_status_display(),
        ],
    ]
    meta_table = Table(meta, colWidths=[28 * mm, 57 * mm, 28 * mm, 57 * mm])
    meta_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),
                ("FONT", (0, 0), (0, -1), bold, 9),
                ("FONT", (2, 0), (2, -1), bold, 9),
                ("BACKGROUND", (0, 0), (0, -1), colors.whitesmoke),
                ("BACKGROUND", (2, 0), (2, -1), colors.whitesmoke),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.lightgrey),
            ]
        )
    )
    story += [meta_table, Spacer(1, 5 * mm)]

    def party(label: str, rows: list[tuple[str, str]]) -> list[Any]:
        return [Paragraph(label, head)] + [Paragraph(f"{escape(k)}: {escape(v)}", base) for k, v in rows if v]

    supplier = party(
        _("공급자"),
        [
            (_("상호"), str(op.get("name", ""))),
            (_("사업자등록번호"), _business_number(str(op.get("business_number", "")))),
            (_("대표자"), str(op.get("representative", ""))),
            (_("주소"), str(op.get("address", ""))),
            (_("연락처"), " / ".join(str(op.get(key) or "") for key in ("phone", "email") if op.get(key))),
        ],
    )
    buyer_number = _business_number(customer.business_number) if customer.is_business else ""
    buyer = party(
        _("공급받는자"),
        [
            (_("상호"), customer.legal_name),
            (_("사업자등록번호"), buyer_number or _("비사업자(개인)")),
            (_("대표자"), customer.representative_name),
            (_("주소"), customer.address),
            (_("이메일"), customer.billing_email),
        ],
    )
    parties = Table([[supplier, buyer]], colWidths=[85 * mm, 85 * mm])
    parties.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),  # every table names our font (else Helvetica)
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BOX", (0, 0), (0, 0), 0.4, colors.lightgrey),
                ("BOX", (1, 0), (1, 0), 0.4, colors.lightgrey),
            ]
        )
    )
    story += [parties, Spacer(1, 6 * mm)]

    table_rows: list[list[Any]] = [[_("내역"), _("수량"), _("단가"), _("금액")]]
    for line in lines:
        period = ""
        if line.service_start and line.service_end:
            served = f"{day(line.service_start)} ~ {day(line.service_end)}"
            period = f"<br/><font size=7 color='grey'>{served}</font>"
        table_rows.append(
            [
                Paragraph(f"{escape(line.description)}{period}", base),
                quantity(line.quantity),
                number(line.unit_price_won) if line.unit_price_won else "",
                number(line.amount_won),
            ]
        )
    if not lines:
        table_rows.append([Paragraph(_("항목 없음"), small), "", "", ""])
    lines_table = Table(table_rows, colWidths=[95 * mm, 20 * mm, 25 * mm, 30 * mm], repeatRows=1)
    lines_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),
                ("FONT", (0, 0), (-1, 0), bold, 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey),
            ]
        )
    )
    story += [lines_table, Spacer(1, 5 * mm)]

    vat_label = _("부가세 (포함 가격에서 분리)") if invoice.vat_inclusive else _("부가세")
    late_label = _("연체료·가산금 (부가세 대상 아님)")
    totals: list[list[Any]] = [
        [_("공급가액"), number(invoice.supply_won)],
        [f"{vat_label} {quantity(invoice.vat_rate_percent)}%", number(invoice.vat_won)],
        [_("합계"), number(invoice.total_won)],
    ]
    for line in late_lines:
        totals.append(
            [
                Paragraph(f"{escape(late_label)}<br/><font size=7>{escape(line.description)}</font>", base),
                number(line.amount_won),
            ]
        )
    due_row = len(totals)
    totals += [
        [_("청구 금액 (납부할 금액)"), number(due_won)],
        [_("입금·조정"), number(settled_won)],
        [_("미납액"), number(open_won)],
    ]
    totals_table = Table(totals, colWidths=[80 * mm, 35 * mm], hAlign="RIGHT")
    totals_table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), regular, 9),
                ("FONT", (0, 2), (-1, 2), bold, 10),
                ("FONT", (0, due_row), (-1, due_row), bold, 10),
                ("FONT", (0, -1), (-1, -1), bold, 10),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEABOVE", (0, 2), (-1, 2), 0.6, colors.black),
                ("LINEABOVE", (0, due_row), (-1, due_row), 0.6, colors.black),
                ("LINEABOVE", (0, due_row + 1), (-1, due_row + 1), 0.3, colors.lightgrey),
            ]
        )
    )
    story += [totals_table, Spacer(1, 6 * mm)]

    story.append(Paragraph(escape(_how_to_pay(invoice, op, open_won)), base))
    unit_note = _("금액 단위: 원. 발행된 청구서는 수정하지 않으며, 정정할 내용은 크레딧 노트로 발행합니다.")
    story.append(Paragraph(escape(unit_note), small))
    if invoice.note:
        story += [Spacer(1, 3 * mm), Paragraph(f"{_('비고')}: {escape(invoice.note)}", base)]
    story.append(Paragraph(" ", right))

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{_('청구서')} {invoice.number}",
        author=str(op.get("name", "")),
        subject=invoice.number,
    )

    doc.build(story, canvasmaker=font_canvas(regular, numbered=True))
    return buffer.getvalue()


def _how_to_pay(invoice: Invoice, op: dict[str, Any], open_won: int) -> str:
    """The payment line: an auto-debit invoice names its method and debit date (no bank account to
    transfer to, which would invite paying twice); a bank-transfer invoice names the account."""
    method = (
        PaymentMethod.objects.filter(customer_id=invoice.customer_id, is_default=True, active=True)
        .only("kind")
        .first()
    )
    if method is not None and method.kind in (PaymentMethod.Kind.CMS, PaymentMethod.Kind.CARD):
        label = _("CMS 자동이체") if method.kind == PaymentMethod.Kind.CMS else _("신용카드 자동결제")
        if open_won <= 0:
            return _("납부 방법: {method}. 이 청구서는 납부가 끝났습니다.").format(method=label)
        debit_on = collection.next_attempt_on(invoice)
        if debit_on is None:
            text = _("납부 방법: {method}. 출금 결과는 고객 포털의 청구서 화면에서 확인하실 수 있습니다.")
            return text.format(method=label)
        text = _("납부 방법: {method}. 출금 예정일 {date}에 등록하신 결제 수단에서 {amount}이 출금됩니다.")
        return text.format(method=label, date=day(debit_on), amount=won(open_won))
    account = str(op.get("bank_account", "") or "")
    if not account:
        return _(
            "무통장 입금 시 입금자명을 고객사 상호로 해 주세요. 입금 계좌는 청구 안내 메일을 확인하세요."
        )
    holder = str(op.get("bank_holder") or op.get("name") or "")
    return _("입금 계좌: {account} (예금주 {holder}). 입금자명은 고객사 상호로 해 주세요.").format(
        account=account, holder=holder
    )


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"
