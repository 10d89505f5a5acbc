"""The final settlement at its edges (BIL-12, BIL-13, BIL-15, CON-8): withdrawal after activation under each
preset's rule, the annual refunds' texts, the used-month count of BIL-13 and the bounds of the pure
refund formulas. Every figure is worked out by hand in the docstring (policy rounding: truncate unless
the test switches it with a signed special term)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from billing.models import Invoice, InvoiceLine, LedgerEntry, Promotion
from billing.models import Settlement as SettlementRecord
from billing.services import promotions, usage
from billing.services.invoicing import invoices_generate
from billing.services.settlement import (
    _months_used,
    annual_prepay_refund,
    prepaid_refund,
    settle_terminations,
    settlement_compute,
    settlement_issue,
)
from contracts.models import Contract
from contracts.services import seats, termination
from contracts.services.changes import special_term_set

from .conftest import D, add_members, make_contract
from .payment_factories import make_invoice

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _calculator_installed():  # type: ignore[no-untyped-def]
    """The settlement calculator wired as in production; termination not held back for unpaid fees (the
    numbers are what is tested here)."""
    from django.apps import apps

    from contracts.services import applications

    apps.get_app_config("billing").ready()
    applications.set_unpaid_lookup(lambda customer, day: 0)


def lines_of(settlement) -> list[tuple[str, int, str]]:  # type: ignore[no-untyped-def]
    return [(line.kind, line.amount_won, line.description) for line in settlement.lines]


def set_rounding(contract: Contract, mode: str) -> None:
    special_term_set(
        contract=contract, parameter="rounding", value=mode, note=f"원 미만 {mode}", signed_on=D(2025, 12, 1)
    )


# --------------------------------------------------------------------------- pure formulas


def test_prepaid_refund_bounds():
    """BIL-12: a one-day line refunded for its one day is refunded whole (3,000); one day of 30 of 3,000 is
    100; a 1-won line is 1 won back."""
    assert prepaid_refund(3_000, 1, 1, "truncate") == 3_000
    assert prepaid_refund(3_000, 30, 1, "truncate") == 100
    assert prepaid_refund(1, 1, 1, "truncate") == 1


def test_annual_prepay_refund_of_a_one_month_term():
    """BIL-15: a one-month term, half used: 90,000 net − 100,000 gross × 1/2 = 40,000."""
    refund = annual_prepay_refund(
        prepaid_net_won=90_000,
        prepaid_gross_won=100_000,
        used=Fraction(1, 2),
        term=Fraction(1),
        mode="truncate",
    )
    assert refund == 40_000


@pytest.mark.parametrize(
    ("start", "effective_on", "expected"),
    [
        (D(2026, 1, 1), D(2026, 1, 10), (0, 10)),  # 10 days: under 15, not a used month
        (D(2026, 1, 1), D(2026, 5, 31), (5, 0)),  # five whole months, nothing started
        (D(2026, 1, 1), D(2026, 6, 1), (5, 1)),  # the sixth month started on its first day
        (D(2026, 1, 31), D(2026, 2, 27), (1, 0)),  # 01-31 + 1 month = 02-28: a whole month
    ],
)
def test_months_used_counts_whole_months_and_the_started_one(start, effective_on, expected):
    """BIL-13 [reading] (001 art.20-4): whole months from the term's start to the effective date, and the
    days of the month started (a used month from 15 days)."""
    assert _months_used(start, effective_on, 15) == expected


# --------------------------------------------------------------------------- withdrawal (CON-8)


def test_officecore_withdrawal_refunds_every_period_fee_but_the_setup_fee(presets):
    """CON-8 (000 art.18⑤): officecore from 2026-03-02, 50 accounts × 6,000 × 30/31 days = 290,322 (9,000,000
    / 31 = 290,322.58, truncated), a 30,000 promotion and the 200,000 setup fee billed; a seat is in use
    (officecore refunds used contracts too). Withdrawn 03-06: 290,322 − 30,000 = 260,322 back, VAT 26,032
    (10 % of 260,322, truncated) → a refund of 286,354."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 3, 2))
    promotions.promotion_add(
        contract=contract, kind=Promotion.Kind.AMOUNT, amount_won=30_000, starts_on=D(2026, 3, 2)
    )
    seats.seat_assign(contract=contract, member=add_members(contract.customer, 1)[0], today=D(2026, 3, 3))
    invoices_generate(today=D(2026, 3, 2))
    termination.contract_withdraw(contract=contract, today=D(2026, 3, 6))
    shown = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 3, 6), False)
    assert lines_of(shown)[:2] == [
        (
            "refund",
            -260_322,
            "청약 철회: 납부한 이용료 290,322원 − 할인 30,000원, 일회성 비용 제외 전액 환불 "
            "(약관 제18조⑤)",
        ),
        ("vat", -26_032, "부가세 10% (과세 대상 -260,322원, 위약금 제외)"),
    ]
    assert settle_terminations(today=D(2026, 3, 6))["refunds"] == 1
    assert SettlementRecord.objects.get(contract=contract).refund.amount_won == 286_354


