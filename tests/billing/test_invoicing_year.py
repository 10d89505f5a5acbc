"""BIL-2, BIL-3, BIL-4, BIL-5, BIL-6, CON-4: a simulated year per preset. A contract is applied, approved
and activated on 2026-01-05 through the contracts services, then ``run_jobs`` replays 2026 with
``snapshot_seats`` and ``generate_invoices``; the invoices' count, dates and amounts follow SPEC §5 and
the seeds (000 art.15, 001 art.19, 002 art.31/32, 003 art.6/7, 004 art.19/21)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.management import call_command

from billing.models import Invoice, LedgerEntry
from billing.services import usage
from contracts.services import seats
from core.calendar import BusinessCalendar, add_months, month_end

from .conftest import D, add_members, make_contract

START = D(2026, 1, 5)


def replay(start: str, until: str) -> None:
    call_command(
        "run_jobs",
        "--date",
        start,
        "--until",
        until,
        "--no-progress",
        "--job",
        "snapshot_seats",
        "--job",
        "generate_invoices",
    )


def invoices() -> list[Invoice]:
    return list(Invoice.objects.order_by("period_start"))


def rows(items: list[Invoice]) -> list[tuple]:
    return [(i.period_start, i.issue_date, i.due_date, i.supply_won, i.vat_won, i.total_won) for i in items]


def check_ledger(items: list[Invoice]) -> None:
    for invoice in items:
        assert LedgerEntry.objects.get(invoice=invoice, kind="invoice").amount_won == invoice.total_won
    numbers = sorted(int(i.number.rsplit("-", 1)[1]) for i in items)
    assert numbers == list(range(1, len(items) + 1))


@pytest.fixture
def timed():
    started = time.monotonic()
    yield
    assert time.monotonic() - started < 150  # a replayed year stays cheap (about 20 s alone)


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "billing_jobs", "timed")
def test_year_officecore_monthly():
    """officecore: advance, issued on the 1st (the first one at activation), due in 14 days; 50 seats ×
    6,000; January prorated 27/31 with the one-time setup fee (000 art.15②③)."""
    make_contract("officecore-standard-monthly", start=START)
    replay("2026-01-01", "2026-12-31")
    items = invoices()
    expected = [(D(2026, 1, 1), START, D(2026, 1, 19), 461_290, 46_129, 507_419)] + [
        (D(2026, m, 1), D(2026, m, 1), D(2026, m, 15), 300_000, 30_000, 330_000) for m in range(2, 13)
    ]
    assert rows(items) == expected
    check_ledger(items)
    replay("2026-12-31", "2026-12-31")
    call_command("generate_invoices", "--date", "2026-12-01")
    assert Invoice.objects.count() == 12


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "billing_jobs", "timed")
def test_year_officecore_annual():
    """officecore annual: the year billed up front at activation, 50 × 5,000 × 12 + setup fee (BIL-5)."""
    make_contract("officecore-standard-annual", start=START, cycle="annual", term_months=12)
    replay("2026-01-01", "2026-12-31")
    assert rows(invoices()) == [(START, START, D(2026, 1, 19), 3_200_000, 320_000, 3_520_000)]


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "billing_jobs", "timed")
def test_year_flow_monthly_peak():
    """flow monthly: arrears, issued on the 1st of the next month, due in 14 days; the month's peak of
    registered users × 10,000, VAT included (001 art.19-3, 19-9); November peaked at 12 for one day
    (SPEC §12 item 6)."""
    contract = make_contract("flow-business-monthly", start=START)
    members = add_members(contract.customer, 12)
    for m in members[:10]:
        seats.seat_assign(contract=contract, member=m, today=START)
    replay("2026-01-01", "2026-11-16")
    for m in members[10:]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 11, 17))
    replay("2026-11-17", "2026-11-17")
    for m in members[10:]:
        seats.seat_release(contract=contract, member=m, today=D(2026, 11, 18))
    replay("2026-11-18", "2026-12-31")
    items = invoices()
    expected = [
        (D(2026, m, 1), D(2026, m + 1, 1), D(2026, m + 1, 15), 90_910, 9_090, 100_000) for m in range(1, 11)
    ] + [(D(2026, 11, 1), D(2026, 12, 1), D(2026, 12, 15), 109_091, 10_909, 120_000)]
    assert rows(items) == expected
    check_ledger(items)


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "billing_jobs", "timed")
def test_year_dcloud():
    """dcloud: arrears, issued on the 10th of the next month, due its last day (002 art.31①); January
    from the 5th prorated 27/31 (002 art.32④); VAT 10% added (002 art.32⑤)."""
    make_contract("dcloud-vm-standard", start=START)
    replay("2026-01-01", "2026-12-31")
    items = invoices()
    expected = [(D(2026, 1, 1), D(2026, 2, 10), D(2026, 2, 28), 261_290, 26_129, 287_419)] + [
        (D(2026, m, 1), D(2026, m + 1, 10), month_end(D(2026, m + 1, 1)), 300_000, 30_000, 330_000)
        for m in range(2, 12)
    ]
    assert rows(items) == expected
    check_ledger(items)


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "billing_jobs", "timed")
def test_year_kgmsg():
    """kgmsg: successful messages × unit price, issued on the 10th business day of the next month, due 20
    business days later (003 art.6③, 7①; SPEC §12 item 12: Sep → 10-16, Oct → 11-13)."""
    contract = make_contract("kgmsg-standard", start=START)
    for m in range(1, 13):
        usage.usage_record(
            contract=contract, day=D(2026, m, 15), unit="sms", quantity=1_000, source_ref=f"sms-2026-{m}"
        )
        usage.usage_record(
            contract=contract, day=D(2026, m, 16), unit="lms", quantity=100, source_ref=f"lms-2026-{m}"
        )
    replay("2026-01-01", "2026-12-31")
    cal = BusinessCalendar()
    items = invoices()
    expected = []
    for m in range(1, 12):
        nxt = add_months(D(2026, m, 1), 1)
        issue = cal.nth_business_day(nxt.year, nxt.month, 10)
        expected.append((D(2026, m, 1), issue, cal.add_business_days(issue, 20), 11_700, 1_170, 12_870))
    assert rows(items) == expected
    assert items[8].issue_date == D(2026, 10, 16)
    assert items[9].issue_date == D(2026, 11, 13)
    check_ledger(items)


@pytest.mark.django_db
@pytest.mark.usefixtures("presets", "billing_jobs", "timed")
def test_year_damoa():
    """damoa: advance, due the 10th of the usage month or the next business day, issued 5 days before
    (004 art.19①, 21①; SPEC §12 item 11: October 2026 due 10-12); January prorated from the 5th."""
    make_contract("damoa-standard", start=START)
    replay("2026-01-01", "2026-12-31")
    cal = BusinessCalendar()
    items = invoices()
    expected = []
    for m in range(1, 13):
        due = cal.on_or_after(D(2026, m, 10))
        supply = 261_290 if m == 1 else 300_000
        expected.append(
            (D(2026, m, 1), due - dt.timedelta(days=5), due, supply, supply // 10, supply * 11 // 10)
        )
    assert rows(items) == expected
    assert (items[0].issue_date, items[0].due_date) == (D(2026, 1, 7), D(2026, 1, 12))
    assert (items[9].issue_date, items[9].due_date) == (D(2026, 10, 7), D(2026, 10, 12))
    check_ledger(items)
