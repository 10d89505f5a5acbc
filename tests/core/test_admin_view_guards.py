"""Issue #14: the holes the admin permission matrix (``tests/test_admin_matrix.py``) found, one test each.

* django-simple-history's past-version page saved any POST from whoever could *view* the object: an
  empty POST by a view-only support agent wrote the old version of an invoice back over the current one
  (and a superuser could "revert" histories the product never reverts).
* The terms pages of a policy (articles, comparison table and its PDF) checked nothing beyond "staff",
  and the terms import replaced a draft's text for any staff member (TRM-1).
* The retention calendar (DAT-2, DAT-3: customers and their purge dates) checked nothing beyond "staff".
* The error-rate admin (SLA-3) offered simple-history's pages for a model without a history: they failed
  with a server error on every call.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.staff import ensure_staff_groups
from billing.models import Invoice
from contracts.models import Policy
from contracts.policy import policy_clone
from contracts.presets import load_presets
from sla.models import ErrorRateSample
from tests.billing.conftest import make_contract
from tests.billing.payment_factories import make_invoice
from tests.factories import StaffUserFactory, UserFactory

TERMS = "제1장 총칙\n제1조(목적) 이 약관은 서비스 이용 조건을 정합니다.\n"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _staff(group: str) -> Client:
    ensure_staff_groups()
    return _client(StaffUserFactory(groups=[group]))


@pytest.mark.django_db
def test_a_view_only_agent_cannot_revert_an_invoice_through_its_history() -> None:
    """Issue #14, BIL-1: an invoice's past version POSTed by a support agent (view only on billing) or
    even a superuser is refused (403); the invoice and its history are unchanged."""
    load_presets()
    contract = make_contract("officecore-standard-monthly", start=dt.date(2026, 1, 5))
    invoice = make_invoice(contract.customer, 110_000)
    first = invoice.history.order_by("history_id").first()
    Invoice.objects.filter(pk=invoice.pk).update(status=Invoice.Status.PAID)
    url = reverse("admin:billing_invoice_simple_history", args=[invoice.pk, first.history_id])
    versions = invoice.history.count()
    for client in (_staff("support"), _client(UserFactory(is_staff=True, is_superuser=True))):
        assert client.get(url).status_code == 200  # the past version is shown
        assert client.post(url, {}).status_code == 403
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.history.count() == versions


@pytest.mark.django_db
def test_a_policy_is_reverted_only_by_who_may_change_it() -> None:
    """Issue #14, TRM-1: a policy's history (revert enabled) refuses a POST from view-only staff (billing)
    with 403 and serves the support group, which may change policies."""
    load_presets()
    draft = policy_clone(policy=Policy.objects.filter(status=Policy.Status.PUBLISHED).first())
    version = draft.history.order_by("history_id").first()
    url = reverse("admin:contracts_policy_simple_history", args=[draft.pk, version.history_id])
    assert _staff("billing").post(url, {}).status_code == 403
    assert _staff("support").post(url, {}).status_code in (200, 302)


@pytest.mark.django_db
def test_terms_pages_need_the_policy_permissions() -> None:
    """Issue #14, TRM-1: staff without a group are refused the articles and the comparison (403); the
    import of a draft's terms text is refused to the messaging group (view only) and the text is kept."""
    load_presets()
    v1 = Policy.objects.filter(status=Policy.Status.PUBLISHED).first()
    draft = policy_clone(policy=v1)
    text = draft.terms_text_ko
    nobody = _client(StaffUserFactory())
    assert nobody.get(reverse("admin:contracts_policy_terms", args=[draft.pk])).status_code == 403
    compare = reverse("admin:contracts_policy_terms_compare_pdf", args=[v1.pk, draft.pk])
    assert nobody.get(compare).status_code == 403
    assert _staff("messaging").get(compare).status_code == 200  # may view policies

    from django.core.files.uploadedfile import SimpleUploadedFile

    url = reverse("admin:contracts_policy_terms_import", args=[draft.pk])
    upload = SimpleUploadedFile("terms.txt", TERMS.encode())
    assert _staff("messaging").post(url, {"terms_file": upload}).status_code == 403
    draft.refresh_from_db()
    assert draft.terms_text_ko == text
    assert _staff("support").get(url).status_code == 200  # may change policies


@pytest.mark.django_db
def test_the_retention_calendar_needs_the_destruction_record_permission() -> None:
    """Issue #14, issue 15, DAT-2, DAT-3: the retention calendar (customers and their purge dates) is shown
    to the groups that may view destruction records (compliance, and support who answer customers) and a
    superuser, and refused to the others."""
    url = reverse("admin:privacy_retention_calendar")
    assert _staff("compliance").get(url).status_code == 200
    assert _staff("support").get(url).status_code == 200
    assert _staff("billing").get(url).status_code == 403
    assert _client(UserFactory(is_staff=True, is_superuser=True)).get(url).status_code == 200


@pytest.mark.django_db
def test_an_admin_without_a_history_model_serves_djangos_history_page() -> None:
    """Issue #14, SLA-3: the error-rate admin has no past-version URL (its model keeps no history) and its
    history page answers instead of failing."""
    sample = ErrorRateSample.objects.create(
        service="officecore", at=timezone.now(), window_minutes=5, failure_ratio=Decimal("0.5")
    )
    with pytest.raises(NoReverseMatch):
        reverse("admin:sla_errorratesample_simple_history", args=[sample.pk, 1])
    superuser = _client(UserFactory(is_staff=True, is_superuser=True))
    response = superuser.get(reverse("admin:sla_errorratesample_history", args=[sample.pk]))
    assert response.status_code == 200


def test_every_history_admin_is_guarded() -> None:
    """Issue #14: every registered admin built on django-simple-history's is a ``HistoryAdmin`` (the
    guarded past-version page)."""
    from simple_history.admin import SimpleHistoryAdmin

    from core.adminkit import HistoryAdmin

    unguarded = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin) and not isinstance(model_admin, HistoryAdmin)
    ]
    assert unguarded == []
