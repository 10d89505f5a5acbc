"""BIL-12, BIL-13, BIL-14, BIL-15: property tests of the settlement arithmetic against an independent
formula written here with ``fractions.Fraction`` and the rounding rule of ``tests/billing/oracle.py``,
over every rounding mode a policy allows — the exact amount, not only its bounds — plus the invariants
(a refund is never negative and never more than was paid, SPEC architecture)."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from billing.services.settlement import (
    annual_prepay_refund,
    calendar_months,
    flow_annual_refund,
    prepaid_refund,
)

from .oracle import MODES, by_hand

modes = st.sampled_from(MODES)
won = st.integers(min_value=0, max_value=10**11)


@given(amount=st.integers(-1000, 10**10), line_days=st.integers(-1, 366), data=st.data(), mode=modes)
@example(amount=300_000, line_days=30, data=None, mode="truncate")
def test_prepaid_refund(amount, line_days, data, mode):
    """BIL-12 (000 art.18②): amount × min(remaining, line days) / line days, rounded by the policy; 0 for
    an empty or unpaid line; never above the line, never below 0. (300,000, 30 days, 9 left → 90,000.)"""
    remaining = data.draw(st.integers(-2, 400)) if data is not None else 9
    if amount <= 0 or line_days <= 0 or remaining <= 0:
        expected = 0
    else:
        expected = min(amount, by_hand(Fraction(amount) * min(remaining, line_days) / line_days, mode))
    refund = prepaid_refund(amount, line_days, remaining, mode)
    assert refund == expected
    assert 0 <= refund <= max(amount, 0)
    if data is None:
        assert refund == 90_000


@given(
    total=won,
    months=st.integers(0, 13),
    seats=st.integers(0, 500),
    price=st.integers(0, 100_000),
    percent=st.sampled_from([0, 50, 90, Decimal("90"), Decimal("87.5"), 100]),
    mode=modes,
)
@example(total=960_000, months=5, seats=10, price=10_000, percent=90, mode="truncate")
@example(total=959_995, months=5, seats=10, price=10_000, percent=90, mode="half_up")
def test_flow_annual_refund(total, months, seats, price, percent, mode):
    """BIL-13 (001 art.20-4): used = months × seats × price; difference = total − used, or 0 when
    negative; refund = difference × refund% rounded by the policy, never more than the total
    (SPEC §12 item 3: 960,000 − 500,000 = 460,000 × 90% = 414,000)."""
    used = months * seats * price
    difference = total - used if total > used else 0
    refund = min(total, by_hand(Fraction(difference) * Fraction(str(percent)) / 100, mode))
    got = flow_annual_refund(
        total_won=total, months_used=months, seats=seats, monthly_price_won=price, percent=percent, mode=mode
    )
    assert got == (used, difference, refund)
    assert 0 <= got[2] <= got[1] <= total


@given(
    gross=won,
    discount_pct=st.integers(0, 100),
    used=st.fractions(min_value=-1, max_value=14, max_denominator=31),
    term=st.sampled_from([Fraction(0), Fraction(12), Fraction(24), Fraction(23, 2)]),
    mode=modes,
)
def test_annual_prepay_refund(gross, discount_pct, used, term, mode):
    """BIL-15 (002 art.20⑦): net − gross × share, share = used/term held within 0..1, rounded by the
    policy, never below zero nor above net; nothing for an empty term or prepayment. It shrinks as more of
    the term is used."""
    net = gross - gross * discount_pct // 100
    if term <= 0 or net <= 0:
        expected = 0
    else:
        share = min(Fraction(1), max(Fraction(0), used / term))
        expected = max(0, min(net, by_hand(net - gross * share, mode)))
    refund = annual_prepay_refund(
        prepaid_net_won=net, prepaid_gross_won=gross, used=used, term=term, mode=mode
    )
    assert refund == expected
    assert 0 <= refund <= max(net, 0)
    later = annual_prepay_refund(
        prepaid_net_won=net, prepaid_gross_won=gross, used=used + 1, term=term, mode=mode
    )
    assert later <= refund


@given(start=st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)), length=st.integers(-3, 800))
@example(start=dt.date(2026, 9, 16), length=106)
def test_calendar_months(start, length):
    """BIL-14, BIL-15: months in start..end, each day worth 1/(days of its month) — SPEC §12 item 2:
    2026-09-16..12-31 = 15/30 + 3 = 3.5."""
    end = start + dt.timedelta(days=length)
    expected = Fraction(0)
    day = start
    while day <= end:
        expected += Fraction(1, calendar.monthrange(day.year, day.month)[1])
        day += dt.timedelta(days=1)
    assert calendar_months(start, end) == expected
    if (start, length) == (dt.date(2026, 9, 16), 106):
        assert expected == Fraction(7, 2)
