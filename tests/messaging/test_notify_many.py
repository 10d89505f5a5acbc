"""MSG-1 (issue 16): ``notify_many`` writes exactly the notices ``notify`` would, for many customers at
once, with a constant number of queries; a dedupe key used before (or twice) sends nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer
from messaging.models import Notice, NoticeCategory
from messaging.services import NoticeRequest, notify, notify_many
from messaging.services.preferences import notice_preference_set
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory

pytestmark = pytest.mark.django_db

EVENT = "dunning.resolved"  # a billing notice (the customer may choose its channels), not a legal one


def _customer(n: int, *, language: str = "ko", sms: bool = False) -> Customer:
    customer = CustomerFactory(preferred_language=language)
    AdminMemberFactory(customer=customer, email=f"admin{n}@example.com")
    AdminMemberFactory(customer=customer, email=f"second{n}@example.com")
    MemberFactory(customer=customer, role="member", email=f"plain{n}@example.com")  # not an admin
    if sms:
        notice_preference_set(customer=customer, category=NoticeCategory.BILLING, channels=["sms", "portal"])
    return customer


def _context(n: int) -> dict[str, Any]:
    return {"invoice_number": f"INV-{n}", "total_won": 110_000 * n, "due_date": "2026-12-20"}


def _shape(notices: list[Notice]) -> list[tuple[Any, ...]]:
    return sorted(
        (n.channel, n.recipient, n.member_id is not None, n.language, n.subject, n.body, n.status, n.actor)
        for n in notices
    )


def test_the_same_notices_as_notify_one_at_a_time() -> None:
    """MSG-1: per customer (Korean, English, one with its own channel choice) the same channels,
    recipients, languages, texts and states as ``notify``."""
    customers = [_customer(1), _customer(2, language="en"), _customer(3, sms=True)]
    one_by_one = {
        c.pk: _shape(notify(customer=c, event=EVENT, context=_context(n), dedupe_key=f"one:{c.pk}"))
        for n, c in enumerate(customers, start=1)
    }
    sent = notify_many(
        [
            NoticeRequest(customer=c, event=EVENT, context=_context(n), dedupe_key=f"many:{c.pk}")
            for n, c in enumerate(customers, start=1)
        ]
    )
    assert sorted(sent) == sorted(f"many:{c.pk}" for c in customers)
    for c in customers:
        assert _shape(sent[f"many:{c.pk}"]) == one_by_one[c.pk]
        stored = list(Notice.objects.filter(dedupe_key=f"many:{c.pk}"))
        assert _shape(stored) == one_by_one[c.pk]


def test_queries_do_not_grow_with_the_customers_and_keys_send_once() -> None:
    """MSG-1 (issue 16): 1 and 4 customers take the same number of queries; a key used before, or twice in
    one call, sends nothing more."""
    small = [_customer(n) for n in range(1)]
    large = [_customer(n) for n in range(10, 14)]

    def requests(customers: list[Customer]) -> list[NoticeRequest]:
        return [
            NoticeRequest(customer=c, event=EVENT, context=_context(1), dedupe_key=f"k:{c.pk}")
            for c in customers
        ]

    with CaptureQueriesContext(connection) as first:
        notify_many(requests(small))
    with CaptureQueriesContext(connection) as second:
        notify_many(requests(large))
    assert len(first.captured_queries) == len(second.captured_queries)
    before = Notice.objects.count()
    again = notify_many(requests(large) + requests(large))
    assert again == {} and Notice.objects.count() == before
    fresh = _customer(99)
    twice = notify_many(requests([fresh]) + requests([fresh]))
    assert list(twice) == [f"k:{fresh.pk}"]
    assert Notice.objects.filter(dedupe_key=f"k:{fresh.pk}").count() == len(twice[f"k:{fresh.pk}"]) > 0
