"""Incidents (SLA-1) and maintenance windows (SLA-2): start, confirmation, bad input refused whole,
timeline and notices to the affected customers."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from messaging.models import Notice
from sla.models import Incident, IncidentUpdate, MaintenanceWindow
from sla.services.incidents import (
    incident_confirm,
    incident_open,
    incident_post_update,
    incident_reject,
    incident_report,
    incident_resolve,
)
from sla.services.maintenance import maintenance_cancel, maintenance_change, maintenance_plan
from tests.sla.conftest import D, T, contract_for

pytestmark = pytest.mark.django_db

TODAY = D(2026, 11, 10)
NOW = T(2026, 11, 10, 12)


def events(customer) -> list[str]:  # type: ignore[no-untyped-def]
    found = Notice.objects.filter(customer=customer, channel="portal", event__startswith="sla.").order_by(
        "id"
    )
    return list(dict.fromkeys(found.values_list("event", flat=True)))


def test_incident_starts_at_the_earlier_of_report_and_detection(presets):
    """SLA-1 (001 art.25-1, 002 art.36②-2): reported 10:00, detected 09:40 → starts 09:40."""
    contract_for("dcloud")
    incident = incident_open(
        service="dcloud",
        title="디스크 장애",
        reported_at=T(2026, 11, 10, 10),
        detected_at=T(2026, 11, 10, 9, 40),
        today=TODAY,
        now=NOW,
    )
    assert incident.started_at == T(2026, 11, 10, 9, 40)
    assert incident.status == Incident.Status.OPEN


def test_customer_report_is_confirmed_by_staff_and_customers_are_told(presets):
    """SLA-1: a customer's report waits; staff confirm it for the whole service (start = the earlier of report
    and detection); affected customers hear of the opening, an update and the resolution."""
    reporter = contract_for("officecore")
    other = contract_for("officecore")
    incident = incident_report(
        contract=reporter, title="로그인 안 됨", reported_at=T(2026, 11, 10, 10), today=TODAY, now=NOW
    )
    assert incident.status == Incident.Status.REPORTED and events(other.customer) == []
    incident = incident_confirm(
        incident=incident, detected_at=T(2026, 11, 10, 10, 20), whole_service=True, today=TODAY, now=NOW
    )
    assert incident.status == Incident.Status.OPEN and incident.contract is None
    assert incident.started_at == T(2026, 11, 10, 10)
    incident_post_update(incident=incident, body="원인을 확인했습니다.", today=TODAY, now=NOW)
    incident_resolve(incident=incident, ended_at=T(2026, 11, 10, 11, 30), today=TODAY, now=NOW)
    for customer in (reporter.customer, other.customer):
        assert events(customer) == ["sla.incident.opened", "sla.incident.updated", "sla.incident.resolved"]
    body = Notice.objects.filter(
        customer=other.customer, event="sla.incident.resolved", language="ko"
    ).first()
    assert body is not None and "복구" in body.subject
    assert IncidentUpdate.objects.filter(incident=incident).count() == 4


def test_staff_reject_a_report_with_a_reason(presets):
    """SLA-1: a rejected report needs a reason, which the reporter is told."""
    contract = contract_for("officecore")
    incident = incident_report(contract=contract, title="느림", today=TODAY, now=NOW)
    with pytest.raises(DomainError) as no_reason:
        incident_reject(incident=incident, reason=" ", today=TODAY, now=NOW)
    assert no_reason.value.field == "reason"
    incident_reject(incident=incident, reason="고객 네트워크 문제로 확인됨", today=TODAY, now=NOW)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.REJECTED
    assert events(contract.customer) == ["sla.incident.updated"]
    with pytest.raises(DomainError) as again:
        incident_confirm(incident=incident, today=TODAY, now=NOW)
    assert again.value.code == "illegal_transition"


@pytest.mark.parametrize(
    ("kwargs", "field", "code"),
    [
        (
            {"detected_at": T(2026, 11, 10, 10), "ended_at": T(2026, 11, 10, 9)},
            "ended_at",
            "incident_ends_before_start",
        ),
        ({"detected_at": T(2026, 11, 10, 13)}, "detected_at", "incident_in_future"),
        (
            {"detected_at": T(2026, 11, 10, 10), "ended_at": T(2026, 11, 10, 14)},
            "ended_at",
            "incident_in_future",
        ),
        ({}, "detected_at", "incident_start_required"),
        ({"detected_at": T(2026, 11, 10, 10), "scope": "feature"}, "feature", "feature_required"),
    ],
)
def test_bad_incidents_are_refused_naming_the_field_and_nothing_is_saved(presets, kwargs, field, code):
    """SLA-1: an end before the start, a time in the future, no start, a feature incident without its name."""
    with pytest.raises(DomainError) as info:
        incident_open(service="officecore", title="장애", today=TODAY, now=NOW, **kwargs)
    assert (info.value.field, info.value.code, info.value.rule) == (field, code, "SLA-1")
    assert not Incident.objects.exists() and not IncidentUpdate.objects.exists()


def test_incident_outside_the_contract_is_refused(presets):
    """SLA-1: a contract's incident before its activation is outside the contract."""
    contract = contract_for("officecore", start=D(2026, 11, 5))
    with pytest.raises(DomainError) as info:
        incident_report(contract=contract, title="장애", reported_at=T(2026, 11, 3, 10), today=TODAY, now=NOW)
    assert (info.value.field, info.value.code) == ("started_at", "incident_outside_contract")
    assert not Incident.objects.exists()


