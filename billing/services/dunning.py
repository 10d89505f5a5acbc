"""The dunning ladder (SPEC §6, DUN-1..4): what happens on day 1, 10, 30, 35 of an unpaid invoice.

Public API (stable; the admin, portal and API call these):

* :func:`dunning_run` — job ``dunning`` (daily 03:00), split per the batch contract of ``core.jobs``
  (issue 19): :func:`dunning_plan` (batches of ``BATCH_SIZE`` customers) and :func:`dunning_batch` (one
  batch in one transaction).
* :func:`on_invoice_paid` — receiver of the "invoice paid" event (:mod:`billing.services.events`) that
  ``allocation.invoice_settle`` sends when an invoice becomes paid (or void): DUN-1.
* :func:`on_dispute_decided` — receiver of the "dispute decided" event ``disputes.dispute_decide``
  sends: BIL-10/DUN-1. ``BillingConfig.ready`` registers both.
* :func:`dunning_pause` / :func:`dunning_pause_cancel` — DUN-3.
* :func:`ladder_plan`, :func:`ladder_position`, :func:`purge_due_on` — reads, in
  :mod:`billing.services.dunning_reads` (re-exported here). The amount the ladder duns is
  ``facts.dunnable_won``.

How a case moves
----------------
An invoice is *overdue* when it is issued (not paid/void), its due date has passed and its open amount
minus what open disputes hold (BIL-10, ``facts.dunnable_won``) is above zero. The job opens one
``DunningCase`` per overdue invoice (the partial unique index allows one open/paused case) and executes,
in date order, every ladder step whose date has come that the case has not executed yet. Each executed
step is one ``DunningStep`` row (unique per case and ladder index; ``index`` is the step's 1-based
position in the policy's ladder), written in the same transaction as its effect and its notice, so each
step happens exactly once and is recorded with its planned date (``scheduled_on``) and the day it ran
(``executed_on``). Work is serialised per customer by the customer row lock (the billing lock order:
customer, then contracts), so two workers, or a second run for the same date, change nothing.

Set-based per batch (issue 16): a batch locks its customers (waiting, in id order), then reads their
invoices with open amounts, disputes, cases, executed steps, pauses, effective policies, automatic
payment methods and attempts, and suspension notices once; it opens its new cases with one insert and
writes its steps, notices (``messaging.services.notify_many``) and case status changes set-based. Only
the effects of restrict, suspend and terminate steps (contract services, one savepoint each) and the rare
resolve/reopen of a case go row by row.

Step dates (:func:`step_date`): ``day`` calendar days after the due date, or ``day`` business days
(``business_days``), or ``day`` days after the end of the month following the due date's month
(``anchor = end_of_next_month``, ``flow`` 001 art.19-6 "익월 말일"). The policy is the effective policy
of the invoice's first contract (CON-12: special terms apply).

Actions
-------
* ``notify`` — only the notice.
* ``retry_payment`` — observes the ``collect_payments`` job's attempts (BIL-8 lives there): the k-th
  retry step records the outcome of automatic attempt k and never charges. It waits (with every step
  after it) until collect_payments has made that attempt, so the record is true whichever job runs
  first that day. A customer without automatic payment gets the notice only.
* ``restrict`` — ``contracts.services.restriction.contract_restrict`` (``NONPAYMENT_FEATURES``).
* ``suspend`` — ``suspension_schedule(kind=nonpayment)``. With ``suspension_notice_days`` (``damoa``
  7, 004 art.11-3) a ``dunning.suspension_notice`` goes out as soon as the suspension is that close
  (``damoa``: with the day-3 step) and the suspension never starts earlier than that many days after it.
* ``terminate`` — ``operator_termination(reasons=["nonpayment"], nonpayment=True)``; the policy's
  explanation period sets the effective date (``damoa`` 30 days, CON-9); ``complete_terminations``
  finishes it.
* ``refer_to_collections`` — recorded on the step and logged (WARNING, logger
  ``billing.services.dunning``) for staff; the customer is told.
* ``purge_data`` — records the date destruction becomes due (step ``detail``: ``purge_due_on=…``, read
  with :func:`purge_due_on`): the step's date, or for a policy with ``nonpayment_data_keep_days``
  (``flow`` 30, 001 art.19-6-가) not before the non-payment suspension's start + that many days. The
  destruction itself belongs to the ``purge_data`` job (DAT-2).

Measures (restrict, suspend, terminate, purge, collections) also wait while an automatic charge of the
invoice is due or pending, so ``flow`` suspends only after the last retry failed.

DUN-4: measures act on the contracts on the overdue invoice's lines; another contract of the same
customer keeps running unless the policy says ``dunning_whole_customer``.

DUN-1: payment in full (``on_invoice_paid``) resolves the case at once: later steps never run, restrict
and suspend steps are marked ``cancelled_on`` and their effect is lifted (unless another overdue invoice
of the contract still justifies it). A termination already under way is not undone (CON-1 has no way
back from ``terminating``); the case records it.

DUN-3: a pause (reason, end date) makes the customer's cases ``paused``: nothing runs through the end
date. From the next day the cases resume, and steps whose dates passed during the pause run on the
first run, in order, each once (a dcloud termination postponed by special approval, 002 art.33①,
happens the day after the pause ends). With ``max_suspension_extension_days`` (``dcloud`` 60) a pause may
not end later than that many days after the first restrict/suspend step's date. Disputes hold their
amount the same way: while everything overdue is held, nothing runs; a rejected dispute returns the
amount and passed steps run on the next run.

Events: ``dunning.step`` (DUN-2: amount, action, next action and its date), ``dunning.suspension_notice``,
``dunning.resolved``, ``dunning.paused``, ``dunning.pause_cancelled``; the contract services send
``contract.restricted``/``contract.unrestricted``, ``contract.suspension_notice``,
``contract.suspended``/``contract.reinstated`` and ``contract.operator_termination``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Customer
from contracts.effective import EffectivePolicy, PolicyView
from contracts.models import Contract, ContractStatus, DunningAction, Suspension
from contracts.models.contract import LIVE
from contracts.services import restriction
from contracts.services.suspension import suspension_lift, suspension_schedule
from contracts.services.termination import operator_termination
from core.audit import acting_as, bulk_create_audited, record_history
from core.calendar import default_calendar
from core.errors import DomainError
from core.jobs import run_batches
from core.related import attach_related
from core.transitions import transition, transition_many
from messaging.models import Notice
from messaging.services import NoticeRequest, notices_together, notify, notify_many

from ..lifecycles import DUNNING_CASE
from ..models import (
    Dispute,
    DunningCase,
    DunningPause,
    DunningStep,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
)
from .collection import next_attempt_on
from .dunning_pauses import dunning_pause, dunning_pause_cancel
from .dunning_reads import (
    ACTIVE_CASE,
    PURGE_PREFIX,
    LadderPosition,
    PlannedStep,
    contract_ids_for,
    ladder_plan,
    ladder_position,
    next_step_after,
    purge_due_on,
    step_date,
)
from .facts import dunnable_won, open_amount_subquery, policies_for_invoices, policy_for_invoice, with_vat

__all__ = [
    "BATCH_SIZE",
    "LadderPosition",
    "PlannedStep",
    "dunning_batch",
    "dunning_pause",
    "dunning_pause_cancel",
    "dunning_plan",
    "dunning_run",
    "ladder_plan",
    "ladder_position",
    "on_dispute_decided",
    "on_invoice_paid",
    "purge_due_on",
    "step_date",
]

log = logging.getLogger(__name__)

A = DunningAction
MEASURES = frozenset({A.RESTRICT, A.SUSPEND, A.TERMINATE, A.PURGE_DATA, A.REFER_TO_COLLECTIONS})
LIFTABLE = (A.RESTRICT, A.SUSPEND)
AUTO_METHODS = (PaymentMethod.Kind.CMS, PaymentMethod.Kind.CARD)


# --------------------------------------------------------------------------- targets (DUN-4)


def _targets(invoice: Invoice, policy: PolicyView) -> list[Contract]:
    """The contracts a measure acts on: those billed on the invoice, or all the customer's live
    contracts when the policy says ``dunning_whole_customer`` (DUN-4)."""
    live = Contract.objects.filter(customer_id=invoice.customer_id, status__in=LIVE)
    if not policy.dunning_whole_customer:
        ids = set(
            InvoiceLine.objects.filter(invoice=invoice, contract__isnull=False).values_list(
                "contract_id", flat=True
            )
        )
        live = live.filter(pk__in=ids) if ids else live.filter(policy__code=invoice.policy.code)
    return list(live.select_related("customer", "plan", "policy").order_by("pk"))


# --------------------------------------------------------------------------- the job (issue 16, issue 19)

#: Customers per batch: one transaction and a fixed number of queries per batch (issue 16).
BATCH_SIZE = 500
KEYS = ("opened", "steps", "deferred", "paused", "resumed", "held", "resolved", "closed", "errors")
#: Actions whose effect writes through other services: each runs in its own savepoint (a refusal is
#: recorded on the step and the ladder goes on).
EFFECTS = frozenset({A.RESTRICT, A.SUSPEND, A.TERMINATE})


def dunning_plan(*, today: dt.date) -> list[dict[str, Any]]:
    """The batches of the ``dunning`` job: the customers with an overdue issued invoice or an active case,
    in id order, ``BATCH_SIZE`` a batch (``{"customers": [...]}``). One query, no locks."""
    overdue = (
        Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__lt=today)
        .order_by()
        .values_list("customer_id", flat=True)
    )
    active = (
        DunningCase.objects.filter(status__in=ACTIVE_CASE).order_by().values_list("customer_id", flat=True)
    )
    ids = sorted(set(overdue.union(active)))
    return [{"customers": ids[i : i + BATCH_SIZE]} for i in range(0, len(ids), BATCH_SIZE)]


def dunning_batch(*, today: dt.date, payload: dict[str, Any]) -> dict[str, int]:
    """One batch of the ``dunning`` job in one transaction: lock its customers (waiting, in id order: the
    billing lock order), read their invoices, cases, steps, pauses, policies and payments once, run the
    steps due and write the new cases, steps, notices and status changes set-based. Idempotent: a second
    run, or a second worker given the same batch (it waits for the first's locks and reads what it
    wrote), executes nothing again (DUN-1)."""
    counts: Counter[str] = Counter()
    with transaction.atomic():
        locked = list(
            Customer.objects.select_for_update()
            .filter(pk__in=[int(pk) for pk in payload.get("customers", [])])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if locked:
            with notices_together():  # what the effects' contract services tell, sent with one notify_many
                _Run(locked, today=today, counts=counts).run()
    return {key: counts[key] for key in KEYS}


def dunning_run(*, today: dt.date) -> dict[str, int]:
    """Job ``dunning`` (daily 03:00): open cases for overdue invoices and run the steps due (SPEC §6), a
    batch of customers at a time (``dunning_plan``/``dunning_batch``)."""
    return run_batches(dunning_plan, dunning_batch, today=today, zero=dict.fromkeys(KEYS, 0))


class _Run:
    """One batch: everything the ladder reads, read once for the batch's customers (issue 16)."""

    def __init__(self, customer_ids: list[int], *, today: dt.date, counts: Counter[str]) -> None:
        self.today = today
        self.counts = counts
        self.calendar = default_calendar()
        with_case = DunningCase.objects.filter(customer_id__in=customer_ids, status__in=ACTIVE_CASE).values(
            "invoice_id"
        )
        self.invoices: list[Invoice] = list(
            Invoice.objects.filter(customer_id__in=customer_ids)
            .filter(Q(status=Invoice.Status.ISSUED, due_date__lt=today) | Q(pk__in=with_case))
            .annotate(open_won=open_amount_subquery())
            .order_by("customer_id", "due_date", "id")
        )
        # one object per customer and per policy, shared by their invoices (not one per invoice: issue 16)
        attach_related(self.invoices, "customer", "policy")
        ids = [invoice.pk for invoice in self.invoices]
        by_id = {invoice.pk: invoice for invoice in self.invoices}
        self.claimed: dict[int, int] = defaultdict(int)  # price-basis amounts of open disputes
        self.cases: dict[int, list[DunningCase]] = defaultdict(list)
        self.done: dict[int, set[int]] = defaultdict(set)
        self.policies: dict[int, EffectivePolicy] = {}
        self.attempts: dict[int, list[Payment]] = defaultdict(list)
        self.auto: set[int] = set()
        self.pauses: dict[int, DunningPause] = {}
        self.noticed: dict[str, dt.date] = {}
        if not ids:
            return
        for invoice_id, amount in Dispute.objects.filter(
            invoice_id__in=ids, status=Dispute.Status.OPEN
        ).values_list("invoice_id", "amount_won"):
            self.claimed[invoice_id] += with_vat(by_id[invoice_id], amount)
        for case in DunningCase.objects.select_for_update().filter(invoice_id__in=ids).order_by("pk"):
            case.invoice = by_id[case.invoice_id]
            case.customer = case.invoice.customer
            self.cases[case.invoice_id].append(case)
        steps = DunningStep.objects.filter(case__invoice_id__in=ids).values_list("case_id", "index")
        for case_id, index in steps:
            self.done[case_id].add(index)
        self.policies = policies_for_invoices(self.invoices)  # CON-12 special terms count
        self.auto = set(
            PaymentMethod.objects.filter(
                customer_id__in=customer_ids, is_default=True, active=True, kind__in=AUTO_METHODS
            ).values_list("customer_id", flat=True)
        )
        auto_invoices = [invoice.pk for invoice in self.invoices if invoice.customer_id in self.auto]
        if auto_invoices:
            payments = Payment.objects.filter(invoice_id__in=auto_invoices, method__in=AUTO_METHODS)
            for payment in payments.order_by("attempt", "pk"):
                self.attempts[int(payment.invoice_id or 0)].append(payment)
        for pause in (
            DunningPause.objects.filter(customer_id__in=customer_ids, starts_on__lte=today)
            .filter(ends_on__gte=today)
            .filter(Q(cancelled_on__isnull=True) | Q(cancelled_on__gt=today))
            .order_by("-ends_on", "-pk")
        ):
            self.pauses.setdefault(pause.customer_id, pause)

    # ------------------------------------------------------------------ reads (facts, for the batch)

    def dunnable(self, invoice: Invoice) -> int:
        """``facts.dunnable_won`` from the batch's reads."""
        if invoice.status != Invoice.Status.ISSUED:
            return 0
        open_won = int(invoice.open_won)  # type: ignore[attr-defined]
        held = min(self.claimed[invoice.pk], max(open_won, 0))
        return max(0, open_won - held)

    def active_case(self, invoice: Invoice) -> DunningCase | None:
        return next((c for c in self.cases[invoice.pk] if c.status in ACTIVE_CASE), None)

    def scheduled(self, invoice: Invoice) -> list[Payment]:
        """The collect_payments job's scheduled attempts (key ``invoice:{pk}:attempt:{n}``); a customer's
        pay-now charge or a payment staff typed in is not one of the policy's retries (BIL-8)."""
        prefix = f"invoice:{invoice.pk}:attempt:"
        return [p for p in self.attempts[invoice.pk] if (p.idempotency_key or "").startswith(prefix)]

    def next_attempt_on(self, invoice: Invoice) -> dt.date | None:
        attempts, policy = self.attempts[invoice.pk], self.policies[invoice.pk]
        return next_attempt_on(invoice, calendar=self.calendar, attempts=attempts, policy=policy)

    def collection_due(self, invoice: Invoice) -> bool:
        """An automatic charge of the invoice is pending, or due today or earlier and not made yet."""
        if invoice.customer_id not in self.auto:
            return False
        if any(p.status == Payment.Status.PENDING for p in self.scheduled(invoice)):
            return True
        due = self.next_attempt_on(invoice)
        return due is not None and due <= self.today

    # ------------------------------------------------------------------ the run

    def run(self) -> None:
        today, counts = self.today, self.counts
        amounts = {invoice.pk: self.dunnable(invoice) for invoice in self.invoices}
        # 1. cases: resolve those of invoices no longer issued, reopen or open the others' (one insert)
        new: list[DunningCase] = []
        for invoice in self.invoices:
            case = self.active_case(invoice)
            if invoice.status != Invoice.Status.ISSUED:
                if case is not None:  # paid before on_invoice_paid existed, or by a path that skipped it
                    _resolve(case, today=today, resolution=_("완납"))
                    counts["resolved"] += 1
                continue
            if case is not None or amounts[invoice.pk] <= 0 or invoice.due_date >= today:
                continue
            cases = self.cases[invoice.pk]
            if any(c.status == DunningCase.Status.CLOSED for c in cases):
                continue  # the ladder ran to its end; nothing starts again
            resolved = [c for c in cases if c.status == DunningCase.Status.RESOLVED]
            previous = max(resolved, key=lambda c: c.pk, default=None)
            if previous is not None:
                # Overdue again after it was settled (a debit note reopened it): the same case goes on;
                # steps already executed stay done.
                previous.resolved_on = None
                previous.resolution = ""
                transition(previous, DUNNING_CASE, DunningCase.Status.OPEN, today=today,
                           save_fields=["resolved_on", "resolution"])
            else:
                case = DunningCase(invoice=invoice, customer=invoice.customer, opened_on=today)
                new.append(case)
                cases.append(case)
            counts["opened"] += 1
        bulk_create_audited(new)
        self._read_notices()
        # 2. the ladder of every active case
        pausing: dict[str, list[DunningCase]] = defaultdict(list)
        resuming: list[DunningCase] = []
        closing: list[DunningCase] = []
        steps: list[DunningStep] = []
        notices: list[NoticeRequest] = []
        for invoice in self.invoices:
            case = self.active_case(invoice)
            if invoice.status != Invoice.Status.ISSUED or case is None:
                continue
            pause = self.pauses.get(invoice.customer_id)
            if pause is not None:
                if case.status != DunningCase.Status.PAUSED:
                    pausing[pause.reason].append(case)
                counts["paused"] += 1
                continue
            if case.status == DunningCase.Status.PAUSED:
                resuming.append(case)
                counts["resumed"] += 1
            amount = amounts[invoice.pk]
            if amount <= 0:
                counts["held"] += 1  # everything overdue is held by open disputes (BIL-10)
                continue
            if self._advance(case, invoice, amount, steps, notices):
                closing.append(case)
                counts["closed"] += 1
        # 3. the writes, set-based
        bulk_create_audited(steps)
        notify_many(notices, actor="dunning")
        for reason, cases in pausing.items():
            _move(cases, DunningCase.Status.PAUSED, today=today, reason=reason)
        _move(resuming, DunningCase.Status.OPEN, today=today)
        _move(closing, DunningCase.Status.CLOSED, today=today, reason=str(_("모든 단계 완료")),
              changes={"resolution": str(_("모든 단계 완료"))})

    def _read_notices(self) -> None:
        """The suspension notices already sent for the batch's active cases (004 art.11-3)."""
        keys = []
        for invoice in self.invoices:
            case = self.active_case(invoice)
            if case is None or case.pk is None or not self.policies[invoice.pk].suspension_notice_days:
                continue
            for raw_index, raw in enumerate(_ladder_steps(self.policies[invoice.pk]), start=1):
                if raw.get("action") == A.SUSPEND:
                    keys.append(f"dunning:{case.pk}:suspension-notice:{raw_index}")
        if not keys:
            return
        for key, context in Notice.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", "context"):
            if key and context and context.get("noticed_on") and key not in self.noticed:
                self.noticed[key] = dt.date.fromisoformat(context["noticed_on"])

    def _advance(
        self,
        case: DunningCase,
        invoice: Invoice,
        amount: int,
        steps: list[DunningStep],
        notices: list[NoticeRequest],
    ) -> bool:
        """Execute the case's steps due, in order; True when the ladder ran to its end (close it)."""
        today, counts = self.today, self.counts
        policy = self.policies[invoice.pk]
        plan = ladder_plan(invoice, policy=policy, calendar=self.calendar)
        done = set(self.done[case.pk])
        for planned in plan:
            if planned.index in done:
                continue
            if planned.on > today:
                break
            wait = self._blocked(case, planned, plan, invoice, policy)
            if wait:
                counts["deferred"] += 1
                log.info("dunning case %s step %s waits: %s", case.pk, planned.index, wait)
                break
            step, ok = self._execute(case, planned, plan, done, invoice, policy, amount, notices)
            steps.append(step)
            counts["steps" if ok else "errors"] += 1
            done.add(planned.index)
        self._suspension_notice(case, plan, done, invoice, policy, amount, notices)
        return bool(plan) and all(p.index in done for p in plan)

    def _blocked(
        self,
        case: DunningCase,
        planned: PlannedStep,
        plan: list[PlannedStep],
        invoice: Invoice,
        policy: PolicyView,
    ) -> str:
        """Why ``planned`` (and every step after it) must wait today, or "" when it may run."""
        if planned.action == A.RETRY_PAYMENT:
            if invoice.customer_id not in self.auto:
                return ""
            k = _retry_ordinal(planned, plan)
            attempts = self.scheduled(invoice)
            made = [p for p in attempts if p.status != Payment.Status.PENDING]
            if len(made) >= k or (
                self.next_attempt_on(invoice) is None
                and not any(p.status == Payment.Status.PENDING for p in attempts)
            ):
                return ""
            return f"collect_payments has not made attempt {k} yet"
        if planned.action in MEASURES and self.collection_due(invoice):
            return "an automatic charge is due or pending"
        if planned.action == A.SUSPEND and policy.suspension_notice_days:
            noticed = self.noticed.get(_notice_key(case, planned))
            if noticed is None or noticed + dt.timedelta(days=policy.suspension_notice_days) > self.today:
                return "suspension notice period running"
        return ""

    def _execute(
        self,
        case: DunningCase,
        planned: PlannedStep,
        plan: list[PlannedStep],
        done: set[int],
        invoice: Invoice,
        policy: PolicyView,
        amount: int,
        notices: list[NoticeRequest],
    ) -> tuple[DunningStep, bool]:
        """Carry out one step: its effect now (a refusal is recorded on the step, with the error, so the
        ladder goes on and staff see it), its row and its notice written with the batch's."""
        today = self.today
        ok = True
        try:
            with acting_as(job="dunning", reason=f"DUN {invoice.number}"):
                if planned.action in EFFECTS:
                    with transaction.atomic(), notices_together():  # a refusal rolls back its notices too
                        detail = _ACTIONS[planned.action](self, case, planned, plan, invoice, policy, amount)
                else:
                    detail = _ACTIONS[planned.action](self, case, planned, plan, invoice, policy, amount)
        except DomainError as exc:
            ok = False
            detail = f"{_('실패')}: {exc.message_ko}"
            log.error("dunning case %s step %s (%s) failed: %s", case.pk, planned.index, planned.action, exc)
        step = DunningStep(
            case=case,
            index=planned.index,
            action=planned.action,
            scheduled_on=planned.on,
            executed_on=today,
            amount_won=amount,
            detail=detail[:300],
        )
        nxt = next_step_after(planned, plan, done | {planned.index})
        notices.append(
            NoticeRequest(
                customer=invoice.customer,
                event="dunning.step",
                context={
                    "invoice_number": invoice.number,
                    "due_date": invoice.due_date.isoformat(),
                    "amount_won": amount,
                    "action": planned.action,
                    "action_label": planned.label,
                    "step_index": planned.index,
                    "scheduled_on": planned.on.isoformat(),
                    "executed_on": today.isoformat(),
                    "days_overdue": (today - invoice.due_date).days,
                    "detail": step.detail,
                    "next_action": nxt.action if nxt else "",
                    "next_action_label": nxt.label if nxt else "",
                    "next_on": max(nxt.on, today).isoformat() if nxt else "",
                },
                dedupe_key=f"dunning:{case.pk}:step:{planned.index}",
            )
        )
        return step, ok

    def _suspension_notice(
        self,
        case: DunningCase,
        plan: list[PlannedStep],
        done: set[int],
        invoice: Invoice,
        policy: PolicyView,
        amount: int,
        notices: list[NoticeRequest],
    ) -> None:
        """004 art.11-3: tell the customer ``suspension_notice_days`` before a suspension (once)."""
        days = policy.suspension_notice_days
        if not days:
            return
        today = self.today
        upcoming = next((p for p in plan if p.action == A.SUSPEND and p.index not in done), None)
        if upcoming is None or upcoming.on - dt.timedelta(days=days) > today:
            return
        if _notice_key(case, upcoming) in self.noticed:
            return
        notices.append(
            NoticeRequest(
                customer=invoice.customer,
                event="dunning.suspension_notice",
                context={
                    "invoice_number": invoice.number,
                    "amount_won": amount,
                    "noticed_on": today.isoformat(),
                    "suspends_on": max(upcoming.on, today + dt.timedelta(days=days)).isoformat(),
                    "notice_days": days,
                },
                dedupe_key=_notice_key(case, upcoming),
            )
        )


