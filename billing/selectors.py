"""Billing reads that more than one interface needs (the admin, the API, the portal, jobs and commands).

Tenant scoping: every customer-facing read starts from the member's customer, so another customer's
invoice is a 404. Writes and rules stay in ``billing.services``; this module only reads, and no
billing service imports it.

Derived amounts have ONE definition each, in :mod:`billing.services.facts`, exposed here:

* open — :func:`invoice_open_amount` (one invoice) and :func:`open_amount_subquery` (lists); both sum
  ``facts.invoice_entries``, and ``tests/billing/test_selectors.py`` checks them equal;
* held (open disputes, VAT included) — :func:`held_won`;
* dunnable (open − held: what dunning acts on, BIL-10) — :func:`dunnable_won`;
* overdue (dunnable once past due) — :func:`invoice_overdue_won`;
* unpaid (a customer's overdue amounts: CON-2, CON-7) — :func:`unpaid_won`.

Where a payment went (BIL-7): :func:`payment_allocations`, from the ledger entries the payment posted —
also for a payment made without an invoice (applied oldest first) or matched on a customer's total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce, TruncMonth

from accounts.models import Customer
from contracts.effective import EffectivePolicy, effective_policy
from contracts.models import Contract, DunningAction, Policy
from contracts.selectors import CitedPart, value_citations
from core.calendar import add_months, default_calendar, month_start
from core.related import attach_related

from .models import (
    CreditNote,
    Dispute,
    DunningCase,
    DunningPause,
    DunningStep,
    Invoice,
    InvoiceLine,
    LedgerEntry,
    Payment,
    PaymentMethod,
    Refund,
)
from .services.dunning_reads import (
    LadderPosition,
    PlannedStep,
    ladder_plan,
    ladder_position,
    next_step_after,
)
from .services.facts import (
    card_refundable,
    customer_open_won,
    dunnable_won,
    held_won,
    invoice_open_amount,
    invoice_overdue_won,
    open_amount_subquery,
    open_invoices,
    policy_for_invoice,
    unpaid_won,
    with_vat,
)

# The one definition of each amount lives in ``services.facts``; interfaces read it from here.
__all__ = [
    "card_refundable",
    "customer_open_won",
    "dunnable_won",
    "held_won",
    "invoice_open_amount",
    "invoice_overdue_won",
    "ladder_position",
    "open_amount_subquery",
    "open_invoices",
    "unpaid_won",
]

# --------------------------------------------------------------------------- invoices


def late_charges_subquery() -> Coalesce:
    """Each invoice's late-charge lines (BIL-9: billed on it, outside supply/VAT/total) as one subquery."""
    per_invoice = (
        InvoiceLine.objects.filter(invoice=OuterRef("pk"), kind=InvoiceLine.Kind.LATE_CHARGE)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount_won"))
        .values("total")
    )
    return Coalesce(Subquery(per_invoice, output_field=BigIntegerField()), Value(0))


