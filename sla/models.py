"""SLA: incidents and their timeline, maintenance windows, the access-failure feed, monthly
availability per contract with its breakdown, the credit documents it issued, and claims (SPEC §7).

A *service* is the policy code of the plans it covers (``officecore``, ``flow``...): an incident or a
maintenance window concerns one service, optionally one plan of it, and (for a customer's report)
optionally one contract. Status changes go through ``sla.lifecycles`` and ``core.transitions``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Member
from billing.models import CreditNote
from contracts.models import Contract, Plan
from core.audit import AuditedHistory
from core.formatting import month, quantity, won
from core.models import TimeStampedModel


class IncidentScope(models.TextChoices):
    WHOLE = "whole", _("서비스 전체")
    FEATURE = "feature", _("특정 기능")


class IncidentCause(models.TextChoices):
    UNKNOWN = "unknown", _("확인 중")
    SOFTWARE = "software", _("소프트웨어")
    HARDWARE = "hardware", _("하드웨어·서버")
    NETWORK = "network", _("네트워크")
    THIRD_PARTY = "third_party", _("타 사업자 서비스")
    FORCE_MAJEURE = "force_majeure", _("불가항력")
    CUSTOMER = "customer", _("고객 측 원인")
    MAINTENANCE = "maintenance", _("점검")
    OTHER = "other", _("기타")


# The exclusion flags of SLA-1 (000 art.24, 001 art.25-3, 002 art.15, 39): field → why it is not outage.
EXCLUSION_FLAGS: dict[str, object] = {
    "excl_customer_equipment": _("고객 장비·소프트웨어로 인한 장애"),
    "excl_force_majeure": _("불가항력"),
    "excl_third_party": _("타 사업자 서비스로 인한 장애"),
    "excl_announced_maintenance": _("사전 공지된 점검"),
    "excl_customer_caused": _("고객 귀책"),
}


class Incident(TimeStampedModel):
    """장애 (SLA-1): starts at the earlier of the customer's report and the operator's detection."""

    #: DAT-6: holds personal data (the reporting member (the customer's contact)); staff views are logged.
    PERSONAL_DATA = True

    class Status(models.TextChoices):
        REPORTED = "reported", _("고객 신고 접수")
        OPEN = "open", _("장애 발생")
        RESOLVED = "resolved", _("복구")
        REJECTED = "rejected", _("장애 아님")

    service = models.SlugField(_("서비스"), max_length=40, help_text=_("약관 코드 (officecore, flow ...)"))
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("요금제"),
        help_text=_("비우면 서비스의 모든 요금제"),
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sla_incidents",
        verbose_name=_("계약"),
        help_text=_("한 계약에만 해당하는 장애 (고객 신고)"),
    )
    title = models.CharField(_("제목"), max_length=200)
    description = models.TextField(_("내용"), blank=True)
    status = models.CharField(
        _("상태"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    reported_at = models.DateTimeField(_("고객 통지 시각"), null=True, blank=True)
    detected_at = models.DateTimeField(_("회사 인지 시각"), null=True, blank=True)
    started_at = models.DateTimeField(_("장애 시작"), help_text=_("통지와 인지 중 이른 때 (SLA-1)"))
    ended_at = models.DateTimeField(_("복구 시각"), null=True, blank=True)
    reported_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("신고자")
    )
    scope = models.CharField(
        _("범위"), max_length=16, choices=IncidentScope.choices, default=IncidentScope.WHOLE
    )
    feature = models.CharField(_("기능"), max_length=200, blank=True)
    cause = models.CharField(
        _("원인"), max_length=20, choices=IncidentCause.choices, default=IncidentCause.UNKNOWN
    )
    excl_customer_equipment = models.BooleanField(_("제외: 고객 장비"), default=False)
    excl_force_majeure = models.BooleanField(_("제외: 불가항력"), default=False)
    excl_third_party = models.BooleanField(_("제외: 타 사업자"), default=False)
    excl_announced_maintenance = models.BooleanField(_("제외: 공지된 점검"), default=False)
    excl_customer_caused = models.BooleanField(_("제외: 고객 귀책"), default=False)
    rejection_reason = models.TextField(_("반려 사유"), blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("장애")
        verbose_name_plural = _("장애")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=F("started_at")),
                name="sla_incident_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["service", "started_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def exclusions(self) -> list[str]:
        """The exclusion reasons that apply (SLA-1), as labels."""
        return [str(label) for name, label in EXCLUSION_FLAGS.items() if getattr(self, name)]


class IncidentUpdate(models.Model):
    """One entry of an incident's timeline (SLA-1); affected customers are told of each."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="updates", verbose_name=_("장애")
    )
    at = models.DateTimeField(_("시각"))
    status = models.CharField(_("당시 상태"), max_length=16, choices=Incident.Status.choices)
    body = models.TextField(_("내용"))
    author = models.CharField(_("작성자"), max_length=120)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("장애 경과")
        verbose_name_plural = _("장애 경과")

    def __str__(self) -> str:
        return f"{self.incident_id} {self.at:%Y-%m-%d %H:%M}"