def _ladder_steps(policy: PolicyView) -> list[dict[str, Any]]:
    return [dict(step) for step in (policy.dunning_ladder or []) if isinstance(step, dict)]


def _move(
    cases: list[DunningCase],
    status: str,
    *,
    today: dt.date,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    """Move the cases to ``status`` in one update, with their transition log and history rows."""
    if not cases:
        return
    transition_many(cases, DUNNING_CASE, status, today=today, reason=reason, changes=changes)
    record_history(cases)


# --------------------------------------------------------------------------- waiting


def _retry_ordinal(planned: PlannedStep, plan: list[PlannedStep]) -> int:
    retries = sorted((p for p in plan if p.action == A.RETRY_PAYMENT), key=lambda p: (p.on, p.index))
    return [p.index for p in retries].index(planned.index) + 1


# --------------------------------------------------------------------------- executing


def _reason(invoice: Invoice, amount: int) -> str:
    return _("요금 미납: 청구서 {number}, 미납액 {amount}원 (납기일 {due})").format(
        number=invoice.number, amount=f"{amount:,}", due=invoice.due_date.isoformat()
    )


def _do_notify(
    run: _Run,
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
) -> str:
    return _("미납 안내 ({days}일 경과)").format(days=(run.today - invoice.due_date).days)


def _do_retry(
    run: _Run,
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
) -> str:
    if invoice.customer_id not in run.auto:
        return _("자동 결제 수단 없음: 안내만")
    k = _retry_ordinal(planned, plan)
    attempts = [p for p in run.scheduled(invoice) if p.status != Payment.Status.PENDING]
    if len(attempts) < k:
        return _("자동 결제 {k}회차 없음 (재결제 일정 종료)").format(k=k)
    attempt = attempts[k - 1]
    return (
        _("자동 결제 {k}회차 ({attempt}회차 시도, {on}): {status} {reason}")
        .format(
            k=k,
            attempt=attempt.attempt,
            on=attempt.received_on.isoformat(),
            status=attempt.get_status_display(),
            reason=attempt.failure_reason,
        )
        .strip()
    )


def _do_restrict(
    run: _Run,
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
) -> str:
    numbers = []
    for contract in _targets(invoice, policy):
        if contract.status not in restriction.RESTRICTABLE:
            continue
        restriction.contract_restrict(
            contract=contract,
            features=restriction.NONPAYMENT_FEATURES,
            today=run.today,
            reason=_reason(invoice, amount),
            dedupe_key=f"dunning:{case.pk}:step:{planned.index}:contract:{contract.pk}",
        )
        numbers.append(contract.number)
    return _("이용 제한 ({features}): {contracts}").format(
        features=", ".join(restriction.NONPAYMENT_FEATURES), contracts=", ".join(numbers) or "-"
    )


def _do_suspend(
    run: _Run,
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
) -> str:
    numbers = []
    for contract in _targets(invoice, policy):
        if (
            contract.status != ContractStatus.ACTIVE
            or contract.suspensions.filter(lifted_on__isnull=True).exists()
        ):
            continue
        suspension_schedule(
            contract=contract,
            reason=_reason(invoice, amount),
            today=run.today,
            kind=Suspension.Kind.NONPAYMENT,
        )
        numbers.append(contract.number)
    return _("이용 정지: {contracts}").format(contracts=", ".join(numbers) or "-")


def _do_terminate(
    run: _Run,
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
) -> str:
    parts = []
    for contract in _targets(invoice, policy):
        if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED):
            continue
        contract = operator_termination(
            contract=contract,
            reasons=["nonpayment"],
            today=run.today,
            note=_reason(invoice, amount),
            nonpayment=True,
        )
        parts.append(f"{contract.number}→{contract.termination_effective_on}")
    return _("직권 해지: {contracts}").format(contracts=", ".join(parts) or "-")


