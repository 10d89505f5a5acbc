"""ACC-9: customer-information change requests (004 art.8, 002 art.17①).

Changes to information that affects billing (legal name, representative, business number, payer,
refund account; optionally the address and billing contacts in the same request) are filed by a
customer admin with a supporting document, and applied only when staff approve. The approval is the
one place the change is written: under the customer's row lock, audited (the customer's history keeps
before and after, with the request number as the reason) and ``previous`` on the request keeps the old
values too. Rejection records the reason. The customer is told either way.

``accounts`` sits below ``messaging`` and cannot import it: messaging installs its ``notify`` here at
start-up with :func:`set_notifier` (docs/architecture.md decision 1). Until then nothing is sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.audit import acting_as
from core.errors import DomainError, PermissionDenied
from core.transitions import transition

from .lifecycles import CHANGE_REQUEST
from .models import Customer, CustomerChangeRequest, Member
from .services import (
    BILLING_FIELDS,
    ActorUser,
    _business_number_taken,
    _from_validation_error,
    _taken_error,
)
from .validators import is_valid_business_number, normalize_business_number

__all__ = [
    "CHANGE_REQUEST_FIELDS",
    "MAX_DOCUMENT_BYTES",
    "change_request_approve",
    "change_request_file",
    "change_request_reject",
    "field_label",
    "set_notifier",
]

RULE = "ACC-9"

#: Fields a change request may carry: the billing fields (only changeable this way) plus contact fields
#: that a customer may also edit directly but often changes together with its name.
CHANGE_REQUEST_FIELDS: tuple[str, ...] = (*BILLING_FIELDS, "address", "billing_email", "billing_mobile",
                                          "payer_contact")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

#: (customer, event, context, dedupe_key) -> None; messaging installs ``notify`` behind it.
Notifier = Callable[[Customer, str, dict[str, Any], str], None]
_notifier: Notifier | None = None


def set_notifier(fn: Notifier | None) -> None:
    """Install how change-request decisions reach the customer (messaging's ``notify``)."""
    global _notifier
    _notifier = fn


def _notify(customer: Customer, event: str, context: dict[str, Any], dedupe_key: str) -> None:
    if _notifier is not None:
        _notifier(customer, event, context, dedupe_key)


# --------------------------------------------------------------------------- validation


def _normalise(field: str, value: Any) -> Any:
    """A JSON-safe, normalised value for ``field`` (dates ISO, numbers without dashes)."""
    if value is None:
        return ""
    if field in ("business_number", "payer_business_number"):
        return normalize_business_number(str(value))
    if field == "birth_date":
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        if not text:
            return ""
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError as exc:
            raise DomainError("invalid_date", _("날짜 형식이 올바르지 않습니다 (YYYY-MM-DD): {value}"),
                              rule=RULE, field=field, value=text) from exc
    return str(value).strip()


def _current(customer: Customer, field: str) -> Any:
    return _normalise(field, getattr(customer, field))


def _python(field: str, value: Any) -> Any:
    if field == "birth_date":
        return dt.date.fromisoformat(value) if value else None
    return value


def _check(customer: Customer, changes: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise ``changes`` against ``customer`` and check them; return only the real changes."""
    if not changes:
        raise DomainError("no_changes", _("변경할 항목을 하나 이상 입력하세요."), rule=RULE, field="changes")
    clean: dict[str, Any] = {}
    for field, value in changes.items():
        if field not in CHANGE_REQUEST_FIELDS:
            raise DomainError("unknown_field", _("변경 신청으로 바꿀 수 없는 항목입니다: {field}"),
                              rule=RULE, field=field)
        new = _normalise(field, value)
        if new != _current(customer, field):
            clean[field] = new
    if not clean:
        raise DomainError("no_changes", _("현재 정보와 다른 값이 없습니다."), rule=RULE, field="changes")
    if "kind" in clean and clean["kind"] not in Customer.Kind.values:
        raise DomainError("invalid_kind", _("고객 유형이 올바르지 않습니다: {kind}"), rule=RULE, field="kind",
                          kind=clean["kind"])
    for field in ("business_number", "payer_business_number"):
        number = clean.get(field)
        if number and not is_valid_business_number(number):
            raise DomainError(
                "business_number_invalid",
                _("사업자등록번호 '{number}'가 올바르지 않습니다 (10자리 숫자, 검증번호 불일치)."),
                rule="ACC-2", field=field, number=number,
            )
    if "business_number" in clean:
        number = clean["business_number"]
        kind = clean.get("kind", customer.kind)
        if not number and kind != Customer.Kind.INDIVIDUAL:
            raise DomainError("business_number_required", _("사업자 고객은 사업자등록번호가 필요합니다."),
                              rule="ACC-1", field="business_number")
        if number and _business_number_taken(number, exclude_pk=customer.pk):
            raise _taken_error(number)
    for field in ("legal_name", "representative_name", "billing_email"):
        if field in clean and not clean[field]:
            raise DomainError("required", _("필수 항목은 비울 수 없습니다: {field}"), rule=RULE, field=field)
    probe = Customer.objects.get(pk=customer.pk)
    for field, value in clean.items():
        setattr(probe, field, _python(field, value))
    try:
        probe.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise _from_validation_error(exc, rule=RULE) from exc
    return clean


def field_label(field: str) -> str:
    """A customer field's label, for messages and lists."""
    return str(getattr(Customer._meta.get_field(field), "verbose_name", field))


def _summary(changes: Mapping[str, Any]) -> str:
    return ", ".join(field_label(f) for f in changes)


# --------------------------------------------------------------------------- services


def change_request_file(
    *,
    customer: Customer,
    member: Member,
    changes: Mapping[str, Any],
    document: UploadedFile | None,
    today: dt.date,
    note: str = "",
    actor: ActorUser = None,
) -> CustomerChangeRequest:
    """A customer admin files a change request with a supporting document (ACC-9; 004 art.8).

    Refused: a member who is not an active admin of ``customer`` (403), no document, an unknown or
    unchanged field, invalid values, or another request of the customer still open.
    """
    if actor is None:
        actor = member.user
    if member.customer_id != customer.pk or not member.is_admin:
        raise PermissionDenied("admin_required", _("고객사 관리자만 정보 변경을 신청할 수 있습니다."),
                               rule=RULE)
    if document is None or not getattr(document, "size", 0):
        raise DomainError(
            "document_required",
            _("변경 내용이 기재된 증빙 서류(사업자등록증 사본, 통장 사본 등)를 첨부해야 합니다."),
            rule=RULE, field="document",
        )
    if (document.size or 0) > MAX_DOCUMENT_BYTES:
        raise DomainError("document_too_large", _("증빙 서류는 {limit}MB 이하여야 합니다."), rule=RULE,
                          field="document", limit=MAX_DOCUMENT_BYTES // (1024 * 1024))
    with transaction.atomic(), acting_as(actor, reason=RULE):
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if not locked.is_open:
            raise DomainError("customer_not_open", _("이용 중인 고객만 정보 변경을 신청할 수 있습니다."),
                              rule=RULE, field="customer")
        clean = _check(locked, changes)
        if CustomerChangeRequest.objects.filter(customer=locked,
                                                status=CustomerChangeRequest.Status.REQUESTED).exists():
            raise _open_exists()
        digest = hashlib.sha256()
        for chunk in document.chunks():
            digest.update(chunk)
        request = CustomerChangeRequest(
            customer=locked, changes=clean, note=note, document=document,
            document_name=(document.name or "document")[:255], document_sha256=digest.hexdigest(),
            requested_by=member, requested_on=today,
        )
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as exc:
            raise _open_exists() from exc
        _notify(locked, "customer.change_requested",
                {"request_number": request.number, "fields": _summary(clean), "today": today.isoformat()},
                f"change_request:{request.pk}:requested")
    return request


def _open_exists() -> DomainError:
    return DomainError("change_request_open",
                       _("처리 중인 정보 변경 신청이 이미 있습니다. 처리가 끝난 뒤 다시 신청하세요."),
                       rule=RULE, field="changes")


def _lock_request(request: CustomerChangeRequest) -> tuple[Customer, CustomerChangeRequest]:
    """Lock order: the customer row, then the request."""
    customer = Customer.objects.select_for_update().get(pk=request.customer_id)
    locked = CustomerChangeRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != CustomerChangeRequest.Status.REQUESTED:
        raise DomainError("change_request_decided", _("이미 처리된 변경 신청입니다 ({status})."), rule=RULE,
                          field="status", status=locked.get_status_display())
    return customer, locked


def change_request_approve(
    *, request: CustomerChangeRequest, actor: ActorUser, today: dt.date, reason: str = "",
) -> CustomerChangeRequest:
    """Staff approve: the requested values are written to the customer (audited, before/after kept)."""
    with transaction.atomic(), acting_as(actor, reason=f"{RULE} {request.number}"):
        customer, locked = _lock_request(request)
        clean = _check(customer, locked.changes)
        previous = {field: _current(customer, field) for field in clean}
        for field, value in clean.items():
            setattr(customer, field, _python(field, value))
        try:
            with transaction.atomic():
                customer.save(update_fields=[*clean, "updated_at"])
        except IntegrityError as exc:
            raise _taken_error(str(clean.get("business_number", ""))) from exc
        locked.previous = previous
        locked.decided_by = _user(actor)
        locked.decided_on = today
        locked.decision_reason = reason
        transition(locked, CHANGE_REQUEST, CustomerChangeRequest.Status.APPROVED, today=today, reason=reason,
                   save_fields=["previous", "decided_by", "decided_on", "decision_reason"])
        _notify(customer, "customer.change_approved",
                {"request_number": locked.number, "fields": _summary(clean), "today": today.isoformat(),
                 "reason": reason},
                f"change_request:{locked.pk}:approved")
    request.refresh_from_db()
    return request


def change_request_reject(
    *, request: CustomerChangeRequest, actor: ActorUser, today: dt.date, reason: str,
) -> CustomerChangeRequest:
    """Staff reject with a reason; the customer's data is unchanged and the customer is told."""
    if not (reason or "").strip():
        raise DomainError("reason_required", _("반려 사유를 입력해야 합니다."), rule=RULE, field="reason")
    with transaction.atomic(), acting_as(actor, reason=f"{RULE} {request.number}"):
        customer, locked = _lock_request(request)
        locked.decided_by = _user(actor)
        locked.decided_on = today
        locked.decision_reason = reason.strip()
        transition(locked, CHANGE_REQUEST, CustomerChangeRequest.Status.REJECTED, today=today,
                   reason=locked.decision_reason, save_fields=["decided_by", "decided_on", "decision_reason"])
        _notify(customer, "customer.change_rejected",
                {"request_number": locked.number, "fields": _summary(locked.changes),
                 "today": today.isoformat(), "reason": locked.decision_reason},
                f"change_request:{locked.pk}:rejected")
    request.refresh_from_db()
    return request


def _user(actor: ActorUser) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None