def with_amounts(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """Annotate what a person is shown about an invoice's money: ``open_won`` (the ledger's open amount),
    ``late_won`` (late charges billed on it) and ``due_won`` = ``total_won`` + ``late_won``, the amount
    due (``late_charges.invoice_amount_due_won``; the ledger open amount before payments)."""
    return invoices.annotate(open_won=open_amount_subquery(), late_won=late_charges_subquery()).annotate(
        due_won=F("total_won") + F("late_won")
    )


def customer_invoices(customer: Customer) -> QuerySet[Invoice]:
    """The customer's invoices, newest first, each with ``open_won``, ``late_won`` and ``due_won``."""
    return with_amounts(Invoice.objects.filter(customer=customer)).order_by("-issue_date", "-number")


def customer_invoice_detail(customer: Customer) -> QuerySet[Invoice]:
    return customer_invoices(customer).select_related("customer", "policy").prefetch_related("lines")


def customer_credit_notes(customer: Customer) -> QuerySet[CreditNote]:
    return (
        CreditNote.objects.filter(customer=customer).select_related("invoice").order_by("-issued_on", "-id")
    )


def customer_payment_methods(customer: Customer) -> QuerySet[PaymentMethod]:
    return PaymentMethod.objects.filter(customer=customer, active=True).order_by("-is_default", "kind", "id")


def open_summary(customer: Customer) -> tuple[int, dt.date | None]:
    """Total still owed on issued invoices and the earliest due date among them (the home card)."""
    summary = open_amounts(customer)
    return summary.open_won, summary.next_due


@dataclass(frozen=True)
class OpenAmounts:
    """The customer's issued invoices that still have something open: the open amount (ledger), what
    they asked for (total + late charges = amount due), the late charges in it, the next due date."""

    open_won: int
    total_won: int
    late_won: int
    due_won: int
    next_due: dt.date | None  # the earliest due date among them, past ones included (the API's field)
    count: int
    upcoming_due: dt.date | None = None  # the earliest due date on or after ``today`` (never a past date)


def open_amounts(customer: Customer, today: dt.date | None = None) -> OpenAmounts:
    """What the customer still owes on issued invoices. With ``today``, ``upcoming_due`` is the next due
    date still ahead: a past due date is overdue (:func:`customer_overdue`), never "the next due date"."""
    rows = (
        customer_invoices(customer)
        .filter(status=Invoice.Status.ISSUED)
        .values_list("open_won", "total_won", "late_won", "due_date")  # type: ignore[misc]
    )
    open_rows = [(int(o), int(t), int(late), due) for o, t, late, due in rows if o > 0]
    return OpenAmounts(
        open_won=sum(r[0] for r in open_rows),
        total_won=sum(r[1] for r in open_rows),
        late_won=sum(r[2] for r in open_rows),
        due_won=sum(r[1] + r[2] for r in open_rows),
        next_due=min((r[3] for r in open_rows), default=None),
        count=len(open_rows),
        upcoming_due=(
            min((r[3] for r in open_rows if r[3] >= today), default=None) if today is not None else None
        ),
    )


# --------------------------------------------------------------------------- payments (BIL-7)


def _allocation_entries() -> QuerySet[LedgerEntry]:
    return (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYMENT)
        .select_related("invoice")
        .order_by("invoice__due_date", "invoice_id", "pk")
    )


def customer_payments(customer: Customer) -> QuerySet[Payment]:
    """The customer's payments, newest first, with what each went to prefetched
    (:func:`payment_allocations` reads it without another query)."""
    return with_allocations(
        Payment.objects.filter(customer=customer).select_related("invoice", "payment_method")
    ).order_by("-received_on", "-id")


@dataclass(frozen=True)
class PaymentAllocation:
    """One part of a payment: to an invoice, or (``invoice`` None) to the credit balance."""

    invoice: Invoice | None
    amount_won: int


@dataclass(frozen=True)
class PaymentAllocations:
    """What one payment went to: invoices (oldest first) with the amount each took, and the rest that
    became credit balance (BIL-11, BIL-17). Empty for a payment not (yet) in the ledger."""

    to_invoices: list[PaymentAllocation]
    unallocated_won: int

    @property
    def allocated_won(self) -> int:
        return sum(a.amount_won for a in self.to_invoices)

    @property
    def invoices(self) -> list[Invoice]:
        return [a.invoice for a in self.to_invoices if a.invoice is not None]

    @property
    def rows(self) -> list[PaymentAllocation]:
        """The invoices in allocation order, then what became credit (for display)."""
        credit = [PaymentAllocation(None, self.unallocated_won)] if self.unallocated_won else []
        return [*self.to_invoices, *credit]


