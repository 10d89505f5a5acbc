"""Issue 16 / issue 19: the dunning job set-based per batch of customers, and safe for two workers.

* The number of queries of a batch does not depend on how many cases it opens and steps it runs.
* ``dunning_plan``/``dunning_batch`` (the batch contract of ``core.jobs``): two workers (threads, each its
  own PostgreSQL connection) running the same batches at once execute each step once, with one notice
  each (DUN-1), and the job's counts add up to what one worker would have done.
* The job function stays ``dunning_run(today=...)`` and is registered with its batches.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import DunningCase, DunningStep, Invoice
from billing.services import dunning
from billing.services.dunning import KEYS, dunning_batch, dunning_plan, dunning_run
from billing.services.invoicing import invoices_generate
from contracts.presets import load_presets
from core import jobs
from messaging.models import Notice
from tests.concurrency import at_once

from .conftest import D, make_contract

ISSUE = D(2026, 2, 10)


def _overdue(n: int) -> tuple[list[Invoice], dt.date]:
    """``n`` new customers, each with an issued invoice; the day after its due date."""
    contracts = [make_contract("dcloud-vm-standard", start=D(2026, 1, 1)) for _ in range(n)]
    invoices_generate(today=ISSUE, customer_ids=[c.customer_id for c in contracts])
    invoices = list(Invoice.objects.filter(customer_id__in=[c.customer_id for c in contracts]))
    assert len(invoices) == n
    due = {invoice.due_date for invoice in invoices}
    assert len(due) == 1, due
    return invoices, due.pop() + dt.timedelta(days=1)


def _queries(today: dt.date) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as ctx:
        counts = dunning_run(today=today)
    return len(ctx.captured_queries), counts


@pytest.mark.django_db
def test_queries_of_a_batch_do_not_grow_with_its_cases(presets: Any) -> None:
    """DUN-2, issue 16: opening 2 cases with their first step and notice, and opening 6, take the same
    number of queries (one insert each for the cases, steps, notices and their history)."""
    _invoices, today = _overdue(2)
    small, counts = _queries(today)
    assert counts["opened"] == 2 and counts["steps"] >= 2, counts
    again_small, again = _queries(today)
    assert again["opened"] == again["steps"] == 0, again

    _overdue(4)  # four new customers on the same day; the two done ones again
    large, counts = _queries(today)
    assert counts["opened"] == 4 and counts["steps"] >= 4, counts
    again_large, again = _queries(today)
    assert again["opened"] == again["steps"] == 0, again

    assert large == small, (small, large)
    assert again_large == again_small, (again_small, again_large)
    steps = list(DunningStep.objects.values_list("case_id", "index"))
    assert len(steps) == len(set(steps))
    assert DunningCase.objects.count() == 6


@pytest.mark.django_db
def test_the_job_is_registered_with_its_batches(presets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 19: the ``dunning`` job names its plan and batch; batches of two customers do what one
    run does, and a day with nothing to do reports every count key."""
    spec = jobs.get("dunning")
    assert spec.batches is not None
    plan, batch = spec.batches.resolve()
    assert (plan, batch) == (dunning_plan, dunning_batch)
    assert dunning_run(today=ISSUE) == dict.fromkeys(KEYS, 0)
    invoices, today = _overdue(5)
    monkeypatch.setattr(dunning, "BATCH_SIZE", 2)
    payloads = dunning_plan(today=today)
    assert [len(p["customers"]) for p in payloads] == [2, 2, 1]
    assert sorted(pk for p in payloads for pk in p["customers"]) == sorted(i.customer_id for i in invoices)
    counts = dunning_run(today=today)
    assert counts["opened"] == 5
    assert counts["steps"] == DunningStep.objects.count() > 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batches_execute_each_step_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """DUN-1, issue 16/19: two workers (threads, real PostgreSQL) running the same batches at once: the
    second waits for the first's customer locks, then finds the steps done; each step is executed and
    noticed once, each invoice has one case."""
    load_presets()
    invoices, today = _overdue(6)
    monkeypatch.setattr(dunning, "BATCH_SIZE", 3)
    payloads = dunning_plan(today=today)
    assert len(payloads) == 2
    notify_many = dunning.notify_many

    def slow_notify_many(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)  # hold the batch's locks while the other worker arrives
        return notify_many(*args, **kwargs)

    monkeypatch.setattr(dunning, "notify_many", slow_notify_many)

    def worker() -> dict[str, int]:
        total: dict[str, int] = dict.fromkeys(KEYS, 0)
        for payload in payloads:
            jobs.add_counts(total, dunning_batch(today=today, payload=payload))
        return total

    results = at_once(worker)
    steps = list(DunningStep.objects.values_list("case_id", "index"))
    assert steps and len(steps) == len(set(steps))
    assert sum(r["steps"] for r in results) == len(steps)
    assert sum(r["opened"] for r in results) == 6
    assert DunningCase.objects.count() == 6
    assert sorted(DunningCase.objects.values_list("invoice_id", flat=True)) == sorted(i.pk for i in invoices)
    sent = list(Notice.objects.filter(event="dunning.step").values_list("dedupe_key", "channel", "recipient"))
    assert len(sent) == len(set(sent)) and sent
    assert {key for key, _c, _r in sent} == {f"dunning:{case}:step:{index}" for case, index in steps}
    again = dunning_run(today=today)
    assert again["opened"] == again["steps"] == 0, again


@pytest.mark.django_db
def test_the_plan_lists_only_customers_with_an_overdue_invoice_or_an_open_case(presets: Any) -> None:
    """DUN-1, issue 19: three dcloud customers, invoices due 2026-02-28. On the due date nobody is
    overdue: no batch. The next day the two who have not paid are listed, in id order, the one who paid
    on 02-20 is not. Once the ladder has opened their cases and one of them pays, the other is listed
    alone, once, by customer (not by case)."""
    from .test_dunning import pay_in_full

    invoices, today = _overdue(3)
    first, paid, third = sorted(invoices, key=lambda i: i.customer_id)
    pay_in_full(paid, D(2026, 2, 20))
    assert dunning_plan(today=today - dt.timedelta(days=1)) == []
    assert dunning_plan(today=today) == [{"customers": [first.customer_id, third.customer_id]}]
    dunning_run(today=today)
    pay_in_full(third, today + dt.timedelta(days=1))
    assert dunning_plan(today=today + dt.timedelta(days=1)) == [{"customers": [first.customer_id]}]
