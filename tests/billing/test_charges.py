"""BIL-4, BIL-5, BIL-6, BIL-19, CON-4: the lines of a contract for a period; VAT per invoice."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from billing.services import charges, promotions, usage
from billing.services.charges import (
    added_seats_amount,
    invoice_totals,
    monthly_lines,
    months_between,
    prorated_amount,
)
from billing.services.dates import calendar_month
from billing.services.seats import peak_registered, snapshot_seats
from contracts.effective import effective_policy
from contracts.models.contract import SeatAssignment
from contracts.services import changes, seats
from core.calendar import days_in_month
from core.errors import DomainError
from core.money import Rounding

from .conftest import D, add_members, make_contract

MODES = st.sampled_from([Rounding.TRUNCATE, Rounding.HALF_UP, Rounding.CEIL])


def test_worked_example_5_added_seats_on_annual_plan():
    """BIL-5, SPEC §12 item 5: 3 seats added with exactly 5 months left at 8,000 → 120,000 won."""
    months = months_between(D(2026, 8, 1), D(2027, 1, 1))
    assert months == 5
    assert added_seats_amount(3, 8_000, months, Rounding.TRUNCATE) == 120_000


def test_worked_example_15_vat():
    """SPEC §12 item 15, §5: supply 333,333 → VAT 33,333 (truncated), total 366,666."""
    totals = invoice_totals([333_333], vat_included=False, rate_percent=10, mode=Rounding.TRUNCATE)
    assert totals == (333_333, 33_333, 366_666)
    inclusive = invoice_totals([100_000], vat_included=True, rate_percent=10, mode=Rounding.TRUNCATE)
    assert inclusive == (90_910, 9_090, 100_000)


@given(fee=st.integers(0, 10**9), year=st.integers(2000, 2100), month=st.integers(1, 12), mode=MODES)
def test_prorating_a_whole_month_is_the_monthly_fee(fee, year, month, mode):
    """BIL-4: fee × days used / days in month with every day used is the fee."""
    days = days_in_month(year, month)
    assert prorated_amount(fee, days, days, mode) == fee


@given(fee=st.integers(0, 10**8), used=st.integers(0, 31), mode=MODES)
def test_proration_never_exceeds_the_fee(fee, used, mode):
    """BIL-4: a part of a month costs no more than the month."""
    assert 0 <= prorated_amount(fee, min(used, 28), 28, mode) <= fee


@given(
    amounts=st.lists(st.integers(-(10**6), 10**8), min_size=1, max_size=30),
    inclusive=st.booleans(),
    rate=st.sampled_from([0, 10, 5, 7]),
    mode=MODES,
)
def test_line_sums_equal_invoice_totals(amounts, inclusive, rate, mode):
    """BIL-2 totals: supply + VAT = total; the lines sum to the supply (VAT-exclusive prices) or to the
    total (VAT-inclusive prices, 001 art.19-9)."""
    totals = invoice_totals(amounts, vat_included=inclusive, rate_percent=rate, mode=mode)
    assert totals.supply_won + totals.vat_won == totals.total_won
    if inclusive:
        assert sum(amounts) == totals.total_won
    else:
        assert sum(amounts) == totals.supply_won


@given(start=st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), months=st.integers(0, 24))
def test_months_between_whole_months(start, months):
    """BIL-5: remaining months counted from the change day; whole months come out whole."""
    from core.calendar import add_months

    end = add_months(start, months)
    if start.day <= 28:
        assert months_between(start, end) == months
    assert months_between(start, end) <= months + 1


@pytest.mark.django_db
def test_activation_mid_month_is_prorated_from_activation(presets):
    """BIL-4, CON-4: billing starts at activation; dcloud January from the 5th = 300,000 × 27/31."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    lines = monthly_lines(contract, calendar_month(D(2026, 1, 1)), effective_policy(contract))
    assert [(line.kind, line.amount_won) for line in lines] == [("base_fee", 261_290)]
    assert lines[0].service_start == D(2026, 1, 5)
    assert "27/31" in lines[0].description
    assert lines[0].policy_basis.startswith("BIL-4")
    # December before activation: nothing
    assert monthly_lines(contract, calendar_month(D(2025, 12, 1)), effective_policy(contract)) == []


