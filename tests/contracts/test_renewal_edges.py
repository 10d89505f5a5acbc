"""CON-6: renewal notices and refusals at their edges (mutation testing of contracts/services/renewal.py,
docs/testing.md). Dates and messages are written out by hand."""

from __future__ import annotations

import pytest

from contracts.models import Contract, ContractPeriod, ContractStatus
from contracts.services import renewal
from core.errors import DomainError
from tests.contracts.conftest import D, active

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
    assert refused.value.message_ko == (
        f"CON-1: 계약 {contract.number}은(는) 현재 '해지 예정' 상태라 갱신 거절할 수 없습니다. "
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
