"""What a dunning step records when it has nothing to act on (issue 9 mutation testing of
``billing/services/dunning.py``): flow's retry steps (BIL-8, 001 art.19-6) for a customer without an
automatic payment method are notices only, and say so."""

from __future__ import annotations

import pytest

from .conftest import D
from .test_dunning import (  # noqa: F401 - fixture
    after_due_jobs,
    case_of,
    first_invoice,
    make_contract_on,
    walk,
)

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
