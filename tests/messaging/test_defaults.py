"""MSG-1: built-in templates in Korean and English, created idempotently; cheap inbox reads."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from messaging.defaults import DEFAULT_TEMPLATES, ensure_default_templates
from messaging.models import NoticeTemplate
from messaging.services import notify

pytestmark = pytest.mark.django_db


def test_default_templates_exist_in_both_languages():
    """MSG-1: generic, customer.welcome and member.added exist in ko and en for email and portal."""
    for event in ("generic", "customer.welcome", "member.added"):
        for channel in ("email", "portal"):
            assert set(NoticeTemplate.objects.filter(event=event, channel=channel)
                       .values_list("language", flat=True)) == {"ko", "en"}


def test_ensure_default_templates_is_idempotent_and_keeps_edits():
    """MSG-1: re-running creates nothing and never overwrites a template staff edited."""
    edited = NoticeTemplate.objects.get(event="generic", channel="email", language="ko")
    edited.subject = "고친 제목 {{ title }}"
    edited.save()
    assert ensure_default_templates() == 0
    out = io.StringIO()
    call_command("ensure_notice_templates", stdout=out)
    assert "created 0" in out.getvalue()
    edited.refresh_from_db()
    assert edited.subject == "고친 제목 {{ title }}"
    assert NoticeTemplate.objects.count() >= len(DEFAULT_TEMPLATES)

    NoticeTemplate.objects.filter(event="member.added").delete()
    assert ensure_default_templates() == 4


def test_member_added_template_renders(customer, admin_member):
    """MSG-1: the built-in member.added template fills its variables."""
    notices = notify(customer=customer, event="member.added",
                     context={"member_name": "김철수", "member_login_id": "kim", "role": "관리자"})
    portal = next(n for n in notices if n.channel == "portal")
    assert portal.subject == "[텀즈옵스] 구성원 김철수님이 추가되었습니다"
    assert "김철수(kim)님이 관리자 역할로 추가되었습니다." in portal.body


def test_inbox_reads_cost_the_same_for_many_notices(customer, admin_member, django_assert_max_num_queries):
    """MSG-1: the inbox list is a fixed number of queries, whatever its length."""
    for i in range(30):
        notify(customer=customer, event="generic", channels=["portal"], context={"title": f"알림 {i}"})
    api = APIClient()
    api.force_authenticate(admin_member.user)
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/notices/").status_code == 200
    api.force_login(admin_member.user)
    with django_assert_max_num_queries(12):
        assert api.get(reverse("portal:inbox")).status_code == 200
