"""BIL-8 and DUN-2: the dunning ladder and the automatic charges it waits for, at their edges (issue 9,
mutation testing of ``billing/services/dunning.py``: ``_Run.collection_due`` and ``_do_retry``).

flow (001 art.19-6) charges an overdue invoice automatically: the first attempt on the due date (or the
next business day), then ``payment_retry_count`` retries spread over ``payment_retry_window_business_days``
(2 retries over 10 business days). A contract's signed ladder (CON-12 special term ``dunning_ladder``)
may plan more or fewer retry steps than the policy's retries:

- a retry step with no attempt left to wait for runs on its day and says the retries are over;
- a measure (here a suspension) planned on the day of an automatic charge waits until that charge is
  made and answered: not before the day's charge, and not while the gateway's answer is unknown.

flow's first invoice of a contract from 2026-01-05 falls due on Sunday 2026-02-15; 02-16..18 are Seollal,
so the first attempt is on 02-19, the retries on 02-26 and 03-06 (03-02 is a substitute holiday).
"""

from __future__ import annotations

from typing import Any

import pytest

from billing.gateways.base import ChargeResult
from billing.models import Payment
from billing.services import dunning
from billing.services.collection import charge_outcome_record, collect_payments
from billing.services.dunning import step_date
from contracts.models import ContractStatus, SpecialTerm
from tests.billing.payment_factories import PaymentMethodFactory, fake_gateway  # noqa: F401 - fixture

from .conftest import D
from .test_dunning import (  # noqa: F401 - fixture
    after_due_jobs,
    case_of,
    first_invoice,
    make_contract_on,
    reload,
    walk,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("presets", "after_due_jobs")]

DUE = D(2026, 2, 15)
ATTEMPTS = [D(2026, 2, 19), D(2026, 2, 26), D(2026, 3, 6)]


def _step(day: int, action: str) -> dict[str, Any]:
    return {"day": day, "action": action, "business_days": True}


def _flow_on_card(ladder: list[dict[str, Any]]):  # type: ignore[no-untyped-def]
    contract = make_contract_on("flow-business-monthly", D(2026, 1, 5))
    SpecialTerm.objects.create(
        contract=contract,
        parameter="dunning_ladder",
        value=ladder,
        note="연체 단계 특약",
        signed_on=D(2026, 1, 2),
    )
    PaymentMethodFactory(customer=contract.customer, gateway_token="fail_card")
    invoice = first_invoice(contract)
    assert invoice.due_date == DUE
    return contract, invoice


def _attempts(invoice) -> list[tuple[int, object, str]]:  # type: ignore[no-untyped-def]
    return [
        (p.attempt, p.received_on, p.status)
        for p in Payment.objects.filter(invoice=invoice).order_by("attempt")
    ]


def _steps(invoice) -> list[tuple[int, str, object, str]]:  # type: ignore[no-untyped-def]
    return [(s.index, s.action, s.executed_on, s.detail) for s in case_of(invoice).steps.order_by("index")]


def test_a_retry_step_beyond_the_policys_retries_runs_on_its_day_and_says_they_are_over(fake_gateway):  # noqa: F811
    """BIL-8, DUN-2: the signed ladder plans a fourth retry step at 12 business days; the policy makes
    three attempts in all. Each of the first three steps names its attempt; the fourth, with nothing
    left to wait for, runs on its planned day and records that the retries are over."""
    ladder = [_step(0, "retry_payment"), _step(5, "retry_payment"), _step(10, "retry_payment")]
    ladder.append(_step(12, "retry_payment"))
    contract, invoice = _flow_on_card(ladder)
    fourth = step_date(due_date=DUE, day=12, business_days=True)
    assert fourth > ATTEMPTS[2]
    walk(DUE, fourth)
    assert [(a, on) for a, on, _status in _attempts(invoice)] == list(enumerate(ATTEMPTS, start=1))
    recorded = _steps(invoice)
    assert [(i, action, on) for i, action, on, _d in recorded] == [
        (1, "retry_payment", ATTEMPTS[0]),
        (2, "retry_payment", ATTEMPTS[1]),
        (3, "retry_payment", ATTEMPTS[2]),
        (4, "retry_payment", fourth),
    ]
    for k in (1, 2, 3):
        assert recorded[k - 1][3].startswith(
            f"자동 결제 {k}회차 ({k}회차 시도, {ATTEMPTS[k - 1].isoformat()}): 실패"
        )
    assert recorded[3][3] == "자동 결제 4회차 없음 (재결제 일정 종료)"
    assert reload(contract).status == ContractStatus.ACTIVE