def _do_collections(
    run: _Run,
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
) -> str:
    log.warning(
        "DUN collections referral: customer %s (%s) invoice %s unpaid %s won since %s",
        invoice.customer_id,
        invoice.customer.legal_name,
        invoice.number,
        amount,
        invoice.due_date,
    )
    return _("채권 추심 의뢰 대상: 미납액 {amount}원").format(amount=f"{amount:,}")


def _do_purge(
    run: _Run,
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
) -> str:
    due = planned.on
    keep = policy.nonpayment_data_keep_days
    ids = contract_ids_for(invoice, policy)
    if keep:
        started = (
            Suspension.objects.filter(contract_id__in=ids, kind=Suspension.Kind.NONPAYMENT, started=True)
            .order_by("-starts_on")
            .values_list("starts_on", flat=True)
            .first()
        )
        if started is not None:
            due = max(due, started + dt.timedelta(days=keep))
    numbers = ", ".join(c.number for c in Contract.objects.filter(pk__in=ids).order_by("pk"))
    return f"{PURGE_PREFIX}{due.isoformat()} " + _("데이터 파기 예정: {contracts}").format(contracts=numbers)


_ACTIONS: dict[str, Any] = {
    A.NOTIFY: _do_notify,
    A.RETRY_PAYMENT: _do_retry,
    A.RESTRICT: _do_restrict,
    A.SUSPEND: _do_suspend,
    A.TERMINATE: _do_terminate,
    A.REFER_TO_COLLECTIONS: _do_collections,
    A.PURGE_DATA: _do_purge,
}


