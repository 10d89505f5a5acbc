"""DAT-6: every staff view of a customer's personal data is logged; the log is read-only, compliance-only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts.models import AppendOnly, Customer, PersonalDataAccess
from accounts.staff import ensure_staff_groups
from billing.models import PayerAlias, Payment
from core import clock
from core.adminkit import PersonalDataAdminMixin
from core.personal_data import holds_personal_data
from tests.factories import CustomerFactory, MemberFactory, StaffUserFactory

pytestmark = pytest.mark.django_db

#: Models whose admins must log (a literal, so the declaration cannot shrink unnoticed).
EXPECTED_PERSONAL_DATA_ADMINS = {
    "auth.user",
    "axes.accessattempt",
    "axes.accessfailurelog",
    "axes.accesslog",
    "accounts.customer",
    "accounts.member",
    "accounts.customerchangerequest",
    "accounts.successionrequest",
    "accounts.dormantmemberdata",
    "messaging.notice",
    "messaging.recipient",
    "messaging.sendernumber",
    "messaging.message",
    "messaging.messagebatch",
    "contracts.termsconsent",
    "billing.banktransaction",
    "billing.payeralias",
    "billing.payment",
    "billing.paymentmethod",
    "billing.taxinvoice",
    "sla.incident",
    "privacy.retainedrecord",
    "privacy.exportrequest",
    "privacy.deletionrequest",
}


def _log() -> list[tuple[object, ...]]:
    return list(
        PersonalDataAccess.objects.order_by("id").values_list(
            "customer_id", "what", "object_id", "kind", "via"
        )
    )


# --------------------------------------------------------------------------- the guard


def test_every_admin_of_personal_data_logs():
    """DAT-6: every registered admin whose model holds personal data (a declared field or the
    ``PERSONAL_DATA`` marker) uses the logging mixin, and its path to the customer resolves."""
    personal = {
        model._meta.label_lower: model_admin
        for model, model_admin in admin.site._registry.items()
        if holds_personal_data(model)
    }
    assert set(personal) == EXPECTED_PERSONAL_DATA_ADMINS
    missing = [
        label
        for label, model_admin in personal.items()
        if not isinstance(model_admin, PersonalDataAdminMixin)
    ]
    assert missing == []
    for model_admin in personal.values():
        # a wrong path raises FieldError here
        none = model_admin.model._default_manager.filter(pk__isnull=True)
        assert model_admin.personal_data_customer_ids(none) == []


def test_the_log_and_records_without_personal_data_are_not_personal():
    """DAT-6: the log itself and the destruction records hold no personal data of their own."""
    from privacy.models import DestructionRecord

    assert not holds_personal_data(PersonalDataAccess)
    assert not holds_personal_data(DestructionRecord)


# --------------------------------------------------------------------------- what is logged


def test_detail_history_and_list_views_are_logged(admin_client, admin_user):
    """DAT-6: opening a customer, its history, and a list page each note who saw which customer."""
    first, second = CustomerFactory(), CustomerFactory()
    change = reverse("admin:accounts_customer_change", args=[first.pk])
    assert admin_client.get(change).status_code == 200
    assert _log() == [(first.pk, "accounts.customer", str(first.pk), "detail", "admin")]
    assert admin_client.get(reverse("admin:accounts_customer_history", args=[first.pk])).status_code == 200
    assert _log()[-1] == (first.pk, "accounts.customer", str(first.pk), "history", "admin")
    before = len(_log())
    assert admin_client.get(reverse("admin:accounts_customer_changelist")).status_code == 200
    listed = _log()[before:]
    assert sorted(listed) == sorted(
        [
            (first.pk, "accounts.customer", "", "list", "admin"),
            (second.pk, "accounts.customer", "", "list", "admin"),
        ]
    )
    assert set(PersonalDataAccess.objects.values_list("user_id", flat=True)) == {admin_user.pk}


def test_a_past_version_page_is_logged(admin_client):
    """DAT-6: opening one past version of a member (django-simple-history) is a view of its data too."""
    member = MemberFactory()
    version = member.history.get()
    page = admin_client.get(reverse("admin:accounts_member_simple_history", args=[member.pk, version.pk]))
    assert page.status_code == 200
    assert _log() == [(member.customer_id, "accounts.member", str(member.pk), "history", "admin")]


def test_member_view_logs_member_and_customer(admin_client):
    """DAT-6: a member's page is logged against its customer and names the member."""
    member = MemberFactory(name="김민원", email="minwon@example.com")
    assert admin_client.get(reverse("admin:accounts_member_change", args=[member.pk])).status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.customer_id, entry.member_id, entry.what, entry.object_id) == (
        member.customer_id,
        member.pk,
        "accounts.member",
        str(member.pk),
    )
    stored = " ".join(str(v) for v in PersonalDataAccess.objects.values().get().values())
    assert "김민원" not in stored and "minwon" not in stored  # no copy of the personal data


