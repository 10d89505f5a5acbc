"""BIL-5 at its edges (issue 9 mutation testing): the snapshot job on the activation day, for a contract
without seats, across batches; the peak from snapshots (they are the record) and from assignment dates
when seats come and go inside the period. Expected counts are worked out by hand in the docstrings."""

from __future__ import annotations

import pytest

from billing.models import SeatSnapshot
from billing.services import seats as seat_snapshots
from billing.services.seats import peak_registered, registered_on, snapshot_seats
from contracts.models import Contract, SeatAssignment
from contracts.models.contract import ContractStatus
from contracts.services import seats

from .conftest import D, add_members, make_contract

pytestmark = pytest.mark.django_db


def test_snapshot_on_the_activation_day_and_of_a_contract_without_seats(presets):
    """BIL-5: a contract activated 2026-01-05 is snapshotted that same day; with nobody assigned its
    registered count is 0 (contracted 4)."""
    contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=4)
    assert snapshot_seats(today=D(2026, 1, 5)) == {"contracts": 1, "snapshots": 1, "already": 0}
    assert list(SeatSnapshot.objects.values_list("contract_id", "day", "registered", "contracted")) == [
        (contract.pk, D(2026, 1, 5), 0, 4)
    ]


def test_only_live_contracts_are_snapshotted(presets):
    """BIL-5: active, suspended and terminating contracts are snapshotted; a terminated one (set up
    directly, as the termination run leaves it) is not, though it was activated before the day."""
    live = {}
    for status in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.TERMINATING):
        contract = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=2)
        Contract.objects.filter(pk=contract.pk).update(status=status)
        live[contract.pk] = status
    ended = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=2)
    Contract.objects.filter(pk=ended.pk).update(
        status=ContractStatus.TERMINATED, terminated_on=D(2026, 1, 6), termination_effective_on=D(2026, 1, 6)
    )
    assert snapshot_seats(today=D(2026, 1, 10)) == {"contracts": 3, "snapshots": 3, "already": 0}
    assert set(SeatSnapshot.objects.values_list("contract_id", flat=True)) == set(live)


def test_snapshots_in_batches_count_created_and_existing_over_all_batches(presets, monkeypatch):
    """BIL-5: with batches of 2, three live contracts are two batches; the first run creates 3, the
    second finds all 3 (not only the last batch's 1). Registered counts per contract: 2, 0, 1."""
    monkeypatch.setattr(seat_snapshots, "BATCH", 2)
    first = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=5)
    second = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=3)
    third = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=2)
    for m in add_members(first.customer, 2):
        seats.seat_assign(contract=first, member=m, today=D(2026, 1, 5))
    seats.seat_assign(contract=third, member=add_members(third.customer, 1)[0], today=D(2026, 1, 5))
    assert snapshot_seats(today=D(2026, 1, 6)) == {"contracts": 3, "snapshots": 3, "already": 0}
    assert snapshot_seats(today=D(2026, 1, 6)) == {"contracts": 3, "snapshots": 0, "already": 3}
    rows = SeatSnapshot.objects.order_by("contract_id").values_list("contract_id", "registered", "contracted")
    assert list(rows) == [(first.pk, 2, 5), (second.pk, 0, 3), (third.pk, 1, 2)]


def test_registered_on_counts_per_contract_at_the_end_of_the_day(presets):
    """BIL-5: on 2026-01-10 contract A has 2 open (assigned 01-05 and 01-10; one released 01-10 is
    gone), contract B 1; contract C none, so it is absent. Asked for A alone, B is not counted."""
    a = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=5)
    b = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=5)
    c = make_contract("officecore-standard-monthly", start=D(2026, 1, 5), seats=5)
    m1, m2, m3 = add_members(a.customer, 3)
    seats.seat_assign(contract=a, member=m1, today=D(2026, 1, 5))
    seats.seat_assign(contract=a, member=m2, today=D(2026, 1, 5))
    seats.seat_release(contract=a, member=m2, today=D(2026, 1, 10))
    seats.seat_assign(contract=a, member=m3, today=D(2026, 1, 10))
    seats.seat_assign(contract=b, member=add_members(b.customer, 1)[0], today=D(2026, 1, 11))
    seats.seat_assign(contract=b, member=add_members(b.customer, 1)[0], today=D(2026, 1, 9))
    assert registered_on([a.pk, b.pk, c.pk], D(2026, 1, 10)) == {a.pk: 2, b.pk: 1}
    assert registered_on([a.pk], D(2026, 1, 10)) == {a.pk: 2}  # only the contracts asked for