class MaintenanceWindow(TimeStampedModel):
    """A planned maintenance (SLA-2); downtime inside it is not outage once it was announced in advance."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("계획")
        ANNOUNCED = "announced", _("공지")
        CANCELLED = "cancelled", _("취소")

    service = models.SlugField(_("서비스"), max_length=40)
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("요금제")
    )
    title = models.CharField(_("제목"), max_length=200)
    description = models.TextField(_("내용"), blank=True)
    starts_at = models.DateTimeField(_("시작"))
    ends_at = models.DateTimeField(_("종료"))
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    announced_at = models.DateTimeField(_("공지 시각"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("공지 차수"), default=0, help_text=_("변경 시 다시 공지"))

    history = AuditedHistory()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("정기·임시 점검")
        verbose_name_plural = _("정기·임시 점검")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="sla_maintenance_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    @property
    def excludes_outage(self) -> bool:
        """SLA-2 (002 art.14③): announced before it started."""
        return (
            self.status == self.Status.ANNOUNCED
            and self.announced_at is not None
            and self.announced_at <= self.starts_at
        )


class ErrorRateSample(models.Model):
    """One point of the access-failure feed (SLA-3, ``flow`` 001 art.25-1): the share of failed
    access attempts in the window starting at ``at``."""

    class Source(models.TextChoices):
        STAFF = "staff", _("직원 입력")
        MONITOR = "monitor", _("모니터링")

    service = models.SlugField(_("서비스"), max_length=40)
    at = models.DateTimeField(_("구간 시작"))
    window_minutes = models.PositiveIntegerField(_("구간(분)"))
    failure_ratio = models.DecimalField(_("실패 비율"), max_digits=7, decimal_places=6, help_text=_("0~1"))
    attempts = models.PositiveIntegerField(_("접속 시도 수"), null=True, blank=True)
    source = models.CharField(_("출처"), max_length=16, choices=Source.choices, default=Source.MONITOR)
    recorded_by = models.CharField(_("기록자"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("기록 시각"), auto_now_add=True)

    class Meta:
        ordering = ["service", "at"]
        verbose_name = _("접속 실패율")
        verbose_name_plural = _("접속 실패율")
        constraints = [
            models.UniqueConstraint(fields=["service", "at"], name="sla_error_sample_unique_at"),
            models.CheckConstraint(
                condition=Q(failure_ratio__gte=0) & Q(failure_ratio__lte=1), name="sla_error_sample_ratio_0_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.at:%Y-%m-%d %H:%M} {self.failure_ratio}"


class SlaMonth(TimeStampedModel):
    """A contract's availability for one month with its working (SLA-3) and the credit it earns (SLA-4)."""

    class Status(models.TextChoices):
        NO_CREDIT = "no_credit", _("보상 없음")
        CREDITED = "credited", _("보상 발행")
        AWAITING_CLAIM = "awaiting_claim", _("청구 대기")
        NOT_ELIGIBLE = "not_eligible", _("보상 제외 (무료 서비스)")

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="sla_months", verbose_name=_("계약")
    )
    month = models.DateField(_("월"), help_text=_("해당 월 1일"))
    service_minutes = models.PositiveIntegerField(_("서비스 시간(분)"))
    counted_minutes = models.DecimalField(_("장애 인정 시간(분)"), max_digits=12, decimal_places=2)
    availability = models.DecimalField(_("가용률(%)"), max_digits=9, decimal_places=4)
    breakdown = models.JSONField(_("산정 내역"), default=dict, help_text=_("인정·제외 장애와 사유"))
    fee_won = models.BigIntegerField(_("월 요금"), default=0)
    credit_won = models.BigIntegerField(_("보상액"), default=0)
    credit_basis = models.TextField(_("보상 근거"), blank=True)
    status = models.CharField(_("상태"), max_length=20, choices=Status.choices)
    claim_required = models.BooleanField(_("청구 필요"), default=False)
    claim_due_on = models.DateField(_("청구 기한"), null=True, blank=True)
    closed_on = models.DateField(_("마감일"))
    revision = models.PositiveIntegerField(_("재산정 차수"), default=1)

    history = AuditedHistory()

    class Meta:
        ordering = ["-month", "contract_id"]
        verbose_name = _("월 가용률")
        verbose_name_plural = _("월 가용률")
        constraints = [
            # SLA-4: the month close run twice (or by two workers) closes a contract's month once.
            models.UniqueConstraint(fields=["contract", "month"], name="sla_month_unique_contract_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="sla_month_is_first_day"),
            models.CheckConstraint(condition=Q(credit_won__gte=0), name="sla_month_credit_not_negative"),
        ]

    def __str__(self) -> str:
        return gettext("계약 #{contract} {month} 가용률 {ratio}%").format(
            contract=self.contract_id, month=month(self.month), ratio=quantity(self.availability)
        )


class SlaCreditDocument(models.Model):
    """A credit note (or a correcting debit note) issued for an SLA month (SLA-4, BIL-2)."""

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("최초 보상")
        CORRECTION = "correction", _("재산정 추가 보상")
        REVERSAL = "reversal", _("재산정 취소 (데빗 노트)")

    sla_month = models.ForeignKey(
        SlaMonth, on_delete=models.PROTECT, related_name="documents", verbose_name=_("월")
    )
    credit_note = models.OneToOneField(
        CreditNote, on_delete=models.PROTECT, related_name="sla_document", verbose_name=_("크레딧/데빗 노트")
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    amount_won = models.BigIntegerField(_("금액"), help_text=_("보상은 양수, 취소는 음수 (가격 기준 금액)"))
    revision = models.PositiveIntegerField(_("재산정 차수"))
    issued_on = models.DateField(_("발행일"))

    class Meta:
        ordering = ["sla_month", "id"]
        verbose_name = _("SLA 보상 문서")
        verbose_name_plural = _("SLA 보상 문서")
        constraints = [
            # One original credit per contract and month, whatever runs it.
            models.UniqueConstraint(
                fields=["sla_month"], condition=Q(kind="original"), name="sla_credit_one_original_per_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sla_month} {self.get_kind_display()} {won(self.amount_won)}"


class SlaClaim(TimeStampedModel):
    """A customer's claim for an SLA credit where the policy requires one (SLA-5)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("접수")
        APPROVED = "approved", _("승인")
        REJECTED = "rejected", _("반려")

    sla_month = models.ForeignKey(
        SlaMonth, on_delete=models.PROTECT, related_name="claims", verbose_name=_("월")
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="sla_claims", verbose_name=_("계약")
    )
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_on = models.DateField(_("청구일"))
    submitted_by = models.ForeignKey(
        Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("청구자")
    )
    amount_won = models.BigIntegerField(_("청구액"))
    basis = models.TextField(_("산출 근거"))
    details = models.TextField(_("장애 상세"), blank=True)
    decided_on = models.DateField(_("결정일"), null=True, blank=True)
    decision_reason = models.TextField(_("결정 사유"), blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("SLA 보상 청구")
        verbose_name_plural = _("SLA 보상 청구")
        constraints = [
            models.UniqueConstraint(
                fields=["sla_month"],
                condition=Q(status__in=["submitted", "approved"]),
                name="sla_claim_one_live_per_month",
            ),
            models.CheckConstraint(condition=Q(amount_won__gte=0), name="sla_claim_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return gettext("계약 #{contract} {month} 보상 청구 ({status})").format(
            contract=self.contract_id, month=month(self.sla_month.month), status=self.get_status_display()
        )
