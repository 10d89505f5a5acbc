"""BIL-9 late charges at their edges (issue 9 mutation testing): grace days, a payment on the first late
day, days fully held by a dispute, one-won balances, the policy's rounding mode, and the surcharge's
monthly anniversaries. Every expected amount is worked out by hand in the docstring.

dcloud-like policy: unpaid × 1.5% × 12 × days / 365 (= unpaid × 0.18 × days / 365).
flow-like policy: 1.5% of the unpaid amount, assessed 30 days after the due date and monthly after."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import CreditNote, Dispute, Invoice, InvoiceLine, LateCharge, LedgerEntry
from billing.services import late_charges, ledger
from billing.services.charges import LineDraft
from billing.services.invoicing import invoices_generate
from billing.services.late_charges import (
    Accrual,
    Recorded,
    accruals_for,
    apply_late_charges,
    apply_late_charges_batch,
    bill_on_invoice,
    current_lines,
    invoice_amount_due_won,
    late_charge_line_drafts,
    unbilled_late_charges,
)
from billing.services.notes import credit_note_issue, creditable_amount
from billing.services.payments import payment_record
from contracts.models import SpecialTerm
from contracts.services.changes import special_term_set
from tests.billing.payment_factories import CustomerFactory, make_invoice
from tests.contracts.factories import PolicyFactory

from .conftest import D, make_contract

pytestmark = pytest.mark.django_db

FEE = LateCharge.Kind.LATE_FEE
SURCHARGE = LateCharge.Kind.SURCHARGE


def daily_policy(grace: int = 0, rounding: str = "truncate"):  # type: ignore[no-untyped-def]
    return PolicyFactory(
        late_charge_model="daily_rate",
        late_charge_monthly_percent=Decimal("1.5"),
        late_charge_grace_days=grace,
        rounding=rounding,
    )


def surcharge_policy(grace: int = 30, rounding: str = "truncate"):  # type: ignore[no-untyped-def]
    return PolicyFactory(
        late_charge_model="monthly_surcharge",
        late_charge_monthly_percent=Decimal("1.5"),
        late_charge_grace_days=grace,
        late_charge_waivable=False,
        rounding=rounding,
    )


def facts(accruals: list[Accrual]) -> list[tuple[object, ...]]:
    """The accruals without their formula text (its percent reads "1.5" or "1.500" depending on whether
    the policy was reloaded from the database)."""
    return [(a.kind, a.period_start, a.period_end, a.days, a.base_won, a.amount_won) for a in accruals]


def pay(invoice, amount: int, on: dt.date) -> None:  # type: ignore[no-untyped-def]
    payment_record(
        customer=invoice.customer, amount_won=amount, method="bank_transfer", received_on=on, invoice=invoice
    )


def dispute(invoice, amount: int, filed: dt.date, answered: dt.date | None) -> Dispute:  # type: ignore[no-untyped-def]
    return Dispute.objects.create(
        invoice=invoice,
        customer=invoice.customer,
        amount_won=amount,
        reason="금액 확인 요청",
        filed_on=filed,
        answer_due_on=filed + dt.timedelta(days=14),
        answered_on=answered,
        status=Dispute.Status.OPEN if answered is None else Dispute.Status.REJECTED,
    )


# --------------------------------------------------------------------------- daily late fee (dcloud)


def test_grace_days_move_the_first_late_day():
    """BIL-9: with 5 grace days after the 01-31 due date the fee runs from 02-06: 1,100,000 × 0.18 × 23
    / 365 = 12,476.71 → 12,476 for February."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy(5)
    )
    accruals = accruals_for(invoice, today=D(2026, 3, 1))
    assert facts(accruals) == [(FEE, D(2026, 2, 6), D(2026, 2, 28), 23, 1_100_000, 12_476)]
    assert [a.formula for a in accruals] == ["1,100,000 × 1.5% × 12 × 23/365"]


