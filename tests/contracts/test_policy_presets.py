"""The five built-in presets load, validate and carry the SPEC's numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from contracts.models import (
    DueRule,
    DunningAnchor,
    IssueRule,
    LateChargeModel,
    Plan,
    Policy,
    SeatBasis,
    SlaCapModel,
    SlaCreditModel,
    SlaMeasurement,
    SuspensionFeeModel,
    TerminationChargeModel,
    TermsRefusalOutcome,
    WithdrawalFrom,
)
from contracts.policy import editable_field_names, policy_for
from contracts.presets import COMMON, PRESET_CODES, PRESETS, load_presets, preset_values

pytestmark = pytest.mark.django_db


def ladder(policy: Policy) -> list[tuple[int, str]]:
    return [(s.day, s.action) for s in policy.ladder_steps()]


@pytest.fixture
def presets() -> dict[str, Policy]:
    return {p.code: p for p in load_presets()}


def test_every_preset_lists_every_rule_value():
    """TRM-1: each preset states every Policy rule value (none silently falls back to a model default)."""
    needed = set(editable_field_names()) | {"code"}
    for code in PRESET_CODES:
        missing = needed - set(preset_values(code))
        assert not missing, f"{code} lacks {sorted(missing)}"
        unknown = set(PRESETS[code]) - needed
        assert not unknown, f"{code} has unknown keys {sorted(unknown)}"
    assert set(COMMON) <= needed


def test_all_presets_load_published_and_validate(presets):
    """TRM-1: five published version-1 policies that pass full_clean, each with 1–2 valid plans."""
    assert sorted(presets) == sorted(PRESET_CODES)
    for code, policy in presets.items():
        policy.full_clean()
        assert policy.version == 1
        assert policy.status == Policy.Status.PUBLISHED
        assert policy.published_at is not None
        plans = list(policy.plans.all())
        assert 1 <= len(plans) <= 2, code
        for plan in plans:
            plan.full_clean()
        assert policy.history.count() == 1


def test_loading_twice_creates_nothing_new(presets):
    """TRM-1: load_presets is idempotent: the second run returns the same rows and adds none."""
    before = (Policy.objects.count(), Plan.objects.count(), Policy.history.count())
    again = load_presets()
    assert [p.pk for p in again] == [presets[c].pk for c in PRESET_CODES]
    assert (Policy.objects.count(), Plan.objects.count(), Policy.history.count()) == before


def test_existing_version_one_is_left_alone(presets):
    """TRM-1: a preset version 1 that staff changed (while unused) is not overwritten by a reload."""
    Policy.objects.filter(pk=presets["kgmsg"].pk).update(name="바뀐 이름")
    load_presets()
    assert Policy.objects.get(pk=presets["kgmsg"].pk).name == "바뀐 이름"


def test_load_presets_command_is_idempotent(capsys):
    """TRM-1: the management command wraps the service and can run twice."""
    call_command("load_presets")
    call_command("load_presets")
    assert Policy.objects.count() == 5
    assert "5 presets ready" in capsys.readouterr().out


def test_policy_for_returns_current_published_version(presets):
    """TRM-1: policy_for(code) answers the published version in force on the date."""
    assert policy_for("dcloud", today=dt.date(2026, 11, 1)) == presets["dcloud"]


def test_officecore_values(presets):
    """TRM-5, BIL-3, BIL-10, BIL-12, CON-8, DUN (§6), SLA-3, SLA-4, DAT-2: officecore (000) numbers."""
    p = presets["officecore"]
    assert p.terms_refusal_outcome == TermsRefusalOutcome.TERMINATE_WITHOUT_PENALTY
    assert (p.issue_rule, p.due_rule, p.due_days) == (IssueRule.FIRST_OF_MONTH, DueRule.DAYS_AFTER_ISSUE, 14)
    assert ladder(p) == [(1, "notify"), (7, "notify"), (14, "restrict"), (30, "terminate")]
    assert p.late_charge_model == LateChargeModel.NONE
    assert (p.dispute_window_months, p.dispute_no_limit_if_operator_erred, p.dispute_answer_days) == (
        6,
        True,
        14,
    )
    assert p.termination_model_monthly == TerminationChargeModel.REMAINING_DAYS_PRORATED
    assert p.refund_excludes_one_time_fees and p.refund_subtracts_promotions and p.refund_by_end_of_next_month
    assert (p.withdrawal_days, p.withdrawal_business_days, p.withdrawal_from) == (
        7,
        False,
        WithdrawalFrom.SERVICE_START,
    )
    assert p.sla_measurement == SlaMeasurement.OFFICECORE_2H_JOIN_1H
    assert (p.sla_min_outage_minutes, p.sla_join_gap_minutes) == (120, 60)
    assert p.credit_percent_for(Decimal("99.1435")) == 10  # SPEC §12 item 7
    assert p.credit_percent_for(Decimal("99.0")) == 10
    assert p.credit_percent_for(Decimal("98.99")) == 25
    assert p.credit_percent_for(Decimal("94.9")) == 50
    assert p.credit_percent_for(Decimal("99.5")) == 0
    assert p.data_retention_months == 6
    assert (p.contract_records_retention_years, p.dispute_records_retention_years) == (5, 3)


def test_flow_values(presets):
    """flow (001): TRM-5, CON-5, CON-6, BIL-5, BIL-8, BIL-9, BIL-13, BIL-16, BIL-20, DUN (§6), SLA-3, SLA-4,
    SLA-5, DAT-2."""
    p = presets["flow"]
    assert p.vat_included is True
    assert (p.allows_monthly_cycle, p.allows_annual_cycle, p.guest_accounts_allowed) == (True, True, True)
    assert p.monthly_seat_basis == SeatBasis.PEAK_USERS
    assert p.annual_added_seats_prorated and not p.refund_on_seat_reduction
    assert not p.plan_change_during_annual_term and not p.paid_to_guest_allowed
    assert (p.payment_retry_count, p.payment_retry_window_business_days) == (2, 10)
    assert p.late_charge_model == LateChargeModel.MONTHLY_SURCHARGE
    assert (p.late_charge_monthly_percent, p.late_charge_grace_days, p.late_charge_waivable) == (
        Decimal("1.5"),
        30,
        False,
    )
    steps = p.ladder_steps()
    retries = [s for s in steps if s.action == "retry_payment"]
    assert [(s.day, s.business_days) for s in retries] == [(0, True), (5, True), (10, True)]
    assert any(s.action == "suspend" and s.day == 10 and s.business_days for s in steps)
    terminate = next(s for s in steps if s.action == "terminate")
    assert terminate.anchor == DunningAnchor.END_OF_NEXT_MONTH
    assert any(s.action == "refer_to_collections" and s.day == 90 for s in steps)
    assert p.nonpayment_data_keep_days == 30
    assert (p.suspension_fee_model, p.suspension_fee_max_days) == (SuspensionFeeModel.CHARGED_UP_TO_DAYS, 30)
    assert p.termination_model_monthly == TerminationChargeModel.USED_MONTH_THRESHOLD
    assert p.termination_model_annual == TerminationChargeModel.UNUSED_CONTRACT_AMOUNT_PERCENT
    assert (p.termination_refund_percent, p.termination_used_month_threshold_days) == (Decimal("90"), 15)
    assert p.withdrawal_charges_used_days
    assert p.auto_renew and p.renewal_months is None
    assert p.evasion_multiplier == 2
    assert p.sla_measurement == SlaMeasurement.FLOW_ERROR_RATE
    assert (p.sla_error_rate_percent, p.sla_error_window_minutes) == (Decimal("5"), 5)
    assert p.sla_credit_model == SlaCreditModel.TIERS_OF_AVERAGE_SPEND and p.sla_average_months == 3
    assert p.credit_percent_for(Decimal("98.5")) == 25  # SPEC §12 item 8
    assert p.credit_percent_for(Decimal("99.85")) == 10
    assert p.sla_credit_cap == SlaCapModel.PAID_THIS_MONTH
    assert (p.sla_claim_required, p.sla_claim_window_days) == (True, 30)
    assert p.data_retention_months == 0
    monthly = p.plans.get(code="flow-business-monthly")
    assert (monthly.monthly_price_per_seat_won, monthly.annual_monthly_price_per_seat_won) == (10_000, 8_000)


def test_dcloud_values(presets):
    """dcloud (002): TRM-5, CON-5, CON-6, CON-7, BIL-3, BIL-9, BIL-10, BIL-14, DUN (§6), SLA-3, SLA-4, SLA-5,
    DAT-2."""
    p = presets["dcloud"]
    assert p.terms_refusal_outcome == TermsRefusalOutcome.OLD_VERSION_UNTIL_TERM_END
    assert (p.issue_rule, p.issue_day, p.due_rule) == (
        IssueRule.FIXED_DAY_NEXT_MONTH,
        10,
        DueRule.LAST_DAY_NEXT_MONTH,
    )
    assert p.late_charge_model == LateChargeModel.DAILY_RATE
    assert (p.late_charge_monthly_percent, p.late_charge_months_per_year, p.late_charge_day_basis) == (
        Decimal("1.5"),
        12,
        365,
    )
    assert p.late_charge_annual_percent == Decimal("18")
    assert p.late_charge_grace_days == 0
    assert ladder(p) == [
        (1, "notify"),
        (15, "notify"),
        (25, "notify"),
        (30, "restrict"),
        (35, "terminate"),
        (35, "refer_to_collections"),
    ]
    assert p.max_suspension_extension_days == 60
    assert (p.dispute_window_days, p.dispute_answer_days) == (15, 7)
    assert p.termination_model_annual == TerminationChargeModel.PERCENT_OF_REMAINING_MONTHS
    assert (p.termination_penalty_percent, p.termination_penalty_average_months) == (Decimal("60"), 3)
    assert p.penalty_excludes_agreed_discounts and p.annual_prepay_refund_converts
    assert (p.min_term_months, p.default_term_months, p.renewal_months, p.auto_renew) == (12, 12, 12, True)
    assert p.customer_termination_notice_days == 7
    assert p.withdrawal_days is None
    assert (p.sla_measurement, p.sla_min_outage_minutes, p.sla_counting_offset_minutes) == (
        SlaMeasurement.DCLOUD_30MIN,
        30,
        30,
    )
    assert (p.sla_credit_model, p.sla_target_percent) == (SlaCreditModel.DAILY_FEE_AFTER_FLOOR, Decimal("95"))
    assert (p.sla_claim_required, p.sla_claim_window_months) == (True, 3)
    assert (p.maintenance_window_start, p.maintenance_window_end) == (dt.time(0, 0), dt.time(7, 0))
    assert p.data_retention_months == 0


def test_kgmsg_values(presets):
    """CON-5, CON-6, BIL-3, BIL-6, DUN (§6), MSG-2, MSG-4, MSG-6, MSG-7, CON-3: kgmsg (003) numbers."""
    p = presets["kgmsg"]
    assert (p.issue_rule, p.issue_day) == (IssueRule.NTH_BUSINESS_DAY_NEXT_MONTH, 10)
    assert (p.due_rule, p.due_days) == (DueRule.BUSINESS_DAYS_AFTER_ISSUE, 20)
    assert ladder(p) == [(1, "notify"), (10, "suspend"), (30, "terminate")]
    assert (p.default_term_months, p.renewal_months, p.renewal_notice_days, p.renewal_notice_written) == (
        12,
        12,
        30,
        True,
    )
    assert (p.sms_max_bytes, p.lms_max_bytes, p.lms_subject_max_bytes) == (80, 2000, 40)
    assert (p.alimtalk_max_chars, p.friendtalk_text_max_chars, p.friendtalk_image_max_chars) == (
        1000,
        1000,
        400,
    )
    assert (p.kakao_buttons_max, p.kakao_button_name_max_chars) == (5, 14)
    assert (p.ad_night_start, p.ad_night_end) == (dt.time(21, 0), dt.time(8, 0))
    assert (p.friendtalk_block_start, p.friendtalk_block_end) == (dt.time(20, 50), dt.time(8, 0))
    assert (p.max_sms_sender_numbers, p.message_result_timeout_hours) == (10, 48)
    assert p.sla_measurement == SlaMeasurement.NONE
    plan = p.plans.get()
    assert (plan.unit_price_won("sms"), plan.unit_price_won("lms"), plan.unit_price_won("alimtalk")) == (
        9,
        27,
        7,
    )
    assert "telecom_certificate" in plan.required_documents


def test_damoa_values(presets):
    """ACC-1, CON-5, CON-6, CON-8, CON-9, CON-10, BIL-3, BIL-10, BIL-14, BIL-16, DUN (§6), SLA-3, SLA-4,
    SLA-7,
    DAT-2: damoa (004) numbers, with the [reading] of termination at day 25."""
    p = presets["damoa"]
    assert p.businesses_only is True
    assert (p.issue_rule, p.issue_days_before_due) == (IssueRule.DAYS_BEFORE_DUE, 5)
    assert (p.due_rule, p.due_day_of_month) == (DueRule.DAY_OF_USAGE_MONTH, 10)
    assert ladder(p) == [(1, "notify"), (3, "notify"), (10, "suspend"), (25, "terminate")]
    assert p.suspension_notice_days == 7
    assert (p.dispute_months_from_knowing, p.dispute_months_from_cause) == (1, 2)
    assert p.termination_model_monthly == TerminationChargeModel.RECEIVED_BENEFITS
    assert p.suspension_fee_model == SuspensionFeeModel.NONE
    assert (p.min_term_months, p.term_options_months, p.renewal_months) == (1, [1, 12, 24], 1)
    assert p.operator_termination_explanation_days == 30
    assert (p.violation_suspension_notice_days, p.violation_suspension_max_days) == (7, 30)
    assert (p.withdrawal_days, p.withdrawal_business_days, p.withdrawal_from) == (
        7,
        True,
        WithdrawalFrom.ORDER,
    )
    assert p.withdrawal_trial_starts_clock and p.withdrawal_requires_unused
    assert (p.sla_measurement, p.sla_min_outage_minutes) == (SlaMeasurement.DAMOA_24H_FULL, 1440)
    assert (p.sla_credit_model, p.sla_multiplier) == (SlaCreditModel.MULTIPLIED_DAILY_FEE, Decimal("3"))
    assert (
        p.sla_termination_outage_hours,
        p.sla_termination_outage_count,
        p.sla_termination_outage_min_minutes,
    ) == (48, 5, 60)
    assert (p.data_retention_months, p.login_id_retention_months) == (1, 3)
    assert p.plans.get().monthly_fee_won == 300_000


def test_common_terms_change_and_account_values(presets):
    """TRM-2, ACC-7, ACC-10, CON-6, CON-10: shared statutory numbers in every preset."""
    for p in presets.values():
        assert (p.terms_change_notice_days, p.terms_change_unfavourable_notice_days) == (7, 30)
        assert (p.min_applicant_age, p.minors_need_representative) == (14, True)
        assert (p.dormancy_days, p.dormancy_notice_days) == (365, 30)
        assert p.renewal_reminder_days == 30
        assert p.vat_rate_percent == Decimal("10")
