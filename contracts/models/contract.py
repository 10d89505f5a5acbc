"""Contracts, their periods, documents, lifecycle log, suspensions, special terms and consent
(SPEC §3 TRM-1..7, §4 CON-1..13)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Customer, Member
from core.audit import AuditedHistory
from core.models import TimeStampedModel

from .plan import Plan
from .policy import Policy
from .policy_choices import BillingCycle, RequiredDocument

__all__ = [
    "ApplicationCheck",
    "ConsentDecision",
    "Contract",
    "ContractChange",
    "ContractDocument",
    "ContractPeriod",
    "ContractStatus",
    "ContractTransition",
    "HoldReason",
    "RejectionReason",
    "ScheduleChange",
    "SeatAssignment",
    "SpecialTerm",
    "Suspension",
    "TerminationKind",
    "TerminationReason",
    "TermsConsent",
    "TermsRelease",
]


class ContractStatus(models.TextChoices):
    # A status reads as a state ("Approved"), the action of the same Korean word as a verb ("Approve").
    APPLIED = "applied", pgettext_lazy("status", "신청")
    HELD = "held", pgettext_lazy("status", "보류")
    APPROVED = "approved", pgettext_lazy("status", "승낙")
    REJECTED = "rejected", pgettext_lazy("status", "거절")
    ACTIVE = "active", _("이용 중")
    SUSPENDED = "suspended", _("이용 정지")
    TERMINATING = "terminating", _("해지 예정")
    TERMINATED = "terminated", _("해지")
    WITHDRAWN = "withdrawn", _("청약 철회")
    PURGED = "purged", _("파기 완료")


OPEN_APPLICATION = (ContractStatus.APPLIED, ContractStatus.HELD, ContractStatus.APPROVED)
LIVE = (ContractStatus.ACTIVE, ContractStatus.SUSPENDED, ContractStatus.TERMINATING)


class RejectionReason(models.TextChoices):
    """CON-2 (000 art.5②, 001 art.5-4, 002 art.8, 003 art.3-4, 004 art.6)."""

    FALSE_NAME = "false_name", _("허위 또는 타인 명의 신청")
    FALSE_DOCUMENTS = "false_documents", _("허위 서류 제출")
    CREDIT_DELINQUENT = "credit_delinquent", _("신용불량")
    UNPAID_OTHER_CONTRACT = "unpaid_other_contract", _("다른 계약의 미납 요금")
    PAST_DELINQUENCY = "past_delinquency", _("과거 연체 또는 부정 이용")
    PREVIOUS_FORCED_TERMINATION = "previous_forced_termination", _("이전 직권 해지 이력")
    UNDER_AGE = "under_age", _("연령 미달")
    NOT_A_BUSINESS = "not_a_business", _("사업자가 아님")
    OTHER = "other", _("기타")


class HoldReason(models.TextChoices):
    """CON-2 (001 art.5-5, 000 art.5④)."""

    NO_CAPACITY = "no_capacity", _("설비 여유 없음")
    TECHNICAL = "technical", _("기술상 장애")
    BUSINESS_RISK = "business_risk", _("업무상 위험")


class TerminationKind(models.TextChoices):
    CUSTOMER = "customer", _("고객 해지")
    OPERATOR = "operator", _("직권 해지")
    NONPAYMENT = "nonpayment", _("미납 직권 해지")
    TERMS_REFUSED = "terms_refused", _("약관 변경 거부")
    PRICE_REFUSED = "price_refused", _("요금 인상 거부")
    TERM_END = "term_end", _("계약 기간 만료")
    OPERATOR_FAULT = "operator_fault", _("회사 귀책 (SLA 등)")


class TerminationReason(models.TextChoices):
    """Operator termination reasons (CON-9: 000 art.19③, 002 art.21, 004 art.25, 003 art.13)."""

    NONPAYMENT = "nonpayment", _("요금 미납")
    FALSE_APPLICATION = "false_application", _("허위 신청")
    ABUSE = "abuse", _("부정 이용")
    LEGAL_ORDER = "legal_order", _("법령 또는 관계기관 요청")
    SPAM_BLACKLIST = "spam_blacklist", _("스팸 차단 목록 등재")
    BANKRUPTCY = "bankruptcy", _("파산 또는 폐업")
    REPEATED_VIOLATION = "repeated_violation", _("반복 위반")


class Contract(TimeStampedModel):
    """이용계약: one customer's subscription to one plan (CON-1)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("고객")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("요금제")
    )
    policy = models.ForeignKey(
        Policy,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("적용 약관"),
        help_text=_("이 계약에 현재 적용되는 약관 버전"),
    )
    status = models.CharField(
        _("상태"),
        max_length=16,
        choices=ContractStatus.choices,
        default=ContractStatus.APPLIED,
        db_index=True,
    )
    billing_cycle = models.CharField(_("결제 주기"), max_length=16, choices=BillingCycle.choices)
    seats = models.PositiveIntegerField(_("계약 인원"), default=1)
    term_months = models.PositiveIntegerField(_("계약 기간(개월)"), default=1)

    applied_by = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("신청자"),
    )
    applied_on = models.DateField(_("신청일"))
    requested_start = models.DateField(_("희망 개통일"))
    activation_date = models.DateField(_("개통 예정일"), null=True, blank=True)
    activated_on = models.DateField(_("개통일"), null=True, blank=True)
    trial_started_on = models.DateField(
        _("무료 체험 시작일"),
        null=True,
        blank=True,
        help_text=_("청약철회 기산일이 될 수 있음 (CON-8; 004 art.24)"),
    )

    hold_reasons = models.JSONField(_("보류 사유"), default=list, blank=True)
    rejection_reasons = models.JSONField(_("거절 사유"), default=list, blank=True)
    decision_note = models.TextField(_("심사 메모"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("심사자"),
    )
    decided_on = models.DateField(_("심사일"), null=True, blank=True)

    restrictions = models.JSONField(
        _("이용 제한 기능"),
        default=list,
        blank=True,
        help_text=_("이용제한은 상태가 아니라 차단된 기능 목록 (CON-1)"),
    )

    renewal_stopped = models.BooleanField(_("자동 갱신 중단"), default=False)
    renewal_stop_reason = models.CharField(_("갱신 중단 사유"), max_length=200, blank=True)

    termination_kind = models.CharField(
        _("해지 구분"), max_length=20, choices=TerminationKind.choices, blank=True
    )
    termination_reasons = models.JSONField(_("해지 사유"), default=list, blank=True)
    termination_note = models.TextField(_("해지 메모"), blank=True)
    termination_requested_on = models.DateField(_("해지 신청일"), null=True, blank=True)
    termination_effective_on = models.DateField(_("해지 효력일"), null=True, blank=True)
    penalty_exempt = models.BooleanField(
        _("위약금 면제"), default=False, help_text=_("회사 귀책 해지 등 (BIL-14)")
    )
    termination_settlement = models.JSONField(
        _("해지 정산 미리보기"),
        default=dict,
        blank=True,
        help_text=_("해지 신청 시 고객에게 보여 준 정산 내역 그대로 (CON-7)"),
    )
    terminated_on = models.DateField(_("해지 완료일"), null=True, blank=True)
    withdrawn_on = models.DateField(_("청약 철회일"), null=True, blank=True)
    purged_on = models.DateField(_("파기일"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-applied_on", "-id"]
        verbose_name = _("이용계약")
        verbose_name_plural = _("이용계약")
        constraints = [
            # A duplicate application for the same plan while one is open is refused (issue #3).
            models.UniqueConstraint(
                fields=["customer", "plan"],
                condition=Q(status__in=["applied", "held", "approved"]),
                name="contract_one_open_application_per_plan",
            ),
            models.CheckConstraint(
                condition=Q(termination_effective_on__isnull=True)
                | Q(termination_requested_on__isnull=True)
                | Q(termination_effective_on__gte=F("termination_requested_on")),
                name="contract_termination_after_request",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "activation_date"]),
            models.Index(fields=["status", "termination_effective_on"]),
            # The admin list's order (issue 16: the first page sorted every contract)
            models.Index(fields=["-applied_on", "-id"], name="contract_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.customer} / {self.plan.name}"

    @property
    def number(self) -> str:
        return f"CT-{self.pk:06d}" if self.pk else "CT-(new)"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE


class ContractPeriod(models.Model):
    """One term of a contract. Renewal adds a row; a row is never edited into another term (CON-6)."""

    class Kind(models.TextChoices):
        INITIAL = "initial", _("최초")
        RENEWAL = "renewal", _("갱신")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="periods", verbose_name=_("계약")
    )
    number = models.PositiveIntegerField(_("회차"))
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="+", verbose_name=_("적용 약관")
    )
    extension_days = models.PositiveIntegerField(
        _("연장 일수"), default=0, help_text=_("이의신청 인용으로 연장된 정지 일수 (CON-10; 001 art.23-2)")
    )
    reminder_sent_on = models.DateField(_("갱신 안내일"), null=True, blank=True)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("계약 기간")
        verbose_name_plural = _("계약 기간")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="period_unique_number"),
            models.UniqueConstraint(fields=["contract", "starts_on"], name="period_unique_start"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="period_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.starts_on}~{self.ends_on}"

    @property
    def effective_end(self) -> dt.date:
        return self.ends_on + dt.timedelta(days=self.extension_days)

    def contains(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.effective_end


class ContractDocument(models.Model):
    """A required document uploaded for an application (CON-3)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="documents", verbose_name=_("계약")
    )
    kind = models.CharField(_("서류 종류"), max_length=40, choices=RequiredDocument.choices)
    file = models.FileField(_("파일"), upload_to="contract-documents/%Y/%m/")
    original_name = models.CharField(_("원본 파일명"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("제출자"),
    )
    uploaded_at = models.DateTimeField(_("제출 시각"), auto_now_add=True)

    class Meta:
        ordering = ["contract", "kind", "-uploaded_at"]
        verbose_name = _("제출 서류")
        verbose_name_plural = _("제출 서류")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.original_name})"


class ApplicationCheck(models.Model):
    """The result of one automatic check run on an application (CON-2)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="checks", verbose_name=_("계약")
    )
    code = models.CharField(_("점검 항목"), max_length=40, choices=RejectionReason.choices)
    passed = models.BooleanField(_("통과"))
    detail = models.CharField(_("내용"), max_length=300, blank=True)
    checked_on = models.DateField(_("점검일"))

    class Meta:
        ordering = ["contract", "code"]
        verbose_name = _("자동 점검 결과")
        verbose_name_plural = _("자동 점검 결과")
        constraints = [models.UniqueConstraint(fields=["contract", "code"], name="check_unique_per_contract")]

    def __str__(self) -> str:
        result = _("통과") if self.passed else _("실패")
        return f"{self.get_code_display()}: {result}"


class ContractTransition(models.Model):
    """Append-only log of every lifecycle transition (CON-1): who, when, from, to, why."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("계약")
    )
    from_status = models.CharField(_("이전 상태"), max_length=16, choices=ContractStatus.choices)
    to_status = models.CharField(_("새 상태"), max_length=16, choices=ContractStatus.choices)
    on_date = models.DateField(_("기준일"))
    at = models.DateTimeField(_("시각"), auto_now_add=True)
    actor = models.CharField(_("처리자"), max_length=120)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("사용자"),
    )
    reason = models.TextField(_("사유"), blank=True)

    class Meta:
        ordering = ["contract", "at", "id"]
        verbose_name = _("상태 변경 기록")
        verbose_name_plural = _("상태 변경 기록")

    def __str__(self) -> str:
        return f"{self.get_from_status_display()} → {self.get_to_status_display()} ({self.on_date})"


class ScheduleChange(models.Model):
    """An activation date moved by staff (reason required) or postponed by the customer (CON-4)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="schedule_changes", verbose_name=_("계약")
    )
    old_date = models.DateField(_("종전 개통일"), null=True, blank=True)
    new_date = models.DateField(_("새 개통일"))
    by_customer = models.BooleanField(_("고객 요청"), default=False)
    reason = models.TextField(_("사유"))
    actor = models.CharField(_("처리자"), max_length=120)
    on_date = models.DateField(_("처리일"))

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = _("개통일 변경")
        verbose_name_plural = _("개통일 변경")

    def __str__(self) -> str:
        return f"{self.old_date} → {self.new_date}"


class Suspension(TimeStampedModel):
    """A suspension for violation or non-payment, with its notice, lifting and appeal (CON-10, DUN)."""

    class Kind(models.TextChoices):
        VIOLATION = "violation", _("약관 위반")
        NONPAYMENT = "nonpayment", _("요금 미납")

    class Appeal(models.TextChoices):
        NONE = "none", _("없음")
        FILED = "filed", _("이의신청 접수")
        UPHELD = "upheld", _("인용")
        DISMISSED = "dismissed", _("기각")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="suspensions", verbose_name=_("계약")
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    reason = models.TextField(_("사유"))
    noticed_on = models.DateField(_("통지일"))
    starts_on = models.DateField(_("정지 시작일"))
    planned_end_on = models.DateField(_("정지 종료 예정일"), null=True, blank=True)
    started = models.BooleanField(_("정지 개시됨"), default=False)
    lifted_on = models.DateField(_("해제일"), null=True, blank=True)
    lift_reason = models.CharField(_("해제 사유"), max_length=200, blank=True)
    appeal = models.CharField(_("이의신청"), max_length=16, choices=Appeal.choices, default=Appeal.NONE)
    appeal_text = models.TextField(_("이의신청 내용"), blank=True)
    appeal_decided_on = models.DateField(_("이의신청 결정일"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["contract", "-starts_on"]
        verbose_name = _("이용 정지")
        verbose_name_plural = _("이용 정지")
        constraints = [
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(lifted_on__isnull=True),
                name="suspension_one_open_per_contract",
            ),
            models.CheckConstraint(
                condition=Q(planned_end_on__isnull=True) | Q(planned_end_on__gte=F("starts_on")),
                name="suspension_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}~{self.lifted_on or self.planned_end_on or ''}"

    def days_suspended(self, until: dt.date) -> int:
        end = self.lifted_on or until
        return max(0, (end - self.starts_on).days)


class SpecialTerm(TimeStampedModel):
    """특약: a signed per-contract override of one policy parameter (CON-12)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="special_terms", verbose_name=_("계약")
    )
    parameter = models.CharField(_("약관 항목"), max_length=80)
    value = models.JSONField(_("값"))
    note = models.TextField(_("특약 내용"))
    signed_on = models.DateField(_("체결일"))
    active = models.BooleanField(_("유효"), default=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["contract", "parameter"]
        verbose_name = _("특약")
        verbose_name_plural = _("특약")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "parameter"],
                condition=Q(active=True),
                name="special_term_one_active_per_parameter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parameter} = {self.value!r}"


class SeatAssignment(models.Model):
    """A seat of a contract assigned to a member (ACC-5, 000 art.12②③). Released rows are kept as history;
    the database allows one open assignment per contract and member."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="seat_assignments", verbose_name=_("계약")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="seat_assignments", verbose_name=_("구성원")
    )
    assigned_on = models.DateField(_("배정일"))
    released_on = models.DateField(_("회수일"), null=True, blank=True)
    actor = models.CharField(_("처리자"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["contract", "assigned_on", "id"]
        verbose_name = _("좌석 배정")
        verbose_name_plural = _("좌석 배정")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "member"],
                condition=Q(released_on__isnull=True),
                name="seat_one_open_per_contract_member",
            ),
            models.CheckConstraint(
                condition=Q(released_on__isnull=True) | Q(released_on__gte=F("assigned_on")),
                name="seat_released_after_assigned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}:{self.member_id} {self.assigned_on}~{self.released_on or ''}"


class ContractChange(models.Model):
    """A plan, cycle or seat change (CON-11); seat additions are read by billing (BIL-5)."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("요금제 변경")
        CYCLE = "cycle", _("결제 주기 변경")
        SEATS_ADDED = "seats_added", _("인원 추가")
        SEATS_REMOVED = "seats_removed", _("인원 감소")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="changes", verbose_name=_("계약")
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    old_value = models.CharField(_("변경 전"), max_length=100)
    new_value = models.CharField(_("변경 후"), max_length=100)
    quantity = models.IntegerField(_("수량"), default=0)
    effective_on = models.DateField(_("적용일"))
    actor = models.CharField(_("처리자"), max_length=120)
    billed = models.BooleanField(_("청구 반영"), default=False)
    created_at = models.DateTimeField(_("생성 시각"), auto_now_add=True)

    class Meta:
        ordering = ["contract", "effective_on", "id"]
        verbose_name = _("계약 변경")
        verbose_name_plural = _("계약 변경")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.old_value} → {self.new_value}"


class TermsRelease(TimeStampedModel):
    """The publication of a new terms version: notice, effective date, reasons (TRM-2, TRM-3, TRM-6)."""

    policy = models.OneToOneField(
        Policy, on_delete=models.PROTECT, related_name="release", verbose_name=_("새 약관 버전")
    )
    previous = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="successor_releases", verbose_name=_("종전 약관 버전")
    )
    published_on = models.DateField(_("공지일"))
    effective_on = models.DateField(_("시행일"))
    unfavourable = models.BooleanField(_("고객에게 불리한 변경"), default=False)
    price_increase = models.BooleanField(
        _("요금 인상"), default=False, help_text=_("계약 기간 중 요금 인상은 동의 필요 (TRM-6)")
    )
    reasons = models.TextField(_("개정 사유"))
    transitioned_on = models.DateField(_("시행 처리일"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-effective_on"]
        verbose_name = _("약관 개정 공지")
        verbose_name_plural = _("약관 개정 공지")
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gt=F("published_on")), name="release_effective_after_publication"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} ({self.effective_on})"


class ConsentDecision(models.TextChoices):
    ACCEPTED = "accepted", _("동의")
    REFUSED = "refused", _("거부")
    DEEMED = "deemed", _("동의 간주")


class TermsConsent(models.Model):
    """A customer's answer to a terms version (TRM-4): who, which version, text hash, when, IP, channel."""

    class Channel(models.TextChoices):
        PORTAL = "portal", _("포털")
        API = "api", _("API")
        STAFF = "staff", _("직원 대리 입력")
        JOB = "job", _("일일 작업 (간주)")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="consents", verbose_name=_("고객")
    )
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="consents", verbose_name=_("약관 버전")
    )
    member = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("응답자")
    )
    decision = models.CharField(_("결정"), max_length=16, choices=ConsentDecision.choices)
    text_hash = models.CharField(_("약관 본문 해시"), max_length=64)
    decided_at = models.DateTimeField(_("결정 시각"))
    ip_address = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    channel = models.CharField(_("경로"), max_length=16, choices=Channel.choices)

    class Meta:
        ordering = ["-decided_at"]
        verbose_name = _("약관 동의 기록")
        verbose_name_plural = _("약관 동의 기록")
        constraints = [
            models.UniqueConstraint(fields=["customer", "policy"], name="consent_one_per_customer_version"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.policy}: {self.decision}"