def test_a_suspension_waits_for_the_days_automatic_charge_and_its_answer(fake_gateway):  # noqa: F811
    """BIL-8, DUN-1: the signed ladder retries once (the due date) and suspends at 11 business days —
    03-06, the day of the third automatic attempt. The dunning job that runs before the day's charge
    suspends nothing; nor while the gateway has not answered (a timeout leaves the attempt pending);
    once the charge is declined, the suspension runs that day."""
    contract, invoice = _flow_on_card([_step(0, "retry_payment"), _step(11, "suspend")])
    assert step_date(due_date=DUE, day=11, business_days=True) == ATTEMPTS[2]
    walk(DUE, D(2026, 3, 5))
    assert [(i, action, on) for i, action, on, _d in _steps(invoice)] == [(1, "retry_payment", ATTEMPTS[0])]

    dunning.dunning_run(today=ATTEMPTS[2])  # before the day's charge
    assert len(_steps(invoice)) == 1
    assert reload(contract).status == ContractStatus.ACTIVE

    fake_gateway.unavailable = True
    collect_payments(today=ATTEMPTS[2])
    assert _attempts(invoice)[-1] == (3, ATTEMPTS[2], Payment.Status.PENDING)
    dunning.dunning_run(today=ATTEMPTS[2])  # the charge's outcome is unknown
    assert len(_steps(invoice)) == 1
    assert reload(contract).status == ContractStatus.ACTIVE

    pending = Payment.objects.get(invoice=invoice, attempt=3)
    charge_outcome_record(
        payment_id=pending.pk,
        result=ChargeResult(success=False, failure_reason="declined"),
        today=ATTEMPTS[2],
    )
    dunning.dunning_run(today=ATTEMPTS[2])
    assert [(i, action, on) for i, action, on, _d in _steps(invoice)] == [
        (1, "retry_payment", ATTEMPTS[0]),
        (2, "suspend", ATTEMPTS[2]),
    ]
    assert reload(contract).status == ContractStatus.SUSPENDED


def test_a_contracts_signed_retry_count_is_what_the_charges_and_the_ladder_follow(fake_gateway):  # noqa: F811
    """BIL-8, CON-12: the contract's signed terms allow one retry instead of flow's two, over the same 10
    business days: the automatic charges are the due date's (02-19) and one retry at 10 business days
    (03-06), nothing on 02-26. flow's ladder follows the same schedule: its second retry step waits for
    that retry and names it, its third has no attempt left and says so, and the suspension follows the
    same day."""
    contract = make_contract_on("flow-business-monthly", D(2026, 1, 5))
    SpecialTerm.objects.create(
        contract=contract,
        parameter="payment_retry_count",
        value=1,
        note="재결제 1회 특약",
        signed_on=D(2026, 1, 2),
    )
    PaymentMethodFactory(customer=contract.customer, gateway_token="fail_card")
    invoice = first_invoice(contract)
    assert invoice.due_date == DUE
    walk(DUE, ATTEMPTS[2])
    assert _attempts(invoice) == [
        (1, ATTEMPTS[0], Payment.Status.FAILED),
        (2, ATTEMPTS[2], Payment.Status.FAILED),
    ]
    recorded = _steps(invoice)
    assert [(i, action, on) for i, action, on, _d in recorded] == [
        (1, "retry_payment", ATTEMPTS[0]),
        (2, "retry_payment", ATTEMPTS[2]),
        (3, "retry_payment", ATTEMPTS[2]),
        (4, "suspend", ATTEMPTS[2]),
    ]
    assert recorded[1][3].startswith(f"자동 결제 2회차 (2회차 시도, {ATTEMPTS[2].isoformat()}): 실패")
    assert recorded[2][3] == "자동 결제 3회차 없음 (재결제 일정 종료)"
    assert reload(contract).status == ContractStatus.SUSPENDED
