"""CON-1..CON-4: the state machine, application decisions, documents and activation."""

from __future__ import annotations

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from contracts.lifecycle import TRANSITIONS
from contracts.models import (
    ApplicationCheck,
    Contract,
    ContractStatus,
    ContractTransition,
    RejectionReason,
    ScheduleChange,
)
from contracts.services import applications, lifecycle
from core.audit import acting_as
from core.errors import DomainError
from messaging.models import Notice
from tests.contracts.conftest import (
    D,
    active,
    apply,
    approved,
    new_customer,
    notice_keys,
    plan_for,
    upload_all,
)
from tests.factories import CustomerFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

ALL = list(ContractStatus.values)


def _contract_in(status: str) -> Contract:
    plan = plan_for("officecore")
    return Contract.objects.create(
        customer=new_customer(),
        plan=plan,
        policy=plan.policy,
        billing_cycle="monthly",
        applied_on=D(2026, 1, 1),
        requested_start=D(2026, 1, 5),
        status=status,
    )


@pytest.mark.parametrize(("src", "dst"), list(itertools.product(ALL, ALL)))
def test_transition_table(presets, src, dst):
    """CON-1: every allowed transition works and writes a ContractTransition, a notice and an audit history
    row naming the actor; every other one is refused naming the current and the allowed states, and changes
    nothing."""
    contract = _contract_in(src)
    staff = StaffUserFactory()
    history_before = contract.history.count()
    with acting_as(staff):
        if dst in TRANSITIONS[src]:
            with transaction.atomic():
                locked = lifecycle.lock(contract)
                record = lifecycle.transition(locked, dst, today=D(2026, 2, 1), reason="테스트")
            contract.refresh_from_db()
            assert contract.status == dst
            assert (record.from_status, record.to_status, record.on_date) == (src, dst, D(2026, 2, 1))
            assert record.actor == f"user:{staff.username}" and record.user == staff
            assert Notice.objects.filter(dedupe_key=f"contract:{contract.pk}:transition:{record.pk}").exists()
            history = contract.history.order_by("-history_id").first()
            assert contract.history.count() == history_before + 1
            assert history.status == dst and history.history_actor == f"user:{staff.username}"
            assert history.history_user == staff
            return
        with pytest.raises(DomainError) as err:
            locked = lifecycle.lock(contract)
            lifecycle.transition(locked, dst, today=D(2026, 2, 1))
    assert err.value.code == "illegal_transition" and err.value.rule == "CON-1"
    message = err.value.message_ko
    assert str(ContractStatus(src).label) in message
    for nxt in TRANSITIONS[src]:
        assert str(ContractStatus(nxt).label) in message
    contract.refresh_from_db()
    assert contract.status == src
    assert not ContractTransition.objects.filter(contract=contract).exists()
    assert contract.history.count() == history_before
    assert not Notice.objects.filter(dedupe_key__startswith=f"contract:{contract.pk}:transition").exists()


def test_services_refuse_wrong_state_and_change_nothing(presets):
    """CON-1: a service called in the wrong state (approve an active contract, withdraw a terminated one) is
    refused and leaves the contract as it was."""
    contract = active("officecore")
    transitions = contract.transitions.count()
    with pytest.raises(DomainError) as err:
        applications.contract_approve(contract=contract, today=D(2026, 1, 6))
    assert err.value.rule == "CON-1" and "이용 중" in err.value.message_ko
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and contract.transitions.count() == transitions


def test_application_path_writes_transitions_with_actor(presets):
    """CON-1: apply → approve → active, each step recorded with who did it (staff, then the job)."""
    staff = StaffUserFactory()
    contract = apply("officecore")
    upload_all(contract, D(2026, 1, 2))
    with acting_as(staff):
        applications.contract_approve(contract=contract, today=D(2026, 1, 3))
    with acting_as(job="activate_contracts"):
        applications.activate_due(today=D(2026, 1, 5))
    steps = list(contract.transitions.values_list("from_status", "to_status", "actor"))
    assert steps == [
        ("applied", "approved", f"user:{staff.username}"),
        ("approved", "active", "job:activate_contracts"),
    ]
    assert notice_keys("contract.approved", contract=contract)
    assert notice_keys("contract.activated", contract=contract)


# ------------------------------------------------------------------ CON-2


