"""The lifecycles of customers, members and customer-change requests, declared as data.

Each status field moves only through ``core.transitions.transition`` with the machine below; the
move is logged (who, when, from, to, why) in ``core.StatusTransition``.
"""

from __future__ import annotations

from core.transitions import StateMachine

from .models import Customer, CustomerChangeRequest, Member

C = Customer.Status
M = Member.Status
R = CustomerChangeRequest.Status

#: ACC-1: a customer is active or dormant while open, closed after its last contract ends, then
#: purged (DAT-2); a closed customer may be reopened (a new application), a purged one never.
CUSTOMER = StateMachine(
    name="customer",
    rule="ACC-1",
    choices=C,
    moves={
        C.ACTIVE: {C.DORMANT, C.CLOSED},
        C.DORMANT: {C.ACTIVE, C.CLOSED},
        C.CLOSED: {C.ACTIVE, C.PURGED},
    },
)

#: ACC-10 (dormancy) and ACC-4 (removal): a member is active, dormant after a year without login
#: (and back on reactivation), and removed for good.
MEMBER = StateMachine(
    name="member",
    rule="ACC-10",
    choices=M,
    moves={
        M.ACTIVE: {M.DORMANT, M.REMOVED},
        M.DORMANT: {M.ACTIVE, M.REMOVED},
    },
)

#: ACC-9: a change request is decided once, approved or rejected.
CHANGE_REQUEST = StateMachine(
    name="customer_change_request",
    rule="ACC-9",
    choices=R,
    moves={R.REQUESTED: {R.APPROVED, R.REJECTED}},
)
