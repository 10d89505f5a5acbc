"""Disputes (이의신청, BIL-10): a customer objects to an invoice line (or the invoice) with a reason.

* Window per policy: ``officecore`` 6 months from the invoice, no limit when the operator erred
  (000 art.17①); ``dcloud`` 15 days from issue (002 art.35①); ``damoa`` 1 month from the day the
  customer knew and 2 months from the cause, whichever closes first (004 art.20-2). A policy with
  no window (``flow``, ``kgmsg``) accepts a dispute at any time. Refused after the window with the
  date it closed: ``BIL-10: 이의신청 기간이 2026-12-05에 종료되었습니다``. The last day is included.
  Without ``known_on``/``cause_on`` both default to the invoice's issue date (the day the charge was
  made and made known).
* Amount: in the invoice's price basis (VAT-exclusive supply, or the VAT-inclusive amount for
  ``vat_inclusive`` invoices) — the basis of the line amounts and of
  :func:`billing.services.notes.credit_note_issue`; at most the line's amount minus what other live
  disputes on it already claim (an open one its amount, a decided one its credit note), or the
  invoice's creditable amount (every credit note already taken off) minus what open disputes claim.
* ``answer_due_on`` = filed + ``dispute_answer_days`` (``officecore`` 14, ``dcloud`` 7); staff may set a
  later date with a reason (:func:`dispute_extend`; 000 art.17③, 002 art.35②).
* While open, the disputed amount *with its VAT* (:func:`held_won`) is held out of the dunning ladder
  and out of late charges; undisputed parts stay payable and dunned (003 art.7-2).
* :func:`dispute_decide`: the upheld amount is given VAT included (the amount credited); upheld/partial
  issues a credit note of exactly that total (reason ``dispute_upheld``) and lets the ladder cancel the
  steps the amount caused (the "dispute decided" event of :mod:`billing.services.events`, received by
  ``dunning.on_dispute_decided``); rejected returns the amount to dunning (steps whose dates passed
  meanwhile run on the next ``dunning`` run).

Events: ``dispute.filed``, ``dispute.extended``, ``dispute.decided``, ``dispute.withdrawn``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from contracts.effective import PolicyView
from core.calendar import add_months
from core.errors import DomainError
from core.transitions import transition
from messaging.services import notify

from ..lifecycles import DISPUTE
from ..models import CreditNote, Dispute, Invoice, InvoiceLine
from . import events, ledger
from .facts import held_won, held_won_on, policy_for_invoice, require_positive_won, with_vat
from .notes import credit_note_issue, creditable_amount

__all__ = [
    "dispute_decide",
    "dispute_extend",
    "dispute_file",
    "dispute_window_closes_on",
    "dispute_withdraw",
    "held_won",
    "held_won_on",
    "open_disputes",
    "policy_for_invoice",
    "with_vat",
]

RULE = "BIL-10"
LIVE_STATUSES = (Dispute.Status.OPEN, Dispute.Status.UPHELD, Dispute.Status.PARTIAL)


# ``held_won``, ``held_won_on``, ``policy_for_invoice`` and ``with_vat`` are defined in ``facts`` (every
# invoice needs them); they stay importable from here for late charges and the interfaces.


def dispute_window_closes_on(
    invoice: Invoice,
    *,
    operator_erred: bool = False,
    known_on: dt.date | None = None,
    cause_on: dt.date | None = None,
    policy: PolicyView | None = None,
) -> dt.date | None:
    """The last day a dispute on ``invoice`` may be filed, or None when there is no limit (BIL-10)."""
    policy = policy or policy_for_invoice(invoice)
    if operator_erred and policy.dispute_no_limit_if_operator_erred:
        return None
    limits: list[dt.date] = []
    if policy.dispute_window_days:
        limits.append(invoice.issue_date + dt.timedelta(days=policy.dispute_window_days))
    if policy.dispute_window_months:
        limits.append(add_months(invoice.issue_date, policy.dispute_window_months))
    if policy.dispute_months_from_knowing:
        limits.append(add_months(known_on or invoice.issue_date, policy.dispute_months_from_knowing))
    if policy.dispute_months_from_cause:
        limits.append(add_months(cause_on or invoice.issue_date, policy.dispute_months_from_cause))
    return min(limits) if limits else None


def _claimed(qs: QuerySet[Dispute]) -> int:
    """What live disputes claim, in the invoice's price basis: an open one its amount, a decided one
    what its credit note credited (supply for a VAT-exclusive invoice, total for a VAT-inclusive one)."""
    total = 0
    for d in qs.filter(status__in=LIVE_STATUSES).select_related("credit_note", "invoice"):
        if d.status == Dispute.Status.OPEN:
            total += d.amount_won
        elif d.credit_note is not None:
            note = d.credit_note
            total += note.total_won if d.invoice.vat_inclusive else note.supply_won
    return total


# --------------------------------------------------------------------------- services


def _notify(dispute: Dispute, event: str, *, today: dt.date, suffix: str, **extra: Any) -> None:
    invoice = dispute.invoice
    context = {
        "dispute_id": dispute.pk,
        "invoice_number": invoice.number,
        "amount_won": dispute.amount_won,
        "reason": dispute.reason,
        "filed_on": dispute.filed_on,
        "answer_due_on": dispute.answer_due_on,
        "status": str(dispute.get_status_display()),
        "today": today,
        **extra,
    }
    notify(
        customer=invoice.customer,
        event=event,
        context={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in context.items()},
        dedupe_key=f"dispute:{dispute.pk}:{suffix}",
    )


def dispute_file(
    *,
    invoice: Invoice,
    amount_won: int,
    reason: str,
    today: dt.date,
    line: InvoiceLine | None = None,
    member: Member | None = None,
    operator_erred: bool = False,
    known_on: dt.date | None = None,
    cause_on: dt.date | None = None,
) -> Dispute:
    """File a dispute within the policy window (BIL-10). Nothing is written when a check fails."""
    amount_won = require_positive_won(amount_won, rule=RULE)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("reason_required", _("이의신청 사유를 입력해야 합니다."), rule=RULE, field="reason")
    if line is not None and line.invoice_id != invoice.pk:
        raise DomainError("wrong_invoice", _("다른 청구서의 항목입니다."), rule=RULE, field="line")
    if member is not None and member.customer_id != invoice.customer_id:
        raise DomainError("wrong_customer", _("다른 고객의 구성원입니다."), rule=RULE, field="member")
    for name, day in (("known_on", known_on), ("cause_on", cause_on)):
        if day is not None and day > today:
            raise DomainError(
                "date_in_future",
                _("{name}({date})은(는) 오늘 이후일 수 없습니다."),
                rule=RULE,
                field=name,
                name=name,
                date=day.isoformat(),
            )
    policy = policy_for_invoice(invoice)
    closes_on = dispute_window_closes_on(
        invoice, operator_erred=operator_erred, known_on=known_on, cause_on=cause_on, policy=policy
    )
    if closes_on is not None and today > closes_on:
        raise DomainError(
            "dispute_window_closed",
            _("이의신청 기간이 {closed_on}에 종료되었습니다"),
            rule=RULE,
            field="filed_on",
            closed_on=closes_on.isoformat(),
        )
    with transaction.atomic():
        customer = ledger.lock_customer(invoice.customer)
        invoice = Invoice.objects.select_related("policy").get(pk=invoice.pk)
        if invoice.status == Invoice.Status.VOID:
            raise DomainError(
                "invoice_void",
                _("청구서 {number}는 이미 전액 취소되었습니다."),
                rule=RULE,
                field="invoice",
                number=invoice.number,
            )
        if line is not None:
            limit = line.amount_won - _claimed(Dispute.objects.filter(line=line))
            what = line.description
        else:
            # The creditable amount already takes off every credit note, those of decided disputes
            # included: only open disputes (on the invoice or its lines) still claim part of it.
            open_ones = Dispute.objects.filter(invoice=invoice, status=Dispute.Status.OPEN)
            limit = creditable_amount(invoice) - _claimed(open_ones)
            what = invoice.number
        if amount_won > limit:
            raise DomainError(
                "dispute_exceeds_amount",
                _("이의 금액 {amount}원이 이의 가능한 금액 {limit}원({what})을 넘습니다."),
                rule=RULE,
                field="amount_won",
                amount=amount_won,
                limit=max(limit, 0),
                what=what,
            )
        dispute = Dispute.objects.create(
            invoice=invoice,
            line=line,
            customer=customer,
            amount_won=amount_won,
            reason=reason,
            operator_erred=operator_erred,
            known_on=known_on,
            cause_on=cause_on,
            filed_on=today,
            filed_by=member,
            answer_due_on=today + dt.timedelta(days=policy.dispute_answer_days or 0),
        )
        _notify(dispute, "dispute.filed", today=today, suffix="filed", window_closes_on=closes_on)
    return dispute


def _lock_open(dispute: Dispute, action: Any) -> Dispute:
    dispute = Dispute.objects.select_for_update().select_related("invoice__policy").get(pk=dispute.pk)
    if dispute.status != Dispute.Status.OPEN:
        raise DomainError(
            "dispute_not_open",
            _("이의신청이 이미 '{status}' 상태라 {action}할 수 없습니다."),
            rule=RULE,
            field="status",
            status=dispute.get_status_display(),
            action=action,
        )
    return dispute


def dispute_extend(
    *, dispute: Dispute, new_due_on: dt.date, reason: str, today: dt.date | None = None
) -> Dispute:
    """Staff move the answer deadline later with a reason (000 art.17③, 002 art.35②); told to the customer."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            "reason_required", _("답변 기한 연장 사유를 입력해야 합니다."), rule=RULE, field="reason"
        )
    with transaction.atomic():
        ledger.lock_customer(dispute.customer)
        dispute = _lock_open(dispute, _("기한 연장"))
        if new_due_on <= dispute.answer_due_on:
            raise DomainError(
                "due_not_later",
                _("새 답변 기한 {new}은(는) 현재 기한 {current}보다 늦어야 합니다."),
                rule=RULE,
                field="new_due_on",
                new=new_due_on.isoformat(),
                current=dispute.answer_due_on.isoformat(),
            )
        previous = dispute.answer_due_on
        dispute.answer_due_on = new_due_on
        dispute.due_extension_reason = reason[:300]
        dispute.save(update_fields=["answer_due_on", "due_extension_reason", "updated_at"])
        _notify(
            dispute,
            "dispute.extended",
            today=today or previous,
            suffix=f"extended:{new_due_on.isoformat()}",
            previous_due_on=previous,
            extension_reason=reason,
        )
    return dispute


