"""BIL-19 promotions at their edges (issue 9 mutation testing of ``billing/services/charges.py``): which
periods a promotion takes (granted before activation, annual periods, anniversary periods), the lines in
full, the fees they are weighed against, and the last won. Every expected figure is worked out by hand
in the docstring."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from billing.services.charges import (
    LineDraft,
    monthly_lines,
)
from billing.services.dates import Period, calendar_month
from contracts.effective import effective_policy
from core.money import Rounding

from .conftest import make_contract
from .test_charges_edges import policy

D = dt.date


@pytest.fixture(autouse=True)
def _korean():
    with translation.override("ko"):
        yield


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


@pytest.mark.django_db
def test_promotions_over_anniversary_periods_count_from_the_period_they_start_in(presets):
    """BIL-19, BIL-1: a policy billing by contract anniversary, damoa activated 2026-03-10 (periods
    03-10..04-09, 04-10..05-09, 05-10..06-09), 300,000 a period. A 10 % discount for 2 periods starting
    2026-04-05 (inside the first period) takes the first two: −30,000, −30,000, nothing. One granted
    from 2026-01-01, before activation, counts its periods from activation: the same."""
    from billing.services import promotions
    from billing.services.charges import promotion_lines
    from billing.services.dates import anniversary_period
    from contracts.models import BillingPeriod

    anniversary = policy("damoa", billing_period=BillingPeriod.CONTRACT_ANNIVERSARY)
    periods = [anniversary_period(D(2026, 3, 10), i) for i in range(3)]
    for starts_on in (D(2026, 4, 5), D(2026, 1, 1)):
        contract = make_contract("damoa-standard", start=D(2026, 3, 10))
        promotions.promotion_add(
            contract=contract, kind="percent", percent=10, periods=2, starts_on=starts_on
        )
        fees = [LineDraft("base_fee", "기본료", 300_000, contract_id=contract.pk)]
        amounts = [
            [line.amount_won for line in promotion_lines(contract, p, fees, anniversary)] for p in periods
        ]
        assert amounts == [[-30_000], [-30_000], []], starts_on


# --------------------------------------------------------------------------- promotion lines (BIL-19)


def _damoa_march_with(*grants):  # type: ignore[no-untyped-def]
    """damoa from 2026-03-01 (300,000 for March) with ``grants`` (promotion_add keywords) from 03-01."""
    from billing.services import promotions

    contract = make_contract("damoa-standard", start=D(2026, 3, 1))
    for grant in grants:
        promotions.promotion_add(contract=contract, starts_on=D(2026, 3, 1), **grant)
    return contract


def _promotions_for(contract, fees, policy_now=None):  # type: ignore[no-untyped-def]
    from billing.services.charges import promotion_lines

    policy_now = policy_now or effective_policy(contract)
    return promotion_lines(contract, calendar_month(D(2026, 3, 1)), fees, policy_now)


@pytest.mark.django_db
def test_promotion_lines_in_full_one_after_another(presets):
    """BIL-19 (000 art.15⑤): March's fees 300,000; a 100,000 discount, then a long-term free period that
    takes the 200,000 left: two negative lines for the month, the second tagged as a long-term
    discount."""
    from billing.models import InvoiceLine

    contract = _damoa_march_with(
        {"kind": "amount", "amount_won": 100_000, "description": "가입 할인"},
        {"kind": "free_period", "description": "장기계약 무료", "is_long_term_discount": True},
    )
    fees = [LineDraft("base_fee", "3월 기본료", 300_000, contract_id=contract.pk)]
    month_days = {"service_start": D(2026, 3, 1), "service_end": D(2026, 3, 31), "contract_id": contract.pk}
    assert _promotions_for(contract, fees) == [
        LineDraft(
            InvoiceLine.Kind.PROMOTION,
            "가입 할인 (정액 할인)",
            -100_000,
            unit_price_won=-100_000,
            policy_basis="BIL-19 · 000 제15조⑤",
            **month_days,
        ),
        LineDraft(
            InvoiceLine.Kind.PROMOTION,
            "장기계약 무료 (무료 기간)",
            -200_000,
            unit_price_won=-200_000,
            policy_basis="BIL-19 · 000 제15조⑤ [장기계약]",
            **month_days,
        ),
    ]


@pytest.mark.django_db
def test_a_promotion_is_weighed_against_this_contracts_fees_only(presets):
    """BIL-19: 10 % of this contract's fees (300,000 → 30,000), not of another contract's line on the
    same invoice nor of this contract's one-time setup fee; under a policy rounding up, 10 % of 300,005
    is 30,001 (truncated: 30,000)."""
    contract = _damoa_march_with({"kind": "percent", "percent": 10})
    fees = [
        LineDraft("base_fee", "기본료", 300_000, contract_id=contract.pk),
        LineDraft("base_fee", "다른 계약", 500_000, contract_id=contract.pk + 1000),
        LineDraft("setup_fee", "설치비", 200_000, contract_id=contract.pk),
    ]
    assert [line.amount_won for line in _promotions_for(contract, fees)] == [-30_000]
    odd = [LineDraft("base_fee", "기본료", 300_005, contract_id=contract.pk)]
    assert [line.amount_won for line in _promotions_for(contract, odd)] == [-30_000]
    rounding_up = policy("damoa", rounding=Rounding.CEIL)
    assert [line.amount_won for line in _promotions_for(contract, odd, rounding_up)] == [-30_001]


@pytest.mark.django_db
def test_promotions_down_to_the_last_won(presets):
    """BIL-19: fees of 1 won take a free period's −1; a 299,999 discount leaves 1 won that a free period
    after it takes; 10 % of 5 won is 0 (no line) and a free period after it takes the 5; 10 % of 10 won
    is −1."""
    free = {"kind": "free_period"}
    one = _damoa_march_with(free)
    assert [
        line.amount_won for line in _promotions_for(one, [LineDraft("usage", "u", 1, contract_id=one.pk)])
    ] == [-1]
    rest = _damoa_march_with({"kind": "amount", "amount_won": 299_999}, free)
    fees = [LineDraft("base_fee", "기본료", 300_000, contract_id=rest.pk)]
    assert [line.amount_won for line in _promotions_for(rest, fees)] == [-299_999, -1]
    tiny = _damoa_march_with({"kind": "percent", "percent": 10}, free)
    assert [
        line.amount_won for line in _promotions_for(tiny, [LineDraft("usage", "u", 5, contract_id=tiny.pk)])
    ] == [-5]
    ten = _damoa_march_with({"kind": "percent", "percent": 10})
    assert [
        line.amount_won for line in _promotions_for(ten, [LineDraft("usage", "u", 10, contract_id=ten.pk)])
    ] == [-1]
