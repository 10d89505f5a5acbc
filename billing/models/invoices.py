"""Invoices and what goes on them: document numbers, invoices and lines, credit/debit notes, seat snapshots,
usage records, promotions and tax invoices (BIL-1..6, BIL-17..19).

See ``billing.models`` for the sign convention of money."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.models import Contract, Policy
from core.audit import AuditedHistory
from core.formatting import won
from core.models import TimeStampedModel


class DocumentCounter(models.Model):
    """Gapless yearly numbering (BIL-2): one row per (series, year), taken under a row lock."""

    series = models.CharField(_("구분"), max_length=8)  # INV, CN, DN
    year = models.PositiveIntegerField(_("연도"))
    last_number = models.PositiveIntegerField(_("마지막 번호"), default=0)

    class Meta:
        verbose_name = _("문서 번호 카운터")
        verbose_name_plural = _("문서 번호 카운터")
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="counter_unique_series_year")]

    def __str__(self) -> str:
        return f"{self.series}-{self.year}: {self.last_number}"


class Invoice(TimeStampedModel):
    """One invoice per customer, billing schedule and period, all its contracts as lines (BIL-2).

    Immutable once issued: corrections are credit notes (and a mistaken credit note is reversed
    by a debit note). The open amount is derived from ledger entries.
    """

    class Kind(models.TextChoices):
        REGULAR = "regular", _("정기 청구")
        FINAL = "final", _("해지 정산")
        ADJUSTMENT = "adjustment", _("추가 청구")

    class Status(models.TextChoices):
        ISSUED = "issued", _("발행")
        PAID = "paid", _("완납")
        VOID = "void", _("전액 취소")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("고객")
    )
    policy = models.ForeignKey(
        Policy,
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("약관"),
        help_text=_("발행일·납기일 규칙의 출처 (BIL-3)"),
    )
    schedule = models.CharField(
        _("청구 일정"), max_length=40, help_text=_("같은 발행 규칙을 쓰는 계약끼리 한 청구서 (약관 코드)")
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices, default=Kind.REGULAR)
    number = models.CharField(_("청구서 번호"), max_length=20, unique=True)
    period_start = models.DateField(_("청구 기간 시작"))
    period_end = models.DateField(_("청구 기간 종료"))
    issue_date = models.DateField(_("발행일"))
    due_date = models.DateField(_("납기일"))
    status = models.CharField(
        _("상태"), max_length=16, choices=Status.choices, default=Status.ISSUED, db_index=True
    )
    vat_inclusive = models.BooleanField(_("부가세 포함 가격"), default=False)
    vat_rate_percent = models.DecimalField(_("부가세율(%)"), max_digits=5, decimal_places=2, default=10)
    supply_won = models.BigIntegerField(_("공급가액"))
    vat_won = models.BigIntegerField(_("부가세"))
    total_won = models.BigIntegerField(_("합계"))
    paid_on = models.DateField(_("완납일"), null=True, blank=True)
    note = models.TextField(_("비고"), blank=True)
    idempotency_key = models.CharField(
        _("멱등 키"),
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text=_("직원이 수동으로 발행하는 청구(부정 이용 등)를 두 번 발행하지 않도록 하는 키"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["-issue_date", "-number"]
        verbose_name = _("청구서")
        verbose_name_plural = _("청구서")
        constraints = [
            # BIL-2: running the same period twice creates nothing new.
            models.UniqueConstraint(
                fields=["customer", "schedule", "period_start"],
                condition=Q(kind="regular"),
                name="invoice_unique_customer_period",
            ),
            models.CheckConstraint(
                condition=Q(total_won=F("supply_won") + F("vat_won")), name="invoice_total_is_supply_plus_vat"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="invoice_period_ordered"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["customer", "issue_date"]),
            # The admin list's order and its date drill-down (issue 16: the first page sorted every invoice)
            models.Index(fields=["-issue_date", "-number"], name="invoice_newest_first"),
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """One charge on an invoice: a contract's fee, seats, usage, proration, promotion, credit applied..."""

    class Kind(models.TextChoices):
        BASE_FEE = "base_fee", _("기본료")
        SEATS = "seats", _("인원 요금")
        ADDED_SEATS = "added_seats", _("추가 인원")
        USAGE = "usage", _("사용량 요금")
        SETUP_FEE = "setup_fee", _("일회성 비용")
        PROMOTION = "promotion", _("프로모션 할인")
        LATE_CHARGE = "late_charge", _("연체료·가산금")
        ADJUSTMENT = "adjustment", _("조정")
        SETTLEMENT = "settlement", _("해지 정산")
        PENALTY = "penalty", _("위약금")
        EVASION = "evasion", _("부정 이용 요금")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="lines", verbose_name=_("청구서")
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
        verbose_name=_("계약"),
    )
    position = models.PositiveIntegerField(_("순서"), default=0)
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    description = models.CharField(_("내역"), max_length=300)
    quantity = models.DecimalField(_("수량"), max_digits=14, decimal_places=4, default=1)
    unit_price_won = models.BigIntegerField(_("단가"), default=0)
    amount_won = models.BigIntegerField(
        _("금액"), help_text=_("약관의 가격 기준(부가세 별도 또는 포함) 금액")
    )
    service_start = models.DateField(_("이용 시작"), null=True, blank=True)
    service_end = models.DateField(_("이용 종료"), null=True, blank=True)
    policy_basis = models.CharField(
        _("근거"), max_length=200, blank=True, help_text=_("적용한 약관 조항과 특약 (CON-12)")
    )

    class Meta:
        ordering = ["invoice", "position", "id"]
        verbose_name = _("청구 항목")
        verbose_name_plural = _("청구 항목")

    def __str__(self) -> str:
        return f"{self.description}: {won(self.amount_won)}"


