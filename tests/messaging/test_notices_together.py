"""MSG-1, issue 16: ``notices_together`` sends the notices a batch's per-row helpers ask for with one
``notify_many`` at the end of the block, inside the batch's transaction; a nested block (a savepoint)
that fails drops its own notices and keeps the others."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from messaging.models import Notice
from messaging.services import NoticeRequest, notices_together, notify_request
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _ask(customer, key: str) -> None:  # type: ignore[no-untyped-def]
    notify_request(NoticeRequest(customer=customer, event="generic",
                                 context={"title": "알림", "message": key}, dedupe_key=key))


def test_outside_a_block_a_request_is_sent_at_once():
    """MSG-1: without a block ``notify_request`` is ``notify``: the notice exists when it returns."""
    customer = CustomerFactory(billing_email="now@example.com")
    _ask(customer, "now:1")
    assert Notice.objects.filter(dedupe_key="now:1").exists()


def test_a_block_sends_its_notices_once_at_its_end_and_a_failed_savepoint_sends_none():
    """MSG-1, issue 16: inside a block nothing is written until it ends; then every request is sent with
    one insert. A nested block that raises (its savepoint rolled back) drops its own requests only."""
    customers = [CustomerFactory(billing_email=f"c{i}@example.com") for i in range(3)]
    with transaction.atomic(), notices_together():
        _ask(customers[0], "batch:0")
        with pytest.raises(RuntimeError), transaction.atomic(), notices_together():
            _ask(customers[1], "batch:1")
            raise RuntimeError("the step was refused")
        with transaction.atomic(), notices_together():
            _ask(customers[2], "batch:2")
        assert not Notice.objects.filter(dedupe_key__startswith="batch:").exists()  # not yet
    sent = set(Notice.objects.filter(dedupe_key__startswith="batch:").values_list("dedupe_key", flat=True))
    assert sent == {"batch:0", "batch:2"}


def test_a_block_that_fails_sends_nothing():
    """MSG-1: an error in the block (the batch rolls back) sends none of its notices."""
    customer = CustomerFactory(billing_email="gone@example.com")
    with pytest.raises(RuntimeError), transaction.atomic(), notices_together():
        _ask(customer, "failed:1")
        raise RuntimeError("batch failed")
    assert not Notice.objects.filter(dedupe_key="failed:1").exists()


def test_a_block_costs_the_same_queries_for_two_notices_as_for_six():
    """Issue 16: the block's flush is one ``notify_many``: two requests cost the queries of six."""
    two = [CustomerFactory(billing_email=f"two{i}@example.com") for i in range(2)]
    six = [CustomerFactory(billing_email=f"six{i}@example.com") for i in range(6)]

    def flush(customers, prefix):  # type: ignore[no-untyped-def]
        with CaptureQueriesContext(connection) as ctx, notices_together():
            for i, customer in enumerate(customers):
                _ask(customer, f"{prefix}:{i}")
        return len(ctx.captured_queries)

    assert flush(two, "two") == flush(six, "six")
    keys = Notice.objects.filter(dedupe_key__regex=r"^(two|six):").values("dedupe_key").distinct()
    assert keys.count() == 8
