"""Back office for terms releases (publish flow), consent records, the transition log and suspensions
(TRM-2, TRM-3, TRM-4, CON-1, CON-10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from contracts.models import (
    ConsentDecision,
    ContractTransition,
    Policy,
    Suspension,
    TermsConsent,
    TermsRelease,
)
from contracts.policy import policy_clone
from contracts.presets import load_presets
from contracts.services import suspension, terms
from messaging.models import Notice
from tests.contracts.test_contract_admin import (  # noqa: F401 - fixtures
    TODAY,
    _frozen_today,
    active,
    apply,
    messages_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies() -> dict[str, Policy]:
    """Version 1 of each preset, by code (named apart from the rule tests' ``presets``)."""
    return {p.code: p for p in load_presets()}


D = dt.date


def _publish_data(draft: Policy, previous: Policy, effective_on: dt.date, **extra: str) -> dict[str, str]:
    return {
        "policy": str(draft.pk),
        "previous": str(previous.pk),
        "effective_on": effective_on.isoformat(),
        "reasons": "요금 체계 정비",
        **extra,
    }


def test_publish_flow_publishes_and_notifies(admin_client, admin_user, policies):
    """TRM-2, TRM-3: publishing a draft with enough notice creates the release, publishes the version and
    notifies every affected customer."""
    contract = active("officecore-standard-monthly")
    draft = policy_clone(policy=policies["officecore"])
    url = reverse("admin:contracts_termsrelease_add")
    page = admin_client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["policy"].queryset) == [draft]
    assert policies["officecore"] in page.context["form"].fields["previous"].queryset
    response = admin_client.post(
        url, _publish_data(draft, policies["officecore"], TODAY + dt.timedelta(days=7))
    )
    assert response.status_code == 302, messages_of(response)
    release = TermsRelease.objects.get()
    draft.refresh_from_db()
    assert (release.policy, release.previous, release.published_on) == (draft, policies["officecore"], TODAY)
    assert draft.status == Policy.Status.PUBLISHED
    assert Notice.objects.filter(customer=contract.customer, event="terms.published").exists()
    assert release.history.first().history_user == admin_user


def test_publish_refuses_short_notice_with_the_rule(admin_client, policies):
    """TRM-2: an unfavourable change needs 30 days; shorter notice is refused with TRM-2; nothing is
    published."""
    draft = policy_clone(policy=policies["flow"])
    response = admin_client.post(
        reverse("admin:contracts_termsrelease_add"),
        _publish_data(draft, policies["flow"], TODAY + dt.timedelta(days=10), unfavourable="on"),
    )
    assert response.status_code == 200
    assert any(m.startswith("TRM-2") for m in messages_of(response)), messages_of(response)
    draft.refresh_from_db()
    assert draft.status == Policy.Status.DRAFT
    assert not TermsRelease.objects.exists()


def test_publish_refuses_a_version_of_another_code(admin_client, policies):
    """TRM-1: the new version must be a version of the terms it replaces."""
    draft = policy_clone(policy=policies["flow"])
    response = admin_client.post(
        reverse("admin:contracts_termsrelease_add"),
        _publish_data(draft, policies["damoa"], TODAY + dt.timedelta(days=40)),
    )
    assert response.status_code == 200
    assert any(m.startswith("TRM-1") for m in messages_of(response))
    assert not TermsRelease.objects.exists()


@pytest.fixture
def release_with_consent(policies):
    contract = active("damoa-standard")
    draft = policy_clone(policy=policies["damoa"])
    release = terms.terms_publish(
        policy=draft,
        previous=policies["damoa"],
        effective_on=TODAY + dt.timedelta(days=30),
        reasons="개정",
        today=TODAY,
    )
    consent = terms.consent_record(
        customer=contract.customer, policy=release.policy, decision=ConsentDecision.REFUSED, today=TODAY
    )
    return release, consent


