"""Explicit wiring (core.hooks): billing fills the hooks contracts declares; a missing one fails loudly."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from billing.services.facts import unpaid_won
from billing.services.settlement import settlement_compute
from contracts.models import Contract, ContractStatus
from contracts.services import applications, termination
from contracts.settlement import calculator
from core import hooks
from core.hooks import HookNotInstalled
from tests.contracts.conftest import D, active, apply

pytestmark = pytest.mark.django_db


def test_start_up_installs_billing_into_both_hooks():
    """CON-2, CON-7: a normal start-up (AppConfig.ready) installs billing's lookup and calculator, and the
    system check is clean."""
    state = hooks.snapshot()
    assert state["contracts.settlement_calculator"] is settlement_compute
    # tests/contracts/conftest.py swaps the lookup for "nothing unpaid"; billing's is what start-up put in,
    # so re-run billing's wiring and look again.
    from django.apps import apps

    apps.get_app_config("billing").ready()
    assert applications.unpaid_lookup.current is unpaid_won
    assert calculator.current is settlement_compute
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


def test_check_reports_a_missing_hook():
    """CON-2: ``manage.py check`` names the hook nobody installed (core.E001)."""
    applications.set_unpaid_lookup(None)
    with pytest.raises(SystemCheckError) as err:
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())
    assert "core.E001" in str(err.value) and "contracts.unpaid_lookup" in str(err.value)
    assert [m.id for m in hooks.check_hooks()] == ["core.E001"]


def test_application_without_unpaid_lookup_raises(presets):
    """CON-2: without billing's unpaid lookup the application checks raise instead of assuming 0, and
    nothing is written."""
    applications.set_unpaid_lookup(None)
    with pytest.raises(HookNotInstalled) as err:
        apply("flow")
    assert "contracts.unpaid_lookup" in str(err.value) and "billing" in str(err.value)
    assert not Contract.objects.exists()


def test_termination_completion_without_unpaid_lookup_raises(presets):
    """CON-7: completing a termination that must be settled first raises without the lookup; the contract
    stays ``terminating``."""
    contract = active("dcloud")
    termination.termination_request(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    applications.set_unpaid_lookup(None)
    with pytest.raises(HookNotInstalled):
        termination.termination_complete(contract=contract, today=D(2026, 3, 8))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATING


def test_termination_preview_without_calculator_raises(presets):
    """CON-7: without billing's settlement calculator the preview raises instead of showing a partial
    amount."""
    contract = active("dcloud")
    with calculator.replaced(None), pytest.raises(HookNotInstalled) as err:
        termination.termination_preview(contract=contract, effective_on=D(2026, 3, 8), today=D(2026, 3, 1))
    assert "contracts.settlement_calculator" in str(err.value)
    assert calculator.current is settlement_compute
