"""BIL-5: daily seat snapshots (idempotent, one per contract and day) and the period's peak."""

from __future__ import annotations

import pytest

from billing.models import SeatSnapshot
from billing.services.seats import peak_registered, snapshot_seats
from contracts.services import seats

from .conftest import D, add_members, make_contract


@pytest.mark.django_db
def test_snapshot_is_idempotent_and_counts_open_assignments(presets):
    """BIL-5: one snapshot per live contract and day; registered = open seat assignments at the end of the
    day, contracted = the contract's seats; a second run writes nothing."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=5)
    make_contract("dcloud-vm-standard", start=D(2026, 2, 1), activate=False)  # approved only: not live
    members = add_members(contract.customer, 3)
    for m in members:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 1, 5))
    seats.seat_release(contract=contract, member=members[0], today=D(2026, 1, 6))
    assert snapshot_seats(today=D(2026, 1, 5))["snapshots"] == 1
    assert snapshot_seats(today=D(2026, 1, 5)) == {"contracts": 1, "snapshots": 0, "already": 1}
    snapshot_seats(today=D(2026, 1, 6))
    snaps = list(SeatSnapshot.objects.order_by("day").values_list("day", "registered", "contracted"))
    assert snaps == [(D(2026, 1, 5), 3, 5), (D(2026, 1, 6), 2, 5)]
    assert peak_registered(contract, D(2026, 1, 1), D(2026, 1, 31)) == 3
    assert peak_registered(contract, D(2026, 1, 6), D(2026, 1, 31)) == 2


@pytest.mark.django_db
def test_no_snapshot_before_activation(presets):
    """CON-4, BIL-5: a contract is snapshotted from its activation day."""
    make_contract("officecore-standard-monthly", start=D(2026, 1, 5))
    assert snapshot_seats(today=D(2026, 1, 4))["contracts"] == 0
