"""The contract state machine (CON-1), declared once as data.

Every state change goes through ``contracts.services.lifecycle.transition``,
which checks this table, writes a ``ContractTransition`` row and notifies the
customer. Anything not listed here is refused with the current state and the
allowed next states named.
"""

from __future__ import annotations

from .models.contract import ContractStatus as S

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


def allowed(from_status: str) -> frozenset[str]:
    return TRANSITIONS.get(from_status, frozenset())


def can(from_status: str, to_status: str) -> bool:
    return to_status in allowed(from_status)
