"""Typed attributes of ``contracts.Policy``, GENERATED from the model by
``manage.py generate_policy_fields`` (contracts/policy_fields_gen.py); do not edit by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

__all__ = ["PolicyFields"]


class PolicyFields:
    """One annotation per Policy field, as django-stubs types the model's attributes. Declarations only:
    ``EffectivePolicy`` supplies the values (the special term's or the policy version's)."""

    id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    code: str
    version: int
    name: str
    status: str
    effective_from: dt.date | None
    published_at: dt.datetime | None
    is_unfavourable: bool
    change_reason: str
    source_notes: str
    terms_text_ko: str
    terms_text_en: str
    terms_change_notice_days: int
    terms_change_unfavourable_notice_days: int
    unfavourable_change_by_email: bool
    silence_is_consent: bool
    terms_refusal_outcome: str
    price_increase_needs_consent: bool
    service_change_notice_days: int
    portal_notice_min_days: int
    businesses_only: bool
    min_applicant_age: int
    minors_need_representative: bool
    guest_accounts_allowed: bool
    succession_filing_days: int
    activation_postpone_notice_days: int
    allows_monthly_cycle: bool
    allows_annual_cycle: bool
    billing_period: str
    billing_timing: str
    issue_rule: str
    issue_day: int | None
    issue_days_before_due: int | None
    due_rule: str
    due_days: int | None
    due_day_of_month: int | None
    vat_rate_percent: Decimal
    vat_included: bool
    rounding: str
    prorate_by_day: bool
    tax_invoice_issue_day: int
    seat_quota_enforced: bool
    monthly_seat_basis: str
    annual_added_seats_prorated: bool
    refund_on_seat_reduction: bool
    plan_change_during_annual_term: bool
    paid_to_guest_allowed: bool
    midterm_additions_prorated: bool
    payment_retry_count: int
    payment_retry_window_business_days: int
    late_charge_model: str
    late_charge_monthly_percent: Decimal
    late_charge_months_per_year: int
    late_charge_day_basis: int
    late_charge_grace_days: int
    late_charge_waivable: bool
    evasion_multiplier: int
    dunning_ladder: Any
    suspension_notice_days: int
    max_suspension_extension_days: int
    nonpayment_data_keep_days: int | None
    dunning_whole_customer: bool
    dispute_window_days: int | None
    dispute_window_months: int | None
    dispute_no_limit_if_operator_erred: bool
    dispute_months_from_knowing: int | None
    dispute_months_from_cause: int | None
    dispute_answer_days: int
    overpayment_default: str
    overpayment_statutory_interest: bool
    arrears_deducted_first: bool
    termination_model_monthly: str
    termination_model_annual: str
    termination_refund_percent: Decimal
    termination_used_month_threshold_days: int | None
    termination_seat_lookback_days: int | None
    termination_penalty_percent: Decimal
    termination_penalty_average_months: int | None
    penalty_excludes_agreed_discounts: bool
    refund_excludes_one_time_fees: bool
    refund_subtracts_promotions: bool
    refund_by_end_of_next_month: bool
    annual_prepay_refund_converts: bool
    suspension_fee_model: str
    suspension_fee_max_days: int | None
    min_term_months: int
    default_term_months: int
    term_options_months: Any
    auto_renew: bool
    renewal_months: int | None
    renewal_notice_days: int
    renewal_notice_written: bool
    renewal_reminder_days: int
    customer_termination_notice_days: int
    termination_requires_settlement: bool
    operator_termination_explanation_days: int
    violation_suspension_max_days: int
    violation_suspension_notice_days: int
    repeated_violation_window_days: int
    upheld_appeal_extends_term: bool
    withdrawal_days: int | None
    withdrawal_business_days: bool
    withdrawal_from: str
    withdrawal_trial_starts_clock: bool
    withdrawal_requires_unused: bool
    withdrawal_charges_used_days: bool
    sla_measurement: str
    sla_target_percent: Decimal | None
    sla_min_outage_minutes: int
    sla_join_gap_minutes: int
    sla_counting_offset_minutes: int
    sla_error_rate_percent: Decimal | None
    sla_error_window_minutes: int | None
    sla_credit_model: str
    sla_credit_tiers: Any
    sla_average_months: int | None
    sla_multiplier: Decimal | None
    sla_credit_cap: str
    sla_claim_required: bool
    sla_claim_window_days: int | None
    sla_claim_window_months: int | None
    sla_termination_outage_hours: int | None
    sla_termination_outage_count: int | None
    sla_termination_outage_min_minutes: int | None
    maintenance_window_start: dt.time | None
    maintenance_window_end: dt.time | None
    status_page_days: int
    data_retention_months: int
    login_id_retention_months: int | None
    contract_records_retention_years: int
    dispute_records_retention_years: int
    abuse_identity_retention_months: int
    message_records_retention_months: int
    dormancy_days: int
    dormancy_notice_days: int
    sms_max_bytes: int
    lms_max_bytes: int
    lms_subject_max_bytes: int
    alimtalk_max_chars: int
    friendtalk_text_max_chars: int
    friendtalk_image_max_chars: int
    kakao_buttons_max: int
    kakao_button_name_max_chars: int
    ad_night_start: dt.time
    ad_night_end: dt.time
    friendtalk_block_start: dt.time
    friendtalk_block_end: dt.time
    max_sms_sender_numbers: int
    max_buyer_alimtalk_sender_numbers: int
    max_merchant_receiver_numbers: int
    message_result_timeout_hours: int
