"""BIL-16 in the regular invoice run: suspended days are not charged under ``suspension_fee_model = none``
(damoa 004 art.19②, officecore, dcloud, kgmsg) and charged only for the first ``suspension_fee_max_days``
of a suspension under ``charged_up_to_days`` (flow 30, 001 art.19-6-가), prorated by day (BIL-4) on the
period-fee lines. Arrears invoices credit the period they bill; advance-billed months whose suspension
became known after they were billed are credited on the contract's next regular invoice; once the
termination is recorded the final settlement credits the rest (one place each)."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.models import Invoice, InvoiceLine, SeatSnapshot
from billing.models import Settlement as SettlementRecord
from billing.services.charges import SUSPENSION_BASIS, uncharged_suspension_days
from billing.services.invoicing import draft_as_dict, invoice_as_dict, invoice_preview, invoices_generate
from billing.services.settlement import settle_terminations, settlement_compute
from contracts.effective import effective_policy
from contracts.models import Contract, Suspension, TerminationKind
from contracts.services import termination
from contracts.settlement import preview

from .conftest import D, make_contract

pytestmark = pytest.mark.django_db
K = InvoiceLine.Kind


@pytest.fixture(autouse=True)
def _calculator_installed():
    from django.apps import apps

    apps.get_app_config("billing").ready()


@pytest.fixture(autouse=True)
def _settlement_arithmetic_only():  # type: ignore[no-untyped-def]
    """Termination is not held back for unpaid fees here (CON-7's hold has its own tests)."""
    from contracts.services import applications

    applications.set_unpaid_lookup(lambda customer, day: 0)
    yield


def suspend(
    contract: Contract,
    starts_on: dt.date,
    lifted_on: dt.date | None = None,
    kind: str = Suspension.Kind.NONPAYMENT,
) -> Suspension:
    """A started suspension (noticed a week before), recorded directly; nonpayment unless ``kind``."""
    return Suspension.objects.create(
        contract=contract,
        kind=kind,
        reason="미납" if kind == Suspension.Kind.NONPAYMENT else "약관 위반",
        noticed_on=starts_on - dt.timedelta(days=7),
        starts_on=starts_on,
        started=True,
        lifted_on=lifted_on,
    )


def lift(suspension: Suspension, on: dt.date) -> None:
    suspension.lifted_on = on
    suspension.save(update_fields=["lifted_on"])


def run(start: dt.date, end: dt.date) -> None:
    day = start
    while day <= end:
        invoices_generate(today=day)
        day += dt.timedelta(days=1)


def fee_lines(contract: Contract, period_start: dt.date) -> list[InvoiceLine]:
    return list(
        InvoiceLine.objects.filter(
            contract=contract, invoice__period_start=period_start, invoice__kind=Invoice.Kind.REGULAR
        ).order_by("position")
    )


def credits(contract: Contract) -> list[InvoiceLine]:
    return list(
        InvoiceLine.objects.filter(
            contract=contract, kind=K.ADJUSTMENT, policy_basis__startswith=SUSPENSION_BASIS
        ).order_by("invoice__issue_date")
    )


def kinds(settlement) -> dict[str, int]:  # type: ignore[no-untyped-def]
    out: dict[str, int] = {}
    for line in settlement.lines:
        out[line.kind] = out.get(line.kind, 0) + line.amount_won
    return out


# --------------------------------------------------------------------------- the days


def test_uncharged_days_per_fee_model(presets):
    damoa = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    suspend(damoa, D(2026, 4, 10), D(2026, 4, 20))
    assert uncharged_suspension_days(damoa, effective_policy(damoa), D(2026, 5, 31)) == [
        (D(2026, 4, 10), D(2026, 4, 19))
    ]
    flow = make_contract("flow-business-monthly", start=D(2026, 3, 1), seats=10)
    suspend(flow, D(2026, 4, 1))  # still open: runs to the cut-off
    policy = effective_policy(flow)
    assert uncharged_suspension_days(flow, policy, D(2026, 4, 30)) == []  # first 30 days charged
    assert uncharged_suspension_days(flow, policy, D(2026, 5, 10)) == [(D(2026, 5, 1), D(2026, 5, 10))]
    not_started = Suspension.objects.create(
        contract=damoa,
        kind=Suspension.Kind.VIOLATION,
        reason="예정",
        noticed_on=D(2026, 6, 1),
        starts_on=D(2026, 6, 8),
        started=False,
    )
    assert not_started.pk and uncharged_suspension_days(damoa, effective_policy(damoa), D(2026, 6, 30)) == [
        (D(2026, 4, 10), D(2026, 4, 19))
    ]


# --------------------------------------------------------------------------- the run


def test_damoa_10_days_suspended_in_a_30_day_month_billed_20_of_30(presets):
    """damoa bills April in advance (before the suspension); the 10 suspended days come back on the next
    regular invoice as one negative line: April costs 300,000 × 20/30 = 200,000."""
    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    run(D(2026, 3, 1), D(2026, 4, 9))
    april = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 4, 1))
    assert [line.amount_won for line in fee_lines(contract, D(2026, 4, 1))] == [300_000]
    s = suspend(contract, D(2026, 4, 10))
    run(D(2026, 4, 10), D(2026, 4, 19))
    lift(s, D(2026, 4, 20))
    run(D(2026, 4, 20), D(2026, 6, 30))

    [credit] = credits(contract)
    assert credit.amount_won == -100_000 and credit.invoice.period_start == D(2026, 5, 1)
    assert (credit.service_start, credit.service_end) == (D(2026, 4, 10), D(2026, 4, 19))
    assert "10일" in credit.description and "약관 제19조②" in credit.description
    may = credit.invoice
    assert may.supply_won == 300_000 - 100_000 and may.vat_won == 20_000
    april_net = sum(line.amount_won for line in fee_lines(contract, D(2026, 4, 1))) + credit.amount_won
    assert april_net == 300_000 * 20 // 30
    assert april.total_won == 330_000  # issued invoices are never edited
    june = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 6, 1))
    assert june.supply_won == 300_000  # credited once


