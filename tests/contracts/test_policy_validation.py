"""Policy and Plan validation: bad rule values are refused with the field (and rule) named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.models import DueRule, IssueRule, LateChargeModel, Plan, Policy, SlaCreditModel
from contracts.policy import validate_overrides
from contracts.presets import preset_values

from .factories import PlanFactory, PolicyFactory

pytestmark = pytest.mark.django_db


def errors_of(policy: Policy) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as info:
        policy.full_clean()
    return info.value.message_dict


def preset(code: str, **changes) -> Policy:
    values = {**preset_values(code), **changes}
    return Policy(version=1, **values)


def test_factory_policy_is_valid():
    """TRM-1: a staff-made policy with defaults validates."""
    PolicyFactory().full_clean()


def test_ladder_out_of_order_is_refused():
    """DUN: ladder days must not go backwards."""
    policy = preset(
        "dcloud",
        dunning_ladder=[
            {"day": 15, "action": "notify", "business_days": False},
            {"day": 1, "action": "notify", "business_days": False},
        ],
    )
    messages = errors_of(policy)["dunning_ladder"]
    assert any("순서대로가 아닙니다 (DUN)" in m for m in messages)


def test_ladder_negative_day_unknown_action_and_bad_keys_are_refused():
    """DUN: negative days, unknown actions, unknown keys and non-boolean units are refused."""
    for bad, fragment in [
        ([{"day": -1, "action": "notify"}], "음수"),
        ([{"day": 1, "action": "shout"}], "조치를 알 수 없습니다"),
        ([{"day": 1, "action": "notify", "colour": "red"}], "알 수 없는 항목"),
        ([{"day": 1, "action": "notify", "business_days": "yes"}], "business_days"),
        ([{"day": "1", "action": "notify"}], "정수가 아닙니다"),
        ([{"day": 1, "action": "notify", "anchor": "someday"}], "기준일"),
        ({"day": 1}, "JSON 배열"),
    ]:
        messages = errors_of(preset("kgmsg", dunning_ladder=bad))["dunning_ladder"]
        assert any(fragment in m for m in messages), (bad, messages)


def test_ladder_units_are_ordered_separately():
    """DUN, BIL-8: flow mixes business-day retries, calendar days and end-of-next-month steps; each unit is
    ordered on its own."""
    preset("flow").full_clean()
    bad = preset(
        "flow",
        dunning_ladder=[
            {"day": 10, "action": "retry_payment", "business_days": True},
            {"day": 5, "action": "retry_payment", "business_days": True},
        ],
    )
    assert "dunning_ladder" in errors_of(bad)


def test_suspension_notice_longer_than_ladder_is_refused():
    """DUN: damoa's 7-day suspension notice cannot exceed the suspend step's day."""
    bad = preset("damoa", suspension_notice_days=12)
    assert "suspension_notice_days" in errors_of(bad)


def test_overlapping_tiers_are_refused():
    """SLA-4: credit tiers must not overlap."""
    bad = preset(
        "officecore",
        sla_credit_tiers=[
            {"min": 99.0, "max": 99.5, "percent": 10},
            {"min": 95.0, "max": 99.2, "percent": 25},
        ],
    )
    assert any("겹칩니다 (SLA-4)" in m for m in errors_of(bad)["sla_credit_tiers"])


def test_tier_min_above_max_and_percent_above_100_are_refused():
    """SLA-4: min must be below max; a credit percent is at most 100."""
    assert "sla_credit_tiers" in errors_of(
        preset("officecore", sla_credit_tiers=[{"min": 99.5, "max": 99.0, "percent": 10}])
    )
    assert "sla_credit_tiers" in errors_of(
        preset("officecore", sla_credit_tiers=[{"min": 0, "max": 95, "percent": 150}])
    )
    assert "sla_credit_tiers" in errors_of(preset("officecore", sla_credit_tiers=[]))
    # a non-tier model needs no tiers
    preset("officecore", sla_credit_model=SlaCreditModel.NONE, sla_credit_tiers=[]).full_clean()


def test_negative_days_and_percent_over_100_are_refused():
    """BIL-9, BIL-10, CON-6: negative numbers and percents above 100 name their field."""
    errors = errors_of(
        preset(
            "dcloud",
            dispute_window_days=-1,
            renewal_reminder_days=-5,
            vat_rate_percent=Decimal("101"),
            termination_penalty_percent=Decimal("-1"),
        )
    )
    assert {
        "dispute_window_days",
        "renewal_reminder_days",
        "vat_rate_percent",
        "termination_penalty_percent",
    } <= set(errors)


def test_due_and_issue_rule_numbers_out_of_range_are_refused():
    """BIL-3: issue/due numbers must suit their rule."""
    assert "due_day_of_month" in errors_of(preset("damoa", due_day_of_month=32))
    assert "due_day_of_month" in errors_of(preset("damoa", due_day_of_month=None))
    assert "due_days" in errors_of(preset("kgmsg", due_days=0))
    assert "issue_day" in errors_of(preset("kgmsg", issue_day=25))
    assert "issue_day" in errors_of(preset("dcloud", issue_day=None))
    assert "due_days" in errors_of(preset("officecore", due_days=400))
    circular = preset(
        "damoa", issue_rule=IssueRule.DAYS_BEFORE_DUE, due_rule=DueRule.DAYS_AFTER_ISSUE, due_days=5
    )
    assert "due_rule" in errors_of(circular)


def test_rule_consistency_checks():
    """BIL-9, BIL-16, CON-5, TRM-2, SLA-5: dependent values must be present and consistent."""
    assert "late_charge_monthly_percent" in errors_of(
        preset("officecore", late_charge_model=LateChargeModel.DAILY_RATE)
    )
    assert "suspension_fee_max_days" in errors_of(preset("flow", suspension_fee_max_days=None))
    assert "default_term_months" in errors_of(preset("dcloud", default_term_months=6))
    assert "term_options_months" in errors_of(preset("dcloud", term_options_months=[1, 12]))
    assert "terms_change_unfavourable_notice_days" in errors_of(
        preset("flow", terms_change_unfavourable_notice_days=3)
    )
    assert "sla_claim_window_days" in errors_of(preset("flow", sla_claim_window_days=None))
    assert "allows_monthly_cycle" in errors_of(
        preset("flow", allows_monthly_cycle=False, allows_annual_cycle=False)
    )


def test_database_refuses_out_of_range_values():
    """BIL-3, DAT-2: the database guards non-negative numbers and day ranges even without full_clean."""
    policy = PolicyFactory()
    for field, value in [
        ("data_retention_months", -1),
        ("vat_rate_percent", Decimal("120")),
        ("due_day_of_month", 40),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Policy.objects.filter(pk=policy.pk).update(**{field: value})


def test_code_and_version_are_unique():
    """TRM-1: one row per (code, version)."""
    PolicyFactory(code="x", version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PolicyFactory(code="x", version=1)


def test_plan_validation():
    """CON-3, BIL-6, CON-5, ACC-3: plan documents, unit prices, cycle and guests must fit the policy."""
    plan = PlanFactory.build(
        policy=PolicyFactory(), required_documents=["passport"], usage_unit_prices={"sms": -1, "fax": 3}
    )
    with pytest.raises(ValidationError) as info:
        plan.full_clean()
    assert {"required_documents", "usage_unit_prices"} <= set(info.value.message_dict)
    annual = PlanFactory.build(
        policy=PolicyFactory(allows_annual_cycle=False), billing_cycle="annual", allows_guest=True
    )
    with pytest.raises(ValidationError) as info:
        annual.full_clean()
    assert {"billing_cycle", "allows_guest"} <= set(info.value.message_dict)
    with pytest.raises(IntegrityError), transaction.atomic():
        Plan.objects.create(code="neg", name="neg", policy=PolicyFactory(), setup_fee_won=-1)


def test_validate_overrides_for_special_terms():
    """CON-12: special-term overrides are checked against the rules and name the field."""
    policy = preset("dcloud")
    assert validate_overrides(policy=policy, overrides={"dispute_window_days": 30}) == {
        "dispute_window_days": 30
    }
    with pytest.raises(ValidationError) as info:
        validate_overrides(policy=policy, overrides={"termination_penalty_percent": Decimal("130")})
    assert "termination_penalty_percent" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        validate_overrides(policy=policy, overrides={"version": 9})
    assert "version" in info.value.message_dict
