"""The five built-in policy presets (SPEC §0): each seed's terms as data.

Every preset lists every rule value of ``Policy`` (``COMMON`` holds the values
that come from statute or the messaging annex and are the same in all five;
a preset may override them). Comments cite the article of the seed terms:
``000`` officecore, ``001`` flow, ``002`` dcloud, ``003`` kgmsg, ``004`` damoa.
Where the seed gives no number the value is a documented default, and where
it is ambiguous the preset takes the reading the SPEC marks **[reading]**.

``load_presets`` creates each preset's published version 1 and its plans; it is
idempotent (an existing version 1 is left alone, existing plans are kept).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import acting_as
from core.money import Rounding

from .models import (
    BillingCycle,
    BillingPeriod,
    BillingTiming,
    DueRule,
    DunningAction,
    DunningAnchor,
    IssueRule,
    LateChargeModel,
    OverpaymentDefault,
    Plan,
    Policy,
    RequiredDocument,
    SeatBasis,
    SlaCapModel,
    SlaCreditModel,
    SlaMeasurement,
    SuspensionFeeModel,
    TerminationChargeModel,
    TermsConsent,
    TermsDocument,
    TermsRefusalOutcome,
    WithdrawalFrom,
)
from .terms_text.parser import parse_terms
from .terms_text.store import store_document

__all__ = ["COMMON", "PRESETS", "PRESET_CODES", "load_presets", "preset_terms_text", "preset_values"]

PRESET_TERMS_DIR = Path(__file__).with_name("preset_terms")


def preset_terms_text(code: str) -> str:
    """The demo terms text of a preset (``contracts/preset_terms/<code>.txt``): written for the demo in our
    own words, one article for each article a rule cites, numbered as the seed document (TRM-1)."""
    return (PRESET_TERMS_DIR / f"{code}.txt").read_text(encoding="utf-8")


N = DunningAction


def step(day: int, action: str, *, business_days: bool = False, anchor: str | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"day": day, "action": str(action), "business_days": business_days}
    if anchor:
        data["anchor"] = str(anchor)
    return data


def tier(low: str, high: str, percent: int) -> dict[str, Any]:
    """An availability band [low, high) → percent. Stored as JSON numbers; read back as Decimal."""
    return {"min": float(low), "max": float(high), "percent": percent}


# Values set by statute, the SPEC's defaults or the kgmsg messaging annex, shared by all presets.
COMMON: dict[str, Any] = {
    "terms_change_notice_days": 7,  # TRM-2: 000 art.2④, 001 art.3-4, 002 art.3②, 004 art.2-2
    "terms_change_unfavourable_notice_days": 30,  # TRM-2: 000 art.2④, 002 art.3② (약관규제법)
    "unfavourable_change_by_email": True,  # TRM-3: 000 art.2④
    "silence_is_consent": True,  # TRM-4: 000 art.2⑤
    "price_increase_needs_consent": True,  # TRM-6: 002 art.17②③
    "service_change_notice_days": 7,  # TRM-7: 001 art.17-3
    "portal_notice_min_days": 7,  # MSG-1: 000 art.9②
    "min_applicant_age": 14,  # ACC-7: 001 art.5-4-차
    "minors_need_representative": True,  # ACC-7: 002 art.6③
    "succession_filing_days": 30,  # ACC-8: 002 art.19②
    "activation_postpone_notice_days": 3,  # CON-4: 002 art.9②
    "vat_rate_percent": Decimal("10"),  # 002 art.32⑤, 003 별표3
    "rounding": Rounding.TRUNCATE,  # SPEC §5: 원 미만 절사
    "tax_invoice_issue_day": 10,  # BIL-18
    "midterm_additions_prorated": True,  # CON-11: 000 art.15②
    "late_charge_months_per_year": 12,  # BIL-9: 002 art.34②
    "late_charge_day_basis": 365,  # BIL-9: 002 art.34②
    "arrears_deducted_first": True,  # BIL-11: 002 art.35④, 000 art.18⑥
    "dunning_whole_customer": False,  # DUN-4: only the overdue contracts
    "renewal_reminder_days": 30,  # CON-6 default
    "termination_requires_settlement": True,  # CON-7: 002 art.20②
    "violation_suspension_max_days": 30,  # CON-10: 001 art.23-1 "1개월", 002 art.16④ "1개월 이내"
    "repeated_violation_window_days": 365,  # CON-10: 000 art.19③-3 "1년 이내" (others: same default)
    "upheld_appeal_extends_term": True,  # CON-10: 001 art.23-2
    "status_page_days": 90,  # SLA-8
    "contract_records_retention_years": 5,  # DAT-3: 000 art.21④ (전자상거래법)
    "dispute_records_retention_years": 3,  # DAT-3 (전자상거래법 분쟁 기록)
    "abuse_identity_retention_months": 12,  # DAT-3: 000 art.21② (처리방침 기간, default)
    "message_records_retention_months": 12,  # MSG-9: 003 art.5-6 (관계법령 기간, default)
    "dormancy_days": 365,  # ACC-10: 001 art.15-1
    "dormancy_notice_days": 30,  # ACC-10: 001 art.15-2
    "sms_max_bytes": 80,  # MSG-2: 003 별표2-나 (carriers often allow 90)
    "lms_max_bytes": 2000,  # MSG-2: 003 별표2-나
    "lms_subject_max_bytes": 40,  # MSG-2
    "alimtalk_max_chars": 1000,  # MSG-2
    "friendtalk_text_max_chars": 1000,  # MSG-2
    "friendtalk_image_max_chars": 400,  # MSG-2
    "kakao_buttons_max": 5,  # MSG-2
    "kakao_button_name_max_chars": 14,  # MSG-2
    "ad_night_start": dt.time(21, 0),  # MSG-7: 정보통신망법 제50조
    "ad_night_end": dt.time(8, 0),  # MSG-7
    "friendtalk_block_start": dt.time(20, 50),  # MSG-7: 003 별표2-나
    "friendtalk_block_end": dt.time(8, 0),  # MSG-7
    "max_sms_sender_numbers": 10,  # MSG-4: 003 별표2-가
    "max_buyer_alimtalk_sender_numbers": 1,  # MSG-4: 003 별표2-가
    "max_merchant_receiver_numbers": 20,  # MSG-4: 003 별표2-가
    "message_result_timeout_hours": 48,  # MSG-6: 003 art.5-3
    "terms_text_en": "",
    "is_unfavourable": False,
    "change_reason": "",
    "maintenance_window_start": None,
    "maintenance_window_end": None,
}


OFFICECORE: dict[str, Any] = {
    "code": "officecore",
    "name": "오피스코어 그룹웨어 이용약관",
    "effective_from": dt.date(2024, 1, 1),  # the seed carries no date
    "source_notes": "000_79705b5169078be8.txt. 연체 단계 일수는 약관에 없어 기본값 (000 art.16④, 19③-4).",
    "terms_text_ko": preset_terms_text("officecore"),
    # TRM-5: refusing a change lets the customer terminate without penalty (000 art.2⑤)
    "terms_refusal_outcome": TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY,
    "businesses_only": False,
    "guest_accounts_allowed": False,
    # Billing: per plan; default issued on the 1st, due in 14 days (BIL-3)
    "allows_monthly_cycle": True,
    "allows_annual_cycle": True,
    "billing_period": BillingPeriod.CALENDAR_MONTH,
    "billing_timing": BillingTiming.ADVANCE,  # prepaid periods are refunded by day (000 art.18②)
    "issue_rule": IssueRule.FIRST_OF_MONTH,
    "issue_day": None,
    "issue_days_before_due": None,
    "due_rule": DueRule.DAYS_AFTER_ISSUE,
    "due_days": 14,
    "due_day_of_month": None,
    "vat_included": False,
    "prorate_by_day": True,  # BIL-4: 000 art.15②
    # Seats: a quota per contract (000 art.12②); paid usage is not re-charged or refunded (000 art.15④)
    "seat_quota_enforced": True,
    "monthly_seat_basis": SeatBasis.CONTRACTED,
    "annual_added_seats_prorated": False,
    "refund_on_seat_reduction": False,
    "plan_change_during_annual_term": True,
    "paid_to_guest_allowed": False,
    "payment_retry_count": 0,
    "payment_retry_window_business_days": 0,
    "late_charge_model": LateChargeModel.NONE,  # BIL-9: none
    "late_charge_monthly_percent": Decimal("0"),
    "late_charge_grace_days": 0,
    "late_charge_waivable": True,
    "evasion_multiplier": 1,
    # SPEC §6: notify 1, 7; restrict 14; terminate 30 (defaults: 000 art.16④, 19③-4 give no numbers)
    "dunning_ladder": [step(1, N.NOTIFY), step(7, N.NOTIFY), step(14, N.RESTRICT), step(30, N.TERMINATE)],
    "suspension_notice_days": 0,
    "max_suspension_extension_days": 0,
    "nonpayment_data_keep_days": None,
    # BIL-10: 6 months from the invoice, no limit if the operator erred (000 art.17①); answer in 2 weeks (②)
    "dispute_window_days": None,
    "dispute_window_months": 6,
    "dispute_no_limit_if_operator_erred": True,
    "dispute_months_from_knowing": None,
    "dispute_months_from_cause": None,
    "dispute_answer_days": 14,
    "overpayment_default": OverpaymentDefault.OFFSET,
    "overpayment_statutory_interest": True,  # BIL-11: 000 art.18①
    # BIL-12: remaining days refunded, minus one-time fees and promotions, paid by the end of next month
    "termination_model_monthly": TerminationChargeModel.REMAINING_DAYS_PRORATED,
    "termination_model_annual": TerminationChargeModel.REMAINING_DAYS_PRORATED,
    "termination_refund_percent": Decimal("100"),
    "termination_used_month_threshold_days": None,
    "termination_seat_lookback_days": None,
    "termination_penalty_percent": Decimal("0"),
    "termination_penalty_average_months": None,
    "penalty_excludes_agreed_discounts": False,
    "refund_excludes_one_time_fees": True,  # 000 art.18②
    "refund_subtracts_promotions": True,  # 000 art.18③④
    "refund_by_end_of_next_month": True,  # 000 art.18⑥
    "annual_prepay_refund_converts": False,
    "suspension_fee_model": SuspensionFeeModel.NONE,  # seed silent: the customer-favourable default
    "suspension_fee_max_days": None,
    # CON-5/6: per plan; renews for the same period
    "min_term_months": 1,
    "default_term_months": 1,
    "term_options_months": [1, 12],
    "auto_renew": True,
    "renewal_months": None,
    "renewal_notice_days": 0,
    "renewal_notice_written": False,
    "customer_termination_notice_days": 0,  # 000 art.19②: terminated on receipt
    "operator_termination_explanation_days": 0,
    "violation_suspension_notice_days": 0,
    # CON-8: 7 days from service start, full refund except one-time fees (000 art.18⑤)
    "withdrawal_days": 7,
    "withdrawal_business_days": False,
    "withdrawal_from": WithdrawalFrom.SERVICE_START,
    "withdrawal_trial_starts_clock": False,
    "withdrawal_requires_unused": False,
    "withdrawal_charges_used_days": False,
    # SLA-3/4: outages of 2 h or more; recurrence within 1 h joins [reading] (000 art.23①); tiers (art.23①-3)
    "sla_measurement": SlaMeasurement.OFFICECORE_2H_JOIN_1H,
    "sla_target_percent": Decimal("99.5"),
    "sla_min_outage_minutes": 120,
    "sla_join_gap_minutes": 60,
    "sla_counting_offset_minutes": 0,
    "sla_error_rate_percent": None,
    "sla_error_window_minutes": None,
    "sla_credit_model": SlaCreditModel.TIERS_OF_MONTH_FEE,
    "sla_credit_tiers": [tier("99.0", "99.5", 10), tier("95.0", "99.0", 25), tier("0", "95.0", 50)],
    "sla_average_months": None,
    "sla_multiplier": None,
    "sla_credit_cap": SlaCapModel.MONTH_FEE,
    "sla_claim_required": False,
    "sla_claim_window_days": None,
    "sla_claim_window_months": None,
    "sla_termination_outage_hours": None,
    "sla_termination_outage_count": None,
    "sla_termination_outage_min_minutes": None,
    # DAT-2: keep 6 months after termination, then destroy (000 art.21②)
    "data_retention_months": 6,
    "login_id_retention_months": None,
}

FLOW: dict[str, Any] = {
    "code": "flow",
    "name": "플로우 서비스 이용약관",
    "effective_from": dt.date(2024, 3, 1),  # 001 부칙: 시행일자 2024-03-01
    "source_notes": "001_a41a90ac0ff99858.txt. 연간 해지: 15일 이상 사용한 달은 사용월 [reading] (BIL-13).",
    "terms_text_ko": preset_terms_text("flow"),
    "terms_refusal_outcome": TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY,  # TRM-5: 001 art.3-6
    "businesses_only": False,
    "guest_accounts_allowed": True,  # ACC-3: 001 art.18-4
    "allows_monthly_cycle": True,  # CON-5: 001 art.18-2
    "allows_annual_cycle": True,
    "billing_period": BillingPeriod.CALENDAR_MONTH,
    "billing_timing": BillingTiming.ARREARS,  # monthly bills the month's peak (001 art.19-3); annual up front
    "issue_rule": IssueRule.FIRST_OF_MONTH,  # BIL-3 default
    "issue_day": None,
    "issue_days_before_due": None,
    "due_rule": DueRule.DAYS_AFTER_ISSUE,
    "due_days": 14,
    "due_day_of_month": None,
    "vat_included": True,  # 001 art.19-9
    "prorate_by_day": False,  # monthly termination is 0 or a full month (001 art.20-3)
    "seat_quota_enforced": False,  # usage-billed (ACC-5)
    "monthly_seat_basis": SeatBasis.PEAK_USERS,  # BIL-5: 001 art.19-3
    "annual_added_seats_prorated": True,  # BIL-5: 001 art.19-5
    "refund_on_seat_reduction": False,  # BIL-5: 001 art.19-4
    "plan_change_during_annual_term": False,  # CON-11: 001 art.18-2
    "paid_to_guest_allowed": False,  # CON-11: 001 art.18-4
    "payment_retry_count": 2,  # BIL-8: 001 art.19-6
    "payment_retry_window_business_days": 10,
    "late_charge_model": LateChargeModel.MONTHLY_SURCHARGE,  # BIL-9: 001 art.19-6-나
    "late_charge_monthly_percent": Decimal("1.5"),
    "late_charge_grace_days": 30,
    "late_charge_waivable": False,
    "evasion_multiplier": 2,  # BIL-20: 001 art.19-8
    # SPEC §6 (001 art.19-6): retry at 0, ~5, 10 business days; suspend after the last retry; surcharge
    # notice at 30; terminate and delete at the end of the next month; collections at 3 months.
    "dunning_ladder": [
        step(0, N.RETRY_PAYMENT, business_days=True),
        step(5, N.RETRY_PAYMENT, business_days=True),
        step(10, N.RETRY_PAYMENT, business_days=True),
        step(10, N.SUSPEND, business_days=True),
        step(30, N.NOTIFY),
        step(0, N.TERMINATE, anchor=DunningAnchor.END_OF_NEXT_MONTH),
        step(0, N.PURGE_DATA, anchor=DunningAnchor.END_OF_NEXT_MONTH),
        step(90, N.REFER_TO_COLLECTIONS),
    ],
    "suspension_notice_days": 0,
    "max_suspension_extension_days": 0,
    "nonpayment_data_keep_days": 30,  # 001 art.19-6-가
    # BIL-10: the seed sets no window (none); answer deadline default 14 (001 art.21-3 "신속히")
    "dispute_window_days": None,
    "dispute_window_months": None,
    "dispute_no_limit_if_operator_erred": False,
    "dispute_months_from_knowing": None,
    "dispute_months_from_cause": None,
    "dispute_answer_days": 14,
    "overpayment_default": OverpaymentDefault.OFFSET,
    "overpayment_statutory_interest": False,
    # BIL-13: monthly 0/full month around day 15 (001 art.20-3); annual (total − used × monthly) × 90% (-4)
    "termination_model_monthly": TerminationChargeModel.USED_MONTH_THRESHOLD,
    "termination_model_annual": TerminationChargeModel.UNUSED_CONTRACT_AMOUNT_PERCENT,
    "termination_refund_percent": Decimal("90"),
    "termination_used_month_threshold_days": 15,
    "termination_seat_lookback_days": 30,  # 001 art.20-4-가
    "termination_penalty_percent": Decimal("0"),
    "termination_penalty_average_months": None,
    "penalty_excludes_agreed_discounts": False,
    "refund_excludes_one_time_fees": False,
    "refund_subtracts_promotions": False,
    "refund_by_end_of_next_month": False,
    "annual_prepay_refund_converts": False,
    "suspension_fee_model": SuspensionFeeModel.CHARGED_UP_TO_DAYS,  # BIL-16: 001 art.19-6-가
    "suspension_fee_max_days": 30,
    "min_term_months": 1,
    "default_term_months": 1,
    "term_options_months": [1, 12],
    "auto_renew": True,  # CON-6: 001 art.18-3, next cycle
    "renewal_months": None,
    "renewal_notice_days": 0,
    "renewal_notice_written": False,
    "customer_termination_notice_days": 0,
    "operator_termination_explanation_days": 0,
    "violation_suspension_notice_days": 0,
    # CON-8: withdrawal under the E-Commerce Act, used days charged (001 art.20-1)
    "withdrawal_days": 7,
    "withdrawal_business_days": False,
    "withdrawal_from": WithdrawalFrom.SERVICE_START,
    "withdrawal_trial_starts_clock": False,
    "withdrawal_requires_unused": False,
    "withdrawal_charges_used_days": True,
    # SLA-3/4/5: > 5 % failed access in 5 minutes (001 art.25-1); tiers of 3-month average spend (art.25-2),
    # capped at what was paid that month (art.25-7); written claim within 30 days (art.25-4)
    "sla_measurement": SlaMeasurement.FLOW_ERROR_RATE,
    "sla_target_percent": Decimal("99.9"),
    "sla_min_outage_minutes": 0,
    "sla_join_gap_minutes": 0,
    "sla_counting_offset_minutes": 0,
    "sla_error_rate_percent": Decimal("5"),
    "sla_error_window_minutes": 5,
    "sla_credit_model": SlaCreditModel.TIERS_OF_AVERAGE_SPEND,
    "sla_credit_tiers": [tier("99.0", "99.9", 10), tier("95.0", "99.0", 25), tier("0", "95.0", 50)],
    "sla_average_months": 3,
    "sla_multiplier": None,
    "sla_credit_cap": SlaCapModel.PAID_THIS_MONTH,
    "sla_claim_required": True,
    "sla_claim_window_days": 30,
    "sla_claim_window_months": None,
    "sla_termination_outage_hours": None,
    "sla_termination_outage_count": None,
    "sla_termination_outage_min_minutes": None,
    "data_retention_months": 0,  # DAT-2: immediately on withdrawal (001 art.16-5)
    "login_id_retention_months": None,
}

DCLOUD: dict[str, Any] = {
    "code": "dcloud",
    "name": "디클라우드 클라우드 서버 이용약관",
    "effective_from": dt.date(2021, 5, 1),  # 002 부칙: 2021-05-01 개정
    "source_notes": (
        "002_0ef8e488d6b7fe19.txt. 정지 기간 요금은 약관에 없어 부과하지 않음 (고객에게 유리한 해석)."
    ),
    "terms_text_ko": preset_terms_text("dcloud"),
    "terms_refusal_outcome": TermsRefusalOutcome.OLD_VERSION_UNTIL_TERM_END,  # TRM-5: 002 art.3④
    "businesses_only": False,
    "guest_accounts_allowed": False,
    "allows_monthly_cycle": True,
    "allows_annual_cycle": True,  # annual prepayment possible (002 art.30②-3)
    "billing_period": BillingPeriod.CALENDAR_MONTH,  # BIL-1: 002 art.32④
    "billing_timing": BillingTiming.ARREARS,
    # BIL-3: issued by the 10th of the next month, due the last day of the next month (002 art.31①)
    "issue_rule": IssueRule.FIXED_DAY_NEXT_MONTH,
    "issue_day": 10,
    "issue_days_before_due": None,
    "due_rule": DueRule.LAST_DAY_NEXT_MONTH,
    "due_days": None,
    "due_day_of_month": None,
    "vat_included": False,  # 002 art.32⑤
    "prorate_by_day": True,  # BIL-4: 002 art.32②④
    "seat_quota_enforced": True,
    "monthly_seat_basis": SeatBasis.CONTRACTED,
    "annual_added_seats_prorated": False,
    "refund_on_seat_reduction": False,
    "plan_change_during_annual_term": True,
    "paid_to_guest_allowed": False,
    "payment_retry_count": 0,
    "payment_retry_window_business_days": 0,
    # BIL-9: unpaid × 15/1000 × 12 × days / 365 from the day after the due date (002 art.34)
    "late_charge_model": LateChargeModel.DAILY_RATE,
    "late_charge_monthly_percent": Decimal("1.5"),
    "late_charge_grace_days": 0,
    "late_charge_waivable": True,
    "evasion_multiplier": 1,
    # SPEC §6 (002 art.33): notify 1, 15, 25; restrict 30; terminate 35; collections after termination
    "dunning_ladder": [
        step(1, N.NOTIFY),
        step(15, N.NOTIFY),
        step(25, N.NOTIFY),
        step(30, N.RESTRICT),
        step(35, N.TERMINATE),
        step(35, N.REFER_TO_COLLECTIONS),
    ],
    "suspension_notice_days": 0,
    "max_suspension_extension_days": 60,  # DUN-3: 002 art.33① special approval, up to 60 days
    "nonpayment_data_keep_days": None,
    # BIL-10: 15 days from issue, answer in 7 days (002 art.35①)
    "dispute_window_days": 15,
    "dispute_window_months": None,
    "dispute_no_limit_if_operator_erred": False,
    "dispute_months_from_knowing": None,
    "dispute_months_from_cause": None,
    "dispute_answer_days": 7,
    "overpayment_default": OverpaymentDefault.OFFSET,  # BIL-11: 002 art.35③
    "overpayment_statutory_interest": False,
    # BIL-14/15: 60 % of the remaining months at the last-3-months average without discounts (002 art.32③)
    "termination_model_monthly": TerminationChargeModel.PERCENT_OF_REMAINING_MONTHS,
    "termination_model_annual": TerminationChargeModel.PERCENT_OF_REMAINING_MONTHS,
    "termination_refund_percent": Decimal("100"),
    "termination_used_month_threshold_days": None,
    "termination_seat_lookback_days": None,
    "termination_penalty_percent": Decimal("60"),
    "termination_penalty_average_months": 3,
    "penalty_excludes_agreed_discounts": True,
    "refund_excludes_one_time_fees": False,
    "refund_subtracts_promotions": False,
    "refund_by_end_of_next_month": False,
    "annual_prepay_refund_converts": True,  # BIL-15: 002 art.20⑦
    "suspension_fee_model": SuspensionFeeModel.NONE,
    "suspension_fee_max_days": None,
    # CON-5/6: 1 year, renewing for 1 year (002 art.18); 7 days' notice to terminate (002 art.20②)
    "min_term_months": 12,
    "default_term_months": 12,
    "term_options_months": [12],
    "auto_renew": True,
    "renewal_months": 12,
    "renewal_notice_days": 7,
    "renewal_notice_written": False,
    "customer_termination_notice_days": 7,
    "operator_termination_explanation_days": 0,
    "violation_suspension_notice_days": 0,
    "withdrawal_days": None,  # no cooling-off in the seed
    "withdrawal_business_days": False,
    "withdrawal_from": WithdrawalFrom.SERVICE_START,
    "withdrawal_trial_starts_clock": False,
    "withdrawal_requires_unused": False,
    "withdrawal_charges_used_days": False,
    # SLA-3/4/5: outages ≥ 30 min measured from 30 min after report (002 art.36②); daily fee per day after
    # availability fell below 95 %, capped at the monthly fee (art.36③④); claim within 3 months (art.37)
    "sla_measurement": SlaMeasurement.DCLOUD_30MIN,
    "sla_target_percent": Decimal("95"),
    "sla_min_outage_minutes": 30,
    "sla_join_gap_minutes": 0,
    "sla_counting_offset_minutes": 30,
    "sla_error_rate_percent": None,
    "sla_error_window_minutes": None,
    "sla_credit_model": SlaCreditModel.DAILY_FEE_AFTER_FLOOR,
    "sla_credit_tiers": [],
    "sla_average_months": None,
    "sla_multiplier": None,
    "sla_credit_cap": SlaCapModel.MONTH_FEE,
    "sla_claim_required": True,
    "sla_claim_window_days": None,
    "sla_claim_window_months": 3,
    "sla_termination_outage_hours": None,
    "sla_termination_outage_count": None,
    "sla_termination_outage_min_minutes": None,
    "maintenance_window_start": dt.time(0, 0),  # SLA-2: 002 art.10⑧
    "maintenance_window_end": dt.time(7, 0),
    "data_retention_months": 0,  # DAT-2: deleted at termination (002 art.20⑧)
    "login_id_retention_months": None,
}

KGMSG: dict[str, Any] = {
    "code": "kgmsg",
    "name": "KG 메시징 서비스 이용 특약",
    "effective_from": dt.date(2024, 1, 1),  # the seed carries no date
    "source_notes": "003_ed23d145af93ef5b.txt. 연체 단계 일수는 약관에 없어 기본값 (003 art.5-2-3, 13-2-2).",
    "terms_text_ko": preset_terms_text("kgmsg"),
    # TRM-5: the seed is silent; the customer-favourable outcome
    "terms_refusal_outcome": TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY,
    "businesses_only": False,
    "guest_accounts_allowed": False,
    "allows_monthly_cycle": True,
    "allows_annual_cycle": False,
    "billing_period": BillingPeriod.CALENDAR_MONTH,
    "billing_timing": BillingTiming.ARREARS,  # BIL-6: a month's successful messages (003 art.6-3)
    # BIL-3: issued by the 10th business day of the next month, due 20 business days later (003 art.7①)
    "issue_rule": IssueRule.NTH_BUSINESS_DAY_NEXT_MONTH,
    "issue_day": 10,
    "issue_days_before_due": None,
    "due_rule": DueRule.BUSINESS_DAYS_AFTER_ISSUE,
    "due_days": 20,
    "due_day_of_month": None,
    "vat_included": False,  # 003 별표3
    "prorate_by_day": False,  # usage-billed
    "seat_quota_enforced": True,
    "monthly_seat_basis": SeatBasis.CONTRACTED,
    "annual_added_seats_prorated": False,
    "refund_on_seat_reduction": False,
    "plan_change_during_annual_term": True,
    "paid_to_guest_allowed": False,
    "payment_retry_count": 0,
    "payment_retry_window_business_days": 0,
    "late_charge_model": LateChargeModel.NONE,
    "late_charge_monthly_percent": Decimal("0"),
    "late_charge_grace_days": 0,
    "late_charge_waivable": True,
    "evasion_multiplier": 1,
    # SPEC §6: notify 1; suspend 10; terminate 30 (defaults: 003 art.5-2-3, 13-2-2 give no numbers)
    "dunning_ladder": [step(1, N.NOTIFY), step(10, N.SUSPEND), step(30, N.TERMINATE)],
    "suspension_notice_days": 0,
    "max_suspension_extension_days": 0,
    "nonpayment_data_keep_days": None,
    # BIL-10: no window in the seed; undisputed parts are paid first (003 art.7-2)
    "dispute_window_days": None,
    "dispute_window_months": None,
    "dispute_no_limit_if_operator_erred": False,
    "dispute_months_from_knowing": None,
    "dispute_months_from_cause": None,
    "dispute_answer_days": 14,
    "overpayment_default": OverpaymentDefault.OFFSET,
    "overpayment_statutory_interest": False,
    "termination_model_monthly": TerminationChargeModel.NONE,
    "termination_model_annual": TerminationChargeModel.NONE,
    "termination_refund_percent": Decimal("100"),
    "termination_used_month_threshold_days": None,
    "termination_seat_lookback_days": None,
    "termination_penalty_percent": Decimal("0"),
    "termination_penalty_average_months": None,
    "penalty_excludes_agreed_discounts": False,
    "refund_excludes_one_time_fees": False,
    "refund_subtracts_promotions": False,
    "refund_by_end_of_next_month": False,
    "annual_prepay_refund_converts": False,
    "suspension_fee_model": SuspensionFeeModel.NONE,
    "suspension_fee_max_days": None,
    # CON-5/6: 1 year, renewing for 1 year unless written notice 30 days before expiry (003 art.12)
    "min_term_months": 12,
    "default_term_months": 12,
    "term_options_months": [12],
    "auto_renew": True,
    "renewal_months": 12,
    "renewal_notice_days": 30,
    "renewal_notice_written": True,
    "customer_termination_notice_days": 0,
    "operator_termination_explanation_days": 0,
    "violation_suspension_notice_days": 0,
    "withdrawal_days": None,
    "withdrawal_business_days": False,
    "withdrawal_from": WithdrawalFrom.SERVICE_START,
    "withdrawal_trial_starts_clock": False,
    "withdrawal_requires_unused": False,
    "withdrawal_charges_used_days": False,
    "sla_measurement": SlaMeasurement.NONE,  # no SLA in the seed
    "sla_target_percent": None,
    "sla_min_outage_minutes": 0,
    "sla_join_gap_minutes": 0,
    "sla_counting_offset_minutes": 0,
    "sla_error_rate_percent": None,
    "sla_error_window_minutes": None,
    "sla_credit_model": SlaCreditModel.NONE,
    "sla_credit_tiers": [],
    "sla_average_months": None,
    "sla_multiplier": None,
    "sla_credit_cap": SlaCapModel.MONTH_FEE,
    "sla_claim_required": False,
    "sla_claim_window_days": None,
    "sla_claim_window_months": None,
    "sla_termination_outage_hours": None,
    "sla_termination_outage_count": None,
    "sla_termination_outage_min_minutes": None,
    "data_retention_months": 0,  # DAT-2: recipients' data at contract end (003 art.10-2)
    "login_id_retention_months": None,
}

DAMOA: dict[str, Any] = {
    "code": "damoa",
    "name": "다모아CRM 이용약관",
    "effective_from": dt.date(2024, 1, 1),  # the seed carries no date
    "source_notes": (
        "004_97055a07c797d82d.txt. 해지는 정지 후 15일(25일째) [reading]: art.18③ 15일, "
        "art.21③ 5일 중 고객에게 유리한 해석."
    ),
    "terms_text_ko": preset_terms_text("damoa"),
    # TRM-5: the seed is silent; the customer-favourable outcome
    "terms_refusal_outcome": TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY,
    "terms_change_notice_days": 7,  # 004 art.2-2: 요금 등 중요한 변경은 7일 전
    "businesses_only": True,  # ACC-1: 004 art.5-2
    "guest_accounts_allowed": False,
    "allows_monthly_cycle": True,
    "allows_annual_cycle": False,  # 1-/2-year terms are still paid monthly (004 art.7②, 21①)
    "billing_period": BillingPeriod.CALENDAR_MONTH,
    "billing_timing": BillingTiming.ADVANCE,  # due in the usage month (004 art.21①)
    # BIL-3: due the 10th of the usage month, next business day if not one (004 art.21①); issued 5 days before
    # the due date (004 art.19①)
    "issue_rule": IssueRule.DAYS_BEFORE_DUE,
    "issue_day": None,
    "issue_days_before_due": 5,
    "due_rule": DueRule.DAY_OF_USAGE_MONTH,
    "due_days": None,
    "due_day_of_month": 10,
    "vat_included": False,
    "prorate_by_day": True,
    "seat_quota_enforced": True,
    "monthly_seat_basis": SeatBasis.CONTRACTED,
    "annual_added_seats_prorated": False,
    "refund_on_seat_reduction": False,
    "plan_change_during_annual_term": True,
    "paid_to_guest_allowed": False,
    "payment_retry_count": 0,
    "payment_retry_window_business_days": 0,
    "late_charge_model": LateChargeModel.NONE,
    "late_charge_monthly_percent": Decimal("0"),
    "late_charge_grace_days": 0,
    "late_charge_waivable": True,
    "evasion_multiplier": 1,
    # SPEC §6: notify 1, 3 (the suspension notice, 7 days before); suspend 10 (004 art.11-1-2, 18③);
    # terminate 15 days after suspension = 25 [reading] (004 art.18③ vs 21③)
    "dunning_ladder": [step(1, N.NOTIFY), step(3, N.NOTIFY), step(10, N.SUSPEND), step(25, N.TERMINATE)],
    "suspension_notice_days": 7,  # 004 art.11-3
    "max_suspension_extension_days": 0,
    "nonpayment_data_keep_days": None,
    # BIL-10: 1 month from knowing, 2 months from the cause (004 art.20-2)
    "dispute_window_days": None,
    "dispute_window_months": None,
    "dispute_no_limit_if_operator_erred": False,
    "dispute_months_from_knowing": 1,
    "dispute_months_from_cause": 2,
    "dispute_answer_days": 14,
    "overpayment_default": OverpaymentDefault.REFUND,  # 004 art.20-1-1: refund unless the customer agrees
    "overpayment_statutory_interest": False,
    # BIL-14: free services given at signing + long-term discounts received (004 art.26)
    "termination_model_monthly": TerminationChargeModel.RECEIVED_BENEFITS,
    "termination_model_annual": TerminationChargeModel.RECEIVED_BENEFITS,
    "termination_refund_percent": Decimal("100"),
    "termination_used_month_threshold_days": None,
    "termination_seat_lookback_days": None,
    "termination_penalty_percent": Decimal("0"),
    "termination_penalty_average_months": None,
    "penalty_excludes_agreed_discounts": False,
    "refund_excludes_one_time_fees": False,
    "refund_subtracts_promotions": False,
    "refund_by_end_of_next_month": False,
    "annual_prepay_refund_converts": False,
    "suspension_fee_model": SuspensionFeeModel.NONE,  # BIL-16: 004 art.19②
    "suspension_fee_max_days": None,
    # CON-5/6: min 1 month, 1 or 2 years optional (004 art.7①②); renews month by month (art.7③)
    "min_term_months": 1,
    "default_term_months": 1,
    "term_options_months": [1, 12, 24],
    "auto_renew": True,
    "renewal_months": 1,
    "renewal_notice_days": 0,  # "계약기간 만료일 전까지" (004 art.7③)
    "renewal_notice_written": False,
    "customer_termination_notice_days": 0,
    "operator_termination_explanation_days": 30,  # CON-9: 004 art.25-3
    "violation_suspension_notice_days": 7,  # CON-10: 004 art.11-3
    # CON-8: 7 business days from the order, full refund if unused, a free trial starts the clock (004 art.24)
    "withdrawal_days": 7,
    "withdrawal_business_days": True,
    "withdrawal_from": WithdrawalFrom.ORDER,
    "withdrawal_trial_starts_clock": True,
    "withdrawal_requires_unused": True,
    "withdrawal_charges_used_days": False,
    # SLA-3/4/7: full-service outages ≥ 24 h; 3 × daily fee × days, capped at a month (004 art.27-1,4);
    # 48 h a month or 5 outages ≥ 1 h → terminate without penalty (004 art.23-2)
    "sla_measurement": SlaMeasurement.DAMOA_24H_FULL,
    "sla_target_percent": None,
    "sla_min_outage_minutes": 1440,
    "sla_join_gap_minutes": 0,
    "sla_counting_offset_minutes": 0,
    "sla_error_rate_percent": None,
    "sla_error_window_minutes": None,
    "sla_credit_model": SlaCreditModel.MULTIPLIED_DAILY_FEE,
    "sla_credit_tiers": [],
    "sla_average_months": None,
    "sla_multiplier": Decimal("3"),
    "sla_credit_cap": SlaCapModel.MONTH_FEE,
    "sla_claim_required": False,
    "sla_claim_window_days": None,
    "sla_claim_window_months": None,
    "sla_termination_outage_hours": 48,
    "sla_termination_outage_count": 5,
    "sla_termination_outage_min_minutes": 60,
    # DAT-2: data after 1 month, login IDs after 3 months (004 art.23-1, 11-2)
    "data_retention_months": 1,
    "login_id_retention_months": 3,
}

_APPLICATION = [RequiredDocument.APPLICATION_FORM.value, RequiredDocument.BUSINESS_REGISTRATION.value]

PLANS: dict[str, list[dict[str, Any]]] = {
    "officecore": [
        # SPEC §12 item 13: 50 accounts × 6,000 = 300,000 a month
        {
            "code": "officecore-standard-monthly",
            "name": "오피스코어 스탠다드 (월간)",
            "billing_cycle": BillingCycle.MONTHLY,
            "monthly_price_per_seat_won": 6_000,
            "annual_monthly_price_per_seat_won": 5_000,
            "setup_fee_won": 200_000,
            "default_seats": 50,
            "required_documents": _APPLICATION,
        },
        {
            "code": "officecore-standard-annual",
            "name": "오피스코어 스탠다드 (연간)",
            "billing_cycle": BillingCycle.ANNUAL,
            "monthly_price_per_seat_won": 6_000,
            "annual_monthly_price_per_seat_won": 5_000,
            "setup_fee_won": 200_000,
            "default_seats": 50,
            "required_documents": _APPLICATION,
        },
    ],
    "flow": [
        # SPEC §12 item 3: monthly 10,000/seat, annual 8,000/seat, VAT included (001 art.19-9)
        {
            "code": "flow-business-monthly",
            "name": "플로우 비즈니스 (월간)",
            "billing_cycle": BillingCycle.MONTHLY,
            "monthly_price_per_seat_won": 10_000,
            "annual_monthly_price_per_seat_won": 8_000,
            "default_seats": 10,
            "allows_guest": True,
            "required_documents": [],
        },
        {
            "code": "flow-business-annual",
            "name": "플로우 비즈니스 (연간)",
            "billing_cycle": BillingCycle.ANNUAL,
            "monthly_price_per_seat_won": 10_000,
            "annual_monthly_price_per_seat_won": 8_000,
            "default_seats": 10,
            "allows_guest": True,
            "required_documents": [],
        },
    ],
    "dcloud": [
        {
            "code": "dcloud-vm-standard",
            "name": "클라우드 서버 스탠다드",
            "billing_cycle": BillingCycle.MONTHLY,
            "monthly_fee_won": 300_000,
            "default_seats": 1,
            "required_documents": _APPLICATION,
        },
        # SPEC §12 item 9: monthly fee 900,000
        {
            "code": "dcloud-vm-performance",
            "name": "클라우드 서버 퍼포먼스",
            "billing_cycle": BillingCycle.MONTHLY,
            "monthly_fee_won": 900_000,
            "default_seats": 1,
            "required_documents": _APPLICATION,
        },
    ],
    "kgmsg": [
        {
            "code": "kgmsg-standard",
            "name": "메시징 스탠다드 (건당)",
            "billing_cycle": BillingCycle.MONTHLY,
            "usage_unit_prices": {
                "sms": 9,
                "lms": 27,
                "alimtalk": 7,
                "friendtalk_text": 13,
                "friendtalk_image": 20,
            },
            "default_seats": 1,
            "required_documents": [
                *_APPLICATION,
                RequiredDocument.SEAL_CERTIFICATE.value,
                RequiredDocument.TELECOM_CERTIFICATE.value,
            ],
        },
    ],
    "damoa": [
        # SPEC §12 item 10: monthly fee 300,000
        {
            "code": "damoa-standard",
            "name": "다모아CRM 스탠다드",
            "billing_cycle": BillingCycle.MONTHLY,
            "monthly_fee_won": 300_000,
            "default_seats": 5,
            "required_documents": _APPLICATION,
        },
    ],
}

PRESETS: dict[str, dict[str, Any]] = {p["code"]: p for p in (OFFICECORE, FLOW, DCLOUD, KGMSG, DAMOA)}
PRESET_CODES: tuple[str, ...] = tuple(PRESETS)


def preset_values(code: str) -> dict[str, Any]:
    """Every Policy field value of a preset: the common values overlaid with the preset's own."""
    try:
        preset = PRESETS[code]
    except KeyError:
        raise KeyError(f"unknown preset {code!r}; known: {', '.join(PRESET_CODES)}") from None
    return {**COMMON, **preset}


