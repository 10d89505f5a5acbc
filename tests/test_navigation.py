"""Every page is found from the navigation (issue 15, "Done when": a person walking the demo as a customer and
as each staff group finds every page from the navigation).

On the demo book (``manage.py seed_demo`` on ``DEMO_TODAY``, seeded once for the module), the test client
crawls breadth-first, following only the links (``<a href>``) of the pages it reads:

* from the portal home, as the admin and as a plain member of each live demo customer: every portal page
  the role may GET (``tests/demo_pages.py``: the access matrix's routes, filled with the customer's objects)
  must be reached, by its URL name;
* from the admin index, as each staff group's demo user (``seed_demo.STAFF_USERS``): every changelist the
  group may view and every custom admin page without arguments whose permission it holds (dashboards,
  queues, calendars: ``tests/admin_matrix.py``) must be reached.

The failure lists, per role, the pages no link leads to.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.urls import Resolver404, resolve, reverse

from accounts.models import Member
from contracts.management.commands.seed_demo import DEMO_CUSTOMERS, STAFF_USERS
from tests.admin_matrix import RULES as ADMIN_RULES
from tests.demo_pages import NOT_PAGES, custom_admin_view, portal_pages, read_page, seeded_demo

pytestmark = pytest.mark.django_db

LIVE = [spec for spec in DEMO_CUSTOMERS if spec.activate]
#: Paths a crawl never follows: other interfaces, files, and the language switch.
OFF_SITE = ("/api/", "/static/", "/media/", "/i18n/")
#: The same page for another object adds nothing to what can be reached (an invoice's links are the next
#: invoice's): each URL name is read this many times at most.
VISITS_PER_NAME = 2


#: Portal pages linked only in the state that needs them, which the demo book does not have.
STATE_DEPENDENT = frozenset({
    "portal:sla_claim",  # linked from a month with a credit to claim (SLA-5); the demo has no outage
    "portal:sla_terminate",  # offered only when the no-penalty termination applies (SLA-7)
    "portal:message_bulk_progress",  # the bulk send leads there; the history lists messages, not batches
    # offered on an open invoice only (paying also needs a card or CMS registered with the gateway); the demo
    # customers have paid everything but the overdue one, who pays by transfer. tests/e2e/
    # test_billing_journeys.py walks both from the invoice page.
    "portal:invoice_pay",
    "portal:invoice_transfer_notice",
})


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[None]:
    with seeded_demo(django_db_blocker, str(tmp_path_factory.mktemp("navigation-media"))):
        yield


@pytest.fixture(autouse=True)
def _media_root() -> None:
    """The demo's files live in the module's media root (``demo``)."""


def view_name(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


def crawl(client: Client, start: str, *, inside: str, skip: frozenset[str] = frozenset(),
          per_name: int = VISITS_PER_NAME) -> set[str]:
    """The URL names reached from ``start`` following links whose path starts with ``inside`` (the pages
    named in ``skip`` — files, logout — count as reached but are not read)."""
    reached: set[str] = set()
    visits: Counter[str] = Counter()
    seen = {start}
    queue = deque([start])
    while queue:
        url = queue.popleft()
        name = view_name(url)
        if name is None:
            continue
        reached.add(name)
        if name in skip or visits[name] >= per_name:
            continue
        visits[name] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in read_page(response.content.decode()).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.path.startswith(inside):
                continue  # mailto:, tel:, other sites, fragments of this page
            if parts.path.startswith(OFF_SITE):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return reached


def test_every_portal_page_is_reached_from_the_home_page(demo: None) -> None:
    """Issue 15, ACC-4 (what each role may do): as the admin and a plain member of each live demo customer,
    every portal page the role may see is reached by following links from the portal home."""
    unreachable: dict[str, list[str]] = {}
    for spec in LIVE:
        admin_member = Member.objects.get(login_id=spec.members[0].login_id)
        plain = Member.objects.filter(customer=admin_member.customer, role=Member.Role.MEMBER).first()
        assert plain is not None
        for role, member in (("admin", admin_member), ("member", plain)):
            client = Client(raise_request_exception=False)
            client.force_login(member.user)
            pages, _missing = portal_pages(member, role)
            expected = {p.name for p in pages} - STATE_DEPENDENT
            reached = crawl(client, reverse("portal:home"), inside="/", skip=NOT_PAGES | {"portal:logout"})
            lost = sorted(expected - reached)
            if lost:
                unreachable[f"{role} {member.login_id} ({spec.preset})"] = lost
    assert not unreachable, "portal pages no link leads to:\n" + "\n".join(
        f"  {who}: {', '.join(names)}" for who, names in unreachable.items()
    )


def admin_expected(user: Any) -> set[str]:
    """The admin pages ``user`` may use: the changelists it may view and the custom pages without arguments
    whose permission it holds."""
    request = RequestFactory().get("/admin/")
    request.user = user
    expected: set[str] = set()
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        if model_admin.has_view_or_change_permission(request):
            expected.add(f"admin:{info}_changelist")
        for entry in model_admin.get_urls():
            name = getattr(entry, "name", None)
            if not name or not custom_admin_view(name, info) or entry.pattern.regex.groups:
                continue
            rule = ADMIN_RULES.get(name)
            if rule is not None and rule.get is not None and user.has_perm(rule.get):
                expected.add(f"admin:{name}")
    return expected


def test_every_admin_page_of_each_staff_group_is_reached_from_the_admin_index(demo: None) -> None:
    """Issue 15, ACC-11 (staff groups): as each staff group's demo user, every changelist the group may view
    and every dashboard or queue it may use is reached by following links from the admin index."""
    unreachable: dict[str, list[str]] = {}
    for username, group in STAFF_USERS.items():
        user = get_user_model().objects.get(username=username)
        expected = admin_expected(user)
        assert expected, f"{username} may use no admin page"
        client = Client(raise_request_exception=False)
        client.force_login(user)
        # one page of each kind: an admin's links are the same on every row's page
        reached = crawl(client, reverse("admin:index"), inside="/admin/", skip=frozenset({"admin:logout"}),
                        per_name=1)
        lost = sorted(expected - reached)
        if lost:
            unreachable[f"{username} ({group})"] = lost
    assert not unreachable, "admin pages no link leads to:\n" + "\n".join(
        f"  {who}: {', '.join(names)}" for who, names in unreachable.items()
    )
