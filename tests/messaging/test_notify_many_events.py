"""MSG-1, issue 16: ``notify_many`` sends exactly what ``notify`` sends, request by request (channels from
the templates and the customer's choice, email added for legal notices, recipients, language, dedupe
keys), in a number of queries that does not grow with the requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Customer
from messaging.models import Channel, Notice
from messaging.services import NoticeRequest, notify, notify_many
from messaging.services.preferences import notice_preference_set
from tests.factories import AdminMemberFactory, CustomerFactory

pytestmark = pytest.mark.django_db

FIELDS = ("customer_id", "member_id", "recipient", "channel", "event", "language", "template_id", "subject",
          "body", "context", "status", "error", "dedupe_key", "actor")


def _requests(customers: list[Customer], prefix: str) -> list[NoticeRequest]:
    out = []
    for i, customer in enumerate(customers):
        context = {"invoice_number": f"INV-{i}", "amount_won": 12_300, "action": "notify", "next_on": ""}
        out.append(NoticeRequest(customer, "dunning.step", context, dedupe_key=f"{prefix}:step:{i}"))
        out.append(NoticeRequest(customer, "contract.suspended", {"contract_number": f"C-{i}"},
                                 dedupe_key=f"{prefix}:suspended:{i}"))
    return out


def _flat(sent: dict[str, list[Notice]]) -> list[Notice]:
    """``notify_many``'s answer (the notices sent now, by dedupe key) as one list."""
    return [notice for notices in sent.values() for notice in notices]


def _rows(notices: list[Notice], prefix: str) -> list[tuple[Any, ...]]:
    rows = Notice.objects.filter(pk__in=[n.pk for n in notices]).order_by("id").values_list(*FIELDS)
    return [tuple(str(v).replace(prefix, "K") if isinstance(v, str) else v for v in row) for row in rows]


@pytest.fixture
def customers(customer: Customer, admin_member: Any) -> list[Customer]:
    english: Any = CustomerFactory(legal_name="Acme", billing_email="billing@acme.example",
                                   preferred_language="en")
    AdminMemberFactory(customer=english, login_id="acme-admin", email="admin@acme.example")
    chooser: Any = CustomerFactory(legal_name="주식회사 선택", billing_email="billing@choice.example")
    AdminMemberFactory(customer=chooser, login_id="choice-admin", email="admin@choice.example")
    # the customer's choice: portal only for contract and billing notices (legal ones still add email)
    notice_preference_set(customer=chooser, category="contract", channels=[Channel.PORTAL])
    notice_preference_set(customer=chooser, category="billing", channels=[Channel.PORTAL])
    return [customer, english, chooser]


def test_notify_many_sends_what_notify_sends(customers: list[Customer]) -> None:
    """MSG-1: the same notices, field for field, as one notify() per request, in the requests' order."""
    one_by_one: list[Notice] = []
    for request in _requests(customers, "single"):
        one_by_one += notify(customer=request.customer, event=request.event, context=request.context,
                             dedupe_key=request.dedupe_key, actor="dunning")
    many = _flat(notify_many(_requests(customers, "many"), actor="dunning"))
    assert _rows(many, "many") == _rows(one_by_one, "single")
    assert {n.channel for n in many if n.customer_id == customers[2].pk} == {Channel.PORTAL, Channel.EMAIL}


def test_dedupe_keys_are_used_once(customers: list[Customer]) -> None:
    """MSG-1: a key used before, or twice in one call, creates nothing more."""
    first = _flat(notify_many(_requests(customers[:1], "k")))
    assert first
    assert notify_many(_requests(customers[:1], "k")) == {}
    doubled = _requests(customers[1:2], "d")
    created = _flat(notify_many([*doubled, *doubled]))
    assert len({n.dedupe_key for n in created}) == len(doubled)
    assert Notice.objects.filter(dedupe_key__startswith="d:").count() == len(created)


def test_queries_do_not_grow_with_the_requests(customers: list[Customer]) -> None:
    """Issue 16: one customer's requests and three customers' take the same number of queries."""
    with CaptureQueriesContext(connection) as small:
        notify_many(_requests(customers[:1], "s"))
    with CaptureQueriesContext(connection) as large:
        notify_many(_requests(customers, "l"))
    assert len(large.captured_queries) == len(small.captured_queries)
