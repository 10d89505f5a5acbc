"""Suspension for violation, its notice, lifting and appeals (CON-10); suspension for non-payment
is started and lifted by the dunning capability through the same functions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..effective import effective_policy
from ..models import Contract, ContractPeriod, ContractStatus, Suspension
from .lifecycle import ensure_status, lock, notify_contract, transition


def suspension_schedule(
    *,
    contract: Contract,
    reason: str,
    today: dt.date,
    days: int | None = None,
    kind: str = Suspension.Kind.VIOLATION,
) -> Suspension:
    """Notify and suspend; ``damoa`` notifies 7 days ahead (004 art.11-3), so the suspension starts
    then. At most the policy's maximum (1 month, 001 art.23-1, 002 art.16④)."""
    if not reason.strip():
        raise DomainError("reason_required", _("정지 사유를 입력해야 합니다."), rule="CON-10", field="reason")
    policy = effective_policy(contract)
    max_days = policy.violation_suspension_max_days
    # A suspension for non-payment lasts until the fees are paid (DUN-1) unless a length is given.
    length = days if days is not None else (max_days if kind == Suspension.Kind.VIOLATION else 0)
    if kind == Suspension.Kind.VIOLATION and (length < 1 or (max_days and length > max_days)):
        raise DomainError(
            "suspension_too_long",
            _("위반에 따른 이용 정지는 1일 이상 {max}일 이하입니다."),
            rule="CON-10",
            field="days",
            max=max_days,
        )
    notice_days = policy.violation_suspension_notice_days if kind == Suspension.Kind.VIOLATION else 0
    starts_on = today + dt.timedelta(days=notice_days)
    with transaction.atomic():
        contract = lock(contract)
        suspend_check(contract)
        suspension = Suspension.objects.create(
            contract=contract,
            kind=kind,
            reason=reason,
            noticed_on=today,
            starts_on=starts_on,
            planned_end_on=starts_on + dt.timedelta(days=length) if length else None,
        )
        notify_contract(
            contract,
            "contract.suspension_notice",
            today=today,
            dedupe_key=f"suspension:{suspension.pk}:notice",
            context={"reason": reason, "starts_on": starts_on, "planned_end_on": suspension.planned_end_on},
        )
        if starts_on <= today:
            _start(contract, suspension, today)
    return suspension


def _start(contract: Contract, suspension: Suspension, today: dt.date) -> None:
    suspension.started = True
    suspension.save(update_fields=["started", "updated_at"])
    transition(
        contract,
        ContractStatus.SUSPENDED,
        today=today,
        reason=suspension.reason,
        context={"planned_end_on": suspension.planned_end_on},
    )


def suspension_lift(*, suspension: Suspension, today: dt.date, reason: str) -> Suspension:
    """Lift as soon as the cause is resolved (002 art.16⑤, 004 art.11-4), or at the planned end."""
    with transaction.atomic():
        contract = lock(suspension.contract)
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        lift_check(suspension)
        _lift(contract, suspension, today, reason)
    return suspension


def _lift(contract: Contract, suspension: Suspension, today: dt.date, reason: str) -> None:
    suspension.lifted_on = max(today, suspension.starts_on) if suspension.started else today
    suspension.lift_reason = reason
    suspension.save(update_fields=["lifted_on", "lift_reason", "updated_at"])
    if suspension.started and contract.status == ContractStatus.SUSPENDED:
        transition(contract, ContractStatus.ACTIVE, today=today, reason=reason, event="contract.reinstated")


def suspensions_due(*, today: dt.date) -> dict[str, int]:
    """Daily: start suspensions whose notice ran out; lift those whose planned end came (CON-10).

    Locks are taken contract first, then suspension (the order every service uses); rows another worker
    holds are skipped, and a row already handled is left alone, so two workers do the work once.
    """
    started = lifted = 0
    to_start = Suspension.objects.filter(lifted_on__isnull=True, started=False, starts_on__lte=today)
    for pk, contract_id in list(to_start.values_list("pk", "contract_id")):
        with transaction.atomic():
            contract = _lock_contract(contract_id)
            if contract is None:
                continue
            suspension = (
                Suspension.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, started=False, lifted_on__isnull=True)
                .first()
            )
            if suspension is None:
                continue
            if contract.status != ContractStatus.ACTIVE:
                suspension.lifted_on = today
                suspension.lift_reason = str(_("계약 상태 변경으로 취소"))
                suspension.save(update_fields=["lifted_on", "lift_reason", "updated_at"])
                continue
            _start(contract, suspension, today)
            started += 1
    to_lift = Suspension.objects.filter(lifted_on__isnull=True, started=True, planned_end_on__lte=today)
    for pk, contract_id in list(to_lift.values_list("pk", "contract_id")):
        with transaction.atomic():
            contract = _lock_contract(contract_id)
            if contract is None:
                continue
            suspension = (
                Suspension.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, lifted_on__isnull=True)
                .first()
            )
            if suspension is None:
                continue
            _lift(contract, suspension, today, str(_("정지 기간 종료")))
            lifted += 1
    return {"started": started, "lifted": lifted}


