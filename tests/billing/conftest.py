"""Billing test helpers: contracts made through the contracts services, and the billing jobs registered
for ``run_jobs`` (the lead adds them to ``config/jobs.py``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contract, Plan
from contracts.presets import load_presets
from contracts.services import applications
from core import jobs
from core.jobs import JobSpec, daily
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory

D = dt.date
DEFAULT_START = D(2026, 1, 5)

BILLING_JOBS = [
    JobSpec("snapshot_seats", "billing.jobs.snapshot_seats", daily(23, 55), "좌석 스냅샷 (BIL-5)"),
    JobSpec("generate_invoices", "billing.jobs.generate_invoices", daily(1, 0), "청구서 발행 (BIL-2, BIL-3)"),
]


@pytest.fixture
def billing_jobs():
    for spec in BILLING_JOBS:
        jobs.register(spec)
    yield
    for spec in BILLING_JOBS:
        jobs.unregister(spec.name)


@pytest.fixture
def presets(db):
    return {p.code: p for p in load_presets()}


def make_contract(
    plan_code: str,
    *,
    start: dt.date = DEFAULT_START,
    applied_on: dt.date | None = None,
    customer=None,
    seats: int | None = None,
    cycle: str | None = None,
    term_months: int | None = None,
    activate: bool = True,
) -> Contract:
    """Apply, upload the required documents, approve and (optionally) activate, through the services."""
    plan = Plan.objects.get(code=plan_code)
    if customer is None:
        customer = AdminMemberFactory().customer
    today = applied_on or start - dt.timedelta(days=3)
    contract = applications.contract_apply(
        customer=customer,
        plan=plan,
        requested_start=start,
        today=today,
        seats=seats,
        billing_cycle=cycle,
        term_months=term_months,
    )
    for doc in plan.required_documents:
        applications.document_upload(
            contract=contract, kind=doc, upload=SimpleUploadedFile(f"{doc}.pdf", b"%PDF-1.4"), today=today
        )
    contract = applications.contract_approve(contract=contract, today=today)
    if activate:
        contract = applications.contract_activate(contract=contract, today=start)
    return Contract.objects.get(pk=contract.pk)


def add_members(customer, n: int):
    return [MemberFactory(customer=customer) for _ in range(n)]


__all__ = ["CustomerFactory", "D", "add_members", "make_contract"]
