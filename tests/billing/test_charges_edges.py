"""BIL-4, BIL-5, BIL-16 arithmetic of ``billing/services/charges.py`` at its edges (issue 9 mutation
testing): proration's refusal, months between two dates with a clamped month, how months and periods
are written on lines, and the suspension credit's pieces (overlapping days, the share left by
promotions, rounding once per invoice, the text of the ranges). Every expected figure is worked out by
hand in the docstring."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation

from billing.services.charges import (
    LineDraft,
    _fmt_months,
    _month_label,
    _overlap_days,
    annual_addition_lines,
    billed,
    describe_ranges,
    is_suspension_credit,
    monthly_lines,
    months_between,
    prorated_amount,
    seat_changes,
    seat_days,
    seats_on,
    suspension_credit_exact,
    suspension_credit_owed,
    suspension_free_days,
    suspension_rule_text,
)
from billing.services.dates import Period, calendar_month
from contracts.effective import EffectivePolicy, effective_policy
from contracts.models import Policy, SuspensionFeeModel
from contracts.presets import preset_values
from contracts.services.changes import seats_change
from core.money import Rounding

from .conftest import make_contract

D = dt.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))


@pytest.fixture(autouse=True)
def _korean():
    with translation.override("ko"):
        yield


def policy(code: str, **overrides) -> EffectivePolicy:
    """A preset's policy as contracts see it (no special terms)."""
    return EffectivePolicy(Policy(**{**preset_values(code), **overrides}), {})


def test_prorated_amount_worked_and_refused():
    """BIL-4: 300,000 × 27/31 = 261,290.32 → 261,290 (truncate), 261,291 (ceil); one day of a one-day
    period is the amount; a period of 0 or −1 days is refused."""
    assert prorated_amount(300_000, 27, 31, Rounding.TRUNCATE) == 261_290
    assert prorated_amount(300_000, 27, 31, Rounding.CEIL) == 261_291
    assert prorated_amount(7, 1, 1, Rounding.TRUNCATE) == 7
    for total in (0, -1):
        with pytest.raises(ValueError, match=r"^total_days must be positive$"):
            prorated_amount(300_000, 1, total, Rounding.TRUNCATE)


@pytest.mark.parametrize(
    ("start", "end_exclusive", "months"),
    [
        (D(2026, 8, 1), D(2027, 1, 1), Fraction(5)),  # SPEC §12 item 5
        # one whole month to 02-28 (clamped), then 02-28 → 03-15 = 15 of the 31 days to 03-31
        (D(2026, 1, 31), D(2026, 3, 15), Fraction(46, 31)),
        (D(2026, 8, 15), D(2026, 8, 16), Fraction(1, 31)),  # one day of 08-15 → 09-15
        (D(2026, 3, 1), D(2026, 3, 1), Fraction(0)),
        (D(2026, 3, 2), D(2026, 3, 1), Fraction(0)),
    ],
)
def test_months_between_worked(start, end_exclusive, months):
    """BIL-5: whole months counted from the start, the last part as a share of its month's days."""
    assert months_between(start, end_exclusive) == months


@pytest.mark.parametrize(
    ("months", "text"),
    [
        (Fraction(5), "5"),
        (Fraction(10), "10"),
        (Fraction(46, 31), "1.48"),  # 1.4838…
        (Fraction(3, 2), "1.5"),
        (Fraction(201, 20), "10.05"),
        (Fraction(1000, 999), "1"),  # 1.001 → "1.00" → "1"
    ],
)
def test_months_are_written_with_at_most_two_decimals(months, text):
    """BIL-5: the months on an annual line: whole numbers as they are, else two decimals without
    trailing zeros."""
    assert _fmt_months(months) == text


@pytest.mark.parametrize(
    ("period", "label"),
    [
        (Period(D(2026, 3, 1), D(2026, 3, 31)), "2026년 3월"),
        (Period(D(2026, 2, 1), D(2026, 2, 28)), "2026년 2월"),
        (Period(D(2026, 3, 1), D(2026, 3, 30)), "2026-03-01~2026-03-30"),
        (Period(D(2026, 1, 15), D(2026, 2, 14)), "2026-01-15~2026-02-14"),
    ],
)
def test_a_calendar_month_is_labelled_by_its_month_other_periods_by_their_days(period, label):
    """BIL-1, BIL-2: lines of a calendar month say "2026년 3월" (core.formatting, issue 15); anniversary
    periods give both days."""
    assert _month_label(period) == label


