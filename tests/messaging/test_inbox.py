"""MSG-1: the portal inbox — own notices plus broadcasts, read marking, 7-day broadcasts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core import clock
from core.errors import DomainError, NotFound
from messaging import selectors
from messaging.models import Broadcast, BroadcastRead, Notice
from messaging.services import (
    broadcast_mark_read,
    broadcast_portal_notice,
    broadcast_update,
    notice_mark_read,
    notify,
)
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 2, 10, 0, tzinfo=clock.SEOUL)


def _notify(customer, title="안내"):  # type: ignore[no-untyped-def]
    return notify(customer=customer, event="generic", channels=["portal"],
                  context={"title": title, "message": "본문"})


def test_inbox_shows_only_own_customers_notices(customer, admin_member, other_admin):
    """MSG-1: a member sees their own customer's portal notices, never another customer's."""
    _notify(customer, "우리 알림")
    _notify(other_admin.customer, "남의 알림")
    rows = list(selectors.inbox_for(admin_member))
    assert [r["item_subject"] for r in rows] == ["[텀즈옵스] 우리 알림"]
    assert [r["item_subject"] for r in selectors.inbox_for(other_admin)] == ["[텀즈옵스] 남의 알림"]


def test_mark_read_and_unread_count(customer, admin_member):
    """MSG-1: opening a notice marks it read once; the unread count follows."""
    [first] = _notify(customer, "하나")
    _notify(customer, "둘")
    assert selectors.unread_count(admin_member) == 2
    with clock.frozen(NOW):
        read = notice_mark_read(notice=first, member=admin_member)
    assert read.status == Notice.Status.READ
    assert read.read_at == NOW
    assert notice_mark_read(notice=first, member=admin_member).read_at == NOW  # idempotent
    assert selectors.unread_count(admin_member) == 1
    unread = selectors.inbox_for(admin_member, unread_only=True)
    assert [r["item_subject"] for r in unread] == ["[텀즈옵스] 둘"]


def test_mark_read_refuses_someone_elses_notice(customer, admin_member, other_admin):
    """MSG-1: a member cannot mark another member's notice."""
    [notice] = _notify(customer)
    with pytest.raises(NotFound):
        notice_mark_read(notice=notice, member=other_admin)


def test_broadcast_refuses_less_than_seven_days():
    """MSG-1 (000 art.9②): a notice to all customers is posted for at least 7 days."""
    with pytest.raises(DomainError) as short:
        broadcast_portal_notice(subject="점검", body="점검 안내", posted_from=NOW,
                                posted_until=NOW + dt.timedelta(days=6, hours=23))
    assert short.value.rule == "MSG-1"
    assert short.value.code == "broadcast_posting_too_short"
    assert "MSG-1" in short.value.message_ko
    assert Broadcast.objects.count() == 0

    ok = broadcast_portal_notice(subject="점검", body="점검 안내", posted_from=NOW,
                                 posted_until=NOW + dt.timedelta(days=7))
    with pytest.raises(DomainError):
        broadcast_update(broadcast=ok, posted_until=NOW + dt.timedelta(days=3))
    with clock.frozen(NOW):
        by_date = broadcast_portal_notice(subject="약관 변경", body="...", posted_until=dt.date(2026, 11, 9))
    assert by_date.posted_until.date() == dt.date(2026, 11, 9)


def test_broadcasts_appear_in_every_inbox_while_posted(customer, admin_member, other_admin):
    """MSG-1: broadcasts show to members of all customers while posted, read per member."""
    _notify(customer, "개별")
    broadcast = broadcast_portal_notice(subject="약관 개정 공지", body="본문", subject_en="Terms update",
                                        posted_from=NOW, posted_until=NOW + dt.timedelta(days=10))
    during = NOW + dt.timedelta(days=1)
    rows = list(selectors.inbox_for(admin_member, now=during))
    assert sorted((r["kind"], r["item_subject"]) for r in rows) == [
        ("broadcast", "약관 개정 공지"), ("notice", "[텀즈옵스] 개별"),
    ]
    other = other_admin.customer
    other.preferred_language = "en"
    other.save()
    other_admin.refresh_from_db()
    assert [r["item_subject"] for r in selectors.inbox_for(other_admin, now=during)] == ["Terms update"]
    assert selectors.unread_count(other_admin, now=during) == 1

    broadcast_mark_read(broadcast=broadcast, member=other_admin, now=during)
    broadcast_mark_read(broadcast=broadcast, member=other_admin, now=during)
    assert BroadcastRead.objects.count() == 1
    assert selectors.unread_count(other_admin, now=during) == 0
    assert selectors.unread_count(admin_member, now=during) == 2
    after = NOW + dt.timedelta(days=11)
    assert [r["kind"] for r in selectors.inbox_for(admin_member, now=after)] == ["notice"]


# --- portal pages -------------------------------------------------------------------


@pytest.fixture
def logged_in(client, admin_member):  # type: ignore[no-untyped-def]
    client.force_login(admin_member.user)
    return client


def test_portal_inbox_lists_own_notices(logged_in, customer, other_admin):
    """MSG-1: the portal inbox lists the member's notices and not another customer's."""
    _notify(customer, "우리 알림")
    _notify(other_admin.customer, "남의 알림")
    response = logged_in.get(reverse("portal:inbox"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "우리 알림" in content
    assert "남의 알림" not in content


def test_portal_detail_marks_read(logged_in, customer, admin_member):
    """MSG-1: opening a notice in the portal marks it read."""
    [notice] = _notify(customer, "열어볼 알림")
    response = logged_in.get(reverse("portal:inbox_detail", args=[notice.pk]))
    assert response.status_code == 200
    assert "열어볼 알림" in response.content.decode()
    notice.refresh_from_db()
    assert notice.status == Notice.Status.READ
    assert notice.read_at is not None


def test_portal_detail_of_another_customer_is_404(logged_in, other_admin):
    """MSG-1: another customer's notice id gives 404."""
    [foreign] = _notify(other_admin.customer)
    assert logged_in.get(reverse("portal:inbox_detail", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_portal_broadcast_detail(logged_in, admin_member):
    """MSG-1: a posted broadcast opens from the inbox and is marked read for the member."""
    broadcast = broadcast_portal_notice(subject="전체 공지입니다", body="본문",
                                        posted_until=clock.now() + dt.timedelta(days=8))
    assert "전체 공지입니다" in logged_in.get(reverse("portal:inbox")).content.decode()
    response = logged_in.get(reverse("portal:inbox_broadcast", args=[broadcast.pk]))
    assert response.status_code == 200
    assert BroadcastRead.objects.filter(broadcast=broadcast, member=admin_member).exists()


def test_portal_inbox_requires_a_member(client, settings):
    """MSG-1: only a logged-in user with a Member sees the inbox."""
    settings.LOGIN_URL = "/login/"
    anonymous = client.get(reverse("portal:inbox"))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/login/")
    client.force_login(StaffUserFactory())
    assert client.get(reverse("portal:inbox")).status_code == 403