def test_paid_on_the_first_late_day_is_one_day_late():
    """BIL-9 (002 art.34): due 01-31, paid in full on 02-01 — the payment day counts: 1,100,000 × 0.18 /
    365 = 542.47 → 542 for one day; the job records it once the invoice is paid."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy()
    )
    pay(invoice, 1_100_000, D(2026, 2, 1))
    invoice.refresh_from_db()
    assert facts(accruals_for(invoice, today=D(2026, 2, 2))) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 1), 1, 1_100_000, 542)
    ]
    assert apply_late_charges(today=D(2026, 2, 2))["amount_won"] == 542


def test_days_fully_held_by_a_dispute_are_not_late_days():
    """BIL-9, BIL-10: a dispute on the whole invoice (1,000,000 + VAT = 1,100,000) filed 01-20 and rejected
    on 02-10 holds 02-01..02-09 out (held while open; answered on the 10th, that day is late again);
    02-10..02-28 = 19 days: 1,100,000 × 0.18 × 19 / 365 = 10,306.85 → 10,306, counted as 19 days, not 28."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy()
    )
    dispute(invoice, 1_000_000, D(2026, 1, 20), D(2026, 2, 10))
    assert facts(accruals_for(invoice, today=D(2026, 3, 1))) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 28), 19, 1_100_000, 10_306)
    ]


def test_one_won_left_unpaid():
    """BIL-9, SPEC §5: 1 won unpaid all February (28 days): 1 × 0.18 × 28 / 365 = 0.0138 → truncated to
    0, so no late charge at all; with a ``ceil`` policy → 1 won."""
    customer = CustomerFactory()
    truncated = make_invoice(customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy())
    raised = make_invoice(
        customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy(rounding="ceil")
    )
    for invoice in (truncated, raised):
        pay(invoice, 1_099_999, D(2026, 1, 31))
    assert accruals_for(truncated, today=D(2026, 3, 1)) == []
    assert facts(accruals_for(raised, today=D(2026, 3, 1))) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 28), 28, 1, 1)
    ]


def test_daily_fee_uses_the_policy_rounding():
    """BIL-9, SPEC §5: 1,100,000 for February: 1,100,000 × 0.18 × 28 / 365 = 15,189.04 → 15,189 truncated,
    15,190 with ``ceil``, 15,189 with ``half_up``."""
    customer = CustomerFactory()
    got = {}
    for mode in ("truncate", "ceil", "half_up"):
        invoice = make_invoice(
            customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy(rounding=mode)
        )
        got[mode] = [a.amount_won for a in accruals_for(invoice, today=D(2026, 3, 1))]
    assert got == {"truncate": [15_189], "ceil": [15_190], "half_up": [15_189]}


# --------------------------------------------------------------------------- monthly surcharge (flow)


def test_surcharge_period_is_one_month_of_days():
    """BIL-9 (001 art.19-6-나): due 2026-11-02, 330,000 unpaid: assessed on 12-02 (30 days) for the
    month to 2027-01-01 = 31 days, 330,000 × 1.5% = 4,950."""
    invoice = make_invoice(CustomerFactory(), 330_000, due_date=D(2026, 11, 2), policy=surcharge_policy())
    apply_late_charges(today=D(2026, 12, 3))
    charge = LateCharge.objects.get(invoice=invoice)
    assert (
        charge.kind,
        charge.period_start,
        charge.period_end,
        charge.days,
        charge.base_won,
        charge.amount_won,
    ) == (
        SURCHARGE,
        D(2026, 12, 2),
        D(2027, 1, 1),
        31,
        330_000,
        4_950,
    )
    assert charge.formula.startswith("330,000 × 1.5") and charge.formula.endswith("% (30일 미납)")


def test_surcharge_without_grace_starts_on_the_due_date():
    """BIL-9: a policy with no grace days assesses at the end of the due date itself: due 11-02 → first
    surcharge period 11-02..12-01 (30 days), 330,000 × 1.5% = 4,950."""
    invoice = make_invoice(
        CustomerFactory(), 330_000, due_date=D(2026, 11, 2), policy=surcharge_policy(grace=0)
    )
    assert facts(accruals_for(invoice, today=D(2026, 11, 4))) == [
        (SURCHARGE, D(2026, 11, 2), D(2026, 12, 1), 30, 330_000, 4_950)
    ]


