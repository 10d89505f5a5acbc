"""CON-7: the termination preview reads the contract as stored now, so it shows what the request records."""

from __future__ import annotations

import pytest

from billing.services.settlement import settlement_compute
from contracts.models import Contract, Plan
from contracts.services import changes, termination
from tests.contracts.conftest import D, active

pytestmark = pytest.mark.django_db


def test_preview_with_a_stale_object_shows_the_stored_settlement(presets):
    """CON-7, BIL-14: an object loaded before a plan change still previews the settlement the request
    stores (the preview re-reads the contract), not one computed from the old plan."""
    stale = active("dcloud")
    assert stale.plan.code == "dcloud-vm-standard"
    changes.plan_change(
        contract=Contract.objects.get(pk=stale.pk),
        plan=Plan.objects.get(code="dcloud-vm-performance"),
        today=D(2026, 3, 1),
    )
    effective = D(2026, 3, 8)
    shown = termination.termination_preview(contract=stale, effective_on=effective, today=D(2026, 3, 1))
    termination.termination_request(
        contract=Contract.objects.get(pk=stale.pk), effective_on=effective, today=D(2026, 3, 1)
    )
    stored = Contract.objects.get(pk=stale.pk).termination_settlement
    assert shown.total_won == stored["total_won"]
    assert [(line.kind, line.amount_won) for line in shown.lines] == [
        (line["kind"], line["amount_won"]) for line in stored["lines"]
    ]
    # What the stale object alone would have shown (the bug): the old plan's fee.
    assert settlement_compute(stale, effective, False).total_won != stored["total_won"]
