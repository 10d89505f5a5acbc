"""A full path per preset, from application to termination, driven by ``run_jobs`` over simulated dates
(CON-1, CON-4, CON-6, CON-7, CON-9, CON-10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from contracts.models import Contract, ContractStatus, TerminationKind
from contracts.services import applications, renewal, suspension, termination
from tests.contracts.conftest import D, apply, notice_keys, upload_all

pytestmark = pytest.mark.django_db

CONTRACT_JOBS = [
    "terms_transition",
    "activate_contracts",
    "contract_suspensions",
    "renew_contracts",
    "complete_terminations",
]


def run(start: dt.date, end: dt.date | None = None) -> None:
    args = ["run_jobs", "--date", start.isoformat(), "--until", (end or start).isoformat(), "--no-progress"]
    for job in CONTRACT_JOBS:
        args += ["--job", job]
    call_command(*args)


def status(contract: Contract) -> str:
    contract.refresh_from_db()
    return contract.status


def _start(code: str, **kw) -> Contract:  # type: ignore[no-untyped-def]
    contract = apply(code, today=D(2026, 1, 2), start=D(2026, 1, 5), **kw)
    upload_all(contract, D(2026, 1, 2))
    applications.contract_approve(contract=contract, today=D(2026, 1, 3))
    run(D(2026, 1, 3), D(2026, 1, 4))
    assert status(contract) == ContractStatus.APPROVED
    run(D(2026, 1, 5))
    assert status(contract) == ContractStatus.ACTIVE and contract.activated_on == D(2026, 1, 5)
    assert notice_keys("contract.applied", contract=contract)
    assert notice_keys("contract.approved", contract=contract)
    assert notice_keys("contract.activated", contract=contract)
    return contract


def test_officecore_path(presets):
    """CON-1/4/6/7: monthly renewals on the 5th, customer termination on receipt, completed by the job."""
    contract = _start("officecore")
    run(D(2026, 1, 6), D(2026, 3, 6))
    assert contract.periods.count() == 3
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 20), today=D(2026, 3, 10))
    run(D(2026, 3, 10), D(2026, 3, 19))
    assert status(contract) == ContractStatus.TERMINATING
    run(D(2026, 3, 20))
    assert status(contract) == ContractStatus.TERMINATED and contract.terminated_on == D(2026, 3, 20)
    run(D(2026, 4, 5))
    assert contract.periods.count() == 3  # never renewed after termination
    assert notice_keys("contract.terminated", contract=contract)


def test_flow_path(presets):
    """CON-6/10: flow monthly renews each month; an upheld appeal extends the term; termination at the end."""
    contract = _start("flow")
    s = suspension.suspension_schedule(contract=contract, reason="위반", today=D(2026, 1, 20), days=10)
    assert status(contract) == ContractStatus.SUSPENDED
    suspension.appeal_file(suspension=s, text="이의", today=D(2026, 1, 21))
    suspension.appeal_decide(suspension=s, upheld=True, today=D(2026, 1, 23))
    assert status(contract) == ContractStatus.ACTIVE
    run(D(2026, 1, 20), D(2026, 2, 8))
    periods = [(p.starts_on, p.effective_end) for p in contract.periods.order_by("number")]
    assert periods == [(D(2026, 1, 5), D(2026, 2, 7)), (D(2026, 2, 8), D(2026, 3, 7))]
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 7), today=D(2026, 3, 1))
    run(D(2026, 3, 1), D(2026, 3, 8))
    assert status(contract) == ContractStatus.TERMINATED and contract.periods.count() == 2


def test_dcloud_path(presets):
    """CON-7: 7 days' notice; terminating until the effective date; then terminated by the job."""
    contract = _start("dcloud")
    run(D(2026, 1, 6), D(2026, 2, 28))
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    run(D(2026, 3, 1), D(2026, 3, 7))
    assert status(contract) == ContractStatus.TERMINATING
    run(D(2026, 3, 8))
    assert status(contract) == ContractStatus.TERMINATED
    assert contract.periods.count() == 1


def test_kgmsg_path(presets):
    """CON-6: a year's term; a written notice 30+ days before expiry stops the renewal; the contract ends on
    its last day and the reminder was never sent."""
    contract = _start("kgmsg")
    run(D(2026, 11, 20), D(2026, 11, 30))
    renewal.renewal_stop(contract=contract, today=D(2026, 12, 1), reason="서면 해지 통지")
    run(D(2026, 12, 1), D(2027, 1, 4))
    assert status(contract) == ContractStatus.ACTIVE
    run(D(2027, 1, 5))
    assert status(contract) == ContractStatus.TERMINATED
    assert (contract.termination_kind, contract.terminated_on) == (TerminationKind.TERM_END, D(2027, 1, 4))
    assert not notice_keys("contract.renewal_reminder", contract=contract)


def test_damoa_path(presets):
    """CON-6/9/10: monthly renewal; a violation suspension notified 7 days ahead starts and ends by the daily
    job; operator termination after the 30-day explanation window."""
    contract = _start("damoa")
    run(D(2026, 1, 6), D(2026, 2, 5))
    assert contract.periods.count() == 2
    suspension.suspension_schedule(contract=contract, reason="약관 위반", today=D(2026, 2, 10), days=7)
    run(D(2026, 2, 10), D(2026, 2, 16))
    assert status(contract) == ContractStatus.ACTIVE
    run(D(2026, 2, 17))
    assert status(contract) == ContractStatus.SUSPENDED
    run(D(2026, 2, 18), D(2026, 2, 24))
    assert status(contract) == ContractStatus.ACTIVE
    termination.operator_termination(contract=contract, reasons=["abuse"], today=D(2026, 3, 1))
    run(D(2026, 3, 1), D(2026, 3, 30))
    assert status(contract) == ContractStatus.TERMINATING
    run(D(2026, 3, 31))
    assert status(contract) == ContractStatus.TERMINATED and contract.terminated_on == D(2026, 3, 31)
    assert notice_keys("contract.suspension_notice", contract=contract)
    assert notice_keys("contract.reinstated", contract=contract)
    assert notice_keys("contract.operator_termination", contract=contract)
