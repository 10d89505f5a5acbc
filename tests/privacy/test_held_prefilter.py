"""The purge's daily check of customers that money still holds (DAT-2, DAT-3; issue 16).

A customer whose data period has ended but who still owes keeps its contract and billing records live; its
members and content went on the first run. Every later run used to lock it and read every table again
(about seventy queries a customer a day until it paid). Now a batch asks once which of its customers are
held and which of those still have something that goes while held; only those are purged again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer, Member
from billing.models import Dispute, Payment, Refund
from billing.services.erasure import money_blocking, money_open
from billing.services.payments import payment_record
from privacy.models import DestructionRecord
from privacy.services import retention
from privacy.services.purge import purge_data
from sla.models import SlaClaim, SlaMonth
from sla.services.erasure import customers_with_open_claims, open_claims
from tests.factories import MemberFactory

from .conftest import ENDED, D, ended_customer, owe_final_settlement

pytestmark = pytest.mark.django_db


def _held_customers(n: int) -> list[Customer]:
    customers = [ended_customer("dcloud") for _ in range(n)]
    for customer in customers:
        owe_final_settlement(customer)
    return customers


def _queries(today: dt.date) -> tuple[int, dict[str, int]]:
    with CaptureQueriesContext(connection) as ctx:
        counts = purge_data(today=today)
    return len(ctx.captured_queries), counts


def test_a_day_of_held_customers_with_nothing_left_costs_the_same_for_two_or_five(presets):
    """DAT-3: held customers whose members and content are gone are not locked nor read table by table;
    the run costs the same queries for two held customers as for five, and writes nothing."""
    _held_customers(2)
    first = purge_data(today=ENDED)
    assert first["customers_held"] == 2
    few, counts = _queries(ENDED + dt.timedelta(days=1))
    assert "customers_held" not in counts and "customers_purged" not in counts

    _held_customers(3)
    assert purge_data(today=ENDED + dt.timedelta(days=1))["customers_held"] == 3
    records = DestructionRecord.objects.count()
    many, counts = _queries(ENDED + dt.timedelta(days=2))
    assert "customers_held" not in counts and DestructionRecord.objects.count() == records
    assert many == few, (few, many)
    assert many < 40


def test_a_held_customer_with_a_new_member_is_purged_of_it_the_next_day(presets):
    """DAT-2: what goes while money is owed still goes when it appears later (a member added after the
    first run): the prefilter sees the row and the customer is purged of it again."""
    (customer,) = _held_customers(1)
    purge_data(today=ENDED)
    admin = MemberFactory(customer=customer)
    counts = purge_data(today=ENDED + dt.timedelta(days=1))
    assert counts["customers_held"] == 1
    assert not Member.objects.filter(pk=admin.pk).exists()
    assert DestructionRecord.objects.filter(customer_ref=customer.pk).count() == 2


def test_a_held_customer_that_pays_is_purged_by_the_next_run(presets):
    """DAT-3: the prefilter never keeps a customer who no longer owes: paid, the next run purges it."""
    (customer,) = _held_customers(1)
    purge_data(today=ENDED)
    final = customer.invoices.order_by("-pk").first()
    payment_record(customer=customer, invoice=final, method=Payment.Method.BANK_TRANSFER,
                   amount_won=330_000, received_on=D(2026, 5, 2), today=D(2026, 5, 2))
    assert purge_data(today=D(2026, 5, 3))["customers_purged"] == 1
    customer.refresh_from_db()
    assert customer.status == Customer.Status.PURGED


@pytest.mark.parametrize("matter", ["invoice", "dispute", "refund", "pending", "claim", "none"])
def test_the_batch_check_of_money_agrees_with_each_customers_own(presets, matter):
    """DAT-3: ``money_held`` (one query for a batch) says held exactly when ``money_hold`` (one customer's
    reasons, which staff see) does, for each kind of open matter."""
    customer = ended_customer("dcloud")
    other = ended_customer("dcloud")
    if matter == "invoice":
        owe_final_settlement(customer)
    elif matter == "dispute":
        Dispute.objects.filter(customer=customer).update(status=Dispute.Status.OPEN, answered_on=None)
    elif matter == "refund":
        Refund.objects.create(customer=customer, amount_won=1_000, reason="환불 요청",
                              requested_on=D(2026, 3, 20), status=Refund.Status.REQUESTED)
    elif matter == "pending":
        Payment.objects.filter(customer=customer).update(status=Payment.Status.PENDING)
    elif matter == "claim":
        contract = customer.contracts.get()
        month = SlaMonth.objects.create(
            contract=contract, month=D(2026, 2, 1), service_minutes=40_320, counted_minutes=600,
            availability=Decimal("98.5"), status="awaiting_claim", credit_won=10_000, closed_on=D(2026, 3, 1),
        )
        SlaClaim.objects.create(sla_month=month, contract=contract, submitted_on=D(2026, 3, 5),
                                amount_won=10_000, basis="가용률 98.5%")
    ids = [customer.pk, other.pk]
    expected = {cid for cid in ids if retention.money_hold(cid) is not None}
    assert retention.money_held(ids) == expected
    assert (customer.pk in expected) is (matter != "none")
    assert money_blocking(customer_ids=ids) == {
        cid for cid in ids if money_open(customer_id=cid).blocking
    }
    claimed = {cid for cid in ids if open_claims(customer_id=cid)}
    assert customers_with_open_claims(customer_ids=ids) == claimed
