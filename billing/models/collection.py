"""After the due date: late charges, dunning, disputes, refunds and settlements (SPEC §6, BIL-10..16).

See ``billing.models`` for the sign convention of money."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from billing.models.invoices import CreditNote, Invoice, InvoiceLine
from billing.models.payments import Payment
from contracts.models import Contract
from core.audit import AuditedHistory
from core.formatting import won
from core.models import TimeStampedModel


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
        return f"{self.invoice} {self.get_kind_display()} {won(self.amount_won)}"


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
        ordering = ["-opened_on", "-id"]
        verbose_name = _("미납 관리")
        verbose_name_plural = _("미납 관리")
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"],
                condition=Q(status__in=["open", "paused"]),
                name="dunning_one_open_case_per_invoice",
            ),
        ]
        # The admin list's order (issue 16: the first page sorted every case)
        indexes = [models.Index(fields=["-opened_on", "-id"], name="dunning_case_newest_first")]

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

    history = AuditedHistory()

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
        return f"{self.invoice} {won(self.amount_won)} ({self.get_status_display()})"


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
        return f"{self.customer} {won(self.amount_won)}"


class CardRefund(TimeStampedModel):
    """The part of a refund paid back to one card payment through the gateway (BIL-11, issue 18): a
    partial cancel of that payment at the PG. A payment's card refunds never exceed its amount
    (``refunds.refund_pay_card`` checks it under the customer lock); one row per refund and payment.

    A row is *pending* from the moment the part is planned until the PG confirms it (the same
    idempotency key is sent again until it does), then *succeeded*; a part the PG declined is deleted."""

    class Status(models.TextChoices):
        PENDING = "pending", _("처리 중")
        SUCCEEDED = "succeeded", _("환불 완료")

    refund = models.ForeignKey(
        Refund, on_delete=models.PROTECT, related_name="card_refunds", verbose_name=_("환불")
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="card_refunds", verbose_name=_("카드 결제")
    )
    amount_won = models.BigIntegerField(_("카드 환불액"))
    reference = models.CharField(_("거래 참조"), max_length=200, blank=True)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.PENDING)

    class Meta:
        ordering = ["refund", "id"]
        verbose_name = _("카드 환불")
        verbose_name_plural = _("카드 환불")
        constraints = [
            models.CheckConstraint(condition=Q(amount_won__gt=0), name="card_refund_amount_positive"),
            models.UniqueConstraint(fields=["refund", "payment"], name="card_refund_one_per_payment"),
        ]

    def __str__(self) -> str:
        return f"#{self.refund_id} → {self.payment_id} {won(self.amount_won)}"


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
        return f"{self.contract} {won(self.total_won)}"
