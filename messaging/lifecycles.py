"""The allowed status moves of messaging, declared as data (core.transitions).

Notices (MSG-1, MSG-6): a notice's status moves only through ``core.transitions.transition`` with
:data:`NOTICE`; each move is logged. A notice is created queued, or directly sent (portal) or
skipped (no address for the channel).

The paid product:

Sender numbers and AlimTalk templates are staff/Kakao decisions: every move is
logged in ``core.StatusTransition`` with the actor. Messages move in the
thousands per bulk send and carry their own timestamps (``sent_at``,
``result_at``) and ``failure_reason``, so their machine logs nothing extra;
bulk moves go through :func:`move_messages`, which applies the same table.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection
from django.db.models import Field, QuerySet

from core.audit import Actor
from core.transitions import StateMachine

from .models import KakaoTemplate, Message, Notice, SenderNumber


def _no_log(obj: Any, from_status: str, to_status: str, today: dt.date, actor: Actor, reason: str) -> None:
    """Messages keep their own timestamps and reason; no generic log row per message."""
    return None


_CHUNK = 1_000

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

M = Message.Status
MESSAGE = StateMachine(
    name="message",
    rule="MSG-6",
    choices=Message.Status,
    moves={
        M.QUEUED: {M.SENDING, M.FAILED},
        # back to queued when the provider was unreachable (retried with backoff, MSG-8)
        M.SENDING: {M.QUEUED, M.SENT, M.DELIVERED, M.FAILED},
        M.SENT: {M.DELIVERED, M.FAILED},
    },
    log=_no_log,
)

S = SenderNumber.Status
SENDER_NUMBER = StateMachine(
    name="sender_number",
    rule="MSG-4",
    choices=SenderNumber.Status,
    moves={
        S.REQUESTED: {S.APPROVED, S.REJECTED, S.BLOCKED},
        S.APPROVED: {S.REVOKED, S.BLOCKED},
    },
)

T = KakaoTemplate.Status
KAKAO_TEMPLATE = StateMachine(
    name="kakao_template",
    rule="MSG-2a",
    choices=KakaoTemplate.Status,
    moves={
        T.REQUESTED: {T.IN_REVIEW},
        T.IN_REVIEW: {T.APPROVED, T.REJECTED},
        # an edit sends an approved or rejected template back to review
        T.APPROVED: {T.REQUESTED},
        T.REJECTED: {T.REQUESTED},
    },
)


def move_messages(messages: QuerySet[Message], to: str, **fields: Any) -> int:
    """Move every message of ``messages`` whose status allows it to ``to`` in one UPDATE; return the count.

    The caller holds the rows (``select_for_update``) and the transaction. Messages
    whose status does not allow the move (a result arriving twice, a message
    already failed) are left unchanged: that is what makes a repeated result count once.
    """
    sources = from_states(to)
    return messages.filter(status__in=sources).update(status=to, **fields)


def from_states(to: str) -> list[str]:
    """The statuses from which a message may move to ``to``."""
    return [s for s in Message.Status.values if MESSAGE.can(s, to)]


def move_messages_each(
    to: str, changes: Sequence[tuple[int, dict[str, Any]]], *, columns: Sequence[str]
) -> int:
    """Move each message ``(id, {column: value})`` to ``to`` with its own values, in one statement per chunk.

    Only messages whose status allows the move change (same guard as
    :func:`move_messages`). ``UPDATE .. FROM (VALUES ..)`` (PostgreSQL) instead
    of ``bulk_update``'s CASE per row, which is quadratic on large sends.
    """
    if not changes:
        return 0
    meta = Message._meta
    fields = [cast(Field, meta.get_field(c)) for c in columns]
    sources = from_states(to)
    moved = 0
    if connection.vendor != "postgresql":  # the SQLite demo database: small sends, one UPDATE a message
        for pk, values in changes:
            moved += Message.objects.filter(pk=pk, status__in=sources).update(
                status=to, **{f.name: values[f.name] for f in fields}
            )
        return moved
    for start in range(0, len(changes), _CHUNK):
        chunk = changes[start : start + _CHUNK]
        row = "(%s::bigint, " + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
        params: list[Any] = []
        for pk, values in chunk:
            params.append(pk)
            params.extend(f.get_db_prep_save(values[f.name], connection) for f in fields)
        names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        sets = ", ".join(
            f"{connection.ops.quote_name(f.column)} = v.{connection.ops.quote_name(f.column)}" for f in fields
        )
        # Identifiers come from the model's meta; every value is a parameter.
        sql = (
            f"UPDATE {connection.ops.quote_name(meta.db_table)} AS t SET status = %s, {sets} "  # noqa: S608
            f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v(id, {names}) "
            "WHERE t.id = v.id AND t.status = ANY(%s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [to, *params, sources])
            moved += cursor.rowcount
    return moved
