"""Policy versions: in-use versions are frozen, clones make the next draft, publishing needs notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from contracts.models import Policy
from contracts.policy import (
    editable_field_names,
    policy_clone,
    policy_create,
    policy_for,
    policy_publish,
    policy_retire,
    policy_update,
)
from contracts.presets import load_presets
from core.errors import DomainError

from .factories import PlanFactory, PolicyFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 2)


@pytest.fixture
def dcloud() -> Policy:
    return load_presets(codes=["dcloud"])[0]


def test_in_use_version_cannot_be_updated(dcloud, admin_user):
    """TRM-1: a published version with plans refuses an in-place edit, naming the field and rule."""
    assert dcloud.is_in_use()
    with pytest.raises(DomainError) as info:
        policy_update(policy=dcloud, changes={"dispute_window_days": 30}, actor=admin_user)
    assert (info.value.code, info.value.rule, info.value.field) == (
        "policy_in_use",
        "TRM-1",
        "dispute_window_days",
    )
    assert Policy.objects.get(pk=dcloud.pk).dispute_window_days == 15


def test_in_use_is_detected_through_any_reverse_relation():
    """TRM-1: a draft is never in use; a published version becomes in use once a plan refers to it."""
    policy = PolicyFactory(status=Policy.Status.PUBLISHED, effective_from=TODAY)
    assert not policy.is_in_use()
    assert list(policy.referencing_relations()) == []
    PlanFactory(policy=policy)
    assert policy.is_in_use()
    assert list(policy.referencing_relations()) == ["plans"]
    draft = PolicyFactory()
    PlanFactory(policy=draft)
    assert not draft.is_in_use()


def test_draft_can_be_updated_and_is_validated(admin_user):
    """TRM-1, DUN: a draft is edited through the service; invalid values are refused with the field named."""
    draft = PolicyFactory()
    updated = policy_update(policy=draft, changes={"dispute_answer_days": 10}, actor=admin_user)
    assert updated.dispute_answer_days == 10
    assert updated.history.first().history_user == admin_user
    with pytest.raises(ValidationError) as info:
        policy_update(
            policy=draft,
            changes={"dunning_ladder": [{"day": 5, "action": "notify"}, {"day": 2, "action": "notify"}]},
        )
    assert "dunning_ladder" in info.value.message_dict


def test_update_refuses_lifecycle_and_unknown_fields():
    """TRM-1: version, status and unknown names are not editable through an update."""
    draft = PolicyFactory()
    for field in ("version", "status", "nonsense"):
        with pytest.raises(DomainError) as info:
            policy_update(policy=draft, changes={field: 2})
        assert info.value.field == field


def test_clone_makes_next_version_draft_with_same_values(dcloud, admin_user):
    """TRM-1, BIL-9, DUN, SLA-4: clone copies every rule value into version 2 as a draft."""
    clone = policy_clone(policy=dcloud, actor=admin_user)
    assert (clone.code, clone.version, clone.status) == ("dcloud", 2, Policy.Status.DRAFT)
    assert clone.effective_from is None and clone.published_at is None
    for name in editable_field_names():
        if name in {"effective_from", "is_unfavourable", "change_reason"}:
            continue
        assert getattr(clone, name) == getattr(dcloud, name), name
    assert clone.plans.count() == 0
    again = policy_clone(policy=dcloud, actor=admin_user)
    assert again.version == 3
    edited = policy_update(policy=clone, changes={"dispute_window_days": 30}, actor=admin_user)
    assert edited.dispute_window_days == 30


def test_publish_needs_seven_days_notice_or_thirty_when_unfavourable(dcloud, admin_user):
    """TRM-2: a new version's effective date is at least 7 days ahead, 30 when unfavourable."""
    draft = policy_clone(policy=dcloud, actor=admin_user)
    with pytest.raises(DomainError) as info:
        policy_publish(policy=draft, effective_from=TODAY + dt.timedelta(days=6), today=TODAY)
    assert (info.value.code, info.value.rule, info.value.field) == (
        "notice_too_short",
        "TRM-2",
        "effective_from",
    )
    with pytest.raises(DomainError):
        policy_publish(
            policy=draft, effective_from=TODAY + dt.timedelta(days=29), today=TODAY, unfavourable=True
        )
    published = policy_publish(
        policy=draft,
        effective_from=TODAY + dt.timedelta(days=30),
        today=TODAY,
        unfavourable=True,
        actor=admin_user,
    )
    assert published.status == Policy.Status.PUBLISHED and published.is_unfavourable
    with pytest.raises(DomainError) as info:
        policy_publish(policy=published, effective_from=TODAY + dt.timedelta(days=40), today=TODAY)
    assert info.value.code == "policy_not_draft"
    # the old version stays in force until the new one's date (dcloud keeps it for running terms, TRM-5)
    assert policy_for("dcloud", today=TODAY) == dcloud
    assert policy_for("dcloud", today=TODAY + dt.timedelta(days=30)) == published


def test_publish_without_date_and_first_version(admin_user):
    """TRM-2: a draft needs an effective date; the first version of a new code needs no notice."""
    draft = policy_create(values={"code": "newco", "name": "신규", "due_days": 14}, actor=admin_user)
    assert draft.version == 1
    with pytest.raises(DomainError) as info:
        policy_publish(policy=draft, today=TODAY)
    assert info.value.code == "effective_from_required"
    published = policy_publish(policy=draft, effective_from=TODAY, today=TODAY)
    assert policy_for("newco", today=TODAY) == published


def test_policy_for_unknown_code_is_not_found():
    """TRM-1: asking for a code with nothing in force is a clear error."""
    with pytest.raises(DomainError) as info:
        policy_for("nothing", today=TODAY)
    assert info.value.code == "policy_not_found"


def test_retire_refused_while_plans_sell_it(dcloud):
    """TRM-1: a version cannot be retired while an active plan uses it."""
    with pytest.raises(DomainError) as info:
        policy_retire(policy=dcloud)
    assert info.value.code == "policy_has_active_plans"
    dcloud.plans.update(active=False)
    assert policy_retire(policy=dcloud).status == Policy.Status.RETIRED
