"""BIL-9: late fees (dcloud, 002 art.34) and surcharges (flow, 001 art.19-6-나), recorded by the
``apply_late_charges`` job and billed on the next invoice (posted to the ledger only when billed)."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from billing.models import Dispute, Invoice, InvoiceLine, LateCharge, LedgerEntry
from billing.services import invoicing, ledger
from billing.services.late_charges import (
    accruals_for,
    apply_late_charges,
    daily_late_fee,
    invoice_amount_due_won,
    surcharge,
)
from billing.services.payments import payment_record
from contracts.presets import load_presets
from core.calendar import add_months
from tests.billing.payment_factories import CustomerFactory, make_invoice
from tests.contracts.factories import PolicyFactory

from .conftest import D
from .test_dunning import after_due_jobs, first_invoice, make_contract_on, walk  # noqa: F401 - fixture

ONE = dt.timedelta(days=1)


def dcloud_policy():  # type: ignore[no-untyped-def]
    return PolicyFactory(
        late_charge_model="daily_rate", late_charge_monthly_percent=Decimal("1.5"), late_charge_grace_days=0
    )


def flow_policy_():  # type: ignore[no-untyped-def]
    return PolicyFactory(
        late_charge_model="monthly_surcharge",
        late_charge_monthly_percent=Decimal("1.5"),
        late_charge_grace_days=30,
        late_charge_waivable=False,
    )


def test_worked_example_1_arithmetic():
    """SPEC §12 item 1 (BIL-9, 002 art.34②): 1,000,000 × 0.015 × 12 × 45/365 = 22,191.78 → 22,191 won."""
    assert daily_late_fee(unpaid_won=1_000_000, days=45, monthly_percent=Decimal("1.5")) == 22_191
    assert daily_late_fee(unpaid_won=1_000_000, days=45, monthly_percent="1.5", mode="half_up") == 22_192
    assert surcharge(unpaid_won=330_000, monthly_percent="1.5") == 4_950


@pytest.mark.django_db
def test_worked_example_1_through_the_job():
    """SPEC §12 item 1, BIL-9: 1,000,000 unpaid from the day after the due date (01-31) until it is paid on
    the 45th day (03-17): February (28 days) and March (17 days) add up to exactly 22,191 won."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=dcloud_policy())
    # make it exactly 1,000,000 owed (the factory adds VAT): pay the VAT part on the due date
    payment_record(
        customer=customer,
        amount_won=100_000,
        method="bank_transfer",
        received_on=D(2026, 1, 31),
        invoice=invoice,
    )
    for day in (D(2026, 2, 1), D(2026, 2, 15), D(2026, 3, 1), D(2026, 3, 1), D(2026, 3, 17)):
        apply_late_charges(today=day)
    feb = LateCharge.objects.get(invoice=invoice)
    assert (feb.period_start, feb.period_end, feb.days, feb.base_won, feb.amount_won) == (
        D(2026, 2, 1),
        D(2026, 2, 28),
        28,
        1_000_000,
        13_808,
    )
    payment_record(
        customer=customer,
        amount_won=1_000_000,
        method="bank_transfer",
        received_on=D(2026, 3, 17),
        invoice=invoice,
    )
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    apply_late_charges(today=D(2026, 3, 18))
    apply_late_charges(today=D(2026, 3, 19))
    charges = list(LateCharge.objects.filter(invoice=invoice).order_by("period_start"))
    assert [(c.period_start, c.period_end, c.days) for c in charges] == [
        (D(2026, 2, 1), D(2026, 2, 28), 28),
        (D(2026, 3, 1), D(2026, 3, 17), 17),
    ]
    assert sum(c.days for c in charges) == 45
    assert sum(c.amount_won for c in charges) == 22_191
    # posted only when billed: nothing in the ledger yet
    assert not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.LATE_CHARGE).exists()


