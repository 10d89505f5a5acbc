"""Money in whole won: VAT, rounding and proration (SPEC §5 BIL-1, BIL-4, §12 item 15)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import (
    Rounding,
    VatSplit,
    exact,
    format_won,
    percent_of,
    prorate,
    round_won,
    vat_on,
    vat_split,
    vat_within,
)

MODES = [Rounding.TRUNCATE, Rounding.HALF_UP, Rounding.CEIL]


def test_vat_on_truncates_below_one_won():
    """§12 item 15: supply 333,333 won → VAT 33,333 (truncated), total 366,666."""
    assert vat_on(333_333) == VatSplit(supply_won=333_333, vat_won=33_333, total_won=366_666)


def test_vat_on_other_modes():
    """BIL-1: rounding is a policy parameter; 333,335 × 10% = 33,333.5."""
    assert vat_on(333_335, mode=Rounding.TRUNCATE).vat_won == 33_333
    assert vat_on(333_335, mode=Rounding.HALF_UP).vat_won == 33_334
    assert vat_on(333_331, mode=Rounding.CEIL).vat_won == 33_334


@pytest.mark.parametrize(
    ("total", "supply", "vat"),
    [(11_000, 10_000, 1_000), (10_000, 9_091, 909), (1, 1, 0), (0, 0, 0), (110, 100, 10)],
)
def test_vat_inclusive_split(total, supply, vat):
    """§5 (flow, 001 art.19-9): a VAT-inclusive price shows the VAT part, truncated; supply is the rest."""
    assert vat_within(total) == VatSplit(supply, vat, total)
    assert vat_split(total, inclusive=True) == VatSplit(supply, vat, total)


def test_vat_split_exclusive():
    """§5: prices are VAT-exclusive unless the plan says inclusive."""
    assert vat_split(10_000, inclusive=False) == VatSplit(10_000, 1_000, 11_000)


@pytest.mark.parametrize(
    ("amount", "mode", "expected"),
    [
        (Decimal("2.4"), Rounding.TRUNCATE, 2), (Decimal("2.5"), Rounding.TRUNCATE, 2),
        (Decimal("2.9"), Rounding.TRUNCATE, 2), (Decimal("-2.9"), Rounding.TRUNCATE, -2),
        (Decimal("2.4"), Rounding.HALF_UP, 2), (Decimal("2.5"), Rounding.HALF_UP, 3),
        (Decimal("-2.5"), Rounding.HALF_UP, -3), (Decimal("-2.4"), Rounding.HALF_UP, -2),
        (Decimal("2.1"), Rounding.CEIL, 3), (Decimal("2.0"), Rounding.CEIL, 2),
        (Decimal("-2.1"), Rounding.CEIL, -3),  # away from zero: mirrors the positive amount
        (Fraction(2_219_178, 100), Rounding.TRUNCATE, 22_191),  # §12 item 1: 22,191.78 → 22,191
        (Fraction(-7, 2), Rounding.TRUNCATE, -3), (Fraction(-7, 2), Rounding.HALF_UP, -4),
        (Fraction(-7, 2), Rounding.CEIL, -4), (12_345, Rounding.CEIL, 12_345),
        (Decimal("0.4"), "half_up", 0), (Decimal("-0.4"), "truncate", 0),
    ],
)
def test_round_won_modes(amount, mode, expected):
    """BIL-1: truncate below 1 won by default; half_up and ceil as policy options, same for both signs."""
    assert round_won(amount, mode) == expected


@given(
    st.fractions(min_value=-(10**15), max_value=10**15, max_denominator=10**6),
    st.sampled_from(MODES),
)
def test_round_won_is_symmetric_and_within_one_won(amount, mode):
    """BIL-1: a credit note mirroring a charge gets the same won (-x rounds to -round(x)); error < 1 won."""
    rounded = round_won(amount, mode)
    assert round_won(-amount, mode) == -rounded
    assert abs(rounded - amount) < 1
    if mode == Rounding.TRUNCATE:
        assert abs(rounded) <= abs(amount)
    if mode == Rounding.CEIL:
        assert abs(rounded) >= abs(amount)


def test_round_won_is_exact_for_huge_amounts():
    """BIL-1: no decimal-context precision limit (bug: 30-digit amounts used to round up)."""
    amount = Fraction(3 * 10**30 - 1, 3)
    assert round_won(amount) == 10**30 - 1
    assert prorate(10**30, 1, 3) == 10**30 // 3


def test_round_won_refuses_floats_and_unknown_modes():
    """BIL-4, §5: money is never float; what cannot be rounded is refused with a clear message."""
    with pytest.raises(TypeError, match="float"):
        round_won(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        round_won(Decimal("1.5"), "banker")
    with pytest.raises(ValueError, match="cannot round NaN to won"):
        round_won(Decimal("NaN"))
    with pytest.raises(ValueError, match="cannot round -Infinity to won"):
        round_won(Decimal("-Infinity"))


def test_prorate_by_day():
    """BIL-4 / §12 item 13: 300,000 for 30 days, used 21 → 210,000; unused 9 days → 90,000."""
    assert prorate(300_000, 21, 30) == 210_000
    assert prorate(300_000, 9, 30) == 90_000
    assert prorate(100_000, 10, 31) == 32_258  # 32,258.06 truncated
    assert prorate(100_000, 10, 31, Rounding.CEIL) == 32_259
    assert prorate(100_000, 0, 31) == 0
    with pytest.raises(ValueError, match=r"^total must be positive$"):
        prorate(100_000, 1, 0)


def test_percent_of_and_exact_chains():
    """§12 item 1: 1,000,000 × 1.5% × 12 × 45/365 = 22,191.78 → 22,191 (rounded once at the end)."""
    assert percent_of(1_000_000, Decimal("1.5")) == 15_000
    assert round_won(1_000_000 * exact(15, 1000) * 12 * exact(45, 365)) == 22_191
    assert percent_of(330_000 * 7 // 2, 60) == 693_000  # §12 item 2
    assert percent_of(1_000, "33.3") == 333


def test_exact_defaults_to_a_whole_number():
    """BIL-4, §5: ``exact(n)`` is n itself (denominator 1), so a chain starting from it is not halved."""
    assert exact(5) == Fraction(5)
    assert round_won(exact(333_333) * exact(1, 10)) == 33_333


@pytest.mark.parametrize("inclusive", [False, True])
def test_vat_split_passes_the_policy_rounding_on(inclusive):
    """BIL-4, §5: vat_split uses the given rounding mode for both VAT-exclusive and -inclusive prices.
    Exclusive 333,331 × 10% = 33,333.1; inclusive 10,000 × 10/110 = 909.09."""
    amount = 10_000 if inclusive else 333_331
    expected = {False: (33_333, 33_334, 33_333), True: (909, 910, 909)}[inclusive]
    got = tuple(
        vat_split(amount, inclusive=inclusive, mode=mode).vat_won
        for mode in (Rounding.TRUNCATE, Rounding.CEIL, Rounding.HALF_UP)
    )
    assert got == expected


def test_format_won():
    """§11: amounts read with thousands separators."""
    assert format_won(1_234_567) == "1,234,567원"
    assert format_won(-90_000) == "-90,000원"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(MODES))
def test_vat_within_parts_add_up(total, mode):
    """§5: the VAT-inclusive split always adds back to the total."""
    split = vat_within(total, mode=mode)
    assert split.supply_won + split.vat_won == total == split.total_won
    assert abs(split.vat_won) <= abs(total)


@given(st.integers(min_value=0, max_value=10**12))
def test_vat_on_total_is_supply_plus_vat(supply):
    """§5 / §12 item 15: VAT is 10% truncated and the total is supply + VAT."""
    split = vat_on(supply)
    assert split.total_won == split.supply_won + split.vat_won
    assert split.vat_won == supply // 10


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=28, max_value=31))
def test_prorating_a_whole_month_is_the_monthly_fee(fee, days):
    """BIL-4: used == days in the month bills exactly the month's fee, whatever the mode."""
    for mode in MODES:
        assert prorate(fee, days, days, mode) == fee


@given(
    st.integers(min_value=0, max_value=10**10),
    st.integers(min_value=28, max_value=31).flatmap(
        lambda days: st.tuples(
            st.just(days),
            st.lists(st.integers(min_value=1, max_value=days - 1), unique=True, max_size=10).map(sorted),
        )
    ),
)
def test_prorated_parts_never_exceed_the_fee(fee, month):
    """BIL-4: splitting a month at change dates, the parts sum to at most the fee, less by < parts won."""
    days, cuts = month
    bounds = [0, *cuts, days]
    parts = [prorate(fee, end - start, days) for start, end in pairwise(bounds)]
    assert sum(parts) <= fee
    assert fee - sum(parts) < len(parts)
