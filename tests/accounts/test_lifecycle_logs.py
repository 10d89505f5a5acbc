"""Accounts services move statuses through core.transitions: each move is logged (who, when, why), a
refused one changes nothing (ACC-1, ACC-4, ACC-9, ACC-10)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services, services_changes
from accounts.models import Customer, CustomerChangeRequest, Member
from core.errors import DomainError
from core.models import StatusTransition
from core.transitions import history
from tests.factories import MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db


def test_customer_status_change_is_logged_and_a_refused_one_is_not(customer, today):
    """ACC-1: active → closed is logged with the staff user and the day; closed → dormant is refused."""
    staff = StaffUserFactory()
    services.customer_change_status(
        customer=customer, status=Customer.Status.CLOSED, actor=staff, today=today
    )
    [row] = history(customer)
    assert (row.machine, row.from_status, row.to_status, row.user, row.on_date) == (
        "customer",
        "active",
        "closed",
        staff,
        today,
    )
    with pytest.raises(DomainError) as err:
        services.customer_change_status(
            customer=customer, status=Customer.Status.DORMANT, actor=staff, today=today
        )
    assert err.value.code == "invalid_transition"
    customer.refresh_from_db()
    assert customer.status == Customer.Status.CLOSED
    assert len(history(customer)) == 1


def test_member_dormant_reactivated_and_removed_are_logged(admin_member, today):
    """ACC-10, ACC-4: active → dormant → active → removed, each logged; the job and the reason show."""
    member = MemberFactory(customer=admin_member.customer)
    services.member_make_dormant(member=member, today=today, job="dormant_accounts")
    services.member_reactivate(member=member, today=today, actor=member.user)
    services.member_remove(member=member, actor=admin_member.user, today=today)
    rows = list(history(member))
    assert [(r.from_status, r.to_status) for r in rows] == [
        ("active", "dormant"),
        ("dormant", "active"),
        ("active", "removed"),
    ]
    assert (rows[0].actor, rows[0].reason) == ("job:dormant_accounts", "ACC-10")
    assert rows[2].user == admin_member.user
    with pytest.raises(DomainError):
        services.member_make_dormant(member=member, today=today)
    member.refresh_from_db()
    assert member.status == Member.Status.REMOVED
    assert StatusTransition.objects.filter(object_id=member.pk, machine="member").count() == 3


def test_change_request_rejection_is_logged_once(admin_member, today):
    """ACC-9: requested → rejected with the staff reason; deciding again is refused and logs nothing."""
    request = services_changes.change_request_file(
        customer=admin_member.customer,
        member=admin_member,
        changes={"legal_name": "주식회사 새이름"},
        document=SimpleUploadedFile("doc.pdf", b"%PDF-1.4", content_type="application/pdf"),
        today=today,
    )
    staff = StaffUserFactory()
    services_changes.change_request_reject(request=request, actor=staff, today=today, reason="서류 불일치")
    [row] = history(request)
    assert (row.from_status, row.to_status, row.reason, row.user) == (
        "requested",
        "rejected",
        "서류 불일치",
        staff,
    )
    with pytest.raises(DomainError) as err:
        services_changes.change_request_approve(request=request, actor=staff, today=today)
    assert err.value.code == "change_request_decided"
    request.refresh_from_db()
    assert request.status == CustomerChangeRequest.Status.REJECTED
    assert len(history(request)) == 1
