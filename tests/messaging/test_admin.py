"""MSG-1: admin smoke tests — templates (with preview), the notice log, broadcasts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from core import clock
from messaging.models import Broadcast, Notice, NoticeTemplate
from messaging.services import broadcast_portal_notice, notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def some_notices(customer, admin_member):  # type: ignore[no-untyped-def]
    return notify(customer=customer, event="generic", context={"title": "안내", "message": "본문"})


@pytest.mark.parametrize("model", ["noticetemplate", "notice", "broadcast"])
def test_changelist_and_search(admin_client, some_notices, model):
    """MSG-1: each messaging admin list opens and searches."""
    broadcast_portal_notice(subject="공지", body="본문", posted_until=clock.now() + dt.timedelta(days=8))
    url = reverse(f"admin:messaging_{model}_changelist")
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "한빛"}).status_code == 200


def test_notice_list_filters_and_search_by_customer(admin_client, some_notices, other_admin):
    """MSG-1: the notice log filters by channel/status/event and searches by customer name."""
    notify(customer=other_admin.customer, event="generic", context={"title": "x"})
    url = reverse("admin:messaging_notice_changelist")
    response = admin_client.get(url, {"q": "한빛"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == len(some_notices)
    filters = {"channel__exact": "portal", "status__exact": "sent", "event": "generic"}
    response = admin_client.get(url, filters)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    detail = admin_client.get(reverse("admin:messaging_notice_change", args=[some_notices[0].pk]))
    assert detail.status_code == 200
    assert admin_client.get(reverse("admin:messaging_notice_add")).status_code == 403


def test_template_add_and_preview(admin_client):
    """MSG-1: staff add templates with variables and see a rendered preview."""
    add_url = reverse("admin:messaging_noticetemplate_add")
    assert admin_client.get(add_url).status_code == 200
    response = admin_client.post(add_url, {
        "event": "invoice.issued", "channel": "email", "language": "ko", "is_active": "on",
        "description": "", "subject": "{{ customer.legal_name }} 청구서",
        "body": "청구 금액 {{ amount|intcomma }}원", "sample_context": '{"amount": 1234567}',
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    template = NoticeTemplate.objects.get(event="invoice.issued")
    change = admin_client.get(reverse("admin:messaging_noticetemplate_change", args=[template.pk]))
    content = change.content.decode()
    assert "청구 금액 1,234,567원" in content
    assert "주식회사 예시 청구서" in content
    action = admin_client.post(reverse("admin:messaging_noticetemplate_changelist"), {
        "action": "preview_selected", "_selected_action": [template.pk],
    }, follow=True)
    assert "청구 금액 1,234,567원" in action.content.decode()


def test_template_with_bad_syntax_is_refused(admin_client):
    """MSG-1: a template that does not compile is refused at the field."""
    response = admin_client.post(reverse("admin:messaging_noticetemplate_add"), {
        "event": "x.bad", "channel": "email", "language": "ko", "is_active": "on",
        "subject": "{% if %}", "body": "ok", "sample_context": "{}",
    })
    assert response.status_code == 200
    assert "subject" in response.context["adminform"].form.errors
    assert not NoticeTemplate.objects.filter(event="x.bad").exists()


def test_broadcast_add_enforces_seven_days(admin_client):
    """MSG-1: the admin refuses a broadcast posted for less than 7 days, accepts 7 days."""
    url = reverse("admin:messaging_broadcast_add")
    assert admin_client.get(url).status_code == 200
    base = {"subject": "정기 점검 안내", "body": "본문", "subject_en": "", "body_en": "",
            "posted_from_0": "2026-11-02", "posted_from_1": "10:00:00"}
    short = admin_client.post(url, {**base, "posted_until_0": "2026-11-08", "posted_until_1": "10:00:00"})
    assert short.status_code == 200
    assert "MSG-1" in str(short.context["adminform"].form.errors)
    ok = admin_client.post(url, {**base, "posted_until_0": "2026-11-09", "posted_until_1": "10:00:00"})
    assert ok.status_code == 302
    broadcast = Broadcast.objects.get()
    assert broadcast.created_by is not None
    assert broadcast.history.count() == 1
    change_url = reverse("admin:messaging_broadcast_change", args=[broadcast.pk])
    assert admin_client.get(change_url).status_code == 200


def test_retry_action(admin_client, customer, settings, django_capture_on_commit_callbacks, mailoutbox):
    """MSG-1: staff resend failed emails from the notice log."""
    settings.EMAIL_BACKEND = "tests.messaging.failing_backend.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        [notice] = notify(customer=customer, event="generic", channels=["email"], context={"title": "t"})
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:messaging_notice_changelist"), {
            "action": "retry_selected", "_selected_action": [notice.pk],
        })
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert len(mailoutbox) == 1
