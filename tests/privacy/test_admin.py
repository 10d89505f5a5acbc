"""Privacy admin: retention calendar and dry run, read-only records, the staff access log (DAT-5, DAT-6)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import PersonalDataAccess
from core import clock
from privacy.models import DestructionRecord
from privacy.services.purge import purge_data

from .conftest import ENDED, ended_customer

pytestmark = pytest.mark.django_db


def test_calendar_and_dry_run_page_lists_the_due_customer_and_deletes_nothing(presets, admin_client):
    """DAT-2: the calendar shows who is purged when; the preview lists today's work and writes nothing."""
    customer = ended_customer("officecore")
    with clock.frozen(ENDED.replace(month=9, day=30)):
        response = admin_client.get(reverse("admin:privacy_retention_calendar"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "billing.Payment: 1" in body
    assert [(p.customer_ref, p.due_on) for p in response.context["plan"]] == [
        (customer.pk, ENDED.replace(month=9, day=30))
    ]
    assert [(s.customer_id, hold) for s, hold in response.context["calendar"]] == [(customer.pk, None)]
    assert not DestructionRecord.objects.exists()


def test_destruction_records_are_read_only_even_for_superusers(presets, admin_client):
    """DAT-5: listed and viewed, never added, changed or deleted in the admin."""
    ended_customer("dcloud")
    purge_data(today=ENDED)
    record = DestructionRecord.objects.get()
    assert admin_client.get(reverse("admin:privacy_destructionrecord_changelist")).status_code == 200
    assert (
        admin_client.get(reverse("admin:privacy_destructionrecord_change", args=[record.pk])).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:privacy_destructionrecord_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:privacy_destructionrecord_delete", args=[record.pk])).status_code
        == 403
    )
    for name in ("retainedrecord", "exportrequest", "deletionrequest"):
        assert admin_client.get(reverse(f"admin:privacy_{name}_changelist")).status_code == 200


def test_access_log_is_read_only_and_searchable(presets, admin_client, admin_user):
    """DAT-6: who viewed which customer's personal data; no change or delete, even for a superuser."""
    customer = ended_customer("flow")
    member = customer.members.first()
    entry = PersonalDataAccess.objects.create(
        user=admin_user, customer=customer, member=member, what="members"
    )
    listing = admin_client.get(
        reverse("admin:accounts_personaldataaccess_changelist"), {"q": member.login_id}
    )
    assert listing.status_code == 200 and list(listing.context["cl"].result_list) == [entry]
    change = reverse("admin:accounts_personaldataaccess_change", args=[entry.pk])
    assert admin_client.post(change, {"what": "x"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:accounts_personaldataaccess_delete", args=[entry.pk])).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.what == "members"


def test_rows_kept_in_place_are_read_only_and_marked_in_their_admin(presets, admin_client):
    """DAT-3: after the purge the kept payment shows "보존 기록 (파기 예정일 …)" and cannot be changed or
    deleted, even by a superuser; a live customer's payment is unaffected."""
    from billing.models import Payment

    customer = ended_customer("flow")
    live = ended_customer("flow", ended=ENDED.replace(month=12, day=31))
    purge_data(today=ENDED)
    kept = Payment.objects.get(customer=customer)
    change = reverse("admin:billing_payment_change", args=[kept.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and "보존 기록 (파기 예정일 2031-03-31)" in page.content.decode()
    assert admin_client.post(change, {}).status_code == 403
    assert admin_client.post(reverse("admin:billing_payment_delete", args=[kept.pk])).status_code == 403
    live_payment = Payment.objects.get(customer=live)
    other = admin_client.get(reverse("admin:billing_payment_change", args=[live_payment.pk]))
    assert other.status_code == 200 and "보존 기록" not in other.content.decode()