def test_surcharge_uses_the_policy_rounding():
    """BIL-9, SPEC §5: 330,010 unpaid × 1.5% = 4,950.15 → 4,950 truncated, 4,951 with ``ceil``."""
    customer = CustomerFactory()
    got = {}
    for mode in ("truncate", "ceil"):
        invoice = make_invoice(
            customer, 330_010, due_date=D(2026, 11, 2), policy=surcharge_policy(rounding=mode)
        )
        got[mode] = [a.amount_won for a in accruals_for(invoice, today=D(2026, 12, 3))]
    assert got == {"truncate": [4_950], "ceil": [4_951]}


def test_surcharge_on_one_won():
    """BIL-9, SPEC §5: 1 won unpaid × 1.5% = 0.015 → nothing truncated; 1 won with ``ceil``."""
    customer = CustomerFactory()
    truncated = make_invoice(customer, 330_000, due_date=D(2026, 11, 2), policy=surcharge_policy())
    raised = make_invoice(
        customer, 330_000, due_date=D(2026, 11, 2), policy=surcharge_policy(rounding="ceil")
    )
    for invoice in (truncated, raised):
        pay(invoice, 329_999, D(2026, 11, 10))
    assert accruals_for(truncated, today=D(2026, 12, 3)) == []
    assert facts(accruals_for(raised, today=D(2026, 12, 3))) == [
        (SURCHARGE, D(2026, 12, 2), D(2027, 1, 1), 31, 1, 1)
    ]


def test_surcharge_skips_a_month_held_by_a_dispute_and_resumes():
    """BIL-9, BIL-10: 330,000 due 11-02, all of it disputed from 11-20 until rejected on 12-10: nothing on
    the 12-02 assessment (held), but the next anniversary 2027-01-02 finds 330,000 unpaid → 4,950."""
    invoice = make_invoice(CustomerFactory(), 330_000, due_date=D(2026, 11, 2), policy=surcharge_policy())
    dispute(invoice, 300_000, D(2026, 11, 20), D(2026, 12, 10))
    assert facts(accruals_for(invoice, today=D(2027, 1, 4))) == [
        (SURCHARGE, D(2027, 1, 2), D(2027, 2, 1), 31, 330_000, 4_950)
    ]


def test_surcharge_after_a_month_too_small_to_charge():
    """BIL-9: 1 won left on 12-02 (1.5% → 0, nothing), then a debit note adds 99,999 on 12-15: on
    2027-01-02, 100,000 × 1.5% = 1,500."""
    invoice = make_invoice(CustomerFactory(), 330_000, due_date=D(2026, 11, 2), policy=surcharge_policy())
    pay(invoice, 329_999, D(2026, 11, 10))
    ledger.post(
        customer=invoice.customer,
        kind=LedgerEntry.Kind.DEBIT_NOTE,
        amount_won=99_999,
        occurred_on=D(2026, 12, 15),
        description="데빗 노트",
        invoice=invoice,
    )
    assert facts(accruals_for(invoice, today=D(2027, 1, 4))) == [
        (SURCHARGE, D(2027, 1, 2), D(2027, 2, 1), 31, 100_000, 1_500)
    ]


# --------------------------------------------------------------------------- amount due


def _late_line(invoice, amount: int, kind: str = InvoiceLine.Kind.LATE_CHARGE) -> None:  # type: ignore[no-untyped-def]
    InvoiceLine.objects.create(
        invoice=invoice,
        position=99,
        kind=kind,
        description="연체료",
        quantity=1,
        unit_price_won=amount,
        amount_won=amount,
        policy_basis="BIL-9",
    )


