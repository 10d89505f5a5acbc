from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from tests.factories import AdminMemberFactory, CustomerFactory, MemberFactory


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 20)


@pytest.fixture
def customer(db):  # type: ignore[no-untyped-def]
    return CustomerFactory()


@pytest.fixture
def admin_member(customer):  # type: ignore[no-untyped-def]
    return AdminMemberFactory(customer=customer)


@pytest.fixture
def plain_member(customer):  # type: ignore[no-untyped-def]
    return MemberFactory(customer=customer)


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()
