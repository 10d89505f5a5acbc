"""The public status page (SLA-8) in a real browser: Debian's chromium driven by Playwright against the
live server. Never skipped: without chromium (or Playwright) the test fails."""

from __future__ import annotations

import os

import pytest

from sla.services.incidents import incident_open
from sla.services.maintenance import maintenance_plan
from tests.sla.conftest import D, T

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from it are fine here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
TODAY = D(2026, 11, 20)
NOW = T(2026, 11, 20, 0, 30)

pytestmark = pytest.mark.django_db(transaction=True)


def test_status_page_in_a_browser(live_server, settings, presets, browser):
    """SLA-8: without logging in, the browser shows the current incident, the announced maintenance and
    90 daily bars (a day with outage drawn shorter), and the same numbers as a readable table; every
    resource comes from our own server (no CDN)."""
    settings.CLOCK_TODAY = TODAY.isoformat()
    incident_open(
        service="officecore",
        title="메일 발송 지연",
        detected_at=T(2026, 11, 18, 0),
        ended_at=T(2026, 11, 18, 6),
        today=TODAY,
        now=NOW,
    )
    incident_open(
        service="officecore", title="로그인 장애", detected_at=T(2026, 11, 19, 22), today=TODAY, now=NOW
    )
    maintenance_plan(
        service="officecore",
        title="정기 점검",
        starts_at=T(2026, 11, 25, 0),
        ends_at=T(2026, 11, 25, 2),
        today=TODAY,
        now=NOW,
    )
    requested: list[str] = []
    context = browser.new_context(locale="ko-KR")
    try:
        page = context.new_page()
        page.on("request", lambda request: requested.append(request.url))
        page.goto(f"{live_server.url}/status/")
        page.get_by_role("link", name="officecore").click()
        page.wait_for_url("**/status/officecore/")
        assert page.get_by_role("heading", level=1).inner_text() == "officecore 서비스 상태"
        assert page.locator("#status-summary").inner_text() == "현재 장애가 있습니다."
        assert "로그인 장애" in page.locator("#current-incidents").inner_text()
        assert (
            "정기 점검: 2026-11-25 00:00 ~ 2026-11-25 02:00" in page.locator("#maintenance").inner_text()
        )

        chart = page.get_by_role("img", name="최근 90일 가용률")
        assert chart.is_visible()
        bars = page.locator("#availability-chart rect.bar")
        assert bars.count() == 90
        full = bars.first.bounding_box()
        down = page.locator('#availability-chart rect[data-date="2026-11-18"]').bounding_box()
        assert full is not None and down is not None
        assert down["height"] < full["height"] and full["height"] > 0
        assert page.locator('#availability-chart rect[data-date="2026-11-18"].bar-major').count() == 1

        table = page.locator("#availability-table")
        assert not table.is_visible()
        page.get_by_text("일별 가용률 표").click()
        row = table.locator("tr", has_text="2026-11-18")
        assert row.is_visible() and row.inner_text().split() == ["2026-11-18", "75.0%", "360"]
        assert table.locator("tbody tr").count() == 90
    finally:
        context.close()
    assert requested and all(url.startswith(live_server.url) for url in requested), requested
