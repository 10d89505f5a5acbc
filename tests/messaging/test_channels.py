"""MSG-1: notices on every channel — SMS/LMS and AlimTalk through the provider from the operator's sender,
channels chosen per kind of notice, legal notices always by email as well."""

from __future__ import annotations

import pytest
from django.urls import reverse

from core.errors import DomainError
from messaging.models import Channel, Notice, NoticeCategory, NoticeTemplate
from messaging.providers import FAKE
from messaging.services import notify
from messaging.services.preferences import notice_preference_set, preferred_channels

pytestmark = pytest.mark.django_db


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    FAKE.reset()
    yield FAKE
    FAKE.reset()


def _phone_notify(customer, django_capture_on_commit_callbacks, **kwargs):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        return notify(
            customer=customer,
            event="generic",
            context={"title": "점검 안내", "message": "오늘 밤 점검"},
            **kwargs,
        )


def test_sms_notice_is_sent_through_the_provider(
    customer, admin_member, fake, settings, django_capture_on_commit_callbacks
):
    """MSG-1: an sms notice goes to the customer's and admins' mobiles from the operator's own number."""
    settings.MESSAGING_OPERATOR_SENDER = "15880000"
    admin_member.mobile = "+821055556666"
    admin_member.save()
    notices = _phone_notify(customer, django_capture_on_commit_callbacks, channels=["sms"])
    assert sorted(n.recipient for n in notices) == ["+821012345678", "+821055556666"]
    sent = sorted(fake.sent.values(), key=lambda m: m.recipient)
    assert [m.recipient for m in sent] == ["01012345678", "01055556666"]
    assert {m.sender for m in sent} == {"15880000"}
    assert {m.kind for m in sent} <= {"sms", "lms"}
    for notice in notices:
        notice.refresh_from_db()
        assert notice.status == Notice.Status.SENT and notice.sent_at is not None


def test_long_notice_goes_as_lms(customer, fake, settings, django_capture_on_commit_callbacks):
    """MSG-1, MSG-2: a notice longer than the SMS size goes as LMS with its subject."""
    settings.MESSAGING_NOTICE_SMS_MAX_BYTES = 20
    _phone_notify(customer, django_capture_on_commit_callbacks, channels=["sms"])
    [message] = fake.sent.values()
    assert message.kind == "lms" and message.subject


def test_alimtalk_notice_goes_from_the_operator_profile(
    customer, fake, settings, django_capture_on_commit_callbacks
):
    """MSG-1: an alimtalk notice is sent from the operator's Kakao profile."""
    settings.MESSAGING_OPERATOR_KAKAO_PROFILE = "@termsops-notice"
    [notice] = _phone_notify(customer, django_capture_on_commit_callbacks, channels=["alimtalk"])
    [message] = fake.sent.values()
    assert (message.kind, message.sender, message.recipient) == (
        "alimtalk",
        "@termsops-notice",
        "01012345678",
    )
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT


def test_provider_down_marks_the_notice_failed(customer, fake, django_capture_on_commit_callbacks):
    """MSG-1: an unreachable provider leaves the notice failed with the reason (not silently sent)."""
    fake.unavailable = True
    [notice] = _phone_notify(customer, django_capture_on_commit_callbacks, channels=["sms"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.FAILED and "ProviderUnavailable" in notice.error


def test_no_mobile_is_skipped(customer, fake, django_capture_on_commit_callbacks):
    """MSG-1: without any mobile number the sms notice is recorded as skipped, nothing sent."""
    customer.billing_mobile = ""
    customer.save()
    [notice] = _phone_notify(customer, django_capture_on_commit_callbacks, channels=["sms"])
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SKIPPED and fake.sent == {}


def test_customer_choice_per_kind_of_notice(customer, admin_member, fake, django_capture_on_commit_callbacks):
    """MSG-1: without channels given, the customer's choice for the kind of notice applies."""
    notice_preference_set(customer=customer, category=NoticeCategory.BILLING, channels=["sms", "portal"])
    with django_capture_on_commit_callbacks(execute=True):
        notices = notify(
            customer=customer, event="invoice.evasion_charged", context={"title": "t", "message": "m"}
        )
    assert {n.channel for n in notices} == {Channel.SMS, Channel.PORTAL}
    assert fake.sent
    other = notify(customer=customer, event="contract.approved", context={})
    assert Channel.SMS not in {n.channel for n in other}


def test_legal_notices_always_go_by_email(customer):
    """MSG-1: a legal notice (terms change) adds email to whatever the customer chose."""
    notice_preference_set(customer=customer, category=NoticeCategory.TERMS, channels=["alimtalk"])
    assert preferred_channels(customer, "terms.published", ["portal"]) == ["alimtalk", "email"]
    notice_preference_set(customer=customer, category=NoticeCategory.CONTRACT, channels=["sms"])
    assert preferred_channels(customer, "contract.approved", ["portal"]) == ["sms"]


def test_preference_refusals(customer):
    """MSG-1: an empty or unknown channel choice is refused with the rule named."""
    with pytest.raises(DomainError) as empty:
        notice_preference_set(customer=customer, category=NoticeCategory.BILLING, channels=[])
    assert empty.value.rule == "MSG-1"
    with pytest.raises(DomainError):
        notice_preference_set(customer=customer, category=NoticeCategory.BILLING, channels=["fax"])


def test_portal_settings_page_saves_choices(client, customer, admin_member, plain_member):
    """MSG-1: the portal settings page shows every kind of notice; admins save, members only read."""
    client.force_login(plain_member.user)
    url = reverse("portal:notice_settings")
    page = client.get(url)
    assert page.status_code == 200 and "알림 받을 방법" in page.content.decode()
    assert client.post(url, {"billing": ["sms"]}).status_code == 403
    client.force_login(admin_member.user)
    response = client.post(url, {"billing": ["sms", "email"], "terms": ["portal"]})
    assert response.status_code == 302
    assert preferred_channels(customer, "invoice.issued", []) == ["email", "sms"]
    assert preferred_channels(customer, "terms.published", []) == ["portal", "email"]
    assert "MSG-1" not in client.get(url).content.decode()


def test_admin_preview_shows_how_an_sms_template_goes(admin_client):
    """MSG-1, MSG-2: an sms template's admin preview tells SMS or LMS and its CP949 size."""
    short = NoticeTemplate.objects.create(
        event="test.sms",
        channel="sms",
        language="ko",
        subject="알림",
        body="{{ customer.legal_name }} 점검 안내",
    )
    page = admin_client.get(
        reverse("admin:messaging_noticetemplate_change", args=[short.pk])
    ).content.decode()
    assert "발송 형태" in page and "SMS" in page
    emoji = NoticeTemplate.objects.create(
        event="test.sms", channel="sms", language="en", subject="x", body="hi 😀"
    )
    page = admin_client.get(
        reverse("admin:messaging_noticetemplate_change", args=[emoji.pk])
    ).content.decode()
    assert "errornote" in page


def test_admin_lists_preferences(admin_client, customer):
    """MSG-1: staff see each customer's channel choices (read-only)."""
    notice_preference_set(customer=customer, category=NoticeCategory.BILLING, channels=["sms"])
    page = admin_client.get(reverse("admin:messaging_noticepreference_changelist"))
    assert page.status_code == 200 and customer.legal_name in page.content.decode()
