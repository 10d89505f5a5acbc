"""CON-12: the effective policy is typed data: every Policy field a declared attribute, special terms laid
over the version's values, read-only."""

from __future__ import annotations

import datetime as dt
import io
import typing
from decimal import Decimal

import pytest
from django.core.management import call_command

from contracts import policy_fields_gen
from contracts.effective import EffectivePolicy, effective_policy
from contracts.models import Policy
from contracts.policy_fields import PolicyFields
from contracts.services import changes
from tests.contracts.conftest import D, active

pytestmark = pytest.mark.django_db


def test_every_policy_field_is_a_typed_attribute():
    """CON-12: the generated declarations match the model field for field (regenerate after a change)."""
    hints = typing.get_type_hints(PolicyFields, globalns={"dt": dt, "Decimal": Decimal, "Any": typing.Any})
    assert set(hints) == {f.name for f in Policy._meta.concrete_fields}
    assert hints["customer_termination_notice_days"] is int
    assert hints["vat_rate_percent"] is Decimal
    assert hints["issue_day"] == int | None
    assert policy_fields_gen.TARGET.read_text(encoding="utf-8") == policy_fields_gen.render()
    out = io.StringIO()
    call_command("generate_policy_fields", "--check", stdout=out)
    assert "up to date" in out.getvalue()


def test_special_term_overrides_with_the_fields_type(presets):
    """CON-12: a special term's JSON value comes back as the field's type; the rest is the version's."""
    contract = active("dcloud")
    changes.special_term_set(
        contract=contract,
        parameter="termination_penalty_percent",
        value="30",
        note="위약금 30%",
        signed_on=D(2026, 1, 5),
    )
    policy = effective_policy(contract)
    assert isinstance(policy, EffectivePolicy)
    assert policy.termination_penalty_percent == Decimal("30")
    assert policy.customer_termination_notice_days == contract.policy.customer_termination_notice_days
    assert policy.source("termination_penalty_percent").special_term is not None
    assert policy.source("customer_termination_notice_days").special_term is None
    assert policy.pk == contract.policy_id


def test_effective_policy_is_read_only(presets):
    """CON-12: rules read the effective policy; a change goes through the policy or a special term."""
    policy = effective_policy(active("dcloud"))
    with pytest.raises(AttributeError):
        policy.renewal_months = 3
    with pytest.raises(AttributeError):
        policy.no_such_field  # noqa: B018


@pytest.mark.django_db
def test_policy_values_reads_the_versions_once_and_the_special_terms_per_contract(presets):
    """CON-12, issue 16: ``policy_values`` gives each contract's effective value of one parameter, as
    ``effective_policy`` would, in a fixed number of queries: the special term of one contract wins for
    that contract only; an inactive special term does not."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from contracts.effective import policy_values
    from contracts.models import Contract, SpecialTerm
    from contracts.services.changes import special_term_set
    from tests.contracts.conftest import D, active

    plain, longer, lapsed = active("kgmsg"), active("kgmsg"), active("officecore")
    special_term_set(contract=longer, parameter="message_records_retention_months", value=24,
                     note="24개월 보관 특약", signed_on=D(2026, 1, 5))
    special_term_set(contract=lapsed, parameter="message_records_retention_months", value=36,
                     note="해지된 특약", signed_on=D(2026, 1, 5))
    SpecialTerm.objects.filter(contract=lapsed).update(active=False)
    contracts = Contract.objects.filter(pk__in=[plain.pk, longer.pk, lapsed.pk])
    with CaptureQueriesContext(connection) as ctx:
        rows = list(policy_values(contracts, "message_records_retention_months"))
    values = {pk: value for pk, _customer, value in rows}
    expected = {
        c.pk: effective_policy(Contract.objects.get(pk=c.pk)).message_records_retention_months
        for c in (plain, longer, lapsed)
    }
    assert values == expected
    assert values[longer.pk] == 24 and values[lapsed.pk] != 36
    assert len(ctx.captured_queries) <= 5