def test_damoa_suspension_already_running_when_billed(presets):
    """Days suspended before the advance invoice is issued are credited on that invoice; the rest of an
    open suspension (not known yet) on the next one."""
    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    s = suspend(contract, D(2026, 3, 28))
    run(D(2026, 3, 1), D(2026, 4, 30))
    april = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 4, 1))
    known = [line for line in credits(contract) if line.invoice_id == april.pk]
    assert len(known) == 1
    days_known = (april.issue_date - D(2026, 3, 28)).days  # 03-28 .. the day before issue
    march_and_april = 300_000 * min(days_known, 4) // 31 + 300_000 * max(0, days_known - 4) // 30
    assert known[0].amount_won == -march_and_april
    lift(s, D(2026, 4, 11))
    run(D(2026, 5, 1), D(2026, 5, 31))
    total_credit = -sum(line.amount_won for line in credits(contract))
    assert total_credit == 300_000 * 4 // 31 + 300_000 * 10 // 30  # 03-28..31 and 04-01..10


def test_dcloud_arrears_credits_the_period_it_bills(presets):
    """dcloud bills a month after it ends: the invoice credits that month's suspended days itself; an open
    suspension runs to the period end."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 5, 1), term_months=12)
    s = suspend(contract, D(2026, 6, 21))
    run(D(2026, 7, 1), D(2026, 7, 31))
    june = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 6, 1))
    lines = {line.kind: line.amount_won for line in june.lines.all()}
    assert lines == {K.BASE_FEE: 300_000, K.ADJUSTMENT: -100_000}  # 06-21..30 = 10/30
    assert (june.supply_won, june.vat_won, june.total_won) == (200_000, 20_000, 220_000)
    lift(s, D(2026, 7, 6))
    run(D(2026, 8, 1), D(2026, 8, 31))
    july = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 7, 1))
    assert {line.kind: line.amount_won for line in july.lines.all()} == {
        K.BASE_FEE: 300_000,
        K.ADJUSTMENT: -(300_000 * 5 // 31),
    }


def test_flow_suspended_40_days_charges_30(presets):
    """flow (001 art.19-6-가): fees run for the first 30 days of a suspension; the other 10 are not charged
    (prorated by day on the month's seat line, VAT included)."""
    contract = make_contract("flow-business-monthly", start=D(2026, 3, 1), seats=10)
    for day in (D(2026, 3, 15), D(2026, 4, 15), D(2026, 5, 15), D(2026, 6, 15)):
        SeatSnapshot.objects.create(contract=contract, day=day, registered=10, contracted=10)
    suspend(contract, D(2026, 4, 1), D(2026, 5, 11))  # 04-01..05-10 = 40 days
    run(D(2026, 4, 1), D(2026, 7, 1))
    april = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 4, 1))
    may = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 5, 1))
    june = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 6, 1))
    assert april.total_won == 100_000  # 30 suspended days, all charged
    may_lines = {line.kind: line.amount_won for line in may.lines.all()}
    assert may_lines == {K.SEATS: 100_000, K.ADJUSTMENT: -(100_000 * 10 // 31)}  # 05-01..10 not charged
    assert may.total_won == 100_000 - 32_258
    assert "30일 초과분" in credits(contract)[0].description
    assert june.total_won == 100_000


def test_preview_is_what_the_run_issues_and_a_rerun_adds_nothing(presets):
    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=12)
    run(D(2026, 3, 1), D(2026, 4, 30))
    suspend(contract, D(2026, 4, 10), D(2026, 4, 20))
    may_issue = D(2026, 5, 6)
    while not invoice_preview(customer=contract.customer, today=may_issue):
        may_issue += dt.timedelta(days=1)
    run(D(2026, 5, 1), may_issue - dt.timedelta(days=1))
    [draft] = invoice_preview(customer=contract.customer, today=may_issue)
    [issued_now] = [invoices_generate(today=may_issue)]
    assert issued_now["invoices"] == 1
    may = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 5, 1))
    assert draft_as_dict(draft) == invoice_as_dict(may)
    assert invoices_generate(today=may_issue)["invoices"] == 0
    assert len(credits(contract)) == 1