@pytest.mark.django_db
def test_partial_payment_lowers_the_base_from_its_day():
    """BIL-9: each day's late fee is on that day's unpaid amount (a partial payment counts from its day)."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=dcloud_policy())
    payment_record(
        customer=customer,
        amount_won=600_000,
        method="bank_transfer",
        received_on=D(2026, 2, 15),
        invoice=invoice,
    )
    apply_late_charges(today=D(2026, 3, 1))
    charge = LateCharge.objects.get(invoice=invoice)
    # 1,100,000 for Feb 1..15 (15 days, the payment day counts), 500,000 for Feb 16..28 (13 days):
    # (16,500,000 + 6,500,000) × 0.015 × 12 / 365 = 4,140,000 / 365 = 11,342.47 → 11,342
    assert charge.amount_won == 11_342
    assert charge.days == 28


@pytest.mark.django_db
def test_flow_surcharge_after_30_days_and_monthly_after():
    """BIL-9 (001 art.19-6-나): 1.5% of the unpaid amount once unpaid for 30 days, again each month it
    stays unpaid; paying on day 30 avoids it; not before."""
    customer = CustomerFactory()
    due = D(2026, 11, 2)
    make_invoice(customer, 330_000, due_date=due, policy=flow_policy_())
    apply_late_charges(today=due + dt.timedelta(days=30))  # day 30 itself is not over yet
    assert not LateCharge.objects.exists()
    apply_late_charges(today=due + dt.timedelta(days=31))
    first = LateCharge.objects.get()
    assert (first.kind, first.period_start, first.base_won, first.amount_won) == (
        LateCharge.Kind.SURCHARGE,
        D(2026, 12, 2),
        330_000,
        4_950,
    )
    assert first.period_end == D(2027, 1, 1)
    for day in (D(2027, 1, 2), D(2027, 1, 3), D(2027, 1, 3)):
        apply_late_charges(today=day)
    assert list(LateCharge.objects.order_by("period_start").values_list("period_start", "amount_won")) == [
        (D(2026, 12, 2), 4_950),
        (add_months(D(2026, 12, 2), 1), 4_950),
    ]

    other = make_invoice(customer, 330_000, due_date=due, policy=flow_policy_())
    payment_record(
        customer=customer,
        amount_won=330_000,
        method="bank_transfer",
        received_on=due + 30 * ONE,
        invoice=other,
    )
    apply_late_charges(today=D(2027, 1, 5))
    assert not LateCharge.objects.filter(invoice=other).exists()


@pytest.mark.django_db
def test_no_late_charges_for_damoa_officecore_kgmsg():
    """BIL-9: damoa, officecore and kgmsg charge nothing by default."""
    presets = {p.code: p for p in load_presets()}
    customer = CustomerFactory()
    for code in ("damoa", "officecore", "kgmsg"):
        invoice = make_invoice(customer, 330_000, due_date=D(2026, 1, 12), policy=presets[code])
        assert accruals_for(invoice, today=D(2026, 6, 1)) == []
    apply_late_charges(today=D(2026, 6, 1))
    assert not LateCharge.objects.exists()


@pytest.mark.django_db
def test_open_dispute_holds_its_amount_out_of_late_charges():
    """BIL-9, BIL-10: while a dispute is open its amount (with VAT) is not charged late fees."""
    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=dcloud_policy())
    Dispute.objects.create(
        invoice=invoice,
        customer=customer,
        amount_won=400_000,
        reason="x",
        filed_on=D(2026, 1, 20),
        answer_due_on=D(2026, 3, 31),
    )
    apply_late_charges(today=D(2026, 3, 1))
    charge = LateCharge.objects.get()
    assert charge.base_won == 1_100_000 - 440_000
    # 660,000 × 0.015 × 12 × 28 / 365 = 3,326,400 / 365 = 9,113.42 → 9,113
    assert charge.amount_won == 9_113


@pytest.mark.django_db
@pytest.mark.usefixtures("presets")
def test_dcloud_late_fee_is_billed_once_on_the_next_invoice():
    """BIL-9 (002 art.34③): the March late fee of the unpaid February invoice shows on the invoice issued
    in April as a ``late_charge`` line outside VAT; its ledger entry is posted then, once, on that invoice,
    and the customer's balance stays the sum of the ledger."""
    contract = make_contract_on("dcloud-vm-standard", D(2026, 1, 5))
    jan = first_invoice(contract)  # issued 02-10, due 02-28
    assert (jan.issue_date, jan.due_date) == (D(2026, 2, 10), D(2026, 2, 28))
    invoicing.invoices_generate(today=D(2026, 3, 10))  # February's invoice, no late charge yet
    feb = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 2, 1))
    assert not feb.lines.filter(kind=InvoiceLine.Kind.LATE_CHARGE).exists()
    for day in (D(2026, 4, 1), D(2026, 4, 2)):
        apply_late_charges(today=day)
    # January from the 5th: 300,000 × 27/31 = 261,290 + VAT 26,129 = 287,419 unpaid all March:
    # 287,419 × 0.015 × 12 × 31 / 365 = 4,393.97 → 4,393
    assert jan.total_won == 287_419
    march = LateCharge.objects.get(invoice=jan)
    assert (march.days, march.base_won, march.amount_won) == (31, 287_419, 4_393)
    assert march.billed_on_invoice is None
    balance_before = ledger.customer_balance(contract.customer)

    preview = invoicing.invoice_preview(customer=contract.customer, today=D(2026, 4, 10))
    assert [line.kind for line in preview[0].lines][-1] == InvoiceLine.Kind.LATE_CHARGE
    invoicing.invoices_generate(today=D(2026, 4, 10))
    invoicing.invoices_generate(today=D(2026, 4, 10))
    mar_invoice = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 3, 1))
    line = mar_invoice.lines.get(kind=InvoiceLine.Kind.LATE_CHARGE)
    assert line.amount_won == march.amount_won
    assert line.contract_id == contract.pk
    assert mar_invoice.supply_won == 300_000 and mar_invoice.vat_won == 30_000  # outside VAT
    march.refresh_from_db()
    assert march.billed_on_invoice == mar_invoice
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.LATE_CHARGE)
    assert (entry.invoice, entry.amount_won, entry.key) == (
        mar_invoice,
        march.amount_won,
        f"late_charge:{march.pk}",
    )
    assert (
        ledger.invoice_open_amount(mar_invoice)
        == invoice_amount_due_won(mar_invoice)
        == 330_000 + march.amount_won
    )
    assert ledger.customer_balance(contract.customer) == balance_before + 330_000 + march.amount_won
    # the next invoice bills April's accruals (January's and February's invoices), not March's again
    apply_late_charges(today=D(2026, 5, 1))
    invoicing.invoices_generate(today=D(2026, 5, 11))
    may = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 4, 1))
    billed = sorted(
        may.lines.filter(kind=InvoiceLine.Kind.LATE_CHARGE).values_list("service_start", flat=True)
    )
    assert billed == [D(2026, 4, 1), D(2026, 4, 1)]
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.LATE_CHARGE).count() == 3
    assert LateCharge.objects.filter(billed_on_invoice__isnull=True).count() == 0
    assert ledger.customer_balance(contract.customer) == sum(
        LedgerEntry.objects.filter(customer=contract.customer).values_list("amount_won", flat=True)
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "after_due_jobs")
def test_flow_surcharge_through_run_jobs_and_rebilled():
    """BIL-9 (001 art.19-6-나 "재청구"): walking the jobs, flow's surcharge is recorded on day 31 and
    re-invoiced on the next monthly invoice."""
    contract = make_contract_on("flow-business-monthly", D(2026, 1, 5))
    jan = first_invoice(contract)
    walk(jan.due_date, jan.due_date + dt.timedelta(days=31), "apply_late_charges")
    charge = LateCharge.objects.get(invoice=jan)
    assert charge.period_start == jan.due_date + dt.timedelta(days=30)
    # 3 registered users × 10,000 (VAT included) = 30,000 unpaid; 1.5% = 450
    assert (jan.total_won, charge.base_won, charge.amount_won) == (30_000, 30_000, 450)
    invoicing.invoices_generate(today=D(2026, 3, 20))  # February's invoice, missed on 03-01, issued now
    invoicing.invoices_generate(today=D(2026, 4, 1))  # March's: nothing left to bill
    line = InvoiceLine.objects.get(kind=InvoiceLine.Kind.LATE_CHARGE)
    assert line.amount_won == charge.amount_won
    assert line.invoice.period_start == D(2026, 2, 1)  # the customer's first invoice of the run
    assert ledger.invoice_open_amount(line.invoice) == line.invoice.total_won + charge.amount_won


