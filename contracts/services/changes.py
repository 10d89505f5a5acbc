"""Plan, cycle and seat changes (CON-11, ACC-5, BIL-5) and special terms (CON-12)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.audit import current_actor
from core.errors import DomainError

from ..effective import effective_policy, overridable_parameters
from ..models import BillingCycle, Contract, ContractChange, ContractStatus, Plan, SpecialTerm
from ..policy import validate_overrides
from .lifecycle import ensure_status, lock, notify_contract
from .renewal import current_period


def _in_annual_term(contract: Contract, today: dt.date) -> bool:
    return contract.billing_cycle == BillingCycle.ANNUAL and current_period(contract, today) is not None


def plan_change(
    *, contract: Contract, today: dt.date, plan: Plan | None = None, billing_cycle: str | None = None
) -> Contract:
    """Refused during a running annual term (001 art.18-2) and paid → guest (001 art.18-4)."""
    with transaction.atomic():
        contract = lock(contract)
        plan_change_check(contract, today)
        policy = effective_policy(contract)
        changes = []
        if plan is not None and plan.pk != contract.plan_id:
            if plan.is_free and not contract.plan.is_free and not policy.paid_to_guest_allowed:
                raise DomainError(
                    "paid_to_guest",
                    _("유료 요금제에서 게스트(무료)로 변경할 수 없습니다."),
                    rule="CON-11",
                    field="plan",
                )
            if not plan.active:
                raise DomainError(
                    "unknown_plan",
                    _("요금제 '{plan}'은(는) 신청할 수 없습니다."),
                    rule="CON-11",
                    field="plan",
                    plan=plan.code,
                )
            changes.append(
                ContractChange(
                    contract=contract,
                    kind=ContractChange.Kind.PLAN,
                    old_value=contract.plan.code,
                    new_value=plan.code,
                    effective_on=today,
                    actor=current_actor().label,
                )
            )
            contract.plan = plan
        if billing_cycle is not None and billing_cycle != contract.billing_cycle:
            if billing_cycle not in BillingCycle.values:
                raise DomainError(
                    "invalid_cycle",
                    _("결제 주기 '{cycle}'은(는) 올바르지 않습니다."),
                    rule="CON-5",
                    field="billing_cycle",
                    cycle=billing_cycle,
                )
            changes.append(
                ContractChange(
                    contract=contract,
                    kind=ContractChange.Kind.CYCLE,
                    old_value=contract.billing_cycle,
                    new_value=billing_cycle,
                    effective_on=today,
                    actor=current_actor().label,
                )
            )
            contract.billing_cycle = billing_cycle
        if not changes:
            raise DomainError("no_change", _("바뀌는 내용이 없습니다."), rule="CON-11", field="plan")
        contract.save(update_fields=["plan", "billing_cycle", "updated_at"])
        ContractChange.objects.bulk_create(changes)
        notify_contract(
            contract,
            "contract.changed",
            today=today,
            dedupe_key=f"contract:{contract.pk}:change:{changes[-1].pk or today.isoformat()}",
            context={"plan_name": contract.plan.name},
        )
    return contract


def seats_change(*, contract: Contract, seats: int, today: dt.date) -> ContractChange:
    """Seat additions are recorded for billing (BIL-5: added seats × annual monthly rate × remaining months);
    a reduction mid-annual-term gives no refund (001 art.19-4)."""
    if seats < 1:
        raise DomainError("invalid_seats", _("계약 인원은 1 이상이어야 합니다."), rule="ACC-5", field="seats")
    with transaction.atomic():
        contract = lock(contract)
        seats_change_check(contract)
        if seats == contract.seats:
            raise DomainError(
                "no_change", _("계약 인원이 이미 {seats}명입니다."), rule="ACC-5", field="seats", seats=seats
            )
        from .seats import quota_applies, seats_in_use

        in_use = seats_in_use(contract)
        if seats < in_use and quota_applies(contract):
            raise DomainError(
                "seats_in_use",
                _(
                    "좌석 {in_use}개가 배정되어 있어 계약 인원을 {seats}명으로 줄일 수 없습니다. "
                    "먼저 좌석을 회수하세요."
                ),
                rule="ACC-5",
                field="seats",
                in_use=in_use,
                seats=seats,
            )
        kind = (
            ContractChange.Kind.SEATS_ADDED if seats > contract.seats else ContractChange.Kind.SEATS_REMOVED
        )
        change = ContractChange.objects.create(
            contract=contract,
            kind=kind,
            old_value=str(contract.seats),
            new_value=str(seats),
            quantity=seats - contract.seats,
            effective_on=today,
            actor=current_actor().label,
        )
        contract.seats = seats
        contract.save(update_fields=["seats", "updated_at"])
    return change


def special_term_set(
    *, contract: Contract, parameter: str, value: Any, note: str, signed_on: dt.date
) -> SpecialTerm:
    """Record a signed special term overriding one policy parameter for this contract (CON-12)."""
    if parameter not in overridable_parameters():
        raise DomainError(
            "unknown_parameter",
            _("'{parameter}'은(는) 특약으로 바꿀 수 있는 약관 항목이 아닙니다."),
            rule="CON-12",
            field="parameter",
            parameter=parameter,
        )
    if not note.strip():
        raise DomainError("reason_required", _("특약 내용을 입력해야 합니다."), rule="CON-12", field="note")
    # The policy's own rules check the value (a colleague's helper, contracts.policy.validate_overrides).
    try:
        cleaned = validate_overrides(policy=contract.policy, overrides={parameter: value})[parameter]
    except ValidationError as exc:
        messages = "; ".join(str(m) for m in exc.messages) if hasattr(exc, "messages") else str(exc)
        raise DomainError(
            "invalid_value",
            _("'{parameter}' 값이 약관 규칙에 맞지 않습니다: {detail}"),
            rule="CON-12",
            field="value",
            parameter=parameter,
            detail=messages,
        ) from exc
    base = getattr(contract.policy, parameter)
    if isinstance(base, bool) and not isinstance(cleaned, bool):
        raise DomainError(
            "invalid_value",
            _("'{parameter}' 값은 참/거짓이어야 합니다."),
            rule="CON-12",
            field="value",
            parameter=parameter,
        )
    stored = json.loads(json.dumps(cleaned, cls=DjangoJSONEncoder))
    with transaction.atomic():
        contract = lock(contract)
        special_term_check(contract)
        SpecialTerm.objects.filter(contract=contract, parameter=parameter, active=True).update(active=False)
        term = SpecialTerm.objects.create(
            contract=contract, parameter=parameter, value=stored, note=note, signed_on=signed_on
        )
    return term


# --------------------------------------------------------------------------- preconditions
# Called by the services above under the row lock and by ``contracts.services.actions``.

# A special term is signed for a contract that is applied for or running, never for one that ended.
SPECIAL_TERM_STATUSES = (
    ContractStatus.APPLIED,
    ContractStatus.HELD,
    ContractStatus.APPROVED,
    ContractStatus.ACTIVE,
    ContractStatus.SUSPENDED,
    ContractStatus.TERMINATING,
)


def plan_change_check(contract: Contract, today: dt.date) -> None:
    """CON-11 (001 art.18-2): an active contract, not in a running annual term unless the policy allows."""
    ensure_status(contract, ContractStatus.ACTIVE, action=_("요금제 변경"))
    if _in_annual_term(contract, today) and not effective_policy(contract).plan_change_during_annual_term:
        period = current_period(contract, today)
        raise DomainError(
            "annual_term_running",
            _("연간 계약 기간({end}까지) 중에는 요금제나 결제 주기를 바꿀 수 없습니다."),
            rule="CON-11",
            field="plan",
            end=period.effective_end if period else "-",
        )


def seats_change_check(contract: Contract) -> None:
    """ACC-5, CON-11: seats change on an approved or active contract."""
    ensure_status(contract, ContractStatus.ACTIVE, ContractStatus.APPROVED, action=_("인원 변경"))


def special_term_check(contract: Contract) -> None:
    """CON-12: special terms are signed for a contract that has not ended."""
    ensure_status(contract, *SPECIAL_TERM_STATUSES, action=_("특약 등록"))
