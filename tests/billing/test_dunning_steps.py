"""What a dunning step acts on and records (issue 9 mutation testing of ``billing/services/dunning.py``):
flow's retry steps (BIL-8, 001 art.19-6) for a customer without an automatic payment method are notices
only, and say so; the suspension step (DUN-4) suspends every live contract of the overdue invoice that is
not suspended already, and names them."""

from __future__ import annotations

import pytest

from contracts.models import ContractStatus, Suspension
from contracts.services.termination import termination_request
from messaging.models import Notice

from .conftest import D
from .test_dunning import (  # noqa: F401 - fixture
    after_due_jobs,
    case_of,
    first_invoice,
    make_contract_on,
    walk,
)
from .test_suspension_fees import suspend

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("presets", "after_due_jobs")]


def test_a_retry_step_without_an_automatic_payment_method_is_a_notice_only():
    """BIL-8, DUN-2: flow from 2026-01-05, no card or account on file: the invoice falls due 2026-02-15;
    the ladder's first step (a payment retry planned for the due date, run once the invoice is overdue
    on 02-16) charges nothing and records why."""
    contract = make_contract_on("flow-business-monthly", D(2026, 1, 5))
    invoice = first_invoice(contract)
    assert invoice.due_date == D(2026, 2, 15)
    walk(D(2026, 2, 15), D(2026, 2, 16))
    first = case_of(invoice).steps.get(index=1)
    assert (first.action, first.scheduled_on, first.executed_on, first.detail) == (
        "retry_payment",
        D(2026, 2, 15),
        D(2026, 2, 16),
        "자동 결제 수단 없음: 안내만",
    )


def test_the_suspension_step_suspends_each_live_contract_not_suspended_already_and_names_them():
    """DUN-4, 004 art.11: one damoa customer with four contracts on one invoice (due 2026-01-12,
    suspension on 01-22): the first is suspended for a violation already (left as it is), the second was
    suspended and lifted in early January (suspended again), the third is active (suspended), the fourth is
    under notice of termination (not live: left to its termination). The step names the two it
    suspended."""
    violating = make_contract_on("damoa-standard", D(2026, 1, 5))
    customer = violating.customer
    lifted_before, active, leaving = (
        make_contract_on("damoa-standard", D(2026, 1, 5), customer=customer) for _ in range(3)
    )
    invoice = first_invoice(violating)
    assert sorted(invoice.lines.values_list("contract_id", flat=True).distinct()) == sorted(
        c.pk for c in (violating, lifted_before, active, leaving)
    )
    suspend(violating, D(2026, 1, 6), kind=Suspension.Kind.VIOLATION)
    suspend(lifted_before, D(2026, 1, 6), D(2026, 1, 8))
    termination_request(contract=leaving, effective_on=D(2026, 2, 28), today=D(2026, 1, 10))
    walk(D(2026, 1, 12), D(2026, 1, 22))
    step = case_of(invoice).steps.get(action="suspend")
    assert step.detail == f"이용 정지: {lifted_before.number}, {active.number}"
    open_kinds = {
        c.number: list(c.suspensions.filter(lifted_on__isnull=True).values_list("kind", flat=True))
        for c in (violating, lifted_before, active, leaving)
    }
    assert open_kinds == {
        violating.number: ["violation"],
        lifted_before.number: ["nonpayment"],
        active.number: ["nonpayment"],
        leaving.number: [],
    }
    leaving.refresh_from_db()
    assert leaving.status == ContractStatus.TERMINATING


