"""Edge cases of the money rules that planted bugs slipped past (issue 9): every expected amount is worked
out by hand in the docstring and written as a literal won figure.

BIL-2 (one regular invoice per customer and period, enforced by the database), BIL-4 and BIL-12/13 with
the policy's rounding mode, BIL-5 (a peak on the period's last day), BIL-12 (promotions larger than the
refund), BIL-13 (the 30-day seat look-back of a flow annual termination)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from billing.models import Invoice, Promotion, Refund, SeatSnapshot
from billing.models import Settlement as SettlementRecord
from billing.services import promotions
from billing.services.charges import monthly_lines
from billing.services.dates import calendar_month
from billing.services.invoicing import invoices_generate
from billing.services.payments import payment_record
from billing.services.seats import peak_registered, snapshot_seats
from billing.services.settlement import issued_total, settle_terminations, settlement_compute
from contracts.effective import effective_policy
from contracts.models import Contract
from contracts.services import seats, termination
from contracts.services.changes import seats_change, special_term_set
from core import clock

from .conftest import D, add_members, make_contract


@pytest.fixture(autouse=True)
def _calculator_installed():
    """The real settlement calculator billing installs into contracts (another module may reset it)."""
    from django.apps import apps

    apps.get_app_config("billing").ready()


def refund_of(settlement) -> int:
    return sum(line.amount_won for line in settlement.lines if line.kind == "refund")


def pay_all(contract: Contract, day: dt.date) -> None:
    """The customer pays every open invoice in full on ``day`` (so termination is not held, CON-7)."""
    for invoice in Invoice.objects.filter(customer=contract.customer, status=Invoice.Status.ISSUED):
        payment_record(
            customer=contract.customer,
            amount_won=invoice.total_won,
            method="bank_transfer",
            received_on=day,
            invoice=invoice,
        )


def set_rounding(contract: Contract, mode: str) -> None:
    """A signed special term (CON-12) switching this contract's rounding (SPEC §5: a policy parameter)."""
    special_term_set(
        contract=contract, parameter="rounding", value=mode, note=f"원 미만 {mode}", signed_on=D(2025, 12, 1)
    )


# --------------------------------------------------------------------------- BIL-12 promotion floor