def with_allocations(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """Payments with their allocation rows prefetched (:func:`payment_allocations` reads them)."""
    return payments.prefetch_related(
        Prefetch("ledger_entries", queryset=_allocation_entries(), to_attr="allocation_entries")
    )


def payment_allocations(payment: Payment) -> PaymentAllocations:
    """Which invoices a payment went to and how much each took, from the entries it posted (BIL-7).

    ``payment.invoice`` names only the invoice a payment was made for; a payment without one (a bank
    deposit matched on the customer's total, an overpayment, a CMS charge of several invoices) is
    applied oldest first, and this read is where it shows."""
    entries = getattr(payment, "allocation_entries", None)
    if entries is None:
        entries = list(_allocation_entries().filter(payment=payment))
    by_invoice: dict[int, PaymentAllocation] = {}
    unallocated = 0
    for entry in entries:
        if entry.invoice is None:
            unallocated += -entry.amount_won
            continue
        previous = by_invoice.get(entry.invoice.pk)
        amount = -entry.amount_won + (previous.amount_won if previous else 0)
        by_invoice[entry.invoice.pk] = PaymentAllocation(entry.invoice, amount)
    return PaymentAllocations(list(by_invoice.values()), unallocated)


# --------------------------------------------------------------------------- dunning, disputes, refunds

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
    read = Contract.objects.filter(pk__in=set(first_contract.values())).prefetch_related("special_terms")
    contracts = {c.pk: c for c in read}
    attach_related([*invoices, *contracts.values()], "policy")  # each policy once (a wide row)
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

    The cases given are used as they are (the admin list's page, already read with their invoices): their
    steps and open disputes are prefetched onto them, the open amounts read as plain values, and each
    policy read once (a policy row is wide; reading it again per case cost half the dunning list's page,
    issue 16).
    """
    cases = list(cases)
    if not cases:
        return {}
    ids = [c.pk for c in cases]
    prefetch_related_objects(
        cases,
        "invoice",
        Prefetch("steps", queryset=DunningStep.objects.order_by("executed_on", "id"), to_attr="executed"),
        Prefetch(
            "invoice__disputes",
            queryset=Dispute.objects.filter(status=Dispute.Status.OPEN).only("invoice_id", "amount_won"),
            to_attr="open_disputes",
        ),
    )
    open_amounts = dict(
        DunningCase.objects.filter(pk__in=ids)
        .annotate(open_won=case_open_amount())
        .values_list("pk", "open_won")
    )
    loaded = {c.pk: c for c in cases}
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
        open_won = int(open_amounts.get(pk) or 0)
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


def action_label(action: str) -> str:
    """A dunning action as people read it ("이용 정지"), never its code ("suspend")."""
    return str(DunningAction(action).label) if action in DunningAction.values else action


@dataclass(frozen=True)
class NextStep:
    action: str
    on: dt.date | None

    @property
    def label(self) -> str:
        return action_label(self.action)


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

    @property
    def last_label(self) -> str:
        return action_label(self.last_step.action) if self.last_step is not None else ""


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


# The policy values that set a dispute's window and its answer date (BIL-10), cited on the dispute page.
DISPUTE_WINDOW_FIELDS = (
    "dispute_window_days",
    "dispute_window_months",
    "dispute_no_limit_if_operator_erred",
    "dispute_months_from_knowing",
    "dispute_months_from_cause",
    "dispute_answer_days",
)


def dispute_rule_citations(customer: Customer) -> tuple[CitedPart, ...]:
    """The articles the customer's dispute window and answer period come from (TRM-1, BIL-10): every
    terms version one of the customer's invoices was issued under, oldest first."""
    policies = Policy.objects.filter(
        pk__in=Invoice.objects.filter(customer=customer).values("policy_id")
    ).order_by("code", "version")
    out: list[CitedPart] = []
    for policy in policies:
        out += value_citations(EffectivePolicy(policy, {}), DISPUTE_WINDOW_FIELDS)
    return tuple(out)


def dispute_answer_citations(dispute: Dispute) -> tuple[CitedPart, ...]:
    """The article the dispute's answer date comes from, under the invoice's rules (TRM-1, BIL-10)."""
    return value_citations(policy_for_invoice(dispute.invoice), ["dispute_answer_days"])


def customer_refunds(customer: Customer) -> QuerySet[Refund]:
    return (
        Refund.objects.filter(customer=customer).select_related("contract").order_by("-requested_on", "-pk")
    )


# --------------------------------------------------------------------------- overdue state (DUN-1, DUN-2)


@dataclass(frozen=True)
class OverdueState:
    """Where an overdue invoice stands as people are shown it: how many days past its due date, the
    amount the ladder acts on (open minus what open disputes hold, BIL-10), and the next dunning step
    with its date (DUN-2; paused by an active pause, DUN-3). The steps and their days come from the
    invoice's Policy ladder (``dunning_reads.ladder_plan``), never from numbers here."""

    invoice_id: int
    due_date: dt.date
    days_overdue: int
    overdue_won: int
    next_step: PlannedStep | None
    next_on: dt.date | None
    paused_until: dt.date | None

    @property
    def next_label(self) -> str:
        return self.next_step.label if self.next_step is not None else ""


def overdue_states(invoices: Iterable[Invoice | int], today: dt.date) -> dict[int, OverdueState]:
    """The overdue state of each given invoice that is overdue on ``today`` (keyed by invoice id);
    invoices not overdue (paid, not yet due, voided, wholly held by disputes) are absent.

    A fixed number of queries for any number of invoices (a page of the admin list, the portal list):
    the invoices with their open amount, open disputes and dunning cases with executed steps, their
    policies (:func:`_policies`) and the customers' pauses. The next step is the ladder's first step not
    executed on the latest case (``dunning_reads.next_step_after``), not before today nor before a pause
    ends — the reading ``ladder_position`` gives one invoice at a time (pinned by a test).
    """
    ids = {i if isinstance(i, int) else i.pk for i in invoices}
    if not ids:
        return {}
    rows = list(
        Invoice.objects.filter(pk__in=ids, status=Invoice.Status.ISSUED, due_date__lt=today)
        .select_related("policy")
        .annotate(open_won=open_amount_subquery())
        .filter(open_won__gt=0)
        .prefetch_related(
            Prefetch(
                "disputes",
                queryset=Dispute.objects.filter(status=Dispute.Status.OPEN).only("invoice_id", "amount_won"),
                to_attr="open_disputes",
            ),
            Prefetch(
                "dunning_cases",
                queryset=DunningCase.objects.order_by("-pk").prefetch_related(
                    Prefetch("steps", queryset=DunningStep.objects.order_by("executed_on", "id"))
                ),
                to_attr="cases_newest_first",
            ),
        )
    )
    if not rows:
        return {}
    policies = _policies(rows)
    pauses = _pauses((i.customer_id for i in rows), today)
    calendar = default_calendar()
    states: dict[int, OverdueState] = {}
    for invoice in rows:
        open_won = int(invoice.open_won)  # type: ignore[attr-defined]
        held_by: list[Dispute] = getattr(invoice, "open_disputes", [])
        overdue_won = max(0, open_won - _held_won(invoice, open_won, held_by))
        if overdue_won <= 0:
            continue
        cases: list[DunningCase] = getattr(invoice, "cases_newest_first", [])
        case = cases[0] if cases else None
        done = {s.index for s in case.steps.all()} if case is not None else set()
        closed = case is not None and case.status in CLOSED_CASE_STATUSES
        plan = ladder_plan(invoice, policy=policies[invoice.pk], calendar=calendar)
        nxt = None if closed else next_step_after(None, plan, done)
        paused_until = pauses.get(invoice.customer_id)
        next_on = None
        if nxt is not None:
            next_on = max(nxt.on, today)
            if paused_until is not None:
                next_on = max(next_on, paused_until + dt.timedelta(days=1))
        states[invoice.pk] = OverdueState(
            invoice_id=invoice.pk,
            due_date=invoice.due_date,
            days_overdue=(today - invoice.due_date).days,
            overdue_won=overdue_won,
            next_step=nxt,
            next_on=next_on,
            paused_until=paused_until,
        )
    return states


def invoice_overdue_state(invoice: Invoice | int, today: dt.date) -> OverdueState | None:
    """One invoice's :class:`OverdueState` on ``today``, or None when it is not overdue."""
    pk = invoice if isinstance(invoice, int) else invoice.pk
    return overdue_states([pk], today).get(pk)


@dataclass(frozen=True)
class CustomerOverdue:
    """A customer's overdue invoices on a day: the most overdue one (its days and the next step that
    comes first), how many, and the amount overdue in all."""

    worst: OverdueState
    next: OverdueState  # the invoice whose next dunning step comes first
    count: int
    overdue_won: int


def customer_overdue(customer: Customer, today: dt.date) -> CustomerOverdue | None:
    """The customer's overdue state for the home card and the billing pages; None when nothing is overdue."""
    ids = Invoice.objects.filter(
        customer=customer, status=Invoice.Status.ISSUED, due_date__lt=today
    ).values_list("pk", flat=True)
    states = list(overdue_states(list(ids), today).values())
    if not states:
        return None
    return CustomerOverdue(
        worst=max(states, key=lambda s: (s.days_overdue, -s.invoice_id)),
        next=min(states, key=lambda s: (s.next_on or dt.date.max, s.due_date, s.invoice_id)),
        count=len(states),
        overdue_won=sum(s.overdue_won for s in states),
    )


# --------------------------------------------------------------------------- disputable invoices (BIL-10)


@dataclass(frozen=True)
class Disputable:
    invoice: Invoice
    closes_on: dt.date | None  # the last day to file (None: no limit)


def disputable_invoices(customer: Customer, today: dt.date) -> list[Disputable]:
    """The customer's invoices a dispute may still be filed on today: not voided, and inside the window
    ``disputes.dispute_window_closes_on`` gives (the service's own rule, read with the invoice's
    effective policy; the ordinary window, without the operator-error or date-of-knowing extensions a
    customer may claim on the form). Newest first, policies read in one go."""
    from .services.disputes import dispute_window_closes_on  # the rule lives with the service

    invoices = list(
        Invoice.objects.filter(customer=customer)
        .exclude(status=Invoice.Status.VOID)
        .select_related("policy")
        .order_by("-issue_date", "-number")
    )
    policies = _policies(invoices)
    out = []
    for invoice in invoices:
        closes_on = dispute_window_closes_on(invoice, policy=policies[invoice.pk])
        if closes_on is None or today <= closes_on:
            out.append(Disputable(invoice, closes_on))
    return out


# ----------------------------------------------------------------------- back-office dashboards (SPEC §11)

#: Receivables ageing: (label, first day past due, last day past due or None for "and more").
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1–30", 1, 30),
    ("31–60", 31, 60),
    ("61–90", 61, 90),
    ("90+", 91, None),
)
REVENUE_MONTHS = 12


@dataclass(frozen=True)
class AgeBucket:
    """Issued invoices whose due date (BIL-3) is ``low``..``high`` days before ``today``, and what is still
    open on them (their ledger entries): the invoices fall due between ``due_from`` and ``due_to``."""

    label: str
    low: int
    high: int | None
    invoices: int
    amount_won: int
    due_from: dt.date | None
    due_to: dt.date


def _due_between(today: dt.date, low: int, high: int | None, prefix: str = "") -> Q:
    """Due ``low`` to ``high`` (None: or more) days before ``today``."""
    due = Q(**{f"{prefix}due_date__lte": today - dt.timedelta(days=low)})
    if high is not None:
        due &= Q(**{f"{prefix}due_date__gte": today - dt.timedelta(days=high)})
    return due


def receivables_by_age(today: dt.date) -> list[AgeBucket]:
    """The open amounts of issued invoices past their due date, by days past due (:data:`AGE_BUCKETS`);
    two queries whatever the data size."""
    overdue = LedgerEntry.objects.filter(invoice__status=Invoice.Status.ISSUED, invoice__due_date__lt=today)
    sums: dict[str, Any] = {}
    counts: dict[str, Any] = {}
    for label, low, high in AGE_BUCKETS:
        sums[label] = Sum("amount_won", filter=_due_between(today, low, high, "invoice__"))
        counts[label] = Count("pk", filter=_due_between(today, low, high))
    totals = overdue.aggregate(**sums)
    numbers = Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__lt=today).aggregate(**counts)
    return [
        AgeBucket(
            label=label,
            low=low,
            high=high,
            invoices=int(numbers[label] or 0),
            amount_won=int(totals[label] or 0),
            due_from=None if high is None else today - dt.timedelta(days=high),
            due_to=today - dt.timedelta(days=low),
        )
        for label, low, high in AGE_BUCKETS
    ]


