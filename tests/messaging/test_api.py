"""MSG-1: notices API — the member's inbox (paginated) and marking read."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core import clock
from messaging.models import Notice
from messaging.services import broadcast_portal_notice, notify
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(admin_member) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(admin_member.user)
    return client


def _notify(customer, title):  # type: ignore[no-untyped-def]
    [notice] = notify(customer=customer, event="generic", channels=["portal"],
                      context={"title": title, "message": "본문"})
    return notice


def test_inbox_lists_own_notices_paginated(api, customer, other_admin):
    """MSG-1: GET /api/v1/notices/ returns the member's inbox, newest first, paginated."""
    for i in range(25):
        _notify(customer, f"알림 {i}")
    _notify(other_admin.customer, "남의 알림")
    broadcast_portal_notice(subject="전체 공지", body="본문",
                            posted_until=clock.now() + dt.timedelta(days=7, hours=1))

    page1 = api.get("/api/v1/notices/")
    assert page1.status_code == 200
    body = page1.json()
    assert body["count"] == 26
    assert body["unread_count"] == 26
    assert len(body["results"]) == 20
    assert body["next"]
    first = body["results"][0]
    assert set(first) == {"kind", "id", "event", "subject", "body", "created_at", "read_at", "is_read"}
    page2 = api.get("/api/v1/notices/", {"page": 2}).json()
    subjects = [r["subject"] for r in body["results"] + page2["results"]]
    assert len(subjects) == 26
    assert "[텀즈옵스] 남의 알림" not in subjects
    assert "전체 공지" in subjects


def test_read_marks_the_notice(api, customer):
    """MSG-1: POST /api/v1/notices/{id}/read/ marks it read."""
    notice = _notify(customer, "읽을 알림")
    response = api.post(f"/api/v1/notices/{notice.pk}/read/")
    assert response.status_code == 200
    assert response.json()["status"] == "read"
    assert response.json()["read_at"]
    notice.refresh_from_db()
    assert notice.status == Notice.Status.READ
    unread = api.get("/api/v1/notices/", {"unread": "true"}).json()
    assert unread["count"] == 0
    assert api.get("/api/v1/notices/unread-count/").json() == {"unread_count": 0}


def test_read_of_another_customers_notice_is_404(api, other_admin):
    """MSG-1: another customer's notice is not found, in the JSON error format."""
    foreign = _notify(other_admin.customer, "남의 알림")
    response = api.post(f"/api/v1/notices/{foreign.pk}/read/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_broadcast_read(api, admin_member):
    """MSG-1: POST /api/v1/broadcasts/{id}/read/ marks a broadcast read for the member."""
    broadcast = broadcast_portal_notice(subject="공지", body="본문",
                                        posted_until=clock.now() + dt.timedelta(days=8))
    response = api.post(f"/api/v1/broadcasts/{broadcast.pk}/read/")
    assert response.status_code == 200
    assert response.json()["broadcast_id"] == broadcast.pk
    assert api.get("/api/v1/notices/unread-count/").json() == {"unread_count": 0}


def test_requires_a_member_and_authentication():
    """MSG-1: anonymous is 401/403; a staff user without a member gets a coded 403."""
    client = APIClient()
    assert client.get("/api/v1/notices/").status_code in (401, 403)
    client.force_authenticate(StaffUserFactory())
    response = client.get("/api/v1/notices/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "member_required"


def test_schema_documents_the_endpoints(admin_client):
    """MSG-1: the OpenAPI schema lists the notices endpoints."""
    response = admin_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/notices/" in paths
    assert "/api/v1/notices/{id}/read/" in paths
