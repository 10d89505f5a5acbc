"""CON-7 customer termination, CON-8 withdrawal, CON-9 operator termination."""

from __future__ import annotations

import pytest

from contracts.entitlement import entitlement
from contracts.models import ContractStatus, TerminationKind
from contracts.services import applications, termination
from contracts.settlement import Settlement, SettlementLine, set_calculator, usage_only
from core.errors import DomainError
from tests.contracts.conftest import D, active, apply, approved, notice_keys

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------ CON-7


def test_dcloud_needs_seven_days_notice(presets):
    """CON-7 (002 art.20②): shorter notice is refused naming the earliest date; nothing changes."""
    contract = active("dcloud")
    with pytest.raises(DomainError) as err:
        termination.termination_request(contract=contract, effective_on=D(2026, 3, 6), today=D(2026, 3, 1))
    assert err.value.code == "notice_too_short" and err.value.rule == "CON-7"
    assert "2026-03-08" in err.value.message_ko
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and contract.termination_effective_on is None
    with pytest.raises(DomainError):
        termination.termination_preview(contract=contract, effective_on=D(2026, 3, 7), today=D(2026, 3, 1))


def test_terminating_until_effective_date_then_completed(presets):
    """CON-7: the contract is ``terminating`` until the effective date (still usable), and the daily job
    completes it on that date."""
    contract = active("dcloud")
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING
    assert (contract.termination_requested_on, contract.termination_kind) == (D(2026, 3, 1), "customer")
    assert entitlement(contract.customer, today=D(2026, 3, 8)).allowed
    assert termination.complete_due(today=D(2026, 3, 7))["terminated"] == 0
    assert termination.complete_due(today=D(2026, 3, 8))["terminated"] == 1
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED and contract.terminated_on == D(2026, 3, 8)
    assert notice_keys("contract.terminating", contract=contract)
    assert notice_keys("contract.terminated", contract=contract)


def test_preview_equals_what_the_request_records(presets):
    """CON-7: the settlement shown before confirming is exactly what the request records."""

    def calculator(contract, effective_on, penalty_exempt):  # type: ignore[no-untyped-def]
        return Settlement(
            contract.pk,
            effective_on,
            [
                SettlementLine("usage", "3월 이용료", 70_000),
                SettlementLine("penalty", "위약금", 0 if penalty_exempt else 693_000),
            ],
            complete=True,
        )

    set_calculator(calculator)
    try:
        contract = active("dcloud")
        shown = termination.termination_preview(
            contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1)
        )
        termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    finally:
        set_calculator(usage_only)
    contract.refresh_from_db()
    recorded = contract.termination_settlement
    assert recorded["total_won"] == shown.total_won == 763_000
    assert [(line["kind"], line["amount_won"]) for line in recorded["lines"]] == [
        (line.kind, line.amount_won) for line in shown.lines
    ]
    assert recorded["effective_on"] == "2026-03-08" and recorded["complete"] is True


def test_usage_only_preview_prorates_the_termination_month(presets):
    """CON-7 / BIL-4: the usage-only calculator shows the used days of the month."""
    set_calculator(usage_only)  # instead of billing's (tests/conftest.py puts billing's back)
    contract = active("dcloud")
    shown = termination.termination_preview(
        contract=contract, effective_on=D(2026, 4, 15), today=D(2026, 4, 1)
    )
    assert shown.total_won == 300_000 * 15 // 30


def test_unpaid_fees_keep_the_contract_terminating(presets):
    """CON-7 (002 art.20②): with unpaid fees the termination does not complete; the customer is told once;
    once settled the next run completes it."""
    contract = active("dcloud")
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    unpaid = {"won": 120_000}
    applications.set_unpaid_lookup(lambda customer, day: unpaid["won"])
    assert termination.complete_due(today=D(2026, 3, 8)) == {"terminated": 0, "awaiting_settlement": 1}
    assert termination.complete_due(today=D(2026, 3, 9)) == {"terminated": 0, "awaiting_settlement": 1}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING
    assert len(notice_keys("contract.termination_awaiting_settlement", contract=contract)) == 1
    with pytest.raises(DomainError) as err:
        termination.termination_complete(contract=contract, today=D(2026, 3, 9))
    assert err.value.code == "unpaid_fees" and "120,000" in err.value.message_ko
    unpaid["won"] = 0
    assert termination.complete_due(today=D(2026, 3, 10))["terminated"] == 1
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED and contract.terminated_on == D(2026, 3, 8)