def revenue_months(today: dt.date, months: int = REVENUE_MONTHS) -> list[dt.date]:
    """The first days of the ``months`` months ending with ``today``'s, oldest first."""
    first = add_months(month_start(today), -(months - 1))
    return [add_months(first, n) for n in range(months)]


def _billed(today: dt.date, months: int) -> Any:  # QuerySet[Invoice] with a ``month`` annotation
    since = revenue_months(today, months)[0]
    return (
        Invoice.objects.filter(issue_date__gte=since, issue_date__lte=today)
        .exclude(status=Invoice.Status.VOID)
        .annotate(month=TruncMonth("issue_date"))
    )


def revenue_by_month(today: dt.date, months: int = REVENUE_MONTHS) -> list[dict[str, Any]]:
    """Invoices issued (not void) per month of issue over the last ``months`` months: ``month``,
    ``invoices``, ``supply_won``, ``total_won``; every month listed, a month without invoices with zeros."""
    rows = {
        row["month"]: row
        for row in _billed(today, months)
        .values("month")
        .annotate(total_won=Sum("total_won"), supply_won=Sum("supply_won"), invoices=Count("pk"))
        .order_by("month")
    }
    out = []
    for month in revenue_months(today, months):
        row = rows.get(month, {})
        out.append(
            {
                "month": month,
                "invoices": int(row.get("invoices") or 0),
                "supply_won": int(row.get("supply_won") or 0),
                "total_won": int(row.get("total_won") or 0),
            }
        )
    return out


