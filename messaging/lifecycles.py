"""The notice lifecycle (MSG-1, MSG-6), declared as data for ``core.transitions``.

A notice's status moves only through ``core.transitions.transition`` with :data:`NOTICE`; each move
is logged (who, when, from, to, why) in ``core.StatusTransition``. A notice is created queued, or
directly sent (portal) or skipped (a channel not delivered yet).
"""

from __future__ import annotations

from core.transitions import StateMachine

from .models import Notice

N = Notice.Status

#: MSG-6: a queued notice ends sent, failed or skipped; a failed email may be queued again; a sent
#: portal notice is read once.
NOTICE = StateMachine(
    name="notice",
    rule="MSG-6",
    choices=N,
    moves={
        N.QUEUED: {N.SENT, N.FAILED, N.SKIPPED},
        N.FAILED: {N.QUEUED},
        N.SENT: {N.READ},
    },
)
