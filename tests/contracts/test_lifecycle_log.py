"""Contracts, terms versions and succession filings move through core.transitions (CON-1, TRM-1, ACC-8):
contracts keep their ContractTransition log, the others write core.StatusTransition."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from accounts.models import SuccessionRequest
from contracts.models import ContractStatus, ContractTransition, Policy
from contracts.policy import policy_publish, policy_retire
from contracts.services import lifecycle, succession
from core.audit import acting_as
from core.errors import DomainError
from core.models import StatusTransition
from core.transitions import history
from tests.contracts.conftest import active, new_customer
from tests.contracts.factories import PolicyFactory
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

D = dt.date


def test_contract_moves_log_to_contract_transition_and_refusals_name_the_number(presets):
    """CON-1: core's helper writes the contract's own ContractTransition row (not the generic log); a refused
    move names the contract number and writes nothing."""
    contract = active("officecore")
    staff = StaffUserFactory()
    before = ContractTransition.objects.filter(contract=contract).count()
    with acting_as(staff), transaction.atomic():
        record = lifecycle.transition(
            lifecycle.lock(contract), ContractStatus.SUSPENDED, today=D(2026, 2, 1), reason="약관 위반"
        )
    assert isinstance(record, ContractTransition)
    assert (record.from_status, record.to_status, record.reason, record.user) == (
        "active",
        "suspended",
        "약관 위반",
        staff,
    )
    assert ContractTransition.objects.filter(contract=contract).count() == before + 1
    assert not StatusTransition.objects.filter(machine="contract").exists()
    with pytest.raises(DomainError) as err, transaction.atomic():
        lifecycle.transition(lifecycle.lock(contract), ContractStatus.APPROVED, today=D(2026, 2, 2))
    assert (err.value.code, err.value.rule) == ("illegal_transition", "CON-1")
    assert contract.number in err.value.message_ko
    contract.refresh_from_db()
    assert contract.status == ContractStatus.SUSPENDED
    assert ContractTransition.objects.filter(contract=contract).count() == before + 1


def test_policy_publish_and_retire_are_logged_and_a_second_retire_is_refused():
    """TRM-1: draft → published → retired, each logged with the actor; retiring again changes nothing."""
    staff = StaffUserFactory()
    policy = PolicyFactory()
    policy_publish(policy=policy, effective_from=D(2026, 3, 1), actor=staff, today=D(2026, 2, 1))
    policy_retire(policy=policy, actor=staff, today=D(2026, 4, 1))
    rows = list(history(policy))
    assert [(r.from_status, r.to_status, r.on_date, r.user) for r in rows] == [
        ("draft", "published", D(2026, 2, 1), staff),
        ("published", "retired", D(2026, 4, 1), staff),
    ]
    with pytest.raises(DomainError) as err:
        policy_retire(policy=policy, actor=staff, today=D(2026, 4, 2))
    assert err.value.code == "policy_not_published"
    policy.refresh_from_db()
    assert policy.status == Policy.Status.RETIRED
    assert len(history(policy)) == 2


def test_succession_rejection_is_logged_once(presets):
    """ACC-8: requested → rejected is logged with the staff user and the reason; deciding again is refused."""
    predecessor, successor = new_customer(), new_customer()
    active("dcloud", customer=predecessor)
    request = succession.succession_file(
        predecessor=predecessor,
        successor=successor,
        kind=SuccessionRequest.Kind.MERGER,
        event_date=D(2026, 3, 2),
        documents=[SimpleUploadedFile("등기.pdf", b"%PDF-1.4")],
        today=D(2026, 3, 20),
        filer=successor.members.first(),
    )
    staff = StaffUserFactory()
    succession.succession_reject(request=request, actor=staff, today=D(2026, 3, 21), reason="서류 부족")
    [row] = history(request)
    assert (row.machine, row.from_status, row.to_status, row.reason, row.user) == (
        "succession_request",
        "requested",
        "rejected",
        "서류 부족",
        staff,
    )
    with pytest.raises(DomainError) as err:
        succession.succession_reject(request=request, actor=staff, today=D(2026, 3, 22), reason="다시")
    assert err.value.code == "succession_decided"
    assert len(history(request)) == 1