def _lock_contract(contract_id: int) -> Contract | None:
    return (
        Contract.objects.select_for_update(skip_locked=True)
        .select_related("customer", "plan", "policy")
        .filter(pk=contract_id)
        .first()
    )


def repeated_violation(contract: Contract, today: dt.date) -> bool:
    """CON-10 (000 art.19③-3, 001 art.23-1): a violation again within the policy's window after a
    suspension for violation. True when the contract was suspended for violation (the suspension
    actually started and was not overturned on appeal) within the last ``repeated_violation_window_days``.
    """
    window = effective_policy(contract).repeated_violation_window_days
    if not window:
        return False
    since = today - dt.timedelta(days=window)
    return (
        Suspension.objects.filter(
            contract=contract,
            kind=Suspension.Kind.VIOLATION,
            started=True,
            starts_on__gte=since,
            starts_on__lte=today,
        )
        .exclude(appeal=Suspension.Appeal.UPHELD)
        .exists()
    )


def appeal_file(*, suspension: Suspension, text: str, today: dt.date) -> Suspension:
    if not text.strip():
        raise DomainError(
            "reason_required", _("이의신청 내용을 입력해야 합니다."), rule="CON-10", field="text"
        )
    with transaction.atomic():
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        appeal_file_check(suspension)
        suspension.appeal = Suspension.Appeal.FILED
        suspension.appeal_text = text
        suspension.save(update_fields=["appeal", "appeal_text", "updated_at"])
    return suspension


def appeal_decide(*, suspension: Suspension, upheld: bool, today: dt.date, note: str = "") -> Suspension:
    """An upheld appeal lifts the suspension and extends the contract by the suspended days
    (CON-10, 001 art.23-2)."""
    with transaction.atomic():
        contract = lock(suspension.contract)
        suspension = Suspension.objects.select_for_update().get(pk=suspension.pk)
        appeal_decide_check(suspension)
        suspension.appeal = Suspension.Appeal.UPHELD if upheld else Suspension.Appeal.DISMISSED
        suspension.appeal_decided_on = today
        suspension.save(update_fields=["appeal", "appeal_decided_on", "updated_at"])
        if upheld:
            if suspension.lifted_on is None:
                suspension_lift(suspension=suspension, today=today, reason=str(_("이의신청 인용")))
                suspension.refresh_from_db()
            days = suspension.days_suspended(today) if suspension.started else 0
            if days and effective_policy(contract).upheld_appeal_extends_term:
                period = contract.periods.order_by("-number").first()
                if period is not None:
                    ContractPeriod.objects.filter(pk=period.pk).update(
                        extension_days=period.extension_days + days
                    )
        notify_contract(
            contract,
            "contract.appeal_decided",
            today=today,
            dedupe_key=f"suspension:{suspension.pk}:appeal",
            context={"upheld": upheld, "note": note},
        )
    return suspension


# --------------------------------------------------------------------------- preconditions
# Called by the services above under their locks and by ``contracts.services.actions``.


def suspend_check(contract: Contract) -> None:
    """CON-10: an active contract without a suspension already running or announced."""
    ensure_status(contract, ContractStatus.ACTIVE, action=_("이용 정지"))
    if contract.suspensions.filter(lifted_on__isnull=True).exists():
        raise DomainError(
            "already_suspended", _("이미 진행 중인 이용 정지가 있습니다."), rule="CON-10", field="status"
        )


def lift_check(suspension: Suspension) -> None:
    if suspension.lifted_on is not None:
        raise DomainError(
            "already_lifted",
            _("이미 {date}에 해제된 정지입니다."),
            rule="CON-10",
            field="lifted_on",
            date=suspension.lifted_on,
        )


def appeal_file_check(suspension: Suspension) -> None:
    """CON-10: one appeal per suspension."""
    if suspension.appeal != Suspension.Appeal.NONE:
        raise DomainError(
            "appeal_exists",
            _("이미 이의신청이 있습니다 ({state})."),
            rule="CON-10",
            field="appeal",
            state=suspension.get_appeal_display(),
        )


def appeal_decide_check(suspension: Suspension) -> None:
    if suspension.appeal != Suspension.Appeal.FILED:
        raise DomainError("no_appeal", _("결정할 이의신청이 없습니다."), rule="CON-10", field="appeal")
