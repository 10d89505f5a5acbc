"""Issue 16 / issue 19: the purge job set-based and batched (DAT-1, DAT-2, DAT-5, MSG-9).

* The plan lists the day's work by kind, in the order it runs; with the purge off, one counting batch.
* A batch's queries do not depend on how many live customers' message records it checks (MSG-9) or how
  many contracts it reminds (DAT-1).
* Two workers running the same batch at once do the work once: a due customer is purged once with one
  destruction record (DAT-2, DAT-5); each export reminder is sent once (DAT-1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Customer
from contracts.models import Contract, ContractStatus
from contracts.presets import load_presets
from core.calendar import add_months
from core.jobs import get
from messaging.models import Message, Notice
from privacy import jobs
from privacy.models import DestructionRecord
from privacy.services.purge import purge_data_batch, purge_data_plan
from tests.billing.conftest import make_contract
from tests.concurrency import at_once

from .conftest import ENDED, D, ended_customer

TODAY = D(2027, 6, 1)


def _kgmsg_with_messages() -> Contract:
    """A live kgmsg customer with one delivered message past ``message_records_retention_months`` and one
    within it."""
    contract = make_contract("kgmsg-standard", start=D(2026, 1, 5))
    cut = timezone.make_aware(
        dt.datetime.combine(add_months(TODAY, -contract.policy.message_records_retention_months), dt.time())
    )
    for text, created in (("old", cut - dt.timedelta(days=1)), ("new", cut + dt.timedelta(days=1))):
        message = Message.objects.create(
            customer=contract.customer, kind="sms", sender="0212345678", text=text, status="delivered"
        )
        Message.objects.filter(pk=message.pk).update(created_at=created)
    return contract


def _terminating(n: int) -> list[Contract]:
    contracts = [make_contract("officecore-standard-monthly", start=D(2026, 1, 5)) for _ in range(n)]
    Contract.objects.filter(pk__in=[c.pk for c in contracts]).update(
        status=ContractStatus.TERMINATING, termination_effective_on=D(2027, 6, 30)
    )
    return contracts


def _queries(payload: dict[str, Any]) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as ctx:
        counts = purge_data_batch(today=TODAY, payload=payload)
    return len(ctx.captured_queries), counts


@pytest.mark.django_db
def test_the_plan_lists_the_days_work_by_kind(presets: Any, settings: Any) -> None:
    """DAT-2, MSG-9, DAT-1 (issue 19): a due customer, live customers' messages and a reminder, in that
    order; with ``PRIVACY_PURGE_ENABLED`` off the job's plan is one batch that only counts."""
    due = ended_customer("flow")
    live = _kgmsg_with_messages()
    ending = _terminating(1)[0]
    plan = purge_data_plan(today=ENDED)
    assert [p["kind"] for p in plan] == ["customers", "dormant", "messages", "reminders"]
    assert plan[0]["ids"] == [due.pk]
    assert set(plan[2]["ids"]) == {live.customer_id, ending.customer_id}
    assert plan[3]["ids"] == [ending.pk]
    settings.PRIVACY_PURGE_ENABLED = False
    assert jobs.purge_data_plan(today=ENDED) == [jobs.DISABLED]
    assert jobs.purge_data_batch(today=ENDED, payload=jobs.DISABLED) == {"due": 1, "purge_disabled": 1}
    assert not DestructionRecord.objects.exists()
    settings.PRIVACY_PURGE_ENABLED = True
    spec = get("purge_data")
    assert spec.batches is not None and spec.batches.resolve() == (
        jobs.purge_data_plan,
        jobs.purge_data_batch,
    )


@pytest.mark.django_db
def test_a_message_batchs_queries_do_not_grow_with_its_customers(presets: Any) -> None:
    """MSG-9 (issue 16): the message records of 2 and of 5 live customers are purged with the same number
    of queries; each loses its old message and keeps the new one."""
    small = [_kgmsg_with_messages() for _ in range(2)]
    large = [_kgmsg_with_messages() for _ in range(5)]
    n_small, counts_small = _queries({"kind": "messages", "ids": [c.customer_id for c in small]})
    n_large, counts_large = _queries({"kind": "messages", "ids": [c.customer_id for c in large]})
    assert counts_small == {"messages_purged": 2} and counts_large == {"messages_purged": 5}
    assert n_small == n_large, (n_small, n_large)
    assert sorted(set(Message.objects.values_list("text", flat=True))) == ["new"]
    assert Message.objects.count() == 7


@pytest.mark.django_db
def test_a_reminder_batchs_queries_do_not_grow_with_its_contracts(presets: Any) -> None:
    """DAT-1 (issue 16): 1 and 4 export reminders take the same number of queries; each is sent once."""
    small, large = _terminating(1), _terminating(4)
    n_small, counts_small = _queries({"kind": "reminders", "ids": [c.pk for c in small]})
    n_large, counts_large = _queries({"kind": "reminders", "ids": [c.pk for c in large]})
    assert counts_small == {"export_reminders": 1} and counts_large == {"export_reminders": 4}
    assert n_small == n_large, (n_small, n_large)
    reminders = Notice.objects.filter(event="privacy.export_reminder")
    assert reminders.order_by().values("dedupe_key").distinct().count() == 5
    assert _queries({"kind": "reminders", "ids": [c.pk for c in large]})[1] == {"export_reminders": 0}


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_purge_a_customer_once() -> None:
    """DAT-2, DAT-5 (issue 16/19): two threads (own connections) run the same batch of due customers at
    once: each customer is purged once, with one destruction record."""
    load_presets()
    customers = [ended_customer("flow"), ended_customer("dcloud")]
    plan = purge_data_plan(today=ENDED)
    assert plan[0] == {"kind": "customers", "ids": [c.pk for c in customers]}
    results = at_once(lambda: purge_data_batch(today=ENDED, payload=plan[0]))
    assert sum(r.get("customers_purged", 0) for r in results) == 2
    purged = Customer.objects.filter(pk__in=[c.pk for c in customers], status=Customer.Status.PURGED)
    assert purged.count() == 2
    records = DestructionRecord.objects.filter(kind=DestructionRecord.Kind.CUSTOMER_DATA)
    assert sorted(records.values_list("customer_ref", flat=True)) == sorted(c.pk for c in customers)
    assert purge_data_batch(today=ENDED, payload=plan[0]) == {}


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_the_same_batch_remind_once() -> None:
    """DAT-1 (issue 16/19): two threads run the same batch of export reminders at once: each contract's
    reminder is sent once (the dedupe keys are locked together)."""
    load_presets()
    contracts = _terminating(3)
    payload = {"kind": "reminders", "ids": [c.pk for c in contracts]}
    results = at_once(lambda: purge_data_batch(today=TODAY, payload=payload))
    assert sorted(r["export_reminders"] for r in results) == [0, 3]
    reminders = Notice.objects.filter(event="privacy.export_reminder")
    keys = list(reminders.order_by().values_list("dedupe_key", flat=True).distinct())
    assert sorted(keys) == sorted(f"privacy.export_reminder:{c.pk}" for c in contracts)
    per_key = reminders.count() // 3
    assert all(reminders.filter(dedupe_key=key).count() == per_key for key in keys)
