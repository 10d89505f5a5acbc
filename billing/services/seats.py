"""Daily seat snapshots and the month's peak (BIL-5; 001 art.19-3).

``registered`` is the number of the contract's seat assignments open at the end of the day
(``contracts.SeatAssignment``: assigned on or before the day, not released by it); ``contracted`` is the
contract's seat count. One row per contract and day (unique): running the job twice, or on two workers
at once, writes each row once.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from contracts.models import Contract
from contracts.models.contract import LIVE, SeatAssignment

from ..models import SeatSnapshot
from . import reads

BATCH = 500


def registered_on(contract_ids: list[int], day: dt.date) -> dict[int, int]:
    """Open seat assignments per contract at the end of ``day``."""
    rows = (
        SeatAssignment.objects.filter(contract_id__in=contract_ids, assigned_on__lte=day)
        .filter(Q(released_on__isnull=True) | Q(released_on__gt=day))
        .values("contract_id")
        .annotate(n=Count("id"))
    )
    return {r["contract_id"]: r["n"] for r in rows}


def snapshot_seats(*, today: dt.date) -> dict[str, int]:
    """Job ``snapshot_seats`` (daily 23:55): one ``SeatSnapshot`` per live contract for ``today``."""
    live = (
        Contract.objects.filter(status__in=LIVE, activated_on__lte=today)
        .order_by("pk")
        .values_list("pk", "seats")
    )
    created = existing = 0
    rows = list(live)
    for i in range(0, len(rows), BATCH):
        chunk = rows[i : i + BATCH]
        ids = [pk for pk, _ in chunk]
        counts = registered_on(ids, today)
        done = set(
            SeatSnapshot.objects.filter(contract_id__in=ids, day=today).values_list("contract_id", flat=True)
        )
        new = [
            SeatSnapshot(contract_id=pk, day=today, registered=counts.get(pk, 0), contracted=seats)
            for pk, seats in chunk
            if pk not in done
        ]
        existing += len(done)
        if new:
            # A concurrent worker may insert the same (contract, day): the unique constraint keeps one.
            SeatSnapshot.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
    return {"contracts": len(rows), "snapshots": created, "already": existing}


def _peak_from_assignments(contract: Contract, start: dt.date, end: dt.date) -> int:
    """Peak of concurrently open assignments over ``start..end`` from the assignment dates."""
    events: dict[dt.date, int] = {}
    base = 0
    rows = SeatAssignment.objects.filter(contract=contract, assigned_on__lte=end).filter(
        Q(released_on__isnull=True) | Q(released_on__gt=start)
    )
    for assigned_on, released_on in rows.values_list("assigned_on", "released_on"):
        if assigned_on <= start:
            base += 1
        else:
            events[assigned_on] = events.get(assigned_on, 0) + 1
        if released_on is not None and released_on <= end:
            # released at the end of ``released_on``: not counted from that day's snapshot on
            day = max(released_on, start)
            events[day] = events.get(day, 0) - 1
    peak = current = base
    # additions of a day count before releases of the same day only if the release is of another seat:
    # order by day, additions first (a snapshot is taken at the end of the day, so a seat assigned and
    # released the same day is not counted).
    for day in sorted(events):
        current += events[day]
        peak = max(peak, current)
    return max(peak, 0)


def peak_registered(contract: Contract, start: dt.date, end: dt.date) -> int:
    """BIL-5: the highest daily registered count in ``start..end`` (a peak of 12 for one day is 12).

    From the daily snapshots (the batch's when the invoice run attached them, issue 16); when a range
    has none (the job was not running), from the assignment dates, which give the same numbers.
    """
    snapshots = reads.for_contract(contract, start, end).snapshots(contract.pk)
    if snapshots is None:  # the batch did not load this contract's snapshots
        snapshots = reads.ChargeReads([contract], start, end).snapshots(contract.pk) or []
    in_range = [registered for day, registered in snapshots if start <= day <= end]
    if in_range:
        return max(in_range)
    return _peak_from_assignments(contract, start, end)