class CreditNote(TimeStampedModel):
    """A correction to an issued invoice (credit), or the reversal of a mistaken credit (debit) (BIL-2)."""

    class Kind(models.TextChoices):
        CREDIT = "credit", _("감액 (크레딧 노트)")
        DEBIT = "debit", _("증액 (데빗 노트)")

    class Reason(models.TextChoices):
        CORRECTION = "correction", _("청구 오류 정정")
        DISPUTE_UPHELD = "dispute_upheld", _("이의신청 인용")
        SLA_CREDIT = "sla_credit", _("서비스 수준 보상")
        GOODWILL = "goodwill", _("고객 보상")
        REVERSAL = "reversal", _("잘못 발행한 크레딧 노트 취소")
        OTHER = "other", _("기타")

    number = models.CharField(_("번호"), max_length=20, unique=True)
    kind = models.CharField(_("구분"), max_length=8, choices=Kind.choices, default=Kind.CREDIT)
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        verbose_name=_("대상 청구서"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("고객")
    )
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("취소 대상"),
    )
    reason = models.CharField(_("사유"), max_length=20, choices=Reason.choices)
    description = models.TextField(_("설명"))
    issued_on = models.DateField(_("발행일"))
    supply_won = models.BigIntegerField(_("공급가액"))
    vat_won = models.BigIntegerField(_("부가세"))
    total_won = models.BigIntegerField(_("합계"))
    idempotency_key = models.CharField(_("멱등 키"), max_length=100, unique=True, null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-issued_on", "-number"]
        verbose_name = _("크레딧/데빗 노트")
        verbose_name_plural = _("크레딧/데빗 노트")
        constraints = [
            models.CheckConstraint(condition=Q(total_won__gt=0), name="credit_note_positive"),
            models.CheckConstraint(
                condition=Q(total_won=F("supply_won") + F("vat_won")),
                name="credit_note_total_is_supply_plus_vat",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class SeatSnapshot(models.Model):
    """Seats registered on a contract at the end of a day (BIL-5: flow bills the month's peak)."""

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="seat_snapshots", verbose_name=_("계약")
    )
    day = models.DateField(_("일자"))
    registered = models.PositiveIntegerField(_("등록 인원"))
    contracted = models.PositiveIntegerField(_("계약 인원"))

    class Meta:
        ordering = ["contract", "day"]
        verbose_name = _("인원 스냅샷")
        verbose_name_plural = _("인원 스냅샷")
        constraints = [models.UniqueConstraint(fields=["contract", "day"], name="seat_snapshot_unique_day")]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.day}: {self.registered}/{self.contracted}"


class UsageRecord(models.Model):
    """Billable usage, e.g. successful messages per type and day (BIL-6). Written by the messaging
    product through ``billing.services.usage.usage_record``; billed monthly."""

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="usage_records", verbose_name=_("계약")
    )
    day = models.DateField(_("일자"))
    unit = models.CharField(_("단위"), max_length=32, help_text=_("메시지 유형 등 (sms, lms, alimtalk ...)"))
    quantity = models.PositiveIntegerField(_("수량"))
    source_ref = models.CharField(
        _("출처 키"), max_length=120, unique=True, help_text=_("같은 사용량이 두 번 기록되지 않도록 하는 키")
    )

    class Meta:
        ordering = ["contract", "day", "unit"]
        verbose_name = _("사용량")
        verbose_name_plural = _("사용량")
        indexes = [models.Index(fields=["contract", "day"])]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.day} {self.unit} × {self.quantity}"