# --------------------------------------------------------------------------- suspension notice (004 art.11-3)


def _notice_key(case: DunningCase, planned: PlannedStep) -> str:
    return f"dunning:{case.pk}:suspension-notice:{planned.index}"


# --------------------------------------------------------------------------- DUN-1: stopping and lifting


def _still_needed(contract_id: int, action: str, *, excluding: DunningCase) -> bool:
    """Another active case of the contract's customer has an uncancelled step of ``action`` that acts on
    this contract (a second overdue invoice keeps the restriction)."""
    steps = (
        DunningStep.objects.filter(
            case__customer__contracts=contract_id,
            case__status__in=ACTIVE_CASE,
            action=action,
            cancelled_on__isnull=True,
        )
        .exclude(case=excluding)
        .select_related("case__invoice__policy")
    )
    for step in steps:
        invoice = step.case.invoice
        if contract_id in contract_ids_for(invoice, policy_for_invoice(invoice)):
            return True
    return False


def _lift(contract: Contract, action: str, *, case: DunningCase, today: dt.date, reason: str) -> str:
    if _still_needed(contract.pk, action, excluding=case):
        return ""
    if action == A.RESTRICT:
        blocked = set(contract.restrictions or []) & set(restriction.NONPAYMENT_FEATURES)
        if not blocked:
            return ""
        restriction.contract_unrestrict(
            contract=contract,
            today=today,
            reason=reason,
            features=sorted(blocked),
            dedupe_key=f"dunning:{case.pk}:lift:{contract.pk}:restrict:{today.isoformat()}",
        )
        return contract.number
    if action == A.SUSPEND:
        suspension = contract.suspensions.filter(
            lifted_on__isnull=True, kind=Suspension.Kind.NONPAYMENT
        ).first()
        if suspension is None:
            return ""
        suspension_lift(suspension=suspension, today=today, reason=reason)
        return contract.number
    return ""