def test_missing_or_refused_pages_log_nothing(admin_client, client):
    """DAT-6: a page that showed nothing (missing object, no permission) is not logged."""
    customer = CustomerFactory()
    assert admin_client.get(reverse("admin:accounts_customer_change", args=[999_999])).status_code == 302
    nobody = StaffUserFactory()  # staff without a group: no view permission
    client.force_login(nobody)
    assert client.get(reverse("admin:accounts_customer_change", args=[customer.pk])).status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_user_admin_logs_member_accounts_only(admin_client, admin_user):
    """DAT-6: a customer member's login account is that customer's personal data; a staff account is not."""
    member = MemberFactory()
    assert admin_client.get(reverse("admin:auth_user_change", args=[member.user_id])).status_code == 200
    assert admin_client.get(reverse("admin:auth_user_change", args=[admin_user.pk])).status_code == 200
    assert _log() == [(member.customer_id, "auth.user", str(member.user_id), "detail", "admin")]


def test_csv_export_action_is_logged_per_customer(admin_client):
    """DAT-6: an admin action that answers with a file (payments CSV with payer names) logs an export
    for each customer of the selected rows, via ``export``."""
    first, second = CustomerFactory(), CustomerFactory()
    rows = [
        Payment.objects.create(
            customer=customer,
            method=Payment.Method.BANK_TRANSFER,
            amount_won=11_000,
            received_on=dt.date(2026, 11, 2),
            payer_name="홍길동",
        )
        for customer in (first, first, second)
    ]
    response = admin_client.post(
        reverse("admin:billing_payment_changelist"),
        {"action": "export_csv", "_selected_action": [p.pk for p in rows]},
    )
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert sorted(_log()) == sorted(
        [
            (first.pk, "billing.payment", "", "export", "export"),
            (second.pk, "billing.payment", "", "export", "export"),
        ]
    )


def test_delete_confirmation_page_is_logged(admin_client):
    """DAT-6: the delete confirmation page of a member shows its data (and what would go with it): it
    is logged like its change page; a missing object logs nothing."""
    member = MemberFactory()
    page = admin_client.get(reverse("admin:accounts_member_delete", args=[member.pk]))
    assert page.status_code == 200 and str(member) in page.content.decode()
    assert _log() == [(member.customer_id, "accounts.member", str(member.pk), "detail", "admin")]
    assert admin_client.get(reverse("admin:accounts_member_delete", args=[999_999])).status_code == 302
    assert len(_log()) == 1


def test_bulk_delete_confirmation_is_logged_per_customer(admin_client):
    """DAT-6: the "delete selected" confirmation lists the selected payer names: a list view of each
    customer of the selected rows; confirming deletes and shows nothing more."""
    first, second = CustomerFactory(), CustomerFactory()
    aliases = [
        PayerAlias.objects.create(name=name, customer=customer)
        for name, customer in (("홍길동", first), ("홍길순", first), ("김철수", second))
    ]
    url = reverse("admin:billing_payeralias_changelist")
    selected = {"action": "delete_selected", "_selected_action": [a.pk for a in aliases]}
    page = admin_client.post(url, selected)
    assert page.status_code == 200 and "김철수" in page.content.decode()
    assert sorted(_log()) == sorted(
        [
            (first.pk, "billing.payeralias", "", "list", "admin"),
            (second.pk, "billing.payeralias", "", "list", "admin"),
        ]
    )
    assert admin_client.post(url, {**selected, "post": "yes"}).status_code == 302
    assert not PayerAlias.objects.exists() and len(_log()) == 2


def test_autocomplete_answers_are_logged(admin_client):
    """DAT-6: /admin/autocomplete/ answers with customers' names (a payment's customer field): each
    customer answered is logged as a list view; a search that finds none, and the autocomplete of a
    model without personal data (a plan's policy), log nothing."""
    from contracts.presets import load_presets

    load_presets()
    first = CustomerFactory(legal_name="주식회사 가온누리")
    second = CustomerFactory(legal_name="주식회사 가온들")
    CustomerFactory(legal_name="주식회사 다른")
    url = reverse("admin:autocomplete")
    field = {"app_label": "billing", "model_name": "payment", "field_name": "customer"}
    answer = admin_client.get(url, {**field, "term": "가온"})
    assert answer.status_code == 200
    assert sorted(int(r["id"]) for r in answer.json()["results"]) == sorted([first.pk, second.pk])
    assert sorted(_log()) == sorted(
        [
            (first.pk, "accounts.customer", "", "list", "admin"),
            (second.pk, "accounts.customer", "", "list", "admin"),
        ]
    )
    assert admin_client.get(url, {**field, "term": "없는회사"}).json()["results"] == []
    policies = {"app_label": "contracts", "model_name": "plan", "field_name": "policy", "term": ""}
    assert admin_client.get(url, policies).json()["results"]
    assert len(_log()) == 2


# --------------------------------------------------------------------------- the log's admin


