"""Reads that more than one billing interface (admin, API, portal) needs, waiting to join
``billing/selectors.py`` (being created in parallel; the lead moves these there when merging).

* :func:`case_open_amount` — a dunning case's open amount as one SQL expression, built on the one
  open-amount definition (``open_amount_subquery``), not a copy of it.
* :func:`ladder_positions` — every listed case's place on its ladder (``dunning.ladder_position``)
  for a whole page of cases in a fixed number of queries (the admin list, the portal and the API).
* :func:`dunning_rows`, :func:`customer_dunning_cases` — a customer's open dunning cases (DUN-2).
* :func:`customer_disputes`, :func:`customer_refunds` — a customer's disputes (BIL-10) and refunds (BIL-11).
* :func:`with_allocations`, :func:`payment_allocations` — where a payment went (BIL-7): the invoices its
  ledger rows were posted to, and what became credit.

Tenant-scoped reads start from the customer, so another customer's row is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery

from accounts.models import Customer
from contracts.effective import EffectivePolicy, effective_policy
from contracts.models import Contract
from core.calendar import default_calendar

from .models import (
    Dispute,
    DunningCase,
    DunningPause,
    DunningStep,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    Payment,
    Refund,
)
from .portal.selectors import open_amount_subquery
from .services.disputes import with_vat
from .services.dunning import LadderPosition, ladder_plan

OPEN_CASE_STATUSES = (DunningCase.Status.OPEN, DunningCase.Status.PAUSED)
CLOSED_CASE_STATUSES = (DunningCase.Status.RESOLVED, DunningCase.Status.CLOSED)


# --------------------------------------------------------------------------- dunning (DUN-2, DUN-3)


def case_open_amount() -> Subquery:
    """Each dunning case's invoice's open amount (Σ its ledger entries) as one correlated subquery."""
    invoice = Invoice.objects.filter(pk=OuterRef("invoice_id")).annotate(open=open_amount_subquery())
    return Subquery(invoice.values("open")[:1], output_field=BigIntegerField())


def _policies(invoices: Sequence[Invoice]) -> dict[int, EffectivePolicy]:
    """``disputes.policy_for_invoice`` for many invoices at once: the effective policy of each invoice's
    first contract line (special terms included, CON-12), else its policy version."""
    first_contract: dict[int, int] = {}
    rows = (
        InvoiceLine.objects.filter(invoice__in=[i.pk for i in invoices], contract__isnull=False)
        .order_by("invoice_id", "contract_id")
        .values_list("invoice_id", "contract_id")
    )
    for invoice_id, contract_id in rows:
        first_contract.setdefault(invoice_id, contract_id)
    contracts = {
        c.pk: c
        for c in Contract.objects.filter(pk__in=set(first_contract.values()))
        .select_related("policy")
        .prefetch_related("special_terms")
    }
    effective = {pk: effective_policy(contract) for pk, contract in contracts.items()}
    return {
        i.pk: effective[first_contract[i.pk]] if i.pk in first_contract else EffectivePolicy(i.policy, {})
        for i in invoices
    }


def _pauses(customer_ids: Iterable[int], today: dt.date) -> dict[int, dt.date]:
    """Each customer's active ladder pause (DUN-3) on ``today``: the latest end date."""
    ends: dict[int, dt.date] = {}
    rows = (
        DunningPause.objects.filter(
            customer_id__in=set(customer_ids), starts_on__lte=today, ends_on__gte=today
        )
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=today))
        .values_list("customer_id", "ends_on")
    )
    for customer_id, ends_on in rows:
        ends[customer_id] = max(ends_on, ends.get(customer_id, ends_on))
    return ends


def _held_won(invoice: Invoice, open_won: int, open_disputes: Iterable[Dispute]) -> int:
    """``disputes.held_won`` from prefetched open disputes: at most the open amount (BIL-10)."""
    claimed = sum(with_vat(invoice, d.amount_won) for d in open_disputes)
    return min(claimed, max(open_won, 0))