def _cancel_and_lift(
    case: DunningCase, steps: Iterable[DunningStep], *, today: dt.date, reason: str
) -> list[str]:
    """Mark ``steps`` cancelled and lift the restrictions/suspensions they imposed where nothing else
    still justifies them. Returns the contracts lifted."""
    lifted: list[str] = []
    invoice = case.invoice
    policy = policy_for_invoice(invoice)
    steps = list(steps)
    for step in steps:
        step.cancelled_on = today
        step.save(update_fields=["cancelled_on"])
    for action in LIFTABLE:
        if not any(s.action == action for s in steps):
            continue
        if case.steps.filter(action=action, cancelled_on__isnull=True).exists():
            continue  # another step of the same kind in this case still stands
        for contract in Contract.objects.filter(pk__in=contract_ids_for(invoice, policy)).order_by("pk"):
            with acting_as(job="dunning", reason=reason[:100]):
                number = _lift(contract, action, case=case, today=today, reason=reason)
            if number:
                lifted.append(f"{number}:{action}")
    return lifted


def _resolve(case: DunningCase, *, today: dt.date, resolution: str) -> DunningCase:
    steps = case.steps.filter(action__in=LIFTABLE, cancelled_on__isnull=True)
    lifted = _cancel_and_lift(case, steps, today=today, reason=resolution)
    case.resolved_on = today
    case.resolution = resolution[:200]
    transition(case, DUNNING_CASE, DunningCase.Status.RESOLVED, today=today, reason=str(resolution),
               save_fields=["resolved_on", "resolution"])
    notify(
        customer=case.customer,
        event="dunning.resolved",
        context={
            "invoice_number": case.invoice.number,
            "resolution": resolution,
            "resolved_on": today.isoformat(),
            "lifted": lifted,
        },
        dedupe_key=f"dunning:{case.pk}:resolved:{today.isoformat()}",
        actor="dunning",
    )
    return case


