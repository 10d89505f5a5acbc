# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Back office: sender-number approvals and AlimTalk template reviews call the services (MSG-4, MSG-2a)."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from core.models import StatusTransition
from messaging.models import KakaoTemplate, SenderNumber
from messaging.services import senders, templates_kakao

from .test_paid_support import kgmsg_limits, paid_customer, proof  # noqa: F401

LIMITS = kgmsg_limits()
pytestmark = pytest.mark.django_db


def _requested(customer, number: str = "02-1234-5678") -> SenderNumber:  # type: ignore[no-untyped-def]
    return senders.sender_number_request(
        customer=customer, number=number, proof_document=proof(), limits=LIMITS
    )


def test_staff_approve_and_reject_sender_numbers(admin_client, admin_user, paid_customer):
    """MSG-4: staff approve in bulk; rejecting asks for a reason; approving twice is refused by the rule."""
    first, second = _requested(paid_customer), _requested(paid_customer, "02-1234-5679")
    url = reverse("admin:messaging_sendernumber_changelist")
    assert admin_client.get(url, {"q": "5678"}).status_code == 200
    response = admin_client.post(url, {"action": "approve", ACTION_CHECKBOX_NAME: [first.pk]}, follow=True)
    assert response.status_code == 200
    first.refresh_from_db()
    assert (first.status, first.reviewed_by) == (SenderNumber.Status.APPROVED, admin_user)
    log = StatusTransition.objects.get(machine="sender_number", object_id=first.pk)
    assert log.actor == f"user:{admin_user.get_username()}"
    response = admin_client.post(url, {"action": "approve", ACTION_CHECKBOX_NAME: [first.pk]}, follow=True)
    assert "MSG-4" in response.content.decode()  # the refusal names the rule
    form = admin_client.post(url, {"action": "reject", ACTION_CHECKBOX_NAME: [second.pk]})
    assert form.status_code == 200 and "reason" in form.content.decode()
    admin_client.post(
        url, {"action": "reject", ACTION_CHECKBOX_NAME: [second.pk], "apply": "1", "reason": "증명서 불일치"}
    )
    second.refresh_from_db()
    assert (second.status, second.decision_reason) == (SenderNumber.Status.REJECTED, "증명서 불일치")
    assert admin_client.get(reverse("admin:messaging_sendernumber_add")).status_code == 403


def test_staff_record_template_reviews(admin_client, paid_customer):
    """MSG-2a: staff move a template into review and record Kakao's approval or rejection with its reason."""
    template = templates_kakao.template_register(
        customer=paid_customer, sender_profile="@hanbit", code="a", name="a", body="#{x} 안내", limits=LIMITS
    )
    url = reverse("admin:messaging_kakaotemplate_changelist")
    admin_client.post(url, {"action": "submit_for_review", ACTION_CHECKBOX_NAME: [template.pk]})
    template.refresh_from_db()
    assert template.status == KakaoTemplate.Status.IN_REVIEW
    admin_client.post(
        url,
        {
            "action": "record_rejection",
            ACTION_CHECKBOX_NAME: [template.pk],
            "apply": "1",
            "reason": "변수 과다",
        },
    )
    template.refresh_from_db()
    assert (template.status, template.rejection_reason) == (KakaoTemplate.Status.REJECTED, "변수 과다")


@pytest.mark.parametrize("model", ["message", "messagebatch"])
def test_message_logs_open(admin_client, model):
    """MSG-6: the message and bulk-send logs list and search, read-only."""
    url = reverse(f"admin:messaging_{model}_changelist")
    assert admin_client.get(url, {"q": "010"}).status_code == 200
    assert admin_client.get(reverse(f"admin:messaging_{model}_add")).status_code == 403
