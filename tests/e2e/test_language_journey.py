"""Issue 15, English mode in a real browser: a member switches the portal to English with the language
switch, reads English pages (menu, statuses, notices with amounts as "KRW 330,000"), and switches back
to Korean (SPEC §11: Korean first, English second; MSG-1: notices in the reader's language)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from contracts.management.commands.seed_demo import DEMO_CUSTOMERS, PAY_OVERDUE
from messaging.defaults import ensure_default_templates
from messaging.models import Notice

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def notice_templates(transactional_db):  # type: ignore[no-untyped-def]
    """The built-in notice templates, as the migrations install them (a transactional test's flush
    removes them; without them every notice falls back to the generic Korean text)."""
    ensure_default_templates()


def _switch(page: Page, language: str) -> None:
    """Choose ``language`` in the header's switch and submit it (the page reloads in that language)."""
    page.select_option("#lang-select", language)
    with page.expect_navigation():
        page.locator("form.lang-switch [type=submit]").click()


def test_member_switches_to_english_and_back(notice_templates, demo_book, page, portal_login, live_server):
    """SPEC §11, MSG-1: the language switch turns the portal English (menu "Invoices", the notices' subjects
    and amounts "KRW …"), the choice stays from page to page, and switching back restores Korean."""
    admin = next(spec for spec in DEMO_CUSTOMERS if spec.pays == PAY_OVERDUE).members[0]  # dunning notices
    notice = (Notice.objects.filter(member__login_id=admin.login_id, channel="portal", subject__contains="원")
              .order_by("-created_at").first())
    assert notice is not None, "the demo book gives the member a notice with an amount"
    portal_login(admin.login_id)
    nav = page.locator("nav.main-nav")
    expect(nav.get_by_role("link", name="청구서", exact=True)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "ko"

    _switch(page, "en")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(nav.get_by_role("link", name="Invoices", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Change")).to_be_visible()

    page.goto(f"{live_server.url}/inbox/")  # the choice holds on the next page
    assert page.locator("html").get_attribute("lang") == "en"
    subjects = page.locator("table.inbox-list tbody td:nth-child(2)").all_inner_texts()
    english = [s for s in subjects if s.startswith("[TermsOps]")]
    assert english, subjects
    assert not [s for s in subjects if s.startswith("[텀즈옵스]")], subjects
    with_amount = [s for s in english if "KRW" in s]
    assert with_amount and all(re.search(r"KRW [\d,]+", s) for s in with_amount), english
    assert not any(re.search(r"\d원", s) for s in subjects), subjects

    _switch(page, "ko")
    assert page.locator("html").get_attribute("lang") == "ko"
    expect(nav.get_by_role("link", name="청구서", exact=True)).to_be_visible()
    subjects = page.locator("table.inbox-list tbody td:nth-child(2)").all_inner_texts()
    assert notice.subject in subjects and not [s for s in subjects if "KRW" in s], subjects
