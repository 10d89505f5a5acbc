"""End-to-end journeys in a real browser (issue 15): Debian's chromium driven by Playwright against
pytest-django's live server, on the demo book (``manage.py seed_demo``).

Never skipped: without chromium or Playwright these tests fail (CI installs chromium, see .ci/run).

Fixtures:
* ``browser``: one headless chromium per test process.
* ``demo_book``: the demo data seeded on a fixed date (``DEMO_TODAY``); the clock stays on that date.
* ``page``: a fresh Korean browser context; every request must go to our own server (no CDN) and a
  page script error fails the test.
* ``portal_login(page, login_id)`` / ``admin_login(page, username)``: sign in through the login forms.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from contracts.management.commands.seed_demo import ADMIN_PASSWORD, DEMO_PASSWORD

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from it are fine here.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
#: The date the demo book is seeded on and the live server's clock says.
DEMO_TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def demo_book(transactional_db: Any, settings: Any) -> str:
    """The demo customers, staff and three months of billing, seeded on ``DEMO_TODAY``; returns the
    seeding command's printout (logins and what was seeded)."""
    settings.CLOCK_TODAY = DEMO_TODAY.isoformat()
    out = io.StringIO()
    call_command("seed_demo", "--date", DEMO_TODAY.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(locale="ko-KR", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    tab.on(
        "request",
        lambda request: None
        if request.url.startswith((live_server.url, "data:", "blob:", "about:"))
        else foreign.append(request.url),
    )
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
    finally:
        context.close()
    assert not foreign, f"requests outside our server: {foreign}"
    assert not errors, f"script errors on the page: {errors}"


def _login(page: Page, url: str, username: str, password: str) -> None:
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").first.click()
    assert "/login/" not in page.url, f"login of {username} failed: {page.url}"


@pytest.fixture
def portal_login(page: Page, live_server: Any) -> Callable[..., Page]:
    def login(login_id: str, password: str = DEMO_PASSWORD) -> Page:
        _login(page, f"{live_server.url}/login/", login_id, password)
        return page

    return login


@pytest.fixture
def admin_login(page: Page, live_server: Any) -> Callable[..., Page]:
    def login(username: str = "admin", password: str | None = None) -> Page:
        _login(page, f"{live_server.url}/admin/login/", username,
               password or (ADMIN_PASSWORD if username == "admin" else DEMO_PASSWORD))
        return page

    return login