@pytest.mark.django_db
@pytest.mark.parametrize(("promotion", "refund"), [(120_000, 0), (90_000, 0), (89_999, 1)])
def test_officecore_promotions_above_the_refund_leave_nothing_to_charge(presets, promotion, refund):
    """BIL-12 (000 art.18②④): November prepaid 300,000, effective 2026-11-21 → 9 of 30 days unused =
    90,000; minus the promotion received in October. 120,000 and 90,000 received → refund 0 (never a
    charge on a final invoice); 89,999 → 1 won (VAT 1 × 10% = 0.1 → 0)."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 10, 1))
    promotions.promotion_add(
        contract=contract, kind=Promotion.Kind.AMOUNT, amount_won=promotion, starts_on=D(2026, 10, 1)
    )
    invoices_generate(today=D(2026, 10, 1))
    invoices_generate(today=D(2026, 11, 1))
    october = Invoice.objects.get(period_start=D(2026, 10, 1))
    assert october.lines.get(kind="promotion").amount_won == -promotion
    pay_all(contract, D(2026, 11, 5))
    shown = termination.termination_preview(
        contract=contract, effective_on=D(2026, 11, 21), today=D(2026, 11, 10)
    )
    assert refund_of(shown) == -refund
    assert issued_total(shown.lines) <= 0
    termination.termination_request(contract=contract, effective_on=D(2026, 11, 21), today=D(2026, 11, 10))
    termination.complete_due(today=D(2026, 11, 21))
    settle_terminations(today=D(2026, 11, 21))
    record = SettlementRecord.objects.get(contract=contract)
    assert record.invoice is None
    assert not Invoice.objects.filter(kind=Invoice.Kind.FINAL).exists()
    if refund:
        assert record.refund.amount_won == 1
    else:
        assert record.refund is None
        assert not Refund.objects.exists()


# --------------------------------------------------------------------------- BIL-13 seat look-back


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cut_on", "refund"),
    [
        (D(2026, 5, 10), 414_000),  # 10 days before the request: 10 seats still count
        (D(2026, 4, 21), 414_000),  # 29 days before: inside the look-back
        (D(2026, 4, 20), 594_000),  # 30 days before: the window starts with 6 seats
        (D(2026, 4, 1), 594_000),  # long before: 6 seats
    ],
)
def test_flow_annual_counts_the_highest_seats_of_the_30_days_before_the_request(presets, cut_on, refund):
    """BIL-13 (001 art.20-4-가): seats = the maximum contracted in the 30 days before the request
    (2026-05-20, window from 04-20). Term 2026-01-01, 10 seats × 8,000 × 12 = 960,000 paid; effective
    05-31 → 5 months used. Cut to 6 seats inside the window: 5 × 10 × 10,000 = 500,000 used, difference
    460,000 × 90% = 414,000. Cut on or before 04-20: 5 × 6 × 10,000 = 300,000, 660,000 × 90% = 594,000."""
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), cycle="annual", term_months=12)
    assert contract.seats == 10
    invoices_generate(today=D(2026, 1, 1))
    assert Invoice.objects.get().total_won == 960_000
    pay_all(contract, D(2026, 1, 10))
    seats_change(contract=contract, seats=6, today=cut_on)
    contract.refresh_from_db()
    with clock.frozen(D(2026, 5, 20)):
        shown = termination.termination_preview(
            contract=contract, effective_on=D(2026, 5, 31), today=D(2026, 5, 20)
        )
    assert refund_of(shown) == -refund
    termination.termination_request(contract=contract, effective_on=D(2026, 5, 31), today=D(2026, 5, 20))
    termination.complete_due(today=D(2026, 5, 31))
    settle_terminations(today=D(2026, 5, 31))
    assert SettlementRecord.objects.get(contract=contract).refund.amount_won == refund


# --------------------------------------------------------------------------- BIL-5 peak on the last day


@pytest.mark.django_db
@pytest.mark.parametrize("snapshots", [True, False])
def test_peak_on_the_last_day_of_the_month_is_billed(presets, snapshots):
    """BIL-5 (001 art.19-3): 10 users all November, 12 only on 11-30 (two assigned that day, released
    12-01) → November's peak is 12 → 12 × 10,000 = 120,000. Released on 12-01, the two are not counted
    from that day's snapshot on, so December is 10 × 10,000 = 100,000. Same from the snapshots and from
    the assignment dates alone."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    members = add_members(contract.customer, 12)
    for m in members[:10]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 10, 1))
    for m in members[10:]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 11, 30))
    if snapshots:
        snapshot_seats(today=D(2026, 11, 29))
        snapshot_seats(today=D(2026, 11, 30))
    for m in members[10:]:
        seats.seat_release(contract=contract, member=m, today=D(2026, 12, 1))
    if snapshots:
        snapshot_seats(today=D(2026, 12, 1))
        snapshot_seats(today=D(2026, 12, 31))
        assert SeatSnapshot.objects.get(day=D(2026, 11, 30)).registered == 12
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 12
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 29)) == 10
    assert peak_registered(contract, D(2026, 12, 1), D(2026, 12, 31)) == 10
    policy = effective_policy(contract)
    november = monthly_lines(contract, calendar_month(D(2026, 11, 1)), policy)
    assert [(line.kind, int(line.quantity), line.amount_won) for line in november] == [("seats", 12, 120_000)]
    december = monthly_lines(contract, calendar_month(D(2026, 12, 1)), policy)
    assert [(line.kind, int(line.quantity), line.amount_won) for line in december] == [("seats", 10, 100_000)]


