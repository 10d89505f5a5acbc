"""Reads of the dunning ladder (SPEC §6): the plan of an invoice, where it stands, when data may go.

Split from :mod:`billing.services.dunning` (which runs the ladder and re-exports these names, so
``dunning.ladder_position`` & co. keep working): the job, the admin, the portal, the API and the
purge job read through here; ``billing.selectors`` exposes them to the interfaces.

* :func:`ladder_plan` / :func:`step_date` — the invoice's steps on the calendar.
* :func:`ladder_position` — the current step, the next step and its date (``LadderPosition``; its
  ``overdue_won`` is the amount the ladder duns, ``facts.dunnable_won``).
* :func:`purge_due_on` — the date destruction of a contract's data became due (DAT-2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from accounts.models import Customer
from contracts.models import Contract, DunningAction, DunningAnchor
from core.calendar import BusinessCalendar, add_months, default_calendar, month_end

from ..models import DunningCase, DunningPause, DunningStep, Invoice, InvoiceLine
from .facts import dunnable_won, policy_for_invoice

__all__ = [
    "ACTIVE_CASE",
    "PURGE_PREFIX",
    "LadderPosition",
    "PlannedStep",
    "active_pause",
    "contract_ids_for",
    "ladder_plan",
    "ladder_position",
    "next_step_after",
    "purge_due_on",
    "step_date",
]

A = DunningAction
ACTIVE_CASE = (DunningCase.Status.OPEN, DunningCase.Status.PAUSED)
PURGE_PREFIX = "purge_due_on="


# --------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class PlannedStep:
    """One ladder step placed on the calendar for one invoice."""

    index: int  # 1-based position in the policy's ladder (DunningStep.index)
    action: str
    on: dt.date
    day: int
    business_days: bool = False
    anchor: str = DunningAnchor.DUE_DATE

    @property
    def label(self) -> str:
        return str(DunningAction(self.action).label)


def _ladder(policy: Any) -> list[dict[str, Any]]:
    return [dict(step) for step in (policy.dunning_ladder or []) if isinstance(step, dict)]


def step_date(
    *,
    due_date: dt.date,
    day: int,
    business_days: bool = False,
    anchor: str = DunningAnchor.DUE_DATE,
    calendar: BusinessCalendar | None = None,
) -> dt.date:
    """The date of a ladder step for an invoice due on ``due_date`` (see the module docstring)."""
    if anchor == DunningAnchor.END_OF_NEXT_MONTH:
        return month_end(add_months(due_date.replace(day=1), 1)) + dt.timedelta(days=day)
    if business_days:
        return (calendar or default_calendar()).add_business_days(due_date, day)
    return due_date + dt.timedelta(days=day)


def ladder_plan(
    invoice: Invoice, *, policy: Any = None, calendar: BusinessCalendar | None = None
) -> list[PlannedStep]:
    """The invoice's ladder on the calendar, in execution order (date, then ladder position)."""
    policy = policy or policy_for_invoice(invoice)
    calendar = calendar or default_calendar()
    plan = []
    for index, raw in enumerate(_ladder(policy), start=1):
        anchor = str(raw.get("anchor") or DunningAnchor.DUE_DATE)
        business = bool(raw.get("business_days", False))
        day = int(raw["day"])
        on = step_date(
            due_date=invoice.due_date, day=day, business_days=business, anchor=anchor, calendar=calendar
        )
        plan.append(PlannedStep(index, str(raw["action"]), on, day, business, anchor))
    return sorted(plan, key=lambda p: (p.on, p.index))


def contract_ids_for(invoice: Invoice, policy: Any) -> set[int]:
    if policy.dunning_whole_customer:
        return set(Contract.objects.filter(customer_id=invoice.customer_id).values_list("pk", flat=True))
    ids = set(
        InvoiceLine.objects.filter(invoice=invoice, contract__isnull=False).values_list(
            "contract_id", flat=True
        )
    )
    if not ids:
        ids = set(
            Contract.objects.filter(
                customer_id=invoice.customer_id, policy__code=invoice.policy.code
            ).values_list("pk", flat=True)
        )
    return ids


def active_pause(customer_id: int, today: dt.date) -> DunningPause | None:
    return (
        DunningPause.objects.filter(customer_id=customer_id, starts_on__lte=today, ends_on__gte=today)
        .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=today))
        .order_by("-ends_on")
        .first()
    )


