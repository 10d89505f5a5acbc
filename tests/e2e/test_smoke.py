"""The harness itself: the demo book is served, a member and a staff user log in through the forms."""

from __future__ import annotations

import pytest

from contracts.management.commands.seed_demo import DEMO_CUSTOMERS

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_and_staff_log_in_through_the_forms(demo_book, page, portal_login, admin_login, live_server):
    """ACC-11: a demo member reaches the portal home, and the billing staff user the admin index."""
    member = next(spec for spec in DEMO_CUSTOMERS if spec.activate).members[0]
    portal_login(member.login_id)
    assert page.locator("h1").first.is_visible()
    page.context.clear_cookies()
    admin_login("ops-billing")
    assert page.url.rstrip("/").endswith("/admin")
