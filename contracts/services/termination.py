"""Ending a contract: customer termination, withdrawal, operator termination (CON-7..9)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.calendar import BusinessCalendar
from core.errors import DomainError
from messaging.services import notices_together

from ..effective import effective_policy
from ..models import Contract, ContractStatus, Suspension, TerminationKind, TerminationReason
from ..settlement import Settlement, preview
from .lifecycle import ensure_status, lock, notify_contract, transition

# Termination kinds for which the customer pays no penalty (BIL-14).
PENALTY_FREE = {TerminationKind.TERMS_REFUSED, TerminationKind.PRICE_REFUSED, TerminationKind.OPERATOR_FAULT}

# Terminations the customer asked for (or let happen at term end): unpaid fees are settled before they
# complete where the policy says so (CON-7, 002 art.20②). Operator and non-payment terminations are not held.
SETTLEMENT_REQUIRED_KINDS = {
    TerminationKind.CUSTOMER,
    TerminationKind.TERMS_REFUSED,
    TerminationKind.PRICE_REFUSED,
    TerminationKind.OPERATOR_FAULT,
    TerminationKind.TERM_END,
}


def settlement_as_dict(settlement: Settlement) -> dict[str, object]:
    """The preview as stored on the contract, so what the customer saw is what was requested (CON-7)."""
    return {
        "effective_on": settlement.effective_on.isoformat(),
        "total_won": settlement.total_won,
        "complete": settlement.complete,
        "lines": [
            {
                "kind": line.kind,
                "description": str(line.description),
                "amount_won": line.amount_won,
                "basis": line.basis,
            }
            for line in settlement.lines
        ],
    }


def unpaid_blocking(contract: Contract, today: dt.date) -> int:
    """Unpaid won that keeps ``contract`` in ``terminating`` (0 when nothing blocks it) (CON-7)."""
    if not _needs_settlement(contract):
        return 0
    from .applications import unpaid_won

    return unpaid_won(contract.customer, today)


def _needs_settlement(contract: Contract) -> bool:
    """CON-7: the contract's kind of termination and its policy make unpaid fees block it."""
    return (
        contract.termination_kind in SETTLEMENT_REQUIRED_KINDS
        and effective_policy(contract).termination_requires_settlement
    )


def earliest_termination_date(contract: Contract, today: dt.date) -> dt.date:
    """Today plus the policy's customer notice (dcloud 7 days, 002 art.20②)."""
    return today + dt.timedelta(days=effective_policy(contract).customer_termination_notice_days)


def termination_preview(
    *, contract: Contract, effective_on: dt.date, today: dt.date, kind: str = TerminationKind.CUSTOMER
) -> Settlement:
    """What the final settlement will charge or refund, shown before the customer confirms (CON-7).

    Computed from the contract as stored now, not from the object passed in: a caller holding an object
    loaded before a plan or seat change would otherwise show another amount than the one
    :func:`termination_request` records."""
    current = current_state(contract)
    _check_termination_date(current, effective_on, today, kind)
    return preview(current, effective_on, penalty_exempt=kind in PENALTY_FREE)


def current_state(contract: Contract) -> Contract:
    """``contract`` re-read from the database with what its settlement depends on (plan, policy, customer);
    its special terms and invoices are queried afresh by the calculator."""
    return Contract.objects.select_related("plan", "policy", "customer").get(pk=contract.pk)


def _check_termination_date(contract: Contract, effective_on: dt.date, today: dt.date, kind: str) -> None:
    if effective_on < today:
        raise DomainError(
            "date_in_past",
            _("해지 효력일 {date}은(는) 오늘({today}) 이전입니다."),
            rule="CON-7",
            field="effective_on",
            date=effective_on,
            today=today,
        )
    if kind == TerminationKind.CUSTOMER:
        earliest = earliest_termination_date(contract, today)
        if effective_on < earliest:
            raise DomainError(
                "notice_too_short",
                _("해지는 {days}일 전에 신청해야 합니다. 가장 빠른 해지 효력일: {earliest}"),
                rule="CON-7",
                field="effective_on",
                days=effective_policy(contract).customer_termination_notice_days,
                earliest=earliest,
            )


def termination_request(
    *,
    contract: Contract,
    effective_on: dt.date,
    today: dt.date,
    kind: str = TerminationKind.CUSTOMER,
    reason: str = "",
) -> Contract:
    """The customer (or staff for the customer) gives notice; the contract is ``terminating`` until
    the effective date (CON-7). Terms/price refusals and operator fault carry no penalty (BIL-14)."""
    with transaction.atomic():
        contract = lock(contract)
        termination_check(contract)
        _check_termination_date(contract, effective_on, today, kind)
        settlement = preview(contract, effective_on, penalty_exempt=kind in PENALTY_FREE)
        contract.termination_kind = kind
        contract.termination_requested_on = today
        contract.termination_effective_on = effective_on
        contract.termination_note = reason
        contract.penalty_exempt = kind in PENALTY_FREE
        contract.termination_settlement = settlement_as_dict(settlement)
        contract.renewal_stopped = True
        contract.renewal_stop_reason = str(_("해지 신청"))
        transition(
            contract,
            ContractStatus.TERMINATING,
            today=today,
            reason=reason,
            context={"effective_on": effective_on, "settlement_total_won": settlement.total_won},
            save_fields=[
                "termination_kind",
                "termination_requested_on",
                "termination_effective_on",
                "termination_note",
                "penalty_exempt",
                "termination_settlement",
                "renewal_stopped",
                "renewal_stop_reason",
            ],
        )
    return contract