@pytest.mark.django_db(transaction=True)
def test_two_workers_record_each_late_charge_once():
    """BIL-9, SPEC §10: the job on two threads at once records each period once."""
    customer = CustomerFactory()
    invoices = [
        make_invoice(customer, supply_won=1_000_000, due_date=D(2026, 1, 31), policy=dcloud_policy())
        for _ in range(3)
    ]
    errors: list[BaseException] = []

    barrier = threading.Barrier(2)

    def work() -> None:
        try:
            barrier.wait(timeout=10)  # both workers start the job together
            apply_late_charges(today=D(2026, 4, 1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert LateCharge.objects.count() == 6  # Feb and Mar for each invoice
    # 1,100,000 × 0.18 × 28 / 365 = 15,189.04 → 15,189; × 31 / 365 = 16,816.44 → 16,816
    assert sorted(LateCharge.objects.values_list("amount_won", flat=True)) == [15_189] * 3 + [16_816] * 3
    assert sorted(LateCharge.objects.values_list("invoice_id", flat=True)) == sorted(
        [i.pk for i in invoices] * 2
    )


@pytest.mark.django_db
def test_a_year_overdue_invoice_does_not_recompute_its_recorded_months(monkeypatch):
    """BIL-9, issue 16: once a month's late fee is recorded, later runs skip it without computing it (an
    invoice a year overdue used to recompute every past month, day by day, every day); the amounts and
    the count of periods already recorded are the same either way."""
    from billing.services import late_charges as lc

    customer = CustomerFactory()
    invoice = make_invoice(customer, supply_won=1_000_000, due_date=D(2025, 12, 31), policy=dcloud_policy())
    first = apply_late_charges(today=D(2026, 12, 1))
    assert first["late_charges"] == 11 and first["existing"] == 0  # January..November
    computed: list[dt.date] = []
    real = lc._daily_accrual

    def spy(policy, balances, start, end):  # type: ignore[no-untyped-def]
        computed.append(start)
        return real(policy, balances, start, end)

    monkeypatch.setattr(lc, "_daily_accrual", spy)
    again = apply_late_charges(today=D(2026, 12, 2))
    assert (again["late_charges"], again["existing"], computed) == (0, 11, [])
    december = apply_late_charges(today=D(2027, 1, 1))
    assert (december["late_charges"], december["existing"], computed) == (1, 11, [D(2026, 12, 1)])
    # the job's amounts equal a fresh computation of every month (nothing recorded passed in)
    recorded = dict(LateCharge.objects.filter(invoice=invoice).values_list("period_start", "amount_won"))
    fresh = {a.period_start: a.amount_won for a in accruals_for(invoice, today=D(2027, 1, 1))}
    assert recorded == fresh and len(fresh) == 12


def test_a_days_balance_is_the_sum_of_the_entries_before_it():
    """BIL-9: the unpaid amount at the start of a day counts every ledger entry dated before that day, none
    on or after it (the balance is now read by bisection, not summed each day)."""
    from billing.services.late_charges import _Balances

    invoice = Invoice(vat_rate_percent=Decimal(10))
    entries = [(D(2026, 1, 31), 1_100_000), (D(2026, 2, 10), -300_000), (D(2026, 2, 10), -100_000),
               (D(2026, 3, 1), 50_000), (D(2026, 3, 5), -750_000)]
    balances = _Balances(invoice, list(reversed(entries)), [])
    day = D(2026, 1, 25)
    while day <= D(2026, 3, 10):
        assert balances.on(day) == max(0, sum(amount for when, amount in entries if when < day)), day
        day += ONE
    assert balances.last_entry_on() == D(2026, 3, 5)