def test_peak_is_read_from_the_snapshots_between_both_ends(presets):
    """BIL-5: the snapshots are the record: days 11-01 … 11-05 registered 4, 9, 6, 7, 5 (written by the
    job; no assignments behind them). Peak of 11-01..11-05 = 9; of 11-03..11-04 = 7 (both ends count:
    11-03 = 6 and 11-04 = 7); of 11-04..11-04 = 7; of 11-05..11-30 = 5; 11-02 alone = 9."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    for day, registered in zip(range(1, 6), [4, 9, 6, 7, 5], strict=True):
        SeatSnapshot.objects.create(
            contract=contract, day=D(2026, 11, day), registered=registered, contracted=10
        )
    other = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    SeatSnapshot.objects.create(contract=other, day=D(2026, 11, 3), registered=50, contracted=50)
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 5)) == 9
    assert peak_registered(contract, D(2026, 11, 3), D(2026, 11, 4)) == 7
    assert peak_registered(contract, D(2026, 11, 4), D(2026, 11, 4)) == 7
    assert peak_registered(contract, D(2026, 11, 5), D(2026, 11, 30)) == 5
    assert peak_registered(contract, D(2026, 11, 2), D(2026, 11, 2)) == 9


def test_peak_from_assignments_with_a_release_before_a_later_addition(presets):
    """BIL-5: without snapshots. Three users from 10-01; a fourth assigned 11-05; one of the first three
    released 11-10. End-of-day counts in November: 11-01..11-04 = 3, 11-05..11-09 = 4, from 11-10 = 3 →
    peak 4. From 11-10..11-30 alone: 3."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    members = add_members(contract.customer, 4)
    for m in members[:3]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 10, 1))
    seats.seat_assign(contract=contract, member=members[3], today=D(2026, 11, 5))
    seats.seat_release(contract=contract, member=members[0], today=D(2026, 11, 10))
    assert not SeatSnapshot.objects.exists()
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 4
    assert peak_registered(contract, D(2026, 11, 10), D(2026, 11, 30)) == 3


def test_peak_from_assignments_walks_the_days_in_order(presets):
    """BIL-5: without snapshots. One user from 10-01, released 11-25; a second assigned 11-10 (its row
    comes after the first, whose release is later). End-of-day counts: 11-01..11-09 = 1,
    11-10..11-24 = 2, from 11-25 = 1 → November's peak 2."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    first, second = add_members(contract.customer, 2)
    seats.seat_assign(contract=contract, member=first, today=D(2026, 10, 1))
    seats.seat_release(contract=contract, member=first, today=D(2026, 11, 25))
    seats.seat_assign(contract=contract, member=second, today=D(2026, 11, 10))
    rows = SeatAssignment.objects.filter(contract=contract).values_list("assigned_on", "released_on")
    assert list(rows) == [(D(2026, 10, 1), D(2026, 11, 25)), (D(2026, 11, 10), None)]
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 2


def test_peak_from_assignments_counts_several_additions_on_one_day(presets):
    """BIL-5: without snapshots. Nobody before; three users assigned on 11-12 and one more on 11-20
    → peak 4; a seat assigned and released on 11-15 is never registered at a day's end."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    members = add_members(contract.customer, 5)
    for m in members[:3]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 11, 12))
    seats.seat_assign(contract=contract, member=members[3], today=D(2026, 11, 15))
    seats.seat_release(contract=contract, member=members[3], today=D(2026, 11, 15))
    seats.seat_assign(contract=contract, member=members[4], today=D(2026, 11, 20))
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 4
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 19)) == 3


def test_peak_from_assignments_a_release_makes_room_for_a_later_addition(presets):
    """BIL-5: without snapshots. Three users from 10-01; one released 11-10; a new one assigned 11-20.
    End-of-day counts: 3, then 2 from 11-10, then 3 from 11-20 → November's peak 3, not 4. Another
    contract's five seats are not counted."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    members = add_members(contract.customer, 4)
    for m in members[:3]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 10, 1))
    seats.seat_release(contract=contract, member=members[0], today=D(2026, 11, 10))
    seats.seat_assign(contract=contract, member=members[3], today=D(2026, 11, 20))
    other = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    for m in add_members(other.customer, 5):
        seats.seat_assign(contract=other, member=m, today=D(2026, 11, 15))
    assert not SeatSnapshot.objects.exists()
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 3
    assert peak_registered(other, D(2026, 11, 1), D(2026, 11, 30)) == 5


def test_peak_from_assignments_a_seat_moved_on_the_last_day_is_one_seat(presets):
    """BIL-5: without snapshots. Three users from 11-01; on 11-30 (the period's last day) one seat is
    moved to another member (released and assigned the same day) → 3 at every day's end → peak 3."""
    contract = make_contract("flow-business-monthly", start=D(2026, 10, 1))
    members = add_members(contract.customer, 4)
    for m in members[:3]:
        seats.seat_assign(contract=contract, member=m, today=D(2026, 11, 1))
    moved_on = D(2026, 11, 30)
    seats.seat_reassign(contract=contract, from_member=members[0], to_member=members[3], today=moved_on)
    assert peak_registered(contract, D(2026, 11, 1), D(2026, 11, 30)) == 3
