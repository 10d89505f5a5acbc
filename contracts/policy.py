"""Policy access and the services that change a policy version (TRM-1, TRM-2).

Rules read their numbers from a ``Policy`` (``policy_for(code)`` for the
current version of a preset or a contract's own version); nothing else hard
codes them. A version that is published and referred to by anything (a plan,
and through plans the contracts) is frozen: ``policy_update`` refuses, and
``policy_clone`` makes the next version as a draft to edit and publish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit import acting_as
from core.errors import Conflict, DomainError, NotFound
from core.transitions import transition

from .lifecycle import POLICY
from .models import Policy
from .terms_text.store import copy_document, sync_document

__all__ = [
    "NON_EDITABLE_FIELDS",
    "editable_field_names",
    "policy_clone",
    "policy_create",
    "policy_for",
    "policy_publish",
    "policy_retire",
    "policy_update",
    "policy_validate",
    "validate_overrides",
]

# Set by the lifecycle services (or the database), never by an edit.
NON_EDITABLE_FIELDS = frozenset({"id", "created_at", "updated_at", *Policy.LIFECYCLE_FIELDS})


@contextlib.contextmanager
def _acting(actor: Any, reason: str) -> Iterator[None]:
    """Attribute changes to ``actor`` (a user) when given; else keep the caller's actor (request, job)."""
    if actor is None:
        yield
        return
    with acting_as(actor, reason=reason):
        yield


def editable_field_names() -> list[str]:
    """The rule and text fields staff may edit on a draft (everything but identity and lifecycle)."""
    return [f.name for f in Policy._meta.concrete_fields if f.name not in NON_EDITABLE_FIELDS]


def policy_validate(policy: Policy) -> None:
    """Run every model and rule validation; raises ``ValidationError`` naming the fields."""
    policy.full_clean()


def _check_field_names(changes: Mapping[str, Any], *, allowed: set[str]) -> None:
    for name in changes:
        try:
            Policy._meta.get_field(name)
        except FieldDoesNotExist:
            raise DomainError(
                "unknown_field", _("알 수 없는 약관 항목입니다: {name}"), field=name, rule="TRM-1", name=name
            ) from None
        if name not in allowed:
            raise DomainError(
                "field_not_editable",
                _("이 항목은 직접 수정할 수 없습니다: {name}"),
                field=name,
                rule="TRM-1",
                name=name,
            )


def policy_create(*, values: Mapping[str, Any], actor: Any = None) -> Policy:
    """A new draft policy (version 1 of a new code, or the next version of an existing one)."""
    allowed = {*editable_field_names(), "code"}
    _check_field_names(values, allowed=allowed)
    with _acting(actor, "policy_create"), transaction.atomic():
        code = values.get("code")
        versions = Policy.objects.select_for_update().filter(code=code).values_list("version", flat=True)
        policy = Policy(**values, version=max(versions, default=0) + 1, status=Policy.Status.DRAFT)
        policy.full_clean()
        policy.save()
    return policy


def policy_update(*, policy: Policy, changes: Mapping[str, Any], actor: Any = None) -> Policy:
    """Edit a version in place; refused for a version in use (TRM-1): clone it instead."""
    _check_field_names(changes, allowed=set(editable_field_names()))
    with _acting(actor, "policy_update"), transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.is_in_use():
            first = next(iter(changes), None)
            raise Conflict(
                "policy_in_use",
                _("사용 중인 약관 버전({policy})은 수정할 수 없습니다. 새 버전으로 복제해 수정하세요."),
                field=first,
                rule="TRM-1",
                policy=str(locked),
            )
        if (
            "effective_from" in changes
            and locked.status != Policy.Status.DRAFT
            and changes["effective_from"] != locked.effective_from
        ):
            raise Conflict(
                "policy_not_draft",
                _("게시된 버전의 시행일은 바꿀 수 없습니다: {policy}"),
                field="effective_from",
                rule="TRM-2",
                policy=str(locked),
            )
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        locked.save()
        if "terms_text_ko" in changes:
            sync_document(locked)  # the articles follow the text (TRM-1)
    return locked


def policy_clone(*, policy: Policy, actor: Any = None) -> Policy:
    """The next version of ``policy``'s code as a draft with every rule value and text copied (TRM-1)."""
    with _acting(actor, "policy_clone"), transaction.atomic():
        # Locking every version of the code serialises concurrent clones onto distinct version numbers.
        versions = list(
            Policy.objects.select_for_update().filter(code=policy.code).values_list("version", flat=True)
        )
        source = Policy.objects.get(pk=policy.pk)
        clone = Policy(
            **{name: getattr(source, name) for name in editable_field_names()}, status=Policy.Status.DRAFT
        )
        clone.code = source.code
        clone.version = max(versions, default=0) + 1
        clone.effective_from = None
        clone.is_unfavourable = False
        clone.change_reason = ""
        clone.source_notes = source.source_notes
        clone.full_clean()
        clone.save()
        copy_document(source=source, target=clone)
    return clone


