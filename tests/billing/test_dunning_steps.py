"""What a dunning step acts on and records (issue 9 mutation testing of ``billing/services/dunning.py``):
flow's retry steps (BIL-8, 001 art.19-6) for a customer without an automatic payment method are notices
only, and say so; the suspension step (DUN-4) suspends every live contract of the overdue invoice that is
not suspended already, and names them."""

from __future__ import annotations

import pytest

from contracts.models import ContractStatus, Suspension
from contracts.services.termination import termination_request

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
    Suspension.objects.create(
        contract=violating,
        kind=Suspension.Kind.VIOLATION,
        reason="약관 위반",
        noticed_on=D(2026, 1, 6),
        starts_on=D(2026, 1, 6),
        started=True,
    )
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