def test_incident_overlapping_itself_is_refused(presets):
    """SLA-1: the same outage (same service and scope) recorded twice over overlapping times is refused."""
    incident_open(
        service="officecore",
        title="장애",
        detected_at=T(2026, 11, 10, 9),
        ended_at=T(2026, 11, 10, 11),
        today=TODAY,
        now=NOW,
    )
    with pytest.raises(DomainError) as info:
        incident_open(
            service="officecore", title="중복", detected_at=T(2026, 11, 10, 10), today=TODAY, now=NOW
        )
    assert (info.value.field, info.value.code) == ("started_at", "incident_overlaps")
    assert Incident.objects.count() == 1
    # another feature is another scope: allowed
    incident_open(
        service="officecore",
        title="메일",
        detected_at=T(2026, 11, 10, 10),
        scope="feature",
        feature="메일",
        today=TODAY,
        now=NOW,
    )


def test_maintenance_is_announced_in_advance_and_again_when_changed(presets):
    """SLA-2 (002 art.10⑧): announced to affected customers; a change is announced again; a window that
    starts now or earlier cannot be planned; a cancellation is told."""
    contract = contract_for("dcloud")
    window = maintenance_plan(
        service="dcloud",
        title="정기 점검",
        starts_at=T(2026, 11, 20, 0),
        ends_at=T(2026, 11, 20, 7),
        today=TODAY,
        now=NOW,
    )
    assert (
        window.status == MaintenanceWindow.Status.ANNOUNCED
        and window.revision == 1
        and window.excludes_outage
    )
    window = maintenance_change(
        window=window, starts_at=T(2026, 11, 21, 0), ends_at=T(2026, 11, 21, 7), today=TODAY, now=NOW
    )
    assert window.revision == 2
    notices = Notice.objects.filter(
        customer=contract.customer, event="sla.maintenance.announced", channel="portal", language="ko"
    )
    assert notices.count() == 2 and "변경" in notices.order_by("id").last().subject
    with pytest.raises(DomainError) as late:
        maintenance_plan(
            service="dcloud",
            title="긴급",
            starts_at=NOW - dt.timedelta(minutes=1),
            ends_at=NOW,
            today=TODAY,
            now=NOW,
        )
    assert (late.value.field, late.value.rule) == ("starts_at", "SLA-2")
    maintenance_cancel(window=window, today=TODAY, reason="일정 취소")
    assert events(contract.customer) == ["sla.maintenance.announced", "sla.maintenance.cancelled"]