def on_invoice_paid(*, invoice: Invoice, today: dt.date) -> None:
    """DUN-1: the invoice is paid in full (or voided): its case is resolved at once, later steps never
    run and restriction/suspension are lifted. Receives the ``events.invoice_paid`` that
    ``allocation.invoice_settle`` sends (under the customer lock, in its transaction); safe to call
    again."""
    cases = DunningCase.objects.select_for_update().filter(
        invoice=invoice, status__in=[*ACTIVE_CASE, DunningCase.Status.CLOSED]
    )
    for case in cases:
        label = _("완납") if invoice.status == Invoice.Status.PAID else _("전액 취소")
        _resolve(case, today=today, resolution=label)


def on_dispute_decided(*, dispute: Dispute, today: dt.date) -> None:
    """BIL-10/DUN-1: an upheld (or partly upheld) dispute cancels the steps its amount caused — those run
    before it was filed whose overdue amount the upheld amount (with VAT) covers — and lifts
    restriction/suspension that the remaining overdue amount no longer justifies (nothing remains
    overdue). A rejected dispute changes nothing here: its amount is dunned again from the next run."""
    if dispute.status not in (Dispute.Status.UPHELD, Dispute.Status.PARTIAL):
        return
    invoice = Invoice.objects.get(pk=dispute.invoice_id)
    upheld = dispute.upheld_amount_won  # money, VAT included (dispute_decide)
    case = invoice.dunning_cases.order_by("-pk").first()
    if case is None:
        return
    caused = [
        s
        for s in case.steps.filter(cancelled_on__isnull=True, executed_on__lt=dispute.filed_on)
        if s.amount_won <= upheld
    ]
    reason = _("이의신청 인용 (청구서 {number})").format(number=invoice.number)
    if case.status in ACTIVE_CASE and dunnable_won(invoice) <= 0:
        # Nothing remains overdue: no measure is justified any more.
        caused += [
            s for s in case.steps.filter(cancelled_on__isnull=True, action__in=LIFTABLE) if s not in caused
        ]
    if not caused:
        return
    if case.status in ACTIVE_CASE:
        _cancel_and_lift(case, caused, today=today, reason=reason)
    else:
        for step in caused:
            step.cancelled_on = today
            step.save(update_fields=["cancelled_on"])
