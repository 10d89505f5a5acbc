"""CON-6: renewal notices and refusals at their edges (mutation testing of contracts/services/renewal.py,
docs/testing.md). Dates and messages are written out by hand."""

from __future__ import annotations

import pytest

from contracts.models import Contract, ContractPeriod, ContractStatus, Policy, TerminationKind
from contracts.services import renewal
from core.errors import DomainError
from core.korean import particles
from tests.contracts.conftest import D, active, notices

pytestmark = pytest.mark.django_db


def _set_status(contract: Contract, status: str) -> Contract:
    Contract.objects.filter(pk=contract.pk).update(status=status)
    contract.refresh_from_db()
    return contract


def test_a_suspended_contract_may_stop_its_renewal(presets):
    """CON-6: a suspended contract is still live: its customer may stop the renewal (reason kept)."""
    contract = _set_status(active("kgmsg"), ContractStatus.SUSPENDED)
    stopped = renewal.renewal_stop(contract=contract, today=D(2026, 12, 5), reason="서면 통지")
    stopped.refresh_from_db()
    assert (stopped.renewal_stopped, stopped.renewal_stop_reason) == (True, "서면 통지")


def test_a_stop_without_a_reason_records_the_customer_refusal(presets):
    """CON-6: without a reason the stop is recorded as "고객 갱신 거절"."""
    contract = renewal.renewal_stop(contract=active("kgmsg"), today=D(2026, 1, 10))
    contract.refresh_from_db()
    assert (contract.renewal_stopped, contract.renewal_stop_reason) == (True, "고객 갱신 거절")


def test_a_terminating_contract_cannot_stop_its_renewal(presets):
    """CON-1/CON-6: only an active or suspended contract may stop its renewal; the refusal names the
    action and the states that allow it."""
    contract = _set_status(active("kgmsg"), ContractStatus.TERMINATING)
    with pytest.raises(DomainError) as refused:
        renewal.renewal_stop(contract=contract, today=D(2026, 1, 10))
    assert (refused.value.code, refused.value.rule, refused.value.field) == (
        "invalid_state",
        "CON-1",
        "status",
    )
    subject = particles(f"계약 {contract.number}은(는)")  # 은 or 는 as the number is read
    assert refused.value.message_ko == (
        f"CON-1: {subject} 현재 '해지 예정' 상태라 갱신 거절할 수 없습니다. "
        "가능한 상태: 이용 중, 이용 정지"
    )


def test_a_second_stop_is_refused(presets):
    """CON-6: the renewal is stopped once; a second notice is refused naming the field."""
    contract = renewal.renewal_stop(contract=active("kgmsg"), today=D(2026, 1, 10), reason="첫 통지")
    with pytest.raises(DomainError) as refused:
        renewal.renewal_stop(contract=contract, today=D(2026, 1, 11), reason="두 번째")
    assert (refused.value.code, refused.value.rule, refused.value.field) == (
        "renewal_already_stopped",
        "CON-6",
        "renewal_stopped",
    )
    assert refused.value.message_ko == "CON-6: 자동 갱신이 이미 중단되었습니다."
    contract.refresh_from_db()
    assert contract.renewal_stop_reason == "첫 통지"


def test_a_contract_without_a_period_cannot_stop_its_renewal(presets):
    """CON-6: without a period there is no expiry to give notice before."""
    contract = active("kgmsg")
    ContractPeriod.objects.filter(contract=contract).delete()
    with pytest.raises(DomainError) as refused:
        renewal.renewal_stop(contract=contract, today=D(2026, 1, 10))
    assert (refused.value.code, refused.value.rule, refused.value.field) == ("no_period", "CON-6", "periods")
    assert refused.value.message_ko == "CON-6: 계약 기간이 없습니다."


def test_a_late_notice_names_the_expiry_the_days_and_the_deadline(presets):
    """CON-6 (003 art.12): kgmsg's term 2026-01-05..2027-01-04 needs notice 30 days before expiry, by
    2026-12-05; on 2026-12-06 it is refused with all three."""
    contract = active("kgmsg")
    with pytest.raises(DomainError) as refused:
        renewal.renewal_stop(contract=contract, today=D(2026, 12, 6))
    assert (refused.value.code, refused.value.rule, refused.value.field) == (
        "renewal_notice_too_late",
        "CON-6",
        "renewal_stopped",
    )
    assert refused.value.message_ko == (
        "CON-6: 갱신 거절은 만료일(2027-01-04) 30일 전(2026-12-05)까지 통지해야 합니다."
    )


def _notice(event: str, contract: Contract):  # type: ignore[no-untyped-def]
    sent = notices(event, contract=contract)
    assert sent.exists(), event
    return sent.first()


