"""BIL-4, BIL-5, BIL-16 arithmetic of ``billing/services/charges.py`` at its edges (issue 9 mutation
testing): proration's refusal, months between two dates with a clamped month, how months and periods
are written on lines, the monthly lines of each seat basis (peak users, contracted seats in advance or
in arrears), annual periods billed up front and seats added in them, the advance catch-up of last
month's added seats, and the suspension credit's pieces (overlapping days, the share left by promotions,
rounding once per invoice, the text of the ranges). Promotions and the invoice run's suspension credits
have files of their own (``test_charges_promotion_edges.py``, ``test_charges_suspension_edges.py``).
Every expected figure is worked out by hand in the docstring."""

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
    invoice_totals,
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

from .conftest import add_members, make_contract

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
    policy); with only ``annual_added_seats_prorated`` (set by a special term signed 2026-07-15, the
    other turned off by the one of 2026-07-01) it cites the term that turned it on; with neither, added
    seats wait for the next period: no line."""
    from contracts.models import SpecialTerm

    contract, cperiod = _flow_annual_with_three_added(D(2026, 8, 1))
    signed = SpecialTerm(value=False, signed_on=D(2026, 7, 1))
    turned_on = SpecialTerm(value=True, signed_on=D(2026, 7, 15))
    midterm_only = EffectivePolicy(contract.policy, {"annual_added_seats_prorated": signed})
    (line,) = annual_addition_lines(contract, cperiod, D(2026, 8, 1), midterm_only)
    assert (line.amount_won, line.policy_basis) == (120_000, "BIL-5 · 001 제19조⑤ · flow v1")
    annual_only = EffectivePolicy(
        contract.policy,
        {"annual_added_seats_prorated": turned_on, "midterm_additions_prorated": signed},
    )
    (line,) = annual_addition_lines(contract, cperiod, D(2026, 8, 1), annual_only)
    assert line.policy_basis == "BIL-5 · 001 제19조⑤ · 특약 (2026-07-15 체결)"
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


# --------------------------------------------------------------------------- annual periods up front (BIL-5)


def _officecore_annual(seats: int, monthly_fee_won: int = 0):  # type: ignore[no-untyped-def]
    """officecore annual (5,000 a seat a month, setup fee 200,000) from 2026-01-01; a plan with a flat
    monthly fee too when ``monthly_fee_won`` (no preset has both, the code bills both)."""
    from contracts.models import Plan

    Plan.objects.filter(code="officecore-standard-annual").update(monthly_fee_won=monthly_fee_won)
    return make_contract("officecore-standard-annual", start=D(2026, 1, 1), seats=seats)


@pytest.mark.django_db
def test_an_annual_period_is_billed_up_front_in_full_lines(presets):
    """BIL-5, BIL-12: officecore annual with a 50,000 monthly fee, 20 seats from 2026-01-01 (period
    2026-01-01..2026-12-31): base fee 50,000 × 12 = 600,000; seats 20 × 5,000 × 12 = 1,200,000; the
    one-time setup fee 200,000 on the activation day. Each line with its text, quantity, unit price,
    days, rule and contract."""
    from billing.models import InvoiceLine
    from billing.services.charges import annual_lines

    contract = _officecore_annual(20, monthly_fee_won=50_000)
    cperiod = contract.periods.get()
    policy_now = effective_policy(contract)
    year = {"service_start": D(2026, 1, 1), "service_end": D(2026, 12, 31), "contract_id": contract.pk}
    assert annual_lines(contract, cperiod, policy_now) == [
        LineDraft(
            InvoiceLine.Kind.BASE_FEE,
            "오피스코어 스탠다드 (연간) 연간 기본료 50,000원 × 12개월",
            600_000,
            quantity=Decimal(12),
            unit_price_won=50_000,
            policy_basis="BIL-5 · CON-5",
            **year,
        ),
        LineDraft(
            InvoiceLine.Kind.SEATS,
            "오피스코어 스탠다드 (연간) 연간 이용료 20명 × 5,000원 × 12개월",
            1_200_000,
            quantity=Decimal(20),
            unit_price_won=5_000,
            policy_basis="BIL-5 · 001 제19조⑤",
            **year,
        ),
        LineDraft(
            InvoiceLine.Kind.SETUP_FEE,
            "오피스코어 스탠다드 (연간) 일회성 설치비",
            200_000,
            unit_price_won=200_000,
            service_start=D(2026, 1, 1),
            service_end=D(2026, 1, 1),
            policy_basis="BIL-12 · officecore v1",
            contract_id=contract.pk,
        ),
    ]


@pytest.mark.django_db
def test_an_extended_annual_period_bills_its_extra_days_as_a_share_of_a_month(presets):
    """BIL-5: the same period extended by 10 days (to 2027-01-10) lasts 12 + 10/31 months (12.32 as
    written): base fee 50,000 × 382/31 = 616,129.03 → 616,129 and seats 20 × 5,000 × 382/31 =
    1,232,258.06 → 1,232,258 (truncate); the quantity of the base-fee line is the exact months."""
    from billing.services.charges import annual_lines

    contract = _officecore_annual(20, monthly_fee_won=50_000)
    cperiod = contract.periods.get()
    cperiod.extension_days = 10
    base, seats_line, _setup = annual_lines(contract, cperiod, effective_policy(contract))
    assert (base.amount_won, base.quantity) == (616_129, Decimal(382) / Decimal(31))
    assert base.description == "오피스코어 스탠다드 (연간) 연간 기본료 50,000원 × 12.32개월"
    assert (seats_line.amount_won, seats_line.quantity) == (1_232_258, Decimal(20))
    assert seats_line.description == "오피스코어 스탠다드 (연간) 연간 이용료 20명 × 5,000원 × 12.32개월"
    assert (base.service_end, seats_line.service_end) == (D(2027, 1, 10), D(2027, 1, 10))
    half_up = EffectivePolicy(Policy(**{**preset_values("officecore"), "rounding": Rounding.HALF_UP}), {})
    assert [line.amount_won for line in annual_lines(contract, cperiod, half_up)[:2]] == [616_129, 1_232_258]
    ceil = EffectivePolicy(Policy(**{**preset_values("officecore"), "rounding": Rounding.CEIL}), {})
    assert [line.amount_won for line in annual_lines(contract, cperiod, ceil)[:2]] == [616_130, 1_232_259]


@pytest.mark.django_db
def test_a_later_annual_period_bills_the_seats_at_its_start_without_the_setup_fee(presets):
    """BIL-5: 20 seats, 5 added on 2026-08-01 (billed then for the rest of the first period); the next
    period (2027-01-01..2027-12-31) bills 25 × 5,000 × 12 = 1,500,000 up front and no setup fee (it was
    billed in the activation period). A plan without a monthly fee has no base-fee line."""
    from billing.services.charges import annual_lines
    from contracts.models import ContractPeriod

    contract = _officecore_annual(20)
    seats_change(contract=contract, seats=25, today=D(2026, 8, 1))
    contract.refresh_from_db()
    first = contract.periods.get()
    second = ContractPeriod(contract=contract, number=2, starts_on=D(2027, 1, 1), ends_on=D(2027, 12, 31))
    policy_now = effective_policy(contract)
    assert [
        (line.kind, line.amount_won, line.quantity) for line in annual_lines(contract, first, policy_now)
    ] == [
        ("seats", 1_200_000, Decimal(20)),
        ("setup_fee", 200_000, Decimal(1)),
    ]
    (seats_line,) = annual_lines(contract, second, policy_now)
    assert (seats_line.amount_won, seats_line.quantity) == (1_500_000, Decimal(25))
    assert seats_line.description == "오피스코어 스탠다드 (연간) 연간 이용료 25명 × 5,000원 × 12개월"
    assert (seats_line.service_start, seats_line.service_end) == (D(2027, 1, 1), D(2027, 12, 31))


@pytest.mark.django_db
def test_an_annual_period_before_activation_bills_nothing(presets):
    """BIL-5, CON-4: a contract not yet activated, or a period that ends before activation, bills
    nothing."""
    from billing.services.charges import annual_lines
    from contracts.models import ContractPeriod

    waiting = make_contract("officecore-standard-annual", start=D(2026, 1, 1), seats=20, activate=False)
    period = ContractPeriod(contract=waiting, number=1, starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert annual_lines(waiting, period, effective_policy(waiting)) == []
    contract = _officecore_annual(20)
    before = ContractPeriod(contract=contract, number=0, starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31))
    assert annual_lines(contract, before, effective_policy(contract)) == []


# --------------------------------------------------------------------------- advance billing catch-up (BIL-4)


def _officecore_monthly(**kwargs):  # type: ignore[no-untyped-def]
    return make_contract("officecore-standard-monthly", seats=50, **kwargs)


def _catch_up(contract, month: int):  # type: ignore[no-untyped-def]
    from billing.services.charges import _advance_catch_up

    period = calendar_month(D(2026, month, 1))
    return _advance_catch_up(contract, period, effective_policy(contract), seat_changes(contract))


@pytest.mark.django_db
def test_seats_added_last_month_are_caught_up_on_this_months_advance_invoice(presets):
    """BIL-4, CON-11 (000 art.15②): officecore (advance billing) 50 seats from 2026-01-01; +10 on
    2026-03-21 and +5 on 2026-03-25, −3 on 2026-03-28. April's invoice bills April for 62 seats
    (372,000) and catches up March's added days: 10 × 6,000 × 11/31 = 21,290.32 → 21,290 and
    5 × 6,000 × 7/31 = 6,774.19 → 6,774; the removal gives nothing back. May has nothing to catch up."""
    from billing.models import InvoiceLine

    contract = _officecore_monthly(start=D(2026, 1, 1))
    for seats, day in ((60, 21), (65, 25), (62, 28)):
        seats_change(contract=contract, seats=seats, today=D(2026, 3, day))
        contract.refresh_from_db()
    assert _catch_up(contract, 4) == [
        LineDraft(
            InvoiceLine.Kind.ADDED_SEATS,
            "인원 추가 10명 2026-03-21~2026-03-31 (11/31일 일할)",
            21_290,
            quantity=Decimal(10),
            unit_price_won=6_000,
            service_start=D(2026, 3, 21),
            service_end=D(2026, 3, 31),
            policy_basis="BIL-4 · CON-11 · officecore v1",
            contract_id=contract.pk,
        ),
        LineDraft(
            InvoiceLine.Kind.ADDED_SEATS,
            "인원 추가 5명 2026-03-25~2026-03-31 (7/31일 일할)",
            6_774,
            quantity=Decimal(5),
            unit_price_won=6_000,
            service_start=D(2026, 3, 25),
            service_end=D(2026, 3, 31),
            policy_basis="BIL-4 · CON-11 · officecore v1",
            contract_id=contract.pk,
        ),
    ]
    april = monthly_lines(contract, calendar_month(D(2026, 4, 1)), effective_policy(contract))
    assert [(line.kind, line.amount_won) for line in april] == [
        ("seats", 372_000),
        ("added_seats", 21_290),
        ("added_seats", 6_774),
    ]
    assert _catch_up(contract, 5) == []


@pytest.mark.django_db
def test_catch_up_counts_the_last_day_and_not_the_first_day_of_last_month(presets):
    """BIL-4: +10 on 2026-03-31 (the month's last day) is caught up for 1/31: 60,000/31 = 1,935.48 →
    1,935; +10 on 2026-04-01 (the next month's first day) was on April's own invoice at 60 seats already
    (seats on the period's first day), so May catches up nothing."""
    contract = _officecore_monthly(start=D(2026, 1, 1))
    seats_change(contract=contract, seats=60, today=D(2026, 3, 31))
    contract.refresh_from_db()
    (line,) = _catch_up(contract, 4)
    assert (line.amount_won, line.service_start, line.service_end) == (1_935, D(2026, 3, 31), D(2026, 3, 31))
    assert line.description == "인원 추가 10명 2026-03-31~2026-03-31 (1/31일 일할)"
    seats_change(contract=contract, seats=70, today=D(2026, 4, 1))
    contract.refresh_from_db()
    assert _catch_up(contract, 5) == []


@pytest.mark.django_db
def test_catch_up_after_a_mid_month_activation_and_never_for_the_first_period(presets):
    """BIL-4, CON-4: activated 2026-03-10 with 50 seats, +10 on 2026-03-20: April catches up
    10 × 6,000 × 12/31 = 23,225.8 → 23,225 (the days over March's 31, not over the 22 days used); March,
    the first period, has nothing to catch up, nor has a contract activated on April 1."""
    contract = _officecore_monthly(start=D(2026, 3, 10))
    seats_change(contract=contract, seats=60, today=D(2026, 3, 20))
    contract.refresh_from_db()
    (line,) = _catch_up(contract, 4)
    assert (line.amount_won, line.description) == (
        23_225,
        "인원 추가 10명 2026-03-20~2026-03-31 (12/31일 일할)",
    )
    assert _catch_up(contract, 3) == []
    fresh = _officecore_monthly(start=D(2026, 4, 1))
    assert _catch_up(fresh, 4) == []


@pytest.mark.django_db
def test_no_catch_up_without_the_midterm_rule_or_before_activation(presets):
    """BIL-4, CON-11: a policy without ``midterm_additions_prorated`` catches nothing up (+10 on
    2026-03-21 waits for April's seat count); a contract not activated catches nothing up."""
    from billing.services.charges import _advance_catch_up

    contract = _officecore_monthly(start=D(2026, 1, 1))
    seats_change(contract=contract, seats=60, today=D(2026, 3, 21))
    contract.refresh_from_db()
    off = policy("officecore", midterm_additions_prorated=False)
    april = calendar_month(D(2026, 4, 1))
    assert _advance_catch_up(contract, april, off, seat_changes(contract)) == []
    assert len(_advance_catch_up(contract, april, effective_policy(contract), seat_changes(contract))) == 1
    waiting = _officecore_monthly(start=D(2026, 1, 1), activate=False)
    assert _advance_catch_up(waiting, april, effective_policy(waiting), []) == []


@pytest.mark.django_db
def test_catch_up_over_anniversary_periods_counts_the_previous_anniversary_month(presets):
    """BIL-1, BIL-4: a policy billing by contract anniversary (periods 03-10..04-09, 04-10..05-09 for a
    contract activated 2026-03-10): +10 on 2026-04-05 is caught up on the second period for 04-05..04-09,
    5 of the first period's 31 days: 60,000 × 5/31 = 9,677.42 → 9,677. The first period (it starts on
    the activation day) has nothing to catch up."""
    from billing.services.charges import _advance_catch_up
    from billing.services.dates import anniversary_period
    from contracts.models import BillingPeriod

    contract = _officecore_monthly(start=D(2026, 3, 10))
    seats_change(contract=contract, seats=60, today=D(2026, 4, 5))
    contract.refresh_from_db()
    anniversary = policy("officecore", billing_period=BillingPeriod.CONTRACT_ANNIVERSARY)
    first, second = anniversary_period(D(2026, 3, 10), 0), anniversary_period(D(2026, 3, 10), 1)
    (line,) = _advance_catch_up(contract, second, anniversary, seat_changes(contract))
    assert (line.amount_won, line.service_start, line.service_end) == (9_677, D(2026, 4, 5), D(2026, 4, 9))
    assert line.description == "인원 추가 10명 2026-04-05~2026-04-09 (5/31일 일할)"
    assert _advance_catch_up(contract, first, anniversary, seat_changes(contract)) == []


# --------------------------------------------------------------------------- seat-days, additions: the edges


@pytest.mark.django_db
def test_seat_days_count_a_change_on_the_spans_last_day(presets):
    """BIL-4: 50 seats, +10 from 03-21, +5 from 03-25: seat-days of 03-01..03-25 = 50 × 20 + 60 × 4 +
    65 × 1 = 1,305 (the change on the last day counts for that day)."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 1), seats=50)
    for seats, day in ((60, 21), (65, 25)):
        seats_change(contract=contract, seats=seats, today=D(2026, 3, day))
        contract.refresh_from_db()
    assert seat_days(contract, D(2026, 3, 1), D(2026, 3, 25), seat_changes(contract)) == 1_305


@pytest.mark.django_db
def test_no_annual_addition_line_without_a_seat_rate_or_on_a_periods_first_day(presets):
    """BIL-5: a plan whose seats cost nothing (no annual nor monthly seat price) bills no addition; seats
    added on the first day of a period are in that period's up-front line, not an addition."""
    from contracts.models import ContractPeriod, Plan

    contract, cperiod = _flow_annual_with_three_added(D(2026, 8, 1))
    starting = ContractPeriod(contract=contract, number=2, starts_on=D(2026, 8, 1), ends_on=D(2027, 7, 31))
    assert annual_addition_lines(contract, starting, D(2026, 8, 1), effective_policy(contract)) == []
    Plan.objects.filter(pk=contract.plan_id).update(
        monthly_price_per_seat_won=0, annual_monthly_price_per_seat_won=0
    )
    contract.refresh_from_db()
    assert annual_addition_lines(contract, cperiod, D(2026, 8, 1), effective_policy(contract)) == []


# ---------------------------------------------------------------- monthly lines by seat basis (BIL-4, BIL-5)


@pytest.mark.django_db
def test_flow_peak_line_in_full_and_without_a_days_note_when_not_prorated(presets):
    """BIL-5 (001 art.19-3), BIL-13: flow monthly activated 2026-03-10 with 3 registered users: March
    bills the peak, 3 × 10,000 = 30,000, a full month (flow does not prorate, so no days note); a
    termination effective 04-14 (14 days used, under flow's 15) makes April free, with no note either.
    Under a policy that prorates and rounds up, March is 30,000 × 22/31 = 21,290.32 → 21,291 with the
    days noted."""
    from billing.models import InvoiceLine
    from contracts.services.seats import seat_assign

    contract = make_contract("flow-business-monthly", start=D(2026, 3, 10))
    for member in add_members(contract.customer, 3):
        seat_assign(contract=contract, member=member, today=D(2026, 3, 10))
    march = calendar_month(D(2026, 3, 1))
    assert monthly_lines(contract, march, effective_policy(contract)) == [
        LineDraft(
            InvoiceLine.Kind.SEATS,
            "플로우 비즈니스 (월간) 2026년 3월 월중 최대 등록 인원 3명 × 10,000원",
            30_000,
            quantity=Decimal(3),
            unit_price_won=10_000,
            service_start=D(2026, 3, 10),
            service_end=D(2026, 3, 31),
            policy_basis="BIL-5 · flow v1",
            contract_id=contract.pk,
        )
    ]
    contract.termination_effective_on = D(2026, 4, 14)
    (april,) = monthly_lines(contract, calendar_month(D(2026, 4, 1)), effective_policy(contract))
    assert (april.amount_won, april.description) == (
        0,
        "플로우 비즈니스 (월간) 2026년 4월 월중 최대 등록 인원 3명 × 10,000원",
    )
    prorating = policy("flow", prorate_by_day=True, rounding=Rounding.CEIL)
    (line,) = monthly_lines(contract, march, prorating)
    assert (line.amount_won, line.description) == (
        21_291,
        "플로우 비즈니스 (월간) 2026년 3월 월중 최대 등록 인원 3명 × 10,000원 (22/31일 일할)",
    )


@pytest.mark.django_db
def test_advance_seats_line_of_a_part_month_in_full(presets):
    """BIL-4: officecore (advance) activated 2026-01-05 with 50 seats: 50 × 6,000 × 27/31 = 261,290.32 →
    261,290 (truncate) or 261,291 (a policy rounding up), with the days noted and the rule cited."""
    from billing.models import InvoiceLine

    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=50)
    january = calendar_month(D(2026, 1, 1))
    seats_line, _setup = monthly_lines(contract, january, effective_policy(contract))
    assert seats_line == LineDraft(
        InvoiceLine.Kind.SEATS,
        "오피스코어 스탠다드 (월간) 2026년 1월 인원 요금 50명 × 6,000원 (27/31일 일할)",
        261_290,
        quantity=Decimal(50),
        unit_price_won=6_000,
        service_start=D(2026, 1, 5),
        service_end=D(2026, 1, 31),
        policy_basis="BIL-4 · officecore v1",
        contract_id=contract.pk,
    )
    rounding_up = policy("officecore", rounding=Rounding.CEIL)
    assert monthly_lines(contract, january, rounding_up)[0].amount_won == 261_291


@pytest.mark.django_db
def test_arrears_contracted_seats_bill_the_average_over_the_month(presets):
    """BIL-4, BIL-5: a policy billing contracted seats in arrears (officecore's prices, arrears): 50
    seats, +10 from 03-21: seat-days 50 × 20 + 60 × 11 = 1,660, so March bills 1,660 × 6,000 / 31 =
    321,290.32 → 321,290 for an average of 53.55 seats. Activated 2026-03-10 instead: seat-days 50 × 11
    + 60 × 11 = 1,210 over 22 days used, an average of 55: prorated by day 1,210 × 6,000 / 31 =
    234,193.55 → 234,193 (days noted); not prorated, a full month of the average, 55 × 6,000 =
    330,000. A policy rounding up bills the whole month 321,291, prorated or not. A termination month
    used 10 days, under a 15-day threshold of a policy that does not prorate, is free (BIL-13)."""
    from billing.models import InvoiceLine
    from contracts.models import BillingTiming

    arrears = policy("officecore", billing_timing=BillingTiming.ARREARS)
    march = calendar_month(D(2026, 3, 1))
    whole = make_contract("officecore-standard-monthly", start=D(2026, 1, 1), seats=50)
    late = make_contract("officecore-standard-monthly", start=D(2026, 3, 10), seats=50)
    for contract in (whole, late):
        seats_change(contract=contract, seats=60, today=D(2026, 3, 21))
        contract.refresh_from_db()
    (line,) = monthly_lines(whole, march, arrears)
    assert line == LineDraft(
        InvoiceLine.Kind.SEATS,
        "오피스코어 스탠다드 (월간) 2026년 3월 인원 요금 53.55명 × 6,000원",
        321_290,
        quantity=Decimal(1_660) / Decimal(31),
        unit_price_won=6_000,
        service_start=D(2026, 3, 1),
        service_end=D(2026, 3, 31),
        policy_basis="BIL-4 · officecore v1",
        contract_id=whole.pk,
    )
    seats_line, _setup = monthly_lines(late, march, arrears)
    assert (seats_line.amount_won, seats_line.quantity) == (234_193, Decimal(55))
    assert (
        seats_line.description
        == "오피스코어 스탠다드 (월간) 2026년 3월 인원 요금 55명 × 6,000원 (22/31일 일할)"
    )
    not_prorated = policy("officecore", billing_timing=BillingTiming.ARREARS, prorate_by_day=False)
    seats_line, _setup = monthly_lines(late, march, not_prorated)
    assert (seats_line.amount_won, seats_line.description) == (
        330_000,
        "오피스코어 스탠다드 (월간) 2026년 3월 인원 요금 55명 × 6,000원",
    )
    for prorate in (True, False):  # the whole month rounded up either way: 321,290.32 → 321,291
        rounding_up = policy(
            "officecore", billing_timing=BillingTiming.ARREARS, prorate_by_day=prorate, rounding=Rounding.CEIL
        )
        assert monthly_lines(whole, march, rounding_up)[0].amount_won == 321_291
    leaving = policy(
        "officecore",
        billing_timing=BillingTiming.ARREARS,
        prorate_by_day=False,
        termination_used_month_threshold_days=15,
    )
    whole.termination_effective_on = D(2026, 3, 10)  # 10 days used, under 15: the month is free
    assert monthly_lines(whole, march, leaving)[0].amount_won == 0


def test_invoice_totals_use_the_policys_vat_rate_and_rounding():
    """BIL-9: VAT-exclusive lines of 100,001 and 5 at a 5 % rate rounded up: 100,006 + 5,000.3 → 5,001;
    truncated 5,000; VAT-inclusive 100,006 at 5 %: VAT 100,006 × 5/105 = 4,762.19 → 4,762 (truncate)."""
    up = invoice_totals([100_001, 5], vat_included=False, rate_percent=Decimal(5), mode=Rounding.CEIL)
    assert (up.supply_won, up.vat_won, up.total_won) == (100_006, 5_001, 105_007)
    down = invoice_totals([100_001, 5], vat_included=False, rate_percent=Decimal(5), mode=Rounding.TRUNCATE)
    assert (down.supply_won, down.vat_won) == (100_006, 5_000)
    inside = invoice_totals([100_006], vat_included=True, rate_percent=Decimal(5), mode=Rounding.TRUNCATE)
    assert (inside.vat_won, inside.total_won) == (4_762, 100_006)


@pytest.mark.django_db
def test_usage_lines_in_full(presets):
    """BIL-6 (003 art.6-3): kgmsg from 2026-01-01; 1,200 successful SMS and 10 LMS in March: one line per
    type, LMS 10 × 27 = 270 and SMS 1,200 × 9 = 10,800, each for the month's days with the rule cited."""
    from billing.models import InvoiceLine
    from billing.services.usage import usage_record

    contract = make_contract("kgmsg-standard", start=D(2026, 1, 1))
    usage_record(contract=contract, day=D(2026, 3, 2), unit="sms", quantity=1_200, source_ref="r1")
    usage_record(contract=contract, day=D(2026, 3, 31), unit="lms", quantity=10, source_ref="r2")
    march = {"service_start": D(2026, 3, 1), "service_end": D(2026, 3, 31), "contract_id": contract.pk}
    assert monthly_lines(contract, calendar_month(D(2026, 3, 1)), effective_policy(contract)) == [
        LineDraft(
            InvoiceLine.Kind.USAGE,
            "2026년 3월 LMS 성공 10건 × 27원",
            270,
            quantity=Decimal(10),
            unit_price_won=27,
            policy_basis="BIL-6 · 003 제6조③",
            **march,
        ),
        LineDraft(
            InvoiceLine.Kind.USAGE,
            "2026년 3월 SMS 성공 1,200건 × 9원",
            10_800,
            quantity=Decimal(1_200),
            unit_price_won=9,
            policy_basis="BIL-6 · 003 제6조③",
            **march,
        ),
    ]


@pytest.mark.django_db
def test_a_contract_activated_on_the_periods_last_day_is_billed_that_day(presets):
    """BIL-4, CON-4: dcloud activated 2026-01-31 uses one day of January: 300,000 × 1/31 = 9,677.42 →
    9,677, for 01-31..01-31."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 31))
    (line,) = monthly_lines(contract, calendar_month(D(2026, 1, 1)), effective_policy(contract))
    assert (line.amount_won, line.service_start, line.service_end) == (9_677, D(2026, 1, 31), D(2026, 1, 31))


@pytest.mark.django_db
def test_catch_up_looks_past_changes_outside_last_month(presets):
    """BIL-4: +5 seats on 2026-02-10 (caught up in March) and +10 on 2026-03-21: April catches up only
    March's 10 × 6,000 × 11/31 = 21,290.32 → 21,290, the earlier change notwithstanding."""
    contract = _officecore_monthly(start=D(2026, 1, 1))
    for seats, day in ((55, D(2026, 2, 10)), (65, D(2026, 3, 21))):
        seats_change(contract=contract, seats=seats, today=day)
        contract.refresh_from_db()
    assert [line.amount_won for line in _catch_up(contract, 4)] == [21_290]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "plan_code",
    ["officecore-standard-monthly", "flow-business-monthly", "dcloud-vm-standard", "kgmsg-standard",
     "damoa-standard"],
)
def test_nothing_to_charge_only_when_the_months_lines_are_empty(presets, plan_code):
    """BIL-4, BIL-6, issue 16: the invoice run's shortcut says "nothing to charge" for a month only when
    the month's lines are in fact empty: a plan with a fee or seats never; a usage-only plan when no usage
    was recorded in the days in service, and not once there is some."""
    from billing.models import UsageRecord
    from billing.services.charges import monthly_lines, nothing_to_charge

    from .conftest import make_contract

    contract = make_contract(plan_code, start=D(2026, 1, 1))
    policy = effective_policy(contract)
    months = [Period(D(2026, 1, 1), D(2026, 1, 31)), Period(D(2026, 2, 1), D(2026, 2, 28))]
    for period in months:
        if nothing_to_charge(contract, period):
            assert monthly_lines(contract, period, policy) == [], (plan_code, period)
    usage_only = not (contract.plan.monthly_fee_won or contract.plan.monthly_price_per_seat_won)
    assert nothing_to_charge(contract, months[1]) is usage_only
    UsageRecord.objects.create(contract=contract, day=D(2026, 2, 27), unit="sms", quantity=3)
    assert nothing_to_charge(contract, months[1]) is False
    assert monthly_lines(contract, months[1], policy) != []
