"""Restriction (이용제한): blocking some features of a live contract (CON-1, CON-13, DUN).

Restriction is not a state: ``Contract.restrictions`` is a list of blocked feature names that
``contracts.entitlement`` reads (``"*"`` blocks every feature). These two functions are the only
writers of that list. Each change is made under the contract's row lock, audited by the contract's
history row (django-simple-history, with the acting person or job and the reason) — there is no
``ContractTransition`` because the status does not change — and the customer is told once per
change (dedupe key).

Callers: the dunning ladder (``billing.services.dunning``: restrict at day 30 of ``dcloud``, day 14 of
``officecore``) and staff. Lock order: the billing callers hold the customer row first, then these
functions lock the contract.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..entitlement import SERVICE
from ..models import Contract, ContractStatus
from .lifecycle import ensure_status, lock, notify_contract

__all__ = ["ALL_FEATURES", "NONPAYMENT_FEATURES", "contract_restrict", "contract_unrestrict"]

ALL_FEATURES = "*"
# What the dunning ladder's ``restrict`` step blocks: the service itself, while billing, payment, the
# portal and data export stay open so the customer can pay and take its data (a partial restriction,
# 002 art.16①④ "전부 또는 일부"). A policy field would make this per-operator (see the report).
NONPAYMENT_FEATURES: tuple[str, ...] = (SERVICE,)

RESTRICTABLE = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.TERMINATING)


def _clean(features: Iterable[str]) -> list[str]:
    cleaned = sorted({str(f).strip() for f in features if str(f).strip()})
    if not cleaned:
        raise DomainError(
            "features_required",
            _("제한할 기능을 하나 이상 지정해야 합니다."),
            rule="CON-13",
            field="features",
        )
    too_long = [f for f in cleaned if len(f) > 64]
    if too_long:
        raise DomainError(
            "feature_name_too_long",
            _("기능 이름은 64자 이내여야 합니다: {name}"),
            rule="CON-13",
            field="features",
            name=too_long[0][:80],
        )
    return cleaned


def _save(contract: Contract, restrictions: list[str], reason: str) -> None:
    contract.restrictions = restrictions
    contract._change_reason = reason[:100]  # type: ignore[attr-defined]  # simple-history reads it
    contract.save(update_fields=["restrictions", "updated_at"])


def contract_restrict(
    *,
    contract: Contract,
    features: Iterable[str],
    today: dt.date,
    reason: str,
    dedupe_key: str | None = None,
) -> Contract:
    """Block ``features`` on a live contract (CON-1: restriction is a list, not a state).

    Adds to what is already blocked; nothing changes (and nobody is told) when every feature was
    blocked already. The customer gets ``contract.restricted`` with the features, the reason and the
    date. Refused for a contract that is not live (applied, terminated...).
    """
    wanted = _clean(features)
    if not reason.strip():
        raise DomainError(
            "reason_required", _("이용 제한 사유를 입력해야 합니다."), rule="CON-1", field="reason"
        )
    with transaction.atomic():
        contract = lock(contract)
        ensure_status(contract, *RESTRICTABLE, action=_("이용 제한"))
        current = list(contract.restrictions or [])
        added = [f for f in wanted if f not in current]
        if not added:
            return contract
        _save(contract, sorted({*current, *added}), reason)
        notify_contract(
            contract,
            "contract.restricted",
            today=today,
            dedupe_key=dedupe_key
            or f"contract:{contract.pk}:restricted:{today.isoformat()}:{','.join(added)}",
            context={"features": added, "restrictions": contract.restrictions, "reason": reason},
        )
    return contract


def contract_unrestrict(
    *,
    contract: Contract,
    today: dt.date,
    reason: str,
    features: Iterable[str] | None = None,
    dedupe_key: str | None = None,
) -> Contract:
    """Unblock ``features`` (all of them when None) at once (002 art.16⑤, 004 art.11-4, DUN-1).

    Works in any status (lifting is always allowed); nothing changes, and nobody is told, when none
    of the features was blocked. The customer gets ``contract.unrestricted``.
    """
    if not reason.strip():
        raise DomainError(
            "reason_required", _("이용 제한 해제 사유를 입력해야 합니다."), rule="CON-1", field="reason"
        )
    with transaction.atomic():
        contract = lock(contract)
        current = list(contract.restrictions or [])
        remove = set(current) if features is None else set(_clean(features))
        lifted = sorted(f for f in current if f in remove)
        if not lifted:
            return contract
        _save(contract, [f for f in current if f not in remove], reason)
        notify_contract(
            contract,
            "contract.unrestricted",
            today=today,
            dedupe_key=dedupe_key
            or f"contract:{contract.pk}:unrestricted:{today.isoformat()}:{','.join(lifted)}",
            context={"features": lifted, "restrictions": contract.restrictions, "reason": reason},
        )
    return contract
