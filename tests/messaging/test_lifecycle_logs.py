"""Notices move through core.transitions (MSG-6): sent → read and failed → queued are logged; a move the
machine does not allow is refused and changes nothing."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.transitions import history
from messaging import services
from messaging.models import Channel, Notice
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def test_portal_notice_read_is_logged_once(customer, admin_member):
    """MSG-6: a portal notice is created sent; reading it is the logged move sent → read."""
    [notice] = services.notify(
        customer=customer, event="test.portal", channels=[Channel.PORTAL], members=[admin_member], context={}
    )
    assert notice.status == Notice.Status.SENT
    services.notice_mark_read(notice=notice, member=admin_member)
    services.notice_mark_read(notice=notice, member=admin_member)
    assert [(r.from_status, r.to_status) for r in history(notice)] == [("sent", "read")]


def test_failed_email_queued_again_is_logged_and_a_sent_one_is_refused(customer):
    """MSG-6: failed → queued is logged with the staff user; retrying a sent email is refused."""
    failed = Notice.objects.create(
        customer=customer,
        channel=Channel.EMAIL,
        event="x",
        subject="s",
        body="b",
        recipient="a@example.com",
        status=Notice.Status.FAILED,
    )
    staff = StaffUserFactory()
    services.notice_retry(notice=failed, actor=staff)
    [row] = history(failed)
    assert (row.from_status, row.to_status, row.user) == ("failed", "queued", staff)
    sent = Notice.objects.create(
        customer=customer,
        channel=Channel.EMAIL,
        event="x",
        subject="s",
        body="b",
        recipient="a@example.com",
        status=Notice.Status.SENT,
    )
    with pytest.raises(DomainError) as err:
        services.notice_retry(notice=sent, actor=staff)
    assert (err.value.code, err.value.rule) == ("illegal_transition", "MSG-6")
    sent.refresh_from_db()
    assert sent.status == Notice.Status.SENT
    assert list(history(sent)) == []
