"""Fixtures for the messaging tests (MSG-1)."""

from __future__ import annotations

import pytest

from messaging.defaults import ensure_default_templates
from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory


@pytest.fixture(autouse=True)
def _default_templates(db):  # type: ignore[no-untyped-def]
    """The built-in templates the data migration creates (re-created if a flush removed them)."""
    ensure_default_templates()


@pytest.fixture
def customer(db):  # type: ignore[no-untyped-def]
    return CustomerFactory(legal_name="주식회사 한빛", billing_email="billing@hanbit.example",
                           preferred_language="ko")


@pytest.fixture
def admin_member(customer):  # type: ignore[no-untyped-def]
    return AdminMemberFactory(customer=customer, login_id="hanbit-admin", email="admin@hanbit.example")


@pytest.fixture
def plain_member(customer):  # type: ignore[no-untyped-def]
    return MemberFactory(customer=customer, login_id="hanbit-user", email="user@hanbit.example")


@pytest.fixture
def other_customer(db):  # type: ignore[no-untyped-def]
    return CustomerFactory(legal_name="주식회사 다른회사", billing_email="billing@other.example")


@pytest.fixture
def other_admin(other_customer):  # type: ignore[no-untyped-def]
    return AdminMemberFactory(customer=other_customer, login_id="other-admin", email="admin@other.example")
