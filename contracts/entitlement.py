"""Entitlement (CON-13): one read answering whether a customer may use a feature right now."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.models import Customer

from .models import Contract, ContractStatus

SERVICE = "service"


@dataclass(frozen=True)
class Entitlement:
    allowed: bool
    reason: str
    contract: Contract | None = None

    def __bool__(self) -> bool:
        return self.allowed


def entitlement(
    customer: Customer, feature: str = SERVICE, *, today: dt.date, plan_codes: list[str] | None = None
) -> Entitlement:
    """Active (or terminating before its effective date), not suspended, feature not restricted."""
    contracts = Contract.objects.filter(customer=customer).select_related("plan")
    if plan_codes:
        contracts = contracts.filter(plan__code__in=plan_codes)
    best: Entitlement | None = None
    for contract in contracts:
        if contract.status in (ContractStatus.ACTIVE, ContractStatus.TERMINATING):
            if contract.activated_on and contract.activated_on > today:
                continue
            if contract.termination_effective_on and contract.termination_effective_on < today:
                continue
            blocked = set(contract.restrictions or [])
            if feature in blocked or "*" in blocked:
                if best is None:
                    best = Entitlement(False, _("이용이 제한된 기능입니다"), contract)
                continue
            return Entitlement(True, _("이용 가능"), contract)
        if contract.status == ContractStatus.SUSPENDED and best is None:
            best = Entitlement(False, _("이용 정지 중입니다"), contract)
    # ``Entitlement`` is falsy when not allowed: test for None, never ``best or ...``.
    if best is None:
        return Entitlement(False, _("이용 중인 계약이 없습니다"), None)
    return best


def is_entitled(customer: Customer, feature: str = SERVICE, *, today: dt.date) -> bool:
    return entitlement(customer, feature, today=today).allowed