def ladder_positions(cases: Iterable[DunningCase], today: dt.date) -> dict[int, LadderPosition]:
    """``dunning.ladder_position(case=...)`` for many cases in a fixed number of queries (keyed by case id).

    The same reading of the ladder as the service (its ``ladder_plan``, the first step not yet executed,
    not before today and not before an active pause ends; nothing next on a resolved/closed case or an
    invoice that is no longer issued), from rows loaded once for the whole page instead of per case.
    Equality with the service is pinned by a test.
    """
    cases = list(cases)
    if not cases:
        return {}
    ids = [c.pk for c in cases]
    loaded = {
        c.pk: c
        for c in DunningCase.objects.filter(pk__in=ids)
        .select_related("invoice", "invoice__policy")
        .prefetch_related(
            Prefetch("steps", queryset=DunningStep.objects.order_by("executed_on", "id"), to_attr="executed"),
            Prefetch(
                "invoice__disputes",
                queryset=Dispute.objects.filter(status=Dispute.Status.OPEN).only("invoice_id", "amount_won"),
                to_attr="open_disputes",
            ),
        )
        .annotate(open_won=case_open_amount())
    }
    invoices = [c.invoice for c in loaded.values()]
    policies = _policies(invoices)
    pauses = _pauses((c.customer_id for c in loaded.values()), today)
    calendar = default_calendar()
    positions: dict[int, LadderPosition] = {}
    for pk, case in loaded.items():
        invoice = case.invoice
        plan = ladder_plan(invoice, policy=policies[invoice.pk], calendar=calendar)
        executed: list[DunningStep] = case.executed  # type: ignore[attr-defined]
        done = {s.index for s in executed}
        closed = case.status in CLOSED_CASE_STATUSES or invoice.status != Invoice.Status.ISSUED
        nxt = None if closed else next((p for p in plan if p.index not in done), None)
        paused_until = pauses.get(case.customer_id)
        next_on = None
        if nxt is not None:
            next_on = max(nxt.on, today)
            if paused_until is not None:
                next_on = max(next_on, paused_until + dt.timedelta(days=1))
        open_won = int(case.open_won or 0)  # type: ignore[attr-defined]
        held = _held_won(invoice, open_won, invoice.open_disputes)  # type: ignore[attr-defined]
        positions[pk] = LadderPosition(
            invoice=invoice,
            case=case,
            overdue_won=max(0, open_won - held) if invoice.status == Invoice.Status.ISSUED else 0,
            current=executed[-1] if executed else None,
            next_step=nxt,
            next_on=next_on,
            paused_until=paused_until,
            plan=plan,
            executed=executed,
        )
    return positions


@dataclass(frozen=True)
class NextStep:
    action: str
    on: dt.date | None


def next_step_of(position: LadderPosition | None) -> NextStep | None:
    """The case's next ladder step and the date it will run (DUN-2); None at the end of the ladder."""
    if position is None or not position.next_action:
        return None
    return NextStep(position.next_action, position.next_on)


@dataclass(frozen=True)
class DunningRow:
    case: DunningCase
    invoice: Invoice
    open_won: int
    overdue_won: int  # the open amount minus what open disputes hold (BIL-10)
    last_step: DunningStep | None
    next: NextStep | None
    paused_until: dt.date | None


def customer_dunning_cases(customer: Customer) -> QuerySet[DunningCase]:
    """The customer's open (or paused) dunning cases, oldest due date first, with the open amount."""
    return (
        DunningCase.objects.filter(customer=customer, status__in=OPEN_CASE_STATUSES)
        .select_related("invoice", "invoice__policy", "customer")
        .prefetch_related("steps")
        .annotate(open_won=case_open_amount())
        .order_by("invoice__due_date", "pk")
    )


def dunning_rows(customer: Customer, today: dt.date) -> list[DunningRow]:
    """The customer's open dunning cases: invoice, amount still owed, the last step and the next (DUN-2)."""
    cases = list(customer_dunning_cases(customer))
    positions = ladder_positions(cases, today)
    rows = []
    for case in cases:
        steps = sorted(case.steps.all(), key=lambda s: s.index)
        position = positions.get(case.pk)
        open_won = int(getattr(case, "open_won", 0) or 0)
        rows.append(
            DunningRow(
                case=case,
                invoice=case.invoice,
                open_won=open_won,
                overdue_won=int(position.overdue_won) if position is not None else open_won,
                last_step=steps[-1] if steps else None,
                next=next_step_of(position),
                paused_until=position.paused_until if position is not None else None,
            )
        )
    return rows


# --------------------------------------------------------------------------- disputes and refunds


def customer_disputes(customer: Customer) -> QuerySet[Dispute]:
    return (
        Dispute.objects.filter(customer=customer)
        .select_related("invoice", "line", "credit_note")
        .order_by("-filed_on", "-pk")
    )


def customer_refunds(customer: Customer) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(customer=customer).select_related("contract").order_by("-requested_on", "-pk")
    )


# --------------------------------------------------------------------------- where a payment went (BIL-7)


@dataclass(frozen=True)
class PaymentAllocation:
    """One ledger posting of a payment: to an invoice, or (``invoice`` None) to the credit balance."""

    invoice: Invoice | None
    amount_won: int


def with_allocations(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Payments with their allocation rows (``payment`` ledger entries) loaded in one more query."""
    rows = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT).select_related("invoice").order_by("id")
    return payments.prefetch_related(Prefetch("ledger_entries", queryset=rows, to_attr="allocation_entries"))


def payment_allocations(payment: Payment) -> list[PaymentAllocation]:
    """Where the payment went: the invoices its ledger rows were posted to (allocation order), then what
    became credit. Empty until it is posted (pending or failed payments). Uses :func:`with_allocations`'
    prefetch when present."""
    entries: Any = getattr(payment, "allocation_entries", None)
    if entries is None:
        entries = (
            LedgerEntry.objects.filter(payment=payment, kind=LedgerEntry.Kind.PAYMENT)
            .select_related("invoice")
            .order_by("id")
        )
    totals: dict[int | None, int] = defaultdict(int)
    invoices: dict[int | None, Invoice | None] = {}
    for entry in entries:
        totals[entry.invoice_id] += -entry.amount_won
        invoices[entry.invoice_id] = entry.invoice
    ordered = sorted(totals, key=lambda pk: pk is None)  # invoices first (posting order), credit last
    return [PaymentAllocation(invoices[pk], totals[pk]) for pk in ordered if totals[pk]]
