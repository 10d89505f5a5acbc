"""Audit trail: who (a person or a job) changed what (ARCHITECTURE "Habits"; SPEC §10: jobs act by name)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from core.audit import (
    acting_as,
    actor_for_user,
    bulk_create_audited,
    bulk_update_audited,
    current_actor,
    diff,
)
from core.models import Holiday

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="x")


def test_save_as_a_user_records_user_and_actor(alice):
    """Every change names the acting person: history_user and history_actor "user:<name>"."""
    with acting_as(alice, reason="창립기념일 추가"):
        holiday = Holiday.objects.create(date=date(2026, 11, 11), name="창립기념일")
    record = holiday.history.get()
    assert record.history_user == alice
    assert record.history_actor == "user:alice"
    assert record.history_type == "+"
    assert record.history_change_reason == "창립기념일 추가"


def test_save_as_a_job_records_the_job():
    """§10: a scheduled job is the actor of its changes: "job:dunning", no user."""
    with acting_as(job="dunning"):
        holiday = Holiday.objects.create(date=date(2026, 11, 11), name="창립기념일")
        holiday.name = "휴무"
        holiday.save()
    records = list(holiday.history.order_by("history_id"))
    assert [r.history_actor for r in records] == ["job:dunning", "job:dunning"]
    assert all(r.history_user is None for r in records)


def test_outside_any_actor_is_system_and_actor_resets(alice):
    """Changes outside acting_as are "system"; the actor resets after the block, even on errors."""
    assert current_actor().label == "system"
    with pytest.raises(RuntimeError), acting_as(alice):
        assert current_actor().label == "user:alice"
        raise RuntimeError
    assert current_actor().label == "system"
    with acting_as(alice), acting_as(job="purge_data"):
        assert current_actor().label == "job:purge_data"
    holiday = Holiday.objects.create(date=date(2026, 11, 11), name="x")
    assert holiday.history.get().history_actor == "system"


def test_anonymous_user_is_labelled():
    """An unauthenticated request is attributed to "anonymous", not to nobody."""
    assert actor_for_user(AnonymousUser()).label == "anonymous"
    assert actor_for_user(None).user is None


def test_bulk_update_writes_one_history_row_per_object(alice):
    """Bulk changes are audited too: one history row per object, with the actor."""
    holidays = [Holiday.objects.create(date=date(2026, 11, d), name=f"h{d}") for d in (11, 12, 13)]
    for h in holidays:
        h.name = h.name.upper()
    with acting_as(alice, reason="일괄 수정"):
        bulk_update_audited(holidays, ["name"])
    assert set(Holiday.objects.values_list("name", flat=True)) == {"H11", "H12", "H13"}
    for h in holidays:
        latest = h.history.order_by("-history_id").first()
        assert latest.name == h.name
        assert latest.history_actor == "user:alice"
        assert latest.history_user == alice
        assert latest.history_change_reason == "일괄 수정"
        assert h.history.count() == 2
    assert bulk_update_audited([], ["name"]) == 0


def test_bulk_create_audited_by_a_job():
    """Bulk creation records "job:<name>" per row."""
    with acting_as(job="load_holidays"):
        created = bulk_create_audited([Holiday(date=date(2026, 12, d), name=f"h{d}") for d in (1, 2)])
    assert len(created) == 2
    rows = Holiday.history.filter(date__in=[date(2026, 12, 1), date(2026, 12, 2)])
    assert rows.count() == 2
    assert set(rows.values_list("history_actor", flat=True)) == {"job:load_holidays"}
    assert bulk_create_audited([]) == []


def test_diff_gives_before_and_after(alice):
    """An audit row shows what changed: before/after per field; a creation has no diff."""
    holiday = Holiday.objects.create(date=date(2026, 11, 11), name="창립기념일", note="")
    with acting_as(alice):
        holiday.name = "회사 휴무일"
        holiday.note = "전사"
        holiday.save()
    first, second = holiday.history.order_by("history_id")
    assert diff(first) == {}
    changes = diff(second)
    assert changes["name"] == ("창립기념일", "회사 휴무일")
    assert changes["note"] == ("", "전사")
    assert "date" not in changes
