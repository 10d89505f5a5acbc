"""The dunning ladder (SPEC §6, DUN-1..4): what happens on day 1, 10, 30, 35 of an unpaid invoice.

Public API (stable; the admin, portal and API call these):

* :func:`dunning_run` — job ``dunning`` (daily 03:00).
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

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Customer
from contracts.effective import PolicyView
from contracts.models import Contract, ContractStatus, DunningAction, Suspension
from contracts.models.contract import LIVE
from contracts.services import restriction
from contracts.services.suspension import suspension_lift, suspension_schedule
from contracts.services.termination import operator_termination
from core.audit import acting_as
from core.calendar import BusinessCalendar, default_calendar
from core.errors import DomainError
from core.transitions import transition
from messaging.models import Notice
from messaging.services import notify

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
from . import ledger
from .collection import next_attempt_on
from .dunning_reads import (
    ACTIVE_CASE,
    PURGE_PREFIX,
    LadderPosition,
    PlannedStep,
    active_pause,
    contract_ids_for,
    ladder_plan,
    ladder_position,
    next_step_after,
    purge_due_on,
    step_date,
)
from .facts import dunnable_won, policy_for_invoice

__all__ = [
    "LadderPosition",
    "PlannedStep",
    "dunning_pause",
    "dunning_pause_cancel",
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


# --------------------------------------------------------------------------- the job


def dunning_run(*, today: dt.date) -> dict[str, int]:
    """Job ``dunning`` (daily 03:00): open cases for overdue invoices and run the steps due (SPEC §6)."""
    counts: Counter[str] = Counter()
    calendar = default_calendar()
    overdue = Invoice.objects.filter(status=Invoice.Status.ISSUED, due_date__lt=today).values_list(
        "id", "customer_id"
    )
    active = DunningCase.objects.filter(status__in=ACTIVE_CASE).values_list("invoice_id", "customer_id")
    by_customer: dict[int, set[int]] = defaultdict(set)
    for invoice_id, customer_id in [*overdue, *active]:
        by_customer[customer_id].add(invoice_id)
    for customer_id in sorted(by_customer):
        with transaction.atomic():
            Customer.objects.select_for_update().get(pk=customer_id)
            invoices = Invoice.objects.filter(pk__in=by_customer[customer_id]).select_related(
                "policy", "customer"
            )
            for invoice in invoices.order_by("due_date", "id"):
                _advance(invoice, today=today, calendar=calendar, counts=counts)
    keys = ("opened", "steps", "deferred", "paused", "resumed", "held", "resolved", "closed", "errors")
    return {key: counts[key] for key in keys}


def _open_case(invoice: Invoice) -> DunningCase | None:
    return DunningCase.objects.select_for_update().filter(invoice=invoice, status__in=ACTIVE_CASE).first()


def _case_for(invoice: Invoice, today: dt.date, counts: Counter[str]) -> DunningCase | None:
    case = _open_case(invoice)
    if case is not None:
        return case
    if invoice.dunning_cases.filter(status=DunningCase.Status.CLOSED).exists():
        return None  # the ladder ran to its end; nothing starts again
    previous = invoice.dunning_cases.filter(status=DunningCase.Status.RESOLVED).order_by("-pk").first()
    if previous is not None:
        # Overdue again after it was settled (a debit note reopened it): the same case goes on; steps
        # already executed stay done.
        previous.resolved_on = None
        previous.resolution = ""
        transition(previous, DUNNING_CASE, DunningCase.Status.OPEN, today=today,
                   save_fields=["resolved_on", "resolution"])
        counts["opened"] += 1
        return previous
    try:
        with transaction.atomic():
            case = DunningCase.objects.create(invoice=invoice, customer=invoice.customer, opened_on=today)
    except IntegrityError:
        return _open_case(invoice)
    counts["opened"] += 1
    return case


def _advance(invoice: Invoice, *, today: dt.date, calendar: BusinessCalendar, counts: Counter[str]) -> None:
    invoice.refresh_from_db(fields=["status", "paid_on"])
    if invoice.status != Invoice.Status.ISSUED:
        case = _open_case(invoice)
        if case is not None:  # paid before on_invoice_paid existed, or by a path that skipped it
            _resolve(case, today=today, resolution=_("완납"))
            counts["resolved"] += 1
        return
    amount = dunnable_won(invoice)
    if _open_case(invoice) is None and (amount <= 0 or invoice.due_date >= today):
        return
    case = _case_for(invoice, today, counts)
    if case is None:
        return
    pause = active_pause(invoice.customer_id, today)
    if pause is not None:
        if case.status != DunningCase.Status.PAUSED:
            transition(case, DUNNING_CASE, DunningCase.Status.PAUSED, today=today, reason=pause.reason)
        counts["paused"] += 1
        return
    if case.status == DunningCase.Status.PAUSED:
        transition(case, DUNNING_CASE, DunningCase.Status.OPEN, today=today)
        counts["resumed"] += 1
    if amount <= 0:
        counts["held"] += 1  # everything overdue is held by open disputes (BIL-10)
        return
    policy = policy_for_invoice(invoice)
    plan = ladder_plan(invoice, policy=policy, calendar=calendar)
    done = set(case.steps.values_list("index", flat=True))
    for planned in plan:
        if planned.index in done:
            continue
        if planned.on > today:
            break
        wait = _blocked(case, planned, plan, invoice, policy, today)
        if wait:
            counts["deferred"] += 1
            log.info("dunning case %s step %s waits: %s", case.pk, planned.index, wait)
            break
        if _execute(case, planned, plan, done, invoice, policy, amount, today):
            counts["steps"] += 1
        else:
            counts["errors"] += 1
        done.add(planned.index)
    _suspension_notice(case, plan, done, invoice, policy, amount, today)
    if plan and all(p.index in done for p in plan):
        case.resolution = _("모든 단계 완료")
        transition(case, DUNNING_CASE, DunningCase.Status.CLOSED, today=today, reason=str(case.resolution),
                   save_fields=["resolution"])
        counts["closed"] += 1


# --------------------------------------------------------------------------- waiting


def _auto_method(customer_id: int) -> bool:
    return PaymentMethod.objects.filter(
        customer_id=customer_id, is_default=True, active=True, kind__in=AUTO_METHODS
    ).exists()


def _attempts(invoice: Invoice) -> list[Payment]:
    """The collect_payments job's scheduled attempts (key ``invoice:{pk}:attempt:{n}``); a customer's
    pay-now charge or a payment staff typed in is not one of the policy's retries (BIL-8)."""
    prefix = f"invoice:{invoice.pk}:attempt:"
    scheduled = invoice.payments.filter(method__in=AUTO_METHODS, idempotency_key__startswith=prefix)
    return list(scheduled.order_by("attempt"))


