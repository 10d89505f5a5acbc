"""BIL-2, BIL-3: the invoice run — one invoice per customer, schedule and period; numbered; idempotent;
safe on two workers; the preview is what the run issues; issued invoices are not touched again."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import connection

from billing.models import Invoice, LedgerEntry
from billing.services import ledger, promotions, usage
from billing.services.invoicing import (
    draft_as_dict,
    invoice_as_dict,
    invoice_preview,
    invoices_generate,
)
from contracts.presets import load_presets
from contracts.services import changes, termination

from .conftest import D, make_contract


@pytest.mark.django_db
def test_run_issues_due_invoices_once(presets):
    """BIL-2: the run for a date creates the invoice with number, lines, totals and a ledger entry; a
    second run for the same date creates nothing."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    assert invoices_generate(today=D(2026, 2, 9))["invoices"] == 0
    counts = invoices_generate(today=D(2026, 2, 10))
    assert counts["invoices"] == 1
    invoice = Invoice.objects.get()
    assert invoice.number == "INV-2026-000001"
    assert (invoice.schedule, invoice.period_start, invoice.period_end) == (
        "dcloud",
        D(2026, 1, 1),
        D(2026, 1, 31),
    )
    assert (invoice.issue_date, invoice.due_date) == (D(2026, 2, 10), D(2026, 2, 28))
    assert (invoice.supply_won, invoice.vat_won, invoice.total_won) == (261_290, 26_129, 287_419)
    assert [line.contract_id for line in invoice.lines.all()] == [contract.pk]
    entry = LedgerEntry.objects.get(invoice=invoice)
    assert (entry.kind, entry.amount_won, entry.key) == (
        "invoice",
        invoice.total_won,
        f"invoice:{invoice.pk}",
    )
    assert ledger.invoice_open_amount(invoice) == invoice.total_won
    again = invoices_generate(today=D(2026, 2, 10))
    assert again["invoices"] == 0
    assert invoices_generate(today=D(2026, 2, 11))["invoices"] == 0
    assert Invoice.objects.count() == 1


@pytest.mark.django_db
def test_missed_run_day_is_caught_up(presets):
    """BIL-3: if the run did not run on the issue date, the next run issues what is due, dated that day."""
    make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    invoices_generate(today=D(2026, 3, 12))
    invoices = list(Invoice.objects.order_by("period_start"))
    assert [(i.period_start, i.issue_date, i.due_date) for i in invoices] == [
        (D(2026, 1, 1), D(2026, 3, 12), D(2026, 3, 12)),
        (D(2026, 2, 1), D(2026, 3, 12), D(2026, 3, 31)),
    ]


@pytest.mark.django_db
def test_one_invoice_per_customer_with_all_contracts_as_lines(presets):
    """BIL-2: two contracts of one customer on the same schedule are lines of one invoice; numbers follow
    the issue order without gaps."""
    first = make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    second = make_contract("dcloud-vm-performance", start=D(2026, 1, 16), customer=first.customer)
    other = make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    invoices_generate(today=D(2026, 2, 10))
    mine = Invoice.objects.get(customer=first.customer)
    assert [line.contract_id for line in mine.lines.order_by("position")] == [first.pk, second.pk]
    assert [line.amount_won for line in mine.lines.order_by("position")] == [300_000, 464_516]
    assert mine.supply_won == 764_516
    assert Invoice.objects.get(customer=other.customer).lines.count() == 1
    assert sorted(Invoice.objects.values_list("number", flat=True)) == ["INV-2026-000001", "INV-2026-000002"]


@pytest.mark.django_db
def test_nothing_to_bill_creates_no_invoice(presets):
    """BIL-2, BIL-6: a kgmsg month without successful messages issues no zero invoice."""
    contract = make_contract("kgmsg-standard", start=D(2026, 1, 1))
    assert invoices_generate(today=D(2026, 2, 13))["invoices"] == 0
    usage.usage_record(contract=contract, day=D(2026, 2, 3), unit="alimtalk", quantity=1_000, source_ref="a")
    assert invoices_generate(today=D(2026, 3, 13))["invoices"] == 0
    invoices_generate(today=D(2026, 3, 16))  # 10th business day of March 2026 (03-02 substitute holiday)
    invoice = Invoice.objects.get()
    assert (invoice.issue_date, invoice.due_date) == (D(2026, 3, 16), D(2026, 4, 13))
    assert (invoice.supply_won, invoice.vat_won, invoice.total_won) == (7_000, 700, 7_700)


