"""Audit trail: who (a person or a job) changed what, when, before and after.

Built on django-simple-history: every audited model declares
``history = AuditedHistory()``; each save writes a full snapshot row with the
acting user and an ``history_actor`` label ("user:alice", "job:dunning",
"system"). Bulk changes go through :func:`bulk_update_audited` /
:func:`bulk_create_audited` so they are audited too. ``diff`` gives before/after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import models
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record
from simple_history.utils import bulk_create_with_history, bulk_update_with_history


@dataclass(frozen=True)
class Actor:
    user: Any = None  # a django User or None
    label: str = "system"
    reason: str = ""


SYSTEM = Actor()
_actor: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


def current_actor() -> Actor:
    return _actor.get() or SYSTEM


def actor_for_user(user: Any, reason: str = "") -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(label="anonymous", reason=reason)
    return Actor(user=user, label=f"user:{user.get_username()}", reason=reason)


@contextlib.contextmanager
def acting_as(user: Any = None, *, job: str | None = None, reason: str = "") -> Iterator[Actor]:
    """Attribute every change in the block to a person or a job.

    ``user=None`` without a job names nobody new: the block keeps the current actor (a command or job
    around a service called with ``actor=None``), so seeded and job rows are not labelled "anonymous".
    An unauthenticated request user (``AnonymousUser``) is still "anonymous"."""
    if job:
        actor = Actor(label=f"job:{job}", reason=reason)
    elif user is None:
        current = current_actor()
        actor = Actor(user=current.user, label=current.label, reason=reason or current.reason)
    else:
        actor = actor_for_user(user, reason)
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def set_actor(actor: Actor) -> Any:
    """Set the actor until :func:`reset_actor` is called with the returned token."""
    return _actor.set(actor)


def reset_actor(token: Any) -> None:
    _actor.reset(token)


class AuditFields(models.Model):
    history_actor = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        abstract = True


def _get_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    user = current_actor().user
    if user is not None:
        return user
    if request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        return request.user
    return None


def AuditedHistory(**kwargs: Any) -> HistoricalRecords:  # CamelCase: it reads like a field
    kwargs.setdefault("bases", [AuditFields])
    kwargs.setdefault("get_user", _get_user)
    return HistoricalRecords(**kwargs)


@receiver(pre_create_historical_record)
def _stamp_actor(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    actor = current_actor()
    if hasattr(history_instance, "history_actor") and not history_instance.history_actor:
        history_instance.history_actor = actor.label
    if actor.reason and not getattr(history_instance, "history_change_reason", None):
        history_instance.history_change_reason = actor.reason[:100]


def _bulk_attrs() -> dict[str, Any]:
    return {"history_actor": current_actor().label}


def bulk_update_audited(objs: Sequence[models.Model], fields: Iterable[str], *, batch_size: int = 500) -> int:
    """``bulk_update`` that writes one history row per object."""
    if not objs:
        return 0
    actor = current_actor()
    return bulk_update_with_history(
        list(objs), type(objs[0]), list(fields), batch_size=batch_size, default_user=actor.user,
        default_change_reason=actor.reason[:100] or None, custom_historical_attrs=_bulk_attrs(),
    )


def record_history(objs: Iterable[models.Model]) -> int:
    """One history row per object, attributed to the current actor, for rows a service changed with a
    queryset ``update()`` (a conditional update that must not race, a status moved in bulk): the
    snapshot is the objects as given, so pass them as they are now in the database."""
    rows = list(objs)
    if not rows:
        return 0
    actor = current_actor()
    manager = getattr(type(rows[0]), type(rows[0])._meta.simple_history_manager_attribute)  # type: ignore[attr-defined]
    created = manager.bulk_history_create(
        rows, update=True, default_user=actor.user, default_change_reason=actor.reason[:100] or "",
        custom_historical_attrs=_bulk_attrs(),
    )
    return len(created)


M = TypeVar("M", bound=models.Model)


def bulk_create_audited(objs: Sequence[M], *, batch_size: int = 500) -> list[M]:
    if not objs:
        return []
    actor = current_actor()
    return bulk_create_with_history(
        list(objs), type(objs[0]), batch_size=batch_size, default_user=actor.user,
        default_change_reason=actor.reason[:100] or None, custom_historical_attrs=_bulk_attrs(),
    )


def diff(record: Any) -> dict[str, tuple[Any, Any]]:
    """Before/after of one history row against the previous one ({} for a creation)."""
    previous = record.prev_record
    if previous is None:
        return {}
    delta = record.diff_against(previous)
    return {change.field: (change.old, change.new) for change in delta.changes}