def _collection_due(invoice: Invoice, today: dt.date) -> bool:
    """An automatic charge of the invoice is pending, or due today or earlier and not made yet."""
    if not _auto_method(invoice.customer_id):
        return False
    if any(p.status == Payment.Status.PENDING for p in _attempts(invoice)):
        return True
    due = next_attempt_on(invoice)
    return due is not None and due <= today


def _retry_ordinal(planned: PlannedStep, plan: list[PlannedStep]) -> int:
    retries = sorted((p for p in plan if p.action == A.RETRY_PAYMENT), key=lambda p: (p.on, p.index))
    return [p.index for p in retries].index(planned.index) + 1


def _blocked(
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    today: dt.date,
) -> str:
    """Why ``planned`` (and every step after it) must wait today, or "" when it may run."""
    if planned.action == A.RETRY_PAYMENT:
        if not _auto_method(invoice.customer_id):
            return ""
        k = _retry_ordinal(planned, plan)
        attempts = _attempts(invoice)
        made = [p for p in attempts if p.status != Payment.Status.PENDING]
        if len(made) >= k or (
            next_attempt_on(invoice) is None and not any(p.status == Payment.Status.PENDING for p in attempts)
        ):
            return ""
        return f"collect_payments has not made attempt {k} yet"
    if planned.action in MEASURES and _collection_due(invoice, today):
        return "an automatic charge is due or pending"
    if planned.action == A.SUSPEND and policy.suspension_notice_days:
        noticed = _suspension_noticed_on(case, planned)
        if noticed is None or noticed + dt.timedelta(days=policy.suspension_notice_days) > today:
            return "suspension notice period running"
    return ""


# --------------------------------------------------------------------------- executing