def test_overlap_days_counts_each_range_inside_the_line_and_never_below_zero():
    """BIL-16: March against 02-20..03-05 (5 days in March) and 03-30..04-02 (2 days) = 7; a range
    wholly after March adds 0, not a negative count."""
    ranges = [(D(2026, 2, 20), D(2026, 3, 5)), (D(2026, 3, 30), D(2026, 4, 2))]
    assert _overlap_days(*MARCH, ranges) == 7
    assert _overlap_days(*MARCH, [*ranges, (D(2026, 4, 10), D(2026, 4, 20))]) == 7
    assert _overlap_days(*MARCH, [(D(2026, 3, 31), D(2026, 3, 31))]) == 1


def test_suspension_credit_is_the_suspended_share_of_period_fees_after_promotions():
    """BIL-16, BIL-4: base fee 310,000 for March, 10 days suspended (03-11..03-20) → 310,000 × 10/31 =
    100,000; usage (5,000) counts in the fees the promotion is weighed against but is not credited by
    day; a promotion of −31,000 leaves (315,000 − 31,000) / 315,000 of the fees → 100,000 × 284/315 =
    90,158.73 (exactly 5,680,000/63)."""
    lines = [
        ("base_fee", 310_000, *MARCH),
        ("usage", 5_000, *MARCH),
        ("promotion", -31_000, *MARCH),
    ]
    ranges = [(D(2026, 3, 11), D(2026, 3, 20))]
    assert suspension_credit_exact(lines, ranges) == Fraction(5_680_000, 63)
    assert suspension_credit_owed([lines], ranges, Rounding.TRUNCATE) == 90_158
    assert suspension_credit_owed([lines], ranges, Rounding.CEIL) == 90_159


def test_suspension_credit_skips_lines_without_days_or_amount_and_a_free_month():
    """BIL-16: a seats line without a service start, or of 0 won, gives nothing; a line with a start
    only is one day (2,000 for 03-15, suspended that day → 2,000); a month fully given by promotions
    (fees 10,000, promotions −10,000 or more) and no suspended ranges give 0."""
    ranges = [(D(2026, 3, 11), D(2026, 3, 20))]
    assert suspension_credit_exact([("seats", 9_000, None, None), ("seats", 0, *MARCH)], ranges) == 0
    assert suspension_credit_exact([("seats", 2_000, D(2026, 3, 15), None)], ranges) == 2_000
    free = [("base_fee", 10_000, *MARCH), ("promotion", -12_000, *MARCH)]
    assert suspension_credit_exact(free, ranges) == 0
    assert suspension_credit_exact([("base_fee", 31_000, *MARCH)], []) == 0
    assert suspension_credit_exact([("promotion", -5, *MARCH)], ranges) == 0


def test_suspension_credit_is_rounded_once_per_invoice():
    """BIL-16: two invoices of 100 won for 03-01..03-03, each with 03-01 suspended: 100/3 = 33.33 each →
    ceil 34 + 34 = 68 (not ceil(66.67) = 67); truncate 33 + 33 = 66."""
    group = [("base_fee", 100, D(2026, 3, 1), D(2026, 3, 3))]
    ranges = [(D(2026, 3, 1), D(2026, 3, 1))]
    assert suspension_credit_owed([group, group], ranges, Rounding.CEIL) == 68
    assert suspension_credit_owed([group, group], ranges, Rounding.TRUNCATE) == 66


def test_suspended_days_are_described_with_the_latest_three_ranges():
    """BIL-16: 03-01..03-03 and 03-10 = "2026-03-01~2026-03-03, 2026-03-10 (4일)"; with four ranges
    (1 + 3 + 1 + 2 = 7 days) the first is elided."""
    assert describe_ranges([(D(2026, 3, 1), D(2026, 3, 3)), (D(2026, 3, 10), D(2026, 3, 10))]) == (
        "2026-03-01~2026-03-03, 2026-03-10 (4일)"
    )
    four = [
        (D(2026, 2, 1), D(2026, 2, 1)),
        (D(2026, 3, 1), D(2026, 3, 3)),
        (D(2026, 3, 10), D(2026, 3, 10)),
        (D(2026, 3, 20), D(2026, 3, 21)),
    ]
    assert describe_ranges(four) == "…, 2026-03-01~2026-03-03, 2026-03-10, 2026-03-20~2026-03-21 (7일)"
    assert describe_ranges(four[1:]) == "2026-03-01~2026-03-03, 2026-03-10, 2026-03-20~2026-03-21 (6일)"


