"""CON-10: suspension for violation, advance notice, lifting, appeals and repeated violation."""

from __future__ import annotations

import pytest

from contracts.models import ContractStatus, Suspension
from contracts.services import suspension as svc
from contracts.services import termination
from core.errors import DomainError
from tests.contracts.conftest import D, active, notice_keys

pytestmark = pytest.mark.django_db


def test_violation_suspension_up_to_one_month(presets):
    """CON-10 (001 art.23-1, 002 art.16④): notified, at most 1 month; longer is refused."""
    contract = active("flow")
    with pytest.raises(DomainError) as err:
        svc.suspension_schedule(contract=contract, reason="스팸", today=D(2026, 2, 1), days=31)
    assert err.value.code == "suspension_too_long" and err.value.rule == "CON-10"
    with pytest.raises(DomainError):
        svc.suspension_schedule(contract=contract, reason=" ", today=D(2026, 2, 1), days=5)
    s = svc.suspension_schedule(contract=contract, reason="스팸", today=D(2026, 2, 1))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    assert (s.starts_on, s.planned_end_on, s.started) == (D(2026, 2, 1), D(2026, 3, 3), True)
    assert notice_keys("contract.suspension_notice", contract=contract)
    assert notice_keys("contract.suspended", contract=contract)
    assert svc.suspensions_due(today=D(2026, 3, 2)) == {"started": 0, "lifted": 0}
    assert svc.suspensions_due(today=D(2026, 3, 3)) == {"started": 0, "lifted": 1}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    assert notice_keys("contract.reinstated", contract=contract)


def test_damoa_notifies_seven_days_before(presets):
    """CON-10 (004 art.11-3): damoa notifies 7 days ahead; the daily job starts the suspension then."""
    contract = active("damoa")
    s = svc.suspension_schedule(contract=contract, reason="약관 위반", today=D(2026, 2, 1), days=10)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and s.starts_on == D(2026, 2, 8) and not s.started
    assert notice_keys("contract.suspension_notice", contract=contract)
    assert svc.suspensions_due(today=D(2026, 2, 7))["started"] == 0
    assert svc.suspensions_due(today=D(2026, 2, 8))["started"] == 1
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    assert svc.suspensions_due(today=D(2026, 2, 18))["lifted"] == 1


def test_lifted_as_soon_as_resolved(presets):
    """CON-10 (002 art.16⑤, 004 art.11-4): staff lift the suspension when the cause is resolved; twice is
    refused."""
    contract = active("dcloud")
    s = svc.suspension_schedule(contract=contract, reason="보안 위반", today=D(2026, 2, 1), days=30)
    svc.suspension_lift(suspension=s, today=D(2026, 2, 4), reason="조치 완료")
    contract.refresh_from_db()
    s.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and s.lifted_on == D(2026, 2, 4)
    with pytest.raises(DomainError) as err:
        svc.suspension_lift(suspension=s, today=D(2026, 2, 5), reason="again")
    assert err.value.code == "already_lifted"


def test_nonpayment_suspension_lasts_until_paid(presets):
    """CON-10 / DUN-1: a suspension for non-payment has no planned end; the daily job never lifts it."""
    contract = active("kgmsg")
    s = svc.suspension_schedule(
        contract=contract, reason="미납", today=D(2026, 2, 1), kind=Suspension.Kind.NONPAYMENT
    )
    assert s.planned_end_on is None
    assert svc.suspensions_due(today=D(2026, 6, 1))["lifted"] == 0
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED


def test_upheld_appeal_extends_the_term(presets):
    """CON-10 (001 art.23-2): an upheld appeal lifts the suspension and extends the term by the suspended
    days; a dismissed one changes nothing."""
    contract = active("flow", cycle="annual")
    period = contract.periods.get()
    assert period.effective_end == D(2027, 1, 4)
    s = svc.suspension_schedule(contract=contract, reason="위반", today=D(2026, 3, 1), days=20)
    svc.appeal_file(suspension=s, text="오해입니다", today=D(2026, 3, 2))
    svc.appeal_decide(suspension=s, upheld=True, today=D(2026, 3, 11))
    period.refresh_from_db()
    s.refresh_from_db()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and s.lifted_on == D(2026, 3, 11)
    assert period.extension_days == 10 and period.effective_end == D(2027, 1, 14)
    assert notice_keys("contract.appeal_decided", contract=contract)

    other = active("flow", cycle="annual")
    s2 = svc.suspension_schedule(contract=other, reason="위반", today=D(2026, 3, 1), days=20)
    svc.appeal_file(suspension=s2, text="이의", today=D(2026, 3, 2))
    svc.appeal_decide(suspension=s2, upheld=False, today=D(2026, 3, 5))
    other.refresh_from_db()
    assert other.status == ContractStatus.SUSPENDED and other.periods.get().extension_days == 0


def test_repeated_violation_allows_operator_termination(presets):
    """CON-10 (000 art.19③-3): termination for repeated violation needs a violation suspension within the
    policy window (365 days); without one it is refused."""
    contract = active("officecore")
    assert svc.repeated_violation(contract, D(2026, 2, 1)) is False
    with pytest.raises(DomainError) as err:
        termination.operator_termination(
            contract=contract, reasons=["repeated_violation"], today=D(2026, 2, 1)
        )
    assert err.value.code == "no_repeated_violation" and err.value.rule == "CON-10"
    s = svc.suspension_schedule(contract=contract, reason="위반", today=D(2026, 2, 1), days=10)
    svc.suspensions_due(today=D(2026, 2, 11))
    s.refresh_from_db()
    assert s.lifted_on == D(2026, 2, 11)
    assert svc.repeated_violation(contract, D(2027, 2, 1)) is True
    assert svc.repeated_violation(contract, D(2027, 2, 2)) is False  # window over
    termination.operator_termination(contract=contract, reasons=["repeated_violation"], today=D(2026, 9, 1))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING


def test_overturned_suspension_does_not_count_as_violation(presets):
    """CON-10: a suspension overturned on appeal is not a previous violation."""
    contract = active("officecore")
    s = svc.suspension_schedule(contract=contract, reason="위반", today=D(2026, 2, 1), days=10)
    svc.appeal_file(suspension=s, text="이의", today=D(2026, 2, 2))
    svc.appeal_decide(suspension=s, upheld=True, today=D(2026, 2, 3))
    assert svc.repeated_violation(contract, D(2026, 5, 1)) is False