@pytest.mark.django_db
def test_preview_equals_what_the_run_issues(presets):
    """BIL-2: the preview for a date shows exactly what the run issues that day, and writes nothing."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 5))
    promotions.promotion_add(
        contract=contract,
        kind="amount",
        amount_won=30_000,
        starts_on=D(2026, 2, 1),
        periods=2,
        description="도입 할인",
    )
    for day in (D(2026, 1, 5), D(2026, 2, 1)):
        preview = invoice_preview(customer=contract.customer, today=day)
        assert Invoice.objects.filter(issue_date=day).count() == 0
        invoices_generate(today=day)
        issued = Invoice.objects.filter(issue_date=day).order_by("period_start")
        assert [draft_as_dict(d) for d in preview] == [invoice_as_dict(i) for i in issued]
        assert invoice_preview(customer=contract.customer, today=day) == []
    january = Invoice.objects.get(period_start=D(2026, 1, 1))
    # CON-4 + setup fee once on the first invoice: 300,000 × 27/31 + 200,000
    assert [line.amount_won for line in january.lines.all()] == [261_290, 200_000]
    assert (january.supply_won, january.vat_won, january.total_won) == (461_290, 46_129, 507_419)
    assert (january.issue_date, january.due_date) == (D(2026, 1, 5), D(2026, 1, 19))
    february = Invoice.objects.get(period_start=D(2026, 2, 1))
    assert [line.kind for line in february.lines.all()] == ["seats", "promotion"]
    assert february.supply_won == 270_000
    assert promotions.promotions_received(contract, D(2026, 12, 31)) == 30_000


@pytest.mark.django_db
def test_issued_invoice_is_immutable(presets):
    """BIL-2: later changes do not touch an issued invoice; the ledger entry equals its total."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 1))
    invoices_generate(today=D(2026, 1, 1))
    invoice = Invoice.objects.get()
    before = invoice_as_dict(invoice)
    changes.seats_change(contract=contract, seats=70, today=D(2026, 1, 10))
    invoices_generate(today=D(2026, 1, 10))
    invoice.refresh_from_db()
    assert invoice_as_dict(invoice) == before
    assert LedgerEntry.objects.get(invoice=invoice).amount_won == invoice.total_won
    invoices_generate(today=D(2026, 2, 1))
    feb = Invoice.objects.get(period_start=D(2026, 2, 1))
    # 70 seats from February, plus 20 seats × 22/31 days of January (000 art.15②)
    assert [line.amount_won for line in feb.lines.all()] == [420_000, 85_161]


@pytest.mark.django_db
def test_flow_vat_inclusive_invoice_shows_vat_part(presets):
    """BIL-2, §5: flow prices include VAT (001 art.19-9): the lines sum to the total and the invoice shows
    the VAT part."""
    contract = make_contract("flow-business-annual", start=D(2026, 1, 1), seats=10)
    invoices_generate(today=D(2026, 1, 1))
    invoice = Invoice.objects.get()
    assert invoice.schedule == "flow-annual"
    assert invoice.vat_inclusive
    assert (invoice.supply_won, invoice.vat_won, invoice.total_won) == (872_728, 87_272, 960_000)
    assert sum(line.amount_won for line in invoice.lines.all()) == invoice.total_won
    # §12 item 5: 3 seats added with exactly 5 months left → 120,000 on its own invoice
    changes.seats_change(contract=contract, seats=13, today=D(2026, 8, 1))
    invoices_generate(today=D(2026, 8, 2))
    added = Invoice.objects.get(period_start=D(2026, 8, 1))
    assert added.total_won == 120_000
    assert (added.issue_date, added.due_date) == (D(2026, 8, 2), D(2026, 8, 16))
    assert invoices_generate(today=D(2026, 8, 3))["invoices"] == 0
    assert contract.pk == added.lines.get().contract_id


@pytest.mark.django_db
def test_termination_stops_billing(presets):
    """BIL-4: billing runs to the termination's effective date and stops after it."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 1))
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 20), today=D(2026, 3, 1))
    call_command(
        "run_jobs",
        "--date",
        "2026-03-20",
        "--until",
        "2026-03-21",
        "--no-progress",
        "--job",
        "complete_terminations",
    )
    for day in (D(2026, 2, 10), D(2026, 3, 10), D(2026, 4, 10), D(2026, 5, 10)):
        invoices_generate(today=day)
    assert [i.supply_won for i in Invoice.objects.order_by("period_start")] == [300_000, 300_000, 193_548]


@pytest.mark.django_db
def test_generate_invoices_command_dry_run(presets, capsys):
    """BIL-2: ``generate_invoices --date D --dry-run`` prints the preview and writes nothing."""
    make_contract("damoa-standard", start=D(2026, 1, 2))
    call_command("generate_invoices", "--date", "2026-01-07", "--dry-run")
    out = capsys.readouterr().out
    assert "미리보기" in out and "1건" in out
    assert Invoice.objects.count() == 0
    call_command("generate_invoices", "--date", "2026-01-07")
    assert Invoice.objects.get().due_date == D(2026, 1, 12)


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_issue_one_invoice():
    """BIL-2, §10: two workers running the same date at the same time create one invoice per customer
    and period, with gapless numbers and one ledger entry each."""
    load_presets()
    contracts = [make_contract("dcloud-vm-standard", start=D(2026, 1, 1)) for _ in range(4)]
    barrier = threading.Barrier(2)
    results: list[dict] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(invoices_generate(today=D(2026, 2, 10)))
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(r["invoices"] for r in results) == 4
    assert Invoice.objects.count() == 4
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [
        f"INV-2026-{n:06d}" for n in range(1, 5)
    ]
    assert LedgerEntry.objects.filter(kind="invoice").count() == 4
    assert {i.customer_id for i in Invoice.objects.all()} == {c.customer_id for c in contracts}