def revenue_by_preset(today: dt.date, months: int = REVENUE_MONTHS) -> tuple[list[str], list[dict[str, Any]]]:
    """The same invoices as :func:`revenue_by_month` split by the preset (policy code) they were issued
    under: the presets (sorted) and, per month, ``month``, ``by_preset`` {code: total won}, ``total_won``."""
    grouped = (
        _billed(today, months)
        .values("month", "policy__code")
        .annotate(total_won=Sum("total_won"))
        .order_by("month", "policy__code")
    )
    cells: dict[tuple[dt.date, str], int] = {}
    for row in grouped:
        cells[(row["month"], row["policy__code"])] = int(row["total_won"] or 0)
    presets = sorted({code for _month, code in cells})
    out = []
    for month in revenue_months(today, months):
        by_preset = {code: cells.get((month, code), 0) for code in presets}
        out.append({"month": month, "by_preset": by_preset, "total_won": sum(by_preset.values())})
    return presets, out


def case_current_step() -> Subquery:
    """Each dunning case's latest step action (DUN-2; by step number), or NULL before the first step."""
    last = DunningStep.objects.filter(case=OuterRef("pk")).order_by("-index")
    return Subquery(last.values("action")[:1])


#: The dashboard's name for an open case without a step yet (past due, first step not reached).
NO_STEP = ""


