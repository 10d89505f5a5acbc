"""Customers (the contracting organisations) and their members (ACC-1..11)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from core.audit import AuditedHistory
from core.models import TimeStampedModel

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