def test_settlement_rule_is_a_policy_value(presets):
    """CON-7: a policy (here via special term, CON-12) that does not require settlement completes anyway;
    a non-payment termination is never held back."""
    from contracts.services import changes

    contract = active("dcloud")
    changes.special_term_set(
        contract=contract,
        parameter="termination_requires_settlement",
        value=False,
        note="정산 후 해지 조항 배제",
        signed_on=D(2026, 1, 5),
    )
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    other = active("kgmsg")
    termination.operator_termination(
        contract=other, reasons=["nonpayment"], today=D(2026, 3, 1), nonpayment=True
    )
    applications.set_unpaid_lookup(lambda customer, day: 50_000)
    assert termination.complete_due(today=D(2026, 3, 8)) == {"terminated": 2, "awaiting_settlement": 0}


# ------------------------------------------------------------------ CON-8


def test_officecore_withdrawal_within_7_days_of_service_start(presets):
    """CON-8 (000 art.18⑤): 7 days from service start; after that refused naming the deadline."""
    contract = active("officecore", start=D(2026, 1, 5))
    assert termination.withdrawal_deadline(contract) == D(2026, 1, 12)
    late = active("officecore", start=D(2026, 1, 5))
    with pytest.raises(DomainError) as err:
        termination.contract_withdraw(contract=late, today=D(2026, 1, 13))
    assert err.value.code == "withdrawal_window_closed" and "2026-01-12" in err.value.message_ko
    late.refresh_from_db()
    assert late.status == ContractStatus.ACTIVE
    termination.contract_withdraw(contract=contract, today=D(2026, 1, 12))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.WITHDRAWN and contract.withdrawn_on == D(2026, 1, 12)


def test_damoa_withdrawal_seven_business_days_from_order(presets):
    """CON-8 (004 art.24): 7 business days from the order (weekends and holidays skipped)."""
    # Ordered Friday 2026-02-13; 02-16..18 is Seollal → business days 02-19, 20, 23, 24, 25, 26, 27.
    contract = active("damoa", today=D(2026, 2, 13), start=D(2026, 2, 16))
    assert termination.withdrawal_deadline(contract) == D(2026, 2, 27)
    with pytest.raises(DomainError) as err:
        termination.contract_withdraw(contract=contract, today=D(2026, 3, 2))
    assert "2026-02-27" in err.value.message_ko
    termination.contract_withdraw(contract=contract, today=D(2026, 2, 27))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.WITHDRAWN


def test_damoa_free_trial_starts_the_clock(presets):
    """CON-8 (004 art.24-1-2): a free trial before the order starts the withdrawal clock."""
    contract = active("damoa", today=D(2026, 3, 2), start=D(2026, 3, 3))
    contract.trial_started_on = D(2026, 2, 23)
    contract.save(update_fields=["trial_started_on"])
    # 7 business days after Monday 02-23: 02-24..27, 03-03 (03-02 is the substitute holiday), 03-04, 03-05.
    assert termination.withdrawal_deadline(contract) == D(2026, 3, 5)
    with pytest.raises(DomainError):
        termination.contract_withdraw(contract=contract, today=D(2026, 3, 6))


def test_withdrawal_before_activation_and_none_for_dcloud(presets):
    """CON-8 / CON-1: applied or approved contracts may always be withdrawn; a policy without a cooling-off
    window refuses withdrawal after activation."""
    applied = apply("dcloud")
    termination.contract_withdraw(contract=applied, today=D(2026, 1, 3))
    applied.refresh_from_db()
    assert applied.status == ContractStatus.WITHDRAWN
    ok = approved("dcloud")
    termination.contract_withdraw(contract=ok, today=D(2026, 1, 4))
    contract = active("dcloud")
    with pytest.raises(DomainError) as err:
        termination.contract_withdraw(contract=contract, today=D(2026, 1, 6))
    assert err.value.code == "no_withdrawal" and err.value.rule == "CON-8"


