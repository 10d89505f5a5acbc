"""Invoice PDF (BIL-18): what the customer downloads, rendered with a Korean font.

Font: ``core.pdf.pdf_fonts`` (the configured TTF, NanumGothic, else the built-in CID font).

The bank account shown under the totals comes from ``settings.OPERATOR["bank_account"]`` when set.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf import CID_FONT, pdf_fonts

from ..models import Invoice, InvoiceLine
from . import ledger


def _won(amount: int) -> str:
    return f"{amount:,}"


def _qty(quantity: Decimal | int) -> str:
    value = Decimal(quantity)
    text = f"{value:,.4f}".rstrip("0").rstrip(".")
    return text or "0"


def _business_number(number: str) -> str:
    digits = (number or "").replace("-", "")
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if len(digits) == 10 else digits


class _NumberedCanvas(pdfcanvas.Canvas):
    """Writes "page / pages" on every page (two-pass: pages are kept until the count is known)."""

    font_name = CID_FONT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._saved: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.setFont(self.font_name, 8)
            self.setFillColor(colors.grey)
            self.drawCentredString(A4[0] / 2, 10 * mm, f"{self._pageNumber} / {total}")
            super().showPage()
        super().save()


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
        [_("발행일"), invoice.issue_date.isoformat(), _("납기일"), invoice.due_date.isoformat()],
        [
            _("청구 기간"),
            f"{invoice.period_start.isoformat()} ~ {invoice.period_end.isoformat()}",
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
            period = f"<br/><font size=7 color='grey'>{line.service_start} ~ {line.service_end}</font>"
        table_rows.append(
            [
                Paragraph(f"{escape(line.description)}{period}", base),
                _qty(line.quantity),
                _won(line.unit_price_won) if line.unit_price_won else "",
                _won(line.amount_won),
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
        [_("공급가액"), _won(invoice.supply_won)],
        [f"{vat_label} {_qty(invoice.vat_rate_percent)}%", _won(invoice.vat_won)],
        [_("합계"), _won(invoice.total_won)],
    ]
    for line in late_lines:
        totals.append(
            [
                Paragraph(f"{escape(late_label)}<br/><font size=7>{escape(line.description)}</font>", base),
                _won(line.amount_won),
            ]
        )
    due_row = len(totals)
    totals += [
        [_("청구 금액 (납부할 금액)"), _won(due_won)],
        [_("입금·조정"), _won(settled_won)],
        [_("미납액"), _won(open_won)],
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

    account = str(op.get("bank_account", "") or "")
    if account:
        bank_note = _("입금 계좌: {account} (예금주 {name}). 입금자명은 고객사 상호로 해 주세요.").format(
            account=account, name=op.get("name", "")
        )
    else:
        bank_note = _(
            "무통장 입금 시 입금자명을 고객사 상호로 해 주세요. 입금 계좌는 청구 안내 메일을 확인하세요."
        )
    story.append(Paragraph(escape(bank_note), base))
    story.append(
        Paragraph(
            _("금액 단위: 원. 발행된 청구서는 수정하지 않으며 정정은 크레딧 노트로 합니다 (BIL-2)."), small
        )
    )
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

    class Canvas(_NumberedCanvas):
        font_name = regular

    doc.build(story, canvasmaker=Canvas)
    return buffer.getvalue()


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{invoice.number}.pdf"
