"""MSG-1: two workers notifying with the same dedupe key at once notify once."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection

from messaging.models import Notice
from messaging.services import notify
from tests.factories import AdminMemberFactory, CustomerFactory


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_with_one_dedupe_key_create_one_set():
    """MSG-1: a job that runs twice (on two workers at once) never notifies twice."""
    customer = CustomerFactory(billing_email="billing@race.example")
    AdminMemberFactory(customer=customer, email="admin@race.example")
    mail.outbox = []
    barrier = threading.Barrier(2)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait(timeout=10)
            notices = notify(customer=customer, event="generic", context={"title": "연체 안내"},
                             dedupe_key="dunning:INV-9:step-1")
            results.append(sorted(n.pk for n in notices))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Notice.objects.count() == 3  # two emails and one portal notice
    assert results[0] == results[1]
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@race.example", "billing@race.example"]