def operator_termination(
    *,
    contract: Contract,
    reasons: Iterable[str],
    today: dt.date,
    note: str = "",
    effective_on: dt.date | None = None,
    nonpayment: bool = False,
) -> Contract:
    """직권해지 for listed reasons with notice (CON-9); ``damoa`` gives 30 days to explain (004 art.25-3)."""
    codes = list(dict.fromkeys(reasons))
    if not codes:
        raise DomainError(
            "reason_required", _("해지 사유를 하나 이상 선택해야 합니다."), rule="CON-9", field="reasons"
        )
    unknown = [c for c in codes if c not in TerminationReason.values]
    if unknown:
        raise DomainError(
            "unknown_reason",
            _("알 수 없는 해지 사유: {reasons}"),
            rule="CON-9",
            field="reasons",
            reasons=", ".join(unknown),
        )
    if TerminationReason.REPEATED_VIOLATION in codes:
        from .suspension import repeated_violation

        if not repeated_violation(contract, today):
            raise DomainError(
                "no_repeated_violation",
                _(
                    "최근 {days}일 안에 위반으로 이용 정지된 이력이 없어 반복 위반을 사유로 해지할 수 "
                    "없습니다."
                ),
                rule="CON-10",
                field="reasons",
                days=effective_policy(contract).repeated_violation_window_days,
            )
    explain_days = effective_policy(contract).operator_termination_explanation_days
    earliest = today + dt.timedelta(days=explain_days)
    effective = effective_on or earliest
    if effective < earliest:
        raise DomainError(
            "notice_too_short",
            _("직권 해지 효력일은 소명 기간 {days}일 이후({earliest})여야 합니다."),
            rule="CON-9",
            field="effective_on",
            days=explain_days,
            earliest=earliest,
        )
    with transaction.atomic():
        contract = lock(contract)
        termination_check(contract, action=_("직권 해지"))
        contract.termination_kind = TerminationKind.NONPAYMENT if nonpayment else TerminationKind.OPERATOR
        contract.termination_reasons = codes
        contract.termination_requested_on = today
        contract.termination_effective_on = effective
        contract.termination_note = note
        contract.renewal_stopped = True
        contract.renewal_stop_reason = str(_("직권 해지"))
        transition(
            contract,
            ContractStatus.TERMINATING,
            today=today,
            reason=note,
            event="contract.operator_termination",
            context={
                "effective_on": effective,
                "explanation_days": explain_days,
                "reasons": [str(TerminationReason(c).label) for c in codes],
            },
            save_fields=[
                "termination_kind",
                "termination_reasons",
                "termination_requested_on",
                "termination_effective_on",
                "termination_note",
                "renewal_stopped",
                "renewal_stop_reason",
            ],
        )
    return contract


def termination_complete(*, contract: Contract, today: dt.date) -> Contract:
    """terminating → terminated on or after the effective date; refused while unpaid fees must first be
    settled (CON-7, 002 art.20②)."""
    with transaction.atomic():
        contract = lock(contract)
        complete_check(contract, today)
        _complete(contract, today, list(contract.suspensions.filter(lifted_on__isnull=True)))
    return contract


def _complete(contract: Contract, today: dt.date, open_suspensions: list[Suspension]) -> None:
    """Terminate ``contract`` (locked, checked) on its effective date and lift its open suspensions."""
    effective = contract.termination_effective_on
    assert effective is not None  # complete_check refuses a contract without one
    contract.terminated_on = effective
    transition(contract, ContractStatus.TERMINATED, today=today, save_fields=["terminated_on"])
    for suspension in open_suspensions:
        suspension.lifted_on = max(effective, suspension.starts_on)
        suspension.lift_reason = str(_("계약 해지"))
        suspension.save(update_fields=["lifted_on", "lift_reason", "updated_at"])


#: Contracts per transaction of ``complete_terminations`` (issue 16).
COMPLETE_BATCH = 200


