"""Money in: payment methods, payments, the ledger and bank statement imports (BIL-7).

See ``billing.models`` for the sign convention of money."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from billing.models.invoices import CreditNote, Invoice
from core.audit import AuditedHistory
from core.formatting import won
from core.models import TimeStampedModel


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
        indexes = [
            models.Index(fields=["status", "received_on"]),
            # The admin list's order and its date drill-down (issue 16)
            models.Index(fields=["-received_on", "-id"], name="payment_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {won(self.amount_won)} ({self.received_on})"


class GatewayWebhook(models.Model):
    """A payment webhook a PG sent us (issue 18), kept once per vendor and webhook id so a replay or a
    retry does nothing the second time (the unique constraint decides, also between two workers)."""

    provider = models.CharField(_("연동 업체"), max_length=32)
    webhook_id = models.CharField(_("웹훅 ID"), max_length=120)
    event_type = models.CharField(_("이벤트"), max_length=64, blank=True)
    gateway_payment_id = models.CharField(_("PG 결제 ID"), max_length=120, blank=True)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="gateway_webhooks",
        verbose_name=_("결제"),
    )
    result = models.CharField(_("처리 결과"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("수신 시각"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("결제 웹훅")
        verbose_name_plural = _("결제 웹훅")
        constraints = [
            models.UniqueConstraint(fields=["provider", "webhook_id"], name="gateway_webhook_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.webhook_id}"


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
        return f"{self.get_kind_display()} {won(self.amount_won)}"


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
        _("처리 완료"),
        null=True,
        blank=True,
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
        _("자동 매칭 시각"),
        null=True,
        blank=True,
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
        return f"{self.transacted_on} {self.payer_name} {won(self.amount_won)}"