def test_a_suspension_credit_line_is_an_adjustment_marked_bil_16():
    """BIL-16: only an ``adjustment`` whose basis starts with "BIL-16" is a suspension credit."""
    assert is_suspension_credit(LineDraft("adjustment", "", -5, policy_basis="BIL-16 · 약관"))
    assert not is_suspension_credit(LineDraft("adjustment", "", -5, policy_basis="BIL-9"))
    assert not is_suspension_credit(LineDraft("adjustment", "", -5, policy_basis=None))  # type: ignore[arg-type]
    assert not is_suspension_credit(LineDraft("promotion", "", -5, policy_basis="BIL-16"))
    line = LineDraft("seats", "x", 9, service_start=D(2026, 3, 1), service_end=D(2026, 3, 31))
    assert billed([line]) == [("seats", 9, D(2026, 3, 1), D(2026, 3, 31))]


def test_suspension_free_days_and_rule_text_per_fee_model():
    """BIL-16: ``none`` charges no suspended day (004 art.19②); flow charges the first 30 (001
    art.19-6-가); "charged up to N days" without N charges none."""
    damoa = policy("damoa")
    flow = policy("flow")
    assert suspension_free_days(damoa) == 0
    assert suspension_free_days(flow) == 30
    no_number = policy(
        "flow", suspension_fee_model=SuspensionFeeModel.CHARGED_UP_TO_DAYS, suspension_fee_max_days=None
    )
    assert suspension_free_days(no_number) == 0
    assert suspension_rule_text(damoa) == "정지 기간 요금 없음, 약관 제19조②"
    assert suspension_rule_text(flow) == "정지 30일 초과분 요금 없음, 약관 제19조⑥가"


# --------------------------------------------------------------------------- the lines as written


@pytest.mark.django_db
def test_dcloud_activation_month_line_in_full(presets):
    """BIL-4, CON-4: dcloud activated 2026-01-05: one base-fee line, 300,000 × 27/31 = 261,290.32 →
    261,290 (truncate), for 01-05..01-31, saying the days."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    (line,) = monthly_lines(contract, calendar_month(D(2026, 1, 1)), effective_policy(contract))
    assert (line.kind, line.amount_won, line.quantity) == ("base_fee", 261_290, 1)
    assert line.unit_price_won == 300_000
    assert line.description == "클라우드 서버 스탠다드 2026년 1월 기본료 (27/31일 일할)"
    assert (line.service_start, line.service_end) == (D(2026, 1, 5), D(2026, 1, 31))
    assert line.contract_id == contract.pk
    assert line.policy_basis.startswith("BIL-4 · ")
    (february,) = monthly_lines(contract, calendar_month(D(2026, 2, 1)), effective_policy(contract))
    assert february.description == "클라우드 서버 스탠다드 2026년 2월 기본료"
    assert february.amount_won == 300_000


@pytest.mark.django_db
def test_officecore_first_month_seats_and_setup_fee_lines(presets):
    """BIL-4, BIL-12: officecore (advance) activated 2026-01-01 with 50 seats: 50 × 6,000 = 300,000 and
    the one-time setup fee 200,000 on the activation day; February has no setup fee."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 1), seats=50)
    policy = effective_policy(contract)
    seats_line, setup = monthly_lines(contract, calendar_month(D(2026, 1, 1)), policy)
    assert (seats_line.kind, seats_line.amount_won, seats_line.quantity) == ("seats", 300_000, 50)
    assert seats_line.description == "오피스코어 스탠다드 (월간) 2026년 1월 인원 요금 50명 × 6,000원"
    assert seats_line.unit_price_won == 6_000
    assert (setup.kind, setup.amount_won, setup.unit_price_won) == ("setup_fee", 200_000, 200_000)
    assert setup.description == "오피스코어 스탠다드 (월간) 일회성 설치비"
    assert (setup.service_start, setup.service_end) == (D(2026, 1, 1), D(2026, 1, 1))
    assert setup.contract_id == contract.pk
    assert setup.policy_basis.startswith("BIL-12 · ")
    assert [line.kind for line in monthly_lines(contract, calendar_month(D(2026, 2, 1)), policy)] == ["seats"]


