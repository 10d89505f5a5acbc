"""One transition helper for every model with a lifecycle status.

A model's allowed moves are declared once as data in a :class:`StateMachine`
(next to the model, e.g. ``billing/lifecycles.py``). :func:`transition` is the
only writer of the status field: it checks the table, saves the new status with
any fields the caller changed, and writes one log row (who, when, from, to,
why). Anything not in the table is refused with a ``DomainError`` that names
the current state, the target and the states that are allowed.

The log row goes to :class:`core.models.StatusTransition` (one table for every
machine, keyed by content type and object id) unless the machine names its own
``log`` writer (contracts keep their ``ContractTransition`` table, which the
admin and the portal show).

Usage::

    DISPUTE = StateMachine(
        name="dispute", rule="BIL-10", choices=Dispute.Status,
        moves={"open": {"upheld", "rejected", "withdrawn"}, ...},
    )
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().get(pk=pk)
        transition(dispute, DISPUTE, "upheld", today=today, reason=answer, save_fields=["answer"])

The caller holds the row lock and the transaction, as with every write here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .audit import Actor, current_actor
from .errors import DomainError

#: The generic refusal (a machine may name its own, see ``StateMachine.message``).
REFUSAL = _("{object}: '{current}'에서 '{target}'(으)로 바꿀 수 없습니다. 가능한 다음 상태: {allowed}")

LogWriter = Callable[[Any, str, str, dt.date, Actor, str], Any]


@dataclass(frozen=True)
class StateMachine:
    """The allowed moves of one status field, declared as data."""

    name: str
    rule: str
    choices: type[models.TextChoices]
    moves: Mapping[str, Iterable[str]]
    field: str = "status"
    log: LogWriter | None = None
    #: A machine's own refusal text (a lazy Korean msgid) and the extra params it needs from the
    #: object, e.g. the contract number; by default the generic text naming ``str(obj)``.
    message: str | Promise | None = None
    params: Callable[[Any], Mapping[str, Any]] | None = None
    _table: dict[str, frozenset[str]] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {str(k): frozenset(str(v) for v in vs) for k, vs in self.moves.items()}
        known = {str(v) for v in self.choices.values}
        unknown = (set(table) | {t for vs in table.values() for t in vs}) - known
        if unknown:
            raise ValueError(f"{self.name}: states not in {self.choices.__name__}: {sorted(unknown)}")
        for state in known:
            table.setdefault(state, frozenset())
        object.__setattr__(self, "_table", table)

    def allowed(self, from_status: str) -> frozenset[str]:
        return self._table.get(str(from_status), frozenset())

    def can(self, from_status: str, to_status: str) -> bool:
        return str(to_status) in self.allowed(from_status)

    def terminal(self, status: str) -> bool:
        return not self.allowed(status)

    def label(self, status: str) -> str:
        try:
            return str(self.choices(status).label)
        except ValueError:
            return str(status)

    def check(self, obj: Any, to_status: str) -> None:
        """Refuse a move the table does not allow, naming what is allowed."""
        current = getattr(obj, self.field)
        if self.can(current, to_status):
            return
        nexts = ", ".join(self.label(s) for s in sorted(self.allowed(current))) or "-"
        raise DomainError(
            "illegal_transition",
            self.message or REFUSAL,
            rule=self.rule,
            field=self.field,
            object=str(obj),
            current=self.label(current),
            target=self.label(to_status),
            allowed=nexts,
            **(self.params(obj) if self.params else {}),
        )


def transition(
    obj: models.Model,
    machine: StateMachine,
    to_status: str,
    *,
    today: dt.date,
    reason: str = "",
    save_fields: Iterable[str] = (),
) -> Any:
    """Move ``obj`` (locked by the caller) to ``to_status``; return the log row.

    ``save_fields`` are other fields the caller changed on ``obj`` that are saved with the status.
    """
    machine.check(obj, to_status)
    current = str(getattr(obj, machine.field))
    setattr(obj, machine.field, str(to_status))
    fields = [machine.field, *save_fields]
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        fields.append("updated_at")
    obj.save(update_fields=list(dict.fromkeys(fields)))
    actor = current_actor()
    writer = machine.log or _log_generic(machine)
    return writer(obj, current, str(to_status), today, actor, reason or actor.reason)


def transition_many(
    objs: Sequence[models.Model],
    machine: StateMachine,
    to_status: str,
    *,
    today: dt.date,
    reason: str = "",
    changes: Mapping[str, Any] | None = None,
) -> list[Any]:
    """Move many locked rows of one model to ``to_status`` in one update; return the log rows.

    Every row is checked first (one refusal changes nothing); ``changes`` are other field values
    set on every row with the status. One ``UPDATE`` and one bulk insert of log rows (generic log
    only: a machine with its own ``log`` writer goes row by row through :func:`transition`).
    """
    rows = list(objs)
    if not rows:
        return []
    for obj in rows:
        machine.check(obj, to_status)
    if machine.log is not None:
        logs = []
        for obj in rows:
            for name, value in (changes or {}).items():
                setattr(obj, name, value)
            fields = list(changes or {})
            logs.append(transition(obj, machine, to_status, today=today, reason=reason, save_fields=fields))
        return logs
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from .models import StatusTransition

    model = type(rows[0])
    values: dict[str, Any] = {machine.field: str(to_status), **(changes or {})}
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    previous = {obj.pk: str(getattr(obj, machine.field)) for obj in rows}
    model._default_manager.filter(pk__in=list(previous)).update(**values)
    for obj in rows:
        for name, value in values.items():
            setattr(obj, name, value)
    actor = current_actor()
    content_type = ContentType.objects.get_for_model(model)
    return StatusTransition.objects.bulk_create(
        [
            StatusTransition(
                content_type=content_type,
                object_id=obj.pk,
                machine=machine.name,
                from_status=previous[obj.pk],
                to_status=str(to_status),
                on_date=today,
                actor=actor.label,
                user=actor.user,
                reason=reason or actor.reason,
            )
            for obj in rows
        ]
    )


def _log_generic(machine: StateMachine) -> LogWriter:
    def write(obj: Any, from_status: str, to_status: str, today: dt.date, actor: Actor, reason: str) -> Any:
        from django.contrib.contenttypes.models import ContentType

        from .models import StatusTransition

        return StatusTransition.objects.create(
            content_type=ContentType.objects.get_for_model(type(obj)),
            object_id=obj.pk,
            machine=machine.name,
            from_status=from_status,
            to_status=to_status,
            on_date=today,
            actor=actor.label,
            user=actor.user,
            reason=reason,
        )

    return write


def history(obj: models.Model) -> models.QuerySet[Any]:
    """The generic log rows of one object, oldest first."""
    from django.contrib.contenttypes.models import ContentType

    from .models import StatusTransition

    return StatusTransition.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).order_by("at", "id")