def next_step_after(
    planned: PlannedStep | None, plan: list[PlannedStep], done: set[int]
) -> PlannedStep | None:
    started = planned is None
    for p in plan:
        if not started:
            started = p.index == planned.index  # type: ignore[union-attr]
            continue
        if p.index not in done:
            return p
    return None


# --------------------------------------------------------------------------- reads


@dataclass
class LadderPosition:
    """Where an invoice stands on its ladder (for the admin, portal and API)."""

    invoice: Invoice
    case: DunningCase | None
    overdue_won: int  # what the ladder duns: facts.dunnable_won (open minus what open disputes hold)
    current: DunningStep | None  # the last step executed (cancelled ones included, with cancelled_on)
    next_step: PlannedStep | None
    next_on: dt.date | None  # when the next step will run (today or later)
    paused_until: dt.date | None
    plan: list[PlannedStep] = field(default_factory=list)
    executed: list[DunningStep] = field(default_factory=list)

    @property
    def next_action(self) -> str:
        return self.next_step.action if self.next_step else ""

    @property
    def next_action_label(self) -> str:
        return self.next_step.label if self.next_step else ""


def _position(invoice: Invoice, today: dt.date) -> LadderPosition:
    case = invoice.dunning_cases.order_by("-pk").first()
    plan = ladder_plan(invoice)
    executed = list(case.steps.order_by("executed_on", "id")) if case else []
    done = {s.index for s in executed}
    closed = case is not None and case.status in (DunningCase.Status.RESOLVED, DunningCase.Status.CLOSED)
    nxt = None if closed or invoice.status != Invoice.Status.ISSUED else next_step_after(None, plan, done)
    pause = active_pause(invoice.customer_id, today)
    next_on = None
    if nxt is not None:
        next_on = max(nxt.on, today)
        if pause is not None:
            next_on = max(next_on, pause.ends_on + dt.timedelta(days=1))
    return LadderPosition(
        invoice=invoice,
        case=case,
        overdue_won=dunnable_won(invoice),
        current=executed[-1] if executed else None,
        next_step=nxt,
        next_on=next_on,
        paused_until=pause.ends_on if pause else None,
        plan=plan,
        executed=executed,
    )


def ladder_position(
    invoice_or_customer: Invoice | Customer | None = None,
    today: dt.date | None = None,
    *,
    case: DunningCase | None = None,
) -> LadderPosition | None:
    """The current step, the next step and its date (``next_step``/``next_action``, ``next_on``).

    Give an invoice, a customer (its overdue invoice whose next step comes first; None when nothing is
    overdue or in dunning) or ``case=`` (that case's invoice). ``today`` is required.
    """
    if today is None:
        raise TypeError("ladder_position() needs today")
    if case is not None:
        return _position(case.invoice, today)
    if invoice_or_customer is None:
        raise TypeError("ladder_position() needs an invoice, a customer or case=")
    if isinstance(invoice_or_customer, Invoice):
        return _position(invoice_or_customer, today)
    invoices = (
        Invoice.objects.filter(
            Q(customer=invoice_or_customer)
            & (Q(status=Invoice.Status.ISSUED, due_date__lt=today) | Q(dunning_cases__status__in=ACTIVE_CASE))
        )
        .distinct()
        .select_related("policy")
    )
    positions = [_position(invoice, today) for invoice in invoices]
    positions = [p for p in positions if p.case is not None or p.overdue_won > 0]
    if not positions:
        return None
    return min(positions, key=lambda p: (p.next_on or dt.date.max, p.invoice.due_date, p.invoice.pk))


def purge_due_on(contract: Contract) -> dt.date | None:
    """The date destruction of the contract's data became due through a ``purge_data`` step (DAT-2
    reads it), or None."""
    for step in (
        DunningStep.objects.filter(
            action=A.PURGE_DATA, cancelled_on__isnull=True, case__customer_id=contract.customer_id
        )
        .select_related("case__invoice__policy")
        .order_by("executed_on")
    ):
        invoice = step.case.invoice
        if contract.pk in contract_ids_for(invoice, policy_for_invoice(invoice)) and step.detail.startswith(
            PURGE_PREFIX
        ):
            return dt.date.fromisoformat(step.detail[len(PURGE_PREFIX) :].split()[0])
    return None
