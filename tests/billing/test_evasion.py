"""Fee evasion charged at twice the evaded amount (BIL-20; 001 art.19-8)."""

from __future__ import annotations

import re

import pytest

from billing.models import Invoice, InvoiceLine, LedgerEntry
from billing.services import ledger
from billing.services.evasion import evasion_charge
from core.errors import DomainError
from tests.billing.conftest import D, make_contract

pytestmark = pytest.mark.django_db


def test_flow_evasion_charged_twice_as_an_adjustment_invoice(presets):
    """BIL-20 (001 art.19-8): flow charges 2 × the evaded amount, on an adjustment invoice with a gapless
    number, one ``evasion`` line, VAT per policy (flow prices include VAT) and a keyed ledger entry."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    invoice = evasion_charge(
        contract=contract,
        evaded_amount_won=100_000,
        reason="타인 계정 공유로 요금 면탈",
        today=D(2026, 11, 20),
        actor=None,
    )
    assert invoice.kind == Invoice.Kind.ADJUSTMENT and invoice.status == Invoice.Status.ISSUED
    assert re.fullmatch(r"INV-2026-\d{6}", invoice.number)
    assert invoice.vat_inclusive is True
    assert (invoice.supply_won, invoice.vat_won, invoice.total_won) == (181_819, 18_181, 200_000)
    [line] = invoice.lines.all()
    assert line.kind == InvoiceLine.Kind.EVASION and line.contract_id == contract.pk
    assert line.amount_won == 200_000 and line.unit_price_won == 100_000 and line.quantity == 2
    assert "001 art.19-8" in line.policy_basis and "타인 계정" in line.description
    entry = LedgerEntry.objects.get(invoice=invoice)
    assert entry.kind == LedgerEntry.Kind.INVOICE and entry.key == f"invoice:{invoice.pk}"
    assert ledger.invoice_open_amount(invoice) == 200_000
    assert invoice.due_date >= invoice.issue_date


def test_numbers_stay_gapless_and_vat_added_where_prices_exclude_it(presets):
    """BIL-20, BIL-2: the multiplier is the policy's (dcloud 1) and VAT is added on top (002 art.32⑤);
    two charges take consecutive numbers."""
    contract = make_contract("dcloud-vm-standard", start=D(2026, 1, 5))
    first = evasion_charge(contract=contract, evaded_amount_won=100_000, reason="면탈", today=D(2026, 11, 2))
    second = evasion_charge(contract=contract, evaded_amount_won=50_000, reason="면탈", today=D(2026, 11, 2))
    assert (first.supply_won, first.vat_won, first.total_won) == (100_000, 10_000, 110_000)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_same_idempotency_key_issues_once(presets):
    """BIL-20: a double-submitted staff form issues one invoice."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    kwargs = dict(contract=contract, evaded_amount_won=10_000, reason="면탈", today=D(2026, 11, 2))
    one = evasion_charge(**kwargs, idempotency_key="form-1")
    two = evasion_charge(**kwargs, idempotency_key="form-1")
    assert one.pk == two.pk
    assert Invoice.objects.filter(kind=Invoice.Kind.ADJUSTMENT).count() == 1


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        (100_000, "", "reason"),
        (100_000, "   ", "reason"),
        (0, "면탈", "evaded_amount_won"),
        (-5, "면탈", "evaded_amount_won"),
    ],
)
def test_refused_without_reason_or_positive_amount(presets, amount, reason, field):
    """BIL-20: a staff action with a reason, for a positive amount; the refusal names the field."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    with pytest.raises(DomainError) as info:
        evasion_charge(contract=contract, evaded_amount_won=amount, reason=reason, today=D(2026, 11, 2))
    assert info.value.field == field and info.value.rule == "BIL-20"
    assert not Invoice.objects.filter(kind=Invoice.Kind.ADJUSTMENT).exists()
