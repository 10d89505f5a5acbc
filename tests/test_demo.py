"""The demo data (`manage.py seed_demo`, `manage.py demo --no-serve`): idempotent, live contracts, logins."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.models import Customer, Member
from accounts.validators import is_valid_business_number
from contracts.management.commands.seed_demo import (
    ADMIN_PASSWORD,
    DEMO_CUSTOMERS,
    DEMO_PASSWORD,
    STAFF_USERS,
)
from contracts.models import Contract, ContractStatus
from messaging.models import Notice

pytestmark = pytest.mark.django_db


def test_seed_demo_twice_creates_each_customer_once_with_live_contracts():
    """ACC-1, ACC-2, CON-1, CON-4: one customer per preset, members through the services, contracts active;
    a second run creates nothing new."""
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Customer.objects.count(), Member.objects.count(), Contract.objects.count(),
              Notice.objects.count())
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (Customer.objects.count(), Member.objects.count(), Contract.objects.count(),
            Notice.objects.count()) == counts
    assert "고객 0곳" in out.getvalue()

    assert Customer.objects.count() == len(DEMO_CUSTOMERS)
    presets = set()
    for spec in DEMO_CUSTOMERS:
        customer = Customer.objects.get(business_number=spec.business_number)
        assert is_valid_business_number(customer.business_number)
        assert customer.legal_name == spec.legal_name
        members = customer.members.all()
        assert members.filter(role=Member.Role.ADMIN).count() == 1
        assert members.count() == len(spec.members)
        if spec.activate:
            assert 2 <= members.filter(role=Member.Role.MEMBER).count() <= 3
        contract = Contract.objects.get(customer=customer)
        assert contract.plan.code == spec.plan
        if spec.activate:
            presets.add(spec.preset)
            assert contract.status == ContractStatus.ACTIVE
            assert contract.periods.count() == 1
            assert not contract.documents.exclude(kind__in=contract.plan.required_documents).exists()
        else:
            assert contract.status == ContractStatus.APPLIED  # waits in the admin queue
    assert presets == {"officecore", "flow", "dcloud", "kgmsg", "damoa"}

    user_model = get_user_model()
    admin = user_model.objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(ADMIN_PASSWORD)
    for username, group in STAFF_USERS.items():
        user = user_model.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert user.check_password(DEMO_PASSWORD)
    member = Member.objects.get(login_id=DEMO_CUSTOMERS[0].members[0].login_id)
    assert member.user.check_password(DEMO_PASSWORD)


def test_demo_no_serve_prints_the_urls_and_logins():
    """The demo command prepares everything and prints where to go and how to log in (Korean first)."""
    out = io.StringIO()
    call_command("demo", "--no-serve", "--port", "8765", stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "http://127.0.0.1:8765/login/" in text
    assert "http://127.0.0.1:8765/admin/" in text
    assert "http://127.0.0.1:8765/api/docs/" in text
    assert text.index("고객 포털") < text.index("customer portal")
    for spec in DEMO_CUSTOMERS:
        for m in spec.members:
            assert m.login_id in text
    assert "admin" in text and DEMO_PASSWORD in text
    assert Contract.objects.filter(status=ContractStatus.ACTIVE).count() == 5


def test_portal_home_after_seeding(client):
    """A printed demo login reaches the portal home."""
    call_command("seed_demo", stdout=io.StringIO())
    login = DEMO_CUSTOMERS[0].members[0].login_id
    assert client.login(username=login, password=DEMO_PASSWORD)
    response = client.get("/")
    assert response.status_code == 200
    assert DEMO_CUSTOMERS[0].legal_name in response.content.decode()