# --------------------------------------------------------------------------- with the settlement


def test_termination_leaves_the_rest_to_the_settlement(presets):
    """March's suspension was credited by April's invoice; April's (known after April was billed) is left
    to the final settlement once the termination is recorded — preview and issued settlement agree, and
    no regular invoice credits it again."""
    contract = make_contract("damoa-standard", start=D(2026, 3, 2), term_months=1)
    suspend(contract, D(2026, 3, 10), D(2026, 3, 20))
    run(D(2026, 3, 1), D(2026, 4, 9))
    [march_credit] = credits(contract)
    assert march_credit.amount_won == -(300_000 * 10 // 31)
    suspend(contract, D(2026, 4, 10), D(2026, 4, 20))
    shown = preview(Contract.objects.get(pk=contract.pk), D(2026, 4, 30))
    assert kinds(shown)["suspension"] == -100_000  # April only: March is already credited
    termination.termination_request(
        contract=contract, effective_on=D(2026, 4, 30), today=D(2026, 4, 21), kind=TerminationKind.CUSTOMER
    )
    run(D(2026, 4, 21), D(2026, 4, 30))
    termination.complete_due(today=D(2026, 4, 30))
    settle_terminations(today=D(2026, 4, 30))
    record = SettlementRecord.objects.get(contract=contract)
    issued = [line for line in record.lines if line["kind"] == "suspension"]
    assert [line["amount_won"] for line in issued] == [-100_000]
    assert [(line.kind, line.amount_won) for line in shown.lines if line.kind != "unpaid"] == [
        (line["kind"], line["amount_won"]) for line in record.lines if line["kind"] != "unpaid"
    ]
    run(D(2026, 5, 1), D(2026, 6, 30))
    assert credits(contract) == [march_credit]
    again = settlement_compute(Contract.objects.get(pk=contract.pk), D(2026, 4, 30), False)
    assert kinds(again)["suspension"] == -100_000