@pytest.mark.parametrize("used_by", ["seat", "usage"])
def test_damoa_withdrawal_of_a_used_contract_refunds_only_the_days_after(presets, used_by):
    """CON-8 (004 art.24): damoa refunds everything only when unused. Used (a seat, or a usage record), it
    gets back the days after the withdrawal: March from 03-03 billed 300,000 × 29/31 = 280,645 (truncated);
    withdrawn 03-06 → 03-07..03-31 = 25 of 29 days → 280,645 × 25 / 29 = 241,935 (truncated), VAT 24,193."""
    contract = make_contract("damoa-standard", start=D(2026, 3, 3), applied_on=D(2026, 3, 2), term_months=12)
    invoices_generate(today=D(2026, 3, 5))
    if used_by == "seat":
        seats.seat_assign(contract=contract, member=add_members(contract.customer, 1)[0], today=D(2026, 3, 4))
    else:
        usage.usage_record(
            contract=contract, day=D(2026, 3, 4), unit="api_call", quantity=1, source_ref="u-1"
        )
    termination.contract_withdraw(contract=contract, today=D(2026, 3, 6))
    shown = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 3, 6), False)
    assert lines_of(shown)[:2] == [
        (
            "refund",
            -241_935,
            "해지 후 잔여기간 일할 환불 (2026-03-07~): 280,645원 × 잔여 25/29일 = 241,935원",
        ),
        ("vat", -24_193, "부가세 10% (과세 대상 -241,935원, 위약금 제외)"),
    ]


@pytest.mark.parametrize(
    ("mode", "march", "total", "vat"),
    [
        # 100,000 × 4/31 = 12,903.2; total 22,903, VAT inside 22,903 / 11 = 2,082.09
        ("truncate", 12_903, 22_903, 2_082),
        # rounded up: 12,904; total 22,904, VAT 22,904 / 11 = 2,082.18 → 2,083
        ("ceil", 12_904, 22_904, 2_083),
    ],
)
def test_flow_withdrawal_charges_the_used_days_of_each_period(presets, mode, march, total, vat):
    """CON-8 (001 art.20-1): flow charges the days used. 10 seats × 10,000 = 100,000 a month, from 03-28,
    withdrawn 04-03, nothing invoiced yet: 03-28..03-31 = 4/31 of 100,000 and 04-01..04-03 = 3/30 = 10,000,
    by the policy's rounding. flow prices include VAT: the final invoice carries the VAT inside."""
    contract = make_contract("flow-business-monthly", start=D(2026, 3, 28))
    if mode != "truncate":
        set_rounding(contract, mode)
    termination.contract_withdraw(contract=contract, today=D(2026, 4, 3))
    record = settlement_issue(contract=Contract.objects.get(pk=contract.pk), today=D(2026, 4, 3))
    assert record.issued_on == D(2026, 4, 3) and record.refund is None
    invoice = record.invoice
    assert (invoice.kind, invoice.total_won, invoice.vat_won, invoice.supply_won) == (
        Invoice.Kind.FINAL,
        total,
        vat,
        total - vat,
    )
    assert [
        (line.kind, line.amount_won, line.description) for line in invoice.lines.order_by("position")
    ] == [
        (
            InvoiceLine.Kind.SETTLEMENT,
            march,
            "청약 철회: 사용 기간 2026-03-28~2026-03-31 이용료 100,000원 × 4/31일 (약관 제20조①)",
        ),
        (
            InvoiceLine.Kind.SETTLEMENT,
            10_000,
            "청약 철회: 사용 기간 2026-04-01~2026-04-03 이용료 100,000원 × 3/30일 (약관 제20조①)",
        ),
    ]
    assert LedgerEntry.objects.get(invoice=invoice).amount_won == total
    assert settlement_issue(contract=contract, today=D(2026, 4, 4)).pk == record.pk  # once