class Promotion(TimeStampedModel):
    """A discount (amount or percent, for N periods) or free period on a contract (BIL-19), recorded so
    refunds and penalties can subtract what was received (000 art.15⑤, 18④; 004 art.26)."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("정액 할인")
        PERCENT = "percent", _("정률 할인")
        FREE_PERIOD = "free_period", _("무료 기간")

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="promotions", verbose_name=_("계약")
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    amount_won = models.BigIntegerField(_("할인 금액"), default=0)
    percent = models.DecimalField(_("할인율(%)"), max_digits=5, decimal_places=2, default=0)
    starts_on = models.DateField(_("시작일"))
    periods = models.PositiveIntegerField(_("적용 개월 수"), default=1)
    is_long_term_discount = models.BooleanField(
        _("장기계약 할인"), default=False, help_text=_("해지 시 위약금에 포함 (004 art.26)")
    )
    description = models.CharField(_("설명"), max_length=200)

    history = AuditedHistory()

    class Meta:
        ordering = ["contract", "starts_on"]
        verbose_name = _("프로모션")
        verbose_name_plural = _("프로모션")
        constraints = [
            models.CheckConstraint(condition=Q(amount_won__gte=0), name="promotion_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="promotion_percent_range"
            ),
            models.CheckConstraint(condition=Q(periods__gte=1), name="promotion_periods_positive"),
        ]

    def __str__(self) -> str:
        return self.description


class TaxInvoice(TimeStampedModel):
    """The data of a Korean electronic tax invoice for an issued invoice or note (BIL-18)."""

    class Status(models.TextChoices):
        READY = "ready", _("발행 대기")
        EXPORTED = "exported", _("내보냄")
        ISSUED = "issued", _("발행 완료")
        CANCELLED = "cancelled", _("취소")

    invoice = models.OneToOneField(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tax_invoice",
        verbose_name=_("청구서"),
    )
    credit_note = models.OneToOneField(
        CreditNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tax_invoice",
        verbose_name=_("수정 대상 노트"),
    )
    supplier_business_number = models.CharField(_("공급자 사업자등록번호"), max_length=10)
    supplier_name = models.CharField(_("공급자 상호"), max_length=200)
    supplier_representative = models.CharField(_("공급자 대표자"), max_length=100)
    supplier_address = models.CharField(_("공급자 주소"), max_length=300, blank=True)
    buyer_business_number = models.CharField(_("공급받는자 사업자등록번호"), max_length=10, blank=True)
    buyer_name = models.CharField(_("공급받는자 상호"), max_length=200)
    buyer_representative = models.CharField(_("공급받는자 대표자"), max_length=100, blank=True)
    buyer_email = models.EmailField(_("공급받는자 이메일"), blank=True)
    written_on = models.DateField(_("작성일자"))
    issue_by = models.DateField(
        _("발급 기한"), help_text=_("다음 달 10일, 영업일이 아니면 다음 영업일 (BIL-18)")
    )
    supply_won = models.BigIntegerField(_("공급가액"))
    vat_won = models.BigIntegerField(_("세액"))
    total_won = models.BigIntegerField(_("합계금액"))
    item_name = models.CharField(_("품목"), max_length=200)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.READY)
    exported_at = models.DateTimeField(_("내보낸 시각"), null=True, blank=True)
    # Issue 18: issuing through an e-tax invoice provider. Database defaults: safe to add while serving.
    provider = models.CharField(_("발행 연동 업체"), max_length=16, blank=True, db_default="")
    approval_number = models.CharField(
        _("국세청 승인번호"),
        max_length=32,
        blank=True,
        db_default="",
        db_index=True,
        help_text=_("발행 업체가 부여한 24자리 번호"),
    )
    provider_status = models.CharField(_("연동 업체 상태"), max_length=16, blank=True, db_default="")
    nts_result = models.CharField(_("국세청 전송 결과"), max_length=16, blank=True, db_default="")
    provider_error = models.CharField(_("최근 연동 오류"), max_length=300, blank=True, db_default="")
    issue_attempts = models.PositiveSmallIntegerField(_("발행 시도 횟수"), default=0, db_default=0)
    issued_at = models.DateTimeField(_("발행 시각"), null=True, blank=True)
    status_checked_at = models.DateTimeField(_("상태 확인 시각"), null=True, blank=True)
    provider_done = models.BooleanField(
        _("연동 상태 확정"),
        default=False,
        db_default=False,
        help_text=_("국세청 전송 완료·실패 또는 발행취소: 더 확인하지 않음"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["-written_on", "-id"]
        verbose_name = _("전자세금계산서")
        verbose_name_plural = _("전자세금계산서")
        constraints = [
            models.CheckConstraint(
                condition=Q(invoice__isnull=False) | Q(credit_note__isnull=False),
                name="tax_invoice_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.written_on} {self.buyer_name} {won(self.total_won)}"


# ---------------------------------------------------- after the due date (SPEC §6, BIL-9..16, BIL-20)