@pytest.mark.django_db
def test_seats_on_a_day_and_seat_days_over_changes(presets):
    """BIL-4: officecore 50 seats; +10 from 03-21, +5 from 03-25. Seats on 03-20 = 50, 03-21 = 60,
    03-24 = 60, 03-25 = 65. Seat-days of March = 50 × 20 + 60 × 4 + 65 × 7 = 1,000 + 240 + 455 = 1,695;
    of 03-22..03-31 = 60 × 3 + 65 × 7 = 635; of 03-25..03-25 = 65."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 1), seats=50)
    seats_change(contract=contract, seats=60, today=D(2026, 3, 21))
    contract.refresh_from_db()
    seats_change(contract=contract, seats=65, today=D(2026, 3, 25))
    contract.refresh_from_db()
    changes = seat_changes(contract)
    assert [(c.effective_on, c.quantity) for c in changes] == [(D(2026, 3, 21), 10), (D(2026, 3, 25), 5)]
    assert [seats_on(contract, D(2026, 3, d)) for d in (20, 21, 24, 25)] == [50, 60, 60, 65]
    assert seat_days(contract, D(2026, 3, 1), D(2026, 3, 31), changes) == 1_695
    assert seat_days(contract, D(2026, 3, 22), D(2026, 3, 31), changes) == 635
    assert seat_days(contract, D(2026, 3, 25), D(2026, 3, 25), changes) == 65


# --------------------------------------------------------------------------- annual additions (BIL-5)


def _flow_annual_with_three_added(on: dt.date):  # type: ignore[no-untyped-def]
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), seats=10)
    seats_change(contract=contract, seats=13, today=on)
    contract.refresh_from_db()
    return contract, contract.periods.get()


@pytest.mark.django_db
def test_seats_added_in_an_annual_period_are_billed_in_one_full_line(presets):
    """BIL-5 (001 art.19-5): flow annual, 10 seats from 2026-01-01, 3 added on 2026-08-01: 3 × 8,000 × 5
    remaining months = 120,000, from the day added to the period's end, with the rule and where it
    comes from."""
    from billing.models import InvoiceLine

    contract, cperiod = _flow_annual_with_three_added(D(2026, 8, 1))
    lines = annual_addition_lines(contract, cperiod, D(2026, 8, 1), effective_policy(contract))
    assert lines == [
        LineDraft(
            InvoiceLine.Kind.ADDED_SEATS,
            "연간 추가 인원 3명 × 8,000원 × 남은 5개월",
            120_000,
            quantity=Decimal(3),
            unit_price_won=8_000,
            service_start=D(2026, 8, 1),
            service_end=D(2026, 12, 31),
            policy_basis="BIL-5 · 001 제19조⑤ · flow v1",
            contract_id=contract.pk,
        )
    ]


@pytest.mark.django_db
def test_an_annual_addition_on_the_last_day_counts_and_on_the_first_day_does_not(presets):
    """BIL-5: seats added on the period's last day (2026-12-31) are billed for 1/31 of a month:
    3 × 8,000 × 1/31 = 774.19 → 774; seats in place on the first day are in the period's up-front line, so
    an "addition" dated 2026-01-01 bills nothing here; a day outside the period bills nothing."""
    contract, cperiod = _flow_annual_with_three_added(D(2026, 12, 31))
    policy_now = effective_policy(contract)
    (line,) = annual_addition_lines(contract, cperiod, D(2026, 12, 31), policy_now)
    assert (line.amount_won, line.service_start, line.service_end) == (774, D(2026, 12, 31), D(2026, 12, 31))
    assert annual_addition_lines(contract, cperiod, D(2026, 1, 1), policy_now) == []
    assert annual_addition_lines(contract, cperiod, D(2027, 1, 1), policy_now) == []


@pytest.mark.django_db
def test_which_rule_bills_an_annual_addition(presets):
    """BIL-5: with only ``midterm_additions_prorated`` (a special term signed 2026-07-01 turning
    ``annual_added_seats_prorated`` off) the line still bills 120,000 and cites that field's source (the
    policy); with only ``annual_added_seats_prorated`` (set by the special term) it cites the special term;
    with neither, added seats wait for the next period: no line."""
    from contracts.models import SpecialTerm

    contract, cperiod = _flow_annual_with_three_added(D(2026, 8, 1))
    signed = SpecialTerm(value=False, signed_on=D(2026, 7, 1))
    turned_on = SpecialTerm(value=True, signed_on=D(2026, 7, 1))
    midterm_only = EffectivePolicy(contract.policy, {"annual_added_seats_prorated": signed})
    (line,) = annual_addition_lines(contract, cperiod, D(2026, 8, 1), midterm_only)
    assert (line.amount_won, line.policy_basis) == (120_000, "BIL-5 · 001 제19조⑤ · flow v1")
    annual_only = EffectivePolicy(
        contract.policy,
        {"annual_added_seats_prorated": turned_on, "midterm_additions_prorated": signed},
    )
    (line,) = annual_addition_lines(contract, cperiod, D(2026, 8, 1), annual_only)
    assert line.policy_basis == "BIL-5 · 001 제19조⑤ · 특약 (2026-07-01 체결)"
    neither = EffectivePolicy(
        contract.policy, {"annual_added_seats_prorated": signed, "midterm_additions_prorated": signed}
    )
    assert annual_addition_lines(contract, cperiod, D(2026, 8, 1), neither) == []


@pytest.mark.django_db
def test_one_seat_added_in_an_annual_period_is_billed(presets):
    """BIL-5: a single added seat (10 → 11 on 2026-08-01) is billed too: 1 × 8,000 × 5 = 40,000."""
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), seats=10)
    seats_change(contract=contract, seats=11, today=D(2026, 8, 1))
    contract.refresh_from_db()
    lines = annual_addition_lines(contract, contract.periods.get(), D(2026, 8, 1), effective_policy(contract))
    assert [(line.amount_won, line.quantity) for line in lines] == [(40_000, Decimal(1))]


# --------------------------------------------------------------------------- promotions (BIL-19)


def _promo_amounts(contract, period):  # type: ignore[no-untyped-def]
    from billing.services.charges import annual_lines, promotion_lines

    policy_now = effective_policy(contract)
    if contract.billing_cycle == "annual":
        fees = annual_lines(contract, contract.periods.get(), policy_now)
    else:
        fees = monthly_lines(contract, period, policy_now)
    return [line.amount_won for line in promotion_lines(contract, period, fees, policy_now)]


@pytest.mark.django_db
def test_a_promotion_granted_before_activation_counts_its_periods_from_activation(presets):
    """BIL-19: damoa (calendar months, 300,000 a month) activated 2026-03-10 with a 10 % discount for 2
    periods granted from 2026-01-01 (at application): March (22 of 31 days, 212,903) gets −21,290, April
    −30,000, May nothing; no period before the promotion's first gets it (a discount from 2026-05-01 gives
    April nothing)."""
    from billing.services import promotions

    contract = make_contract("damoa-standard", start=D(2026, 3, 10))
    promotions.promotion_add(
        contract=contract, kind="percent", percent=10, periods=2, starts_on=D(2026, 1, 1)
    )
    assert [_promo_amounts(contract, calendar_month(D(2026, m, 1))) for m in (3, 4, 5)] == [
        [-21_290],
        [-30_000],
        [],
    ]
    later = make_contract("damoa-standard", start=D(2026, 3, 1))
    promotions.promotion_add(contract=later, kind="percent", percent=10, periods=1, starts_on=D(2026, 5, 1))
    assert [_promo_amounts(later, calendar_month(D(2026, m, 1))) for m in (4, 5, 6)] == [[], [-30_000], []]


@pytest.mark.django_db
def test_an_annual_promotion_starting_on_the_periods_last_day_takes_that_period(presets):
    """BIL-19: flow annual from 2026-01-01 (10 seats, 960,000 up front); a 10 % discount for 1 period
    starting 2026-12-31, the period's last day, applies to that period: −96,000."""
    from billing.services import promotions

    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), seats=10)
    promotions.promotion_add(
        contract=contract, kind="percent", percent=10, periods=1, starts_on=D(2026, 12, 31)
    )
    cperiod = contract.periods.get()
    assert _promo_amounts(contract, Period(cperiod.starts_on, cperiod.effective_end)) == [-96_000]
