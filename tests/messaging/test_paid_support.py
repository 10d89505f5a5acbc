"""Shared helpers and fixtures of the paid messaging tests (imported by each test_paid_* module)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.presets import PLANS, preset_values
from core import clock
from messaging.limits import MessagingLimits
from messaging.models import Message, SenderNumber
from messaging.providers import FAKE, get_provider
from messaging.services import senders
from messaging.services.dispatch import dispatch_messages
from messaging.services.results import ResultCounts, results_collect
from tests.factories import CustomerFactory

# A weekday afternoon in Seoul: outside every night window.
NOW = dt.datetime(2026, 11, 10, 14, 0, tzinfo=clock.SEOUL)
SENDER = "02-1234-5678"
MOBILE = "010-2000-0001"


def kgmsg_limits(**overrides: Any) -> MessagingLimits:
    """The kgmsg preset's numbers and the kgmsg-standard plan's unit prices."""
    values = {**preset_values("kgmsg"), **overrides}
    prices = PLANS["kgmsg"][0]["usage_unit_prices"]
    return MessagingLimits.from_policy(SimpleNamespace(**values), unit_prices=prices)


def proof() -> SimpleUploadedFile:
    return SimpleUploadedFile("telecom.pdf", b"%PDF-1.4 certificate")


def approve_sender(
    customer: Any, number: str = SENDER, purpose: str = SenderNumber.Purpose.SMS
) -> SenderNumber:
    requested = senders.sender_number_request(
        customer=customer,
        number=number,
        proof_document=proof(),
        limits=kgmsg_limits(),
        purpose=purpose,
    )
    return senders.sender_number_approve(sender=requested, now=NOW)


def mobile(n: int) -> str:
    """A distinct valid mobile number per ``n`` (010-2xxx-xxxx)."""
    return f"010{20_000_000 + n:08d}"


def run_provider(now: dt.datetime = NOW) -> ResultCounts:
    """Dispatch everything queued through the configured provider (the fake unless a test chose another,
    issue 18) and collect the results it reports."""
    provider = get_provider()
    ids = list(Message.objects.filter(status=Message.Status.QUEUED).values_list("id", flat=True))
    dispatch_messages(now=now, message_ids=ids, provider=provider)
    return results_collect(now=now, provider=provider)


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    FAKE.reset()
    yield FAKE
    FAKE.reset()


@pytest.fixture
def paid_customer(db):  # type: ignore[no-untyped-def]
    return CustomerFactory(legal_name="주식회사 한빛상사", billing_email="billing@hanbit.example")


@pytest.fixture
def sms_sender(paid_customer):  # type: ignore[no-untyped-def]
    return approve_sender(paid_customer)
