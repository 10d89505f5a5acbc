"""The one transition helper (core.transitions): moves declared as data, one writer, a log row."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import models

from core.audit import acting_as
from core.errors import DomainError
from core.models import JobRun, StatusTransition
from core.transitions import StateMachine, history, transition

TODAY = dt.date(2026, 12, 6)

MACHINE = StateMachine(
    name="jobrun",
    rule="CORE-1",
    choices=JobRun.Status,
    moves={"running": {"succeeded", "failed"}, "failed": {"running"}},
)


def _run() -> JobRun:
    from django.utils import timezone

    return JobRun.objects.create(job="x", as_of=TODAY, started_at=timezone.now())


def test_undeclared_state_is_refused_when_declared() -> None:
    class Colour(models.TextChoices):
        RED = "red", "red"

    with pytest.raises(ValueError, match="blue"):
        StateMachine(name="c", rule="X", choices=Colour, moves={"red": {"blue"}})


def test_terminal_states_are_filled_in() -> None:
    assert MACHINE.allowed("succeeded") == frozenset()
    assert MACHINE.terminal("succeeded")
    assert MACHINE.can("running", "failed")
    assert not MACHINE.can("succeeded", "running")


@pytest.mark.django_db
def test_transition_saves_and_logs_actor_and_reason() -> None:
    run = _run()
    with acting_as(job="unit"):
        row = transition(run, MACHINE, "failed", today=TODAY, reason="boom", save_fields=["error"])
    run.refresh_from_db()
    assert run.status == "failed"
    assert (row.from_status, row.to_status, row.actor, row.reason, row.machine) == (
        "running", "failed", "job:unit", "boom", "jobrun",
    )
    assert list(history(run)) == [row]


@pytest.mark.django_db
def test_illegal_move_names_current_target_and_allowed_and_changes_nothing() -> None:
    run = _run()
    transition(run, MACHINE, "succeeded", today=TODAY)
    with pytest.raises(DomainError) as err:
        transition(run, MACHINE, "running", today=TODAY)
    assert err.value.code == "illegal_transition"
    assert err.value.rule == "CORE-1"
    assert err.value.field == "status"
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert StatusTransition.objects.count() == 1
