"""CON-2, CON-7: the real wiring between contracts and billing — no stand-in lookups. Billing installs its
ledger's overdue amount as the contracts' unpaid-fee lookup at start-up (``billing.apps``); these tests
issue real invoices with the invoice run and check that termination waits for them and that a new
application's CON-2 check sees them.

dcloud-vm-standard from 2026-01-05: January = 300,000 × 27/31 = 261,290 + VAT 26,129 = 287,419 won,
issued 2026-02-10, due 2026-02-28 (BIL-3), overdue from 2026-03-01."""

from __future__ import annotations

import pytest
from django.apps import apps

from billing.models import Invoice
from billing.services.invoicing import invoices_generate
from billing.services.payments import payment_record
from contracts.models import ApplicationCheck, ContractStatus, RejectionReason
from contracts.services import applications, termination
from core.errors import DomainError
from tests.contracts.conftest import D, active, apply, notice_keys

JANUARY_TOTAL = 287_419


@pytest.fixture(autouse=True)
def _no_unpaid_lookup():  # type: ignore[no-untyped-def]
    """Overrides the contracts tests' stand-in (None) with billing's real lookup, installed as at start-up."""
    apps.get_app_config("billing").ready()
    yield


def dcloud_with_january_invoice():  # type: ignore[no-untyped-def]
    contract = active("dcloud")
    invoices_generate(today=D(2026, 2, 10))
    january = Invoice.objects.get(customer=contract.customer, period_start=D(2026, 1, 1))
    assert (january.total_won, january.due_date) == (JANUARY_TOTAL, D(2026, 2, 28))
    return contract, january


def test_billing_installs_its_unpaid_lookup(presets):
    """CON-2, CON-7: what contracts ask (``unpaid_won``) is billing's overdue ledger amount: nothing before
    the due date, the open amount after it, nothing once paid."""
    contract, january = dcloud_with_january_invoice()
    customer = contract.customer
    assert applications.unpaid_won(customer, D(2026, 2, 28)) == 0  # due today: not overdue yet
    assert applications.unpaid_won(customer, D(2026, 3, 1)) == JANUARY_TOTAL
    payment_record(
        customer=customer,
        amount_won=100_000,
        method="bank_transfer",
        received_on=D(2026, 3, 2),
        invoice=january,
    )
    assert applications.unpaid_won(customer, D(2026, 3, 3)) == JANUARY_TOTAL - 100_000


def test_termination_with_an_overdue_invoice_waits_for_settlement(presets):
    """CON-7 (002 art.20②): effective 2026-03-08 with January's 287,419 won overdue → the contract stays
    terminating and the customer is told once; completing it by hand is refused with the amount; once paid
    the next run completes it, effective on the requested day."""
    contract, january = dcloud_with_january_invoice()
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    assert termination.complete_due(today=D(2026, 3, 8)) == {"terminated": 0, "awaiting_settlement": 1}
    assert termination.complete_due(today=D(2026, 3, 9)) == {"terminated": 0, "awaiting_settlement": 1}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING
    assert len(notice_keys("contract.termination_awaiting_settlement", contract=contract)) == 1
    with pytest.raises(DomainError) as err:
        termination.termination_complete(contract=contract, today=D(2026, 3, 9))
    assert (err.value.code, err.value.rule) == ("unpaid_fees", "CON-7")
    assert "287,419" in err.value.message_ko
    payment_record(
        customer=contract.customer,
        amount_won=JANUARY_TOTAL,
        method="bank_transfer",
        received_on=D(2026, 3, 9),
        invoice=january,
    )
    assert termination.complete_due(today=D(2026, 3, 10)) == {"terminated": 1, "awaiting_settlement": 0}
    contract.refresh_from_db()
    assert (contract.status, contract.terminated_on) == (ContractStatus.TERMINATED, D(2026, 3, 8))


def test_an_invoice_not_yet_due_does_not_hold_termination(presets):
    """CON-7: only overdue fees hold a termination back — effective 2026-02-20, January's invoice (due
    02-28) is still within its term, so the termination completes on the day."""
    contract, _january = dcloud_with_january_invoice()
    termination.termination_request(contract=contract, effective_on=D(2026, 2, 20), today=D(2026, 2, 12))
    assert termination.complete_due(today=D(2026, 2, 20)) == {"terminated": 1, "awaiting_settlement": 0}


def test_application_with_unpaid_fees_fails_the_check_and_is_rejected(presets):
    """CON-2 (000 art.5②, 002 art.8): the same customer applies for another plan on 2026-03-05 with
    January's 287,419 won overdue → the automatic check "unpaid fees on another contract" fails with that
    amount, and staff reject the application for it; after paying, a new application passes the check."""
    contract, january = dcloud_with_january_invoice()
    customer = contract.customer
    second = apply("kgmsg", customer=customer, today=D(2026, 3, 5), start=D(2026, 3, 10))
    check = ApplicationCheck.objects.get(contract=second, code=RejectionReason.UNPAID_OTHER_CONTRACT)
    assert check.passed is False
    assert "287,419" in check.detail
    applications.contract_reject(
        contract=second, reasons=[RejectionReason.UNPAID_OTHER_CONTRACT], today=D(2026, 3, 6)
    )
    second.refresh_from_db()
    assert second.status == ContractStatus.REJECTED
    assert second.rejection_reasons == [RejectionReason.UNPAID_OTHER_CONTRACT]

    payment_record(
        customer=customer,
        amount_won=JANUARY_TOTAL,
        method="bank_transfer",
        received_on=D(2026, 3, 7),
        invoice=january,
    )
    third = apply("kgmsg", customer=customer, today=D(2026, 3, 8), start=D(2026, 3, 12))
    check = ApplicationCheck.objects.get(contract=third, code=RejectionReason.UNPAID_OTHER_CONTRACT)
    assert check.passed is True
