"""BIL-4, BIL-5, BIL-9: property tests of rounding, proration, VAT, added seats and late charges against
an independent formula written here with ``fractions.Fraction`` and the rule of ``tests/billing/oracle.py``
(``math.floor``/``math.ceil``, not ``core.money.round_won``), over every rounding mode a policy allows
(SPEC §5: rounding is a policy parameter). The settlement formulas are in test_settlement_property.py."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from billing.services.charges import added_seats_amount, months_between, prorated_amount
from billing.services.late_charges import daily_late_fee, surcharge
from contracts.models import Policy
from core.money import percent_of, prorate, round_won, vat_on, vat_within

from .oracle import MODES, by_hand

modes = st.sampled_from(MODES)
won = st.integers(min_value=0, max_value=10**11)
signed_won = st.integers(min_value=-(10**11), max_value=10**11)
percents = st.sampled_from(["0", "0.5", "1", "1.5", "2.25", "3", "10", "12.5", "90", "100"])


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
    assert split == (
        amount,
        by_hand(Fraction(amount, 10), mode),
        amount + by_hand(Fraction(amount, 10), mode),
    )
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
        unpaid_won=unpaid,
        days=days,
        monthly_percent=percent,
        months_per_year=months,
        day_basis=basis,
        mode=mode,
    ) == by_hand(exact, mode)


@given(unpaid=st.integers(0, 10**10), percent=percents, mode=modes)
@example(unpaid=330_000, percent="1.5", mode="truncate")
def test_monthly_surcharge(unpaid, percent, mode):
    """BIL-9 (001 art.19-6-나): the surcharge is monthly% of the unpaid amount."""
    assert surcharge(unpaid_won=unpaid, monthly_percent=percent, mode=mode) == by_hand(
        Fraction(unpaid) * Fraction(percent) / 100, mode
    )