def test_flow_withdrawal_does_not_charge_a_period_already_invoiced(presets):
    """CON-8 (001 art.20-1): March (03-28..03-31) already on a regular invoice for 12,903; withdrawn 04-03:
    only April's 3/30 × 100,000 = 10,000 is charged."""
    contract = make_contract("flow-business-monthly", start=D(2026, 3, 28))
    march = make_invoice(
        contract.customer, 12_903, policy=contract.policy, vat_inclusive=True, issue_date=D(2026, 4, 1)
    )
    InvoiceLine.objects.create(
        invoice=march,
        contract=contract,
        kind=InvoiceLine.Kind.SEATS,
        description="2026-03 인원 요금",
        amount_won=12_903,
        service_start=D(2026, 3, 28),
        service_end=D(2026, 3, 31),
    )
    termination.contract_withdraw(contract=contract, today=D(2026, 4, 3))
    shown = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 4, 3), False)
    charges = [(kind, amount) for kind, amount, _text in lines_of(shown) if kind in ("charge", "refund")]
    assert charges == [("charge", 10_000)]


# --------------------------------------------------------------------------- annual contracts


def test_officecore_annual_termination_refunds_the_days_after_not_a_conversion(presets):
    """BIL-12 (000 art.18②): officecore annual from 2026-01-01, 50 × 5,000 × 12 = 3,000,000 prepaid for 365
    days (and the 200,000 setup fee, not refunded). Effective 06-30: 07-01..12-31 = 184 days →
    3,000,000 × 184 / 365 = 1,512,328 (1,512,328.77 truncated); officecore does not convert an annual
    prepayment into monthly fees (that is BIL-15, dcloud)."""
    contract = make_contract(
        "officecore-standard-annual", start=D(2026, 1, 1), cycle="annual", term_months=12
    )
    invoices_generate(today=D(2026, 1, 1))
    shown = settlement_compute(contract, D(2026, 6, 30), False)
    refund = next(line for line in shown.lines if line.kind == "refund")
    assert refund.amount_won == -1_512_328
    assert refund.description == (
        "해지 후 잔여기간 일할 환불 (2026-07-01~): 3,000,000원 × 잔여 184/365일 = 1,512,328원, "
        "일회성 비용 환불 제외 (약관 제18조②③④)"
    )


def _dcloud_annual() -> Contract:
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 1), cycle="annual", term_months=12)
    promotions.promotion_add(
        contract=contract,
        kind=Promotion.Kind.PERCENT,
        percent=10,
        starts_on=D(2026, 1, 1),
        description="연납 할인",
    )
    invoices_generate(today=D(2026, 1, 1))
    return contract


def test_dcloud_annual_prepayment_refund_names_its_working(presets):
    """BIL-15 (002 art.20⑦): 3,600,000 gross − 360,000 annual discount = 3,240,000 prepaid = 270,000 a month
    over 12; 6 months used: 3,240,000 − 3,600,000 × 6/12 = 1,440,000 back."""
    shown = settlement_compute(_dcloud_annual(), D(2026, 6, 30), False)
    refund = next(line for line in shown.lines if line.kind == "refund")
    assert refund.amount_won == -1_440_000
    assert refund.description == (
        "연납 환불: 선납 3,240,000원을 월 270,000원·일 단위로 환산, 이용 6개월 이용료와 연납 할인 "
        "360,000원 중 이용분 차감 = 1,440,000원 (약관 제20조⑦)"
    )