def test_hold_then_reject_with_listed_reasons(presets):
    """CON-2: hold with reasons from the list, then reject with one or more reasons; the applicant is told."""
    contract = apply("flow")
    applications.contract_hold(contract=contract, reasons=["no_capacity", "technical"], today=D(2026, 1, 3))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.HELD and contract.hold_reasons == ["no_capacity", "technical"]
    applications.contract_reject(
        contract=contract, reasons=["false_documents", "credit_delinquent"], today=D(2026, 1, 4), note="확인"
    )
    contract.refresh_from_db()
    assert contract.status == ContractStatus.REJECTED
    assert contract.rejection_reasons == ["false_documents", "credit_delinquent"]
    rejected = Notice.objects.filter(event="contract.rejected", customer=contract.customer).first()
    assert rejected is not None and "허위 서류 제출" in rejected.context["reasons"]


@pytest.mark.parametrize(
    ("service", "reasons"),
    [("contract_hold", ["no_capacity", "bored"]), ("contract_reject", ["spite"]), ("contract_reject", [])],
)
def test_unknown_or_missing_reason_refused(presets, service, reasons):
    """CON-2: a reason that is not on the list (or none at all) is refused and nothing changes."""
    contract = apply("flow")
    with pytest.raises(DomainError) as err:
        getattr(applications, service)(contract=contract, reasons=reasons, today=D(2026, 1, 3))
    assert err.value.rule == "CON-2"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPLIED and not contract.transitions.exists()


def test_hold_reason_is_not_a_rejection_reason(presets):
    """CON-2: the hold list and the rejection list are separate."""
    contract = apply("flow")
    with pytest.raises(DomainError):
        applications.contract_reject(contract=contract, reasons=["no_capacity"], today=D(2026, 1, 3))


def _checks(contract: Contract) -> dict[str, bool]:
    return dict(ApplicationCheck.objects.filter(contract=contract).values_list("code", "passed"))


def test_automatic_checks_pass_for_a_clean_applicant(presets):
    """CON-2: the automatic checks run on application and are stored with their result."""
    contract = apply("damoa")
    checks = _checks(contract)
    assert checks[RejectionReason.UNPAID_OTHER_CONTRACT] is True
    assert checks[RejectionReason.PREVIOUS_FORCED_TERMINATION] is True
    assert checks[RejectionReason.UNDER_AGE] is True
    assert checks[RejectionReason.NOT_A_BUSINESS] is True


def test_check_previous_forced_termination_by_business_number(presets):
    """CON-2: a previous operator termination of the same business number (even as another customer
    record) fails the check."""
    old = active("officecore")
    applications.set_unpaid_lookup(lambda customer, day: 0)
    from contracts.services import termination

    termination.operator_termination(contract=old, reasons=["abuse"], today=D(2026, 2, 1))
    termination.complete_due(today=D(2026, 2, 1))
    old.customer.status = "closed"
    old.customer.save()
    again = CustomerFactory(business_number=old.customer.business_number)
    contract = apply("officecore", customer=again, today=D(2026, 3, 1), start=D(2026, 3, 5))
    check = ApplicationCheck.objects.get(contract=contract, code=RejectionReason.PREVIOUS_FORCED_TERMINATION)
    assert check.passed is False and "1건" in check.detail


def test_check_unpaid_fees_through_the_lookup(presets):
    """CON-2: unpaid fees on another contract of the same customer, from the billing lookup."""
    customer = new_customer()
    applications.set_unpaid_lookup(lambda c, day: 150_000 if c.pk == customer.pk else 0)
    contract = apply("flow", customer=customer)
    check = ApplicationCheck.objects.get(contract=contract, code=RejectionReason.UNPAID_OTHER_CONTRACT)
    assert check.passed is False and "150,000" in check.detail


def test_check_under_age_and_not_a_business(presets):
    """CON-2: an individual applicant under the minimum age, and a non-business on damoa, fail their
    checks (the application itself is refused at the door: ACC-1, ACC-7)."""
    customer = new_customer(kind="individual", business_number="", birth_date=D(2015, 5, 1))
    with pytest.raises(DomainError) as err:
        apply("flow", customer=customer)
    assert err.value.code == "under_age"
    with pytest.raises(DomainError) as err:
        apply("damoa", customer=new_customer(kind="individual", business_number="", birth_date=D(1990, 1, 1)))
    assert err.value.code == "businesses_only"
    # A company that stopped being a business after applying (or a staff re-check) is caught by the checks.
    contract = apply("damoa")
    customer = contract.customer
    customer.kind = "individual"
    customer.birth_date = D(2015, 5, 1)
    customer.save()
    contract.refresh_from_db()
    applications.run_application_checks(contract=contract, today=D(2026, 1, 3))
    checks = _checks(contract)
    assert checks[RejectionReason.NOT_A_BUSINESS] is False
    assert checks[RejectionReason.UNDER_AGE] is False


# ------------------------------------------------------------------ CON-3


