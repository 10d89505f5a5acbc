"""Fixtures of the paid messaging API, portal and channel tests: customers with a live kgmsg contract."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.presets import load_presets
from core import clock
from messaging.models import SenderNumber
from messaging.services import senders
from tests.billing.conftest import make_contract
from tests.factories import AdminMemberFactory, MemberFactory

SENDER = "02-1234-5678"
MOBILE = "010-2000-0001"


def kgmsg_contract(customer: Any) -> Any:
    """A kgmsg contract made through the contracts services, active since a month ago."""
    return make_contract("kgmsg-standard", customer=customer, start=clock.today() - dt.timedelta(days=30))


def proof() -> SimpleUploadedFile:
    return SimpleUploadedFile("telecom.pdf", b"%PDF-1.4 certificate", content_type="application/pdf")


def approved_sender(customer: Any, limits: Any, number: str = SENDER) -> SenderNumber:
    requested = senders.sender_number_request(
        customer=customer, number=number, proof_document=proof(), limits=limits
    )
    return senders.sender_number_approve(sender=requested, now=clock.now())


@pytest.fixture
def kgmsg_presets(db):  # type: ignore[no-untyped-def]
    return {p.code: p for p in load_presets()}


@pytest.fixture
def msg_admin(kgmsg_presets):  # type: ignore[no-untyped-def]
    """An admin member of a customer with a live kgmsg contract."""
    member = AdminMemberFactory(login_id="msg-admin")
    kgmsg_contract(member.customer)
    return member


@pytest.fixture
def msg_member(msg_admin):  # type: ignore[no-untyped-def]
    return MemberFactory(customer=msg_admin.customer, login_id="msg-user")


@pytest.fixture
def rival_admin(kgmsg_presets):  # type: ignore[no-untyped-def]
    """An admin of another customer, also with a kgmsg contract."""
    member = AdminMemberFactory(login_id="rival-admin")
    kgmsg_contract(member.customer)
    return member


@pytest.fixture
def no_contract_admin(db):  # type: ignore[no-untyped-def]
    return AdminMemberFactory(login_id="plain-admin")