def dispute_decide(*, dispute: Dispute, upheld_amount_won: int, answer: str, today: dt.date) -> Dispute:
    """Answer a dispute (BIL-10): all of it upheld, part of it, or rejected (0).

    ``upheld_amount_won`` is money, VAT included — what the answer form states and what the customer is
    credited: the credit note's total is exactly that amount (6,600 upheld on a VAT-exclusive 10%
    invoice → a 6,600 credit note of 6,000 supply + 600 VAT). It is at most the disputed amount with
    its VAT (:func:`with_vat`; the dispute's ``amount_won`` is in the invoice's price basis); that much
    is "upheld", less is "partly upheld". The dispute records it as given.

    Upheld/partial: a credit note (``dispute_upheld``), then the ladder cancels the steps the amount
    caused and lifts restriction/suspension the rest no longer justifies (DUN-1, the "dispute decided"
    event). Rejected: the amount is dunned again from the next run.
    """
    if isinstance(upheld_amount_won, bool) or not isinstance(upheld_amount_won, int) or upheld_amount_won < 0:
        raise DomainError(
            "amount_invalid",
            _("인용 금액은 0 이상의 원 단위 정수여야 합니다."),
            rule=RULE,
            field="upheld_amount_won",
        )
    answer = (answer or "").strip()
    if not answer:
        raise DomainError("answer_required", _("답변 내용을 입력해야 합니다."), rule=RULE, field="answer")
    with transaction.atomic():
        ledger.lock_customer(dispute.customer)
        dispute = _lock_open(dispute, _("결정"))
        claimed_won = with_vat(dispute.invoice, dispute.amount_won)
        if upheld_amount_won > claimed_won:
            raise DomainError(
                "upheld_exceeds_dispute",
                _("인용 금액 {upheld}원이 부가세를 포함한 이의 금액 {amount}원을 넘습니다."),
                rule=RULE,
                field="upheld_amount_won",
                upheld=upheld_amount_won,
                amount=claimed_won,
            )
        if upheld_amount_won == 0:
            outcome = Dispute.Status.REJECTED
        elif upheld_amount_won == claimed_won:
            outcome = Dispute.Status.UPHELD
        else:
            outcome = Dispute.Status.PARTIAL
        DISPUTE.check(dispute, outcome)
        dispute.upheld_amount_won = upheld_amount_won
        dispute.answer = answer
        dispute.answered_on = today
        fields = ["upheld_amount_won", "answer", "answered_on"]
        if upheld_amount_won:
            note = credit_note_issue(
                invoice=dispute.invoice,
                amount_won=upheld_amount_won,
                vat_included=True,
                reason=CreditNote.Reason.DISPUTE_UPHELD,
                description=f"이의신청 #{dispute.pk} 인용: {dispute.reason}"[:500],
                today=today,
                idempotency_key=f"dispute:{dispute.pk}",
            )
            dispute.credit_note = note
            fields.append("credit_note")
        transition(dispute, DISPUTE, outcome, today=today, reason=answer, save_fields=fields)
        events.dispute_decided(dispute=dispute, today=today)
        _notify(
            dispute,
            "dispute.decided",
            today=today,
            suffix="decided",
            # Both VAT included, so the notice's "upheld"/"partly upheld" compares like with like.
            amount_won=claimed_won,
            upheld_amount_won=upheld_amount_won,
            answer=answer,
            credit_note_number=dispute.credit_note.number if dispute.credit_note else "",
        )
    return dispute


def dispute_withdraw(*, dispute: Dispute, today: dt.date, reason: str = "") -> Dispute:
    """The customer withdraws an open dispute: its amount is dunned again (and counts for late charges)."""
    with transaction.atomic():
        ledger.lock_customer(dispute.customer)
        dispute = _lock_open(dispute, _("취하"))
        dispute.answered_on = today
        dispute.answer = (reason or "").strip() or str(_("고객 취하"))
        transition(dispute, DISPUTE, Dispute.Status.WITHDRAWN, today=today, reason=dispute.answer,
                   save_fields=["answered_on", "answer"])
        _notify(dispute, "dispute.withdrawn", today=today, suffix="withdrawn")
    return dispute


def open_disputes(invoice: Invoice) -> QuerySet[Dispute]:
    return Dispute.objects.filter(Q(invoice=invoice) & Q(status=Dispute.Status.OPEN))
