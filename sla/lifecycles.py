"""The SLA lifecycles as data (``core.transitions``): incidents, maintenance windows and claims."""

from __future__ import annotations

from core.transitions import StateMachine

from .models import Incident, MaintenanceWindow, SlaClaim

S = Incident.Status
INCIDENT = StateMachine(
    name="incident",
    rule="SLA-1",
    choices=Incident.Status,
    moves={
        S.REPORTED: {S.OPEN, S.REJECTED},  # staff confirm or reject a customer's report
        S.OPEN: {S.RESOLVED},  # a recurrence is a new incident, joined by the policy's join gap (SLA-3)
    },
)

M = MaintenanceWindow.Status
MAINTENANCE = StateMachine(
    name="maintenance",
    rule="SLA-2",
    choices=MaintenanceWindow.Status,
    moves={M.PLANNED: {M.ANNOUNCED, M.CANCELLED}, M.ANNOUNCED: {M.CANCELLED}},
)

C = SlaClaim.Status
CLAIM = StateMachine(
    name="sla_claim",
    rule="SLA-5",
    choices=SlaClaim.Status,
    moves={C.SUBMITTED: {C.APPROVED, C.REJECTED}},
)
