"""Every write on customers and members, and the rules that guard them (ACC-1..7, ACC-9, ACC-11).

Each service takes keyword-only arguments, names the ``actor`` (a user, or ``None`` for
the system) for the audit trail, opens its own transaction and refuses with a
:class:`core.errors.DomainError` *before* writing anything.

Lock order (to keep concurrent callers deadlock-free): the customer row, then its
active admin members by primary key, then the member being changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from core.audit import acting_as
from core.erasure import erase_customer_rows
from core.errors import Conflict, DomainError, PermissionDenied
from core.transitions import transition

from .lifecycles import CUSTOMER, MEMBER
from .models import (
    MEMBER_PROFILE_FIELDS,
    Customer,
    CustomerChangeRequest,
    DormantMemberData,
    Member,
    PersonalDataAccess,
    SuccessionDocument,
    SuccessionRequest,
)
from .staff import STAFF_GROUPS, ensure_staff_groups
from .validators import is_valid_business_number, normalize_business_number

__all__ = [
    "BILLING_FIELDS",
    "CUSTOMER_UPDATABLE_FIELDS",
    "STAFF_GROUPS",
    "check_not_last_admin",
    "customer_anonymise",
    "customer_change_status",
    "customer_create",
    "customer_data_erase",
    "customer_update",
    "dormant_data_destroy",
    "dormant_member_for_credentials",
    "ensure_staff_groups",
    "member_add",
    "member_change_role",
    "member_make_dormant",
    "member_reactivate",
    "member_record_login",
    "member_remove",
    "member_update_profile",
    "validate_customer_application",
]

User = get_user_model()

#: Who acts: a user (staff or a member's login), or None for the system.
ActorUser = AbstractBaseUser | AnonymousUser | None

#: ACC-7: applicants under this age are refused (001 art.5-4-차).
MIN_APPLICANT_AGE = 14
#: ACC-7: under this age an applicant is a minor and needs a legal representative (002 art.6③).
AGE_OF_MAJORITY = 19

#: ACC-9: fields that affect billing change only through a staff-approved change request.
BILLING_FIELDS = (
    "legal_name", "kind", "business_number", "representative_name", "payer_name",
    "payer_business_number", "birth_date", "legal_representative_name",
    # 004 art.8-2: the refund account changes with a copy of the bankbook, like the name.
    "refund_bank_name", "refund_account_number", "refund_account_holder",
)
#: Fields :func:`customer_update` may change directly.
CUSTOMER_UPDATABLE_FIELDS = (
    "address", "billing_email", "billing_mobile", "payer_contact", "preferred_language",
    "locked_member_fields",
)
_CUSTOMER_INPUT_FIELDS = BILLING_FIELDS + CUSTOMER_UPDATABLE_FIELDS

LOGIN_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._@+-]{2,149}$"
_LOGIN_ID_RE = re.compile(LOGIN_ID_PATTERN)


# --------------------------------------------------------------------------- helpers


def _from_validation_error(exc: ValidationError, *, rule: str | None = None) -> DomainError:
    """A model ``ValidationError`` (from ``full_clean``) as a DomainError on its first field."""
    if hasattr(exc, "error_dict"):
        field, errors = next(iter(exc.error_dict.items()))
        message = next(iter(ValidationError(errors).messages), "")
        field_name: str | None = None if field == "__all__" else field
    else:
        field_name, message = None, next(iter(exc.messages), "")
    return DomainError("invalid", message, field=field_name, rule=rule)


def _business_number_taken(number: str, *, exclude_pk: int | None = None) -> bool:
    qs = Customer.objects.filter(
        business_number=number, status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT],
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _taken_error(number: str) -> DomainError:
    return DomainError(
        "business_number_taken",
        _("사업자등록번호 {number}은(는) 이미 이용 중인 고객이 사용하고 있습니다."),
        rule="ACC-1", field="business_number", number=number,
    )


# --------------------------------------------------------------------------- customers


def validate_customer_application(*, data: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """Check a new customer's data (ACC-1, ACC-2, ACC-7); return it normalised.

    Pure checks, no writes: the admin form calls it to show errors next to fields,
    :func:`customer_create` calls it again inside its transaction.
    """
    unknown = set(data) - set(_CUSTOMER_INPUT_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise DomainError("unknown_field", _("알 수 없는 항목입니다: {field}"), field=field, field_name=field)
    clean: dict[str, Any] = {k: v for k, v in data.items() if v is not None}
    kind = clean.get("kind") or Customer.Kind.CORPORATION
    if kind not in Customer.Kind.values:
        raise DomainError("invalid_kind", _("고객 유형이 올바르지 않습니다: {kind}"), field="kind", kind=kind)
    clean["kind"] = kind

    number = normalize_business_number(str(clean.get("business_number") or ""))
    clean["business_number"] = number
    if number:
        if not is_valid_business_number(number):
            raise DomainError(
                "business_number_invalid",
                _("사업자등록번호 '{number}'가 올바르지 않습니다 (10자리 숫자, 검증번호 불일치)."),
                rule="ACC-2", field="business_number", number=number,
            )
        if _business_number_taken(number):
            raise _taken_error(number)
    elif kind != Customer.Kind.INDIVIDUAL:
        raise DomainError(
            "business_number_required", _("사업자 고객은 사업자등록번호가 필요합니다."),
            rule="ACC-1", field="business_number",
        )

    payer_number = normalize_business_number(str(clean.get("payer_business_number") or ""))
    clean["payer_business_number"] = payer_number
    if payer_number and not is_valid_business_number(payer_number):
        raise DomainError(
            "business_number_invalid",
            _("사업자등록번호 '{number}'가 올바르지 않습니다 (10자리 숫자, 검증번호 불일치)."),
            rule="ACC-2", field="payer_business_number", number=payer_number,
        )

    birth_date = clean.get("birth_date")
    if kind == Customer.Kind.INDIVIDUAL and birth_date is None:
        raise DomainError(
            "birth_date_required", _("개인 고객은 생년월일을 입력해야 합니다."),
            rule="ACC-7", field="birth_date",
        )
    if birth_date is not None:
        age = Customer(birth_date=birth_date).age_on(today)
        assert age is not None
        if age < MIN_APPLICANT_AGE:
            raise DomainError(
                "applicant_under_14",
                _("만 {min_age}세 미만은 이용 신청을 할 수 없습니다 (현재 만 {age}세)."),
                rule="ACC-7", field="birth_date", min_age=MIN_APPLICANT_AGE, age=age,
            )
        if age < AGE_OF_MAJORITY:
            representative = str(clean.get("legal_representative_name") or "").strip()
            if not representative:
                raise DomainError(
                    "legal_representative_required",
                    _("미성년자(만 {age}세)는 법정대리인이 신청인 및 요금납입책임자가 되어야 합니다."),
                    rule="ACC-7", field="legal_representative_name", age=age,
                )
            # The legal representative is the payer unless another payer is named.
            if not str(clean.get("payer_name") or "").strip():
                clean["payer_name"] = representative
    _check_locked_fields(clean.get("locked_member_fields"))
    return clean


def _check_locked_fields(value: Any) -> None:
    if value in (None, ""):
        return
    if not isinstance(value, list | tuple) or any(f not in MEMBER_PROFILE_FIELDS for f in value):
        raise DomainError(
            "locked_fields_invalid",
            _("잠글 수 있는 구성원 항목은 {allowed} 입니다."),
            rule="ACC-6", field="locked_member_fields", allowed=", ".join(MEMBER_PROFILE_FIELDS),
        )


def customer_create(
    *,
    legal_name: str,
    representative_name: str,
    billing_email: str,
    today: dt.date,
    actor: ActorUser,
    kind: str = Customer.Kind.CORPORATION,
    business_number: str = "",
    address: str = "",
    billing_mobile: str = "",
    payer_name: str = "",
    payer_business_number: str = "",
    payer_contact: str = "",
    birth_date: dt.date | None = None,
    legal_representative_name: str = "",
    preferred_language: str = "ko",
    locked_member_fields: list[str] | None = None,
) -> Customer:
    """Register a customer (ACC-1): checksum (ACC-2), unique among open customers, ACC-7 age rules."""
    data = {
        "legal_name": legal_name, "kind": kind, "business_number": business_number,
        "representative_name": representative_name, "address": address, "billing_email": billing_email,
        "billing_mobile": billing_mobile, "payer_name": payer_name,
        "payer_business_number": payer_business_number, "payer_contact": payer_contact,
        "birth_date": birth_date, "legal_representative_name": legal_representative_name,
        "preferred_language": preferred_language, "locked_member_fields": list(locked_member_fields or []),
    }
    with transaction.atomic(), acting_as(actor):
        clean = validate_customer_application(data=data, today=today)
        customer = Customer(**clean)
        try:
            customer.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            raise _from_validation_error(exc) from exc
        try:
            with transaction.atomic():  # savepoint: a lost race on ACC-1 leaves the outer block usable
                customer.save()
        except IntegrityError as exc:
            if "customer_unique_active_business_number" in str(exc):
                raise _taken_error(clean["business_number"]) from exc
            raise
    return customer


def customer_update(
    *, customer: Customer, changes: Mapping[str, Any], actor: ActorUser,
) -> Customer:
    """Change a customer's non-billing fields. Billing fields need a change request (ACC-9)."""
    with transaction.atomic(), acting_as(actor):
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        changed: list[str] = []
        for field, value in changes.items():
            if field in BILLING_FIELDS:
                if value != getattr(locked, field):
                    raise DomainError(
                        "change_request_required",
                        _("청구에 영향을 주는 항목({field})은 증빙을 첨부한 "
                          "변경 신청으로만 바꿀 수 있습니다."),
                        rule="ACC-9", field=field,
                    )
                continue
            if field not in CUSTOMER_UPDATABLE_FIELDS:
                raise DomainError("unknown_field", _("알 수 없는 항목입니다: {field}"), field=field)
            if field == "locked_member_fields":
                _check_locked_fields(value)
                value = list(value or [])
            if getattr(locked, field) != value:
                setattr(locked, field, value)
                changed.append(field)
        if changed:
            try:
                locked.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                raise _from_validation_error(exc) from exc
            locked.save(update_fields=[*changed, "updated_at"])
    customer.refresh_from_db()
    return customer


