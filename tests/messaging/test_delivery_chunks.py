"""MSG-1, issue 16: queued email notices are delivered a chunk at a time (locked in one statement, sent
over one mail connection, marked in one update), each still recorded as sent or failed on its own."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.models import Notice
from messaging.services import deliver_emails, notify
from tests.factories import CustomerFactory
from tests.messaging.failing_backend import RefusingBackend

pytestmark = pytest.mark.django_db


def _queued(emails: list[str]) -> list[Notice]:
    made = []
    for i, email in enumerate(emails):
        customer = CustomerFactory(billing_email=email, preferred_language="ko")
        made += notify(customer=customer, event="generic", channels=["email"],
                       context={"title": "알림", "message": f"본문 {i}"}, dedupe_key=f"chunk:{email}")
    return made


def test_one_refused_address_fails_alone_and_the_rest_are_sent(settings: Any) -> None:
    """MSG-1: in one chunk a refused address is recorded failed with the server's answer (attempts 1);
    the others are sent (sent_at set, attempts 1) over one connection; each notice logs its move."""
    settings.EMAIL_BACKEND = "tests.messaging.failing_backend.RefusingBackend"
    RefusingBackend.SENT.clear()
    RefusingBackend.OPENED.clear()
    made = _queued(["a@ok.example", "refused@bad.example", "b@ok.example"])  # queued: delivered after commit
    assert {n.status for n in made} == {Notice.Status.QUEUED}
    deliver_emails([n.pk for n in made])
    by_address = {n.recipient: n for n in Notice.objects.filter(pk__in=[n.pk for n in made])}
    refused = by_address["refused@bad.example"]
    assert (refused.status, refused.attempts, refused.sent_at) == (Notice.Status.FAILED, 1, None)
    assert refused.error == "ConnectionError: 550 mailbox unavailable: refused@bad.example"
    for address in ("a@ok.example", "b@ok.example"):
        sent = by_address[address]
        assert (sent.status, sent.attempts, sent.error) == (Notice.Status.SENT, 1, "")
        assert sent.sent_at is not None
    assert sorted(RefusingBackend.SENT) == ["a@ok.example", "b@ok.example"]
    assert RefusingBackend.OPENED == [1]  # one connection for the chunk
    from core.models import StatusTransition

    moves = StatusTransition.objects.filter(machine="notice", object_id__in=[n.pk for n in made])
    assert sorted(moves.values_list("object_id", "to_status")) == sorted(
        [(n.pk, "failed" if n.recipient.startswith("refused") else "sent") for n in made]
    )
    deliver_emails([n.pk for n in made])  # again: nothing queued, nothing sent twice
    assert sorted(RefusingBackend.SENT) == ["a@ok.example", "b@ok.example"]


def test_a_chunk_costs_the_same_queries_for_two_notices_as_for_six(settings: Any) -> None:
    """Issue 16: delivering six notices costs the queries of two (lock, update, log, attempts)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    two = _queued([f"two{i}@ok.example" for i in range(2)])
    six = _queued([f"six{i}@ok.example" for i in range(6)])
    with CaptureQueriesContext(connection) as few:
        deliver_emails([n.pk for n in two])
    with CaptureQueriesContext(connection) as many:
        deliver_emails([n.pk for n in six])
    assert len(few.captured_queries) == len(many.captured_queries) <= 6
    assert Notice.objects.filter(pk__in=[n.pk for n in two + six], status=Notice.Status.SENT).count() == 8
