"""CON-5 and CON-6: terms of contract and auto-renewal."""

from __future__ import annotations

import datetime as dt

import pytest

from contracts.models import ContractPeriod, ContractStatus, TerminationKind
from contracts.services import renewal, termination
from core.errors import DomainError
from tests.contracts.conftest import D, active, apply, notice_keys

pytestmark = pytest.mark.django_db


def _run_renewals(start: dt.date, end: dt.date) -> None:
    day = start
    while day <= end:
        renewal.renew_due(today=day)
        termination.complete_due(today=day)
        day += dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("code", "cycle", "term", "expected_end"),
    [
        ("officecore", "monthly", None, D(2026, 2, 4)),
        ("officecore", "annual", None, D(2027, 1, 4)),
        ("flow", "monthly", None, D(2026, 2, 4)),
        ("flow", "annual", None, D(2027, 1, 4)),
        ("dcloud", "monthly", None, D(2027, 1, 4)),
        ("kgmsg", "monthly", None, D(2027, 1, 4)),
        ("damoa", "monthly", None, D(2026, 2, 4)),
        ("damoa", "monthly", 12, D(2027, 1, 4)),
        ("damoa", "monthly", 24, D(2028, 1, 4)),
    ],
)
def test_term_lengths_per_preset(presets, code, cycle, term, expected_end):
    """CON-5: default and optional terms per preset (damoa 1 month or 1/2 years; dcloud, kgmsg 1 year; flow
    monthly or annual cycle)."""
    kwargs = {"term_months": term} if term else {}
    contract = active(code, cycle=cycle, **kwargs)
    period = contract.periods.get()
    assert (period.starts_on, period.ends_on) == (D(2026, 1, 5), expected_end)


@pytest.mark.parametrize(
    ("code", "term", "error"), [("dcloud", 1, "term_too_short"), ("damoa", 3, "term_not_offered")]
)
def test_term_outside_policy_refused(presets, code, term, error):
    """CON-5: a term shorter than the minimum, or not among the options, is refused."""
    with pytest.raises(DomainError) as err:
        apply(code, term_months=term)
    assert err.value.code == error and err.value.rule == "CON-5"


def test_dcloud_renews_for_a_year_as_a_new_period(presets):
    """CON-6: one reminder 30 days before; at the end a new period row with the same conditions; the old row
    is never edited."""
    contract = active("dcloud")
    first = contract.periods.get()
    snapshot = (first.starts_on, first.ends_on, first.policy_id, first.extension_days)
    assert renewal.renew_due(today=D(2026, 12, 4))["reminded"] == 0
    assert renewal.renew_due(today=D(2026, 12, 5))["reminded"] == 1
    assert renewal.renew_due(today=D(2026, 12, 6))["reminded"] == 0
    assert len(notice_keys("contract.renewal_reminder", contract=contract)) == 1
    assert renewal.renew_due(today=D(2027, 1, 4))["renewed"] == 0
    assert renewal.renew_due(today=D(2027, 1, 5))["renewed"] == 1
    assert renewal.renew_due(today=D(2027, 1, 5))["renewed"] == 0
    periods = list(contract.periods.order_by("number"))
    assert [(p.number, p.kind, p.starts_on, p.ends_on) for p in periods] == [
        (1, ContractPeriod.Kind.INITIAL, D(2026, 1, 5), D(2027, 1, 4)),
        (2, ContractPeriod.Kind.RENEWAL, D(2027, 1, 5), D(2028, 1, 4)),
    ]
    first.refresh_from_db()
    assert (first.starts_on, first.ends_on, first.policy_id, first.extension_days) == snapshot
    assert periods[1].policy_id == contract.policy_id
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE and contract.seats == 1
    assert len(notice_keys("contract.renewed", contract=contract)) == 1


def test_kgmsg_notice_30_days_before_expiry_stops_renewal(presets):
    """CON-6 (003 art.12): notice by 30 days before expiry stops the renewal; the contract ends with its
    term."""
    contract = active("kgmsg")
    renewal.renewal_stop(contract=contract, today=D(2026, 12, 5), reason="서면 통지")
    contract.refresh_from_db()
    assert contract.renewal_stopped
    assert notice_keys("contract.renewal_stopped", contract=contract)
    # No reminder is sent for a renewal that will not happen.
    _run_renewals(D(2026, 12, 1), D(2027, 1, 4))
    assert not notice_keys("contract.renewal_reminder", contract=contract)
    contract.refresh_from_db()
    assert contract.status == ContractStatus.ACTIVE
    _run_renewals(D(2027, 1, 5), D(2027, 1, 5))
    contract.refresh_from_db()
    assert contract.status == ContractStatus.TERMINATED
    assert contract.termination_kind == TerminationKind.TERM_END
    assert contract.terminated_on == D(2027, 1, 4)
    assert contract.periods.count() == 1


