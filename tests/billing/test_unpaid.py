"""CON-2, CON-7, BIL-10: what "unpaid" means for a new application and for completing a termination.

Decision (billing.services.facts.unpaid_won): an amount under an OPEN dispute is not unpaid — not for
the automatic application check (CON-2) and not for the completion of a customer termination (CON-7),
exactly as the ladder holds it out (BIL-10, 003 art.7-2). Rejected or withdrawn, it counts again.
These tests go through the lookup billing installs at start-up (BillingConfig.ready)."""

from __future__ import annotations

import datetime as dt

import pytest

from billing.models import Dispute
from billing.services import facts
from billing.services.disputes import dispute_decide, dispute_file, dispute_withdraw
from billing.services.payments import payment_record
from contracts.models import ApplicationCheck, ContractStatus, Plan, RejectionReason
from contracts.services import applications, termination
from messaging.models import Notice

from .conftest import D, make_contract
from .payment_factories import make_invoice

pytestmark = pytest.mark.django_db

PLAN = "dcloud-vm-standard"


def overdue_dcloud_invoice(presets, customer, *, total=330_000):  # type: ignore[no-untyped-def]
    """A dcloud invoice issued 2026-02-10 and due 2026-02-28 (002 art.31①), unpaid."""
    return make_invoice(
        customer, total, issue_date=D(2026, 2, 10), due_date=D(2026, 2, 28), policy=presets["dcloud"]
    )


def unpaid_check(contract) -> ApplicationCheck:  # type: ignore[no-untyped-def]
    return ApplicationCheck.objects.get(contract=contract, code=RejectionReason.UNPAID_OTHER_CONTRACT)


def apply_again(customer, today, plan="officecore-standard-monthly"):  # type: ignore[no-untyped-def]
    """A new application for another plan (one open application per plan)."""
    return applications.contract_apply(
        customer=customer,
        plan=Plan.objects.get(code=plan),
        requested_start=today + dt.timedelta(days=10),
        today=today,
    )


def test_billing_installs_its_unpaid_lookup(presets):
    """CON-2, CON-7: the contracts checks read billing's one definition (facts.unpaid_won)."""
    contract = make_contract(PLAN)
    overdue_dcloud_invoice(presets, contract.customer)
    assert applications.unpaid_won(contract.customer, D(2026, 2, 28)) == 0  # due today: not yet unpaid
    assert applications.unpaid_won(contract.customer, D(2026, 3, 1)) == 330_000
    assert facts.unpaid_won(contract.customer, D(2026, 3, 1)) == 330_000


def test_open_dispute_on_an_overdue_invoice_is_not_unpaid_for_a_new_application(presets):
    """CON-2, BIL-10 (003 art.7-2, 002 art.35①): while the dispute on the whole overdue invoice is open,
    the automatic "unpaid fees on another contract" check passes; once rejected the amount is unpaid
    again and the next application fails the check with it."""
    contract = make_contract(PLAN)
    customer = contract.customer
    invoice = overdue_dcloud_invoice(presets, customer)
    dispute = dispute_file(invoice=invoice, amount_won=300_000, reason="미사용 서버", today=D(2026, 2, 20))
    assert facts.held_won(invoice) == 330_000  # 300,000 supply + VAT
    assert facts.invoice_overdue_won(invoice, D(2026, 3, 1)) == 0
    during = apply_again(customer, D(2026, 3, 1))
    assert unpaid_check(during).passed is True

    dispute_decide(dispute=dispute, upheld_amount_won=0, answer="정상 청구", today=D(2026, 3, 2))
    after = apply_again(customer, D(2026, 3, 2), plan="kgmsg-standard")
    check = unpaid_check(after)
    assert check.passed is False and "330,000" in check.detail


def test_partly_disputed_overdue_invoice_counts_its_undisputed_part_for_an_application(presets):
    """CON-2, BIL-10: only the disputed part (with its VAT) is held out; the undisputed rest is unpaid."""
    contract = make_contract(PLAN)
    invoice = overdue_dcloud_invoice(presets, contract.customer)
    dispute_file(invoice=invoice, amount_won=200_000, reason="일부 과다", today=D(2026, 2, 20))
    check = unpaid_check(apply_again(contract.customer, D(2026, 3, 1)))
    assert check.passed is False and "110,000" in check.detail


def test_open_dispute_does_not_hold_a_termination_but_the_undisputed_part_does(presets):
    """CON-7 (002 art.20②), BIL-10: on the effective date the undisputed 110,000 keeps the contract
    terminating (the customer is told that amount); once it is paid the termination completes although
    the dispute on the rest is still open."""
    contract = make_contract(PLAN)
    customer = contract.customer
    invoice = overdue_dcloud_invoice(presets, customer)
    dispute = dispute_file(invoice=invoice, amount_won=200_000, reason="일부 과다", today=D(2026, 2, 20))
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    assert termination.complete_due(today=D(2026, 3, 8)) == {"terminated": 0, "awaiting_settlement": 1}
    notice = Notice.objects.filter(
        event="contract.termination_awaiting_settlement", customer=customer
    ).first()
    assert notice is not None
    assert notice.context["unpaid_won"] == 110_000
    payment_record(
        customer=customer,
        amount_won=110_000,
        method="bank_transfer",
        received_on=D(2026, 3, 8),
        invoice=invoice,
    )
    assert termination.complete_due(today=D(2026, 3, 9)) == {"terminated": 1, "awaiting_settlement": 0}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


def test_withdrawn_dispute_holds_the_termination_again(presets):
    """CON-7, BIL-10: a dispute withdrawn before the effective date no longer holds its amount: the
    termination waits for it like any unpaid fee."""
    contract = make_contract(PLAN)
    invoice = overdue_dcloud_invoice(presets, contract.customer)
    dispute = dispute_file(invoice=invoice, amount_won=300_000, reason="미사용 서버", today=D(2026, 2, 20))
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    assert applications.unpaid_won(contract.customer, D(2026, 3, 1)) == 0
    dispute_withdraw(dispute=dispute, today=D(2026, 3, 5))
    assert termination.complete_due(today=D(2026, 3, 8)) == {"terminated": 0, "awaiting_settlement": 1}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING
