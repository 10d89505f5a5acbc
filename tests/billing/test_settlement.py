"""BIL-12..16, CON-7, CON-8: the final settlement at termination — computed by one function, shown as the
preview before the customer confirms (``termination_preview``) and issued afterwards identically
(``settle_terminations``): a final invoice, a refund or nothing. SPEC §12 items 2, 3, 4 and 13."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from billing.models import Invoice, InvoiceLine, LedgerEntry, Promotion, Refund
from billing.models import Settlement as SettlementRecord
from billing.services import ledger, promotions, usage
from billing.services.charges import LineDraft
from billing.services.invoicing import InvoiceDraft, invoice_issue, invoices_generate
from billing.services.settlement import (
    ISSUED_KINDS,
    issued_total,
    settle_terminations,
    settlement_compute,
    settlement_issue,
)
from contracts.models import Contract, ContractStatus, TerminationKind
from contracts.presets import load_presets
from contracts.services import seats, termination
from contracts.services.suspension import suspension_lift, suspension_schedule
from contracts.settlement import preview
from core import clock, jobs
from core.jobs import JobSpec, daily
from core.money import vat_on

from .conftest import BILLING_JOBS, D, add_members, make_contract

SETTLE_JOB = JobSpec(
    "settle_terminations",
    "billing.services.settlement.settle_terminations",
    daily(4, 40),
    "해지 정산 (BIL-12..16)",
)


@pytest.fixture(autouse=True)
def _calculator_installed():
    """Re-run the app wiring (another test module may have reset the hook to None)."""
    from django.apps import apps

    apps.get_app_config("billing").ready()


@pytest.fixture
def all_jobs():
    for spec in [*BILLING_JOBS, SETTLE_JOB]:
        jobs.register(spec)
    yield
    for spec in [*BILLING_JOBS, SETTLE_JOB]:
        jobs.unregister(spec.name)


@pytest.fixture(autouse=True)
def _settlement_arithmetic_only():  # type: ignore[no-untyped-def]
    """These tests check the settlement's numbers, so termination is not held back for unpaid fees
    (CON-7's hold has its own tests in tests/contracts/test_rules_termination.py)."""
    from contracts.services import applications

    applications.set_unpaid_lookup(lambda customer, day: 0)
    yield


def replay(start: dt.date, until: dt.date) -> None:
    """Every daily job but the ones after the due date: these customers never pay, and the settlement's
    numbers are what is tested here (dunning to termination has its own tests)."""
    skip = {"apply_late_charges", "dunning"}
    only = [arg for spec in jobs.registry() if spec.name not in skip for arg in ("--job", spec.name)]
    call_command("run_jobs", "--date", str(start), "--until", str(until), "--no-progress", *only)


def kinds(settlement) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in settlement.lines:
        out[line.kind] = out.get(line.kind, 0) + line.amount_won
    return out


def request_and_settle(
    contract: Contract, *, today: dt.date, effective_on: dt.date, kind=TerminationKind.CUSTOMER
):
    termination.termination_request(contract=contract, effective_on=effective_on, today=today, kind=kind)
    termination.complete_due(today=effective_on)
    settle_terminations(today=effective_on)
    return SettlementRecord.objects.get(contract=contract)


def orm_invoice(contract: Contract, month: dt.date, amount: int) -> Invoice:
    """A regular invoice for ``month`` built directly (for fees the plan alone would not give)."""
    end = dt.date(month.year, month.month + 1, 1) - dt.timedelta(days=1)
    totals = vat_on(amount)
    draft = InvoiceDraft(
        customer=contract.customer,
        policy=contract.policy,
        schedule=contract.policy.code,
        period_start=month,
        period_end=end,
        issue_date=end + dt.timedelta(days=10),
        due_date=end + dt.timedelta(days=30),
        vat_inclusive=False,
        vat_rate_percent=Decimal(10),
        supply_won=totals.supply_won,
        vat_won=totals.vat_won,
        total_won=totals.total_won,
        lines=[
            LineDraft(
                InvoiceLine.Kind.BASE_FEE,
                f"{month:%Y-%m} 이용료",
                amount,
                service_start=month,
                service_end=end,
                contract_id=contract.pk,
            )
        ],
    )
    invoice = invoice_issue(draft)
    assert invoice is not None
    return invoice


# --------------------------------------------------------------------------- SPEC §12 worked examples


@pytest.mark.django_db
@pytest.mark.parametrize(("promotion", "refund"), [(0, 90_000), (30_000, 60_000)])
def test_officecore_refund_item_13(presets, promotion, refund):
    """BIL-12, SPEC §12 item 13 (000 art.18②④⑥): November prepaid 300,000, terminated effective 2026-11-21
    (used 21 of 30 days) → refund 90,000; with a 30,000 promotional discount received → 60,000; paid by
    the end of the next month. One-time fees are not refunded."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 10, 1))
    if promotion:
        promotions.promotion_add(
            contract=contract, kind=Promotion.Kind.AMOUNT, amount_won=promotion, starts_on=D(2026, 10, 1)
        )
    invoices_generate(today=D(2026, 10, 1))
    invoices_generate(today=D(2026, 11, 1))
    november = Invoice.objects.get(period_start=D(2026, 11, 1))
    assert november.supply_won == 300_000
    shown = termination.termination_preview(
        contract=contract, effective_on=D(2026, 11, 21), today=D(2026, 11, 10)
    )
    assert shown.complete
    refund_line = next(line for line in shown.lines if line.kind == "refund")
    assert refund_line.amount_won == -refund
    assert "9/30" in refund_line.description
    assert kinds(shown)["vat"] == -refund // 10
    record = request_and_settle(contract, today=D(2026, 11, 10), effective_on=D(2026, 11, 21))
    assert record.invoice is None
    assert record.refund.amount_won == refund + refund // 10
    assert record.refund.pay_by == D(2026, 12, 31)
    assert record.refund.status == Refund.Status.REQUESTED
    entry = LedgerEntry.objects.get(key=f"settlement:{contract.pk}:refund")
    assert (entry.kind, entry.amount_won, entry.invoice_id) == ("refund", -(refund + refund // 10), None)


@pytest.mark.django_db
def test_dcloud_penalty_item_2(presets):
    """BIL-14, SPEC §12 item 2 (002 art.32③): term 2026-01-01..12-31, fees for June/July/August
    300,000/330,000/360,000 (average 330,000), effective 2026-09-15 → 3.5 months left → 693,000. The
    September usage is still billed by the regular invoice (shown, not billed twice); the penalty is
    damages and carries no VAT."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    period = contract.periods.get()
    assert (period.starts_on, period.ends_on) == (D(2026, 1, 1), D(2026, 12, 31))
    for month, amount in ((6, 300_000), (7, 330_000), (8, 360_000)):
        orm_invoice(contract, D(2026, month, 1), amount)
    shown = termination.termination_preview(
        contract=contract, effective_on=D(2026, 9, 15), today=D(2026, 9, 8)
    )
    penalty = next(line for line in shown.lines if line.kind == "penalty")
    assert penalty.amount_won == 693_000
    assert "7/2" in penalty.description or "3.5" in penalty.description
    usage_line = next(line for line in shown.lines if line.kind == "usage")
    assert usage_line.amount_won == 165_000  # 300,000 × 15/30 + VAT, billed by the October run
    assert "vat" not in kinds(shown)
    record = request_and_settle(contract, today=D(2026, 9, 8), effective_on=D(2026, 9, 15))
    assert record.invoice.kind == Invoice.Kind.FINAL
    assert (record.invoice.supply_won, record.invoice.vat_won, record.invoice.total_won) == (
        693_000,
        0,
        693_000,
    )
    assert [(line.kind, line.amount_won) for line in record.invoice.lines.all()] == [("penalty", 693_000)]
    assert LedgerEntry.objects.get(invoice=record.invoice).amount_won == 693_000
    invoices_generate(today=D(2026, 10, 10))
    september = Invoice.objects.get(kind="regular", period_start=D(2026, 9, 1))
    assert september.total_won == 165_000


@pytest.mark.django_db
def test_flow_annual_refund_item_3(presets):
    """BIL-13, SPEC §12 item 3 (001 art.20-4): 10 seats × 8,000 × 12 = 960,000; used 5 months × 10 ×
    10,000 = 500,000; difference 460,000; fee 10% 46,000 → refund 414,000 (VAT included, no VAT line)."""
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), cycle="annual", term_months=12)
    invoices_generate(today=D(2026, 1, 1))
    assert Invoice.objects.get().total_won == 960_000
    with clock.frozen(D(2026, 5, 20)):
        shown = termination.termination_preview(
            contract=contract, effective_on=D(2026, 5, 31), today=D(2026, 5, 20)
        )
    refund = next(line for line in shown.lines if line.kind == "refund")
    assert refund.amount_won == -414_000
    for number in ("960,000", "500,000", "460,000", "46,000", "414,000"):
        assert number in refund.description
    assert kinds(shown) == {"refund": -414_000, "unpaid": 960_000}  # the annual invoice is still open
    record = request_and_settle(contract, today=D(2026, 5, 20), effective_on=D(2026, 5, 31))
    assert record.refund.amount_won == 414_000
    assert record.refund.pay_by is None
    assert ledger.customer_balance(contract.customer) == 960_000 - 414_000


