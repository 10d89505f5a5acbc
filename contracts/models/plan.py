"""Plan: what a customer subscribes to, with its prices and the Policy version it runs by (split from
``contracts.models.policy``; re-exported from ``contracts.models``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.audit import AuditedHistory
from core.models import TimeStampedModel

from .policy import Policy
from .policy_choices import BillingCycle, MessageType, RequiredDocument

# --------------------------------------------------------------------------- Plan


def _won(verbose: Any, help_text: Any) -> Any:
    return models.BigIntegerField(verbose, default=0, help_text=help_text)


class Plan(TimeStampedModel):
    """요금제: what a contract subscribes to, with its prices and the Policy version it runs by."""

    code = models.SlugField(_("요금제 코드"), max_length=60, unique=True)
    name = models.CharField(_("이름"), max_length=200)
    description = models.TextField(_("설명"), blank=True)
    policy = models.ForeignKey(
        Policy, on_delete=models.PROTECT, related_name="plans", verbose_name=_("약관 정책")
    )
    billing_cycle = models.CharField(
        _("결제 주기"),
        max_length=16,
        choices=BillingCycle.choices,
        default=BillingCycle.MONTHLY,
        help_text=_("(CON-5; 001 art.18-2)"),
    )
    monthly_fee_won = _won(_("월 기본료(원)"), _("계약당 월 정액 (서버, CRM 등; 002 art.30②)"))
    monthly_price_per_seat_won = _won(_("월간 요금제 인당 월 요금(원)"), _("(BIL-5; 001 art.19-3)"))
    annual_monthly_price_per_seat_won = _won(
        _("연간 요금제 인당 월 요금(원)"), _("추가 인원 과금·연간 환불에 사용 (BIL-5, BIL-13; 001 art.19-5)")
    )
    setup_fee_won = _won(_("일회성 설치비(원)"), _("환불 대상 아님 (BIL-12; 000 art.18②)"))
    usage_unit_prices = models.JSONField(
        _("메시지 단가(원)"),
        default=dict,
        blank=True,
        help_text=_('{"sms": 9, "lms": 27, "alimtalk": 7, ...} 성공 건당 (BIL-6; 003 art.6-3)'),
    )
    default_seats = models.PositiveIntegerField(_("기본 인원"), default=1)
    allows_guest = models.BooleanField(_("게스트 허용"), default=False, help_text=_("(ACC-3; 001 art.18-4)"))
    is_free = models.BooleanField(
        _("무료 서비스"),
        default=False,
        help_text=_("무료 서비스는 SLA 보상 없음 (SLA-6; 002 art.10⑥, 000 art.24⑤)"),
    )
    required_documents = models.JSONField(
        _("필수 서류"),
        default=list,
        blank=True,
        help_text=_("승인 전 필요한 서류 (CON-3; 003 별첨): " + ", ".join(RequiredDocument.values)),
    )
    active = models.BooleanField(_("판매 중"), default=True)

    history = AuditedHistory()

    class Meta:
        ordering = ["policy__code", "code"]
        verbose_name = _("요금제")
        verbose_name_plural = _("요금제")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_fee_won__gte=0)
                & Q(monthly_price_per_seat_won__gte=0)
                & Q(annual_monthly_price_per_seat_won__gte=0)
                & Q(setup_fee_won__gte=0),
                name="plan_prices_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def unit_price_won(self, message_type: str) -> int:
        """BIL-6: the price of one successful message of ``message_type`` (0 if not sold)."""
        return int((self.usage_unit_prices or {}).get(message_type, 0))

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        prices = self.usage_unit_prices
        if prices not in (None, ""):
            if not isinstance(prices, dict):
                errors.setdefault("usage_unit_prices", []).append(gettext("객체여야 합니다 (BIL-6)"))
            else:
                unknown = set(prices) - set(MessageType.values)
                if unknown:
                    errors.setdefault("usage_unit_prices", []).append(
                        gettext("알 수 없는 메시지 유형: {types} (BIL-6)").format(
                            types=", ".join(sorted(unknown))
                        )
                    )
                bad = [k for k, v in prices.items() if not isinstance(v, int) or isinstance(v, bool) or v < 0]
                if bad:
                    errors.setdefault("usage_unit_prices", []).append(
                        gettext("단가는 0 이상의 정수(원)여야 합니다: {types} (BIL-6)").format(
                            types=", ".join(sorted(bad))
                        )
                    )
        docs = self.required_documents
        if docs not in (None, ""):
            if not isinstance(docs, list) or any(d not in RequiredDocument.values for d in docs):
                errors.setdefault("required_documents", []).append(
                    gettext("알 수 없는 서류가 있습니다. 가능한 값: {values} (CON-3)").format(
                        values=", ".join(RequiredDocument.values)
                    )
                )
            elif len(set(docs)) != len(docs):
                errors.setdefault("required_documents", []).append(gettext("서류가 중복됩니다 (CON-3)"))
        for field in (
            "monthly_fee_won",
            "monthly_price_per_seat_won",
            "annual_monthly_price_per_seat_won",
            "setup_fee_won",
        ):
            value = getattr(self, field)
            if isinstance(value, int) and value < 0:
                errors.setdefault(field, []).append(gettext("금액은 음수일 수 없습니다"))
        if self.policy_id is not None:
            policy = self.policy
            if self.billing_cycle == BillingCycle.ANNUAL and not policy.allows_annual_cycle:
                errors.setdefault("billing_cycle", []).append(
                    gettext("약관이 연간 결제를 허용하지 않습니다 (CON-5)")
                )
            if self.billing_cycle == BillingCycle.MONTHLY and not policy.allows_monthly_cycle:
                errors.setdefault("billing_cycle", []).append(
                    gettext("약관이 월간 결제를 허용하지 않습니다 (CON-5)")
                )
            if self.allows_guest and not policy.guest_accounts_allowed:
                errors.setdefault("allows_guest", []).append(
                    gettext("약관이 게스트 계정을 허용하지 않습니다 (ACC-3)")
                )
        if errors:
            raise ValidationError(errors)