def test_restriction_and_termination_steps_act_on_each_contract_they_may_and_name_them():
    """DUN-4, 000 art.16④, 19③: one officecore customer with three contracts on one invoice (due
    2026-01-19): the first under notice of termination (effective 2026-02-28), two active. The restriction
    on 02-02 blocks the service of all three (a contract under notice is still in use), each with its own
    notice; the termination on 02-18 ends the two active ones (the one under notice ends on its own date),
    each with the reason: the invoice, the amount and the due date."""
    leaving = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    first, second = (
        make_contract_on("officecore-standard-monthly", D(2026, 1, 5), customer=leaving.customer)
        for _ in range(2)
    )
    invoice = first_invoice(leaving)
    termination_request(contract=leaving, effective_on=D(2026, 2, 28), today=D(2026, 1, 10))
    walk(D(2026, 1, 19), D(2026, 2, 18), "dunning")
    case = case_of(invoice)
    restrict = case.steps.get(action="restrict")
    assert restrict.detail == f"이용 제한 (service): {leaving.number}, {first.number}, {second.number}"
    for contract in (leaving, first, second):
        key = f"dunning:{case.pk}:step:{restrict.index}:contract:{contract.pk}"
        assert Notice.objects.filter(event="contract.restricted", dedupe_key=key).exists(), contract.number
    terminate = case.steps.get(action="terminate")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.termination_effective_on, second.termination_effective_on) == (
        D(2026, 2, 18),
        D(2026, 2, 18),
    )
    assert terminate.detail == f"직권 해지: {first.number}→2026-02-18, {second.number}→2026-02-18"
    reason = f"요금 미납: 청구서 {invoice.number}, 미납액 {invoice.total_won:,}원 (납기일 2026-01-19)"
    assert (first.termination_note, second.termination_note) == (reason, reason)
    leaving.refresh_from_db()
    assert (leaving.status, leaving.termination_effective_on) == (ContractStatus.TERMINATING, D(2026, 2, 28))


def test_a_termination_step_with_nothing_left_to_terminate_says_so():
    """DUN-4: the customer gave notice (effective 2026-02-28) before its only contract's invoice fell
    due: the ladder's termination on 02-18 leaves it to end on its own date and records "-"."""
    leaving = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    invoice = first_invoice(leaving)
    termination_request(contract=leaving, effective_on=D(2026, 2, 28), today=D(2026, 1, 10))
    walk(D(2026, 1, 19), D(2026, 2, 18), "dunning")
    assert case_of(invoice).steps.get(action="terminate").detail == "직권 해지: -"
    leaving.refresh_from_db()
    assert (leaving.status, leaving.termination_effective_on) == (ContractStatus.TERMINATING, D(2026, 2, 28))


def test_the_purge_step_names_every_contract_of_the_invoice():
    """DUN-4, 001 art.19-6-가: two flow contracts of one customer from 2026-01-05 on one invoice (due
    2026-02-15), no payment method: suspended on 03-05 (10 business days), terminated at the end of the
    next month (03-31), their data to be destroyed 30 days after the suspension (04-04): the purge step
    names both contracts."""
    first = make_contract_on("flow-business-monthly", D(2026, 1, 5))
    second = make_contract_on("flow-business-monthly", D(2026, 1, 5), customer=first.customer)
    invoice = first_invoice(first)
    assert invoice.due_date == D(2026, 2, 15)
    walk(D(2026, 2, 15), D(2026, 3, 31))
    purge = case_of(invoice).steps.get(action="purge_data")
    assert purge.detail == f"purge_due_on=2026-04-04 데이터 파기 예정: {first.number}, {second.number}"


def test_an_invoice_without_contract_lines_acts_on_the_customers_contracts_under_its_policy():
    """DUN-4: an invoice staff raised by hand, no line naming a contract, under officecore's terms (due
    2026-01-19, unpaid): the restriction of 02-02 acts on the customer's live contracts under the invoice's
    policy — its officecore contract, not its damoa one — and names it."""
    from .payment_factories import make_invoice

    office = make_contract_on("officecore-standard-monthly", D(2026, 1, 5))
    other = make_contract_on("damoa-standard", D(2026, 1, 5), customer=office.customer)
    invoice = make_invoice(office.customer, 110_000, due_date=D(2026, 1, 19), policy=office.policy)
    walk(D(2026, 1, 19), D(2026, 2, 2), "dunning")
    restrict = case_of(invoice).steps.get(action="restrict")
    assert restrict.detail == f"이용 제한 (service): {office.number}"
    office.refresh_from_db()
    other.refresh_from_db()
    assert (office.restrictions, other.restrictions) == (["service"], [])