@pytest.mark.django_db
def test_peak_from_assignments_counts_a_release_on_the_last_day(presets):
    """BIL-5: without snapshots, a seat released on the period's last day was still registered through the
    day before: 3 users from 11-01, one released 11-30 → November peak 3, and from 11-30 alone 2."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    members = add_members(contract.customer, 3)
    for m in members:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 11, 1))
    seats.seat_release(contract=contract, member=members[0], today=D(2026, 11, 30))
    assert not SeatSnapshot.objects.exists()
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 3
    assert peak_registered(contract, D(2026, 11, 30), D(2026, 11, 30)) == 2
    assert peak_registered(contract, D(2026, 10, 1), D(2026, 10, 31)) == 0


# --------------------------------------------------------------------------- the policy's rounding mode


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "from_2nd", "from_5th"),
    [("truncate", 290_322, 261_290), ("half_up", 290_323, 261_290), ("ceil", 290_323, 261_291)],
)
def test_activation_proration_uses_the_policy_rounding(presets, mode, from_2nd, from_5th):
    """BIL-4 (002 art.32②④), SPEC §5: dcloud 300,000 a month; January from the 2nd = 300,000 × 30/31 =
    290,322.58; from the 5th = 300,000 × 27/31 = 261,290.32 — truncated, half-up, ceil by the policy."""
    for start, expected in ((D(2026, 1, 2), from_2nd), (D(2026, 1, 5), from_5th)):
        contract = make_contract("dcloud-vm-standard", start=start)
        set_rounding(contract, mode)
        lines = monthly_lines(contract, calendar_month(D(2026, 1, 1)), effective_policy(contract))
        assert [(line.kind, line.amount_won) for line in lines] == [("base_fee", expected)]


@pytest.mark.django_db
@pytest.mark.parametrize(("mode", "refund"), [("truncate", 203_225), ("half_up", 203_226), ("ceil", 203_226)])
def test_officecore_refund_by_day_uses_the_policy_rounding(presets, mode, refund):
    """BIL-12, SPEC §5: December prepaid 300,000, effective 2026-12-10 → 21 of 31 days unused:
    300,000 × 21/31 = 203,225.81 → 203,225 truncated, 203,226 half-up and ceil."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 11, 1))
    set_rounding(contract, mode)
    invoices_generate(today=D(2026, 11, 1))
    invoices_generate(today=D(2026, 12, 1))
    with clock.frozen(D(2026, 12, 1)):
        settlement = settlement_compute(contract, D(2026, 12, 10), False)
    assert refund_of(settlement) == -refund


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("mode", "promotion", "refund"),
    [
        ("truncate", 5, 413_995),  # 459,995 × 90% = 413,995.5
        ("half_up", 5, 413_996),
        ("ceil", 5, 413_996),
        ("truncate", 3, 413_997),  # 459,997 × 90% = 413,997.3
        ("half_up", 3, 413_997),
        ("ceil", 3, 413_998),
    ],
)
def test_flow_annual_refund_uses_the_policy_rounding(presets, mode, promotion, refund):
    """BIL-13 (001 art.20-4), SPEC §5: 960,000 less a small promotion on the annual invoice, effective
    2026-05-31 (5 months × 10 seats × 10,000 = 500,000 used): (960,000 − p − 500,000) × 90%, rounded by
    the policy's mode (p = 5: 413,995.5; p = 3: 413,997.3)."""
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), cycle="annual", term_months=12)
    set_rounding(contract, mode)
    promotions.promotion_add(
        contract=contract, kind=Promotion.Kind.AMOUNT, amount_won=promotion, starts_on=D(2026, 1, 1)
    )
    invoices_generate(today=D(2026, 1, 1))
    assert Invoice.objects.get().total_won == 960_000 - promotion
    with clock.frozen(D(2026, 5, 20)):
        settlement = settlement_compute(contract, D(2026, 5, 31), False)
    assert refund_of(settlement) == -refund


# --------------------------------------------------------------------------- BIL-2 the database constraint


def _regular_invoice(customer, policy, *, number: str, kind: str = Invoice.Kind.REGULAR) -> Invoice:
    return Invoice.objects.create(
        customer=customer,
        policy=policy,
        schedule="officecore",
        kind=kind,
        number=number,
        period_start=D(2026, 11, 1),
        period_end=D(2026, 11, 30),
        issue_date=D(2026, 12, 1),
        due_date=D(2026, 12, 15),
        supply_won=300_000,
        vat_won=30_000,
        total_won=330_000,
    )


@pytest.mark.django_db
def test_a_second_regular_invoice_for_the_same_period_is_refused_by_the_database(presets):
    """BIL-2: one regular invoice per customer and period, enforced by the database itself (not only by
    the check in the invoice run): a duplicate row inserted directly raises IntegrityError; a final
    invoice for the same period is allowed, and so is the next period."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 10, 1))
    customer, policy = contract.customer, contract.policy
    _regular_invoice(customer, policy, number="TST-2026-900001")
    with pytest.raises(IntegrityError), transaction.atomic():
        _regular_invoice(customer, policy, number="TST-2026-900002")
    _regular_invoice(customer, policy, number="TST-2026-900003", kind=Invoice.Kind.FINAL)
    assert Invoice.objects.filter(customer=customer, period_start=D(2026, 11, 1)).count() == 2
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Invoice._meta.db_table)
    assert constraints["invoice_unique_customer_period"]["unique"]
