"""SPEC §11 back office for SLA: smoke tests of every list and change page, adding through the services,
and the incident and claim actions (SLA-1, SLA-2, SLA-3, SLA-5)."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from billing.models import CreditNote
from core import clock
from sla.models import ErrorRateSample, Incident, MaintenanceWindow, SlaClaim, SlaMonth
from sla.services.claims import claim_submit
from sla.services.credits import month_close_contract
from sla.services.incidents import incident_open, incident_report
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db
TODAY = D(2026, 12, 2)


@pytest.fixture(autouse=True)
def _today():  # type: ignore[no-untyped-def]
    with clock.frozen(T(2026, 12, 2, 10)):
        yield


def url(model: str, view: str = "changelist", *args) -> str:  # type: ignore[no-untyped-def]
    return reverse(f"admin:sla_{model}_{view}", args=args)


def act(client, model: str, action: str, pks, **extra):  # type: ignore[no-untyped-def]
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(pk) for pk in pks], "apply": "1", **extra}
    return client.post(url(model), data)


@pytest.fixture
def closed_flow_month(presets):  # type: ignore[no-untyped-def]
    contract = contract_for("flow")
    fee_invoice(contract, D(2026, 11, 1), 800_000)
    incident_open(
        service="flow",
        title="접속 장애",
        detected_at=T(2026, 11, 5, 10),
        ended_at=T(2026, 11, 5, 20, 48),
        today=TODAY,
        now=T(2026, 12, 1, 9),
    )
    record, _ = month_close_contract(contract=contract, month=D(2026, 11, 1), today=D(2026, 12, 1))
    return record


def test_every_sla_page_opens(admin_client, closed_flow_month):
    """SPEC §11: lists, search and change pages of each SLA model; the month shows its breakdown (SLA-3)
    as tables, never the stored JSON."""
    claim_submit(contract=closed_flow_month.contract, month=closed_flow_month.month, today=TODAY)
    for model in ("incident", "maintenancewindow", "errorratesample", "slamonth", "slaclaim"):
        assert admin_client.get(url(model)).status_code == 200
        assert admin_client.get(url(model), {"q": "장애"}).status_code == 200
    assert admin_client.get(url("incident", "add")).status_code == 200
    page = admin_client.get(url("slamonth", "change", closed_flow_month.pk))
    text = page.content.decode()
    assert page.status_code == 200 and "sla-breakdown" in text and "서비스 시간(분)" in text
    assert '"outages"' not in text and '"service_from"' not in text
    incident = Incident.objects.get()
    assert admin_client.get(url("incident", "change", incident.pk)).status_code == 200


def test_staff_add_incident_maintenance_and_feed_point_through_the_services(admin_client, presets):
    """SLA-1/2/3: the add forms call the services; a refusal is shown and nothing is written."""
    contract_for("dcloud")
    base = {
        "service": "dcloud",
        "title": "VM 장애",
        "scope": "whole",
        "cause": "hardware",
        "detected_at_0": "2026-12-02",
        "detected_at_1": "09:00",
    }
    response = admin_client.post(url("incident", "add"), base)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Incident.objects.get().started_at == T(2026, 12, 2, 9)
    bad = {**base, "title": "미래", "detected_at_1": "23:00"}
    response = admin_client.post(url("incident", "add"), bad, follow=True)
    assert "미래" in response.content.decode() and Incident.objects.count() == 1
    window = {
        "service": "dcloud",
        "title": "정기 점검",
        "starts_at_0": "2026-12-10",
        "starts_at_1": "00:00",
        "ends_at_0": "2026-12-10",
        "ends_at_1": "07:00",
    }
    assert admin_client.post(url("maintenancewindow", "add"), window).status_code == 302
    assert MaintenanceWindow.objects.get().status == MaintenanceWindow.Status.ANNOUNCED
    point = {
        "service": "flow",
        "at_0": "2026-12-02",
        "at_1": "09:00",
        "window_minutes": "5",
        "failure_ratio": "0.5",
    }
    assert admin_client.post(url("errorratesample", "add"), point).status_code == 302
    assert ErrorRateSample.objects.get().source == ErrorRateSample.Source.STAFF


def test_incident_actions_confirm_and_resolve(admin_client, presets):
    """SLA-1: a customer's report confirmed and resolved from the list."""
    contract = contract_for("officecore")
    incident = incident_report(
        contract=contract,
        title="로그인 불가",
        reported_at=T(2026, 12, 2, 8),
        today=TODAY,
        now=T(2026, 12, 2, 9),
    )
    act(admin_client, "incident", "confirm", [incident.pk], whole_service="on")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN and incident.contract is None
    act(admin_client, "incident", "resolve", [incident.pk], ended_at="2026-12-02 09:30")
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED and incident.ended_at == T(2026, 12, 2, 9, 30)


def test_claim_queue_approve_and_reject(admin_client, closed_flow_month):
    """SLA-5: the claims queue approves (credit note issued) or rejects with a reason."""
    claim = claim_submit(contract=closed_flow_month.contract, month=closed_flow_month.month, today=TODAY)
    response = act(admin_client, "slaclaim", "reject", [claim.pk], reason="")
    assert response.status_code == 200  # the form asks for the reason
    act(admin_client, "slaclaim", "approve", [claim.pk], reason="확인")
    claim.refresh_from_db()
    assert claim.status == SlaClaim.Status.APPROVED
    assert SlaMonth.objects.get().status == SlaMonth.Status.CREDITED
    assert CreditNote.objects.filter(reason=CreditNote.Reason.SLA_CREDIT).count() == 1


def test_changelists_cost_the_same_queries_for_more_rows(admin_client, presets):
    """SPEC §11: incident, month and claim lists use select_related; more rows, no more queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(model: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(url(model)).status_code == 200
        return len(ctx.captured_queries)

    def add_month(day: int) -> None:
        contract = contract_for("flow")
        fee_invoice(contract, D(2026, 11, 1), 800_000)
        incident_open(
            service="flow",
            contract=contract,
            title=f"장애 {day}",
            detected_at=T(2026, 11, day, 10),
            ended_at=T(2026, 11, day, 20, 48),
            today=TODAY,
            now=T(2026, 12, 1, 9),
        )
        month_close_contract(contract=contract, month=D(2026, 11, 1), today=D(2026, 12, 1))
        claim_submit(contract=contract, month=D(2026, 11, 1), today=TODAY)

    add_month(3)
    before = {m: count(m) for m in ("incident", "slamonth", "slaclaim")}
    add_month(4)
    add_month(5)
    assert {m: count(m) for m in ("incident", "slamonth", "slaclaim")} == before
