"""The state machines of contracts (CON-1), terms versions (TRM-1) and succession filings (ACC-8),
declared once as data for ``core.transitions``.

Every contract state change goes through ``contracts.services.lifecycle.transition``, which moves
the contract with core's one helper (checked against :data:`CONTRACT`, logged as a
``ContractTransition`` row by :func:`_log_contract`) and notifies the customer. Anything not listed
here is refused with the current state and the allowed next states named.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import SuccessionRequest
from core.audit import Actor
from core.transitions import StateMachine

from .models.contract import ContractStatus as S
from .models.contract import ContractTransition
from .models.policy import Policy

TRANSITIONS: dict[str, frozenset[str]] = {
    S.APPLIED: frozenset({S.APPROVED, S.HELD, S.REJECTED, S.WITHDRAWN}),
    S.HELD: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.ACTIVE, S.WITHDRAWN}),
    S.ACTIVE: frozenset({S.SUSPENDED, S.TERMINATING, S.WITHDRAWN}),
    S.SUSPENDED: frozenset({S.ACTIVE, S.TERMINATING}),
    S.TERMINATING: frozenset({S.TERMINATED}),
    S.TERMINATED: frozenset({S.PURGED}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.PURGED: frozenset(),
}

# The customer notice event sent for arriving in each state.
EVENTS: dict[str, str] = {
    S.APPROVED: "contract.approved",
    S.HELD: "contract.held",
    S.REJECTED: "contract.rejected",
    S.ACTIVE: "contract.activated",
    S.SUSPENDED: "contract.suspended",
    S.TERMINATING: "contract.terminating",
    S.TERMINATED: "contract.terminated",
    S.WITHDRAWN: "contract.withdrawn",
    S.PURGED: "contract.purged",
}




def _log_contract(
    contract: Any, from_status: str, to_status: str, today: dt.date, actor: Actor, reason: str
) -> ContractTransition:
    return ContractTransition.objects.create(
        contract=contract,
        from_status=from_status,
        to_status=to_status,
        on_date=today,
        actor=actor.label,
        user=actor.user,
        reason=reason,
    )


#: CON-1: a contract's lifecycle; its log is the contract's own ``ContractTransition`` table.
CONTRACT = StateMachine(
    name="contract",
    rule="CON-1",
    choices=S,
    moves=TRANSITIONS,
    log=_log_contract,
    message=_(
        "계약 {number}: '{current}'에서 '{target}'(으)로 바꿀 수 없습니다. "
        "가능한 다음 상태: {allowed}"
    ),
    params=lambda contract: {"number": contract.number},
)

#: TRM-1: a terms version is drafted, published (with its effective date, TRM-2), then retired.
POLICY = StateMachine(
    name="policy",
    rule="TRM-1",
    choices=Policy.Status,
    moves={
        Policy.Status.DRAFT: {Policy.Status.PUBLISHED},
        Policy.Status.PUBLISHED: {Policy.Status.RETIRED},
    },
)

#: ACC-8: a succession filing is approved (the contracts move) or rejected, once.
SUCCESSION = StateMachine(
    name="succession_request",
    rule="ACC-8",
    choices=SuccessionRequest.Status,
    moves={
        SuccessionRequest.Status.REQUESTED: {
            SuccessionRequest.Status.APPROVED,
            SuccessionRequest.Status.REJECTED,
        },
    },
)


def allowed(from_status: str) -> frozenset[str]:
    return CONTRACT.allowed(from_status)


def can(from_status: str, to_status: str) -> bool:
    return CONTRACT.can(from_status, to_status)
