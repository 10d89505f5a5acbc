# ruff: noqa: F811  (pytest fixtures imported from test_api_paid_support)
"""The paid messaging portal (MSG-2..7, CON-13): pages for customers with a kgmsg contract, plain Korean,
single and CSV bulk sends with a polled progress, sender numbers, templates, opt-outs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from contracts.services.messaging_limits import messaging_limits_for
from core import clock
from messaging.models import KakaoTemplate, Message, MessageBatch, Recipient, SenderNumber
from messaging.services import spam, templates_kakao

from .test_api_paid_support import (  # noqa: F401 (fixtures)
    MOBILE,
    SENDER,
    approved_sender,
    kgmsg_presets,
    msg_admin,
    msg_member,
    no_contract_admin,
    proof,
    rival_admin,
)

pytestmark = pytest.mark.django_db
PAGES = [
    "portal:messages",
    "portal:message_send",
    "portal:message_bulk",
    "portal:message_senders",
    "portal:message_templates",
    "portal:message_opt_outs",
]


def limits(member):  # type: ignore[no-untyped-def]
    return messaging_limits_for(member.customer, today=clock.today())


def test_pages_and_menu_only_for_kgmsg_customers(client, msg_member, no_contract_admin):
    """CON-13: the messaging menu and pages are shown only to customers with a live kgmsg contract."""
    client.force_login(msg_member.user)
    home = client.get(reverse("portal:inbox")).content.decode()
    assert reverse("portal:messages") in home
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    client.force_login(no_contract_admin.user)
    assert reverse("portal:messages") not in client.get(reverse("portal:inbox")).content.decode()
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_single_send_shows_the_result_page(client, msg_member, django_capture_on_commit_callbacks):
    """MSG-2: a text send from an approved number is queued and its result page shown."""
    approved_sender(msg_member.customer, limits(msg_member))
    client.force_login(msg_member.user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("portal:message_send"),
            {"kind": "text", "sender": SENDER, "recipient": MOBILE, "text": "안녕하세요"},
        )
    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal:message_detail", args=[message.pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "안녕하세요" in page and "발송 대기" in page


def test_refusal_is_plain_korean_without_rule_ids(client, msg_member):
    """MSG-4: an unapproved sender is refused next to the field, without a rule id or code."""
    client.force_login(msg_member.user)
    response = client.post(
        reverse("portal:message_send"),
        {"kind": "text", "sender": SENDER, "recipient": MOBILE, "text": "안녕하세요"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "등록·승인되지 않은 발신번호" in body
    assert "MSG-4" not in body and "sender_not_registered" not in body
    assert not Message.objects.exists()


def test_bulk_csv_upload_and_progress(client, msg_member, rival_admin, django_capture_on_commit_callbacks):
    """MSG-2, MSG-7: a CSV of recipients is sent; refusals listed; the progress page polls a JSON endpoint."""
    approved_sender(msg_member.customer, limits(msg_member))
    spam.opt_out(customer=msg_member.customer, number="010-2000-0003", now=clock.now())
    csv_file = SimpleUploadedFile(
        "list.csv",
        "수신번호,name\n010-2000-0001,홍\n010-2000-0002,김\n010-2000-0003,이\n".encode("cp949"),
        content_type="text/csv",
    )
    client.force_login(msg_member.user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("portal:message_bulk"),
            {"kind": "text", "sender": SENDER, "text": "공지입니다", "recipients_file": csv_file},
        )
    batch = MessageBatch.objects.get()
    assert response.status_code == 302
    assert (batch.total, batch.accepted, batch.refused) == (3, 2, 1)
    page = client.get(response["Location"]).content.decode()
    assert "progress.json" in page and "수신을 거부한 번호" in page and "MSG-7" not in page
    progress = client.get(reverse("portal:message_bulk_progress_json", args=[batch.pk])).json()
    assert (progress["accepted"], progress["percent"], progress["finished"]) == (2, 0, False)
    client.force_login(rival_admin.user)
    assert client.get(reverse("portal:message_bulk_progress_json", args=[batch.pk])).status_code == 404


def test_bulk_csv_without_number_column_is_refused(client, msg_member):
    """MSG-2: a CSV without a recipient number column is refused with a plain message."""
    client.force_login(msg_member.user)
    csv_file = SimpleUploadedFile("list.csv", b"name\nhong\n", content_type="text/csv")
    response = client.post(
        reverse("portal:message_bulk"),
        {"kind": "text", "sender": SENDER, "text": "x", "recipients_file": csv_file},
    )
    assert response.status_code == 200 and "수신번호 열" in response.content.decode()
    assert not MessageBatch.objects.exists()


def test_sender_number_register_with_document(client, msg_admin, msg_member):
    """MSG-4: admins request a sender number with the certificate; without it the page explains."""
    client.force_login(msg_admin.user)
    url = reverse("portal:message_senders")
    missing = client.post(url, {"number": SENDER, "purpose": "sms"})
    assert "통신서비스 이용증명원" in missing.content.decode() and not SenderNumber.objects.exists()
    ok = client.post(url, {"number": SENDER, "purpose": "sms", "proof_document": proof()})
    assert ok.status_code == 302
    assert "승인 요청" in client.get(url).content.decode()
    client.force_login(msg_member.user)
    assert (
        client.post(url, {"number": "0311234567", "purpose": "sms", "proof_document": proof()}).status_code
        == 403
    )


def test_templates_register_edit_and_review_status(client, msg_member, rival_admin):
    """MSG-2a: register a template, see its review status, edit sends an approved one back to review."""
    client.force_login(msg_member.user)
    response = client.post(
        reverse("portal:message_templates"),
        {"sender_profile": "@hanbit", "code": "T1", "name": "주문 안내", "body": "#{name}님 주문 완료"},
    )
    assert response.status_code == 302
    template = KakaoTemplate.objects.get()
    templates_kakao.template_submit(template=template, now=clock.now())
    templates_kakao.template_review(template=template, approved=True, now=clock.now())
    assert "승인" in client.get(reverse("portal:message_templates")).content.decode()
    edit = client.post(
        reverse("portal:message_template_edit", args=[template.pk]), {"body": "#{name}님 주문 완료!"}
    )
    assert edit.status_code == 302
    assert KakaoTemplate.objects.get().status == KakaoTemplate.Status.REQUESTED
    client.force_login(rival_admin.user)
    assert client.get(reverse("portal:message_template_edit", args=[template.pk])).status_code == 404


def test_opt_outs_add_and_remove(client, msg_member):
    """MSG-7: the opt-out list can be added to and removed from in the portal."""
    client.force_login(msg_member.user)
    assert client.post(reverse("portal:message_opt_outs"), {"number": "010-2000-0009"}).status_code == 302
    assert "01020000009" in client.get(reverse("portal:message_opt_outs")).content.decode()
    assert client.post(reverse("portal:message_opt_out_remove", args=["01020000009"])).status_code == 302
    assert Recipient.objects.get(number="01020000009").opted_out_at is None
    assert client.post(reverse("portal:message_opt_out_remove", args=["nonsense"])).status_code == 404


def test_history_is_scoped(client, msg_member, rival_admin, django_capture_on_commit_callbacks):
    """MSG-6: history and detail show only the customer's own messages."""
    approved_sender(rival_admin.customer, limits(rival_admin))
    client.force_login(rival_admin.user)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(
            reverse("portal:message_send"),
            {"kind": "text", "sender": SENDER, "recipient": MOBILE, "text": "남의 메시지"},
        )
    theirs = Message.objects.get()
    client.force_login(msg_member.user)
    assert "남의 메시지" not in client.get(reverse("portal:messages")).content.decode()
    assert client.get(reverse("portal:message_detail", args=[theirs.pk])).status_code == 404