def dunning_step_counts() -> list[dict[str, Any]]:
    """Open and paused dunning cases by the step they are on (:func:`case_current_step`; DUN-2): ``action``
    (:data:`NO_STEP` before the first), ``cases`` and ``customers`` (distinct), in ladder order."""
    rows = (
        DunningCase.objects.filter(status__in=OPEN_CASE_STATUSES)
        .annotate(step=case_current_step())
        .values("step")
        .annotate(cases=Count("pk"), customers=Count("customer_id", distinct=True))
    )
    found = {row["step"] or NO_STEP: row for row in rows}
    order = [NO_STEP, *DunningAction.values]
    return [
        {"action": action, "cases": int(found[action]["cases"]), "customers": int(found[action]["customers"])}
        for action in sorted(found, key=lambda a: order.index(a) if a in order else len(order))
    ]


def open_disputes(today: dt.date, limit: int = 10) -> dict[str, Any]:
    """Disputes still open (BIL-10): ``count``, ``amount_won``, ``overdue`` (answer due before ``today``) and
    the ``oldest`` ``limit`` by answer due date."""
    disputes = Dispute.objects.filter(status=Dispute.Status.OPEN)
    totals = disputes.aggregate(
        count=Count("pk"),
        amount_won=Sum("amount_won"),
        overdue=Count("pk", filter=Q(answer_due_on__lt=today)),
    )
    return {
        "count": int(totals["count"] or 0),
        "amount_won": int(totals["amount_won"] or 0),
        "overdue": int(totals["overdue"] or 0),
        "oldest": list(
            disputes.select_related("customer", "invoice").order_by("answer_due_on", "pk")[:limit]
        ),
    }


def customer_billed_by_month(
    customer: Customer, today: dt.date, months: int = REVENUE_MONTHS
) -> list[dict[str, Any]]:
    """The customer's own invoices (not void) per month of issue: ``month``, ``invoices``, ``total_won``."""
    rows = {
        row["month"]: row
        for row in _billed(today, months)
        .filter(customer=customer)
        .values("month")
        .annotate(total_won=Sum("total_won"), invoices=Count("pk"))
    }
    return [
        {
            "month": month,
            "invoices": int(rows.get(month, {}).get("invoices") or 0),
            "total_won": int(rows.get(month, {}).get("total_won") or 0),
        }
        for month in revenue_months(today, months)
    ]
