"""Issue 15: sentences jobs stored in Korean from our msgids read in the reader's language."""

from __future__ import annotations

from django.template import Context, Template
from django.utils import translation

from core.stored_text import in_reader_language


def test_an_exact_msgid_is_translated():
    assert in_reader_language("입금자명과 일치하는 고객이 없습니다", language="en") == (
        "No customer matches the payer name"
    )


def test_a_msgid_with_its_placeholders_filled_keeps_its_values():
    """DUN-1: the dunning step's stored label; SLA-4: the credit's stored basis with an amount in won."""
    assert in_reader_language("미납 안내 (3일 경과)", language="en") == "Payment reminder (overdue day 3)"
    basis = "미이용 일수 {days} = 10일 × 1일 평균 요금 (300,000원 ÷ 30일) × 3배"
    assert in_reader_language(basis, language="en") == (
        "Days without service {days} = 10 days × average daily fee (KRW 300,000 ÷ 30 days) × 3"
    )


def test_korean_readers_and_data_read_as_stored():
    assert in_reader_language("미납 안내 (3일 경과)", language="ko") == "미납 안내 (3일 경과)"
    assert in_reader_language("주식회사 한빛오피스", language="en") == "주식회사 한빛오피스"
    assert in_reader_language("", language="en") == ""


def test_the_reader_filter_uses_the_active_language():
    template = Template("{% load termsops %}{{ text|reader }}")
    stored = Context({"text": "미납 안내 (1일 경과)"})
    with translation.override("en"):
        assert template.render(stored) == "Payment reminder (overdue day 1)"
    with translation.override("ko"):
        assert template.render(stored) == "미납 안내 (1일 경과)"
