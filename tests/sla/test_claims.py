"""SLA claims (SLA-5): pre-filled, refused when early, late or repeated, approved or rejected by staff."""

from __future__ import annotations

import pytest

from billing.models import CreditNote
from core.errors import DomainError
from messaging.models import Notice
from sla.models import SlaClaim, SlaMonth
from sla.services.claims import claim_approve, claim_prefill, claim_reject, claim_submit
from sla.services.credits import month_close_contract
from sla.services.incidents import incident_open
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db

NOV = D(2026, 11, 1)
CLOSE = D(2026, 12, 1)


@pytest.fixture
def flow_month(presets):  # type: ignore[no-untyped-def]
    contract = contract_for("flow")
    for month, fee in ((D(2026, 9, 1), 1_200_000), (D(2026, 10, 1), 1_000_000), (NOV, 800_000)):
        fee_invoice(contract, month, fee)
    incident_open(
        service="flow",
        title="접속 장애",
        detected_at=T(2026, 11, 5, 10),
        ended_at=T(2026, 11, 5, 20, 48),
        today=CLOSE,
        now=T(2026, 12, 1, 9),
    )
    return contract


def test_claim_for_a_month_not_yet_closed_is_refused(flow_month):
    """SLA-5: November cannot be claimed before it closes."""
    with pytest.raises(DomainError) as info:
        claim_submit(contract=flow_month, month=NOV, today=D(2026, 11, 28))
    assert (info.value.field, info.value.code, info.value.rule) == ("month", "month_not_closed", "SLA-5")
    assert not SlaClaim.objects.exists()


def test_claim_form_is_prefilled_with_amount_and_basis(flow_month):
    """SLA-5: the portal's form shows the computed amount, its basis and the due date (flow: 30 days)."""
    month_close_contract(contract=flow_month, month=NOV, today=CLOSE)
    draft = claim_prefill(contract=flow_month, month=NOV)
    assert draft.amount_won == 250_000
    assert "1,000,000" in draft.basis and "25" in draft.basis
    assert draft.due_on == D(2026, 12, 30)


def test_late_claim_is_refused_with_the_date_it_was_due(flow_month):
    """SLA-5 (001 art.25-4): after the 30 days the claim is refused, naming the due date."""
    month_close_contract(contract=flow_month, month=NOV, today=CLOSE)
    with pytest.raises(DomainError) as info:
        claim_submit(contract=flow_month, month=NOV, today=D(2026, 12, 31))
    assert info.value.code == "claim_late" and "2026-12-30" in info.value.message_ko
    assert not SlaClaim.objects.exists()


def test_second_claim_for_the_same_month_is_refused(flow_month):
    """SLA-5: a month already claimed cannot be claimed again (and the database says so too)."""
    month_close_contract(contract=flow_month, month=NOV, today=CLOSE)
    claim_submit(contract=flow_month, month=NOV, today=D(2026, 12, 2))
    with pytest.raises(DomainError) as info:
        claim_submit(contract=flow_month, month=NOV, today=D(2026, 12, 3))
    assert (info.value.field, info.value.code) == ("month", "already_claimed")
    assert SlaClaim.objects.count() == 1


def test_approved_claim_pays_the_credit_once(flow_month):
    """SLA-4/5: approval issues the credit note; the month is credited."""
    record, _ = month_close_contract(contract=flow_month, month=NOV, today=CLOSE)
    claim = claim_submit(contract=flow_month, month=NOV, today=D(2026, 12, 2))
    claim_approve(claim=claim, today=D(2026, 12, 3), reason="확인")
    record.refresh_from_db()
    assert record.status == SlaMonth.Status.CREDITED
    assert CreditNote.objects.filter(reason=CreditNote.Reason.SLA_CREDIT).count() == 1
    with pytest.raises(DomainError):
        claim_approve(claim=claim, today=D(2026, 12, 3))
    assert CreditNote.objects.filter(reason=CreditNote.Reason.SLA_CREDIT).count() == 1


def test_rejected_claim_has_a_reason_and_the_customer_is_told(flow_month):
    """SLA-5: staff reject with a reason; nothing is credited; a new claim may follow within the window."""
    month_close_contract(contract=flow_month, month=NOV, today=CLOSE)
    claim = claim_submit(contract=flow_month, month=NOV, today=D(2026, 12, 2))
    claim_reject(claim=claim, today=D(2026, 12, 3), reason="장애 상세가 없습니다")
    claim.refresh_from_db()
    assert claim.status == SlaClaim.Status.REJECTED and claim.decision_reason == "장애 상세가 없습니다"
    assert not CreditNote.objects.exists()
    assert Notice.objects.filter(customer=flow_month.customer, event="sla.claim.rejected").exists()
    claim_submit(contract=flow_month, month=NOV, today=D(2026, 12, 4), details="상세 첨부")


def test_policy_without_claims_refuses_a_claim(presets):
    """SLA-5: officecore credits at the close; there is nothing to claim."""
    contract = contract_for("officecore")
    month_close_contract(contract=contract, month=NOV, today=CLOSE)
    with pytest.raises(DomainError) as info:
        claim_submit(contract=contract, month=NOV, today=D(2026, 12, 2))
    assert info.value.code == "claim_not_required"