def test_approval_refused_until_required_documents_uploaded(presets):
    """CON-3: approval is refused while a required document is missing, naming it; allowed after upload."""
    contract = apply("kgmsg")
    applications.document_upload(
        contract=contract,
        kind="application_form",
        upload=SimpleUploadedFile("a.pdf", b"x"),
        today=D(2026, 1, 2),
    )
    with pytest.raises(DomainError) as err:
        applications.contract_approve(contract=contract, today=D(2026, 1, 3))
    assert err.value.code == "documents_missing" and err.value.rule == "CON-3"
    assert "통신서비스 이용증명원" in err.value.message_ko and "이용 신청서" not in err.value.message_ko
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPLIED
    upload_all(contract, D(2026, 1, 3))
    applications.contract_approve(contract=contract, today=D(2026, 1, 3))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED
    doc = contract.documents.filter(kind="telecom_certificate").first()
    assert doc is not None and len(doc.sha256) == 64


# ------------------------------------------------------------------ CON-4


def test_activation_on_the_date_by_the_job(presets):
    """CON-4: the daily job activates on the scheduled date, not before; billing starts at activation."""
    contract = approved("dcloud", today=D(2026, 1, 2), start=D(2026, 1, 10))
    assert applications.activate_due(today=D(2026, 1, 9)) == {"activated": 0}
    assert applications.activate_due(today=D(2026, 1, 10)) == {"activated": 1}
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and contract.activated_on == D(2026, 1, 10)
    period = contract.periods.get()
    assert period.starts_on == contract.activated_on  # billing (and the term) start at activation


def test_staff_reschedule_requires_reason_and_notifies(presets):
    """CON-4: staff move the date only with a reason; the change is recorded and the customer notified."""
    contract = approved("dcloud", start=D(2026, 1, 10))
    with pytest.raises(DomainError) as err:
        applications.activation_reschedule(
            contract=contract, new_date=D(2026, 1, 20), reason=" ", today=D(2026, 1, 3)
        )
    assert err.value.code == "reason_required"
    assert not ScheduleChange.objects.filter(contract=contract).exists()
    applications.activation_reschedule(
        contract=contract, new_date=D(2026, 1, 20), reason="설비 증설 지연", today=D(2026, 1, 3)
    )
    contract.refresh_from_db()
    assert contract.activation_date == D(2026, 1, 20)
    change = ScheduleChange.objects.get(contract=contract)
    assert (change.old_date, change.new_date, change.by_customer) == (D(2026, 1, 10), D(2026, 1, 20), False)
    notice = Notice.objects.filter(
        event="contract.activation_rescheduled", customer=contract.customer
    ).first()
    assert notice is not None and notice.context["reason"] == "설비 증설 지연"
    assert applications.activate_due(today=D(2026, 1, 10)) == {"activated": 0}
    assert applications.activate_due(today=D(2026, 1, 20)) == {"activated": 1}


def test_customer_postpone_until_three_days_before(presets):
    """CON-4: the customer may postpone until 3 days before the scheduled date; after that it is refused with
    the deadline named."""
    contract = approved("dcloud", start=D(2026, 1, 10))
    applications.activation_postpone(contract=contract, new_date=D(2026, 1, 15), today=D(2026, 1, 7))
    contract.refresh_from_db()
    assert contract.activation_date == D(2026, 1, 15)
    assert ScheduleChange.objects.get(contract=contract).by_customer is True
    with pytest.raises(DomainError) as err:
        applications.activation_postpone(contract=contract, new_date=D(2026, 1, 20), today=D(2026, 1, 13))
    assert err.value.code == "postpone_too_late" and err.value.rule == "CON-4"
    assert "2026-01-12" in err.value.message_ko
    contract.refresh_from_db()
    assert contract.activation_date == D(2026, 1, 15)


def test_late_activation_starts_billing_when_service_starts(presets):
    """CON-4: activated by hand after the scheduled date, billing starts on the real activation day."""
    contract = approved("officecore", start=D(2026, 1, 5))
    applications.contract_activate(contract=contract, today=D(2026, 1, 8))
    contract.refresh_from_db()
    assert contract.activated_on == D(2026, 1, 8)
    assert contract.periods.get().starts_on == D(2026, 1, 8)


def test_activation_before_date_refused(presets):
    """CON-4: activating before the scheduled date is refused."""
    contract = approved("officecore", start=D(2026, 1, 10))
    with pytest.raises(DomainError) as err:
        applications.contract_activate(contract=contract, today=D(2026, 1, 9))
    assert err.value.code == "not_yet"
    contract.refresh_from_db()
    assert contract.status == ContractStatus.APPROVED and not contract.periods.exists()
