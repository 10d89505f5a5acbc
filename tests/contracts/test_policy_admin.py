"""Admin smoke tests for Policy and Plan: list, search, add, change, clone (action and button)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contracts.admin.policy import UNSECTIONED_FIELDS
from contracts.models import Plan, Policy
from contracts.presets import load_presets

pytestmark = pytest.mark.django_db


@pytest.fixture
def presets() -> dict[str, Policy]:
    return {p.code: p for p in load_presets()}


def test_every_policy_field_is_in_a_section():
    """TRM-1: the admin form groups every rule field under its spec section."""
    assert UNSECTIONED_FIELDS == []


def test_policy_changelist_filters_and_search(admin_client, presets):
    """TRM-1: list with filters and search."""
    url = reverse("admin:contracts_policy_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    response = admin_client.get(url, {"q": "dcloud"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [presets["dcloud"]]
    response = admin_client.get(url, {"status__exact": "published", "code": "flow"})
    assert response.status_code == 200


def test_policy_add_page_creates_draft(admin_client):
    """TRM-1: the add page renders; posting creates a draft version 1 through the service."""
    url = reverse("admin:contracts_policy_add")
    assert admin_client.get(url).status_code == 200
    form = admin_client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()  # already prepared for the widget
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    data.update({"code": "staffco", "name": "직원 약관", "due_days": "14"})
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    policy = Policy.objects.get(code="staffco")
    assert (policy.version, policy.status) == (1, Policy.Status.DRAFT)


def test_in_use_policy_change_page_is_read_only(admin_client, presets):
    """TRM-1: an in-use version renders read-only with the clone button."""
    url = reverse("admin:contracts_policy_change", args=[presets["flow"].pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    assert 'name="_clone"' in response.content.decode()


def test_clone_button_creates_next_version(admin_client, presets):
    """TRM-1: the object button "새 버전으로 복제" calls the clone service."""
    url = reverse("admin:contracts_policy_change", args=[presets["damoa"].pk])
    response = admin_client.post(url, {"_clone": "새 버전으로 복제"})
    clone = Policy.objects.get(code="damoa", version=2)
    assert response.status_code == 302
    assert response.url == reverse("admin:contracts_policy_change", args=[clone.pk])
    assert clone.status == Policy.Status.DRAFT
    # the draft's change page is editable
    page = admin_client.get(response.url)
    assert "dispute_answer_days" in page.context["adminform"].form.fields


def test_clone_action(admin_client, presets):
    """TRM-1: the changelist action clones each selected version."""
    url = reverse("admin:contracts_policy_changelist")
    response = admin_client.post(
        url, {"action": "clone_selected", "_selected_action": [presets["kgmsg"].pk, presets["flow"].pk]}
    )
    assert response.status_code == 302
    assert Policy.objects.filter(version=2, status=Policy.Status.DRAFT).count() == 2


def test_publish_button_refuses_short_notice(admin_client, presets):
    """TRM-2: publishing a clone dated too soon shows the rule error and publishes nothing."""
    admin_client.post(
        reverse("admin:contracts_policy_change", args=[presets["officecore"].pk]), {"_clone": "1"}
    )
    clone = Policy.objects.get(code="officecore", version=2)
    Policy.objects.filter(pk=clone.pk).update(effective_from="2000-01-01")
    response = admin_client.post(
        reverse("admin:contracts_policy_change", args=[clone.pk]), {"_publish": "1"}, follow=True
    )
    assert "TRM-2" in response.content.decode()
    clone.refresh_from_db()
    assert clone.status == Policy.Status.DRAFT


def test_plan_admin_pages(admin_client, presets):
    """CON-3, BIL-6: plan list (search, filter), add and change pages render."""
    url = reverse("admin:contracts_plan_changelist")
    response = admin_client.get(url, {"q": "kgmsg"})
    assert response.status_code == 200
    assert [p.code for p in response.context["cl"].queryset] == ["kgmsg-standard"]
    assert admin_client.get(url, {"policy__code": "flow", "active__exact": "1"}).status_code == 200
    assert admin_client.get(reverse("admin:contracts_plan_add")).status_code == 200
    plan = Plan.objects.get(code="flow-business-annual")
    assert admin_client.get(reverse("admin:contracts_plan_change", args=[plan.pk])).status_code == 200
    response = admin_client.post(
        reverse("admin:contracts_plan_add"),
        {
            "code": "damoa-lite",
            "name": "다모아 라이트",
            "policy": presets["damoa"].pk,
            "billing_cycle": "monthly",
            "active": "on",
            "monthly_fee_won": "150000",
            "monthly_price_per_seat_won": "0",
            "annual_monthly_price_per_seat_won": "0",
            "setup_fee_won": "0",
            "usage_unit_prices": "{}",
            "default_seats": "3",
            "required_documents": '["application_form"]',
        },
    )
    assert response.status_code == 302
    assert Plan.objects.get(code="damoa-lite").monthly_fee_won == 150_000


def test_policy_history_page(admin_client, presets):
    """TRM-1: every version keeps its audited history in the admin."""
    url = reverse("admin:contracts_policy_history", args=[presets["dcloud"].pk])
    assert admin_client.get(url).status_code == 200