def test_the_stop_notice_names_the_expiry(presets):
    """CON-6: the customer is told the contract ends on 2027-01-04 (kgmsg, one year from 2026-01-05)."""
    contract = renewal.renewal_stop(contract=active("kgmsg"), today=D(2026, 1, 10))
    told = _notice("contract.renewal_stopped", contract)
    assert told.dedupe_key == f"contract:{contract.pk}:renewal-stop:1"
    assert told.context["ends_on"] == "2027-01-04"


def test_reminder_and_renewal_notices(presets):
    """CON-6: dcloud (12-month renewal, 30 days' reminder and notice): the reminder of period 1 goes out
    on 2026-12-05 (30 days before 2027-01-04) naming the end, the 12 months and the notice deadline
    2026-12-05; the renewal notice names period 2, 2027-01-05..2028-01-04."""
    contract = active("dcloud")
    assert renewal.renew_due(today=D(2026, 12, 5)) == {"reminded": 1, "renewed": 0, "ended": 0}
    told = _notice("contract.renewal_reminder", contract)
    assert told.dedupe_key == f"contract:{contract.pk}:renewal-reminder:1"
    assert {k: told.context[k] for k in ("ends_on", "renewal_months", "notice_deadline")} == {
        "ends_on": "2027-01-04",
        "renewal_months": 12,
        "notice_deadline": "2026-12-28",
    }
    assert contract.periods.get(number=1).reminder_sent_on == D(2026, 12, 5)
    assert renewal.renew_due(today=D(2027, 1, 5)) == {"reminded": 0, "renewed": 1, "ended": 0}
    told = _notice("contract.renewed", contract)
    assert told.dedupe_key == f"contract:{contract.pk}:renewed:2"
    assert (told.context["starts_on"], told.context["ends_on"]) == ("2027-01-05", "2028-01-04")


def test_reminder_window_is_inclusive_at_both_ends(presets):
    """CON-6: the reminder may go out from 30 days before the end (2026-12-05) through the last day
    (2027-01-04), never after; a missed reminder is sent late but still before the end."""
    late = active("dcloud")
    assert renewal.renew_due(today=D(2027, 1, 4))["reminded"] == 1
    assert _notice("contract.renewal_reminder", late).context["ends_on"] == "2027-01-04"


def test_a_term_renews_with_the_contract_term_when_the_policy_sets_no_renewal_length(presets):
    """CON-6: officecore monthly sets no renewal length: the reminder names the contract's own term
    (1 month)."""
    contract = active("officecore")
    assert renewal.renew_due(today=D(2026, 2, 4))["reminded"] == 1
    assert _notice("contract.renewal_reminder", contract).context["renewal_months"] == 1


def test_a_contract_that_may_not_renew_ends_with_its_term(presets):
    """CON-6: with ``auto_renew`` off the contract ends with its term: on 2027-01-05 it moves to
    ``terminating`` effective 2027-01-04 (the period end), with no reminder before."""
    contract = active("dcloud")
    Policy.objects.filter(pk=contract.policy_id).update(auto_renew=False)
    assert renewal.renew_due(today=D(2026, 12, 20)) == {"reminded": 0, "renewed": 0, "ended": 0}
    assert renewal.renew_due(today=D(2027, 1, 5)) == {"reminded": 0, "renewed": 0, "ended": 1}
    contract.refresh_from_db()
    assert (contract.status, contract.termination_kind) == (
        ContractStatus.TERMINATING,
        TerminationKind.TERM_END,
    )
    assert (contract.termination_requested_on, contract.termination_effective_on) == (
        D(2027, 1, 4),
        D(2027, 1, 4),
    )
    assert contract.periods.count() == 1


def test_a_stopped_renewal_ends_with_the_customers_reason(presets):
    """CON-6: the end of a stopped renewal is recorded with the customer's reason."""
    contract = renewal.renewal_stop(contract=active("kgmsg"), today=D(2026, 1, 10), reason="서면 통지")
    assert renewal.renew_due(today=D(2027, 1, 5))["ended"] == 1
    change = contract.transitions.get(to_status=ContractStatus.TERMINATING)
    assert (change.reason, change.on_date) == ("서면 통지", D(2027, 1, 5))


def test_an_unrenewable_term_ends_as_expired(presets):
    """CON-6: without a customer's reason the end is recorded as "계약 기간 만료"."""
    contract = active("dcloud")
    Policy.objects.filter(pk=contract.policy_id).update(auto_renew=False)
    renewal.renew_due(today=D(2027, 1, 5))
    assert contract.transitions.get(to_status=ContractStatus.TERMINATING).reason == "계약 기간 만료"