def _execute(
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    done: set[int],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
) -> bool:
    """Record and carry out one step with its notice, once. Returns False when its effect failed (the
    step is still recorded, with the error, so the ladder goes on and staff see it)."""
    ok = True
    with transaction.atomic():
        step = DunningStep.objects.create(
            case=case,
            index=planned.index,
            action=planned.action,
            scheduled_on=planned.on,
            executed_on=today,
            amount_won=amount,
        )
        try:
            with transaction.atomic(), acting_as(job="dunning", reason=f"DUN {invoice.number}"):
                detail = _ACTIONS[planned.action](case, planned, plan, invoice, policy, amount, today)
        except DomainError as exc:
            ok = False
            detail = f"{_('실패')}: {exc.message_ko}"
            log.error("dunning case %s step %s (%s) failed: %s", case.pk, planned.index, planned.action, exc)
        step.detail = detail[:300]
        step.save(update_fields=["detail"])
        nxt = next_step_after(planned, plan, done | {planned.index})
        notify(
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
            actor="dunning",
        )
    return ok


def _reason(invoice: Invoice, amount: int) -> str:
    return _("요금 미납: 청구서 {number}, 미납액 {amount}원 (납기일 {due})").format(
        number=invoice.number, amount=f"{amount:,}", due=invoice.due_date.isoformat()
    )


def _do_notify(
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
) -> str:
    return _("미납 안내 ({days}일 경과)").format(days=(today - invoice.due_date).days)


def _do_retry(
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
) -> str:
    if not _auto_method(invoice.customer_id):
        return _("자동 결제 수단 없음: 안내만")
    k = _retry_ordinal(planned, plan)
    attempts = [p for p in _attempts(invoice) if p.status != Payment.Status.PENDING]
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
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
) -> str:
    numbers = []
    for contract in _targets(invoice, policy):
        if contract.status not in restriction.RESTRICTABLE:
            continue
        restriction.contract_restrict(
            contract=contract,
            features=restriction.NONPAYMENT_FEATURES,
            today=today,
            reason=_reason(invoice, amount),
            dedupe_key=f"dunning:{case.pk}:step:{planned.index}:contract:{contract.pk}",
        )
        numbers.append(contract.number)
    return _("이용 제한 ({features}): {contracts}").format(
        features=", ".join(restriction.NONPAYMENT_FEATURES), contracts=", ".join(numbers) or "-"
    )


def _do_suspend(
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
) -> str:
    numbers = []
    for contract in _targets(invoice, policy):
        if (
            contract.status != ContractStatus.ACTIVE
            or contract.suspensions.filter(lifted_on__isnull=True).exists()
        ):
            continue
        suspension_schedule(
            contract=contract, reason=_reason(invoice, amount), today=today, kind=Suspension.Kind.NONPAYMENT
        )
        numbers.append(contract.number)
    return _("이용 정지: {contracts}").format(contracts=", ".join(numbers) or "-")


def _do_terminate(
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
) -> str:
    parts = []
    for contract in _targets(invoice, policy):
        if contract.status not in (ContractStatus.ACTIVE, ContractStatus.SUSPENDED):
            continue
        contract = operator_termination(
            contract=contract,
            reasons=["nonpayment"],
            today=today,
            note=_reason(invoice, amount),
            nonpayment=True,
        )
        parts.append(f"{contract.number}→{contract.termination_effective_on}")
    return _("직권 해지: {contracts}").format(contracts=", ".join(parts) or "-")


