"""CON-11 changes, CON-12 special terms, CON-13 entitlement, ACC-5 seats."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from contracts.effective import effective_policy
from contracts.entitlement import entitlement, is_entitled
from contracts.models import ContractChange, ContractStatus, Plan
from contracts.models.contract import SeatAssignment
from contracts.presets import load_presets
from contracts.services import changes, renewal, seats, suspension, termination
from core.errors import DomainError
from messaging.defaults import ensure_default_templates
from tests.contracts.conftest import D, active, new_customer
from tests.factories import MemberFactory

# ------------------------------------------------------------------ CON-11


@pytest.mark.django_db
def test_change_refused_during_running_annual_term(presets):
    """CON-11 (001 art.18-2): no plan or cycle change during a running annual term; allowed for monthly."""
    contract = active("flow", cycle="annual")
    monthly_plan = Plan.objects.get(code="flow-business-monthly")
    with pytest.raises(DomainError) as err:
        changes.plan_change(contract=contract, today=D(2026, 6, 1), billing_cycle="monthly")
    assert err.value.code == "annual_term_running" and "2027-01-04" in err.value.message_ko
    with pytest.raises(DomainError):
        changes.plan_change(contract=contract, today=D(2026, 6, 1), plan=monthly_plan)
    contract.refresh_from_db()
    assert (
        contract.billing_cycle == "annual" and not ContractChange.objects.filter(contract=contract).exists()
    )

    monthly = active("flow")
    changes.plan_change(contract=monthly, today=D(2026, 2, 1), billing_cycle="annual")
    monthly.refresh_from_db()
    assert monthly.billing_cycle == "annual"
    assert ContractChange.objects.get(contract=monthly).kind == ContractChange.Kind.CYCLE


@pytest.mark.django_db
def test_paid_to_guest_refused(presets):
    """CON-11 (001 art.18-4): a paid contract cannot move to the free guest plan."""
    contract = active("flow")
    guest = Plan.objects.create(
        code="flow-guest", name="플로우 게스트", policy=contract.policy, is_free=True, allows_guest=True
    )
    with pytest.raises(DomainError) as err:
        changes.plan_change(contract=contract, today=D(2026, 2, 1), plan=guest)
    assert err.value.code == "paid_to_guest" and err.value.rule == "CON-11"
    contract.refresh_from_db()
    assert contract.plan.code == "flow-business-monthly"


@pytest.mark.django_db
def test_seat_additions_recorded_for_billing(presets):
    """CON-11 / BIL-5: seat additions (and reductions) are recorded as ContractChange rows billing reads."""
    contract = active("flow", cycle="annual")
    change = changes.seats_change(contract=contract, seats=13, today=D(2026, 8, 5))
    assert (change.kind, change.quantity, change.old_value, change.new_value) == (
        "seats_added",
        3,
        "10",
        "13",
    )
    assert change.effective_on == D(2026, 8, 5) and change.billed is False
    contract.refresh_from_db()
    assert contract.seats == 13
    with pytest.raises(DomainError):
        changes.seats_change(contract=contract, seats=13, today=D(2026, 8, 6))


# ------------------------------------------------------------------ CON-12


@pytest.mark.django_db
def test_special_term_overrides_renewal_notice(presets):
    """CON-12: a special term overrides renewal_notice_days for this contract; the renewal rule uses it and
    the source label says it comes from the special term."""
    contract = active("kgmsg")
    term = changes.special_term_set(
        contract=contract,
        parameter="renewal_notice_days",
        value=60,
        note="60일 전 통지",
        signed_on=D(2026, 1, 5),
    )
    source = effective_policy(contract).source("renewal_notice_days")
    assert source.value == 60 and source.special_term == term
    assert "특약" in source.label and "2026-01-05" in source.label
    assert effective_policy(contract).source("renewal_months").label == "kgmsg v1"
    with pytest.raises(DomainError) as err:
        renewal.renewal_stop(contract=contract, today=D(2026, 11, 6))
    assert "2026-11-05" in err.value.message_ko
    renewal.renewal_stop(contract=contract, today=D(2026, 11, 5))


@pytest.mark.django_db
def test_special_term_values_checked_by_policy_rules(presets):
    """CON-12: unknown parameters and values the policy's own rules refuse are refused, nothing recorded;
    a newer term replaces the older one; decimals keep their type."""
    contract = active("dcloud")
    with pytest.raises(DomainError) as err:
        changes.special_term_set(
            contract=contract, parameter="free_lunch", value=1, note="x", signed_on=D(2026, 1, 5)
        )
    assert err.value.code == "unknown_parameter"
    with pytest.raises(DomainError) as err:
        changes.special_term_set(
            contract=contract,
            parameter="termination_penalty_percent",
            value="150",
            note="x",
            signed_on=D(2026, 1, 5),
        )
    assert err.value.code == "invalid_value"
    with pytest.raises(DomainError):  # a rule across fields: the default term may not go below the minimum
        changes.special_term_set(
            contract=contract, parameter="default_term_months", value=6, note="x", signed_on=D(2026, 1, 5)
        )
    with pytest.raises(DomainError):
        changes.special_term_set(
            contract=contract, parameter="renewal_notice_days", value=-1, note="x", signed_on=D(2026, 1, 5)
        )
    assert not contract.special_terms.exists()
    changes.special_term_set(
        contract=contract,
        parameter="termination_penalty_percent",
        value="40",
        note="위약금 40%",
        signed_on=D(2026, 1, 5),
    )
    changes.special_term_set(
        contract=contract,
        parameter="termination_penalty_percent",
        value="30.5",
        note="위약금 30.5%",
        signed_on=D(2026, 2, 1),
    )
    from decimal import Decimal

    assert effective_policy(contract).termination_penalty_percent == Decimal("30.5")
    assert contract.special_terms.filter(active=True).count() == 1


# ------------------------------------------------------------------ CON-13


@pytest.mark.django_db
def test_entitlement(presets):
    """CON-13: active → yes; suspended → no; a restricted feature → no for that feature only; terminating →
    yes until the effective date, no after; no contract → no."""
    assert not is_entitled(new_customer(), today=D(2026, 2, 1))
    contract = active("dcloud")
    customer = contract.customer
    assert is_entitled(customer, today=D(2026, 2, 1))
    assert not is_entitled(customer, today=D(2026, 1, 4))  # before activation there is no active contract
    contract.restrictions = ["api"]
    contract.save(update_fields=["restrictions"])
    assert not entitlement(customer, "api", today=D(2026, 2, 1)).allowed
    assert entitlement(customer, "service", today=D(2026, 2, 1)).allowed
    contract.restrictions = []
    contract.save(update_fields=["restrictions"])
    s = suspension.suspension_schedule(contract=contract, reason="위반", today=D(2026, 2, 1), days=5)
    result = entitlement(customer, today=D(2026, 2, 2))
    assert not result.allowed and result.contract == contract and "정지" in result.reason
    suspension.suspension_lift(suspension=s, today=D(2026, 2, 3), reason="해결")
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 10), today=D(2026, 3, 1))
    assert is_entitled(customer, today=D(2026, 3, 10))
    assert not is_entitled(customer, today=D(2026, 3, 11))
    termination.complete_due(today=D(2026, 3, 10))
    assert not is_entitled(customer, today=D(2026, 3, 10))


# ------------------------------------------------------------------ ACC-5 seats


@pytest.mark.django_db
def test_seats_within_quota_and_reassign(presets):
    """ACC-5 (000 art.12②③): assign up to N seats; beyond is refused clearly; a leaving member's seat is
    reassigned; members of other customers are refused; seat count cannot go below seats in use."""
    contract = active("officecore", seats=2)
    customer = contract.customer
    a, b, c = (MemberFactory(customer=customer) for _ in range(3))
    seats.seat_assign(contract=contract, member=a, today=D(2026, 1, 6))
    seats.seat_assign(contract=contract, member=b, today=D(2026, 1, 6))
    with pytest.raises(DomainError) as err:
        seats.seat_assign(contract=contract, member=c, today=D(2026, 1, 6))
    assert err.value.code == "seats_exhausted" and err.value.rule == "ACC-5" and "2개" in err.value.message_ko
    with pytest.raises(DomainError) as err:
        seats.seat_assign(contract=contract, member=a, today=D(2026, 1, 6))
    assert err.value.code == "seat_already_assigned"
    with pytest.raises(DomainError) as err:
        seats.seat_assign(contract=contract, member=MemberFactory(), today=D(2026, 1, 6))
    assert err.value.code == "wrong_customer"
    with pytest.raises(DomainError) as err:
        changes.seats_change(contract=contract, seats=1, today=D(2026, 1, 7))
    assert err.value.code == "seats_in_use"
    moved = seats.seat_reassign(contract=contract, from_member=b, to_member=c, today=D(2026, 1, 10))
    assert moved.member == c
    assert seats.seats_in_use(contract) == 2
    released = SeatAssignment.objects.get(contract=contract, member=b)
    assert released.released_on == D(2026, 1, 10)
    seats.seat_release(contract=contract, member=a, today=D(2026, 1, 11))
    seats.seat_assign(contract=contract, member=b, today=D(2026, 1, 12))  # b again, a new row
    assert SeatAssignment.objects.filter(contract=contract, member=b).count() == 2


@pytest.mark.django_db
def test_usage_billed_plan_has_no_seat_ceiling(presets):
    """ACC-5 / BIL-5: flow monthly bills peak users, so seats beyond the contracted number are allowed;
    flow annual bills contracted seats and keeps the ceiling."""
    monthly = active("flow", seats=1)
    for member in (MemberFactory(customer=monthly.customer) for _ in range(3)):
        seats.seat_assign(contract=monthly, member=member, today=D(2026, 1, 6))
    assert seats.seats_in_use(monthly) == 3
    annual = active("flow", cycle="annual", seats=1)
    seats.seat_assign(contract=annual, member=MemberFactory(customer=annual.customer), today=D(2026, 1, 6))
    with pytest.raises(DomainError):
        seats.seat_assign(
            contract=annual, member=MemberFactory(customer=annual.customer), today=D(2026, 1, 6)
        )


@pytest.mark.django_db
def test_seat_state_refused(presets):
    """ACC-5 / CON-1: no seats on a terminated contract."""
    contract = active("officecore")
    termination.termination_request(contract=contract, effective_on=D(2026, 2, 1), today=D(2026, 2, 1))
    termination.complete_due(today=D(2026, 2, 1))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    with pytest.raises(DomainError):
        seats.seat_assign(
            contract=contract, member=MemberFactory(customer=contract.customer), today=D(2026, 2, 2)
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_assignments_never_exceed_seats():
    """ACC-5: two members assigned the last seat at the same moment: exactly one gets it (row lock)."""
    load_presets()
    ensure_default_templates()
    contract = active("officecore", seats=1)
    members = [MemberFactory(customer=contract.customer) for _ in range(2)]
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker(member):  # type: ignore[no-untyped-def]
        try:
            barrier.wait()
            seats.seat_assign(contract=contract, member=member, today=D(2026, 1, 6))
            results.append("ok")
        except DomainError as exc:
            results.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "seats_exhausted"]
    assert SeatAssignment.objects.filter(contract=contract, released_on__isnull=True).count() == 1