def customer_change_status(
    *, customer: Customer, status: str, actor: ActorUser, today: dt.date,
) -> Customer:
    """Move a customer along active ⇄ dormant → closed → purged; reopening re-checks ACC-1."""
    with transaction.atomic(), acting_as(actor):
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        if status == locked.status:
            return locked
        if not CUSTOMER.can(locked.status, status):
            raise DomainError(
                "invalid_transition", _("고객 상태를 {current}에서 {target}(으)로 바꿀 수 없습니다."),
                field="status", current=locked.get_status_display(),
                target=dict(Customer.Status.choices).get(status, status),
            )
        reopening = status in (Customer.Status.ACTIVE, Customer.Status.DORMANT) and not locked.is_open
        if reopening and locked.business_number and _business_number_taken(locked.business_number,
                                                                           exclude_pk=locked.pk):
            raise _taken_error(locked.business_number)
        locked.closed_on = today if status == Customer.Status.CLOSED else (
            None if status == Customer.Status.ACTIVE else locked.closed_on)
        try:
            with transaction.atomic():
                transition(locked, CUSTOMER, status, today=today, save_fields=["closed_on"])
        except IntegrityError as exc:
            raise _taken_error(locked.business_number) from exc
    customer.refresh_from_db()
    return customer


# --------------------------------------------------------------------------- members


def _lock_customer_admins(customer_id: int) -> list[Member]:
    """Lock the customer row, then its active admins by pk (the ACC-4 guard)."""
    Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True).first()
    return list(
        Member.objects.select_for_update()
        .filter(customer_id=customer_id, role=Member.Role.ADMIN, status=Member.Status.ACTIVE)
        .order_by("pk")
    )


def _last_admin_error() -> DomainError:
    return DomainError(
        "last_admin",
        _("마지막 관리자는 역할을 바꾸거나 삭제할 수 없습니다. "
          "다른 관리자를 먼저 지정하거나 운영자에게 요청하세요."),
        rule="ACC-4", field="role",
    )


def check_not_last_admin(*, member: Member) -> None:
    """ACC-4 without locks, for forms that want to show the error early. Services re-check under lock."""
    if not member.is_admin:
        return
    others = Member.objects.filter(
        customer_id=member.customer_id, role=Member.Role.ADMIN, status=Member.Status.ACTIVE,
    ).exclude(pk=member.pk)
    if not others.exists():
        raise _last_admin_error()


def _check_role(role: str) -> None:
    if role not in Member.Role.values:
        raise DomainError("role_invalid", _("역할이 올바르지 않습니다: {role}"), field="role", role=role)


def member_add(
    *,
    customer: Customer,
    login_id: str,
    name: str,
    email: str,
    role: str = Member.Role.MEMBER,
    password: str | None = None,
    mobile: str = "",
    department: str = "",
    actor: ActorUser,
) -> Member:
    """Create a member and its login (username = login_id). ``password=None`` → unusable password."""
    login_id = (login_id or "").strip()
    with transaction.atomic(), acting_as(actor):
        if customer.status != Customer.Status.ACTIVE:
            raise DomainError(
                "customer_not_active", _("이용 중인 고객에게만 구성원을 추가할 수 있습니다."),
                field="customer",
            )
        if not _LOGIN_ID_RE.match(login_id):
            raise DomainError(
                "login_id_invalid",
                _("로그인 ID는 영문·숫자로 시작하는 3~150자(영문, 숫자, . _ @ + -)여야 합니다."),
                field="login_id",
            )
        taken = Conflict(
            "login_id_taken", _("로그인 ID '{login_id}'은(는) 이미 사용 중입니다."),
            field="login_id", login_id=login_id,
        )
        if User.objects.filter(username__iexact=login_id).exists() or Member.objects.filter(
            login_id__iexact=login_id
        ).exists():
            raise taken
        _check_role(role)
        member = Member(customer=customer, login_id=login_id, name=(name or "").strip(), email=email,
                        role=role, mobile=mobile, department=department)
        user = User(username=login_id, email=email, first_name=(name or "")[:150])
        if password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise DomainError("password_invalid", " ".join(exc.messages), field="password") from exc
            user.set_password(password)
        else:
            user.set_unusable_password()
        try:
            member.full_clean(exclude=["user", "customer", "login_id"], validate_unique=False,
                              validate_constraints=False)
        except ValidationError as exc:
            raise _from_validation_error(exc) from exc
        try:
            with transaction.atomic():
                user.save()
                member.user = user
                member.save()
        except IntegrityError as exc:
            raise taken from exc
    return member


def member_change_role(*, member: Member, role: str, actor: ActorUser) -> Member:
    """Change a member's role. Demoting the last active admin is refused (ACC-4, 001 art.16-1-다)."""
    _check_role(role)
    with transaction.atomic(), acting_as(actor):
        admins = _lock_customer_admins(member.customer_id)
        current = Member.objects.select_for_update().get(pk=member.pk)
        if current.status == Member.Status.REMOVED:
            raise DomainError("member_removed", _("삭제된 구성원입니다."), field="role")
        if current.role != role:
            others = [a for a in admins if a.pk != current.pk]
            if current.is_admin and role != Member.Role.ADMIN and not others:
                raise _last_admin_error()
            current.role = role
            current.save(update_fields=["role", "updated_at"])
    member.refresh_from_db()
    return member


def member_remove(*, member: Member, actor: ActorUser, today: dt.date | None = None) -> Member:
    """Remove a member: status removed, login deactivated, API tokens revoked. Not the last admin (ACC-4)."""
    from rest_framework.authtoken.models import Token

    today = today or clock.today()

    with transaction.atomic(), acting_as(actor):
        admins = _lock_customer_admins(member.customer_id)
        current = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
        if current.status == Member.Status.REMOVED:
            return current
        if current.is_admin and not [a for a in admins if a.pk != current.pk]:
            raise _last_admin_error()
        transition(current, MEMBER, Member.Status.REMOVED, today=today, reason="ACC-4")
        user = current.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        Token.objects.filter(user=user).delete()
    member.refresh_from_db()
    return member


def member_update_profile(
    *,
    member: Member,
    changes: Mapping[str, Any],
    by_member: Member | None,
    actor: ActorUser = None,
) -> Member:
    """Edit a member's profile (ACC-6).

    ``by_member`` is the editing member (the member themself or an admin of the same
    customer); ``None`` means operator staff (``actor``). The login ID never changes;
    fields in ``customer.locked_member_fields`` are read-only for non-admin editors.
    """
    if actor is None and by_member is not None:
        actor = by_member.user
    with transaction.atomic(), acting_as(actor):
        current = Member.objects.select_for_update().select_related("customer", "user").get(pk=member.pk)
        if by_member is not None and (
            by_member.customer_id != current.customer_id
            or by_member.status != Member.Status.ACTIVE
            or (by_member.pk != current.pk and not by_member.is_admin)
        ):
            raise PermissionDenied("not_allowed", _("이 구성원의 정보를 수정할 권한이 없습니다."))
        if current.status == Member.Status.REMOVED:
            raise DomainError("member_removed", _("삭제된 구성원입니다."))
        locked_fields = set(current.customer.locked_member_fields or [])
        editor_is_admin = by_member is None or by_member.is_admin
        changed: list[str] = []
        for field, value in changes.items():
            if field == "login_id":
                if value != current.login_id:
                    raise DomainError(
                        "login_id_immutable", _("로그인 ID는 생성 후 변경할 수 없습니다."),
                        rule="ACC-6", field="login_id",
                    )
                continue
            if field not in MEMBER_PROFILE_FIELDS:
                raise DomainError(
                    "profile_field_unknown", _("프로필에서 수정할 수 없는 항목입니다: {field}"),
                    field=field,
                )
            old = getattr(current, field)
            if str(old or "") == str(value or ""):
                continue
            if field in locked_fields and not editor_is_admin:
                raise DomainError(
                    "field_locked", _("이 항목은 고객사 관리자가 잠가 두어 직접 수정할 수 없습니다."),
                    rule="ACC-6", field=field,
                )
            setattr(current, field, value if value is not None else "")
            changed.append(field)
        if not changed:
            return current
        if "name" in changed and not str(current.name).strip():
            raise DomainError("name_required", _("이름을 입력하세요."), field="name")
        try:
            current.full_clean(exclude=["user", "customer", "login_id"], validate_unique=False,
                               validate_constraints=False)
        except ValidationError as exc:
            raise _from_validation_error(exc) from exc
        current.save(update_fields=[*changed, "updated_at"])
        user = current.user
        user.email = current.email
        user.first_name = current.name[:150]
        user.save(update_fields=["email", "first_name"])
    member.refresh_from_db()
    return member


def member_record_login(*, member: Member, today: dt.date) -> None:
    """Note the day of the member's latest login (ACC-10 counts inactivity from it). Not audited."""
    if member.last_seen_on != today:
        Member.objects.filter(pk=member.pk).update(last_seen_on=today, dormant_notice_sent_on=None)
        member.last_seen_on = today
        member.dormant_notice_sent_on = None


# --------------------------------------------------------------------------- ACC-10 dormancy

#: What the live row shows while the member is dormant (the real values are in DormantMemberData).
DORMANT_NAME = "휴면 구성원"


def member_make_dormant(*, member: Member, today: dt.date, actor: ActorUser = None,
                        job: str | None = None) -> Member:
    """Make an active member dormant (ACC-10; 001 art.15-2, PIPA art.21(3)).

    Their personal data (name, email, mobile, department, and the login's email and names) moves to
    :class:`DormantMemberData`, also out of the member's change history, and the live row keeps a
    placeholder; the login is disabled and API tokens are revoked. Idempotent: a member already
    dormant is returned unchanged. The inactivity rule itself (who, when, the notice first) is the
    ``dormant_accounts`` job's (``contracts.services.dormancy``).
    """
    from rest_framework.authtoken.models import Token

    context = acting_as(job=job, reason="ACC-10") if job else acting_as(actor, reason="ACC-10")
    with transaction.atomic(), context:
        current = Member.objects.select_for_update().select_related("user").get(pk=member.pk)
        if current.status == Member.Status.DORMANT:
            return current
        if current.status != Member.Status.ACTIVE:
            raise DomainError("member_not_active", _("사용 중인 구성원만 휴면 처리할 수 있습니다."),
                              rule="ACC-10", field="status")
        user = current.user
        history_model = Member.history.model
        history_values = {
            str(row["history_id"]): {f: str(row[f] or "") for f in MEMBER_PROFILE_FIELDS}
            for row in history_model.objects.filter(id=current.pk).values("history_id",
                                                                          *MEMBER_PROFILE_FIELDS)
        }
        DormantMemberData.objects.create(
            member=current, name=current.name, email=current.email or "",
            mobile=str(current.mobile or ""), department=current.department or "",
            user_email=user.email or "", user_first_name=user.first_name or "",
            user_last_name=user.last_name or "", history_values=history_values,
            last_seen_on=current.last_seen_on, notice_sent_on=current.dormant_notice_sent_on,
            dormant_on=today,
        )
        history_model.objects.filter(id=current.pk).update(name=DORMANT_NAME, email="", mobile="",
                                                           department="")
        current.name, current.email, current.mobile, current.department = DORMANT_NAME, "", "", ""
        transition(current, MEMBER, Member.Status.DORMANT, today=today,
                   save_fields=["name", "email", "mobile", "department"])
        user.email, user.first_name, user.last_name, user.is_active = "", "", "", False
        user.save(update_fields=["email", "first_name", "last_name", "is_active"])
        Token.objects.filter(user=user).delete()
    member.refresh_from_db()
    return member


def member_reactivate(*, member: Member, today: dt.date, actor: ActorUser = None) -> Member:
    """Bring a dormant member back (ACC-10): restore the separated personal data onto the live row and
    its history, re-enable the login, and count today as a login. Idempotent for an active member."""
    with transaction.atomic(), acting_as(actor, reason="ACC-10"):
        current = Member.objects.select_for_update().select_related("user", "customer").get(pk=member.pk)
        if current.status == Member.Status.ACTIVE:
            return current
        if current.status != Member.Status.DORMANT:
            raise DomainError("member_not_dormant", _("휴면 상태인 구성원만 다시 사용할 수 있습니다."),
                              rule="ACC-10", field="status")
        if not current.customer.is_open:
            raise DomainError("customer_not_open", _("이용이 끝난 고객의 구성원은 다시 사용할 수 없습니다."),
                              rule="ACC-10", field="customer")
        data = DormantMemberData.objects.select_for_update().get(member=current)
        history_model = Member.history.model
        for history_id, values in (data.history_values or {}).items():
            history_model.objects.filter(history_id=int(history_id), id=current.pk).update(**values)
        current.name, current.email, current.mobile, current.department = (
            data.name, data.email, data.mobile, data.department)
        current.last_seen_on = today
        current.dormant_notice_sent_on = None
        transition(current, MEMBER, Member.Status.ACTIVE, today=today,
                   save_fields=["name", "email", "mobile", "department", "last_seen_on",
                                "dormant_notice_sent_on"])
        user = current.user
        user.email, user.first_name, user.last_name, user.is_active = (
            data.user_email, data.user_first_name, data.user_last_name, True)
        user.save(update_fields=["email", "first_name", "last_name", "is_active"])
        data.delete()
    member.refresh_from_db()
    return member


def dormant_member_for_credentials(*, login_id: str, password: str) -> Member | None:
    """The dormant member whose login ID and password these are, or None (ACC-10).

    A dormant member's login is disabled, so authentication fails; the login screens call this to
    offer reactivation instead of a bare "wrong password"."""
    member = (
        Member.objects.select_related("user", "customer")
        .filter(login_id__iexact=(login_id or "").strip(), status=Member.Status.DORMANT)
        .first()
    )
    if member is None or not member.customer.is_open or not member.user.check_password(password or ""):
        return None
    return member


# --------------------------------------------------------------------------- DAT-2/DAT-3 destruction


def dormant_data_destroy(*, member_ids: list[int]) -> dict[str, int]:
    """Destroy the separated personal data of these dormant members (ACC-10, DAT-2); return rows per table.

    The live row already holds only a placeholder; it is marked removed and its login ID and the
    login's user name are replaced, so nothing identifies the person any more. The caller (the purge
    job at the top) decides who is due from the policy. Idempotent.
    """
    with transaction.atomic():
        dormant = Member.objects.select_for_update().filter(pk__in=member_ids, status=Member.Status.DORMANT)
        members = list(dormant.select_related("user"))
        deleted, _per = DormantMemberData.objects.filter(member__in=members).delete()
        Member.history.model.objects.filter(id__in=[m.pk for m in members]).delete()
        for member in members:
            member.login_id = f"purged-{member.pk}"
            transition(member, MEMBER, Member.Status.REMOVED, today=clock.today(),
                       reason="DAT-2", save_fields=["login_id"])
            member.user.username = f"purged-{member.pk}"
            member.user.set_unusable_password()
            member.user.save(update_fields=["username", "password"])
    return {"accounts.DormantMemberData": deleted, "accounts.Member(anonymised)": len(members)}


#: What a purged customer's row keeps: nothing that identifies it (DAT-3).
PURGED_NAME = "파기된 고객"


def customer_anonymise(*, customer_id: int) -> int:
    """Strip the customer row to a tombstone without personal data, status purged (DAT-3); return 1 or 0.

    The row stays so that destruction records and the staff access log keep their reference; its
    change history (which holds the old values) is deleted. Idempotent.
    """
    with transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        Customer.history.model.objects.filter(id=customer_id).delete()
        if customer.status == Customer.Status.PURGED:
            return 0
        for name in ("business_number", "representative_name", "address", "billing_email", "billing_mobile",
                     "payer_name", "payer_business_number", "payer_contact", "legal_representative_name",
                     "refund_bank_name", "refund_account_number", "refund_account_holder"):
            setattr(customer, name, "")
        customer.legal_name = PURGED_NAME
        customer.birth_date = None
        customer.locked_member_fields = []
        Customer.objects.filter(pk=customer_id).update(
            **{f.attname: getattr(customer, f.attname) for f in Customer._meta.concrete_fields
               if f.name not in ("id", "created_at", "updated_at", "closed_on", "kind", "preferred_language",
                                 "status")}
        )
        # ACC-1: open → closed (its last contract ended) → purged, each move logged without personal data
        # and attributed to the purge (the requesting admin's login is among what is destroyed).
        with acting_as(job="purge_data"):
            for step in (Customer.Status.CLOSED, Customer.Status.PURGED):
                if CUSTOMER.can(customer.status, step):
                    transition(customer, CUSTOMER, step, today=clock.today(), reason="DAT-2")
        Customer.history.model.objects.filter(id=customer_id).delete()
    return 1


def customer_data_erase(*, customer_id: int) -> dict[str, int]:
    """Accounts' part of a customer's purge (DAT-2): members (and their logins), change and succession
    requests, dormant members' separated data, deleted for real; return rows per table.

    Called last by the purge job at the top, inside its transaction; the staff access log stays (DAT-6)
    without its member reference. A new accounts table with customer data belongs in the list below.
    """
    member_ids = list(Member.objects.filter(customer_id=customer_id).values_list("pk", flat=True))
    user_ids = list(Member.objects.filter(pk__in=member_ids).values_list("user_id", flat=True))
    PersonalDataAccess.objects.filter(member_id__in=member_ids).update(member=None)
    tables = (
        DormantMemberData, SuccessionDocument, SuccessionRequest, SuccessionRequest.history.model,
        CustomerChangeRequest, CustomerChangeRequest.history.model, Member, Member.history.model,
    )
    rows = erase_customer_rows(tables, customer_model=Customer, customer_id=customer_id)
    if user_ids:
        # rows that stay (audit columns) lose their reference to the deleted logins
        for model in apps.get_models():
            for f in model._meta.concrete_fields:
                if f.is_relation and f.related_model is User and f.null and model is not Member:
                    model._base_manager.filter(**{f"{f.name}__in": user_ids}).update(**{f.name: None})
        _count, per_model = User.objects.filter(pk__in=user_ids).delete()
        rows[User._meta.label] = int(per_model.get(User._meta.label, 0))
    return rows