def test_dcloud_annual_prepayment_used_up_has_no_refund_line(presets):
    """BIL-15: ending on the term's last day, 3,240,000 − 3,600,000 × 12/12 is below zero: nothing back and
    no refund line."""
    shown = settlement_compute(_dcloud_annual(), D(2026, 12, 31), False)
    assert [line for line in shown.lines if line.kind == "refund"] == []


def test_settlement_issue_returns_the_record(presets):
    """CON-7: ``settlement_issue`` returns the settlement record it issued (dated the day of issue)."""
    contract = make_contract("damoa-standard", start=D(2026, 3, 3), applied_on=D(2026, 3, 2), term_months=12)
    invoices_generate(today=D(2026, 3, 5))
    termination.contract_withdraw(contract=contract, today=D(2026, 3, 6))
    record = settlement_issue(contract=Contract.objects.get(pk=contract.pk), today=D(2026, 3, 7))
    assert isinstance(record, SettlementRecord) and record.issued_on == D(2026, 3, 7)
    assert dt.date(2026, 3, 6) == record.effective_on


def test_damoa_withdrawal_of_an_unused_contract_names_its_rule_and_no_setup_fee(presets):
    """CON-8 (004 art.24): unused, everything billed comes back: March from 03-03 = 300,000 × 29/31 =
    280,645 (truncated); damoa bills no setup fee, so none is mentioned; VAT 28,064 (28,064.5 truncated)."""
    contract = make_contract("damoa-standard", start=D(2026, 3, 3), applied_on=D(2026, 3, 2), term_months=12)
    invoices_generate(today=D(2026, 3, 5))
    termination.contract_withdraw(contract=contract, today=D(2026, 3, 6))
    shown = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 3, 6), False)
    assert lines_of(shown)[:2] == [
        ("refund", -280_645, "청약 철회: 납부한 이용료 280,645원 전액 환불 (약관 제24조)"),
        ("vat", -28_064, "부가세 10% (과세 대상 -280,645원, 위약금 제외)"),
    ]


def test_officecore_withdrawal_with_promotions_above_the_fees_refunds_nothing(presets):
    """CON-8 (000 art.18⑤), BIL-12: a 400,000 promotion against 290,322 of fees: the fees less the
    discount are not above 0, so 0 comes back (never a charge, never a token won)."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 3, 2))
    promotions.promotion_add(
        contract=contract, kind=Promotion.Kind.AMOUNT, amount_won=400_000, starts_on=D(2026, 3, 2)
    )
    invoices_generate(today=D(2026, 3, 2))
    termination.contract_withdraw(contract=contract, today=D(2026, 3, 6))
    shown = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 3, 6), False)
    refunds = [amount for kind, amount, _text in lines_of(shown) if kind == "refund"]
    assert refunds == [0]


def test_flow_withdrawal_gives_back_days_billed_in_advance_by_day(presets):
    """CON-8 (001 art.20-1), BIL-4: April (04-01..04-30) already billed 100,000; withdrawn 04-03: April is not
    charged again and 04-04..04-30 = 27 of 30 days come back: 100,000 × 27/30 = 90,000 (flow has no
    promotion rule for a withdrawal: BIL-4, not BIL-12)."""
    contract = make_contract("flow-business-monthly", start=D(2026, 4, 1))
    april = make_invoice(
        contract.customer, 100_000, policy=contract.policy, vat_inclusive=True, issue_date=D(2026, 4, 1)
    )
    InvoiceLine.objects.create(
        invoice=april,
        contract=contract,
        kind=InvoiceLine.Kind.SEATS,
        description="2026-04 인원 요금",
        amount_won=100_000,
        service_start=D(2026, 4, 1),
        service_end=D(2026, 4, 30),
    )
    termination.contract_withdraw(contract=contract, today=D(2026, 4, 3))
    shown = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 4, 3), False)
    issued = [(kind, amount, text) for kind, amount, text in lines_of(shown) if kind in ("charge", "refund")]
    assert issued == [
        (
            "refund",
            -90_000,
            "해지 후 잔여기간 일할 환불 (2026-04-04~): 100,000원 × 잔여 27/30일 = 90,000원",
        )
    ]
