"""BIL-12..14: termination settlement models are named by their shape and picked from a table."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from billing.services import settlement
from contracts.models import Policy, SpecialTerm, TerminationChargeModel
from contracts.services import changes
from tests.contracts.conftest import D, active

pytestmark = pytest.mark.django_db
M = TerminationChargeModel
migration = importlib.import_module("contracts.migrations.0005_termination_models_named_by_shape")


def test_every_model_has_a_strategy_or_the_default():
    """BIL-12..14: each named shape maps to at most one refund and one penalty strategy; the tables hold
    only declared models."""
    assert set(settlement.REFUND_STRATEGIES) | set(settlement.PENALTY_STRATEGIES) <= set(M.values)
    assert set(settlement.REFUND_STRATEGIES) == {M.REMAINING_DAYS_PRORATED, M.UNUSED_CONTRACT_AMOUNT_PERCENT}
    assert set(settlement.PENALTY_STRATEGIES) == {M.PERCENT_OF_REMAINING_MONTHS, M.RECEIVED_BENEFITS}


def test_migration_moves_stored_values_to_the_shape_names(presets):
    """BIL-12..14, CON-12: policies, their history and special terms holding a preset-named value get the
    shape name; backwards restores it."""
    dcloud = Policy.objects.filter(code="dcloud").first()
    assert dcloud is not None and dcloud.termination_model_annual == M.PERCENT_OF_REMAINING_MONTHS
    contract = active("flow")
    term = changes.special_term_set(
        contract=contract,
        parameter="termination_model_monthly",
        value=M.USED_MONTH_THRESHOLD,
        note="특약",
        signed_on=D(2026, 1, 5),
    )
    Policy.objects.filter(pk=dcloud.pk).update(termination_model_annual="dcloud_60pct")
    SpecialTerm.objects.filter(pk=term.pk).update(value="flow_monthly_15day")

    migration.forwards(apps, None)
    dcloud.refresh_from_db()
    assert dcloud.termination_model_annual == "percent_of_remaining_months"
    assert SpecialTerm.objects.get(pk=term.pk).value == "used_month_threshold"
    old_names = set(migration.RENAMES)
    assert not Policy.objects.filter(termination_model_monthly__in=old_names).exists()
    assert not Policy.history.filter(termination_model_annual__in=old_names).exists()

    migration.backwards(apps, None)
    dcloud.refresh_from_db()
    assert dcloud.termination_model_annual == "dcloud_60pct"
    assert set(migration.RENAMES.values()) == set(M.values) - {M.NONE}
