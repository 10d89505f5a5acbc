"""``make demo YEAR=1`` (``manage.py demo --year``): the demo seeds the replayed year of ``manage.py replay``
(its book and scripted events, a year before today) and writes the replay report. The year itself is
replayed by ``tests/test_replay.py`` over a shorter range; here the seeding is stood in for."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from contracts.management import replay_book
from contracts.management.commands import demo, replay
from contracts.management.commands.seed_demo import SeedResult
from core import clock

pytestmark = pytest.mark.django_db


def test_demo_year_seeds_the_replayed_year_and_writes_the_report(monkeypatch: Any, tmp_path: Path) -> None:
    """The book of every preset opens DEFAULT_DAYS before today, with the scripted events as a day hook."""
    calls: list[dict[str, Any]] = []

    def fake_seed(**kwargs: Any) -> SeedResult:
        calls.append(kwargs)
        return SeedResult()

    monkeypatch.setattr(demo, "seed", fake_seed)
    report = tmp_path / "year.html"
    out = io.StringIO()
    call_command("demo", "--no-serve", "--year", "--report", str(report), stdout=out, stderr=io.StringIO())
    today = clock.today()
    [kwargs] = calls
    assert kwargs["today"] == today and kwargs["history_days"] == replay.DEFAULT_DAYS == 364
    assert [s.legal_name for s in kwargs["customers"]] == [
        s.legal_name for s in replay_book.book(replay_book.PRESETS)
    ]
    [hook] = kwargs["hooks"]
    assert hook.name == replay_book.EVENTS_JOB
    assert "364일 전 개통" in out.getvalue()
    html = report.read_text(encoding="utf-8")
    assert f"{today - dt.timedelta(days=364)}" in html
    assert all(f'data-preset="{p}"' in html for p in replay_book.PRESETS)
