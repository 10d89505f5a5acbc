"""BIL-10: dispute amounts and windows at their edges (mutation testing of billing/services/disputes.py,
docs/testing.md). Every figure is worked out by hand in the test."""

from __future__ import annotations

import pytest

from billing.models import Dispute, InvoiceLine
from billing.services.disputes import dispute_decide, dispute_file
from core.errors import DomainError
from tests.billing.payment_factories import CustomerFactory, make_invoice

from .conftest import D

pytestmark = pytest.mark.django_db


def officecore_invoice(presets, supply=300_000):  # type: ignore[no-untyped-def]
    """A VAT-exclusive officecore invoice: 300,000 supply + 30,000 VAT = 330,000, issued 2026-06-05."""
    return make_invoice(
        CustomerFactory(),
        supply_won=supply,
        issue_date=D(2026, 6, 5),
        due_date=D(2026, 6, 19),
        policy=presets["officecore"],
    )


def base_line(invoice):  # type: ignore[no-untyped-def]
    """The invoice's one line: the 300,000 base fee."""
    return InvoiceLine.objects.create(
        invoice=invoice, kind=InvoiceLine.Kind.BASE_FEE, description="기본료", amount_won=300_000
    )


def test_an_upheld_whole_invoice_dispute_is_taken_off_the_invoice_once(presets):
    """BIL-10: after a whole-invoice dispute of 100,000 (supply) is upheld with a 110,000 credit note
    (100,000 + 10,000 VAT), 300,000 − 100,000 = 200,000 of supply is still disputable. The credit note
    already lowers the creditable amount; the decided dispute must not be subtracted a second time
    (that left only 100,000)."""
    invoice = officecore_invoice(presets)
    first = dispute_file(invoice=invoice, amount_won=100_000, reason="중복 청구", today=D(2026, 6, 10))
    dispute_decide(dispute=first, upheld_amount_won=110_000, answer="중복 확인", today=D(2026, 6, 12))
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, amount_won=200_001, reason="나머지", today=D(2026, 6, 13))
    assert refused.value.code == "dispute_exceeds_amount" and refused.value.field == "amount_won"
    assert "200000원" in refused.value.message_ko.replace(",", "")
    second = dispute_file(invoice=invoice, amount_won=200_000, reason="나머지", today=D(2026, 6, 13))
    assert (second.amount_won, second.status) == (200_000, Dispute.Status.OPEN)


def test_an_upheld_line_dispute_leaves_the_rest_of_the_invoice_disputable(presets):
    """BIL-10: a line dispute upheld in part (44,000 with VAT = 40,000 supply) lowers what the whole
    invoice can still be disputed for by 40,000 once: 300,000 − 40,000 = 260,000."""
    invoice = officecore_invoice(presets)
    line = base_line(invoice)
    on_line = dispute_file(invoice=invoice, line=line, amount_won=50_000, reason="요율", today=D(2026, 6, 10))
    dispute_decide(dispute=on_line, upheld_amount_won=44_000, answer="일부 인정", today=D(2026, 6, 12))
    with pytest.raises(DomainError):
        dispute_file(invoice=invoice, amount_won=260_001, reason="전부", today=D(2026, 6, 13))
    whole = dispute_file(invoice=invoice, amount_won=260_000, reason="전부", today=D(2026, 6, 13))
    assert whole.amount_won == 260_000


def test_open_disputes_on_the_invoice_and_its_lines_limit_a_whole_invoice_dispute(presets):
    """BIL-10: open disputes still claim their amounts: 300,000 − 70,000 (open, on the line) − 30,000
    (open, whole invoice) = 200,000 left."""
    invoice = officecore_invoice(presets)
    line = base_line(invoice)
    dispute_file(invoice=invoice, line=line, amount_won=70_000, reason="a", today=D(2026, 6, 10))
    dispute_file(invoice=invoice, amount_won=30_000, reason="b", today=D(2026, 6, 10))
    with pytest.raises(DomainError) as refused:
        dispute_file(invoice=invoice, amount_won=200_001, reason="c", today=D(2026, 6, 10))
    assert "200000원" in refused.value.message_ko.replace(",", "")
    assert dispute_file(invoice=invoice, amount_won=200_000, reason="c", today=D(2026, 6, 10)).amount_won == 200_000
