"""Billing: the ledger, invoices and their lines, credit/debit notes, payments, bank imports,
seat snapshots, usage records, promotions and tax invoices (SPEC §5, BIL-1..8, BIL-17..19).

Money is integer won (``BigIntegerField``, ``*_won``). A customer's balance and an invoice's
open amount are sums of ``LedgerEntry`` rows; nothing stores a balance on its own (BIL-7).
Sign convention: a positive entry is owed by the customer, a negative one is money or credit
in the customer's favour.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from contracts.models import Contract, Policy
from core.audit import AuditedHistory
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
        return f"{self.description}: {self.amount_won:,}"


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


class PaymentMethod(TimeStampedModel):
    """How a customer pays: bank transfer, CMS auto-debit or card through a gateway (BIL-7)."""

    #: DAT-6: holds personal data (an account or card label); staff views are logged.
    PERSONAL_DATA = True

    class Kind(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("무통장 입금")
        CMS = "cms", _("CMS 자동이체")
        CARD = "card", _("신용카드")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="payment_methods", verbose_name=_("고객")
    )
    kind = models.CharField(_("결제 수단"), max_length=16, choices=Kind.choices)
    label = models.CharField(
        _("표시 이름"), max_length=100, help_text=_("예: 국민은행 ****1234, 카드 ****5678")
    )
    gateway_token = models.CharField(_("게이트웨이 토큰"), max_length=200, blank=True)
    is_default = models.BooleanField(_("기본 결제 수단"), default=False)
    active = models.BooleanField(_("사용"), default=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["customer", "-is_default", "kind"]
        verbose_name = _("결제 수단")
        verbose_name_plural = _("결제 수단")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_default=True, active=True),
                name="payment_method_one_default",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.label}"


class Payment(TimeStampedModel):
    """Money received (or a charge attempt through a gateway). Succeeded payments are ledger entries."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("무통장 입금")
        CMS = "cms", _("CMS 자동이체")
        CARD = "card", _("신용카드")
        OTHER = "other", _("기타")

    class Status(models.TextChoices):
        PENDING = "pending", _("처리 중")
        SUCCEEDED = "succeeded", _("성공")
        FAILED = "failed", _("실패")
        REFUNDED = "refunded", _("환불")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="payments", verbose_name=_("고객")
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("대상 청구서"),
        help_text=_("특정 청구서를 위한 결제 (자동이체·카드 청구)"),
    )
    method = models.CharField(_("결제 방법"), max_length=16, choices=Method.choices)
    payment_method = models.ForeignKey(
        PaymentMethod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("결제 수단"),
    )
    amount_won = models.BigIntegerField(_("금액"))
    received_on = models.DateField(_("입금일"))
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.PENDING)
    payer_name = models.CharField(_("입금자명"), max_length=100, blank=True)
    reference = models.CharField(
        _("거래 참조"), max_length=200, blank=True, help_text=_("게이트웨이 거래 번호 또는 은행 거래 식별자")
    )
    attempt = models.PositiveIntegerField(
        _("시도 회차"), default=1, help_text=_("자동 결제 재시도 회차 (BIL-8)")
    )
    failure_reason = models.CharField(_("실패 사유"), max_length=300, blank=True)
    idempotency_key = models.CharField(_("멱등 키"), max_length=100, unique=True, null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("결제")
        verbose_name_plural = _("결제")
        constraints = [
            models.CheckConstraint(condition=Q(amount_won__gt=0), name="payment_amount_positive"),
            models.UniqueConstraint(
                fields=["invoice", "attempt"],
                condition=Q(invoice__isnull=False) & Q(method__in=["cms", "card"]),
                name="payment_one_attempt_number",
            ),
        ]
        indexes = [models.Index(fields=["status", "received_on"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount_won:,}원 ({self.received_on})"


class LedgerEntry(models.Model):
    """Every charge, payment, credit, refund and adjustment (BIL-7). Append-only."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", _("청구")
        PAYMENT = "payment", _("입금")
        CREDIT_NOTE = "credit_note", _("크레딧 노트")
        DEBIT_NOTE = "debit_note", _("데빗 노트")
        CREDIT_APPLIED = "credit_applied", _("크레딧 상계")
        REFUND = "refund", _("환불")
        LATE_CHARGE = "late_charge", _("연체료·가산금")
        ADJUSTMENT = "adjustment", _("조정")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("고객")
    )
    invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("청구서"),
        help_text=_("비어 있으면 고객 크레딧 잔액에 속함"),
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    amount_won = models.BigIntegerField(
        _("금액"), help_text=_("양수: 고객이 낼 금액, 음수: 고객에게 유리한 금액")
    )
    occurred_on = models.DateField(_("발생일"))
    description = models.CharField(_("내역"), max_length=300)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("결제"),
    )
    credit_note = models.ForeignKey(
        CreditNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("크레딧/데빗 노트"),
    )
    key = models.CharField(
        _("중복 방지 키"),
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        help_text=_("같은 사건이 두 번 기록되지 않도록 하는 키"),
    )
    actor = models.CharField(_("처리자"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("기록 시각"), auto_now_add=True)

    class Meta:
        ordering = ["customer", "occurred_on", "id"]
        verbose_name = _("원장 항목")
        verbose_name_plural = _("원장")
        constraints = [models.CheckConstraint(condition=~Q(amount_won=0), name="ledger_amount_non_zero")]
        indexes = [
            models.Index(fields=["customer", "invoice"]),
            models.Index(fields=["invoice", "occurred_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount_won:,}"


class PayerAlias(TimeStampedModel):
    """An odd payer name on a bank transfer that belongs to a customer (BIL-7, 002 art.31③)."""

    #: DAT-6: holds personal data (a payer's name); staff views are logged.
    PERSONAL_DATA = True

    name = models.CharField(
        _("입금자명"), max_length=100, unique=True, help_text=_("공백을 없앤 이름으로 저장")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="payer_aliases", verbose_name=_("고객")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("등록자"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["name"]
        verbose_name = _("입금자명 별칭")
        verbose_name_plural = _("입금자명 별칭")

    def __str__(self) -> str:
        return f"{self.name} → {self.customer}"


class BankStatementImport(TimeStampedModel):
    """One uploaded bank statement file (CSV). A file that fails imports nothing."""

    file_name = models.CharField(_("파일명"), max_length=255)
    sha256 = models.CharField(
        _("SHA-256"), max_length=64, unique=True, help_text=_("같은 파일은 한 번만 반영")
    )
    row_count = models.PositiveIntegerField(_("행 수"), default=0)
    matched_count = models.PositiveIntegerField(_("자동 매칭"), default=0)
    processed_count = models.PositiveIntegerField(
        _("처리한 행"), default=0, help_text=_("자동 매칭을 마친 행 수 (백그라운드 처리 진행률)")
    )
    finished_at = models.DateTimeField(
        _("처리 완료"), null=True, blank=True,
        help_text=_("모든 행의 자동 매칭이 끝난 시각; 비어 있으면 같은 파일을 다시 올릴 때 이어서 처리"),
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("등록자"),
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("은행 거래내역 업로드")
        verbose_name_plural = _("은행 거래내역 업로드")

    def __str__(self) -> str:
        return self.file_name


class BankTransaction(TimeStampedModel):
    """A deposit line from a bank statement; matched to a customer by payer name and amount (BIL-7)."""

    class Status(models.TextChoices):
        UNMATCHED = "unmatched", _("미확인 입금")
        MATCHED = "matched", _("매칭 완료")
        IGNORED = "ignored", _("처리 제외")

    statement = models.ForeignKey(
        BankStatementImport,
        on_delete=models.PROTECT,
        related_name="transactions",
        verbose_name=_("업로드 파일"),
    )
    line_no = models.PositiveIntegerField(_("행 번호"))
    transacted_on = models.DateField(_("거래일"))
    payer_name = models.CharField(_("입금자명"), max_length=100)
    amount_won = models.BigIntegerField(_("입금액"))
    bank_reference = models.CharField(_("은행 거래 번호"), max_length=100, blank=True)
    memo = models.CharField(_("메모"), max_length=200, blank=True)
    status = models.CharField(
        _("상태"), max_length=16, choices=Status.choices, default=Status.UNMATCHED, db_index=True
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_transactions",
        verbose_name=_("고객"),
    )
    payment = models.OneToOneField(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bank_transaction",
        verbose_name=_("결제"),
    )
    note = models.CharField(_("처리 메모"), max_length=200, blank=True)
    processed_at = models.DateTimeField(
        _("자동 매칭 시각"), null=True, blank=True,
        help_text=_("자동 매칭이 이 행을 본 시각; 비어 있으면 아직 처리 대기 (한 번만 처리)"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["statement", "line_no"]
        verbose_name = _("은행 입금 내역")
        verbose_name_plural = _("은행 입금 내역")
        constraints = [
            models.UniqueConstraint(fields=["statement", "line_no"], name="bank_tx_unique_line"),
            models.CheckConstraint(condition=Q(amount_won__gt=0), name="bank_tx_amount_positive"),
        ]
        indexes = [
            models.Index(
                fields=["statement", "line_no"],
                condition=Q(processed_at__isnull=True),
                name="bank_tx_to_process",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transacted_on} {self.payer_name} {self.amount_won:,}"


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
        return f"{self.written_on} {self.buyer_name} {self.total_won:,}"


# ---------------------------------------------------- after the due date (SPEC §6, BIL-9..16, BIL-20)


class LateCharge(models.Model):
    """A late fee (dcloud: daily rate) or surcharge (flow: monthly after 30 days) on an overdue invoice,
    posted once per period and shown on the next invoice (BIL-9)."""

    class Kind(models.TextChoices):
        LATE_FEE = "late_fee", _("연체료")
        SURCHARGE = "surcharge", _("가산금")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="late_charges", verbose_name=_("연체 청구서")
    )
    kind = models.CharField(_("구분"), max_length=16, choices=Kind.choices)
    period_start = models.DateField(_("산정 시작"))
    period_end = models.DateField(_("산정 종료"))
    days = models.PositiveIntegerField(_("일수"), default=0)
    base_won = models.BigIntegerField(_("산정 기준 미납액"))
    amount_won = models.BigIntegerField(_("금액"))
    formula = models.CharField(_("산식"), max_length=300)
    billed_on_invoice = models.ForeignKey(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="late_charge_lines",
        verbose_name=_("청구된 청구서"),
    )
    created_at = models.DateTimeField(_("기록 시각"), auto_now_add=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["invoice", "period_start"]
        verbose_name = _("연체료·가산금")
        verbose_name_plural = _("연체료·가산금")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice", "kind", "period_start"], name="late_charge_once_per_period"
            ),
            models.CheckConstraint(condition=Q(amount_won__gt=0), name="late_charge_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.get_kind_display()} {self.amount_won:,}"


class DunningCase(TimeStampedModel):
    """An overdue invoice's walk along its policy's ladder (SPEC §6). At most one open case per invoice."""

    class Status(models.TextChoices):
        OPEN = "open", _("진행 중")
        PAUSED = "paused", _("일시 중지")
        RESOLVED = "resolved", _("해소 (완납·인용)")
        CLOSED = "closed", _("종결 (해지·추심)")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="dunning_cases", verbose_name=_("청구서")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="dunning_cases", verbose_name=_("고객")
    )
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("개시일"))
    resolved_on = models.DateField(_("해소일"), null=True, blank=True)
    resolution = models.CharField(_("해소 사유"), max_length=200, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-opened_on"]
        verbose_name = _("미납 관리")
        verbose_name_plural = _("미납 관리")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status__in=["open", "paused"]),
                name="dunning_one_open_case_per_invoice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} ({self.get_status_display()})"


class DunningStep(models.Model):
    """One ladder step executed for a case: each step happens exactly once, recorded with its date."""

    case = models.ForeignKey(
        DunningCase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("미납 관리")
    )
    index = models.PositiveIntegerField(_("단계 순번"))
    action = models.CharField(_("조치"), max_length=32)
    scheduled_on = models.DateField(_("예정일"))
    executed_on = models.DateField(_("실행일"))
    amount_won = models.BigIntegerField(_("미납액"))
    detail = models.CharField(_("내용"), max_length=300, blank=True)
    cancelled_on = models.DateField(
        _("취소일"),
        null=True,
        blank=True,
        help_text=_("완납 또는 이의신청 인용으로 조치를 되돌린 날 (DUN-1)"),
    )

    class Meta:
        ordering = ["case", "index"]
        verbose_name = _("미납 조치")
        verbose_name_plural = _("미납 조치")
        constraints = [models.UniqueConstraint(fields=["case", "index"], name="dunning_step_once")]

    def __str__(self) -> str:
        return f"#{self.index} {self.action} {self.executed_on}"


class DunningPause(TimeStampedModel):
    """Staff pause a customer's ladder with a reason and an end date (DUN-3, 002 art.33①)."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="dunning_pauses", verbose_name=_("고객")
    )
    reason = models.TextField(_("사유"))
    starts_on = models.DateField(_("시작일"))
    ends_on = models.DateField(_("종료일"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("승인자"),
    )
    cancelled_on = models.DateField(_("철회일"), null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("미납 조치 유예")
        verbose_name_plural = _("미납 조치 유예")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="dunning_pause_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.starts_on}~{self.ends_on}"


class Dispute(TimeStampedModel):
    """이의신청 on an invoice line (BIL-10): held out of dunning while open; upheld → credit note."""

    class Status(models.TextChoices):
        OPEN = "open", _("접수")
        UPHELD = "upheld", _("인용")
        PARTIAL = "partial", _("일부 인용")
        REJECTED = "rejected", _("기각")
        WITHDRAWN = "withdrawn", _("취하")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("청구서")
    )
    line = models.ForeignKey(
        InvoiceLine,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=_("청구 항목"),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("고객")
    )
    amount_won = models.BigIntegerField(_("이의 금액"))
    reason = models.TextField(_("이의 사유"))
    operator_erred = models.BooleanField(_("회사 과실 주장"), default=False)
    known_on = models.DateField(
        _("안 날"), null=True, blank=True, help_text=_("004 art.20-2: 안 날부터 1개월")
    )
    cause_on = models.DateField(
        _("사유 발생일"), null=True, blank=True, help_text=_("004 art.20-2: 있은 날부터 2개월")
    )
    filed_on = models.DateField(_("접수일"))
    filed_by = models.ForeignKey(
        "accounts.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("신청자"),
    )
    status = models.CharField(
        _("상태"), max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    answer_due_on = models.DateField(_("답변 기한"))
    due_extension_reason = models.CharField(_("기한 연장 사유"), max_length=300, blank=True)
    answered_on = models.DateField(_("답변일"), null=True, blank=True)
    answer = models.TextField(_("답변"), blank=True)
    # Money, VAT included: the total of the credit note the answer issued (dispute_decide). ``amount_won``
    # is in the invoice's price basis, so the upheld amount may exceed it by the VAT.
    upheld_amount_won = models.BigIntegerField(
        _("인용 금액"), default=0, help_text=_("부가세 포함, 크레딧 노트 금액과 같음")
    )
    credit_note = models.ForeignKey(
        CreditNote,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=_("크레딧 노트"),
    )

    history = AuditedHistory()

    class Meta:
        ordering = ["-filed_on"]
        verbose_name = _("이의신청")
        verbose_name_plural = _("이의신청")
        constraints = [
            models.CheckConstraint(condition=Q(amount_won__gt=0), name="dispute_amount_positive"),
            models.CheckConstraint(condition=Q(upheld_amount_won__gte=0), name="dispute_upheld_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice} {self.amount_won:,} ({self.get_status_display()})"


class Refund(TimeStampedModel):
    """Money returned to the customer: overpayment on request (with statutory interest when the operator
    erred), or a termination refund (BIL-11, BIL-12..15)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("요청")
        PAID = "paid", _("지급 완료")
        CANCELLED = "cancelled", _("취소")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("고객")
    )
    amount_won = models.BigIntegerField(_("환불액"))
    interest_won = models.BigIntegerField(_("법정 이자"), default=0)
    arrears_deducted_won = models.BigIntegerField(_("미납액 공제"), default=0)
    reason = models.CharField(_("사유"), max_length=300)
    operator_caused = models.BooleanField(_("회사 귀책"), default=False)
    requested_on = models.DateField(_("요청일"))
    pay_by = models.DateField(_("지급 기한"), null=True, blank=True)
    paid_on = models.DateField(_("지급일"), null=True, blank=True)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        verbose_name=_("계약"),
    )
    idempotency_key = models.CharField(_("멱등 키"), max_length=120, unique=True, null=True, blank=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["-requested_on"]
        verbose_name = _("환불")
        verbose_name_plural = _("환불")
        constraints = [
            models.CheckConstraint(condition=Q(amount_won__gt=0), name="refund_amount_positive"),
            models.CheckConstraint(
                condition=Q(interest_won__gte=0) & Q(arrears_deducted_won__gte=0),
                name="refund_parts_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.amount_won:,}"


class Settlement(TimeStampedModel):
    """The final settlement of a terminated contract (BIL-12..16): the lines shown in the preview, then
    issued as a final invoice or a refund. One per contract."""

    contract = models.OneToOneField(
        Contract, on_delete=models.PROTECT, related_name="settlement", verbose_name=_("계약")
    )
    effective_on = models.DateField(_("해지 효력일"))
    lines = models.JSONField(_("정산 내역"), default=list)
    total_won = models.BigIntegerField(_("정산 합계"), help_text=_("양수: 고객 부담, 음수: 환불"))
    invoice = models.OneToOneField(
        Invoice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlement",
        verbose_name=_("정산 청구서"),
    )
    refund = models.OneToOneField(
        Refund,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settlement",
        verbose_name=_("환불"),
    )
    issued_on = models.DateField(_("정산일"))

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("해지 정산")
        verbose_name_plural = _("해지 정산")

    def __str__(self) -> str:
        return f"{self.contract} {self.total_won:,}"
