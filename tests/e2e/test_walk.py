"""Walking the demo through its navigation in a real browser (issue 15): the overdue customer's admin clicks
every section of the portal's main menu and the footer's links, finds the overdue status, disputes and
refunds from the billing page, and a billing staff member clicks from the admin index to the dunning
dashboard. Only clicks: no URL is typed after the login."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from contracts.management.commands.seed_demo import DEMO_CUSTOMERS, PAY_OVERDUE

pytestmark = pytest.mark.django_db(transaction=True)

OVERDUE = next(spec for spec in DEMO_CUSTOMERS if spec.pays == PAY_OVERDUE)
OVERDUE_ADMIN = OVERDUE.members[0].login_id  # the customer's admin (관리자)


def click_to(page: Page, link: str, path: str) -> None:
    """Click ``link`` (a locator) and wait until the browser shows ``path`` with a visible heading."""
    with page.expect_navigation():
        page.locator(link).first.click()
    assert page.url.split("?")[0].endswith(path), f"{link} led to {page.url}, not {path}"
    expect(page.locator("h1").first).to_be_visible()


def test_overdue_customer_admin_clicks_through_every_section_of_the_portal(demo_book, page, portal_login):
    """ACC-4, issue 15: the admin of the overdue demo customer (주식회사 세종데이터) reaches every section of
    the main menu by clicking it; each shows its heading and marks its own menu item as the current page;
    the footer leads to the terms, the privacy policy and support."""
    portal_login(OVERDUE_ADMIN)
    sections = ["portal:home", "portal:contracts", "portal:invoices", "portal:sla_home", "portal:inbox",
                "portal:members", "portal:profile"]
    for name in sections:
        path = reverse(name)
        click_to(page, f'nav.main-nav a[href="{path}"]', path)
        expect(page.locator(f'nav.main-nav a[href="{path}"]')).to_have_attribute("aria-current", "page")
    for name in ("portal:contract_terms", "portal:privacy_policy", "portal:support"):
        path = reverse(name)
        click_to(page, f'footer a[href="{path}"]', path)
    expect(page.locator("main").get_by_role("link", name=re.compile("@"))).to_be_visible()  # support e-mail


def test_overdue_customer_finds_its_overdue_status_disputes_and_refunds_from_billing(
    demo_book, page, portal_login
):
    """DUN-1, BIL-10, BIL-11, issue 15 ("Can't find it"): from the billing page the overdue customer's
    admin clicks to the overdue status, the disputes and the refunds pages (no URL typed)."""
    portal_login(OVERDUE_ADMIN)
    invoices = reverse("portal:invoices")
    click_to(page, f'nav.main-nav a[href="{invoices}"]', invoices)
    for name in ("portal:dunning_status", "portal:disputes", "portal:refunds"):
        path = reverse(name)
        click_to(page, f'main a[href="{path}"], nav a[href="{path}"]', path)
        click_to(page, f'nav.main-nav a[href="{invoices}"]', invoices)


def test_billing_staff_clicks_from_the_admin_index_to_the_dunning_dashboard(demo_book, page, admin_login):
    """DUN-1..4, ACC-11, issue 15: the billing group's demo user goes from the admin index to the dunning
    dashboard by clicking (through the dunning changelist, or a direct link where the index has one)."""
    admin_login("ops-billing")
    dashboard = reverse("admin:billing_after_due_dashboard")
    direct = page.locator(f'a[href="{dashboard}"]')
    if direct.count() == 0:
        changelist = reverse("admin:billing_dunningcase_changelist")
        click_to(page, f'#content a[href="{changelist}"]', changelist)
    click_to(page, f'a[href="{dashboard}"]', dashboard)
