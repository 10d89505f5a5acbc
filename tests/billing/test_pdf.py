"""BIL-18: the invoice PDF the customer downloads, rendered with a Korean font."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings

from billing.services import documents
from core import pdf as core_pdf
from tests.billing.bdocs_support import make_invoice, pay
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _text(pdf: bytes, tmp_path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def _renders(pdf: bytes, tmp_path: Path) -> None:
    """Render page 1 to PNG with pdftoppm when present (else the %PDF check is all we can do)."""
    assert pdf.startswith(b"%PDF")
    if shutil.which("pdftoppm") is None:
        return
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")],
        check=True,
        capture_output=True,
    )
    pngs = list(tmp_path.glob("page*.png"))
    assert pngs and pngs[0].read_bytes().startswith(b"\x89PNG") and pngs[0].stat().st_size > 1000


def test_invoice_pdf_contents(tmp_path):
    """BIL-18: title 청구서, number, dates, parties, lines, totals, open amount, page numbers."""
    customer = CustomerFactory(legal_name="주식회사 피디에프")
    invoice = make_invoice(
        customer,
        issue_date=dt.date(2026, 11, 1),
        lines=[("기본료 <2026-11> & 할인", 1, 300_000), ("추가 인원", 3, 10_000)],
    )
    pay(invoice, 100_000)
    pdf = documents.invoice_pdf(invoice)
    _renders(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    if text is None:
        assert len(pdf) > 2000
        return
    for expected in (
        invoice.number,
        "청구서",
        "주식회사 피디에프",
        "주식회사 텀즈옵스",
        "2026-11-01",
        "2026-11-15",
        "내역",
        "수량",
        "단가",
        "금액",
        "기본료 <2026-11> & 할인",
        "추가 인원",
        "330,000",
        "33,000",
        "363,000",
        "263,000",
    ):
        assert expected in text, expected
    assert re.search(r"1\s*/\s*1", text)


def test_many_lines_paginate(tmp_path):
    """BIL-18: a long invoice runs over pages with "n / total" page numbers."""
    invoice = make_invoice(CustomerFactory(), lines=[(f"사용량 {i}", 1, 1_000) for i in range(80)])
    pdf = documents.invoice_pdf(invoice)
    _renders(pdf, tmp_path)
    text = _text(pdf, tmp_path)
    if text is not None:
        assert re.search(r"1\s*/\s*[23]\b", text)


@override_settings(PDF_FONT_PATH="/nonexistent/font.ttf")
def test_falls_back_to_builtin_cid_font(tmp_path):
    """BIL-18: without a usable TTF the built-in HYGothic-Medium CID font still renders Hangul."""
    assert core_pdf.pdf_fonts() == (core_pdf.CID_FONT, core_pdf.CID_FONT)
    invoice = make_invoice(CustomerFactory(legal_name="주식회사 시드"))
    pdf = documents.invoice_pdf(invoice)
    _renders(pdf, tmp_path)
    assert b"HYGothic-Medium" in pdf


def test_uses_nanum_or_configured_ttf(tmp_path):
    """BIL-18: the Korean TTF is embedded when available (fonts-nanum or PDF_FONT_PATH)."""
    regular, bold = core_pdf.pdf_fonts()
    if core_pdf.NANUM_REGULAR.is_file():
        assert regular == "KR-NanumGothic" and bold == "KR-NanumGothicBold"
        pdf = documents.invoice_pdf(make_invoice(CustomerFactory()))
        assert b"NanumGothic" in pdf
    else:
        assert regular == core_pdf.CID_FONT