def test_release_list_and_read_only_page(admin_client, release_with_consent):
    """TRM-3, TRM-4: releases list with filters, search and consent counts; a release is read-only."""
    release, _consent = release_with_consent
    url = reverse("admin:contracts_termsrelease_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "0 / 1 / 0" in response.content.decode()  # accepted / refused / deemed
    assert list(admin_client.get(url, {"q": "damoa"}).context["cl"].queryset) == [release]
    assert admin_client.get(url, {"unfavourable__exact": "1"}).context["cl"].result_count == 0
    assert admin_client.get(url, {"policy__code": "damoa"}).context["cl"].result_count == 1
    page = admin_client.get(reverse("admin:contracts_termsrelease_change", args=[release.pk]))
    assert page.status_code == 200
    assert page.context["adminform"].form.fields == {}
    assert (
        admin_client.get(reverse("admin:contracts_termsrelease_delete", args=[release.pk])).status_code == 403
    )


def test_consent_admin_is_read_only_with_filters(admin_client, release_with_consent):
    """TRM-4: consent records are listed with filters by decision, channel and policy, searchable by
    customer, and cannot be added, edited or deleted."""
    _release, consent = release_with_consent
    url = reverse("admin:contracts_termsconsent_changelist")
    assert admin_client.get(url).status_code == 200
    for params, count in [
        ({"decision__exact": "refused"}, 1),
        ({"decision__exact": "accepted"}, 0),
        ({"channel__exact": "portal"}, 1),
        ({"policy__code": "damoa"}, 1),
        ({"q": consent.customer.legal_name}, 1),
        ({"q": consent.customer.business_number}, 1),
        ({"q": "없는 고객"}, 0),
    ]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        assert response.context["cl"].result_count == count, params
    assert admin_client.get(reverse("admin:contracts_termsconsent_add")).status_code == 403
    page = admin_client.get(reverse("admin:contracts_termsconsent_change", args=[consent.pk]))
    assert page.status_code == 200 and page.context["adminform"].form.fields == {}
    assert TermsConsent.objects.count() == 1


def test_transition_log_is_read_only(admin_client, policies):
    """CON-1: the append-only transition log lists, filters and searches, and offers no edit or delete."""
    running = active("dcloud-vm-standard")
    apply("damoa-standard")
    url = reverse("admin:contracts_contracttransition_changelist")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2  # approved, active
    assert admin_client.get(url, {"to_status__exact": "active"}).context["cl"].result_count == 1
    assert admin_client.get(url, {"q": running.customer.legal_name}).context["cl"].result_count == 2
    assert admin_client.get(url, {"on_date__year": "2026"}).status_code == 200
    transition = ContractTransition.objects.first()
    assert admin_client.get(reverse("admin:contracts_contracttransition_add")).status_code == 403
    page = admin_client.get(reverse("admin:contracts_contracttransition_change", args=[transition.pk]))
    assert page.status_code == 200 and page.context["adminform"].form.fields == {}
    delete = reverse("admin:contracts_contracttransition_delete", args=[transition.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_transition_list_query_count_is_fixed(admin_client, policies):
    """CON-1: the log's contract column is select_related: two contracts or six cost the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:contracts_contracttransition_changelist")
    active("dcloud-vm-standard")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for _ in range(4):
        active("damoa-standard")
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_suspension_list_filters(admin_client, policies):
    """CON-10: suspensions list with filters by kind, open/lifted, started and appeal, searchable by
    customer; changes happen on the contract page."""
    first = active("flow-business-monthly")
    second = active("damoa-standard")
    lifted = suspension.suspension_schedule(contract=first, reason="스팸", today=TODAY, days=3)
    suspension.suspension_lift(suspension=lifted, today=TODAY, reason="해소")
    suspension.suspension_schedule(contract=second, reason="위반", today=TODAY, days=5)  # announced (damoa)
    url = reverse("admin:contracts_suspension_changelist")
    assert admin_client.get(url).context["cl"].result_count == 2
    for params, count in [
        ({"open": "yes"}, 1),
        ({"open": "no"}, 1),
        ({"kind__exact": "violation"}, 2),
        ({"started__exact": "1"}, 1),
        ({"appeal__exact": "none"}, 2),
        ({"q": second.customer.legal_name}, 1),
        ({"starts_on__year": "2026"}, 2),
    ]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        assert response.context["cl"].result_count == count, params
    record = Suspension.objects.get(contract=second)
    assert admin_client.get(reverse("admin:contracts_suspension_change", args=[record.pk])).status_code == 200
    assert admin_client.get(reverse("admin:contracts_suspension_add")).status_code == 403
