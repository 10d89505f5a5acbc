"""Issue 16: the benchmark machinery at a tiny size (the book builder, each measurement, the table),
so ``make bench`` cannot rot between full runs. Checks the rows' shape, not the targets."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from accounts.models import Customer
from bench import book, measure, run
from bench.dates import BOOK_DAY, ISSUE_DAY, ORDINARY_DAY
from billing.models import DocumentCounter, Invoice
from contracts.models import Contract
from core import jobs

pytestmark = pytest.mark.django_db(transaction=True)

ROW_KEYS = {"name", "figure", "floor", "ratio", "target", "met"}


def _gapless(series: str) -> None:
    for counter in DocumentCounter.objects.filter(series=series):
        numbers = sorted(
            int(n.rsplit("-", 1)[1])
            for n in Invoice.objects.filter(number__startswith=f"{series}-{counter.year}-")
            .values_list("number", flat=True)
        )
        assert numbers == list(range(1, counter.last_number + 1))


def test_bench_book_and_table_at_a_tiny_size() -> None:
    """BIL-2 (gapless numbers survive the copy), ACC-2 (valid business numbers), issue 16 (the table)."""
    info = book.build_book(size=50, today=BOOK_DAY, history_days=5)
    assert info.copies == 2
    assert Contract.objects.count() == 60 == info.contracts
    assert Customer.objects.count() == 30
    assert Customer.objects.values("business_number").distinct().count() == 30
    from accounts.validators import business_number_check_digit

    for number in Customer.objects.values_list("business_number", flat=True):
        assert int(number[9]) == business_number_check_digit(number[:9])
    _gapless("INV")

    ordinary = measure.run_jobs(today=ORDINARY_DAY)
    dunning = measure.dunning(today=ISSUE_DAY)
    sla = measure.sla_close(today=ISSUE_DAY)
    assert sla["incidents"] > 0 and sla["counts"]["closed"] > 0 and sla["floor_seconds"] > 0, sla
    assert sla["credit_notes"] == sla["counts"]["credited"] > 0, sla  # the outages earn credits (SLA-4)
    invoice = measure.invoice_run(today=ISSUE_DAY)
    assert invoice["first"]["counts"]["invoices"] > 0
    assert invoice["again"]["counts"]["invoices"] == 0
    assert invoice["floor_seconds"] > 0
    _gapless("INV")
    issue = measure.run_jobs(today=ISSUE_DAY)
    assert all(spec.name in issue["jobs"] for spec in jobs.registry())
    lists = measure.changelists()
    assert {label for label, _name in measure.CHANGELISTS} == set(lists)
    assert all(data["status"] == 200 for data in lists.values())

    api = measure.api_invoice_list(clients=4, per_client=3, web_workers=1)
    assert api["requests"] == 12 and api["errors"] == 0, api
    messages = measure.messages(count=40)
    assert messages["accepted"] == 40 and messages["recorded"] == 40 and not messages["errors"], messages

    rows = run.rows_from(runs=[invoice], ordinary=[ordinary], issue=[issue], dun=[dunning], sla=[sla],
                         lists=lists, api=[api], msgs=[messages])
    assert len(rows) == 7 + len(measure.CHANGELISTS) + 2
    for row in rows:
        assert set(row) >= ROW_KEYS, row
        assert isinstance(row["met"], bool)
    assert rows[0]["figure"] > 0 and rows[0]["floor"] > 0 and rows[0]["ratio"] > 0
    json.dumps(rows, default=str)
    table = run.render(rows)
    main, *by_job = table.split("\n\n")
    assert main.count("\n") == len(rows) + 1
    assert len(by_job) == 2  # the two run_jobs rows, each job timed on its own
    for section in by_job:
        assert all(f"| {spec.name} |" in section for spec in jobs.registry()), section
    assert all(set(data) == {"seconds", "queries", "counts"} for data in issue["jobs"].values())
    assert connection.vendor == "postgresql"