def test_log_admin_is_read_only_even_for_superusers(admin_client, admin_user):
    """DAT-6: no add, change or delete in the admin, superuser included; the row stays as written."""
    customer = CustomerFactory()
    entry = PersonalDataAccess.objects.create(
        user=admin_user, customer=customer, what="accounts.customer", object_id=str(customer.pk)
    )
    change = reverse("admin:accounts_personaldataaccess_change", args=[entry.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(change, {"what": "x", "object_id": "1"}).status_code == 403
    delete = reverse("admin:accounts_personaldataaccess_delete", args=[entry.pk])
    assert admin_client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:accounts_personaldataaccess_add")).status_code == 403
    listing = admin_client.post(
        reverse("admin:accounts_personaldataaccess_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert listing.status_code in (200, 302)
    entry.refresh_from_db()
    assert (entry.what, entry.object_id) == ("accounts.customer", str(customer.pk))
    assert PersonalDataAccess.objects.count() == 1


def test_log_admin_searches_by_staff_customer_and_what(admin_client, admin_user):
    """DAT-6: compliance finds entries by staff user, customer (name or id), model and interface."""
    other_staff = StaffUserFactory(username="kim-support")
    mine, theirs = CustomerFactory(legal_name="주식회사 가나"), CustomerFactory(legal_name="주식회사 다라")
    a = PersonalDataAccess.objects.create(
        user=admin_user, customer=mine, what="accounts.member", object_id="7"
    )
    b = PersonalDataAccess.objects.create(
        user=other_staff, customer=theirs, what="billing.payment", kind="export", via="export"
    )
    url = reverse("admin:accounts_personaldataaccess_changelist")

    def found(params: dict[str, str]) -> list[int]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return sorted(row.pk for row in response.context["cl"].result_list)

    assert found({"q": "kim-support"}) == [b.pk]
    assert found({"q": "가나"}) == [a.pk]
    assert found({"q": str(theirs.pk)}) == [b.pk]
    assert found({"q": "accounts.member"}) == [a.pk]
    assert found({"via__exact": "export"}) == [b.pk]
    assert found({"kind__exact": "detail"}) == [a.pk]
    today = clock.to_seoul_date(a.accessed_at)
    in_month = {"accessed_at__year": str(today.year), "accessed_at__month": str(today.month)}
    assert found(in_month) == [a.pk, b.pk]


def test_only_compliance_and_superusers_see_the_log(client, admin_user):
    """DAT-6, ACC-11: the compliance group (and superusers) view the log; other staff groups do not."""
    ensure_staff_groups()
    customer = CustomerFactory()
    PersonalDataAccess.objects.create(user=admin_user, customer=customer, what="accounts.customer")
    url = reverse("admin:accounts_personaldataaccess_changelist")
    for group, status in (
        ("compliance", 200),
        ("support", 403),
        ("billing", 403),
        ("sla", 403),
        ("messaging", 403),
    ):
        staff = StaffUserFactory(groups=[group])
        client.force_login(staff)
        assert client.get(url).status_code == status, group
    compliance = StaffUserFactory(groups=["compliance"])
    assert compliance.has_perm("accounts.view_personaldataaccess")
    assert not compliance.has_perm("accounts.change_personaldataaccess")
    support = StaffUserFactory(groups=["support"])
    assert not support.has_perm("accounts.change_personaldataaccess")


# --------------------------------------------------------------------------- append-only below the admin


def test_model_and_queryset_refuse_changes_and_deletion(admin_user):
    """DAT-6: a written row is never saved again or deleted; only a purge drops the member reference."""
    member = MemberFactory()
    entry = PersonalDataAccess.objects.create(
        user=admin_user,
        customer=member.customer,
        member=member,
        what="accounts.member",
        object_id=str(member.pk),
    )
    entry.what = "x"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        PersonalDataAccess.objects.all().delete()
    with pytest.raises(AppendOnly):
        PersonalDataAccess.objects.update(what="x")
    assert PersonalDataAccess.objects.filter(member=member).update(member=None) == 1
    entry.refresh_from_db()
    assert (entry.what, entry.member_id, entry.customer_id) == ("accounts.member", None, member.customer_id)


def test_database_refuses_changes_and_deletion(admin_user):
    """DAT-6: on PostgreSQL a trigger refuses UPDATE (except dropping the member) and DELETE of a row."""
    assert connection.vendor == "postgresql"
    customer = CustomerFactory()
    entry = PersonalDataAccess.objects.create(user=admin_user, customer=customer, what="accounts.customer")
    table = PersonalDataAccess._meta.db_table
    for sql in (
        f"UPDATE {table} SET what = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
        f"UPDATE {table} SET customer_id = NULL WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="DAT-6"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET member_id = NULL WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert (entry.what, entry.customer_id) == ("accounts.customer", customer.pk)
    assert Customer.objects.filter(pk=customer.pk).exists()