def test_contracts_that_are_not_live_are_left_alone(presets):
    """CON-6: a terminating contract neither renews nor ends again."""
    contract = _set_status(active("flow"), ContractStatus.TERMINATING)
    assert renewal.renew_due(today=D(2026, 3, 10)) == {"reminded": 0, "renewed": 0, "ended": 0}
    assert contract.periods.count() == 1


def test_a_contract_without_a_period_is_skipped(presets):
    """CON-6: a live contract without a period row is skipped (nothing to renew or remind)."""
    contract = active("flow")
    ContractPeriod.objects.filter(contract=contract).delete()
    assert renewal.renew_due(today=D(2026, 3, 10)) == {"reminded": 0, "renewed": 0, "ended": 0}


def test_a_suspended_contract_renews(presets):
    """CON-6: suspension does not stop the renewal: flow monthly renews 2026-02-05..2026-03-04."""
    contract = _set_status(active("flow"), ContractStatus.SUSPENDED)
    assert renewal.renew_due(today=D(2026, 2, 5))["renewed"] == 1
    assert [(p.starts_on, p.ends_on) for p in contract.periods.order_by("number")][-1] == (
        D(2026, 2, 5),
        D(2026, 3, 4),
    )


def test_anchor_day_and_current_period(presets):
    """CON-6 / BIL-2: the anniversary day is the first period's start day (31), unless a period was
    extended; the current period is the one containing the day; the last one is the highest number."""
    contract = active("officecore", today=D(2026, 1, 28), start=D(2026, 1, 31))
    renewal.renew_due(today=D(2026, 2, 28))
    assert renewal.anchor_day(contract) == 31
    assert renewal.current_period(contract, D(2026, 2, 27)).number == 1
    assert renewal.current_period(contract, D(2026, 2, 28)).number == 2
    assert renewal.current_period(contract, D(2026, 5, 1)) is None
    assert renewal.last_period(contract).number == 2
    ContractPeriod.objects.filter(contract=contract, number=2).update(extension_days=3)
    assert renewal.anchor_day(contract) is None


def test_a_contract_without_a_period_does_not_stop_the_others_renewing(presets):
    """CON-6: the job reads the newest contract first; one without a period row is skipped and the older
    flow contract still renews on 2026-02-05 (2026-02-05..2026-03-04) and is reminded of the next renewal."""
    due = active("flow")
    ContractPeriod.objects.filter(contract=active("flow")).delete()
    assert renewal.renew_due(today=D(2026, 2, 5)) == {"reminded": 1, "renewed": 1, "ended": 0}
    assert [(p.starts_on, p.ends_on) for p in due.periods.order_by("number")][-1] == (
        D(2026, 2, 5),
        D(2026, 3, 4),
    )


def test_the_job_counts_every_contract_it_ends_or_reminds(presets):
    """CON-6: two dcloud contracts (2026-01-05..2027-01-04, 30 days' reminder): on 2026-12-20 both are
    reminded; with ``auto_renew`` off both end on 2027-01-05: the counts are 2, not 1."""
    first, second = active("dcloud"), active("dcloud")
    assert renewal.renew_due(today=D(2026, 12, 20)) == {"reminded": 2, "renewed": 0, "ended": 0}
    Policy.objects.filter(pk__in=[first.policy_id, second.policy_id]).update(auto_renew=False)
    assert renewal.renew_due(today=D(2027, 1, 5)) == {"reminded": 0, "renewed": 0, "ended": 2}


def test_a_term_renews_the_day_after_its_last_day_not_on_it(presets):
    """CON-6: flow's monthly period 2026-01-05..2026-02-04 still runs on 02-04: nothing renews. A job first
    run on 03-04 catches up with one period, 02-05..03-04, which still runs that day."""
    contract = active("flow")
    assert renewal.renew_due(today=D(2026, 2, 4))["renewed"] == 0
    assert renewal.renew_due(today=D(2026, 3, 4))["renewed"] == 1
    assert [(p.starts_on, p.ends_on) for p in contract.periods.order_by("number")][-1] == (
        D(2026, 2, 5),
        D(2026, 3, 4),
    )


def test_a_term_started_on_the_first_ends_on_the_last_day_of_the_month():
    """BIL-2 / CON-5: a one-month term from 2026-01-01 ends on 2026-01-31; twelve months on 2026-12-31."""
    assert renewal.period_end(D(2026, 1, 1), 1) == D(2026, 1, 31)
    assert renewal.period_end(D(2026, 1, 1), 12) == D(2026, 12, 31)
