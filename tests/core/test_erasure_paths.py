"""DAT-2, issue 16: the rows of a customer in a table it reaches through several paths (a notice's own
customer, or its member's) are read path by path, each through its index, never with one ``OR`` across
a join (which scanned the whole notice table once per purged customer)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer
from core.erasure import customer_paths, customer_rows
from messaging.models import Notice
from tests.factories import CustomerFactory, MemberFactory

pytestmark = pytest.mark.django_db


def _notice(customer, member=None):  # type: ignore[no-untyped-def]
    return Notice.objects.create(customer=customer, member=member, recipient="x@example.com",
                                 channel="email", event="generic", subject="s", body="b")


def test_a_customers_rows_through_either_path_and_no_others():
    """DAT-2: its own notices and those to its members (even one filed under another customer, as after
    a succession) are the customer's; another customer's are not; the reads use no ``OR``."""
    customer, other = CustomerFactory(), CustomerFactory()
    member = MemberFactory(customer=customer)
    own = _notice(customer)
    via_member = _notice(other, member)
    both = _notice(customer, member)
    _notice(other)
    _notice(other, MemberFactory(customer=other))
    assert sorted(customer_paths(Notice, Customer)) == ["customer", "member__customer"]
    with CaptureQueriesContext(connection) as ctx:
        rows = sorted(customer_rows(Notice, Customer, customer.pk).values_list("pk", flat=True))
    assert rows == sorted([own.pk, via_member.pk, both.pk])
    assert all(" OR " not in q["sql"] for q in ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]
    assert customer_rows(Notice, Customer, CustomerFactory().pk).count() == 0
