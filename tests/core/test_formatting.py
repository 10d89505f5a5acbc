"""How amounts, quantities, months and dates read (issue 15): one helper, Korean first, English consistent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation

from core import formatting


def test_won_reads_korean_in_korean_and_krw_in_english():
    with translation.override("ko"):
        assert formatting.won(330000) == "330,000원"
        assert formatting.won(-5000) == "-5,000원"
        assert formatting.won(0) == "0원"
    with translation.override("en"):
        assert formatting.won(330000) == "KRW 330,000"
        assert formatting.won(-1234567) == "-KRW 1,234,567"
    assert formatting.won(None) == ""


def test_quantities_drop_trailing_zeros_and_group_thousands():
    assert formatting.quantity(Decimal("1.0000")) == "1"
    assert formatting.quantity(Decimal("1.5000")) == "1.5"
    assert formatting.quantity(Decimal("12000.2500")) == "12,000.25"
    assert formatting.quantity(7) == "7"


def test_months_and_days_in_each_language():
    with translation.override("ko"):
        assert formatting.month(dt.date(2026, 10, 1)) == "2026년 10월"
        assert formatting.day(dt.date(2026, 11, 20)) == "2026-11-20"
    with translation.override("en"):
        assert formatting.month(dt.date(2026, 10, 1)) == "October 2026"
        assert formatting.day(dt.date(2026, 11, 20)) == "2026-11-20"


def test_a_moment_reads_in_seoul_time():
    moment = dt.datetime(2026, 11, 20, 0, 30, tzinfo=dt.UTC)
    assert formatting.day(moment) == "2026-11-20 09:30"


def test_template_filters_use_the_same_helper():
    with translation.override("ko"):
        out = Template("{% load termsops %}{{ a|won }} {{ q|qty }} {{ m|month }} {{ n|num }}").render(
            Context({"a": 230000, "q": Decimal("2.0000"), "m": dt.date(2026, 10, 1), "n": 12345})
        )
    assert out == "230,000원 2 2026년 10월 12,345"


def test_a_month_in_a_refusal_reads_in_the_readers_language():
    """SLA-5: "the month is not closed yet" names the month as people write it, in each language, with the
    Korean particle agreeing with it (월 → 은)."""
    import datetime as dt

    from core.errors import DomainError
    from core.formatting import MonthValue

    message = "{month}은(는) 아직 마감되지 않아 청구할 수 없습니다."
    error = DomainError("month_not_closed", message, month=MonthValue(dt.date(2026, 10, 1)))
    assert error.message_ko == "2026년 10월은 아직 마감되지 않아 청구할 수 없습니다."
    assert "October 2026" in error.message_en
