"""No-penalty termination for damoa (SLA-7) and the status page data (SLA-8)."""

from __future__ import annotations

import datetime as dt

import pytest

from contracts.models import ContractStatus, TerminationKind
from core.errors import DomainError
from sla.selectors import status_page
from sla.services.incidents import incident_open
from sla.services.maintenance import maintenance_plan
from sla.services.termination import no_penalty_termination, terminate_without_penalty
from tests.sla.conftest import D, T, contract_for

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 20)
NOW = T(2026, 11, 20, 12)


def outage(service, start, hours, **kw):  # type: ignore[no-untyped-def]
    kw.setdefault("title", f"장애 {start:%d %H}")
    return incident_open(
        service=service,
        detected_at=start,
        ended_at=start + dt.timedelta(hours=hours),
        today=TODAY,
        now=NOW,
        **kw,
    )


def test_damoa_five_outages_of_an_hour_allow_termination_without_penalty(presets):
    """SLA-7 (004 art.23-2-2): five outages of 1 hour or more in a month → penalty-free termination."""
    contract = contract_for("damoa")
    for day in range(2, 6):
        outage("damoa", T(2026, 11, day, 10), 1)
    check = no_penalty_termination(contract=contract, now=NOW)
    assert not check.applies and check.long_outages == 4
    with pytest.raises(DomainError) as info:
        terminate_without_penalty(contract=contract, effective_on=D(2026, 11, 30), today=TODAY, now=NOW)
    assert info.value.rule == "SLA-7"
    outage("damoa", T(2026, 11, 6, 10), 1)
    check = no_penalty_termination(contract=contract, now=NOW)
    assert check.applies and check.long_outages == 5
    contract = terminate_without_penalty(
        contract=contract, effective_on=D(2026, 11, 30), today=TODAY, now=NOW
    )
    assert contract.status == ContractStatus.TERMINATING
    assert contract.penalty_exempt and contract.termination_kind == TerminationKind.OPERATOR_FAULT


def test_damoa_48_hours_in_a_month_allow_termination_without_penalty(presets):
    """SLA-7 (004 art.23-2-1): 48 hours of outage last month count too."""
    contract = contract_for("damoa")
    outage("damoa", T(2026, 10, 10, 0), 48)
    assert no_penalty_termination(contract=contract, now=NOW).applies


def test_no_penalty_rule_does_not_exist_for_other_presets(presets):
    """SLA-7: officecore has no such clause."""
    contract = contract_for("officecore")
    outage("officecore", T(2026, 11, 2, 0), 60)
    assert not no_penalty_termination(contract=contract, now=NOW).applies


def test_status_page_lists_current_incidents_maintenance_and_90_days(presets):
    """SLA-8: current incidents, upcoming announced maintenance, and 90 days of daily availability."""
    contract_for("officecore")
    outage("officecore", T(2026, 11, 18, 0), 6)  # a quarter of 11-18 down
    current = incident_open(
        service="officecore", title="진행 중", detected_at=T(2026, 11, 20, 11), today=TODAY, now=NOW
    )
    window = maintenance_plan(
        service="officecore",
        title="점검",
        starts_at=T(2026, 11, 25, 0),
        ends_at=T(2026, 11, 25, 2),
        today=TODAY,
        now=NOW,
    )
    page = status_page(service="officecore", now=NOW)
    assert page["current_incidents"] == [current]
    assert page["maintenance"] == [window]
    days = page["days"]
    assert len(days) == 90 and days[-1]["date"] == D(2026, 11, 19) and days[0]["date"] == D(2026, 8, 22)
    by_date = {d["date"]: d for d in days}
    assert by_date[D(2026, 11, 18)]["availability"] == 75.0
    assert by_date[D(2026, 11, 17)]["availability"] == 100.0