def test_kgmsg_late_notice_refused(presets):
    """CON-6: a notice after the deadline is refused naming the deadline; the contract renews."""
    contract = active("kgmsg")
    with pytest.raises(DomainError) as err:
        renewal.renewal_stop(contract=contract, today=D(2026, 12, 6))
    assert err.value.code == "renewal_notice_too_late" and err.value.rule == "CON-6"
    assert "2026-12-05" in err.value.message_ko
    contract.refresh_from_db()
    assert not contract.renewal_stopped
    renewal.renew_due(today=D(2027, 1, 5))
    assert contract.periods.count() == 2


def test_damoa_renews_month_by_month_after_a_year(presets):
    """CON-6 (004 art.7③): damoa renews for one month at a time, also after a 1-year term."""
    contract = active("damoa", term_months=12)
    _run_renewals(D(2027, 1, 4), D(2027, 3, 6))
    periods = [(p.starts_on, p.ends_on) for p in contract.periods.order_by("number")]
    assert periods == [
        (D(2026, 1, 5), D(2027, 1, 4)),
        (D(2027, 1, 5), D(2027, 2, 4)),
        (D(2027, 2, 5), D(2027, 3, 4)),
        (D(2027, 3, 5), D(2027, 4, 4)),
    ]


def test_flow_monthly_renews_next_cycle(presets):
    """CON-6 (001 art.18-3): flow renews for the next cycle of the same length."""
    contract = active("flow")
    _run_renewals(D(2026, 2, 4), D(2026, 2, 5))
    assert [(p.starts_on, p.ends_on) for p in contract.periods.order_by("number")][-1] == (
        D(2026, 2, 5),
        D(2026, 3, 4),
    )


def test_start_on_31st_returns_to_its_day(presets):
    """CON-6 / BIL-2: a contract started on the 31st renews on the last day of shorter months and returns to
    the 31st afterwards (core.calendar.add_months)."""
    contract = active("officecore", today=D(2026, 1, 28), start=D(2026, 1, 31))
    _run_renewals(D(2026, 2, 1), D(2026, 6, 1))
    periods = [(p.starts_on, p.ends_on) for p in contract.periods.order_by("number")]
    assert periods == [
        (D(2026, 1, 31), D(2026, 2, 27)),
        (D(2026, 2, 28), D(2026, 3, 30)),
        (D(2026, 3, 31), D(2026, 4, 29)),
        (D(2026, 4, 30), D(2026, 5, 30)),
        (D(2026, 5, 31), D(2026, 6, 29)),
    ]


def test_period_end_math():
    """CON-6 / BIL-2: period ends keep the anniversary day, leap years included."""
    assert renewal.period_end(D(2026, 1, 31), 1) == D(2026, 2, 27)
    assert renewal.period_end(D(2026, 2, 28), 1, 31) == D(2026, 3, 30)
    assert renewal.period_end(D(2028, 1, 30), 1) == D(2028, 2, 28)
    assert renewal.period_end(D(2028, 2, 29), 12) == D(2029, 2, 27)
    assert renewal.period_end(D(2026, 1, 5), 12) == D(2027, 1, 4)


def test_missed_days_are_caught_up(presets):
    """CON-6: when the job did not run for a while, renewal adds every missed period in order."""
    contract = active("flow")
    result = renewal.renew_due(today=D(2026, 4, 10))
    assert result["renewed"] == 3
    assert [p.starts_on for p in contract.periods.order_by("number")] == [
        D(2026, 1, 5),
        D(2026, 2, 5),
        D(2026, 3, 5),
        D(2026, 4, 5),
    ]


def test_reminder_days_configurable(presets):
    """CON-6: the reminder lead time comes from the policy (special term overrides it, CON-12)."""
    from contracts.services import changes

    contract = active("dcloud")
    changes.special_term_set(
        contract=contract,
        parameter="renewal_reminder_days",
        value=60,
        note="60일 전 안내",
        signed_on=D(2026, 1, 5),
    )
    assert renewal.renew_due(today=D(2026, 11, 4))["reminded"] == 0
    assert renewal.renew_due(today=D(2026, 11, 5))["reminded"] == 1