def _do_collections(
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
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
    case: DunningCase,
    planned: PlannedStep,
    plan: list[PlannedStep],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
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


def _suspension_noticed_on(case: DunningCase, planned: PlannedStep) -> dt.date | None:
    context = (
        Notice.objects.filter(dedupe_key=_notice_key(case, planned)).values_list("context", flat=True).first()
    )
    if not context or not context.get("noticed_on"):
        return None
    return dt.date.fromisoformat(context["noticed_on"])


def _suspension_notice(
    case: DunningCase,
    plan: list[PlannedStep],
    done: set[int],
    invoice: Invoice,
    policy: PolicyView,
    amount: int,
    today: dt.date,
) -> None:
    days = policy.suspension_notice_days
    if not days:
        return
    upcoming = next((p for p in plan if p.action == A.SUSPEND and p.index not in done), None)
    if upcoming is None or upcoming.on - dt.timedelta(days=days) > today:
        return
    if _suspension_noticed_on(case, upcoming) is not None:
        return
    notify(
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
        actor="dunning",
    )


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


# --------------------------------------------------------------------------- DUN-3: pausing


def _extension_cap(customer: Customer, calendar: BusinessCalendar) -> tuple[dt.date, int] | None:
    """The latest end a pause may have under ``max_suspension_extension_days`` (dcloud 60 days from the
    restriction/suspension, 002 art.33①), over the customer's active cases; None when unlimited."""
    caps: list[tuple[dt.date, int]] = []
    for case in DunningCase.objects.filter(customer=customer, status__in=ACTIVE_CASE).select_related(
        "invoice__policy"
    ):
        policy = policy_for_invoice(case.invoice)
        limit = policy.max_suspension_extension_days
        if not limit:
            continue
        plan = ladder_plan(case.invoice, policy=policy, calendar=calendar)
        measure = next((p for p in plan if p.action in (A.RESTRICT, A.SUSPEND)), None)
        if measure is None:
            continue
        executed = case.steps.filter(index=measure.index).values_list("executed_on", flat=True).first()
        caps.append(((executed or measure.on) + dt.timedelta(days=limit), limit))
    return min(caps) if caps else None


def dunning_pause(
    *, customer: Customer, reason: str, ends_on: dt.date, today: dt.date, actor: Any = None
) -> DunningPause:
    """DUN-3: staff pause the customer's ladder until ``ends_on`` (inclusive) with a reason; the cases
    resume the day after (see the module docstring). ``actor`` is the staff user."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", gettext_lazy("유예 사유를 입력해야 합니다."), rule="DUN-3", field="reason"
        )
    if ends_on < today:
        raise DomainError(
            "date_in_past",
            gettext_lazy("유예 종료일 {date}은(는) 오늘({today}) 이전입니다."),
            rule="DUN-3",
            field="ends_on",
            date=ends_on.isoformat(),
            today=today.isoformat(),
        )
    with transaction.atomic():
        customer = ledger.lock_customer(customer)
        cap = _extension_cap(customer, default_calendar())
        if cap is not None and ends_on > cap[0]:
            raise DomainError(
                "extension_too_long",
                gettext_lazy("이용 정지 연장은 최대 {days}일, {cap}까지입니다."),
                rule="DUN-3",
                field="ends_on",
                days=cap[1],
                cap=cap[0].isoformat(),
            )
        user = actor if getattr(actor, "pk", None) and hasattr(actor, "get_username") else None
        with acting_as(user, reason=reason[:100]) if user else acting_as(job="dunning", reason=reason[:100]):
            pause = DunningPause.objects.create(
                customer=customer, reason=reason, starts_on=today, ends_on=ends_on, created_by=user
            )
            cases = list(
                DunningCase.objects.select_for_update().filter(
                    customer=customer, status=DunningCase.Status.OPEN
                )
            )
            for case in cases:
                transition(case, DUNNING_CASE, DunningCase.Status.PAUSED, today=today, reason=reason)
        notify(
            customer=customer,
            event="dunning.paused",
            context={
                "reason": reason,
                "starts_on": today.isoformat(),
                "ends_on": ends_on.isoformat(),
                "resumes_on": (ends_on + dt.timedelta(days=1)).isoformat(),
            },
            dedupe_key=f"dunning-pause:{pause.pk}",
            actor=actor,
        )
    return pause


def dunning_pause_cancel(
    *, pause: DunningPause, today: dt.date, reason: str = "", actor: Any = None
) -> DunningPause:
    """End a pause early; the cases resume on the next ``dunning`` run."""
    with transaction.atomic():
        ledger.lock_customer(pause.customer)
        pause = DunningPause.objects.select_for_update().get(pk=pause.pk)
        if pause.cancelled_on is not None:
            raise DomainError(
                "pause_cancelled",
                gettext_lazy("이미 {date}에 철회된 유예입니다."),
                rule="DUN-3",
                field="cancelled_on",
                date=pause.cancelled_on.isoformat(),
            )
        pause.cancelled_on = today
        pause.save(update_fields=["cancelled_on", "updated_at"])
        notify(
            customer=pause.customer,
            event="dunning.pause_cancelled",
            context={
                "reason": reason,
                "cancelled_on": today.isoformat(),
                "ends_on": pause.ends_on.isoformat(),
            },
            dedupe_key=f"dunning-pause:{pause.pk}:cancelled",
            actor=actor,
        )
    return pause
