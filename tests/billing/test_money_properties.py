"""BIL-4, BIL-5, BIL-9, BIL-12, BIL-13, BIL-15: property tests of the money arithmetic against an
independent formula written here with ``fractions.Fraction`` and ``math.floor``/``math.ceil`` (not with
``core.money.round_won``), over every rounding mode a policy allows (SPEC §5: "rounding is a policy
parameter"; ``Policy.rounding`` takes ``core.money.Rounding``)."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from billing.services.charges import added_seats_amount, months_between, prorated_amount
from billing.services.late_charges import daily_late_fee, surcharge
from billing.services.settlement import (
    annual_prepay_refund,
    calendar_months,
    flow_annual_refund,
    prepaid_refund,
)
from contracts.models import Policy
from core.money import Rounding, percent_of, prorate, round_won, vat_on, vat_within

MODES = [mode.value for mode in Rounding]
modes = st.sampled_from(MODES)
won = st.integers(min_value=0, max_value=10**11)
signed_won = st.integers(min_value=-(10**11), max_value=10**11)
percents = st.sampled_from(["0", "0.5", "1", "1.5", "2.25", "3", "10", "12.5", "90", "100"])


def by_hand(value: Fraction, mode: str) -> int:
    """The rounding rule in words: below one won truncated (toward zero), raised (away from zero), or
    rounded with halves away from zero; the same number of won for a charge and its mirror credit."""
    sign = -1 if value < 0 else 1
    size = abs(value)
    if mode == "truncate":
        whole = math.floor(size)
    elif mode == "ceil":
        whole = math.ceil(size)
    elif mode == "half_up":
        whole = math.floor(size + Fraction(1, 2))
    else:  # pragma: no cover - a new mode must be added here first
        raise AssertionError(mode)
    return sign * whole


def test_policy_rounding_allows_exactly_these_modes():
    """BIL-4 (SPEC §5): the policy's rounding field offers the three modes the properties below cover."""
    assert sorted(value for value, _label in Policy._meta.get_field("rounding").choices) == sorted(
        ["truncate", "half_up", "ceil"]
    )
    assert Policy._meta.get_field("rounding").default == "truncate"


# --------------------------------------------------------------------------- rounding and proration


@given(numerator=signed_won, denominator=st.integers(1, 10_000), mode=modes)
@example(numerator=1, denominator=2, mode="half_up")
@example(numerator=-1, denominator=2, mode="half_up")
@example(numerator=3, denominator=2, mode="truncate")
@example(numerator=-5, denominator=3, mode="ceil")
def test_round_won_matches_the_rule(numerator, denominator, mode):
    """BIL-4: round_won of an exact ratio equals the rule worked out independently, both signs."""
    value = Fraction(numerator, denominator)
    assert round_won(value, mode) == by_hand(value, mode)
    assert round_won(Decimal(numerator) / Decimal(1), mode) == numerator


@given(cents=st.integers(-(10**9), 10**9), mode=modes)
def test_round_won_of_decimals(cents, mode):
    """BIL-4: a Decimal with two places rounds like the same exact ratio."""
    assert round_won(Decimal(cents).scaleb(-2), mode) == by_hand(Fraction(cents, 100), mode)


@given(amount=won, total=st.integers(1, 31), data=st.data(), mode=modes)
@example(amount=300_000, total=30, data=None, mode="truncate")
def test_proration_by_day(amount, total, data, mode):
    """BIL-4: a month's fee × days used / days in the month, rounded once with the policy's mode."""
    used = data.draw(st.integers(0, total)) if data is not None else 9
    expected = by_hand(Fraction(amount) * used / total, mode)
    assert prorated_amount(amount, used, total, mode) == expected
    assert prorate(amount, used, total, mode) == expected


@given(amount=won, percent=percents, mode=modes)
def test_percent_and_vat(amount, percent, mode):
    """BIL-4 (SPEC §5, §12 item 15): percent_of, VAT on top (10%) and the VAT part of an inclusive total."""
    share = Fraction(amount) * Fraction(percent) / 100
    assert percent_of(amount, percent, mode) == by_hand(share, mode)
    split = vat_on(amount, 10, mode)
    assert split == (amount, by_hand(Fraction(amount, 10), mode), amount + by_hand(Fraction(amount, 10), mode))
    inner = vat_within(amount, 10, mode)
    vat = by_hand(Fraction(amount) * 10 / 110, mode)
    assert inner == (amount - vat, vat, amount)


@given(
    added=st.integers(0, 500),
    rate=st.integers(0, 200_000),
    months=st.fractions(min_value=0, max_value=12, max_denominator=31),
    mode=modes,
)
def test_added_seats_on_an_annual_plan(added, rate, months, mode):
    """BIL-5 (001 art.19-5): added seats × annual-plan monthly rate × remaining months, rounded once."""
    assert added_seats_amount(added, rate, months, mode) == by_hand(added * rate * months, mode)