@pytest.mark.django_db
def test_flow_annual_started_month_reading(presets):
    """BIL-13 [reading]: a started month counts as used from 15 days; a negative difference refunds and
    charges nothing."""
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), cycle="annual", term_months=12)
    invoices_generate(today=D(2026, 1, 1))
    with clock.frozen(D(2026, 6, 1)):
        day14 = settlement_compute(contract, D(2026, 6, 14), False)
        day15 = settlement_compute(contract, D(2026, 6, 15), False)
        late = settlement_compute(contract, D(2026, 11, 20), False)
    assert kinds(day14)["refund"] == -(960_000 - 500_000) * 9 // 10
    assert kinds(day15)["refund"] == -(960_000 - 600_000) * 9 // 10
    assert "refund" not in kinds(late) or kinds(late)["refund"] == 0
    assert issued_total(late.lines) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("day", "expected"), [(14, 0), (15, 100_000)])
def test_flow_monthly_15_days_item_4(presets, day, expected):
    """BIL-13, SPEC §12 item 4 (001 art.20-3): effective on day 14 → that month 0; day 15 → one full month.
    The regular run bills it (arrears); the settlement shows it and issues nothing for it."""
    contract = make_contract("flow-business-monthly", start=D(2026, 1, 5))
    for member in add_members(contract.customer, 10):
        seats.seat_assign(contract=contract, member=member, today=D(2026, 1, 5))
    effective = D(2026, 5, day)
    shown = termination.termination_preview(contract=contract, effective_on=effective, today=D(2026, 5, 1))
    usage_line = next(line for line in shown.lines if line.kind == "usage")
    assert usage_line.amount_won == expected
    assert "15일" in usage_line.description
    record = request_and_settle(contract, today=D(2026, 5, 1), effective_on=effective)
    assert record.invoice is None and record.refund is None
    assert issued_total(record.lines) == 0
    invoices_generate(today=D(2026, 6, 1))
    may = Invoice.objects.filter(kind="regular", period_start=D(2026, 5, 1)).first()
    assert (may.total_won if may else 0) == expected
    assert not Invoice.objects.filter(kind=Invoice.Kind.FINAL).exists()