def policy_publish(
    *,
    policy: Policy,
    effective_from: dt.date | None = None,
    actor: Any = None,
    today: dt.date | None = None,
    unfavourable: bool | None = None,
) -> Policy:
    """Publish a draft with its effective date (the one given, else the draft's own) (TRM-2).

    When an earlier version of the code is published, the new one needs the notice that version
    prescribes: 7 days, or 30 when the change is unfavourable to customers. The first version of a
    code binds nobody yet and needs no notice. Notifying the affected customers (TRM-3) is the
    caller's next step, after commit.
    """
    today = today or clock.today()
    with _acting(actor, "policy_publish"), transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.status != Policy.Status.DRAFT:
            raise Conflict(
                "policy_not_draft",
                _("초안만 게시할 수 있습니다: {policy}"),
                field="status",
                rule="TRM-1",
                policy=str(locked),
            )
        if unfavourable is not None:
            locked.is_unfavourable = unfavourable
        effective_from = effective_from or locked.effective_from
        if effective_from is None:
            raise DomainError(
                "effective_from_required",
                _("시행일을 정해야 게시할 수 있습니다"),
                field="effective_from",
                rule="TRM-2",
            )
        current = (
            Policy.objects.filter(code=locked.code, status=Policy.Status.PUBLISHED)
            .exclude(pk=locked.pk)
            .order_by("-version")
            .first()
        )
        if current is not None:
            days = current.notice_days_for_change(unfavourable=locked.is_unfavourable)
            earliest = today + dt.timedelta(days=days)
            if effective_from < earliest:
                raise DomainError(
                    "notice_too_short",
                    _("시행일은 {earliest} 이후여야 합니다 ({days}일 전 공지 필요)"),
                    field="effective_from",
                    rule="TRM-2",
                    earliest=earliest.isoformat(),
                    days=days,
                )
        locked.effective_from = effective_from
        locked.published_at = timezone.now()
        locked.full_clean()
        transition(
            locked,
            POLICY,
            Policy.Status.PUBLISHED,
            today=today,
            save_fields=["effective_from", "published_at", "is_unfavourable"],
        )
    return locked


def policy_retire(*, policy: Policy, actor: Any = None, today: dt.date | None = None) -> Policy:
    """Stop offering a published version. Refused while an active plan still sells it."""
    today = today or clock.today()
    with _acting(actor, "policy_retire"), transaction.atomic():
        locked = Policy.objects.select_for_update().get(pk=policy.pk)
        if locked.status != Policy.Status.PUBLISHED:
            raise Conflict(
                "policy_not_published",
                _("게시된 버전만 폐지할 수 있습니다: {policy}"),
                field="status",
                rule="TRM-1",
                policy=str(locked),
            )
        if locked.plans.filter(active=True).exists():
            raise Conflict(
                "policy_has_active_plans",
                _("판매 중인 요금제가 이 버전을 사용합니다: {policy}"),
                field="status",
                rule="TRM-1",
                policy=str(locked),
            )
        transition(locked, POLICY, Policy.Status.RETIRED, today=today)
    return locked


def policy_for(code: str, *, today: dt.date | None = None) -> Policy:
    """The current version of ``code``: the published version with the latest effective date on or
    before ``today`` (the highest version on a tie)."""
    today = today or clock.today()
    policy = (
        Policy.objects.filter(code=code, status=Policy.Status.PUBLISHED, effective_from__lte=today)
        .order_by("-effective_from", "-version")
        .first()
    )
    if policy is None:
        raise NotFound(
            "policy_not_found",
            _("시행 중인 약관이 없습니다: {policy_code} ({today})"),
            field="code",
            rule="TRM-1",
            policy_code=code,
            today=today.isoformat(),
        )
    return policy


def validate_overrides(*, policy: Policy, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Check special-term overrides (CON-12) against the policy's rules; returns the cleaned values.

    Raises ``ValidationError`` naming the field for an unknown field or a value the rules refuse.
    """
    editable = set(editable_field_names()) - {
        "effective_from",
        "is_unfavourable",
        "change_reason",
        "name",
        "source_notes",
        "terms_text_ko",
        "terms_text_en",
    }
    unknown = [name for name in overrides if name not in editable]
    if unknown:
        raise ValidationError({name: _("특약으로 바꿀 수 없는 항목입니다 (CON-12)") for name in unknown})
    candidate = Policy(
        **{name: getattr(policy, name) for name in editable_field_names()},
        code=policy.code,
        version=policy.version,
        status=Policy.Status.DRAFT,
    )
    for name, value in overrides.items():
        setattr(candidate, name, value)
    candidate.full_clean(validate_unique=False, validate_constraints=False)
    return {name: getattr(candidate, name) for name in overrides}
