"""The lifecycles of export and deletion requests (DAT-1, DAT-4), declared as data (core.transitions)."""

from __future__ import annotations

from core.transitions import StateMachine

from .models import DeletionRequest, ExportRequest

E = ExportRequest.Status
EXPORT = StateMachine(
    name="export_request",
    rule="DAT-1",
    choices=E,
    # a failed build may be run again
    moves={E.QUEUED: {E.RUNNING}, E.RUNNING: {E.READY, E.FAILED}, E.FAILED: {E.RUNNING}},
)

D = DeletionRequest.Status
DELETION = StateMachine(
    name="deletion_request",
    rule="DAT-4",
    choices=D,
    moves={D.REQUESTED: {D.DONE, D.CANCELLED}},
)
