"""BIL-12, BIL-13, BIL-15: property-based — a termination refund never exceeds what was paid for the
period, and is never negative (SPEC architecture: refunds never exceed payments)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from billing.services.settlement import (
    annual_prepay_refund,
    calendar_months,
    flow_annual_refund,
    prepaid_refund,
)
from core.money import Rounding

modes = st.sampled_from([Rounding.TRUNCATE, Rounding.HALF_UP, Rounding.CEIL])
won = st.integers(min_value=0, max_value=10**10)


@given(amount=won, line_days=st.integers(1, 366), remaining=st.integers(0, 400), mode=modes)
def test_prepaid_refund_within_paid(amount, line_days, remaining, mode):
    """BIL-12: the refund of the days after the effective date is within 0..the prepaid line."""
    refund = prepaid_refund(amount, line_days, remaining, mode)
    assert 0 <= refund <= amount
    if remaining >= line_days:
        assert refund == amount


@given(
    total=won,
    months=st.integers(0, 12),
    seats=st.integers(0, 500),
    price=st.integers(0, 100_000),
    percent=st.integers(0, 100),
    mode=modes,
)
def test_flow_annual_refund_within_paid(total, months, seats, price, percent, mode):
    """BIL-13 (001 art.20-4): refund = max(0, total − used) × percent, never more than the total paid."""
    used, difference, refund = flow_annual_refund(
        total_won=total, months_used=months, seats=seats, monthly_price_won=price, percent=percent, mode=mode
    )
    assert 0 <= refund <= difference <= total
    assert used == months * seats * price


@given(
    gross=won,
    discount_pct=st.integers(0, 100),
    used=st.fractions(min_value=0, max_value=13),
    term=st.sampled_from([Fraction(12), Fraction(24), Fraction(23, 2)]),
    mode=modes,
)
def test_annual_prepay_refund_within_paid(gross, discount_pct, used, term, mode):
    """BIL-15 (002 art.20⑦): what comes back of an annual prepayment is within 0..what was paid, and
    shrinks as more of the term is used."""
    net = gross - gross * discount_pct // 100
    refund = annual_prepay_refund(
        prepaid_net_won=net, prepaid_gross_won=gross, used=used, term=term, mode=mode
    )
    assert 0 <= refund <= net
    later = annual_prepay_refund(
        prepaid_net_won=net, prepaid_gross_won=gross, used=used + 1, term=term, mode=mode
    )
    assert later <= refund


def test_calendar_months_item_2():
    """BIL-14, SPEC §12 item 2: 2026-09-16..12-31 is 15/30 + 3 = 3.5 months."""
    import datetime as dt

    assert calendar_months(dt.date(2026, 9, 16), dt.date(2026, 12, 31)) == Fraction(7, 2)