@pytest.mark.django_db
def test_termination_mid_month_is_prorated(presets):
    """BIL-4: the termination month is billed to the effective date (002 art.32②)."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    contract.termination_effective_on = D(2026, 11, 21)
    lines = monthly_lines(contract, calendar_month(D(2026, 11, 1)), effective_policy(contract))
    assert [line.amount_won for line in lines] == [210_000]  # 300,000 × 21/30


@pytest.mark.django_db
def test_flow_termination_month_threshold(presets):
    """BIL-13 (SPEC §12 item 4) as far as the regular run goes: flow does not prorate; a termination
    month used 14 days is free, 15 days a full month (001 art.20-3)."""
    contract = make_contract("flow-business-monthly", start=D(2026, 1, 1))
    members = add_members(contract.customer, 3)
    for m in members:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 1, 1))
    policy = effective_policy(contract)
    contract.termination_effective_on = D(2026, 3, 14)
    assert monthly_lines(contract, calendar_month(D(2026, 3, 1)), policy)[0].amount_won == 0
    contract.termination_effective_on = D(2026, 3, 15)
    assert monthly_lines(contract, calendar_month(D(2026, 3, 1)), policy)[0].amount_won == 30_000


@pytest.mark.django_db
def test_worked_example_6_flow_monthly_peak(presets):
    """BIL-5, SPEC §12 item 6: daily registered users in November peaked at 12 for one day → November
    bills 12 seats (001 art.19-3)."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    members = add_members(contract.customer, 12)
    for m in members[:10]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 10, 1))
    day = D(2026, 11, 1)
    while day <= D(2026, 11, 30):
        if day == D(2026, 11, 17):
            for m in members[10:]:
                seats.seat_assign(contract=contract, member=m, today=day)
        if day == D(2026, 11, 18):
            for m in members[10:]:
                seats.seat_release(contract=contract, member=m, today=day)
        snapshot_seats(today=day)
        day += dt.timedelta(days=1)
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 12
    lines = monthly_lines(contract, calendar_month(D(2026, 11, 1)), effective_policy(contract))
    assert [(line.kind, int(line.quantity), line.amount_won) for line in lines] == [("seats", 12, 120_000)]
    # Without snapshots the assignment dates give the same peak.
    from billing.models import SeatSnapshot

    SeatSnapshot.objects.all().delete()
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 12
    assert peak_registered(contract, D(2026, 11, 18), D(2026, 11, 30)) == 10
    assert SeatAssignment.objects.filter(contract=contract).count() == 12


@pytest.mark.django_db
def test_annual_plan_up_front_and_added_seats(presets):
    """BIL-5: an annual plan bills contracted seats up front, 12 × annual monthly rate × seats; seats added
    with 5 months left bill added × 8,000 × 5 (001 art.19-5); a reduction gives no refund (001 art.19-4)."""
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), seats=10)
    policy = effective_policy(contract)
    period = contract.periods.get()
    lines = charges.annual_lines(contract, period, policy)
    assert [(line.kind, line.amount_won) for line in lines] == [("seats", 960_000)]
    changes.seats_change(contract=contract, seats=13, today=D(2026, 8, 1))
    contract.refresh_from_db()
    added = charges.annual_addition_lines(contract, period, D(2026, 8, 1), policy)
    assert [(line.kind, line.amount_won) for line in added] == [("added_seats", 120_000)]
    # the annual line of the period is unchanged by a later change (seats at the period start)
    assert charges.annual_lines(contract, period, policy)[0].amount_won == 960_000
    changes.seats_change(contract=contract, seats=11, today=D(2026, 9, 1))
    contract.refresh_from_db()
    assert charges.annual_addition_lines(contract, period, D(2026, 9, 1), policy) == []