def _months_by_hand(start: dt.date, end_exclusive: dt.date) -> Fraction:
    """Whole months stepping the same day-of-month (clamped), then the rest as days over that month's span."""

    def shift(k: int) -> dt.date:
        y, m = divmod(start.year * 12 + start.month - 1 + k, 12)
        return dt.date(y, m + 1, min(start.day, calendar.monthrange(y, m + 1)[1]))

    if end_exclusive <= start:
        return Fraction(0)
    k = 0
    while shift(k + 1) <= end_exclusive:
        k += 1
    return k + Fraction((end_exclusive - shift(k)).days, (shift(k + 1) - shift(k)).days)


@given(start=st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)), length=st.integers(-5, 800))
@example(start=dt.date(2026, 8, 1), length=153)
def test_months_between(start, length):
    """BIL-5: the remaining months of an annual term, whole months plus the last one by day."""
    end = start + dt.timedelta(days=length)
    assert months_between(start, end) == _months_by_hand(start, end)


# --------------------------------------------------------------------------- late charges


@given(
    unpaid=st.integers(0, 10**10),
    days=st.integers(0, 400),
    percent=percents,
    months=st.sampled_from([1, 12]),
    basis=st.sampled_from([360, 365, 366]),
    mode=modes,
)
@example(unpaid=1_000_000, days=45, percent="1.5", months=12, basis=365, mode="truncate")
def test_daily_late_fee(unpaid, days, percent, months, basis, mode):
    """BIL-9 (002 art.34): unpaid × monthly% × months per year × days late / day basis, rounded once."""
    exact = Fraction(unpaid) * Fraction(percent) / 100 * months * days / basis
    assert daily_late_fee(
        unpaid_won=unpaid, days=days, monthly_percent=percent, months_per_year=months, day_basis=basis, mode=mode
    ) == by_hand(exact, mode)


@given(unpaid=st.integers(0, 10**10), percent=percents, mode=modes)
@example(unpaid=330_000, percent="1.5", mode="truncate")
def test_monthly_surcharge(unpaid, percent, mode):
    """BIL-9 (001 art.19-6-나): the surcharge is monthly% of the unpaid amount."""
    assert surcharge(unpaid_won=unpaid, monthly_percent=percent, mode=mode) == by_hand(
        Fraction(unpaid) * Fraction(percent) / 100, mode
    )


# --------------------------------------------------------------------------- settlement


@given(amount=st.integers(-1000, 10**10), line_days=st.integers(-1, 366), data=st.data(), mode=modes)
def test_prepaid_refund(amount, line_days, data, mode):
    """BIL-12 (000 art.18②): a prepaid line's remaining days by day, never above the line nor below 0."""
    remaining = data.draw(st.integers(-2, 400))
    if amount <= 0 or line_days <= 0 or remaining <= 0:
        expected = 0
    else:
        expected = min(amount, by_hand(Fraction(amount) * min(remaining, line_days) / line_days, mode))
    assert prepaid_refund(amount, line_days, remaining, mode) == expected


@given(
    total=won,
    months=st.integers(0, 13),
    seats=st.integers(0, 500),
    price=st.integers(0, 100_000),
    percent=st.sampled_from([0, 50, 90, Decimal("90"), Decimal("87.5"), 100]),
    mode=modes,
)
@example(total=960_000, months=5, seats=10, price=10_000, percent=90, mode="truncate")
def test_flow_annual_refund(total, months, seats, price, percent, mode):
    """BIL-13 (001 art.20-4): (total − months × seats × price) × refund%, nothing when negative."""
    used = months * seats * price
    difference = total - used if total > used else 0
    refund = min(total, by_hand(Fraction(difference) * Fraction(str(percent)) / 100, mode))
    assert flow_annual_refund(
        total_won=total, months_used=months, seats=seats, monthly_price_won=price, percent=percent, mode=mode
    ) == (used, difference, refund)


@given(
    gross=won,
    discount_pct=st.integers(0, 100),
    used=st.fractions(min_value=-1, max_value=14, max_denominator=31),
    term=st.sampled_from([Fraction(0), Fraction(12), Fraction(24), Fraction(23, 2)]),
    mode=modes,
)
def test_annual_prepay_refund(gross, discount_pct, used, term, mode):
    """BIL-15 (002 art.20⑦): net − gross × (used/term, within 0..1), never below zero nor above net."""
    net = gross - gross * discount_pct // 100
    if term <= 0 or net <= 0:
        expected = 0
    else:
        share = min(Fraction(1), max(Fraction(0), used / term))
        expected = max(0, min(net, by_hand(net - gross * share, mode)))
    assert (
        annual_prepay_refund(prepaid_net_won=net, prepaid_gross_won=gross, used=used, term=term, mode=mode)
        == expected
    )


@given(start=st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31)), length=st.integers(-3, 800))
@example(start=dt.date(2026, 9, 16), length=106)
def test_calendar_months(start, length):
    """BIL-14, BIL-15 (SPEC §12 item 2): months in start..end, each calendar month by its own days."""
    end = start + dt.timedelta(days=length)
    expected = Fraction(0)
    day = start
    while day <= end:
        expected += Fraction(1, calendar.monthrange(day.year, day.month)[1])
        day += dt.timedelta(days=1)
    assert calendar_months(start, end) == expected