def test_amount_due_counts_only_this_invoices_late_charge_lines():
    """BIL-9: amount due = total + this invoice's late-charge lines (its fee lines are in the total
    already): 330,000 + 4,950 = 334,950 and 110,000 + 542 = 110,542; an invoice without any is its total,
    220,000."""
    customer = CustomerFactory()
    first = make_invoice(customer, 330_000)
    second = make_invoice(customer, 110_000)
    plain = make_invoice(customer, 220_000)
    _late_line(first, 4_950)
    _late_line(second, 542)
    _late_line(first, 300_000, InvoiceLine.Kind.BASE_FEE)
    assert [invoice_amount_due_won(i) for i in (first, second, plain)] == [334_950, 110_542, 220_000]


def test_formula_of_a_month_with_two_balances():
    """BIL-9: a partial payment mid-month makes the month's base vary, so the formula shows the sum of the
    daily balances: 1,100,000 × 15 days + 500,000 × 13 days = 23,000,000 won-days; × 0.18 / 365 =
    11,342.47 → 11,342 over 28 days, base (the highest balance) 1,100,000."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy()
    )
    pay(invoice, 600_000, D(2026, 2, 15))
    accruals = accruals_for(invoice, today=D(2026, 3, 1))
    assert facts(accruals) == [(FEE, D(2026, 2, 1), D(2026, 2, 28), 28, 1_100_000, 11_342)]
    assert accruals[0].formula.startswith("Σ일별 미납액 23,000,000 × 1.5")
    assert accruals[0].formula.endswith("% × 12 / 365 (28일)")


def test_unbilled_late_charges_oldest_due_date_first_then_invoice():
    """BIL-9: the invoice run bills late charges oldest due date first, then by invoice, then by period:
    an invoice made later but due earlier (01-15) comes before one due 01-31; two invoices due the same
    day keep their invoice order whatever order their charges were recorded in."""
    customer = CustomerFactory()
    policy = daily_policy()
    late_due = make_invoice(customer, supply_won=100_000, due_date=D(2026, 1, 31), policy=policy)
    same_due = make_invoice(customer, supply_won=100_000, due_date=D(2026, 1, 31), policy=policy)
    early_due = make_invoice(customer, supply_won=100_000, due_date=D(2026, 1, 15), policy=policy)

    def charge(invoice, start: dt.date) -> LateCharge:  # type: ignore[no-untyped-def]
        return LateCharge.objects.create(
            invoice=invoice,
            kind=FEE,
            period_start=start,
            period_end=start + dt.timedelta(days=27),
            days=28,
            base_won=110_000,
            amount_won=1_518,
            formula="110,000 × 1.5% × 12 × 28/365",
        )

    recorded = [
        charge(same_due, D(2026, 2, 1)),
        charge(late_due, D(2026, 3, 1)),
        charge(late_due, D(2026, 2, 1)),
        charge(early_due, D(2026, 2, 1)),
    ]
    unbilled = unbilled_late_charges([customer.pk])
    assert [c.pk for c in unbilled[customer.pk]] == [
        recorded[3].pk,
        recorded[2].pk,
        recorded[1].pk,
        recorded[0].pk,
    ]
    # only the customers asked for, only charges not billed yet
    someone_else = make_invoice(CustomerFactory(), supply_won=100_000, due_date=D(2026, 1, 1), policy=policy)
    charge(someone_else, D(2026, 2, 1))
    LateCharge.objects.filter(pk=recorded[3].pk).update(billed_on_invoice=late_due)
    unbilled = unbilled_late_charges([customer.pk])
    assert list(unbilled) == [customer.pk]
    assert [c.pk for c in unbilled[customer.pk]] == [recorded[2].pk, recorded[1].pk, recorded[0].pk]


def test_late_charge_line_belongs_to_the_late_invoices_contract(presets):
    """BIL-9: the ``late_charge`` line drafted for the next invoice is attributed to a contract of the late
    invoice itself (here the second customer's dcloud contract), not to any other contract's."""
    first = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    second = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    invoices_generate(today=D(2026, 2, 10))
    late = Invoice.objects.get(customer=second.customer, period_start=D(2026, 1, 1))
    charge = LateCharge.objects.create(
        invoice=late,
        kind=FEE,
        period_start=D(2026, 3, 1),
        period_end=D(2026, 3, 31),
        days=31,
        base_won=287_419,
        amount_won=4_393,
        formula="287,419 × 1.5% × 12 × 31/365",
    )
    [draft] = late_charge_line_drafts([charge])
    assert first.pk < second.pk
    assert (draft.kind, draft.amount_won, draft.contract_id) == (
        InvoiceLine.Kind.LATE_CHARGE,
        4_393,
        second.pk,
    )

    # what the customer reads on the next invoice, and the rule it cites (outside VAT, one line per charge)
    assert draft.description == f"연체료 ({late.number}, 2026-03-01~2026-03-31, 31일, 부가세 없음)"
    assert draft.policy_basis == "BIL-9; 002 art.34: 287,419 × 1.5% × 12 × 31/365"
    assert (draft.quantity, draft.unit_price_won, draft.service_start, draft.service_end) == (
        Decimal(31),
        0,
        D(2026, 3, 1),
        D(2026, 3, 31),
    )
    assert draft.extra == {"late_charge_id": charge.pk}


def _charge(invoice, start: dt.date, amount: int) -> LateCharge:  # type: ignore[no-untyped-def]
    return LateCharge.objects.create(
        invoice=invoice,
        kind=FEE,
        period_start=start,
        period_end=start + dt.timedelta(days=27),
        days=28,
        base_won=1_100_000,
        amount_won=amount,
        formula="1,100,000 × 1.5% × 12 × 28/365",
    )


def test_current_lines_drop_charges_billed_meanwhile():
    """BIL-9: a late charge another invoice billed meanwhile is not billed again; other lines stay."""
    customer = CustomerFactory()
    late = make_invoice(customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy())
    other = make_invoice(customer, 330_000)
    billed, open_ = _charge(late, D(2026, 2, 1), 15_189), _charge(late, D(2026, 3, 1), 16_816)
    fee = LineDraft(InvoiceLine.Kind.BASE_FEE, "이용료", 300_000)
    lines = [fee, *late_charge_line_drafts([billed, open_])]
    assert current_lines([fee]) == [fee]
    LateCharge.objects.filter(pk=billed.pk).update(billed_on_invoice=other)
    assert [(line.kind, line.amount_won) for line in current_lines(lines)] == [
        (InvoiceLine.Kind.BASE_FEE, 300_000),
        (InvoiceLine.Kind.LATE_CHARGE, 16_816),
    ]


def test_bill_on_invoice_links_and_posts_each_charge_once():
    """BIL-9 ("posted when billed"): billing late charges on the next invoice links them to it and posts one
    ``late_charge`` ledger entry each on the invoice's issue date: first 15,189 alone, then all three lines
    — the first is billed already and skipped, the other two still billed: 16,816 + 9,221 = 26,037;
    billing the same lines again posts nothing."""
    customer = CustomerFactory()
    late = make_invoice(customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy())
    nxt = make_invoice(customer, 330_000, issue_date=D(2026, 4, 10), due_date=D(2026, 4, 30))
    charges = [
        _charge(late, D(2026, 2, 1), 15_189),
        _charge(late, D(2026, 3, 1), 16_816),
        _charge(late, D(2026, 4, 1), 9_221),
    ]
    lines = [LineDraft(InvoiceLine.Kind.BASE_FEE, "이용료", 300_000), *late_charge_line_drafts(charges)]
    assert bill_on_invoice(invoice=nxt, lines=lines[:2]) == 15_189  # the fee line and the first charge
    assert bill_on_invoice(invoice=nxt, lines=lines) == 26_037  # the first is billed already
    assert bill_on_invoice(invoice=nxt, lines=lines) == 0
    assert [c.billed_on_invoice_id for c in LateCharge.objects.order_by("period_start")] == [nxt.pk] * 3
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.LATE_CHARGE).order_by("amount_won")
    assert [(e.invoice_id, e.customer_id, e.amount_won, e.occurred_on, e.key) for e in entries] == [
        (nxt.pk, customer.pk, 9_221, D(2026, 4, 10), f"late_charge:{charges[2].pk}"),
        (nxt.pk, customer.pk, 15_189, D(2026, 4, 10), f"late_charge:{charges[0].pk}"),
        (nxt.pk, customer.pk, 16_816, D(2026, 4, 10), f"late_charge:{charges[1].pk}"),
    ]
    assert entries[1].description == f"연체료 {late.number} 2026-02-01~2026-02-28 → {nxt.number}"


def test_job_counts_what_it_recorded_and_what_existed():
    """BIL-9, SPEC §10 (idempotent job): two invoices of 1,100,000 unpaid since 01-31 (two customers) → on
    04-01 February (28 days, 15,189) and March (31 days, 16,816) each: 4 charges, 64,010 won; run again,
    all four periods already exist and nothing is added."""
    invoices = [
        make_invoice(CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy())
        for _ in range(2)
    ]
    first = apply_late_charges(today=D(2026, 4, 1))
    again = apply_late_charges(today=D(2026, 4, 1))
    assert first == {"invoices": 2, "late_charges": 4, "amount_won": 64_010, "existing": 0}
    assert again == {"invoices": 2, "late_charges": 0, "amount_won": 0, "existing": 4}
    for invoice in invoices:
        amounts = sorted(LateCharge.objects.filter(invoice=invoice).values_list("amount_won", flat=True))
        assert amounts == [15_189, 16_816]


def _carrying_a_billed_late_charge() -> Invoice:
    """330,000 issued 04-10, due 04-30, with a 4,950 late charge of an earlier invoice billed on it."""
    invoice = make_invoice(
        CustomerFactory(), 330_000, issue_date=D(2026, 4, 10), due_date=D(2026, 4, 30), policy=daily_policy()
    )
    ledger.post(
        customer=invoice.customer,
        kind=LedgerEntry.Kind.LATE_CHARGE,
        amount_won=4_950,
        occurred_on=D(2026, 4, 10),
        description="가산금",
        invoice=invoice,
        key="test-late-on-next",
    )
    return invoice


def test_no_late_fee_on_billed_late_charges():
    """BIL-9: the balance that earns a late fee is the invoice's fees only, not the late charge billed on
    it: 330,000 due 04-30 with a 4,950 late charge billed on it, unpaid all May → 330,000 × 0.18 × 31 /
    365 = 5,044.93 → 5,044 (not 334,950 × … = 5,120)."""
    invoice = _carrying_a_billed_late_charge()
    assert facts(accruals_for(invoice, today=D(2026, 6, 1))) == [
        (FEE, D(2026, 5, 1), D(2026, 5, 31), 31, 330_000, 5_044)
    ]


def test_a_cancelled_invoice_accrues_nothing():
    """BIL-9, BIL-2: an overdue invoice (due 01-31) cancelled in full by a credit note on 02-20 is void:
    it was never owed, so the job records no late fee for 02-01..02-20 either."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy()
    )
    credit_note_issue(
        invoice=invoice,
        amount_won=creditable_amount(invoice),
        reason=CreditNote.Reason.CORRECTION,
        description="청구 오류로 전액 취소",
        today=D(2026, 2, 20),
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.VOID
    assert apply_late_charges(today=D(2026, 3, 1))["late_charges"] == 0
    assert not LateCharge.objects.exists()


@pytest.mark.parametrize(("run_on", "recorded"), [(D(2026, 5, 18), [9_221, 15_189]), (D(2026, 5, 19), [])])
def test_a_paid_invoice_is_looked_at_for_62_days(run_on, recorded):
    """BIL-9: an invoice paid late is looked at for 62 days after its payment (for a missed run day):
    1,100,000 due 01-31, paid 03-17, the job first runs on 05-18 (62 days later) → February 1,100,000 ×
    0.18 × 28 / 365 = 15,189.04 → 15,189 and March 1..17 × 17 / 365 = 9,221.92 → 9,221; from 05-19 on it
    is left alone."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy()
    )
    pay(invoice, 1_100_000, D(2026, 3, 17))
    apply_late_charges(today=run_on)
    assert sorted(LateCharge.objects.values_list("amount_won", flat=True)) == recorded


def test_late_charges_agreed_in_a_special_term(presets):
    """BIL-9, CON-12: officecore charges no late fee, but a signed special term agreeing a daily late fee of
    1.5% a month makes the October invoice (300,000 + setup 200,000 + VAT = 550,000, due 10-15) earn one:
    10-16..10-31 = 16 days × 550,000 × 0.18 / 365 = 4,339.73 → 4,339."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 10, 1))
    special_term_set(
        contract=contract,
        parameter="late_charge_monthly_percent",
        value="1.5",
        note="연체료 특약",
        signed_on=D(2026, 9, 30),
    )
    # The model is stored directly: special_term_set checks each override against the base policy alone,
    # whose percent is 0, so it refuses "daily_rate" even with the percent term above (reported).
    SpecialTerm.objects.create(
        contract=contract,
        parameter="late_charge_model",
        value="daily_rate",
        note="연체료 특약",
        signed_on=D(2026, 9, 30),
    )
    invoices_generate(today=D(2026, 10, 1))
    october = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 10, 1))
    assert (october.total_won, october.due_date) == (550_000, D(2026, 10, 15))
    apply_late_charges(today=D(2026, 11, 1))
    charge = LateCharge.objects.get(invoice=october)
    assert (charge.period_start, charge.period_end, charge.days, charge.amount_won) == (
        D(2026, 10, 16),
        D(2026, 10, 31),
        16,
        4_339,
    )