@pytest.mark.django_db
def test_kgmsg_usage_lines(presets):
    """BIL-6: successful messages per type at the plan's unit prices, monthly (003 art.6-3)."""
    contract = make_contract("kgmsg-standard", start=D(2026, 1, 1))
    usage.usage_record(contract=contract, day=D(2026, 3, 2), unit="sms", quantity=1000, source_ref="r1")
    usage.usage_record(contract=contract, day=D(2026, 3, 2), unit="sms", quantity=1000, source_ref="r1")
    usage.usage_record(contract=contract, day=D(2026, 3, 31), unit="lms", quantity=10, source_ref="r2")
    usage.usage_record(contract=contract, day=D(2026, 4, 1), unit="sms", quantity=5, source_ref="r3")
    assert usage.usage_totals(contract, D(2026, 3, 1), D(2026, 3, 31)) == {"lms": 10, "sms": 1000}
    lines = monthly_lines(contract, calendar_month(D(2026, 3, 1)), effective_policy(contract))
    assert [(line.kind, line.amount_won) for line in lines] == [("usage", 270), ("usage", 9_000)]
    with pytest.raises(DomainError):
        usage.usage_record(contract=contract, day=D(2026, 3, 2), unit="sms", quantity=-1, source_ref="r4")


@pytest.mark.django_db
def test_advance_seat_addition_billed_next_month_by_day(presets):
    """BIL-4, CON-11: officecore (advance) bills the seats at the month's start; 10 seats added on
    2026-03-21 are billed on April's invoice for 11/31 days (000 art.15②)."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 1))
    changes.seats_change(contract=contract, seats=60, today=D(2026, 3, 21))
    contract.refresh_from_db()
    policy = effective_policy(contract)
    march = monthly_lines(contract, calendar_month(D(2026, 3, 1)), policy)
    assert [(line.kind, line.amount_won) for line in march] == [("seats", 300_000)]
    april = monthly_lines(contract, calendar_month(D(2026, 4, 1)), policy)
    assert [(line.kind, line.amount_won) for line in april] == [("seats", 360_000), ("added_seats", 21_290)]
    assert april[1].amount_won == 10 * 6_000 * 11 // 31


@pytest.mark.django_db
def test_promotion_validation_and_lines(presets):
    """BIL-19: discounts (amount or percent, N periods) and free periods; validated; the negative line
    never exceeds the fees (000 art.15⑤)."""
    contract = make_contract("damoa-standard", start=D(2026, 1, 1))
    with pytest.raises(DomainError):
        promotions.promotion_add(contract=contract, kind="percent", percent=101, starts_on=D(2026, 1, 1))
    with pytest.raises(DomainError):
        promotions.promotion_add(contract=contract, kind="amount", amount_won=0, starts_on=D(2026, 1, 1))
    with pytest.raises(DomainError):
        promotions.promotion_add(contract=contract, kind="free_period", periods=0, starts_on=D(2026, 1, 1))
    promotions.promotion_add(
        contract=contract, kind="free_period", starts_on=D(2026, 1, 1), description="첫 달 무료"
    )
    promotions.promotion_add(
        contract=contract,
        kind="percent",
        percent=10,
        periods=2,
        starts_on=D(2026, 2, 1),
        description="신규 할인",
    )
    policy = effective_policy(contract)

    def total(month: int) -> list[int]:
        period = calendar_month(D(2026, month, 1))
        fees = monthly_lines(contract, period, policy)
        return [line.amount_won for line in fees + charges.promotion_lines(contract, period, fees, policy)]

    assert total(1) == [300_000, -300_000]
    assert total(2) == [300_000, -30_000]
    assert total(3) == [300_000, -30_000]
    assert total(4) == [300_000]
    assert Fraction(30_000, 300_000) == Fraction(1, 10)
