"""The 신구조문 대비표 as a PDF (TRM-3): the rule parameters that changed, then one row per changed, added or
removed article, old text left and new text right, deletions struck through in red and insertions
underlined in green. Korean font: ``core.pdf.pdf_fonts``, as the invoice PDF."""

from __future__ import annotations

import io
from typing import Any

from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.pdf import font_canvas, pdf_fonts

from ..terms_text.compare import ADDED, CHANGED, REMOVED, Segment
from .terms_documents import TermsComparison

__all__ = ["comparison_pdf"]

def _markup(segments: tuple[Segment, ...]) -> str:
    out = []
    for s in segments:
        text = escape(s.text).replace("\n", "<br/>")
        if s.op == "delete":
            out.append(f'<strike><font color="#b00020">{text}</font></strike>')
        elif s.op == "insert":
            out.append(f'<u><font color="#006400">{text}</font></u>')
        else:
            out.append(text)
    return "".join(out)


STATUS_LABELS = {CHANGED: "변경", ADDED: "신설", REMOVED: "삭제"}


def comparison_pdf(comparison: TermsComparison) -> bytes:
    """TRM-3: the comparison table of two versions, A4 landscape-free portrait, two columns."""
    font, _bold = pdf_fonts()
    base = ParagraphStyle("kr", fontName=font, fontSize=8, leading=11)
    head = ParagraphStyle("kr-head", parent=base, fontSize=10, leading=14)
    title = ParagraphStyle("kr-title", parent=base, fontSize=16, leading=22)
    old, new = comparison.old, comparison.new
    story: list[Any] = [
        Paragraph(escape(_("신구조문 대비표")), title),
        Paragraph(
            escape(
                _("{name}: 종전 v{old} → 개정 v{new}{effective}").format(
                    name=new.name,
                    old=old.version,
                    new=new.version,
                    effective=f" ({_('시행일')} {new.effective_from})" if new.effective_from else "",
                )
            ),
            head,
        ),
        Spacer(1, 4 * mm),
    ]
    if comparison.parameters:
        story.append(Paragraph(escape(_("바뀐 기준 값")), head))
        rows = [
            [
                Paragraph(escape(_("항목")), base),
                Paragraph(escape(_("종전")), base),
                Paragraph(escape(_("개정")), base),
            ]
        ]
        rows += [
            [Paragraph(escape(p.label), base), Paragraph(escape(p.old), base), Paragraph(escape(p.new), base)]
            for p in comparison.parameters
        ]
        table = Table(rows, colWidths=[60 * mm, 60 * mm, 60 * mm], repeatRows=1)
        table.setStyle(_grid(font))
        story += [table, Spacer(1, 5 * mm)]
    story.append(Paragraph(escape(_("조문 대비")), head))
    rows = [[Paragraph(escape(_("종전")), base), Paragraph(escape(_("개정")), base)]]
    for a in comparison.articles:
        label = escape(f"[{STATUS_LABELS[a.status]}] ")
        left = (
            f"<b>{label}{escape(a.old_heading)}</b><br/>{_markup(a.old)}"
            if a.old_heading
            else escape(_("(신설)"))
        )
        right = (
            f"<b>{label}{escape(a.new_heading)}</b><br/>{_markup(a.new)}"
            if a.new_heading
            else escape(_("(삭제)"))
        )
        rows.append([Paragraph(left, base), Paragraph(right, base)])
    if len(rows) == 1:
        rows.append([Paragraph(escape(_("바뀐 조문이 없습니다.")), base), Paragraph("", base)])
    table = Table(rows, colWidths=[90 * mm, 90 * mm], repeatRows=1)
    table.setStyle(_grid(font))
    story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("신구조문 대비표"),
    ).build(story, canvasmaker=font_canvas(font))
    return buffer.getvalue()


def _grid(font: str) -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), font, 8),  # a table without it draws in Helvetica, not embedded
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )
