"""Customers (the contracting organisations) and their members (ACC-1..11)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from core.audit import AuditedHistory
from core.models import TimeStampedModel
from core.personal_data import AccessKind, AccessVia

from .validators import format_business_number, validate_business_number


class Customer(TimeStampedModel):
    """고객 / 이용고객 / 고객사 (ACC-1)."""

    class Kind(models.TextChoices):
        CORPORATION = "corporation", _("법인사업자")
        INDIVIDUAL_BUSINESS = "individual_business", _("개인사업자")
        PUBLIC_BODY = "public_body", _("공공기관")
        INDIVIDUAL = "individual", _("개인")

    class Status(models.TextChoices):
        ACTIVE = "active", _("정상")
        DORMANT = "dormant", _("휴면")
        CLOSED = "closed", _("해지 완료")
        PURGED = "purged", _("파기 완료")

    legal_name = models.CharField(_("상호(법인명)"), max_length=200)
    kind = models.CharField(_("고객 유형"), max_length=32, choices=Kind.choices, default=Kind.CORPORATION)
    business_number = models.CharField(
        _("사업자등록번호"), max_length=10, blank=True, validators=[validate_business_number],
        help_text=_("숫자 10자리, 하이픈 없이 저장 (ACC-2)"),
    )
    representative_name = models.CharField(_("대표자명"), max_length=100)
    address = models.CharField(_("주소"), max_length=300, blank=True)
    billing_email = models.EmailField(_("청구 담당 이메일"))
    billing_mobile = PhoneNumberField(_("청구 담당 휴대전화"), blank=True)
    # 요금납입책임자: the customer unless another payer is approved.
    payer_name = models.CharField(_("요금납입책임자"), max_length=200, blank=True)
    payer_business_number = models.CharField(_("납입책임자 사업자등록번호"), max_length=10, blank=True)
    payer_contact = models.CharField(_("납입책임자 연락처"), max_length=100, blank=True)
    # ACC-7: individuals give a birth date; minors need a legal representative.
    birth_date = models.DateField(_("생년월일"), null=True, blank=True)
    legal_representative_name = models.CharField(_("법정대리인"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("안내 언어"), max_length=8, choices=settings.LANGUAGES, default="ko",
    )
    locked_member_fields = models.JSONField(
        _("구성원 수정 잠금 항목"), default=list, blank=True,
        help_text=_("구성원이 직접 수정할 수 없는 프로필 항목 (ACC-6)"),
    )
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("해지일"), null=True, blank=True)
    # ACC-9 (004 art.8-2): the account refunds are paid to; changes only through a change request.
    refund_bank_name = models.CharField(_("환불 계좌 은행"), max_length=50, blank=True)
    refund_account_number = models.CharField(_("환불 계좌번호"), max_length=40, blank=True)
    refund_account_holder = models.CharField(_("환불 계좌 예금주"), max_length=100, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("고객")
        verbose_name_plural = _("고객")
        constraints = [
            models.UniqueConstraint(
                fields=["business_number"],
                condition=Q(status__in=["active", "dormant"]) & ~Q(business_number=""),
                name="customer_unique_active_business_number",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def business_number_display(self) -> str:
        return format_business_number(self.business_number)

    @property
    def is_open(self) -> bool:
        """Active or dormant: members may log in and the business number is taken (ACC-1)."""
        return self.status in (self.Status.ACTIVE, self.Status.DORMANT)

    @property
    def is_business(self) -> bool:
        return self.kind != self.Kind.INDIVIDUAL

    def age_on(self, day: dt.date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


#: Profile fields a member may edit themselves and a customer may lock (ACC-6).
MEMBER_PROFILE_FIELDS = ("name", "email", "mobile", "department")


class Member(TimeStampedModel):
    """A person using the service under a customer (ACC-4). The login is a Django user."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("관리자")
        MEMBER = "member", _("구성원")
        GUEST = "guest", _("게스트")

    class Status(models.TextChoices):
        ACTIVE = "active", _("사용")
        DORMANT = "dormant", _("휴면")
        REMOVED = "removed", _("삭제됨")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="members",
                                 verbose_name=_("고객"))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="member",
                                verbose_name=_("로그인 계정"))
    login_id = models.CharField(_("로그인 ID"), max_length=150, unique=True,
                                help_text=_("생성 후 변경할 수 없습니다 (ACC-6)"))
    name = models.CharField(_("이름"), max_length=100)
    email = models.EmailField(_("이메일"))
    mobile = PhoneNumberField(_("휴대전화"), blank=True)
    department = models.CharField(_("부서"), max_length=100, blank=True)
    role = models.CharField(_("역할"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    last_seen_on = models.DateField(_("최근 접속일"), null=True, blank=True)
    dormant_notice_sent_on = models.DateField(_("휴면 예정 안내일"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("구성원")
        verbose_name_plural = _("구성원")
        indexes = [models.Index(fields=["customer", "role", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.login_id})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN and self.status == self.Status.ACTIVE


# --------------------------------------------------------------------------- ACC-9 change requests


def _change_document_path(instance: CustomerChangeRequest, filename: str) -> str:
    # No customer id in the path; the storage replaces the file name with a random one (core.storage).
    return f"accounts/change_requests/{filename}"


class CustomerChangeRequest(TimeStampedModel):
    """A request to change customer information that affects billing, with a supporting document,
    decided by staff (ACC-9; 004 art.8, 002 art.17①). ``previous`` keeps the values before approval."""

    #: DAT-6: holds personal data (the requested changes and previous values); staff views are logged.
    PERSONAL_DATA = True

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("request status", "신청")
        APPROVED = "approved", _("승인")
        REJECTED = "rejected", _("반려")

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="change_requests",
                                 verbose_name=_("고객"))
    changes = models.JSONField(_("변경 요청 항목"), help_text=_("항목 → 새 값"))
    previous = models.JSONField(_("변경 전 값"), default=dict, blank=True,
                                help_text=_("승인 시점의 기존 값 (변경 이력)"))
    note = models.TextField(_("신청 사유"), blank=True)
    document = models.FileField(_("증빙 서류"), upload_to=_change_document_path, max_length=300)
    document_name = models.CharField(_("증빙 파일명"), max_length=255)
    document_sha256 = models.CharField(_("증빙 SHA-256"), max_length=64)
    requested_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="change_requests", verbose_name=_("신청자"))
    requested_on = models.DateField(_("신청일"))
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.REQUESTED,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("처리자"))
    decided_on = models.DateField(_("처리일"), null=True, blank=True)
    decision_reason = models.TextField(_("처리 사유"), blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("고객 정보 변경 신청")
        verbose_name_plural = _("고객 정보 변경 신청")
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(status="requested"),
                                    name="change_request_one_open_per_customer"),
            models.CheckConstraint(condition=~Q(document=""), name="change_request_document_required"),
        ]

    def __str__(self) -> str:
        return f"CR-{self.pk or 0:06d} {self.customer_id}"

    @property
    def number(self) -> str:
        return f"CR-{self.pk:06d}" if self.pk else "CR-(new)"


# --------------------------------------------------------------------------- ACC-8 legal succession


class SuccessionRequest(TimeStampedModel):
    """A legal succession (merger, split, business transfer, inheritance) filed within the policy's
    deadline and approved by staff; on approval the predecessor's live contracts move to the successor
    (ACC-8; 002 art.19, 004 art.22, 003 art.14). Both parties stay on the record."""

    class Kind(models.TextChoices):
        MERGER = "merger", _("합병")
        SPLIT = "split", _("분할")
        BUSINESS_TRANSFER = "business_transfer", _("영업 양수도")
        INHERITANCE = "inheritance", _("상속")

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("request status", "신청")
        APPROVED = "approved", _("승인")
        REJECTED = "rejected", _("반려")

    predecessor = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="successions_out",
                                    verbose_name=_("피승계 고객(원 계약자)"))
    successor = models.ForeignKey(Customer, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="successions_in", verbose_name=_("승계 고객"),
                                  help_text=_("기존 고객이 아니면 승인 시 신청서의 승계인 정보로 만듭니다"))
    successor_data = models.JSONField(
        _("승계인 정보"), default=dict, blank=True,
        help_text=_("승계 고객이 새 고객일 때: 상호, 사업자등록번호, 대표자 등"),
    )
    kind = models.CharField(_("승계 사유"), max_length=24, choices=Kind.choices)
    event_date = models.DateField(_("사유 발생일"))
    filed_on = models.DateField(_("신고일"))
    deadline = models.DateField(_("신고 기한"))
    note = models.TextField(_("신고 내용"), blank=True)
    filed_by = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="succession_filings", verbose_name=_("신고자"))
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.REQUESTED,
                              db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("처리자"))
    decided_on = models.DateField(_("처리일"), null=True, blank=True)
    decision_reason = models.TextField(_("처리 사유"), blank=True)
    unpaid_won_at_decision = models.BigIntegerField(_("승인 심사 시 미납액(원)"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-filed_on", "-id"]
        verbose_name = _("지위 승계 신청")
        verbose_name_plural = _("지위 승계 신청")
        constraints = [
            models.UniqueConstraint(fields=["predecessor"], condition=Q(status="requested"),
                                    name="succession_one_open_per_predecessor"),
            models.CheckConstraint(condition=Q(filed_on__gte=F("event_date")),
                                   name="succession_filed_after_event"),
            models.CheckConstraint(condition=~Q(successor=F("predecessor")) | Q(successor__isnull=True),
                                   name="succession_parties_differ"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def number(self) -> str:
        return f"SR-{self.pk:06d}" if self.pk else "SR-(new)"

    @property
    def successor_name(self) -> str:
        if self.successor_id:
            return str(self.successor)
        return str((self.successor_data or {}).get("legal_name", ""))

    def _party_name_for(self, party: Customer, viewer_id: int | None) -> str:
        filer_customer_id = self.filed_by.customer_id if self.filed_by is not None else None
        shown = (
            viewer_id is None  # staff
            or party.pk == viewer_id
            or party.pk == filer_customer_id  # the filer named itself
            or self.filed_by_id is None  # a paper filing entered by staff
            or self.status == self.Status.APPROVED  # staff checked the documents: the parties are one
        )
        if shown:
            return party.legal_name
        return str(_("사업자등록번호 {number} 고객")).format(number=party.business_number_display)

    def party_names_for(self, viewer_id: int | None) -> dict[str, str]:
        """The parties' names as ``viewer_id``'s customer may see them (ACC-8; ``None``: staff).

        A filing names its counterparty by business number; until staff approve it, the filer sees that
        number, not the counterparty's registered name, so trying numbers reveals no company's name."""
        successor = (self._party_name_for(self.successor, viewer_id) if self.successor is not None
                     else str((self.successor_data or {}).get("legal_name", "")))
        return {"predecessor_name": self._party_name_for(self.predecessor, viewer_id),
                "successor_name": successor}


def _succession_document_path(instance: SuccessionDocument, filename: str) -> str:
    return f"accounts/successions/{filename}"  # named at random by the storage (core.storage)


class SuccessionDocument(models.Model):
    """A document proving a succession (business registration, merger registry, transfer contract)."""

    request = models.ForeignKey(SuccessionRequest, on_delete=models.CASCADE, related_name="documents",
                                verbose_name=_("지위 승계 신청"))
    file = models.FileField(_("파일"), upload_to=_succession_document_path, max_length=300)
    original_name = models.CharField(_("파일명"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("업로드 시각"), auto_now_add=True)

    class Meta:
        ordering = ["request", "id"]
        verbose_name = _("지위 승계 증빙")
        verbose_name_plural = _("지위 승계 증빙")

    def __str__(self) -> str:
        return self.original_name


# --------------------------------------------------------------------------- ACC-10 dormancy


class DormantMemberData(models.Model):
    """A dormant member's personal data, kept apart from the live row (ACC-10; 001 art.15-2,
    PIPA art.21(3)). Restored and deleted on reactivation; destroyed by the purge when its period ends."""

    member = models.OneToOneField(Member, on_delete=models.PROTECT, related_name="dormant_data",
                                  verbose_name=_("구성원"))
    name = models.CharField(_("이름"), max_length=100)
    email = models.CharField(_("이메일"), max_length=254, blank=True)
    mobile = models.CharField(_("휴대전화"), max_length=32, blank=True)
    department = models.CharField(_("부서"), max_length=100, blank=True)
    user_email = models.CharField(_("로그인 계정 이메일"), max_length=254, blank=True)
    user_first_name = models.CharField(_("로그인 계정 이름"), max_length=150, blank=True)
    user_last_name = models.CharField(_("로그인 계정 성"), max_length=150, blank=True)
    history_values = models.JSONField(
        _("변경 이력의 개인정보"), default=dict, blank=True,
        help_text=_("변경 이력 행 id → 개인정보 항목 (이력에서도 분리 보관)"),
    )
    last_seen_on = models.DateField(_("최근 접속일"), null=True, blank=True)
    notice_sent_on = models.DateField(_("휴면 예정 안내일"), null=True, blank=True)
    dormant_on = models.DateField(_("휴면 전환일"), db_index=True)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)

    class Meta:
        ordering = ["dormant_on", "id"]
        verbose_name = _("휴면 구성원 분리 보관 정보")
        verbose_name_plural = _("휴면 구성원 분리 보관 정보")

    def __str__(self) -> str:
        return f"{self.member_id} ({self.dormant_on})"


class AppendOnly(Exception):
    """DAT-6: the staff access log is written once and never changed or deleted."""


class PersonalDataAccessQuerySet(models.QuerySet["PersonalDataAccess"]):
    """Rows are never deleted and never updated, except that the purge forgets a member (``member=None``)."""

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnly("DAT-6: the staff access log cannot be deleted")

    def update(self, **kwargs: Any) -> int:
        if kwargs != {"member": None}:
            raise AppendOnly("DAT-6: the staff access log cannot be changed (a purge only drops the member)")
        return super().update(**kwargs)


class PersonalDataAccess(models.Model):
    """DAT-6: which staff member viewed which customer's personal data, when, what and through which
    interface. Append-only: the model, its queryset and (on PostgreSQL) a trigger refuse changes and
    deletion; it holds no copy of the personal data itself. Written by :mod:`accounts.access_log` through
    ``core.personal_data.log_access``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("직원"))
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
                                 verbose_name=_("고객"), help_text=_("비어 있으면 고객이 확인되지 않은 행"))
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("구성원"))
    what = models.CharField(_("열람 대상"), max_length=100, db_index=True,
                            help_text=_("모델 (예: accounts.member)"))
    object_id = models.CharField(_("대상 ID"), max_length=64, blank=True, db_index=True,
                                 help_text=_("목록·내보내기는 비어 있음"))
    kind = models.CharField(_("열람 방식"), max_length=16, choices=AccessKind.choices,
                            default=AccessKind.DETAIL)
    via = models.CharField(_("경로"), max_length=16, choices=AccessVia.choices, default=AccessVia.ADMIN)
    accessed_at = models.DateTimeField(_("열람 시각"), auto_now_add=True, db_index=True)

    objects = PersonalDataAccessQuerySet.as_manager()

    class Meta:
        ordering = ["-accessed_at", "-id"]
        verbose_name = _("개인정보 열람 기록")
        verbose_name_plural = _("개인정보 열람 기록")
        indexes = [models.Index(fields=["customer", "accessed_at"], name="pda_customer_at")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.customer_id} {self.what} {self.object_id or self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("DAT-6: the staff access log cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnly("DAT-6: the staff access log cannot be deleted")
