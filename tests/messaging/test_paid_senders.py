# ruff: noqa: F811  (pytest fixtures imported from test_paid_support)
"""Sender numbers: proof documents, staff approval, limits, spoofed numbers (MSG-4)."""

from __future__ import annotations

import pytest

from core.errors import DomainError
from core.models import StatusTransition
from messaging.models import Message, SenderNumber
from messaging.services import senders, sending

from .test_paid_support import (  # noqa: F401 (fixtures)
    MOBILE,
    NOW,
    SENDER,
    approve_sender,
    fake,
    kgmsg_limits,
    paid_customer,
    proof,
    sms_sender,
)

LIMITS = kgmsg_limits()


@pytest.mark.django_db
def test_request_needs_the_telecom_certificate(paid_customer):
    """MSG-4: a sender number is registered only with its telecom subscription certificate."""
    with pytest.raises(DomainError) as exc:
        senders.sender_number_request(
            customer=paid_customer, number=SENDER, proof_document=None, limits=LIMITS
        )
    assert (exc.value.code, exc.value.field, exc.value.rule) == (
        "sender_proof_missing",
        "proof_document",
        "MSG-4",
    )
    assert not SenderNumber.objects.exists()


@pytest.mark.django_db
def test_malformed_sender_number_refused(paid_customer):
    """MSG-4: the number is checked with phonenumbers before anything is written."""
    with pytest.raises(DomainError) as exc:
        senders.sender_number_request(
            customer=paid_customer, number="02-12", proof_document=proof(), limits=LIMITS
        )
    assert (exc.value.code, exc.value.field) == ("invalid_phone_number", "number")


@pytest.mark.django_db
def test_staff_approval_is_a_logged_transition(paid_customer, django_user_model):
    """MSG-4: staff approve a requested number; the move is logged with the actor."""
    staff = django_user_model.objects.create_user(username="ops", password="x", is_staff=True)
    requested = senders.sender_number_request(
        customer=paid_customer,
        number="02-1234-5678",
        proof_document=proof(),
        limits=LIMITS,
    )
    assert requested.status == SenderNumber.Status.REQUESTED and requested.number == "0212345678"
    approved = senders.sender_number_approve(sender=requested, now=NOW, actor=staff)
    assert approved.status == SenderNumber.Status.APPROVED and approved.reviewed_by == staff
    log = StatusTransition.objects.get(machine="sender_number", object_id=approved.pk)
    assert (log.from_status, log.to_status, log.actor) == ("requested", "approved", "user:ops")
    with pytest.raises(DomainError) as exc:
        senders.sender_number_reject(sender=approved, reason="늦은 반려", now=NOW)
    assert exc.value.code == "illegal_transition"


@pytest.mark.django_db
def test_at_most_ten_sms_numbers_and_one_buyer_alimtalk_number(paid_customer):
    """MSG-4 (003 별표2-가): at most 10 sender numbers for SMS and 1 for buyer-facing payment AlimTalk."""
    for i in range(10):
        senders.sender_number_request(
            customer=paid_customer, number=f"02-1234-{5600 + i}", proof_document=proof(), limits=LIMITS
        )
    with pytest.raises(DomainError) as exc:
        senders.sender_number_request(
            customer=paid_customer, number="02-1234-5699", proof_document=proof(), limits=LIMITS
        )
    assert (exc.value.code, exc.value.rule) == ("sender_limit_reached", "MSG-4")
    # a revoked number frees its place
    first = SenderNumber.objects.filter(customer=paid_customer).order_by("id")[0]
    senders.sender_number_approve(sender=first, now=NOW)
    senders.sender_number_revoke(sender=first, reason="해지", now=NOW)
    senders.sender_number_request(
        customer=paid_customer, number="02-1234-5699", proof_document=proof(), limits=LIMITS
    )
    buyer = SenderNumber.Purpose.BUYER_ALIMTALK
    senders.sender_number_request(
        customer=paid_customer, number="1588-1234", proof_document=proof(), limits=LIMITS, purpose=buyer
    )
    with pytest.raises(DomainError) as exc:
        senders.sender_number_request(
            customer=paid_customer, number="1588-5678", proof_document=proof(), limits=LIMITS, purpose=buyer
        )
    assert exc.value.code == "sender_limit_reached"


@pytest.mark.django_db
def test_unregistered_or_unapproved_sender_refused_before_sending(paid_customer, fake):
    """MSG-4 (003 art.4-4): sending from an unregistered or unapproved number is refused, nothing written."""

    def attempt() -> DomainError:
        with pytest.raises(DomainError) as exc:
            sending.message_send(
                customer=paid_customer,
                limits=LIMITS,
                kind="text",
                recipient=MOBILE,
                sender=SENDER,
                text="안녕하세요",
                now=NOW,
            )
        return exc.value

    unregistered = attempt()
    assert (unregistered.code, unregistered.field, unregistered.rule) == (
        "sender_not_registered",
        "sender",
        "MSG-4",
    )
    senders.sender_number_request(
        customer=paid_customer, number=SENDER, proof_document=proof(), limits=LIMITS
    )
    assert attempt().code == "sender_not_registered"  # requested, not yet approved
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_spoofed_number_blocked_and_reported(paid_customer, sms_sender):
    """MSG-4: a spoofed number (번호변작) is blocked, the report recorded, and nothing is sent from it."""
    blocked = senders.sender_number_block_spoofed(sender=sms_sender, reason="변작 신고 접수", now=NOW)
    assert blocked.status == SenderNumber.Status.BLOCKED and blocked.spoof_reported_at == NOW
    with pytest.raises(DomainError) as exc:
        sending.message_send(
            customer=paid_customer,
            limits=LIMITS,
            kind="sms",
            recipient=MOBILE,
            sender=SENDER,
            text="안녕하세요",
            now=NOW,
        )
    assert exc.value.code == "sender_blocked"
