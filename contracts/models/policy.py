"""Policy: a versioned rule-book, the terms as data (its choices live in ``policy_choices``, Plan in
``plan``; all re-exported from ``contracts.models``).

Every rule number of SPEC sections 3–9 is a typed field of ``Policy``; the
help text of each field names the article of the seed terms it comes from
(``000`` officecore, ``001`` flow, ``002`` dcloud, ``003`` kgmsg, ``004`` damoa).
Lists (the dunning ladder, SLA credit tiers, term options) are JSON, validated
in :meth:`Policy.clean`. A published version that anything refers to is never
edited in place: services in ``contracts.policy`` clone it into the next
version instead (TRM-1).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalChanges

from core.audit import AuditedHistory
from core.models import TimeStampedModel
from core.money import Rounding

from .policy_choices import (
    LADDER_KEYS,
    TIER_KEYS,
    BillingPeriod,
    BillingTiming,
    CreditTier,
    DueRule,
    DunningAction,
    DunningAnchor,
    DunningStep,
    IssueRule,
    LateChargeModel,
    OverpaymentDefault,
    SeatBasis,
    SlaCapModel,
    SlaCreditModel,
    SlaMeasurement,
    SuspensionFeeModel,
    TerminationChargeModel,
    TermsRefusalOutcome,
    WithdrawalFrom,
    _as_decimal,
)

__all__ = ["Policy"]

PERCENT_VALIDATORS = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


# --------------------------------------------------------------------------- field helpers


def _count(verbose: Any, help_text: Any, default: int | None = 0, *, null: bool = False) -> Any:
    """A non-negative whole number (days, months, minutes, bytes, ...)."""
    return models.PositiveIntegerField(verbose, default=default, null=null, blank=null, help_text=help_text)


def _percent(verbose: Any, help_text: Any, default: Decimal | str | None = "0", *, null: bool = False) -> Any:
    return models.DecimalField(
        verbose,
        max_digits=7,
        decimal_places=3,
        default=None if default is None else Decimal(default),
        null=null,
        blank=null,
        validators=PERCENT_VALIDATORS,
        help_text=help_text,
    )


def _flag(verbose: Any, help_text: Any, default: bool = False) -> Any:
    return models.BooleanField(verbose, default=default, help_text=help_text)


def _choice(verbose: Any, choices: type[models.TextChoices], default: str, help_text: Any) -> Any:
    return models.CharField(
        verbose, max_length=40, choices=choices.choices, default=default, help_text=help_text
    )



# --------------------------------------------------------------------------- Policy


class Policy(TimeStampedModel):
    """약관 버전: the terms text and every rule number of the spec (TRM-1)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("초안")
        PUBLISHED = "published", _("게시")
        RETIRED = "retired", _("폐지")

    # --- identity and text (TRM-1, TRM-2)
    code = models.SlugField(
        _("약관 코드"),
        max_length=40,
        help_text=_("프리셋 키(officecore, flow, dcloud, kgmsg, damoa) 또는 직원이 만든 코드"),
    )
    version = models.PositiveIntegerField(_("버전"), default=1)
    name = models.CharField(_("이름"), max_length=200)
    status = models.CharField(_("상태"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(
        _("시행일"),
        null=True,
        blank=True,
        help_text=_("초안에 정해 두고 게시합니다. 7일(불리한 변경 30일) 이후 (TRM-2)"),
    )
    published_at = models.DateTimeField(_("게시 시각"), null=True, blank=True)
    is_unfavourable = _flag(
        _("고객에게 불리한 변경"), _("불리한 변경은 30일 전 공지 (TRM-2; 000 art.2④, 002 art.3②)")
    )
    change_reason = models.TextField(
        _("변경 사유"), blank=True, help_text=_("공지에 표시됩니다 (TRM-3; 000 art.2④)")
    )
    source_notes = models.TextField(
        _("출처 메모"), blank=True, help_text=_("근거 조항과 해석([reading])에 대한 메모")
    )
    terms_text_ko = models.TextField(
        _("약관 본문 (국문)"), blank=True, help_text=_("국문본이 우선합니다 (TRM-1; 001 art.31)")
    )
    terms_text_en = models.TextField(
        _("약관 본문 (영문 번역)"), blank=True, help_text=_("선택 사항. 불일치 시 국문본 우선 (001 art.31)")
    )

    # --- terms changes (TRM-2..7)
    terms_change_notice_days = _count(
        _("약관 변경 공지 일수"), _("시행 7일 전 공지 (TRM-2; 000 art.2④, 001 art.3-4)"), 7
    )
    terms_change_unfavourable_notice_days = _count(
        _("불리한 약관 변경 공지 일수"), _("불리한 변경은 30일 전 (TRM-2; 000 art.2④, 002 art.3②)"), 30
    )
    unfavourable_change_by_email = _flag(
        _("불리한 변경 이메일 통지"), _("불리한 변경은 이메일로도 통지 (TRM-3; 000 art.2④)"), True
    )
    silence_is_consent = _flag(
        _("무응답 시 동의 간주"), _("시행일까지 거부 의사가 없으면 동의 (TRM-4; 000 art.2⑤)"), True
    )
    terms_refusal_outcome = _choice(
        _("약관 변경 거부 시 처리"),
        TermsRefusalOutcome,
        TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY,
        _(
            "officecore/flow 위약금 없이 해지 (000 art.2⑤, 001 art.3-6), "
            "dcloud 종전 약관 적용 (002 art.3④) (TRM-5)"
        ),
    )
    price_increase_needs_consent = _flag(
        _("계약기간 중 요금 인상 동의 필요"), _("거부 시 위약금 없이 해지 (TRM-6; 002 art.17②③)"), True
    )
    service_change_notice_days = _count(
        _("서비스 변경 공지 일수"), _("서비스 내용 변경 7일 전 게시 (TRM-7; 001 art.17-3)"), 7
    )
    portal_notice_min_days = _count(
        _("전체 공지 게시 일수"), _("전체 통지는 7일 이상 게시 (MSG-1; 000 art.9②)"), 7
    )

    # --- sign-up (ACC-1, ACC-3, ACC-7, ACC-8)
    businesses_only = _flag(_("사업자만 가입"), _("사업자 또는 법인만 (ACC-1; 004 art.5-2)"))
    min_applicant_age = _count(_("최소 가입 연령"), _("만 14세 미만 거절 (ACC-7; 001 art.5-4-차)"), 14)
    minors_need_representative = _flag(
        _("미성년자 법정대리인 필요"), _("법정대리인이 신청·납입 (ACC-7; 002 art.6③)"), True
    )
    guest_accounts_allowed = _flag(_("게스트 계정 허용"), _("무료 게스트 계정 (ACC-3; 001 art.18-4)"))
    succession_filing_days = _count(
        _("지위 승계 신고 기한(일)"), _("사유 발생 30일 이내 (ACC-8; 002 art.19②)"), 30
    )
    activation_postpone_notice_days = _count(
        _("개통 연기 신청 기한(일 전)"), _("개통 예정일 3일 전까지 연기 요청 (CON-4; 002 art.9②)"), 3
    )

    # --- billing (BIL-1..4, BIL-18)
    allows_monthly_cycle = _flag(_("월간 결제 허용"), _("결제 주기 선택 (CON-5; 001 art.18-2)"), True)
    allows_annual_cycle = _flag(_("연간 결제 허용"), _("결제 주기 선택 (CON-5; 001 art.18-2, 002 art.30②-3)"))
    billing_period = _choice(
        _("청구 기간"),
        BillingPeriod,
        BillingPeriod.CALENDAR_MONTH,
        _("1일~말일 (BIL-1; 002 art.32④) 또는 계약일 기준 (BIL-2)"),
    )
    billing_timing = _choice(
        _("청구 시점"), BillingTiming, BillingTiming.ADVANCE, _("이용월 선청구 또는 익월 후청구 (BIL-3)")
    )
    issue_rule = _choice(
        _("청구서 발행 규칙"),
        IssueRule,
        IssueRule.FIRST_OF_MONTH,
        _(
            "dcloud 익월 10일 (002 art.31①), kgmsg 익월 10영업일 (003 art.7①), "
            "damoa 납기 5일 전 (004 art.19①) (BIL-3)"
        ),
    )
    issue_day = _count(
        _("발행일/영업일 순번"),
        _("익월 지정일(1~31) 또는 N번째 영업일(1~15) (BIL-3; 002 art.31①, 003 art.7①)"),
        None,
        null=True,
    )
    issue_days_before_due = _count(
        _("납기 전 발행 일수"), _("납기일 N일 전 발행 (BIL-3; 004 art.19①)"), None, null=True
    )
    due_rule = _choice(
        _("납기일 규칙"),
        DueRule,
        DueRule.DAYS_AFTER_ISSUE,
        _(
            "dcloud 익월 말일 (002 art.31①), damoa 당월 10일·휴일이면 다음 영업일 (004 art.21①), "
            "kgmsg 발행 후 20영업일 (003 art.7①) (BIL-3)"
        ),
    )
    due_days = _count(_("납기 일수"), _("발행일로부터 N일(0~90) 또는 N영업일(1~60) (BIL-3)"), None, null=True)
    due_day_of_month = _count(
        _("납기일(일자)"), _("이용월의 D일(1~31), 휴일이면 다음 영업일 (BIL-3; 004 art.21①)"), None, null=True
    )
    vat_rate_percent = _percent(_("부가가치세율(%)"), _("부가세 10% 별도 (002 art.32⑤, 003 별표3)"), "10")
    vat_included = _flag(_("부가세 포함 가격"), _("flow는 세금 포함 가격 (001 art.19-9)"))
    rounding = models.CharField(
        _("원 미만 처리"),
        max_length=16,
        choices=Rounding.choices,
        default=Rounding.TRUNCATE,
        help_text=_("기본 원 미만 절사 (SPEC §5)"),
    )
    prorate_by_day = _flag(
        _("일할 계산"), _("개통·변경·해지 월은 일할 (BIL-4; 000 art.15②, 002 art.32②④)"), True
    )
    tax_invoice_issue_day = _count(
        _("세금계산서 발행일"), _("익월 10일, 영업일 아니면 다음 영업일 (BIL-18)"), 10
    )

    # --- seats (ACC-5, BIL-5, CON-11)
    seat_quota_enforced = _flag(
        _("좌석 수 초과 배정 거절"), _("계약 수량 내에서만 배정 (ACC-5; 000 art.12②)"), True
    )
    monthly_seat_basis = _choice(
        _("월간 좌석 과금 기준"),
        SeatBasis,
        SeatBasis.CONTRACTED,
        _("flow 월간은 월중 최대 등록 인원 (BIL-5; 001 art.19-3)"),
    )
    annual_added_seats_prorated = _flag(
        _("연간 추가 인원 과금"), _("추가 인원 × 연간요금제 월 요금 × 남은 개월 (BIL-5; 001 art.19-5)")
    )
    refund_on_seat_reduction = _flag(
        _("인원 감소 시 환불"), _("연간 기간 중 감소는 환불 없음 (BIL-5; 001 art.19-4)")
    )
    plan_change_during_annual_term = _flag(
        _("연간 기간 중 요금제 변경 허용"), _("연간 기간 중 변경 불가 (CON-11; 001 art.18-2)")
    )
    paid_to_guest_allowed = _flag(
        _("유료→게스트 전환 허용"), _("비즈니스→게스트 전환 불가 (CON-11; 001 art.18-4)")
    )
    midterm_additions_prorated = _flag(
        _("중도 추가 일할"), _("서비스 추가 시 잔여일 일할 (CON-11; 000 art.15②)"), True
    )

    # --- payments and late charges (BIL-7..9, BIL-20)
    payment_retry_count = _count(_("재결제 횟수"), _("결제 실패 시 2회 재시도 (BIL-8; 001 art.19-6)"), 0)
    payment_retry_window_business_days = _count(
        _("재결제 기간(영업일)"), _("10영업일 이내 (BIL-8; 001 art.19-6)"), 0
    )
    late_charge_model = _choice(
        _("연체 요금 방식"),
        LateChargeModel,
        LateChargeModel.NONE,
        _("dcloud 연체료 (002 art.34), flow 가산금 (001 art.19-6-나) (BIL-9)"),
    )
    late_charge_monthly_percent = _percent(
        _("연체 월율(%)"),
        _("dcloud 1000분의 15 = 1.5%/월 (002 art.34①), flow 월 1.5% (001 art.19-6-나) (BIL-9)"),
    )
    late_charge_months_per_year = _count(_("연 환산 개월"), _("× 12 (BIL-9; 002 art.34②)"), 12)
    late_charge_day_basis = _count(_("연 일수"), _("÷ 365 (BIL-9; 002 art.34②)"), 365)
    late_charge_grace_days = _count(
        _("연체 요금 유예 일수"),
        _("dcloud 납기 다음 날부터 (002 art.34③), flow 30일 이상 미납 시 (001 art.19-6-나)"),
        0,
    )
    late_charge_waivable = _flag(
        _("연체 요금 면제 가능"), _("flow 가산금은 포기·취소 불가 (001 art.19-6-나)"), True
    )
    evasion_multiplier = _count(_("요금 면탈 배수"), _("면탈 금액의 2배 청구 (BIL-20; 001 art.19-8)"), 2)

    # --- dunning (SPEC §6, DUN-1..4)
    dunning_ladder = models.JSONField(
        _("연체 단계"),
        default=list,
        blank=True,
        help_text=_(
            '[{"day": 1, "action": "notify", "business_days": false}, ...] 납기일 기준 일수 '
            "(SPEC §6; 002 art.33, 004 art.18③, 001 art.19-6)"
        ),
    )
    suspension_notice_days = _count(_("정지 사전 통지 일수"), _("정지 7일 전 통지 (DUN; 004 art.11-3)"), 0)
    max_suspension_extension_days = _count(
        _("정지 연장 최대 일수"), _("특별 승인 시 최대 60일 (DUN-3; 002 art.33①)"), 0
    )
    nonpayment_data_keep_days = _count(
        _("미납 정지 중 데이터 보관 일수"),
        _("정지 기간에도 최대 30일 데이터 보관 (001 art.19-6-가)"),
        None,
        null=True,
    )
    dunning_whole_customer = _flag(_("연체 시 고객 전체 계약 조치"), _("기본은 연체된 계약만 (DUN-4)"))

    # --- disputes and overpayment (BIL-10, BIL-11)
    dispute_window_days = _count(
        _("이의신청 기한(일)"), _("청구서 발송일로부터 15일 (BIL-10; 002 art.35①)"), None, null=True
    )
    dispute_window_months = _count(
        _("이의신청 기한(개월)"), _("청구일로부터 6개월 (BIL-10; 000 art.17①)"), None, null=True
    )
    dispute_no_limit_if_operator_erred = _flag(
        _("회사 과오 시 기한 없음"), _("회사 귀책 과오는 기한 없음 (BIL-10; 000 art.17①)")
    )
    dispute_months_from_knowing = _count(
        _("안 날로부터(개월)"), _("사유를 안 날부터 1개월 (BIL-10; 004 art.20-2)"), None, null=True
    )
    dispute_months_from_cause = _count(
        _("발생일로부터(개월)"), _("사유 발생일부터 2개월 (BIL-10; 004 art.20-2)"), None, null=True
    )
    dispute_answer_days = _count(
        _("이의 처리 기한(일)"), _("officecore 2주 (000 art.17②), dcloud 7일 (002 art.35①) (BIL-10)"), 14
    )
    overpayment_default = _choice(
        _("과납 기본 처리"),
        OverpaymentDefault,
        OverpaymentDefault.OFFSET,
        _("상계 원칙 (BIL-11; 002 art.35③); damoa는 반환 원칙 (004 art.20-1)"),
    )
    overpayment_statutory_interest = _flag(
        _("회사 귀책 과납 법정이자"), _("법정이자 가산 반환 (BIL-11; 000 art.18①)")
    )
    arrears_deducted_first = _flag(_("체납액 우선 공제"), _("(BIL-11; 002 art.35④, 000 art.18⑥)"), True)

    # --- termination money (BIL-12..16)
    termination_model_monthly = _choice(
        _("월간 해지 정산"),
        TerminationChargeModel,
        TerminationChargeModel.NONE,
        _("월간 주기 해지 시 환불/위약금 방식 (BIL-12..14)"),
    )
    termination_model_annual = _choice(
        _("연간 해지 정산"),
        TerminationChargeModel,
        TerminationChargeModel.NONE,
        _("연간 주기 해지 시 환불/위약금 방식 (BIL-12..15)"),
    )
    termination_refund_percent = _percent(
        _("해지 환불 비율(%)"), _("차액의 90% 환불 (수수료 10%) (BIL-13; 001 art.20-4)"), "100"
    )
    termination_used_month_threshold_days = _count(
        _("사용월 인정 일수"), _("15일 이상 사용 시 1개월 (BIL-13; 001 art.20-3) [reading]"), None, null=True
    )
    termination_seat_lookback_days = _count(
        _("해지 인원 산정 기간(일)"),
        _("해지 신청 전 30일간 최대 계약 인원 (BIL-13; 001 art.20-4-가)"),
        None,
        null=True,
    )
    termination_penalty_percent = _percent(
        _("위약금 비율(%)"), _("잔여 월 이용료 합계의 60% (BIL-14; 002 art.32③)")
    )
    termination_penalty_average_months = _count(
        _("위약금 평균 개월"), _("해지 월 이전 최근 3개월 평균 (BIL-14; 002 art.32③-1)"), None, null=True
    )
    penalty_excludes_agreed_discounts = _flag(_("약정 할인 제외 환산"), _("(BIL-14; 002 art.32③-2)"))
    refund_excludes_one_time_fees = _flag(_("일회성 비용 환불 제외"), _("(BIL-12; 000 art.18②)"))
    refund_subtracts_promotions = _flag(
        _("프로모션 혜택 차감"), _("무료기간·할인 차감 (BIL-12, BIL-19; 000 art.18③④)")
    )
    refund_by_end_of_next_month = _flag(_("익월 말까지 환불"), _("(BIL-12; 000 art.18⑥)"))
    annual_prepay_refund_converts = _flag(_("연납 환불 월·일 환산"), _("(BIL-15; 002 art.20⑦)"))
    suspension_fee_model = _choice(
        _("정지 기간 요금"),
        SuspensionFeeModel,
        SuspensionFeeModel.NONE,
        _("damoa 없음 (004 art.19②), flow 30일까지 부과 (001 art.19-6-가) (BIL-16)"),
    )
    suspension_fee_max_days = _count(
        _("정지 기간 요금 최대 일수"), _("(BIL-16; 001 art.19-6-가)"), None, null=True
    )

    # --- contract terms (CON-5..11)
    min_term_months = _count(
        _("최소 계약기간(개월)"), _("damoa 1개월 (004 art.7①), dcloud·kgmsg 1년 (CON-5)"), 1
    )
    default_term_months = _count(_("기본 계약기간(개월)"), _("(CON-5; 002 art.18, 003 art.12)"), 1)
    term_options_months = models.JSONField(
        _("선택 가능 계약기간(개월)"),
        default=list,
        blank=True,
        help_text=_("예: [1, 12, 24] (CON-5; 004 art.7②)"),
    )
    auto_renew = _flag(_("자동 갱신"), _("(CON-6; 002 art.18, 003 art.12, 004 art.7③, 001 art.18-3)"), True)
    renewal_months = _count(
        _("갱신 기간(개월)"), _("비우면 직전 주기와 같은 기간 (CON-6; 001 art.18-3)"), None, null=True
    )
    renewal_notice_days = _count(
        _("갱신 거절 통지 기한(일 전)"), _("만료 30일 전까지 서면 통지 (CON-6; 003 art.12)"), 0
    )
    renewal_notice_written = _flag(_("서면 통지 필요"), _("(CON-6; 003 art.12)"))
    renewal_reminder_days = _count(_("갱신 안내(일 전)"), _("기본 30일 전 (CON-6)"), 30)
    customer_termination_notice_days = _count(
        _("고객 해지 통지 일수"), _("해지일 7일 전 통보 (CON-7; 002 art.20②)"), 0
    )
    termination_requires_settlement = _flag(_("해지 전 미납 정산"), _("(CON-7; 002 art.20②)"), True)
    operator_termination_explanation_days = _count(
        _("직권해지 소명 기간(일)"), _("통지 후 30일 소명 기회 (CON-9; 004 art.25-3)"), 0
    )
    violation_suspension_max_days = _count(
        _("위반 정지 최대 일수"), _("1개월 이내 (CON-10; 001 art.23-1, 002 art.16④)"), 30
    )
    violation_suspension_notice_days = _count(
        _("위반 정지 사전 통지 일수"), _("정지 7일 전 (CON-10; 004 art.11-3)"), 0
    )
    repeated_violation_window_days = _count(
        _("위반 재발 기간(일)"), _("정지 후 1년 이내 재발 시 해지 (CON-10; 000 art.19③-3)"), 365
    )
    upheld_appeal_extends_term = _flag(
        _("이의 인용 시 기간 연장"), _("정지 기간만큼 연장 (CON-10; 001 art.23-2)"), True
    )
    withdrawal_days = _count(
        _("청약철회 기간"),
        _("officecore 7일 (000 art.18⑤), damoa 7영업일 (004 art.24) (CON-8)"),
        None,
        null=True,
    )
    withdrawal_business_days = _flag(_("청약철회 영업일 기준"), _("(CON-8; 004 art.24-1-1)"))
    withdrawal_from = _choice(
        _("청약철회 기산"),
        WithdrawalFrom,
        WithdrawalFrom.SERVICE_START,
        _("이용 개시일 (000 art.18⑤) 또는 주문일 (004 art.24) (CON-8)"),
    )
    withdrawal_trial_starts_clock = _flag(_("무료 체험 시작일부터 기산"), _("(CON-8; 004 art.24-1-2)"))
    withdrawal_requires_unused = _flag(_("미사용 시에만 전액 환불"), _("(CON-8; 004 art.24-1-1)"))
    withdrawal_charges_used_days = _flag(_("철회 시 사용기간 요금 청구"), _("(CON-8; 001 art.20-1)"))

    # --- SLA (SLA-1..8)
    sla_measurement = _choice(_("SLA 측정 방식"), SlaMeasurement, SlaMeasurement.NONE, _("(SLA-3)"))
    sla_target_percent = _percent(
        _("가용률 목표(%)"), _("flow 99.9% (001 art.25-2), dcloud 95% (002 art.36②)"), None, null=True
    )
    sla_min_outage_minutes = _count(
        _("인정 최소 장애(분)"),
        _("officecore 120 (000 art.23①), dcloud 30 (002 art.36②), damoa 1440 (004 art.27-1)"),
        0,
    )
    sla_join_gap_minutes = _count(
        _("장애 합산 간격(분)"), _("복구 후 1시간 내 재발은 합산 (000 art.23①) [reading]"), 0
    )
    sla_counting_offset_minutes = _count(
        _("측정 시작 지연(분)"), _("통지 30분 후부터 측정 (002 art.36②-2)"), 0
    )
    sla_error_rate_percent = _percent(
        _("장애 판정 실패율(%)"), _("5분간 5% 초과 (001 art.25-1)"), None, null=True
    )
    sla_error_window_minutes = _count(_("실패율 측정 구간(분)"), _("(001 art.25-1)"), None, null=True)
    sla_credit_model = _choice(_("SLA 보상 방식"), SlaCreditModel, SlaCreditModel.NONE, _("(SLA-4)"))
    sla_credit_tiers = models.JSONField(
        _("SLA 보상 구간"),
        default=list,
        blank=True,
        help_text=_(
            '[{"min": 99.0, "max": 99.5, "percent": 10}, ...] 가용률 [min, max) (SLA-4; 000 art.23①-3, '
            "001 art.25-2)"
        ),
    )
    sla_average_months = _count(
        _("평균 사용금액 개월"), _("3개월 월 평균 사용금액 (SLA-4; 001 art.25-2)"), None, null=True
    )
    sla_multiplier = _percent(_("보상 배수"), _("3배 (SLA-4; 004 art.27-1)"), None, null=True)
    sla_credit_cap = _choice(
        _("보상 상한"),
        SlaCapModel,
        SlaCapModel.MONTH_FEE,
        _("월 요금 (002 art.36④, 004 art.27-4), 해당 월 결제액 (001 art.25-7) (SLA-4)"),
    )
    sla_claim_required = _flag(_("보상 청구 필요"), _("(SLA-5; 001 art.25-4, 002 art.37)"))
    sla_claim_window_days = _count(
        _("청구 기한(일)"), _("30일 이내 서면 (SLA-5; 001 art.25-4)"), None, null=True
    )
    sla_claim_window_months = _count(
        _("청구 기한(개월)"), _("3개월 이내 (SLA-5; 002 art.37②)"), None, null=True
    )
    sla_termination_outage_hours = _count(
        _("해지 가능 월 누적 장애(시간)"), _("48시간 (SLA-7; 004 art.23-2-1)"), None, null=True
    )
    sla_termination_outage_count = _count(
        _("해지 가능 월 장애 횟수"), _("월 5회 (SLA-7; 004 art.23-2-2)"), None, null=True
    )
    sla_termination_outage_min_minutes = _count(
        _("해지 가능 장애 최소(분)"), _("1시간 이상 (SLA-7; 004 art.23-2-2)"), None, null=True
    )
    maintenance_window_start = models.TimeField(
        _("정기 점검 시작"), null=True, blank=True, help_text=_("00:00 (SLA-2; 002 art.10⑧)")
    )
    maintenance_window_end = models.TimeField(
        _("정기 점검 종료"), null=True, blank=True, help_text=_("07:00 (SLA-2; 002 art.10⑧)")
    )
    status_page_days = _count(_("상태 페이지 표시 일수"), _("최근 90일 가용률 (SLA-8)"), 90)

    # --- data lifecycle (DAT-1..6, ACC-10, MSG-9)
    data_retention_months = _count(
        _("해지 후 데이터 보관(개월)"),
        _(
            "officecore 6개월 (000 art.21②), damoa 1개월 (004 art.23-1), dcloud 즉시 (002 art.20⑧), "
            "flow 즉시 (001 art.16-5), kgmsg 종료 시 (003 art.10-2) (DAT-2)"
        ),
        0,
    )
    login_id_retention_months = _count(
        _("해지 후 아이디 보관(개월)"), _("damoa 3개월 (DAT-2; 004 art.23-1)"), None, null=True
    )
    contract_records_retention_years = _count(
        _("계약·결제 기록 보존(년)"), _("전자상거래법 5년 (DAT-3; 000 art.21④)"), 5
    )
    dispute_records_retention_years = _count(_("분쟁 기록 보존(년)"), _("불만·분쟁 3년 (DAT-3)"), 3)
    abuse_identity_retention_months = _count(
        _("부정이용 방지 정보 보존(개월)"), _("개인정보 처리방침 기간 (DAT-3; 000 art.21②)"), 12
    )
    message_records_retention_months = _count(
        _("메시지 기록 보존(개월)"), _("관계법령 기간 (MSG-9; 003 art.5-6)"), 12
    )
    dormancy_days = _count(_("휴면 전환 미접속 일수"), _("1년 (ACC-10; 001 art.15-1)"), 365)
    dormancy_notice_days = _count(_("휴면 사전 안내(일 전)"), _("30일 전 이메일 (ACC-10; 001 art.15-2)"), 30)

    # --- messaging limits (MSG-2..7)
    sms_max_bytes = _count(_("SMS 최대 바이트"), _("80바이트 (MSG-2; 003 별표2-나)"), 80)
    lms_max_bytes = _count(_("LMS 최대 바이트"), _("2,000바이트 (MSG-2; 003 별표2-나)"), 2000)
    lms_subject_max_bytes = _count(_("LMS 제목 최대 바이트"), _("40바이트 (MSG-2; 003 별표2-나)"), 40)
    alimtalk_max_chars = _count(_("알림톡 최대 글자"), _("1,000자 (MSG-2; 003 별표2-나)"), 1000)
    friendtalk_text_max_chars = _count(_("친구톡 텍스트 최대 글자"), _("1,000자 (MSG-2; 003 별표2-나)"), 1000)
    friendtalk_image_max_chars = _count(_("친구톡 이미지 최대 글자"), _("400자 (MSG-2; 003 별표2-나)"), 400)
    kakao_buttons_max = _count(_("버튼 최대 개수"), _("5개 (MSG-2; 003 별표2-나)"), 5)
    kakao_button_name_max_chars = _count(_("버튼명 최대 글자"), _("14자 (MSG-2; 003 별표2-나)"), 14)
    ad_night_start = models.TimeField(
        _("광고 야간 시작"),
        default=dt.time(21, 0),
        help_text=_("21:00 (MSG-7; 정보통신망법 제50조, 003 art.4-2)"),
    )
    ad_night_end = models.TimeField(_("광고 야간 종료"), default=dt.time(8, 0), help_text=_("08:00 (MSG-7)"))
    friendtalk_block_start = models.TimeField(
        _("친구톡 발송 제한 시작"), default=dt.time(20, 50), help_text=_("20:50 (MSG-7; 003 별표2-나)")
    )
    friendtalk_block_end = models.TimeField(
        _("친구톡 발송 제한 종료"), default=dt.time(8, 0), help_text=_("08:00 (MSG-7)")
    )
    max_sms_sender_numbers = _count(_("SMS 발신번호 최대 수"), _("10개 (MSG-4; 003 별표2-가)"), 10)
    max_buyer_alimtalk_sender_numbers = _count(
        _("구매자용 결제 알림톡 발신번호 수"), _("1개 (MSG-4; 003 별표2-가)"), 1
    )
    max_merchant_receiver_numbers = _count(
        _("가맹점용 결제 알림톡 수신번호 수"), _("20개 (MSG-4; 003 별표2-가)"), 20
    )
    message_result_timeout_hours = _count(
        _("전송 결과 대기(시간)"), _("48시간 후 실패 처리 (MSG-6; 003 art.5-3)"), 48
    )

    history = AuditedHistory()

    # Fields that identify a version or are set by the publish/retire services, never by an edit.
    LIFECYCLE_FIELDS = frozenset({"code", "version", "status", "published_at"})

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("약관 정책")
        verbose_name_plural = _("약관 정책")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="policy_unique_code_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="policy_version_positive"),
            models.CheckConstraint(
                condition=Q(vat_rate_percent__gte=0, vat_rate_percent__lte=100)
                & Q(late_charge_monthly_percent__gte=0, late_charge_monthly_percent__lte=100)
                & Q(termination_refund_percent__gte=0, termination_refund_percent__lte=100)
                & Q(termination_penalty_percent__gte=0, termination_penalty_percent__lte=100),
                name="policy_percents_0_100",
            ),
            models.CheckConstraint(
                condition=Q(due_day_of_month__isnull=True)
                | Q(due_day_of_month__gte=1, due_day_of_month__lte=31),
                name="policy_due_day_of_month_range",
            ),
            models.CheckConstraint(
                condition=Q(issue_day__isnull=True) | Q(issue_day__gte=1, issue_day__lte=31),
                name="policy_issue_day_range",
            ),
            models.CheckConstraint(
                condition=Q(late_charge_day_basis__gte=1), name="policy_day_basis_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False),
                name="policy_published_has_effective_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} ({self.get_status_display()})"

    # ---------------------------------------------------------------- typed reads

    def ladder_steps(self) -> list[DunningStep]:
        """The dunning ladder as typed steps (assumes a validated ladder)."""
        return [
            DunningStep(
                day=int(step["day"]),
                action=str(step["action"]),
                business_days=bool(step.get("business_days", False)),
                anchor=str(step.get("anchor") or DunningAnchor.DUE_DATE),
                note=str(step.get("note", "")),
            )
            for step in (self.dunning_ladder or [])
        ]

    def credit_tiers(self) -> list[CreditTier]:
        """The SLA credit tiers as Decimals, highest availability first (assumes validated tiers)."""
        tiers = [
            CreditTier(Decimal(str(t["min"])), Decimal(str(t["max"])), Decimal(str(t["percent"])))
            for t in (self.sla_credit_tiers or [])
        ]
        return sorted(tiers, key=lambda t: t.min, reverse=True)

    def credit_percent_for(self, availability: Decimal) -> Decimal:
        """SLA-4: the credit percent for a month's availability (0 when no tier applies)."""
        for tier in self.credit_tiers():
            if tier.contains(availability):
                return tier.percent
        return Decimal(0)

    @property
    def late_charge_annual_percent(self) -> Decimal:
        """BIL-9: dcloud 1.5 %/month × 12 = 18 % a year."""
        return self.late_charge_monthly_percent * self.late_charge_months_per_year

    def notice_days_for_change(self, *, unfavourable: bool) -> int:
        """TRM-2: the notice a new version needs under this (the current) version."""
        return self.terms_change_unfavourable_notice_days if unfavourable else self.terms_change_notice_days

    def is_in_use(self) -> bool:
        """TRM-1: a published (or retired) version that anything refers to is frozen."""
        if self.pk is None or self.status == self.Status.DRAFT:
            return False
        return any(True for _ in self.referencing_relations())

    def referencing_relations(self) -> Iterable[str]:
        """Names of reverse relations (plans, contracts, consents, ... added by any app, hidden ``+`` ones
        included) that hold rows pointing at this version. The audit history does not count."""
        for rel in type(self)._meta.get_fields(include_hidden=True):
            if not (rel.auto_created and not rel.concrete and rel.is_relation):
                continue
            related = rel.related_model
            if not (isinstance(related, type) and issubclass(related, models.Model)) or issubclass(
                related, HistoricalChanges
            ):
                continue  # audit snapshots (of this or any model) are not uses
            remote = getattr(rel, "field", None)
            if remote is None or getattr(remote, "model", None) is not related:
                continue
            if related._default_manager.filter(**{remote.name: self.pk}).exists():
                accessor = rel.get_accessor_name() if hasattr(rel, "get_accessor_name") else None
                yield (
                    accessor
                    if accessor and not accessor.endswith("+")
                    else f"{related._meta.label}.{remote.name}"
                )

    # ---------------------------------------------------------------- validation

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}

        def add(field: str, message: str) -> None:
            errors.setdefault(field, []).append(message)

        self._clean_ladder(add)
        self._clean_tiers(add)
        self._clean_issue_and_due(add)
        self._clean_rules(add)
        if errors:
            raise ValidationError(errors)

    def _clean_ladder(self, add: Any) -> None:
        ladder = self.dunning_ladder
        field = "dunning_ladder"
        if ladder in (None, ""):
            return
        if not isinstance(ladder, list):
            add(field, gettext("단계 목록(JSON 배열)이어야 합니다 (DUN)"))
            return
        steps: list[DunningStep] = []
        seen: set[tuple[int, bool, str, str]] = set()
        for index, raw in enumerate(ladder, start=1):
            if not isinstance(raw, dict):
                add(field, gettext("{n}번째 단계가 객체가 아닙니다 (DUN)").format(n=index))
                continue
            unknown = set(raw) - LADDER_KEYS
            if unknown:
                add(
                    field,
                    gettext("{n}번째 단계에 알 수 없는 항목이 있습니다: {keys} (DUN)").format(
                        n=index, keys=", ".join(sorted(unknown))
                    ),
                )
            day = raw.get("day")
            if not isinstance(day, int) or isinstance(day, bool):
                add(field, gettext("{n}번째 단계의 일수(day)가 정수가 아닙니다 (DUN)").format(n=index))
                continue
            if day < 0:
                add(field, gettext("{n}번째 단계의 일수가 음수입니다: {day} (DUN)").format(n=index, day=day))
                continue
            action = raw.get("action")
            if action not in DunningAction.values:
                add(
                    field,
                    gettext("{n}번째 단계의 조치를 알 수 없습니다: {action} (DUN)").format(
                        n=index, action=action
                    ),
                )
                continue
            business = raw.get("business_days", False)
            if not isinstance(business, bool):
                add(
                    field,
                    gettext("{n}번째 단계의 business_days는 true/false여야 합니다 (DUN)").format(n=index),
                )
                continue
            anchor = raw.get("anchor") or DunningAnchor.DUE_DATE
            if anchor not in DunningAnchor.values:
                add(
                    field,
                    gettext("{n}번째 단계의 기준일을 알 수 없습니다: {anchor} (DUN)").format(
                        n=index, anchor=anchor
                    ),
                )
                continue
            key = (day, business, str(anchor), str(action))
            if key in seen:
                add(field, gettext("{n}번째 단계가 앞 단계와 중복됩니다 (DUN)").format(n=index))
            seen.add(key)
            steps.append(DunningStep(day=day, action=str(action), business_days=business, anchor=str(anchor)))
        # Days must not go back within one unit (calendar days, business days, or days after the end of
        # the next month). Steps in different units are not compared: their real order depends on the month.
        last: dict[tuple[bool, str], DunningStep] = {}
        for step in steps:
            unit = (step.business_days, step.anchor)
            previous = last.get(unit)
            if previous is not None and step.day < previous.day:
                add(
                    field,
                    gettext(
                        "단계의 일수가 순서대로가 아닙니다 (DUN): {a}일 {act_a} 다음에 {b}일 {act_b}"
                    ).format(a=previous.day, act_a=previous.action, b=step.day, act_b=step.action),
                )
                break
            last[unit] = step
        suspend_days = [s.sort_key for s in steps if s.action == DunningAction.SUSPEND]
        if self.suspension_notice_days and suspend_days and self.suspension_notice_days > min(suspend_days):
            add(
                "suspension_notice_days",
                gettext(
                    "정지 사전 통지 일수({n}일)가 정지 단계({d}일)보다 깁니다 (DUN; 004 art.11-3)"
                ).format(n=self.suspension_notice_days, d=min(suspend_days)),
            )

    def _clean_tiers(self, add: Any) -> None:
        tiers = self.sla_credit_tiers
        field = "sla_credit_tiers"
        if tiers in (None, ""):
            return
        if not isinstance(tiers, list):
            add(field, gettext("구간 목록(JSON 배열)이어야 합니다 (SLA-4)"))
            return
        parsed: list[CreditTier] = []
        for index, raw in enumerate(tiers, start=1):
            if not isinstance(raw, dict) or set(raw) != TIER_KEYS:
                add(
                    field, gettext("{n}번째 구간은 min, max, percent만 가져야 합니다 (SLA-4)").format(n=index)
                )
                continue
            low, high, percent = (_as_decimal(raw[k]) for k in ("min", "max", "percent"))
            if low is None or high is None or percent is None:
                add(field, gettext("{n}번째 구간의 값이 숫자가 아닙니다 (SLA-4)").format(n=index))
                continue
            if low < 0 or high > 100:
                add(field, gettext("{n}번째 구간의 가용률은 0~100 사이여야 합니다 (SLA-4)").format(n=index))
                continue
            if low >= high:
                add(
                    field,
                    gettext("{n}번째 구간의 min({low})이 max({high})보다 작지 않습니다 (SLA-4)").format(
                        n=index, low=low, high=high
                    ),
                )
                continue
            if not 0 <= percent <= 100:
                add(field, gettext("{n}번째 구간의 보상 비율은 0~100%여야 합니다 (SLA-4)").format(n=index))
                continue
            parsed.append(CreditTier(low, high, percent))
        parsed.sort(key=lambda t: t.min)
        for lower, upper in pairwise(parsed):
            if upper.min < lower.max:
                add(
                    field,
                    gettext("구간이 겹칩니다 (SLA-4): [{a}, {b})와 [{c}, {d})").format(
                        a=lower.min, b=lower.max, c=upper.min, d=upper.max
                    ),
                )
                break
        if (
            self.sla_credit_model
            in (SlaCreditModel.TIERS_OF_MONTH_FEE, SlaCreditModel.TIERS_OF_AVERAGE_SPEND)
            and not tiers
        ):
            add(field, gettext("구간별 보상 방식에는 구간이 필요합니다 (SLA-4)"))

    def _clean_issue_and_due(self, add: Any) -> None:
        def need(field: str, value: int | None, low: int, high: int, rule_label: str) -> None:
            if value is None:
                add(field, gettext("{rule} 규칙에는 값이 필요합니다 (BIL-3)").format(rule=rule_label))
            elif not low <= value <= high:
                add(
                    field,
                    gettext("{low}~{high} 사이여야 합니다: {value} (BIL-3)").format(
                        low=low, high=high, value=value
                    ),
                )

        if self.issue_rule == IssueRule.FIXED_DAY_NEXT_MONTH:
            need("issue_day", self.issue_day, 1, 31, str(IssueRule.FIXED_DAY_NEXT_MONTH.label))
        elif self.issue_rule == IssueRule.NTH_BUSINESS_DAY_NEXT_MONTH:
            need("issue_day", self.issue_day, 1, 15, str(IssueRule.NTH_BUSINESS_DAY_NEXT_MONTH.label))
        elif self.issue_rule == IssueRule.DAYS_BEFORE_DUE:
            need(
                "issue_days_before_due",
                self.issue_days_before_due,
                0,
                28,
                str(IssueRule.DAYS_BEFORE_DUE.label),
            )
            if self.due_rule in (DueRule.DAYS_AFTER_ISSUE, DueRule.BUSINESS_DAYS_AFTER_ISSUE):
                add("due_rule", gettext("발행일이 납기일에서, 납기일이 발행일에서 정해져 순환합니다 (BIL-3)"))
        if self.due_rule == DueRule.DAYS_AFTER_ISSUE:
            need("due_days", self.due_days, 0, 90, str(DueRule.DAYS_AFTER_ISSUE.label))
        elif self.due_rule == DueRule.BUSINESS_DAYS_AFTER_ISSUE:
            need("due_days", self.due_days, 1, 60, str(DueRule.BUSINESS_DAYS_AFTER_ISSUE.label))
        elif self.due_rule == DueRule.DAY_OF_USAGE_MONTH:
            need("due_day_of_month", self.due_day_of_month, 1, 31, str(DueRule.DAY_OF_USAGE_MONTH.label))
        if self.tax_invoice_issue_day is not None and not 1 <= self.tax_invoice_issue_day <= 31:
            add("tax_invoice_issue_day", gettext("1~31 사이여야 합니다 (BIL-18)"))

    def _clean_rules(self, add: Any) -> None:
        if not (self.allows_monthly_cycle or self.allows_annual_cycle):
            add("allows_monthly_cycle", gettext("월간 또는 연간 중 하나는 허용해야 합니다 (CON-5)"))
        if self.late_charge_model != LateChargeModel.NONE and not self.late_charge_monthly_percent:
            add("late_charge_monthly_percent", gettext("연체 요금 방식에는 비율이 필요합니다 (BIL-9)"))
        if self.late_charge_day_basis is not None and self.late_charge_day_basis < 1:
            add("late_charge_day_basis", gettext("1 이상이어야 합니다 (BIL-9)"))
        if (
            self.suspension_fee_model == SuspensionFeeModel.CHARGED_UP_TO_DAYS
            and not self.suspension_fee_max_days
        ):
            add("suspension_fee_max_days", gettext("정지 기간 요금 부과에는 최대 일수가 필요합니다 (BIL-16)"))
        if (self.min_term_months or 0) > (self.default_term_months or 0):
            add("default_term_months", gettext("기본 계약기간이 최소 계약기간보다 짧습니다 (CON-5)"))
        options = self.term_options_months
        if options not in (None, ""):
            if not isinstance(options, list) or not all(
                isinstance(m, int) and not isinstance(m, bool) and m >= 1 for m in options
            ):
                add("term_options_months", gettext("1 이상의 개월 수 목록이어야 합니다 (CON-5)"))
            elif any(m < (self.min_term_months or 0) for m in options):
                add("term_options_months", gettext("최소 계약기간보다 짧은 선택지가 있습니다 (CON-5)"))
        if self.terms_change_unfavourable_notice_days < self.terms_change_notice_days:
            add(
                "terms_change_unfavourable_notice_days",
                gettext("불리한 변경 공지 기간이 일반 변경보다 짧을 수 없습니다 (TRM-2)"),
            )
        if self.sla_claim_required and not (self.sla_claim_window_days or self.sla_claim_window_months):
            add("sla_claim_window_days", gettext("보상 청구가 필요하면 청구 기한이 필요합니다 (SLA-5)"))
        if self.sla_credit_model == SlaCreditModel.MULTIPLIED_DAILY_FEE and not self.sla_multiplier:
            add("sla_multiplier", gettext("배수 보상 방식에는 배수가 필요합니다 (SLA-4)"))
        if self.sla_credit_model == SlaCreditModel.TIERS_OF_AVERAGE_SPEND and not self.sla_average_months:
            add("sla_average_months", gettext("평균 사용금액 방식에는 개월 수가 필요합니다 (SLA-4)"))
        if self.sla_credit_model == SlaCreditModel.DAILY_FEE_AFTER_FLOOR and self.sla_target_percent is None:
            add("sla_target_percent", gettext("가용률 하한 방식에는 목표 가용률이 필요합니다 (SLA-4)"))
        if self.sms_max_bytes and self.lms_max_bytes and self.sms_max_bytes > self.lms_max_bytes:
            add("sms_max_bytes", gettext("SMS 한도가 LMS 한도보다 클 수 없습니다 (MSG-2)"))
        if self.dormancy_days and self.dormancy_notice_days >= self.dormancy_days:
            add("dormancy_notice_days", gettext("휴면 안내는 휴면 기간보다 앞서야 합니다 (ACC-10)"))
        models_needing = {
            TerminationChargeModel.UNUSED_CONTRACT_AMOUNT_PERCENT: "termination_refund_percent",
            TerminationChargeModel.PERCENT_OF_REMAINING_MONTHS: "termination_penalty_percent",
        }
        for model in (self.termination_model_monthly, self.termination_model_annual):
            needed = models_needing.get(model)  # type: ignore[call-overload]
            if needed and getattr(self, needed) in (None, Decimal(0)):
                add(
                    needed, gettext("{model} 방식에는 비율이 필요합니다 (BIL-13, BIL-14)").format(model=model)
                )
            if (
                model == TerminationChargeModel.USED_MONTH_THRESHOLD
                and not self.termination_used_month_threshold_days
            ):
                add(
                    "termination_used_month_threshold_days",
                    gettext("해지월 사용 일수 기준 방식에는 사용월 인정 일수가 필요합니다 (BIL-13)"),
                )
        if self.withdrawal_days is None and (
            self.withdrawal_business_days or self.withdrawal_charges_used_days
        ):
            add("withdrawal_days", gettext("청약철회 조건이 있으면 기간이 필요합니다 (CON-8)"))