# --------------------------------------------------------------------------- penalties and exemptions


PRESET_PLANS = {
    "officecore": ("officecore-standard-monthly", {}),
    "flow": ("flow-business-monthly", {}),
    "flow-annual": ("flow-business-annual", {"cycle": "annual", "term_months": 12}),
    "dcloud": ("dcloud-vm-standard", {}),
    "kgmsg": ("kgmsg-standard", {}),
    "damoa": ("damoa-standard", {"term_months": 12}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("preset", list(PRESET_PLANS))
@pytest.mark.parametrize(
    "kind", [TerminationKind.PRICE_REFUSED, TerminationKind.TERMS_REFUSED, TerminationKind.OPERATOR_FAULT]
)
def test_no_penalty_when_operator_caused(presets, preset, kind):
    """BIL-14: no penalty when the customer terminates because of the operator (price or terms refused,
    SLA-7 operator fault), under every preset; where a penalty would apply the waived amount is shown."""
    plan, options = PRESET_PLANS[preset]
    contract = make_contract(plan, start=D(2026, 1, 5), **options)
    if preset == "damoa":
        promotions.promotion_add(
            contract=contract,
            kind=Promotion.Kind.FREE_PERIOD,
            starts_on=D(2026, 1, 5),
            description="가입 혜택",
        )
    invoices_generate(today=D(2026, 3, 15))
    customer = termination.termination_preview(
        contract=contract, effective_on=D(2026, 3, 20), today=D(2026, 3, 10)
    )
    exempt = termination.termination_preview(
        contract=contract, effective_on=D(2026, 3, 20), today=D(2026, 3, 10), kind=kind
    )
    assert all(line.amount_won == 0 for line in exempt.lines if line.kind == "penalty")
    if preset in ("dcloud", "damoa"):
        assert kinds(customer)["penalty"] > 0
        assert any("면제" in line.description for line in exempt.lines if line.kind == "penalty")
    record = request_and_settle(contract, today=D(2026, 3, 10), effective_on=D(2026, 3, 20), kind=kind)
    assert all(line["amount_won"] == 0 for line in record.lines if line["kind"] == "penalty")
    if record.refund:
        assert record.refund.operator_caused


@pytest.mark.django_db
def test_damoa_penalty_free_services_and_long_term_discounts(presets):
    """BIL-14 (004 art.26): the value of the services given free at signing plus the long-term discounts
    received before the term ends."""
    contract = make_contract("damoa-standard", start=D(2026, 1, 1), term_months=12)
    promotions.promotion_add(
        contract=contract, kind=Promotion.Kind.FREE_PERIOD, starts_on=D(2026, 1, 1), description="가입 혜택"
    )
    promotions.promotion_add(
        contract=contract,
        kind=Promotion.Kind.PERCENT,
        percent=10,
        periods=12,
        starts_on=D(2026, 2, 1),
        description="1년 약정 할인",
        is_long_term_discount=True,
    )
    for month in (1, 2, 3):
        invoices_generate(today=D(2026, month, 5))
    shown = settlement_compute(contract, D(2026, 3, 31), False)
    assert kinds(shown)["penalty"] == 300_000 + 30_000 + 30_000


@pytest.mark.django_db
def test_dcloud_annual_prepayment(presets):
    """BIL-15 (002 art.20⑦): the annual prepayment converted to monthly fees; usage and the annual discount
    for the used months subtracted, then the penalty (002 art.32③)."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 1), cycle="annual", term_months=12)
    promotions.promotion_add(
        contract=contract,
        kind=Promotion.Kind.PERCENT,
        percent=10,
        starts_on=D(2026, 1, 1),
        description="연납 할인",
    )
    invoices_generate(today=D(2026, 1, 1))
    assert Invoice.objects.get().supply_won == 3_600_000 - 360_000
    shown = settlement_compute(contract, D(2026, 6, 30), False)
    # prepaid 3,240,000 − gross 3,600,000 × 6/12 = 1,440,000 back; penalty 60% × 300,000 × 6 = 1,080,000
    assert kinds(shown)["refund"] == -1_440_000
    assert kinds(shown)["penalty"] == 1_080_000
    assert kinds(shown)["vat"] == -144_000
    assert issued_total(shown.lines) == -1_440_000 - 144_000 + 1_080_000


@pytest.mark.django_db
def test_suspension_days_credited_damoa(presets):
    """BIL-16 (004 art.19②): damoa charges nothing while suspended; the suspended days the regular
    invoices billed come back in the settlement."""
    contract = make_contract("damoa-standard", start=D(2026, 1, 1), term_months=12)
    invoices_generate(today=D(2026, 3, 5))
    s = suspension_schedule(contract=contract, reason="위반", today=D(2026, 3, 1), days=10)
    call_command(
        "run_jobs",
        "--date",
        "2026-03-08",
        "--until",
        "2026-03-18",
        "--no-progress",
        "--job",
        "contract_suspensions",
    )
    s.refresh_from_db()
    if s.lifted_on is None:
        suspension_lift(suspension=s, today=D(2026, 3, 18), reason="해소")
        s.refresh_from_db()
    assert s.started
    days = (s.lifted_on - s.starts_on).days
    shown = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 3, 31), False)
    assert kinds(shown)["suspension"] == -(300_000 * days // 31)


@pytest.mark.django_db
def test_damoa_withdrawal_full_refund_if_unused(presets):
    """CON-8 (004 art.24): withdrawn within 7 business days of the order and unused → everything paid back."""
    contract = make_contract("damoa-standard", start=D(2026, 3, 3), applied_on=D(2026, 3, 2), term_months=12)
    invoices_generate(today=D(2026, 3, 5))
    paid = Invoice.objects.get()
    withdrawn = termination.contract_withdraw(contract=contract, today=D(2026, 3, 6))
    assert withdrawn.status == ContractStatus.WITHDRAWN
    counts = settle_terminations(today=D(2026, 3, 6))
    assert counts["refunds"] == 1
    record = SettlementRecord.objects.get(contract=contract)
    assert record.refund.amount_won == paid.total_won


# --------------------------------------------------------------------------- preview equals settlement


def _prepare(preset: str, contract: Contract) -> None:
    if preset == "flow":
        for member in add_members(contract.customer, 3):
            seats.seat_assign(contract=contract, member=member, today=D(2026, 1, 5))
    if preset == "kgmsg":
        for month in (1, 2, 3):
            usage.usage_record(
                contract=contract, day=D(2026, month, 9), unit="sms", quantity=500, source_ref=f"sms-{month}"
            )
    if preset == "damoa":
        promotions.promotion_add(
            contract=contract,
            kind=Promotion.Kind.FREE_PERIOD,
            starts_on=D(2026, 1, 5),
            description="가입 혜택",
        )


@pytest.mark.django_db
@pytest.mark.usefixtures("all_jobs")
@pytest.mark.parametrize("preset", list(PRESET_PLANS))
def test_preview_equals_issued_settlement(presets, preset):
    """CON-7, BIL-12..16: the lines and total shown by ``termination_preview`` before confirming are those
    of the settlement issued after ``complete_terminations`` + ``settle_terminations``, under every preset;
    the issued document carries the issued lines exactly."""
    plan, options = PRESET_PLANS[preset]
    contract = make_contract(plan, start=D(2026, 1, 5), **options)
    _prepare(preset, contract)
    replay(D(2026, 1, 1), D(2026, 3, 17))
    today, effective = D(2026, 3, 17), D(2026, 3, 24)
    with clock.frozen(today):
        shown = termination.termination_preview(contract=contract, effective_on=effective, today=today)
        termination.termination_request(contract=contract, effective_on=effective, today=today)
    assert shown.complete
    replay(D(2026, 3, 18), D(2026, 3, 24))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    record = SettlementRecord.objects.get(contract=contract)
    assert record.lines == termination.settlement_as_dict(shown)["lines"]
    assert record.total_won == shown.total_won
    assert contract.termination_settlement["lines"] == record.lines
    amount = issued_total(shown.lines)
    if amount > 0:
        assert record.invoice.total_won == amount and record.refund is None
        issued_lines = [
            line for line in shown.lines if line.kind in ISSUED_KINDS - {"vat"} and line.amount_won
        ]
        assert [(x.description, x.amount_won) for x in record.invoice.lines.all()] == [
            (str(x.description), x.amount_won) for x in issued_lines
        ]
    elif amount < 0:
        assert record.refund.amount_won == -amount and record.invoice is None
    else:
        assert record.invoice is None and record.refund is None
    replay(D(2026, 3, 25), D(2026, 3, 26))
    assert SettlementRecord.objects.filter(contract=contract).count() == 1


@pytest.mark.django_db
def test_calculator_installed_and_issue_requires_termination(presets):
    """CON-7: billing installs its calculator at start-up, so the preview is complete; issuing a settlement
    for a live contract is refused."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 5))
    assert preview(contract, D(2026, 2, 10)).complete
    from core.errors import DomainError

    with pytest.raises(DomainError) as err:
        settlement_issue(contract=contract, today=D(2026, 2, 10))
    assert err.value.code == "not_terminated"


@pytest.mark.django_db
def test_unpaid_and_credit_shown_not_reissued(presets):
    """CON-7 (002 art.20②, 000 art.18⑥): open invoices and credit appear as context lines; the final
    invoice carries only the settlement's own charges."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    invoices_generate(today=D(2026, 2, 10))
    shown = settlement_compute(contract, D(2026, 2, 20), False)
    assert kinds(shown)["unpaid"] == 330_000
    record = request_and_settle(contract, today=D(2026, 2, 10), effective_on=D(2026, 2, 20))
    assert record.invoice.total_won == issued_total(record.lines)
    assert record.total_won == record.invoice.total_won + 330_000 + kinds(shown)["usage"]


# --------------------------------------------------------------------------- jobs: idempotent, two workers


@pytest.mark.django_db(transaction=True)
def test_settle_job_twice_and_on_two_threads():
    """BIL-12..16 job ``settle_terminations``: run twice, or by two workers at once, each terminated
    contract is settled once (one settlement, one final invoice number, one ledger entry)."""
    load_presets()
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    termination.termination_request(contract=contract, effective_on=D(2026, 6, 30), today=D(2026, 6, 1))
    termination.complete_due(today=D(2026, 6, 30))
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        try:
            barrier.wait()
            settle_terminations(today=D(2026, 6, 30))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert settle_terminations(today=D(2026, 6, 30))["settled"] == 0
    assert settle_terminations(today=D(2026, 7, 1))["settled"] == 0
    assert SettlementRecord.objects.count() == 1
    assert Invoice.objects.filter(kind=Invoice.Kind.FINAL).count() == 1
    final = Invoice.objects.get(kind=Invoice.Kind.FINAL)
    assert LedgerEntry.objects.filter(invoice=final).count() == 1
    assert final.number == "INV-2026-000001"
