"""Privacy test helpers: a customer per preset with data in every app, then its contract ended."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.utils import timezone

from accounts.models import Customer
from billing.models import Dispute, Invoice, Payment
from billing.services.payments import payment_record
from contracts.models import Contract, ContractStatus
from contracts.presets import load_presets
from messaging.models import Message, Recipient
from sla.models import Incident
from tests.billing.conftest import make_contract
from tests.billing.payment_factories import make_invoice
from tests.factories import MemberFactory

D = dt.date
START = D(2026, 1, 5)
ENDED = D(2026, 3, 31)

PLANS = {
    "officecore": "officecore-standard-monthly",
    "flow": "flow-business-monthly",
    "dcloud": "dcloud-vm-standard",
    "kgmsg": "kgmsg-standard",
    "damoa": "damoa-standard",
}


@pytest.fixture
def presets(db):  # type: ignore[no-untyped-def]
    return {p.code: p for p in load_presets()}


PAYER = "홍길동입금"
DISPUTE_REASON = "담당자 김민수 010-2222-3333 확인 요청"


def ended_customer(preset: str, *, ended: dt.date = ENDED) -> Customer:
    """A customer of ``preset`` with members, a paid invoice (payment posted to the ledger), a rejected
    dispute, messages, recipients and an incident, whose only contract was terminated on ``ended``;
    it owes nothing."""
    contract = make_contract(PLANS[preset], start=START)
    customer = contract.customer
    member = MemberFactory(customer=customer)
    invoice = make_invoice(customer, 110_000, policy=contract.policy, due_date=D(2026, 2, 14))
    payment_record(
        customer=customer,
        invoice=invoice,
        method=Payment.Method.BANK_TRANSFER,
        amount_won=110_000,
        received_on=D(2026, 2, 10),
        payer_name=PAYER,
        today=D(2026, 2, 10),
    )
    Dispute.objects.create(
        invoice=invoice,
        customer=customer,
        filed_by=member,
        amount_won=1_000,
        reason=DISPUTE_REASON,
        filed_on=D(2026, 2, 1),
        answer_due_on=D(2026, 2, 8),
        status=Dispute.Status.REJECTED,
        answered_on=D(2026, 2, 5),
        answer="정상 청구입니다",
    )
    Message.objects.create(
        customer=customer,
        kind="sms",
        sender="0212345678",
        text="안내",
        recipient="01098765432",
        status=Message.Status.DELIVERED,
    )
    Recipient.objects.create(customer=customer, number="01098765432")
    Incident.objects.create(
        service=preset, title="장애", started_at=timezone.now(), contract=contract, reported_by=member
    )
    Contract.objects.filter(pk=contract.pk).update(
        status=ContractStatus.TERMINATED, terminated_on=ended, termination_effective_on=ended
    )
    return customer


def _paths(model: type[models.Model], depth: int, seen: tuple[Any, ...]) -> list[str]:
    out: list[str] = []
    for f in model._meta.get_fields():
        if not (f.many_to_one or (f.one_to_one and f.concrete)):
            continue
        rel = f.related_model
        if rel is Customer:
            out.append(f.name)
        elif (
            depth > 1
            and isinstance(rel, type)
            and rel not in seen
            and rel._meta.app_label not in ("auth", "contenttypes")
        ):
            out += [f"{f.name}__{p}" for p in _paths(rel, depth - 1, (*seen, model))]
    return out


def rows_per_table(customer_id: int) -> dict[str, int]:
    """Rows about the customer in every installed table with a foreign-key path to Customer (own walk of
    the app registry, so a new table shows up here whether or not the purge knows it)."""
    counts = {}
    for model in apps.get_models():
        if model is Customer or model._meta.proxy:
            continue
        paths = _paths(model, 3, ())
        if not paths:
            continue
        cond = models.Q()
        for p in paths:
            cond |= models.Q(**{p: customer_id})
        counts[model._meta.label] = model._base_manager.filter(cond).count()
    counts["accounts.HistoricalCustomer"] = Customer.history.model.objects.filter(id=customer_id).count()
    return counts


def owe_final_settlement(customer: Customer, total_won: int = 330_000) -> Invoice:
    """An unpaid final settlement invoice (due after the end) on an ended customer: money owed."""
    contract = customer.contracts.get()
    invoice = make_invoice(customer, total_won, policy=contract.policy, due_date=D(2026, 4, 30))
    Invoice.objects.filter(pk=invoice.pk).update(kind=Invoice.Kind.FINAL)
    return invoice
