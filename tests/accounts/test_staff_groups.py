import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.services import STAFF_GROUPS, ensure_staff_groups

pytestmark = pytest.mark.django_db

NAMES = {"support", "billing", "sla", "messaging", "compliance"}


def test_staff_groups_exist_after_migrate():
    """ACC-11: support, billing, sla, messaging and compliance groups exist with model permissions."""
    assert set(STAFF_GROUPS) == NAMES
    groups = {g.name: g for g in Group.objects.filter(name__in=NAMES)}
    assert set(groups) == NAMES
    support = {p.codename for p in groups["support"].permissions.all()}
    assert {"view_customer", "change_customer", "add_member", "change_member"} <= support
    assert "delete_customer" not in support
    billing = {f"{p.content_type.app_label}.{p.codename}" for p in groups["billing"].permissions.all()}
    assert "accounts.view_customer" in billing
    assert "accounts.change_customer" not in billing
    assert "core.change_holiday" in billing
    compliance = {p.codename for p in groups["compliance"].permissions.all()}
    assert "view_historicalcustomer" in compliance
    # DAT-4, DAT-5: compliance runs the retention calendar and decides deletion requests; support reads them
    assert {"view_destructionrecord", "change_deletionrequest"} <= compliance
    privacy = groups["support"].permissions.filter(content_type__app_label="privacy")
    support_privacy = {p.codename for p in privacy}
    assert "view_deletionrequest" in support_privacy and "change_deletionrequest" not in support_privacy


def test_ensure_staff_groups_is_idempotent():
    """ACC-11: running the setup again (command or service) changes nothing."""
    before = {g.name: g.permissions.count() for g in Group.objects.filter(name__in=NAMES)}
    assert ensure_staff_groups() == before
    call_command("setup_staff_groups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert {g.name: g.permissions.count() for g in Group.objects.filter(name__in=NAMES)} == before
    assert Group.objects.filter(name__in=NAMES).count() == 5


def test_admin_lists_groups(admin_client):
    """ACC-11: the admin lists the staff groups."""
    response = admin_client.get("/admin/auth/group/")
    assert response.status_code == 200
    for name in NAMES:
        assert name in response.content.decode()
