"""What the charge functions read, loaded for a whole batch of contracts at once (issue 16).

The invoice run computes the charges of hundreds of contracts per batch. Instead of one query per
contract for its usage, its seat snapshots, its customer's delivered messages and (for a suspended
contract) the lines already billed, :class:`ChargeReads` loads each of these once for the batch over a
date window, lazily (a run with nothing to issue loads none of them), and answers the per-contract
questions from memory. The charge functions (``usage.usage_totals``, ``seats.peak_registered``,
``charges.issued_suspension_groups``) always read through a :class:`ChargeReads`: the one attached to
the contract by the run (:func:`attach`) when it covers the dates asked, else a one-contract instance
loaded on the spot. So each rule has one implementation, whichever way the rows arrived.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Sum

from contracts.effective import effective_policy
from contracts.models import Contract, SeatBasis
from core.related import rows_of
from messaging.selectors import delivered_counts_by_day

from ..models import Invoice, InvoiceLine, SeatSnapshot, UsageRecord

ATTR = "_charge_reads"

# (invoice_id, kind, amount_won, service_start, service_end, policy_basis) of one issued line
IssuedLine = tuple[int, str, int, dt.date | None, dt.date | None, str]


class ChargeReads:
    """Per-batch reads over ``start..end`` (inclusive) for ``contracts``; each kind loaded on first use."""

    def __init__(self, contracts: Sequence[Contract], start: dt.date, end: dt.date) -> None:
        self.contracts = list(contracts)
        self.start = start
        self.end = end
        self._usage: dict[int, list[tuple[dt.date, str, int]]] | None = None
        self._messages: dict[int, list[tuple[dt.date, str, int]]] | None = None
        self._message_customers: set[int] = set()
        self._snapshots: dict[int, list[tuple[dt.date, int]]] | None = None
        self._snapshot_contracts: set[int] = set()
        self._issued: dict[int, list[IssuedLine]] | None = None
        self._issued_contracts: set[int] = set()

    def covers(self, start: dt.date, end: dt.date) -> bool:
        return self.start <= start and end <= self.end

    # ----------------------------------------------------------------- usage (BIL-6)

    def usage(self, contract_id: int) -> list[tuple[dt.date, str, int]]:
        """(day, unit, quantity) of the contract's recorded usage in the window."""
        if self._usage is None:
            self._usage = defaultdict(list)
            rows = (
                UsageRecord.objects.filter(
                    contract_id__in=[c.pk for c in self.contracts], day__gte=self.start, day__lte=self.end
                )
                .values_list("contract_id", "day", "unit")
                .annotate(total=Sum("quantity"))
                .order_by()
            )
            for cid, day, unit, total in rows:
                self._usage[cid].append((day, unit, int(total or 0)))
        return self._usage.get(contract_id, [])

    def delivered(self, contract: Contract) -> list[tuple[dt.date, str, int]] | None:
        """(day, unit, count) of the messages delivered for the contract's customer in the window (MSG-6),
        or None when the batch did not load this customer (the caller loads it alone)."""
        if self._messages is None:
            self._message_customers = {c.customer_id for c in self.contracts if c.plan.usage_unit_prices}
            self._messages = delivered_counts_by_day(
                customer_ids=sorted(self._message_customers), start=self.start, end=self.end
            )
        if contract.customer_id not in self._message_customers:
            return None
        return self._messages.get(contract.customer_id, [])

    # ----------------------------------------------------------------- seat snapshots (BIL-5)

    def snapshots(self, contract_id: int) -> list[tuple[dt.date, int]] | None:
        """(day, registered) of the contract's daily snapshots in the window, or None when the batch did
        not load this contract (only contracts billed on peak users are loaded for a batch)."""
        if self._snapshots is None:
            self._snapshots = defaultdict(list)
            if len(self.contracts) == 1:
                self._snapshot_contracts = {self.contracts[0].pk}
            else:
                self._snapshot_contracts = {
                    c.pk
                    for c in self.contracts
                    if c.plan.monthly_price_per_seat_won
                    and effective_policy(c).monthly_seat_basis == SeatBasis.PEAK_USERS
                }
            if self._snapshot_contracts:
                rows = SeatSnapshot.objects.filter(
                    contract_id__in=sorted(self._snapshot_contracts), day__gte=self.start, day__lte=self.end
                ).values_list("contract_id", "day", "registered")
                for cid, day, registered in rows:
                    self._snapshots[cid].append((day, registered))
        if contract_id not in self._snapshot_contracts:
            return None
        return self._snapshots.get(contract_id, [])

    # ----------------------------------------------------------------- issued lines (BIL-16)

    def issued_lines(self, contract_id: int) -> list[IssuedLine] | None:
        """The contract's lines on its issued (not void) regular invoices, in invoice and position order,
        or None when the batch did not load this contract (only contracts with a started suspension)."""
        if self._issued is None:
            self._issued = defaultdict(list)
            if len(self.contracts) == 1:
                self._issued_contracts = {self.contracts[0].pk}
            else:
                self._issued_contracts = {
                    c.pk
                    for c in self.contracts
                    if c.termination_effective_on is None
                    and any(s.started for s in rows_of(c, "suspensions"))
                }
            if self._issued_contracts:
                rows = (
                    InvoiceLine.objects.filter(
                        contract_id__in=sorted(self._issued_contracts), invoice__kind=Invoice.Kind.REGULAR
                    )
                    .exclude(invoice__status=Invoice.Status.VOID)
                    .order_by("invoice_id", "position")
                    .values_list(
                        "contract_id",
                        "invoice_id",
                        "kind",
                        "amount_won",
                        "service_start",
                        "service_end",
                        "policy_basis",
                    )
                )
                for cid, *row in rows:
                    self._issued[cid].append(tuple(row))  # type: ignore[arg-type]
        if contract_id not in self._issued_contracts:
            return None
        return self._issued.get(contract_id, [])


def attach(contracts: Iterable[Contract], start: dt.date, end: dt.date) -> ChargeReads:
    """One :class:`ChargeReads` for the batch, attached to each contract (like a prefetch)."""
    contracts = list(contracts)
    reads = ChargeReads(contracts, start, end)
    for contract in contracts:
        setattr(contract, ATTR, reads)
    return reads


def for_contract(contract: Contract, start: dt.date, end: dt.date) -> ChargeReads:
    """The batch's reads when attached and covering ``start..end``, else the contract's own."""
    reads: ChargeReads | None = getattr(contract, ATTR, None)
    if reads is not None and reads.covers(start, end):
        return reads
    return ChargeReads([contract], start, end)


def issued_lines(contract: Contract) -> list[IssuedLine]:
    """The contract's issued regular lines (batch reads when attached, else one query)."""
    reads: ChargeReads | None = getattr(contract, ATTR, None)
    if reads is not None:
        rows = reads.issued_lines(contract.pk)
        if rows is not None:
            return rows
    own = ChargeReads([contract], dt.date.min, dt.date.max).issued_lines(contract.pk)
    return own or []
