"""Issue 15: every custom admin page (dashboard, calendar, queue, usage) is listed in the admin's
navigation for exactly the staff it lets in; none is reachable only by typing its address."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts.staff import STAFF_GROUPS, ensure_staff_groups
from core.adminkit import AdminPage
from tests.factories import StaffUserFactory, UserFactory


def _pages() -> list[str]:
    urls = []
    for model_admin in admin.site._registry.values():
        page: AdminPage
        for page in getattr(model_admin, "admin_pages", ()):
            urls.append(reverse(f"admin:{page.url_name}"))
    return urls


def test_the_known_custom_pages_are_declared() -> None:
    """Issue 15: the dunning dashboard, the review queue, the message usage and the retention calendar
    are navigation pages."""
    urls = _pages()
    for name in (
        "billing_after_due_dashboard",
        "contracts_contract_queue",
        "messaging_message_usage",
        "privacy_retention_calendar",
    ):
        assert reverse(f"admin:{name}") in urls


@pytest.mark.django_db
@pytest.mark.parametrize("group", [*STAFF_GROUPS, "superuser"])
def test_each_staff_group_finds_the_pages_it_may_open_and_only_those(group: str) -> None:
    """Issue 15: the admin index links a custom page exactly when the page answers 200 to that user
    (403 otherwise), for every staff group and a superuser."""
    ensure_staff_groups()
    if group == "superuser":
        user = UserFactory(is_staff=True, is_superuser=True)
    else:
        user = StaffUserFactory(groups=[group])
    client = Client()
    client.force_login(user)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    links = set(re.findall(r'href="([^"]+)"', index.content.decode()))
    for url in _pages():
        status = client.get(url).status_code
        assert status in (200, 403), (url, status)
        assert (url in links) == (status == 200), (group, url, status)
    if group in ("billing", "superuser"):
        assert reverse("admin:billing_after_due_dashboard") in links
    if group in ("support", "superuser"):
        assert reverse("admin:contracts_contract_queue") in links


@pytest.mark.django_db
def test_the_app_page_and_the_invoice_list_link_the_dashboard() -> None:
    """Issue 15: the billing app page and the invoice list lead to the dunning dashboard."""
    ensure_staff_groups()
    client = Client()
    client.force_login(StaffUserFactory(groups=["billing"]))
    dashboard = reverse("admin:billing_after_due_dashboard")
    assert dashboard in client.get(reverse("admin:app_list", args=["billing"])).content.decode()
    assert dashboard in client.get(reverse("admin:billing_invoice_changelist")).content.decode()
