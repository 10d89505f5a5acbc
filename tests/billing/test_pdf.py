"""BIL-18: the invoice PDF the customer downloads, rendered with a Korean font."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings
from reportlab.pdfbase.ttfonts import TTFont

from billing.models import PaymentMethod
from billing.services import documents
from core import pdf as core_pdf
from tests.billing.bdocs_support import make_invoice, pay
from tests.billing.payment_factories import PaymentMethodFactory
from tests.factories import CustomerFactory

RULE_ID = re.compile(r"\b[A-Z]{2,4}-\d{1,2}\b")
SEED_ARTICLE = re.compile(r"\b00\d ?(제|art)")
ISSUER = {
    "name": "주식회사 발행테스트",
    "business_number": "1234567890",
    "representative": "한서진",
    "address": "부산광역시 해운대구 센텀중앙로 55",
    "phone": "051-700-1234",
    "email": "billing@issuer.example",
    "bank_account": "신한은행 110-222-333444",
    "bank_holder": "발행테스트(주)",
}

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


def _poppler(tool: str, pdf: bytes, tmp_path: Path, *args: str) -> str:
    """Run a poppler-utils tool (installed by .ci/run) on ``pdf``."""
    assert shutil.which(tool), f"{tool} (poppler-utils) is needed for this test"
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, check=True, text=True).stdout


def test_every_font_is_embedded(tmp_path):
    """BIL-18: every font in the invoice PDF is embedded (pdffonts "emb yes"), Helvetica included in none."""
    assert core_pdf.NANUM_REGULAR.is_file(), "fonts-nanum (installed by .ci/run) is needed"
    invoice = make_invoice(CustomerFactory(), lines=[("2026년 10월 기본료", 1, 300_000)])
    pay(invoice, 1_000)
    rows = _poppler("pdffonts", documents.invoice_pdf(invoice), tmp_path).splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        assert "Helvetica" not in row, row
        name, *_rest = row.split()
        assert row.split()[-5] == "yes", f"font not embedded: {name}"  # name type encoding emb sub uni id gen


def test_every_printed_character_has_a_glyph(tmp_path):
    """BIL-18: no box glyphs: each character printed (the middle dot "·" of "입금·조정" included) is in
    the embedded font."""
    regular, _bold = core_pdf.pdf_fonts()
    assert regular == "KR-NanumGothic"
    customer = CustomerFactory(legal_name="주식회사 가·나")
    invoice = make_invoice(customer, lines=[("설치비 · 교육비", 1, 50_000)])
    text = _poppler("pdftotext", documents.invoice_pdf(invoice), tmp_path, "-layout")
    assert "·" in text and "입금·조정" in text
    fonts = [TTFont("check-r", str(core_pdf.NANUM_REGULAR)), TTFont("check-b", str(core_pdf.NANUM_BOLD))]
    missing = {ch for ch in set(text) if not ch.isspace()
               and not any(ord(ch) in font.face.charToGlyph for font in fonts)}
    assert not missing


@override_settings(OPERATOR=ISSUER)
def test_issuer_details_come_from_settings(tmp_path):
    """BIL-18: 상호, 대표자, 사업자등록번호, 주소, 연락처 and the account are the operator's settings;
    the account holder is printed once."""
    invoice = make_invoice(CustomerFactory(legal_name="주식회사 받는곳"))
    text = _poppler("pdftotext", documents.invoice_pdf(invoice), tmp_path, "-layout")
    for expected in ("주식회사 발행테스트", "한서진", "123-45-67890", "부산광역시 해운대구 센텀중앙로 55",
                     "051-700-1234", "billing@issuer.example", "신한은행 110-222-333444"):
        assert expected in text, expected
    assert text.count("발행테스트(주)") == 1
    assert text.count("예금주") == 1


def test_default_settings_print_the_holder_once_and_no_placeholder(tmp_path, settings):
    """BIL-18: with the demo settings the account holder appears once and the representative is a name,
    not a placeholder such as "김대표"."""
    assert settings.OPERATOR["representative"] not in ("", "김대표", "대표자", "홍길동")
    assert "예금주" not in settings.OPERATOR["bank_account"]
    text = _poppler("pdftotext", documents.invoice_pdf(make_invoice(CustomerFactory())), tmp_path, "-layout")
    assert text.count("예금주") == 1
    assert settings.OPERATOR["representative"] in text


def test_customer_document_names_no_rule_ids(tmp_path):
    """BIL-18: the customer's invoice names no rule ids (BIL-2) nor seed article codes."""
    invoice = make_invoice(CustomerFactory())
    text = _poppler("pdftotext", documents.invoice_pdf(invoice), tmp_path, "-layout")
    assert not RULE_ID.search(text), RULE_ID.search(text)
    assert not SEED_ARTICLE.search(text)
    assert "크레딧 노트" in text


def test_cms_invoice_prints_the_debit_date_not_the_account(tmp_path, settings):
    """BIL-18, BIL-8: an invoice paid by CMS auto-debit says "CMS 자동이체" with the debit date (the due
    date, or the next business day: 2026-11-15 is a Sunday) and prints no account to transfer to."""
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, kind=PaymentMethod.Kind.CMS, label="국민은행 ****1234")
    invoice = make_invoice(customer, issue_date=dt.date(2026, 11, 1))
    assert invoice.due_date == dt.date(2026, 11, 15)
    text = _poppler("pdftotext", documents.invoice_pdf(invoice), tmp_path, "-layout")
    assert "CMS 자동이체" in text
    assert "2026-11-16" in text
    assert settings.OPERATOR["bank_account"] not in text
    assert "예금주" not in text and "입금 계좌" not in text


def test_paid_cms_invoice_says_it_is_paid(tmp_path):
    """BIL-18: a CMS invoice already paid names the method and no debit date to come."""
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, kind=PaymentMethod.Kind.CMS)
    invoice = make_invoice(customer)
    pay(invoice, invoice.total_won)
    text = _poppler("pdftotext", documents.invoice_pdf(invoice), tmp_path, "-layout")
    assert "CMS 자동이체" in text and "납부가 끝났습니다" in text
    assert "출금 예정일" not in text


def test_bank_transfer_invoice_prints_the_account(tmp_path, settings):
    """BIL-18: a bank-transfer customer (no auto-debit method) gets the operator's account."""
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, kind=PaymentMethod.Kind.BANK_TRANSFER)
    text = _poppler("pdftotext", documents.invoice_pdf(make_invoice(customer)), tmp_path, "-layout")
    assert settings.OPERATOR["bank_account"] in text
    assert "CMS 자동이체" not in text