def _create_preset(code: str) -> Policy:
    values = preset_values(code)
    policy = Policy(**values, version=1, status=Policy.Status.PUBLISHED, published_at=timezone.now())
    # Uniqueness is left to the database so that two concurrent runs settle on one row (IntegrityError below).
    policy.full_clean(validate_unique=False, validate_constraints=False)
    policy.save()
    parsed = parse_terms(policy.terms_text_ko)
    store_document(policy=policy, parsed=parsed, text=policy.terms_text_ko, source_name=f"{code}.txt")
    return policy


def _ensure_plans(policy: Policy, code: str) -> None:
    existing = set(
        Plan.objects.filter(code__in=[p["code"] for p in PLANS[code]]).values_list("code", flat=True)
    )
    for data in PLANS[code]:
        if data["code"] in existing:
            continue
        plan = Plan(policy=policy, **data)
        plan.full_clean(validate_unique=False)
        try:
            with transaction.atomic():
                plan.save()
        except IntegrityError:  # created meanwhile by a concurrent run
            continue


def load_presets(*, actor: Any = None, codes: list[str] | None = None) -> list[Policy]:
    """Create each preset's published version 1 and its plans; leave whatever exists alone.

    Idempotent and safe to run concurrently (the unique (code, version) key decides who creates).
    Returns version 1 of each preset, in preset order.
    """
    result: list[Policy] = []
    context = acting_as(actor, reason="load_presets") if actor is not None else acting_as(job="load_presets")
    with context:
        for code in codes or PRESET_CODES:
            policy = Policy.objects.filter(code=code, version=1).first()
            if policy is None:
                try:
                    with transaction.atomic():
                        policy = _create_preset(code)
                except IntegrityError:
                    policy = Policy.objects.get(code=code, version=1)
            _ensure_plans(policy, code)
            _replace_placeholder_texts(code)
            result.append(policy)
    return result


