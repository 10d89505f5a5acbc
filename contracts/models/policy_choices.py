"""The choices and small typed values of a ``Policy`` (split from ``contracts.models.policy`` to keep each
file short; re-exported from ``contracts.models``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# --------------------------------------------------------------------------- choices


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly", _("월간")
    ANNUAL = "annual", _("연간")


class BillingPeriod(models.TextChoices):
    CALENDAR_MONTH = "calendar_month", _("역월 (1일~말일)")
    CONTRACT_ANNIVERSARY = "contract_anniversary", _("계약 기념일 기준 (29~31일 시작은 짧은 달 말일)")


class BillingTiming(models.TextChoices):
    ADVANCE = "advance", _("선불 (이용월 청구)")
    ARREARS = "arrears", _("후불 (이용월 다음 달 청구)")


class IssueRule(models.TextChoices):
    FIRST_OF_MONTH = "first_of_month", _("매월 1일 발행")
    FIXED_DAY_NEXT_MONTH = "fixed_day_next_month", _("익월 지정일까지 발행")
    NTH_BUSINESS_DAY_NEXT_MONTH = "nth_business_day_next_month", _("익월 N번째 영업일까지 발행")
    DAYS_BEFORE_DUE = "days_before_due", _("납기일 N일 전 발행")


class DueRule(models.TextChoices):
    DAYS_AFTER_ISSUE = "days_after_issue", _("발행일로부터 N일 후")
    BUSINESS_DAYS_AFTER_ISSUE = "business_days_after_issue", _("발행일로부터 N영업일 후")
    LAST_DAY_NEXT_MONTH = "last_day_next_month", _("이용월 익월 말일")
    DAY_OF_USAGE_MONTH = "day_of_usage_month", _("이용월 D일 (휴일이면 다음 영업일)")


class SeatBasis(models.TextChoices):
    CONTRACTED = "contracted", _("계약 인원")
    PEAK_USERS = "peak_users", _("월중 최대 등록 인원")


class LateChargeModel(models.TextChoices):
    NONE = "none", _("없음")
    DAILY_RATE = "daily_rate", _("연체료 일할 (미납액 × 월율 × 12 × 일수 / 365)")
    MONTHLY_SURCHARGE = "monthly_surcharge", _("가산금 (미납액의 월 N%, 유예 기간 후)")


class DunningAction(models.TextChoices):
    NOTIFY = "notify", _("안내")
    RETRY_PAYMENT = "retry_payment", _("재결제")
    RESTRICT = "restrict", _("이용 제한")
    SUSPEND = "suspend", _("이용 정지")
    TERMINATE = "terminate", _("직권 해지")
    REFER_TO_COLLECTIONS = "refer_to_collections", _("채권 추심 의뢰")
    PURGE_DATA = "purge_data", _("데이터 삭제")


class DunningAnchor(models.TextChoices):
    DUE_DATE = "due_date", _("납기일")
    END_OF_NEXT_MONTH = "end_of_next_month", _("납기일 익월 말일")


class OverpaymentDefault(models.TextChoices):
    OFFSET = "offset", _("다음 청구액과 상계")
    REFUND = "refund", _("반환")


class TerminationChargeModel(models.TextChoices):
    """How a termination is settled, named by the shape of the formula (its numbers are policy fields;
    the article in each label is the preset that uses it). ``billing.services.settlement`` picks the
    refund and penalty strategy from a table keyed by this value."""

    NONE = "none", _("없음")
    # Refund of the prepaid days after the effective date, by day, minus the promotions received.
    REMAINING_DAYS_PRORATED = (
        "remaining_days_prorated",
        _("잔여 기간 일할 환불, 받은 할인 차감 (예: 000 제18조)"),
    )
    # The termination month: under ``termination_used_month_threshold_days`` free, from there a month.
    USED_MONTH_THRESHOLD = (
        "used_month_threshold",
        _("해지월 사용 일수 기준 미만 무료 / 이상 1개월 (예: 001 제20조-3)"),
    )
    # (Total contract amount − used months × monthly price) × ``termination_refund_percent``.
    UNUSED_CONTRACT_AMOUNT_PERCENT = (
        "unused_contract_amount_percent",
        _("(총 계약금액 − 이용개월 × 월 요금) × 환불 비율 환불 (예: 001 제20조-4)"),
    )
    # ``termination_penalty_percent`` × average monthly fee × the months left in the term.
    PERCENT_OF_REMAINING_MONTHS = (
        "percent_of_remaining_months",
        _("잔여 기간 월 이용료 합계 × 위약금 비율 (예: 002 제32조③)"),
    )
    # The free services and long-term discounts received, paid back.
    RECEIVED_BENEFITS = (
        "received_benefits",
        _("무료 제공 서비스 + 장기계약 할인액 위약금 (예: 004 제26조)"),
    )


class SuspensionFeeModel(models.TextChoices):
    NONE = "none", _("정지 기간 요금 없음")
    CHARGED_UP_TO_DAYS = "charged_up_to_days", _("정지 후 N일까지 부과")


class WithdrawalFrom(models.TextChoices):
    SERVICE_START = "service_start", _("서비스 이용 개시일")
    ORDER = "order", _("주문 완료일")


class TermsRefusalOutcome(models.TextChoices):
    TERMINATE_WITHOUT_PENALTY = "terminate_without_penalty", _("시행일 전 위약금 없이 해지 가능")
    OLD_VERSION_UNTIL_TERM_END = "old_version_until_term_end", _("계약기간 종료까지 종전 약관 적용 후 종료")


class SlaMeasurement(models.TextChoices):
    NONE = "none", _("SLA 없음")
    OFFICECORE_2H_JOIN_1H = "officecore_2h_join_1h", _("2시간 이상 장애, 1시간 내 재발은 합산")
    FLOW_ERROR_RATE = "flow_error_rate", _("5분간 접속 실패율 5% 초과")
    DCLOUD_30MIN = "dcloud_30min", _("30분 이상 장애, 인지 후 30분부터 측정")
    DAMOA_24H_FULL = "damoa_24h_full", _("전체 서비스 24시간 이상 장애")


class SlaCreditModel(models.TextChoices):
    NONE = "none", _("없음")
    TIERS_OF_MONTH_FEE = "tiers_of_month_fee", _("가용률 구간별 월 요금의 N%")
    TIERS_OF_AVERAGE_SPEND = "tiers_of_average_spend", _("가용률 구간별 최근 N개월 평균 사용금액의 N%")
    DAILY_FEE_AFTER_FLOOR = "daily_fee_after_floor", _("가용률 하한 미달 시점 이후 장애일수 × 일 요금")
    MULTIPLIED_DAILY_FEE = "multiplied_daily_fee", _("미이용 일수 × 1일 평균 요금 × 배수")


class SlaCapModel(models.TextChoices):
    NONE = "none", _("상한 없음")
    MONTH_FEE = "month_fee", _("월 이용요금")
    PAID_THIS_MONTH = "paid_this_month", _("해당 월 결제 금액")


class MessageType(models.TextChoices):
    SMS = "sms", _("SMS")
    LMS = "lms", _("LMS")
    ALIMTALK = "alimtalk", _("알림톡")
    FRIENDTALK_TEXT = "friendtalk_text", _("친구톡 (텍스트)")
    FRIENDTALK_IMAGE = "friendtalk_image", _("친구톡 (이미지)")


class RequiredDocument(models.TextChoices):
    APPLICATION_FORM = "application_form", _("이용 신청서")
    BUSINESS_REGISTRATION = "business_registration", _("사업자등록증")
    SEAL_CERTIFICATE = "seal_certificate", _("인감증명서")
    ID_COPY = "id_copy", _("신분증 사본")
    TELECOM_CERTIFICATE = "telecom_certificate", _("통신서비스 이용증명원")



# --------------------------------------------------------------------------- typed views of JSON lists


@dataclass(frozen=True)
class DunningStep:
    day: int
    action: str
    business_days: bool = False
    anchor: str = DunningAnchor.DUE_DATE
    note: str = ""

    @property
    def sort_key(self) -> int:
        """Earliest calendar-day offset the step can fall on (business days skip at least the weekends)."""
        if self.anchor == DunningAnchor.END_OF_NEXT_MONTH:
            return 28 + self.day
        if self.business_days:
            return self.day + 2 * (self.day // 5)
        return self.day


@dataclass(frozen=True)
class CreditTier:
    """Availability in [min, max) earns ``percent`` of the credit base (SLA-4)."""

    min: Decimal
    max: Decimal
    percent: Decimal

    def contains(self, availability: Decimal) -> bool:
        return self.min <= availability < self.max


LADDER_KEYS = {"day", "action", "business_days", "anchor", "note"}
TIER_KEYS = {"min", "max", "percent"}


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
