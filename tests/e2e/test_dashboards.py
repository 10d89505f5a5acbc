"""The two dashboards in a real browser (issue 17): the back office's operations dashboard and a customer's
dashboard in the portal, on the demo book. Each chart's canvas is drawn by Chart.js (served from our
static files; the ``page`` fixture fails on any request to another origin and on a script error) with the
numbers of the table beside it, each table is on the page with its CSV link, and the pages are saved as
screenshots (``DASHBOARD_SCREENSHOTS`` or a temporary directory)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page

from contracts.management.commands.seed_demo import DEMO_CUSTOMERS, PAY_OVERDUE

pytestmark = pytest.mark.django_db(transaction=True)

OVERDUE = next(spec for spec in DEMO_CUSTOMERS if spec.pays == PAY_OVERDUE)
OVERDUE_ADMIN = OVERDUE.members[0].login_id

#: For each canvas: a Chart.js instance with its data, and pixels that differ from a blank canvas.
CHARTS_DRAWN = """() => Array.from(document.querySelectorAll('canvas[data-chart]')).map(canvas => {
  const blank = document.createElement('canvas');
  blank.width = canvas.width; blank.height = canvas.height;
  const chart = canvas.chart;
  return {
    id: canvas.id,
    drawn: canvas.width > 0 && canvas.toDataURL() !== blank.toDataURL(),
    points: chart ? chart.data.datasets.reduce((n, set) => n + set.data.length, 0) : -1,
    labels: chart ? chart.data.labels.length : -1,
  };
})"""


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DASHBOARD_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def check_charts(page: Page, expected: set[str]) -> list[dict[str, Any]]:
    page.wait_for_function(
        "() => document.querySelectorAll('canvas[data-chart]').length > 0 && "
        "Array.from(document.querySelectorAll('canvas[data-chart]')).every(c => c.chart)"
    )
    charts = page.evaluate(CHARTS_DRAWN)
    ids = {c["id"] for c in charts}
    assert expected <= ids, f"charts missing: {expected - ids}"
    for chart in charts:
        assert chart["drawn"], f"{chart['id']} is blank"
        assert chart["points"] > 0 and chart["labels"] > 0, chart
        table = chart["id"].removesuffix("-chart")
        rows = page.locator(f"#{table} table.chart-data tbody tr").count()
        assert rows == chart["labels"], f"{table}: {rows} table rows for {chart['labels']} chart labels"
        assert page.locator(f"#{table} a.csv-link").count() == 1
    return charts


def test_operations_dashboard_draws_every_chart_with_its_table(
    demo_book, page, admin_login, live_server, shots
):
    """Issue 17: the superuser's operations dashboard on the demo book: receivables by age, revenue by month
    and by preset, dunning steps, deadlines, availability by service and messages by day are drawn, each
    with its table and CSV; a bar of the receivables chart leads to the filtered invoice list."""
    admin_login()
    page.goto(live_server.url + reverse("admin:billing_operations_dashboard"))
    expected = {
        "receivables-chart",
        "revenue-month-chart",
        "revenue-preset-chart",
        "deadlines-chart",
        "messages-chart",
    }
    charts = check_charts(page, expected)
    assert page.locator("#deadline-list table.chart-data").count() == 1
    assert page.locator("#dunning-steps table.chart-data").count() == 1
    assert page.locator("#availability table.chart-data").count() == 1
    page.screenshot(path=str(shots / "operations-dashboard.png"), full_page=True)
    assert (shots / "operations-dashboard.png").stat().st_size > 10_000
    link = page.locator("#receivables table.chart-data tbody a").first.get_attribute("href")
    assert link and link.startswith(reverse("admin:billing_invoice_changelist")) and "due_date__lte" in link
    page.goto(live_server.url + link)
    assert "?e=1" not in page.url  # the admin accepted the filter
    assert len(charts) >= len(expected)


def test_customer_dashboard_draws_its_charts_and_tables(demo_book, page, portal_login, shots):
    """Issue 17: the overdue demo customer's admin opens "대시보드" from the portal's menu: the open
    balance, the next invoice estimate (BIL-2), the contracts with seats and the latest notices, and the
    billed-per-month chart with its table, in plain Korean."""
    portal_login(OVERDUE_ADMIN)
    path = reverse("portal:dashboard")
    with page.expect_navigation():
        page.locator(f'nav.main-nav a[href="{path}"]').click()
    check_charts(page, {"billed-chart"})
    for section in (
        "#dash-balance",
        "#dash-estimate",
        "#dash-contract-list",
        "#dash-notices",
        "#availability",
    ):
        assert page.locator(section).count() == 1, section
    assert "원" in page.locator("#dash-balance .card-value").inner_text()
    page.screenshot(path=str(shots / "customer-dashboard.png"), full_page=True)
    assert (shots / "customer-dashboard.png").stat().st_size > 10_000
