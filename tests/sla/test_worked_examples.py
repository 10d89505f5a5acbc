"""SPEC §12 items 7–10, number for number, through the month close (SLA-3, SLA-4, SLA-5)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import CreditNote
from sla.models import SlaMonth
from sla.services.claims import claim_approve, claim_submit
from sla.services.credits import month_close_contract
from sla.services.incidents import incident_open
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db

NOV = D(2026, 11, 1)
CLOSE = D(2026, 12, 1)
NOW = T(2026, 12, 1, 9)


def outage(contract, start, end, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("title", "장애")
    return incident_open(
        service=contract.policy.code, detected_at=start, ended_at=end, today=CLOSE, now=NOW, **kw
    )


def test_officecore_worked_example_7(presets):
    """SLA-3, SLA-4 (SPEC §12-7): 180 min counts, 90 min (under 2 h) does not, 70 + 80 min with a 40-minute
    gap join into 190 min → 370 min of 43,200 → 99.1435% → 10% of 500,000 = 50,000 won."""
    contract = contract_for("officecore")
    fee_invoice(contract, NOV, 500_000)
    outage(contract, T(2026, 11, 3, 10), T(2026, 11, 3, 13), title="메일 장애")
    outage(contract, T(2026, 11, 10, 10), T(2026, 11, 10, 11, 30), title="짧은 장애")
    outage(contract, T(2026, 11, 20, 10), T(2026, 11, 20, 11, 10), title="첫 장애")
    outage(contract, T(2026, 11, 20, 11, 50), T(2026, 11, 20, 13, 10), title="재발")
    record, created = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert created
    assert record.service_minutes == 43_200
    assert record.counted_minutes == Decimal("370.00")
    assert record.availability == Decimal("99.1435")
    assert record.credit_won == 50_000
    assert record.status == SlaMonth.Status.CREDITED
    outages = record.breakdown["outages"]
    assert [o["counted"] for o in outages] == [True, False, True]
    assert [o["minutes"] for o in outages] == [180, 90, 190]
    note = CreditNote.objects.get(sla_document__sla_month=record)
    assert note.reason == CreditNote.Reason.SLA_CREDIT
    assert note.supply_won == 50_000  # officecore prices exclude VAT; the note adds it
    assert note.total_won == 55_000


def test_flow_worked_example_8(presets):
    """SLA-4, SLA-5 (SPEC §12-8): 98.5% → 25% of the 3-month average (1,200,000 / 1,000,000 / 800,000 →
    1,000,000) = 250,000, under the 800,000 paid this month; flow pays it on a claim."""
    contract = contract_for("flow")
    fee_invoice(contract, D(2026, 9, 1), 1_200_000)
    fee_invoice(contract, D(2026, 10, 1), 1_000_000)
    fee_invoice(contract, NOV, 800_000)
    outage(contract, T(2026, 11, 5, 10), T(2026, 11, 5, 20, 48))  # 648 min = 1.5 % of 43,200
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.availability == Decimal("98.5000")
    assert record.credit_won == 250_000
    assert record.status == SlaMonth.Status.AWAITING_CLAIM
    assert not CreditNote.objects.filter(sla_document__sla_month=record).exists()
    claim = claim_submit(contract=contract, month=NOV, today=D(2026, 12, 3))
    assert claim.amount_won == 250_000 and "1,000,000" in claim.basis
    claim_approve(claim=claim, today=D(2026, 12, 4))
    note = CreditNote.objects.get(sla_document__sla_month=record)
    assert note.total_won == 250_000  # flow prices include VAT


def test_flow_credit_capped_at_what_was_paid_this_month(presets):
    """SLA-4 (001 art.25-7): 50% of a 1,000,000 average exceeds the 300,000 billed this month → 300,000."""
    contract = contract_for("flow")
    fee_invoice(contract, D(2026, 9, 1), 1_500_000)
    fee_invoice(contract, D(2026, 10, 1), 1_200_000)
    fee_invoice(contract, NOV, 300_000)
    outage(contract, T(2026, 11, 2, 0), T(2026, 11, 5, 0))  # 3 days: < 95 %
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 300_000


def test_dcloud_worked_example_9(presets):
    """SLA-3, SLA-4 (SPEC §12-9): reported 11-10 09:00, restored 11-13 09:00, counted from 09:30 → 4,290 min;
    95% allows 2,160, crossed 11-11 21:30 → days 11, 12, 13 × 30,000 = 90,000 won."""
    contract = contract_for("dcloud")
    fee_invoice(contract, NOV, 900_000)
    incident_open(
        service="dcloud",
        title="VM 장애",
        reported_at=T(2026, 11, 10, 9),
        ended_at=T(2026, 11, 13, 9),
        today=CLOSE,
        now=NOW,
    )
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.counted_minutes == Decimal("4290.00")
    assert record.credit_won == 90_000
    assert "2026-11-11 21:30" in record.credit_basis
    assert "11-11, 11-12, 11-13" in record.credit_basis
    assert record.breakdown["outages"][0]["counted_from"].startswith("2026-11-10T09:30")
    assert record.status == SlaMonth.Status.AWAITING_CLAIM
    assert record.claim_due_on == D(2027, 2, 28)  # 3 months from the close (002 art.37②)


def test_damoa_worked_example_10(presets):
    """SLA-3, SLA-4 (SPEC §12-10): reported 11-03, back 11-06 → days 3, 4, 5 → 3 × 10,000 × 3 = 90,000 won,
    credited at the close without a claim."""
    contract = contract_for("damoa")
    fee_invoice(contract, NOV, 300_000)
    incident_open(
        service="damoa",
        title="CRM 전체 장애",
        reported_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 6, 10),
        today=CLOSE,
        now=NOW,
    )
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 90_000
    assert record.status == SlaMonth.Status.CREDITED
    assert CreditNote.objects.get(sla_document__sla_month=record).supply_won == 90_000


def test_damoa_credit_capped_at_one_month_fee(presets):
    """SLA-4 (004 art.27-4): 3 × 10,000 × 20 days = 600,000 is capped at the 300,000 month fee."""
    contract = contract_for("damoa")
    fee_invoice(contract, NOV, 300_000)
    incident_open(
        service="damoa",
        title="장기 장애",
        reported_at=T(2026, 11, 3, 10),
        ended_at=T(2026, 11, 23, 10),
        today=CLOSE,
        now=NOW,
    )
    record, _ = month_close_contract(contract=contract, month=NOV, today=CLOSE)
    assert record.credit_won == 300_000
    assert "300,000" in record.credit_basis
