"""Helpers for the contracts rule tests: presets, a customer with an admin, and contracts walked to a state
through the services (never by writing a status)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contract, ContractStatus, Plan
from contracts.presets import load_presets
from contracts.services import applications
from messaging.models import Notice
from tests.factories import AdminMemberFactory, CustomerFactory

D = dt.date
APPLIED_ON = D(2026, 1, 2)
STARTS_ON = D(2026, 1, 5)


@pytest.fixture
def presets(db):  # type: ignore[no-untyped-def]
    return load_presets()


@pytest.fixture(autouse=True)
def _no_unpaid_lookup():  # type: ignore[no-untyped-def]
    """Contract rules are tested with no unpaid fees instead of billing's ledger lookup unless a test
    installs another (tests/conftest.py restores billing's afterwards)."""
    applications.set_unpaid_lookup(lambda customer, day: 0)
    yield


def plan_for(code: str, cycle: str = "monthly") -> Plan:
    plans = Plan.objects.filter(policy__code=code, active=True).order_by("pk")
    return plans.filter(billing_cycle=cycle).first() or plans.first()  # type: ignore[return-value]


def new_customer(**kwargs: Any):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(**kwargs)
    AdminMemberFactory(customer=customer)
    return customer


def apply(
    code: str,
    *,
    today: dt.date = APPLIED_ON,
    start: dt.date = STARTS_ON,
    customer: Any = None,
    cycle: str = "monthly",
    plan: Plan | None = None,
    **kwargs: Any,
) -> Contract:
    customer = customer or new_customer()
    plan = plan or plan_for(code, cycle)
    member = customer.members.first()
    return applications.contract_apply(
        customer=customer,
        plan=plan,
        requested_start=start,
        today=today,
        member=member,
        billing_cycle=kwargs.pop("billing_cycle", plan.billing_cycle),
        **kwargs,
    )


def upload_all(contract: Contract, today: dt.date) -> None:
    for kind in contract.plan.required_documents:
        applications.document_upload(
            contract=contract, kind=kind, upload=SimpleUploadedFile(f"{kind}.pdf", b"%PDF-1.4"), today=today
        )


def approved(code: str, *, today: dt.date = APPLIED_ON, start: dt.date = STARTS_ON, **kw: Any) -> Contract:
    contract = apply(code, today=today, start=start, **kw)
    upload_all(contract, today)
    return applications.contract_approve(contract=contract, today=today)


def active(code: str, *, today: dt.date = APPLIED_ON, start: dt.date = STARTS_ON, **kw: Any) -> Contract:
    contract = approved(code, today=today, start=start, **kw)
    applications.contract_activate(contract=contract, today=start)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    return contract


def notices(event: str | None = None, *, contract: Contract | None = None, customer: Any = None):  # type: ignore[no-untyped-def]
    qs = Notice.objects.all()
    if event:
        qs = qs.filter(event=event)
    if contract is not None:
        qs = qs.filter(customer=contract.customer, context__contract_number=contract.number)
    if customer is not None:
        qs = qs.filter(customer=customer)
    return qs


def notice_keys(event: str | None = None, **kw: Any) -> list[str]:
    """Distinct dedupe keys (one per notify call) of the matching notices."""
    return sorted(set(notices(event, **kw).values_list("dedupe_key", flat=True)))
