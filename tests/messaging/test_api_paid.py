# ruff: noqa: F811  (pytest fixtures imported from test_api_paid_support)
"""The paid messaging API (MSG-2..7, CON-13): sends with Idempotency-Key, history, bulk progress,
sender numbers, AlimTalk templates and opt-outs, each scoped to the member's customer."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from contracts.services.messaging_limits import messaging_limits_for
from core import clock
from core.errors import DomainError
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


def client_for(member) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(member.user)
    return client


def limits(member):  # type: ignore[no-untyped-def]
    return messaging_limits_for(member.customer, today=clock.today())


def _send(client, key="k-1", **body):  # type: ignore[no-untyped-def]
    payload = {"kind": "text", "recipient": MOBILE, "sender": SENDER, "text": "안녕하세요", **body}
    return client.post("/api/v1/messages/", payload, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_limits_come_from_the_kgmsg_policy_and_plan(msg_admin):
    """CON-13, MSG-2: the limits are the live kgmsg contract's effective policy and its plan's unit prices."""
    got = limits(msg_admin)
    assert got.sms_max_bytes == 80 and got.lms_max_bytes == 2000
    assert got.unit_price_won("sms") > 0


def test_customer_without_kgmsg_contract_is_refused(no_contract_admin):
    """CON-13: no live kgmsg contract, no limits; the API refuses the send with 403 and the rule."""
    with pytest.raises(DomainError) as exc:
        messaging_limits_for(no_contract_admin.customer, today=clock.today())
    assert exc.value.rule == "CON-13"
    response = _send(client_for(no_contract_admin))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "messaging_contract_required"
    assert not Message.objects.exists()


def test_single_send_is_queued_and_replayed_with_the_same_key(msg_member, django_capture_on_commit_callbacks):
    """MSG-2, MSG-8: POST /messages/ queues one message; the same Idempotency-Key returns it again."""
    approved_sender(msg_member.customer, limits(msg_member))
    client = client_for(msg_member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = _send(client)
    assert first.status_code == 201, first.json()
    body = first.json()
    assert (body["kind"], body["status"], body["recipient"]) == ("sms", "queued", "01020000001")
    assert len(callbacks) == 1
    again = _send(client)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == body["id"]
    assert Message.objects.count() == 1
    other = _send(client, recipient="010-2000-0002")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"


def test_send_requires_an_idempotency_key(msg_member):
    """MSG-8: a send without Idempotency-Key is refused before anything is written."""
    response = client_for(msg_member).post(
        "/api/v1/messages/", {"recipient": MOBILE, "text": "x"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "idempotency_key_required"


def test_send_from_unapproved_number_is_refused_with_the_rule(msg_member):
    """MSG-4: sending from a number that is not approved is refused, the rule named, nothing written."""
    response = _send(client_for(msg_member))
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["rule"], error["field"]) == ("sender_not_registered", "MSG-4", "sender")
    assert not Message.objects.exists()


def test_send_to_opted_out_number_is_refused(msg_member):
    """MSG-7: the opt-out list is honoured on an API send."""
    approved_sender(msg_member.customer, limits(msg_member))
    spam.opt_out(customer=msg_member.customer, number=MOBILE, now=clock.now())
    response = _send(client_for(msg_member))
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "recipient_opted_out"


def test_emoji_in_sms_is_refused(msg_member):
    """MSG-2: text CP949 cannot encode is refused for SMS/LMS."""
    approved_sender(msg_member.customer, limits(msg_member))
    response = _send(client_for(msg_member), text="안녕 😀")
    assert response.status_code == 400
    assert response.json()["error"]["rule"] == "MSG-2"


def test_list_and_detail_are_scoped_to_the_customer(msg_member, rival_admin):
    """MSG-6: history lists only the customer's messages; another customer's message is a 404."""
    approved_sender(msg_member.customer, limits(msg_member))
    mine = _send(client_for(msg_member)).json()
    approved_sender(rival_admin.customer, limits(rival_admin))
    theirs = _send(client_for(rival_admin), key="r-1").json()
    listing = client_for(msg_member).get("/api/v1/messages/").json()
    assert [r["id"] for r in listing["results"]] == [mine["id"]]
    detail = client_for(msg_member).get(f"/api/v1/messages/{mine['id']}/")
    assert detail.status_code == 200 and detail.json()["fallback"] is None
    assert client_for(msg_member).get(f"/api/v1/messages/{theirs['id']}/").status_code == 404


def test_bulk_send_records_refusals_and_reports_progress(msg_member, rival_admin):
    """MSG-2, MSG-7: a bulk send queues each valid recipient, records each refusal; progress is readable."""
    approved_sender(msg_member.customer, limits(msg_member))
    spam.opt_out(customer=msg_member.customer, number="010-2000-0003", now=clock.now())
    client = client_for(msg_member)
    payload = {
        "kind": "text",
        "sender": SENDER,
        "text": "공지",
        "recipients": [
            {"number": "010-2000-0001"},
            {"number": "010-2000-0002"},
            {"number": "010-2000-0003"},
            {"number": "12"},
        ],
    }
    response = client.post("/api/v1/messages/bulk/", payload, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["total"], body["accepted"], body["refused"]) == (4, 2, 2)
    assert body["counts"]["queued"] == 2 and body["percent"] == 0 and body["finished"] is False
    assert {r["code"] for r in body["refusals"]} >= {"recipient_opted_out"}
    again = client.post("/api/v1/messages/bulk/", payload, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert again.status_code == 202 and again.json()["id"] == body["id"]
    assert MessageBatch.objects.count() == 1 and Message.objects.count() == 2
    progress = client.get(f"/api/v1/messages/bulk/{body['id']}/")
    assert progress.status_code == 200 and progress.json()["accepted"] == 2
    assert client_for(rival_admin).get(f"/api/v1/messages/bulk/{body['id']}/").status_code == 404


def test_sender_number_registration_needs_the_proof_document(msg_admin, msg_member, rival_admin):
    """MSG-4: a sender number is registered with its telecom certificate (multipart), admins only."""
    client = client_for(msg_admin)
    missing = client.post("/api/v1/messages/sender-numbers/", {"number": SENDER}, format="multipart")
    assert missing.status_code == 400
    created = client.post(
        "/api/v1/messages/sender-numbers/", {"number": SENDER, "proof_document": proof()}, format="multipart"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "requested"
    assert SenderNumber.objects.get().proof_document.name
    duplicate = client.post(
        "/api/v1/messages/sender-numbers/", {"number": SENDER, "proof_document": proof()}, format="multipart"
    )
    assert duplicate.json()["error"]["code"] == "sender_duplicate"
    member_try = client_for(msg_member).post(
        "/api/v1/messages/sender-numbers/",
        {"number": "0311234567", "proof_document": proof()},
        format="multipart",
    )
    assert member_try.status_code == 403
    assert client_for(msg_member).get("/api/v1/messages/sender-numbers/").json()["count"] == 1
    assert client_for(rival_admin).get("/api/v1/messages/sender-numbers/").json()["count"] == 0


def test_template_register_edit_and_list(msg_member, rival_admin):
    """MSG-2a: register a template, edit an approved one (back to review), list with status."""
    client = client_for(msg_member)
    created = client.post(
        "/api/v1/messages/templates/",
        {
            "sender_profile": "@hanbit",
            "code": "ORDER1",
            "name": "주문 안내",
            "body": "#{name}님 주문 완료",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    template = KakaoTemplate.objects.get(pk=created.json()["id"])
    template = templates_kakao.template_submit(template=template, now=clock.now())
    templates_kakao.template_review(template=template, approved=True, now=clock.now())
    assert KakaoTemplate.objects.get(pk=template.pk).status == KakaoTemplate.Status.APPROVED
    edited = client.patch(
        f"/api/v1/messages/templates/{template.pk}/",
        {"body": "#{name}님 주문이 완료되었습니다"},
        format="json",
    )
    assert edited.status_code == 200
    assert (edited.json()["status"], edited.json()["revision"]) == ("requested", 2)
    listing = client.get("/api/v1/messages/templates/").json()
    assert [t["code"] for t in listing["results"]] == ["ORDER1"]
    assert (
        client_for(rival_admin)
        .patch(f"/api/v1/messages/templates/{template.pk}/", {"body": "x"}, format="json")
        .status_code
        == 404
    )


def test_alimtalk_with_unapproved_template_is_refused(msg_member):
    """MSG-2a: only approved templates send."""
    template = templates_kakao.template_register(
        customer=msg_member.customer,
        sender_profile="@hanbit",
        code="T1",
        name="t",
        body="#{name}님 안녕하세요",
        limits=limits(msg_member),
    )
    response = _send(
        client_for(msg_member), kind="alimtalk", template_id=template.pk, variables={"name": "홍"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "template_not_approved"


def test_opt_outs_add_list_remove(msg_member, rival_admin):
    """MSG-7: the opt-out list is managed through the API, per customer."""
    client = client_for(msg_member)
    added = client.post("/api/v1/messages/opt-outs/", {"number": "010-2000-0009"}, format="json")
    assert added.status_code == 201 and added.json()["number"] == "01020000009"
    assert client.get("/api/v1/messages/opt-outs/").json()["count"] == 1
    assert client_for(rival_admin).get("/api/v1/messages/opt-outs/").json()["count"] == 0
    assert client_for(rival_admin).delete("/api/v1/messages/opt-outs/01020000009/").status_code == 404
    removed = client.delete("/api/v1/messages/opt-outs/01020000009/")
    assert removed.status_code == 204
    assert Recipient.objects.get(number="01020000009").opted_out_at is None
    assert client.get("/api/v1/messages/opt-outs/").json()["count"] == 0
