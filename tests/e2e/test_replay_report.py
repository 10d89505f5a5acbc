"""The replay report (``manage.py replay``, issue 17) in a real browser: opened from disk (``file://``) in the
shared chromium, each preset's section with its tables, and a full-page screenshot kept with the test's
temporary files. A few days are enough for the layout; ``tests/test_replay.py`` checks the contents."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser

from contracts.management import replay_book
from core import clock

START, END = dt.date(2026, 1, 5), dt.date(2026, 1, 15)  # the flow application: days 5, 7, 9, 10
TABLES = (
    "summary",
    "timeline",
    "events",
    "invoices",
    "lines",
    "late-charges",
    "dunning",
    "credits",
    "sla",
    "incidents",
    "refunds",
    "penalties",
    "settlements",
)


@pytest.fixture
def report(transactional_db: Any, tmp_path: Path) -> Path:
    path = tmp_path / "replay-report.html"
    with clock.frozen(END):
        call_command(
            "replay",
            "--from",
            START.isoformat(),
            "--to",
            END.isoformat(),
            "--report",
            str(path),
            "--no-progress",
            stdout=io.StringIO(),
        )
    return path


def test_replay_report_in_the_browser(report: Path, browser: Browser, tmp_path_factory: Any) -> None:
    """Every preset's section is shown with all its tables and a rule next to the scripted event."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(report.resolve().as_uri())
        assert page.title().startswith("재현 보고서")
        assert page.locator("nav a").all_inner_texts() == list(replay_book.PRESETS)
        for preset in replay_book.PRESETS:
            section = page.locator(f"section[data-preset='{preset}']")
            assert section.is_visible(), preset
            assert section.locator("h2").inner_text().endswith(preset)
            for table in TABLES:
                assert section.locator(f"table[data-table='{table}']").count() >= 1, (preset, table)
        flow_event = page.locator("section[data-preset='flow'] table[data-table='events'] tr").nth(1)
        assert "ACC-3" in flow_event.inner_text() and "2026-01-10" in flow_event.inner_text()
        shot = tmp_path_factory.mktemp("replay-screens") / "replay-report.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()