# The one-line texts the presets carried before the demo terms texts existed (TRM-1). An install loaded
# then still has them; ``load_presets`` replaces exactly these, nothing else.
PLACEHOLDER_TEXTS = {
    "officecore": "오피스코어 그룹웨어 서비스 이용약관 (000). 전문은 seeds/000 참조.",
    "flow": "플로우 서비스 이용약관 (001). 전문은 seeds/001 참조.",
    "dcloud": "디클라우드 서비스 이용약관 (002). 전문은 seeds/002 참조.",
    "kgmsg": "메시징 서비스 이용 특약 (003). 전문은 seeds/003 참조.",
    "damoa": "다모아CRM 이용약관 (004). 전문은 seeds/004 참조.",
}


def _replace_placeholder_texts(code: str) -> list[int]:
    """Give every version of preset ``code`` whose text is still the old one-line placeholder, which has
    no terms document yet and to which no customer has answered (TRM-4 consent records), the preset's
    terms text and its articles (TRM-1). The placeholder only pointed at the full text, so this fills it
    in; any other text (customised, imported, with a document, or one customers accepted or refused as it
    stands) is left exactly as it is. Safe to run twice or concurrently (the row lock and the re-check
    decide). Returns the ids of the versions changed."""
    placeholder = PLACEHOLDER_TEXTS.get(code)
    if placeholder is None:
        return []
    candidates = list(
        Policy.objects.filter(code=code, terms_text_ko=placeholder, terms_document__isnull=True)
        .exclude(pk__in=TermsConsent.objects.values("policy_id"))
        .order_by("version")
        .values_list("pk", flat=True)
    )
    if not candidates:
        return []
    text = preset_terms_text(code)
    parsed = parse_terms(text)
    changed: list[int] = []
    for pk in candidates:
        with transaction.atomic():
            policy = Policy.objects.select_for_update().get(pk=pk)
            if (
                policy.terms_text_ko != placeholder
                or TermsDocument.objects.filter(policy=policy).exists()
                or TermsConsent.objects.filter(policy=policy).exists()
            ):
                continue  # changed meanwhile (another run, or a person)
            # Not through policy_update: a version in use may not be edited by a person, but its placeholder
            # is not terms anyone read — the text it pointed to is what is filled in here.
            Policy.objects.filter(pk=pk).update(terms_text_ko=text)
            policy.terms_text_ko = text
            store_document(policy=policy, parsed=parsed, text=text, source_name=f"{code}.txt")
            changed.append(pk)
    return changed