def test_paid_invoice_stops_accruing_on_its_payment_day():
    """BIL-9: 1,100,000 due 01-31, paid in full 03-17, a 10,000 goodwill credit posted on it on 03-20: the
    last late month is 03-01..03-17 (the payment day), 17 days × 1,100,000 × 0.18 / 365 = 9,221.92 →
    9,221; a later entry does not stretch the period."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy()
    )
    pay(invoice, 1_100_000, D(2026, 3, 17))
    ledger.post(
        customer=invoice.customer,
        kind=LedgerEntry.Kind.CREDIT_NOTE,
        amount_won=-10_000,
        occurred_on=D(2026, 3, 20),
        description="고객 보상",
        invoice=invoice,
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == (Invoice.Status.PAID, D(2026, 3, 17))
    assert facts(accruals_for(invoice, today=D(2026, 4, 1))) == [
        (FEE, D(2026, 2, 1), D(2026, 2, 28), 28, 1_100_000, 15_189),
        (FEE, D(2026, 3, 1), D(2026, 3, 17), 17, 1_100_000, 9_221),
    ]


# --------------------------------------------------------------------------- the job's batches (issue 9)


def test_a_batch_charges_only_its_own_customers():
    """BIL-9, issue 19: a batch records the late charges of the customers it names (the rows it locked),
    never another batch's: two customers 1,100,000 unpaid since 01-31; the first one's batch on 03-01
    records its February only (1,100,000 × 0.18 × 28 / 365 = 15,189.04 → 15,189); a batch naming nobody
    records nothing."""
    first, second = (
        make_invoice(CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy())
        for _ in range(2)
    )
    counts = apply_late_charges_batch(today=D(2026, 3, 1), payload={"customers": [first.customer_id]})
    assert counts == {"invoices": 1, "late_charges": 1, "amount_won": 15_189, "existing": 0}
    assert list(LateCharge.objects.values_list("invoice_id", flat=True)) == [first.pk]
    assert not LateCharge.objects.filter(invoice=second).exists()
    nothing = {"invoices": 0, "late_charges": 0, "amount_won": 0, "existing": 0}
    assert apply_late_charges_batch(today=D(2026, 3, 1), payload={}) == nothing


def test_the_job_leaves_billed_late_charges_out_of_the_balance():
    """BIL-9 through the job's batch reads (``test_no_late_fee_on_billed_late_charges`` reads the invoice
    alone): 330,000 due 04-30 carrying a 4,950 late charge billed on it, unpaid all May → 5,044, not
    334,950 × 0.18 × 31 / 365 = 5,120."""
    invoice = _carrying_a_billed_late_charge()
    apply_late_charges(today=D(2026, 6, 1))
    assert list(LateCharge.objects.filter(invoice=invoice).values_list("base_won", "amount_won")) == [
        (330_000, 5_044)
    ]


def test_a_period_recorded_meanwhile_is_refused_by_the_index_and_counted_existing(monkeypatch):
    """BIL-9, SPEC §10: the unique (invoice, kind, period start) index is the backstop when the batch's read
    of the recorded periods misses one (a row written without the customer lock): the batch's insert is
    refused, its charges are then inserted one at a time and the refused one counted existing.
    1,100,000 unpaid since 01-31: February (15,189) recorded on 03-01; on 04-01 a batch blind to it
    proposes February again and March (× 31 / 365 = 16,816.44 → 16,816): March recorded, February existing."""
    invoice = make_invoice(
        CustomerFactory(), supply_won=1_000_000, due_date=D(2026, 1, 31), policy=daily_policy()
    )
    apply_late_charges(today=D(2026, 3, 1))
    monkeypatch.setattr(late_charges.Recorded, "covers", lambda self, kind, day: False)
    counts = apply_late_charges(today=D(2026, 4, 1))
    assert counts == {"invoices": 1, "late_charges": 1, "amount_won": 16_816, "existing": 1}
    rows = LateCharge.objects.filter(invoice=invoice).order_by("period_start")
    assert list(rows.values_list("period_start", "amount_won")) == [
        (D(2026, 2, 1), 15_189),
        (D(2026, 3, 1), 16_816),
    ]
    assert LateCharge.history.count() == 2  # one history row per charge, none for the refused insert


def test_recorded_covers_every_day_of_a_period_of_its_kind():
    """BIL-9: a day inside a recorded period, its first and last day included, is covered (and counted);
    the day after, or the other kind, is not."""
    recorded = Recorded([(FEE, D(2026, 3, 1), D(2026, 3, 31))])
    assert recorded.covers(FEE, D(2026, 3, 1)) and recorded.covers(FEE, D(2026, 3, 31))
    assert not recorded.covers(FEE, D(2026, 4, 1))
    assert not recorded.covers(FEE, D(2026, 2, 28))
    assert not recorded.covers(SURCHARGE, D(2026, 3, 15))
    assert recorded.hits == 2


def test_surcharge_months_after_a_recorded_one_are_still_charged():
    """BIL-9 (001 art.19-6-나): 330,000 due 11-02 unpaid: the job on 12-03 records the 12-02 surcharge
    (4,950); on 2027-01-03 that month is recorded and the next anniversary's (2027-01-02..02-01, 31 days,
    4,950) is still charged."""
    invoice = make_invoice(CustomerFactory(), 330_000, due_date=D(2026, 11, 2), policy=surcharge_policy())
    apply_late_charges(today=D(2026, 12, 3))
    counts = apply_late_charges(today=D(2027, 1, 3))
    assert (counts["late_charges"], counts["existing"]) == (1, 1)
    rows = LateCharge.objects.filter(invoice=invoice).order_by("period_start")
    assert list(rows.values_list("period_start", "period_end", "days", "amount_won")) == [
        (D(2026, 12, 2), D(2027, 1, 1), 31, 4_950),
        (D(2027, 1, 2), D(2027, 2, 1), 31, 4_950),
    ]


def test_billing_lines_without_late_charges_posts_nothing():
    """BIL-9: an invoice whose lines carry no late charge bills none and posts nothing (0 won)."""
    customer = CustomerFactory()
    nxt = make_invoice(customer, 330_000, issue_date=D(2026, 4, 10), due_date=D(2026, 4, 30))
    assert bill_on_invoice(invoice=nxt, lines=[LineDraft(InvoiceLine.Kind.BASE_FEE, "이용료", 300_000)]) == 0
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.LATE_CHARGE).exists()