def complete_due(*, today: dt.date) -> dict[str, int]:
    """Job ``complete_terminations``: terminating → terminated on the effective date (CON-7). A contract
    with unpaid fees to settle first stays ``terminating``; the customer is told once.

    A transaction per ``COMPLETE_BATCH`` contracts (issue 16: was one, and about 28 queries, per contract):
    the batch locked in one statement (``SKIP LOCKED``: a contract another worker holds is left to it) and
    checked again under the lock, the notices sent together; two workers complete each contract once."""
    done = waiting = 0
    pks = list(
        Contract.objects.filter(status=ContractStatus.TERMINATING, termination_effective_on__lte=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for i in range(0, len(pks), COMPLETE_BATCH):
        with transaction.atomic(), notices_together():
            contracts = list(
                Contract.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("customer", "plan", "policy")
                .prefetch_related(
                    "special_terms",
                    Prefetch(
                        "suspensions", Suspension.objects.filter(lifted_on__isnull=True), "open_suspensions"
                    ),
                )
                .filter(pk__in=pks[i : i + COMPLETE_BATCH], status=ContractStatus.TERMINATING,
                        termination_effective_on__lte=today)
                .order_by("pk")
            )
            settling = [c for c in contracts if _needs_settlement(c)]  # each contract's policy read once
            unpaid = _unpaid_by_customer(settling, today)
            needs = {c.pk for c in settling}
            for contract in contracts:
                owed = unpaid.get(contract.customer_id, 0) if contract.pk in needs else 0
                if owed:
                    notify_contract(
                        contract,
                        "contract.termination_awaiting_settlement",
                        today=today,
                        dedupe_key=f"contract:{contract.pk}:termination-awaiting-settlement",
                        context={"unpaid_won": owed},
                    )
                    waiting += 1
                    continue
                _complete(contract, today, contract.open_suspensions)
                done += 1
    return {"terminated": done, "awaiting_settlement": waiting}


def _unpaid_by_customer(settling: Iterable[Contract], today: dt.date) -> dict[int, int]:
    """The unpaid won of each customer of ``settling`` (contracts that must settle before terminating,
    CON-7)."""
    from .applications import unpaid_won

    customers = {c.customer_id: c.customer for c in settling}
    return {pk: unpaid_won(customer, today) for pk, customer in customers.items()}


def withdrawal_deadline(contract: Contract) -> dt.date | None:
    """The last day of the cooling-off window (CON-8), or None when the policy has none."""
    policy = effective_policy(contract)
    days = policy.withdrawal_days
    if not days:
        return None
    if policy.withdrawal_from == "order":
        start = contract.applied_on
        if policy.withdrawal_trial_starts_clock and contract.trial_started_on:
            start = min(start, contract.trial_started_on)
    else:
        start = contract.activated_on or contract.activation_date or contract.applied_on
    if policy.withdrawal_business_days:
        return BusinessCalendar().add_business_days(start, days)
    return start + dt.timedelta(days=days)


def contract_withdraw(*, contract: Contract, today: dt.date, reason: str = "") -> Contract:
    """청약철회: before activation always; after activation only inside the cooling-off window (CON-8)."""
    with transaction.atomic():
        contract = lock(contract)
        withdraw_check(contract, today)
        contract.withdrawn_on = today
        contract.termination_kind = ""
        transition(
            contract,
            ContractStatus.WITHDRAWN,
            today=today,
            reason=reason,
            save_fields=["withdrawn_on", "termination_kind"],
        )
    return contract


# --------------------------------------------------------------------------- preconditions
# Called by the services above under the row lock and by ``contracts.services.actions`` to say what is
# offered now: one place for each precondition.


def termination_check(contract: Contract, *, action: str | Promise = "") -> None:
    """CON-7, CON-9: only a live contract (active or suspended) can be given notice."""
    ensure_status(contract, ContractStatus.ACTIVE, ContractStatus.SUSPENDED, action=action or _("해지 신청"))


def complete_check(contract: Contract, today: dt.date) -> None:
    """CON-7 (002 art.20②): on or after the effective date, and not while unpaid fees must be settled."""
    ensure_status(contract, ContractStatus.TERMINATING, action=_("해지 완료"))
    effective = contract.termination_effective_on
    if effective is None or effective > today:
        raise DomainError(
            "not_yet",
            _("해지 효력일({date})이 아직 오지 않았습니다."),
            rule="CON-7",
            field="termination_effective_on",
            date=effective,
        )
    unpaid = unpaid_blocking(contract, today)
    if unpaid:
        raise DomainError(
            "unpaid_fees",
            _("미납 요금 {amount}원을 정산해야 해지가 완료됩니다."),
            rule="CON-7",
            field="status",
            amount=unpaid,
        )


def withdraw_check(contract: Contract, today: dt.date) -> None:
    """CON-8: before activation always; after activation only inside the cooling-off window."""
    ensure_status(
        contract,
        ContractStatus.APPLIED,
        ContractStatus.APPROVED,
        ContractStatus.ACTIVE,
        action=_("청약 철회"),
    )
    if contract.status == ContractStatus.ACTIVE:
        deadline = withdrawal_deadline(contract)
        if deadline is None:
            raise DomainError(
                "no_withdrawal",
                _("이 약관에는 개통 후 청약 철회 기간이 없습니다. 해지를 신청해 주세요."),
                rule="CON-8",
                field="status",
            )
        if today > deadline:
            raise DomainError(
                "withdrawal_window_closed",
                _("청약 철회 기간이 {deadline}에 끝났습니다. 해지를 신청해 주세요."),
                rule="CON-8",
                field="status",
                deadline=deadline,
            )