# ------------------------------------------------------------------ CON-9


def test_operator_termination_reasons_and_notice(presets):
    """CON-9: operator termination for listed reasons, with notice; unknown reasons refused."""
    contract = active("officecore")
    with pytest.raises(DomainError) as err:
        termination.operator_termination(contract=contract, reasons=["dislike"], today=D(2026, 2, 1))
    assert err.value.code == "unknown_reason" and err.value.rule == "CON-9"
    with pytest.raises(DomainError):
        termination.operator_termination(contract=contract, reasons=[], today=D(2026, 2, 1))
    termination.operator_termination(
        contract=contract, reasons=["legal_order", "bankruptcy"], today=D(2026, 2, 1), note="법원 명령"
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING
    assert contract.termination_kind == TerminationKind.OPERATOR
    assert contract.termination_reasons == ["legal_order", "bankruptcy"]
    assert notice_keys("contract.operator_termination", contract=contract)


def test_damoa_thirty_days_to_explain(presets):
    """CON-9 (004 art.25-3): damoa's operator termination takes effect 30 days after notice at the earliest;
    an earlier effective date is refused."""
    contract = active("damoa")
    with pytest.raises(DomainError) as err:
        termination.operator_termination(
            contract=contract, reasons=["abuse"], today=D(2026, 2, 1), effective_on=D(2026, 2, 20)
        )
    assert err.value.code == "notice_too_short" and "2026-03-03" in err.value.message_ko
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    termination.operator_termination(contract=contract, reasons=["abuse"], today=D(2026, 2, 1))
    contract.refresh_from_db()
    assert contract.termination_effective_on == D(2026, 3, 3)
    notice = notice_keys("contract.operator_termination", contract=contract)
    assert notice
    assert termination.complete_due(today=D(2026, 3, 2))["terminated"] == 0
    assert termination.complete_due(today=D(2026, 3, 3))["terminated"] == 1


def _terminating(count: int, effective_on):  # type: ignore[no-untyped-def]
    made = []
    for _ in range(count):
        contract = active("dcloud")
        termination.termination_request(contract=contract, effective_on=effective_on, today=D(2026, 3, 1))
        made.append(contract)
    return made


@pytest.mark.django_db(transaction=True)
def test_completing_terminations_costs_three_queries_a_contract_plus_a_fixed_batch(presets):
    """CON-7, issue 16: the job completes its contracts a batch at a time (locked at once, notices sent
    together, emails delivered a chunk at a time): six contracts cost the queries of two plus three per
    extra contract (its update, history and log rows), and each ends ``terminated`` on its date with its
    "terminated" notice, once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    two = _terminating(2, D(2026, 3, 8))
    six = _terminating(6, D(2026, 3, 9))
    with CaptureQueriesContext(connection) as few:
        assert termination.complete_due(today=D(2026, 3, 8)) == {"terminated": 2, "awaiting_settlement": 0}
    with CaptureQueriesContext(connection) as many:
        assert termination.complete_due(today=D(2026, 3, 9)) == {"terminated": 6, "awaiting_settlement": 0}
    # Each move still writes its own row, history row and transition log (3 queries a contract); the
    # lock, the reads, the notices and the emails are per batch (was about 28 queries a contract).
    assert len(many.captured_queries) - len(few.captured_queries) == 4 * 3, (
        len(few.captured_queries), len(many.captured_queries))
    assert len(few.captured_queries) <= 30
    for contract in two + six:
        contract.refresh_from_db()
        assert contract.status == ContractStatus.TERMINATED
        assert contract.terminated_on == contract.termination_effective_on
        assert len(notice_keys("contract.terminated", contract=contract)) == 1
    assert termination.complete_due(today=D(2026, 3, 9)) == {"terminated": 0, "awaiting_settlement": 0}
