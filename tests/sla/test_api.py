"""SLA API under /api/v1/sla/ (SLA-1, SLA-3, SLA-5): incidents with their timeline, reporting one,
availability with its working, claims, the access-failure feed; tenant isolation (404) and JSON errors
naming field and rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import clock
from sla.models import ErrorRateSample, Incident, SlaClaim
from sla.services.credits import month_close_contract
from sla.services.incidents import incident_open, incident_post_update
from tests.factories import AdminMemberFactory, MemberFactory, StaffUserFactory, UserFactory
from tests.sla.conftest import D, T, contract_for, fee_invoice

pytestmark = pytest.mark.django_db

NOV = D(2026, 11, 1)
CLOSE = D(2026, 12, 1)
NOW = T(2026, 12, 5, 9)


def _client(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_authenticate(user)
    return client


def _error(response, status: int, code: str, rule: str | None = None, field: str | None = None) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    if rule is not None:
        assert error["rule"] == rule, error
    if field is not None:
        assert error["field"] == field, error
    return error


@pytest.fixture
def admin():  # type: ignore[no-untyped-def]
    return AdminMemberFactory()


@pytest.fixture
def flow(presets, admin):  # type: ignore[no-untyped-def]
    """A flow contract with three months of fees and an 10h48m outage in November, closed on Dec 1."""
    contract = contract_for("flow", customer=admin.customer)
    for month, fee in ((D(2026, 9, 1), 1_200_000), (D(2026, 10, 1), 1_000_000), (NOV, 800_000)):
        fee_invoice(contract, month, fee)
    incident = incident_open(
        service="flow",
        title="접속 장애",
        detected_at=T(2026, 11, 5, 10),
        ended_at=T(2026, 11, 5, 20, 48),
        today=CLOSE,
        now=T(2026, 12, 1, 9),
    )
    incident_open(
        service="flow",
        title="정전",
        detected_at=T(2026, 11, 9, 1),
        ended_at=T(2026, 11, 9, 3),
        exclusions={"excl_force_majeure": True},
        today=CLOSE,
        now=T(2026, 12, 1, 9),
    )
    month_close_contract(contract=contract, month=NOV, today=CLOSE)
    contract.incident = incident  # type: ignore[attr-defined]
    return contract


@pytest.fixture
def other(presets):  # type: ignore[no-untyped-def]
    """Another customer's flow contract."""
    return contract_for("flow")


# --------------------------------------------------------------------------- incidents


def test_incidents_list_and_detail_with_timeline(flow, admin):
    """SLA-1: the customer sees its service's incidents and one with its timeline updates."""
    incident_post_update(
        incident=flow.incident, body="원인 분석 결과 공유", today=CLOSE, now=T(2026, 12, 1, 10)
    )
    api = _client(admin.user)
    with clock.frozen(NOW):
        listing = api.get("/api/v1/sla/incidents/")
        detail = api.get(f"/api/v1/sla/incidents/{flow.incident.pk}/")
    assert listing.status_code == 200
    titles = [row["title"] for row in listing.json()["results"]]
    assert set(titles) == {"정전", "접속 장애"}
    excluded = next(row for row in listing.json()["results"] if row["title"] == "정전")
    assert excluded["exclusions"] == ["불가항력"]
    assert detail.status_code == 200
    body = detail.json()
    assert body["status"] == "resolved" and body["ended_at"].startswith("2026-11-05T20:48")
    assert [u["body"] for u in body["updates"]][-1] == "원인 분석 결과 공유"


def test_another_customers_incident_is_404_and_not_listed(flow, admin, other):
    """SLA-1 / ACC-4: another customer's reported incident is a 404 and never listed."""
    foreign = AdminMemberFactory(customer=other.customer)
    with clock.frozen(NOW):
        response = _client(foreign.user).post(
            "/api/v1/sla/incidents/", {"contract": other.pk, "title": "로그인 안 됨"}, format="json"
        )
        assert response.status_code == 201, response.content
        api = _client(admin.user)
        _error(api.get(f"/api/v1/sla/incidents/{response.json()['id']}/"), 404, "not_found")
        titles = [row["title"] for row in api.get("/api/v1/sla/incidents/").json()["results"]]
    assert "로그인 안 됨" not in titles


def test_report_an_incident(flow, admin, other):
    """SLA-1: a member reports an incident on its contract; it waits for staff (status reported) and starts
    when it was reported; a blank title is refused naming the field and rule; another customer's
    contract is a 404."""
    api = _client(MemberFactory(customer=admin.customer).user)
    with clock.frozen(NOW):
        response = api.post(
            "/api/v1/sla/incidents/",
            {"contract": flow.pk, "title": "결재 화면 오류", "scope": "feature", "feature": "결재"},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["status"] == "reported" and body["contract"] == flow.pk and body["scope"] == "feature"
        assert body["started_at"].startswith("2026-12-05T09:00")
        assert body["updates"][0]["status"] == "reported"
        _error(
            api.post("/api/v1/sla/incidents/", {"contract": flow.pk, "title": " "}, format="json"),
            400,
            "title_required",
            rule="SLA-1",
            field="title",
        )
        _error(
            api.post("/api/v1/sla/incidents/", {"contract": other.pk, "title": "x"}, format="json"),
            404,
            "not_found",
        )
    assert Incident.objects.filter(status=Incident.Status.REPORTED).count() == 1


# --------------------------------------------------------------------------- availability


def test_availability_with_its_working(flow, admin, other):
    """SLA-3: the closed month's availability with the counted outage, the excluded incident and why,
    and the credit and claim terms; another customer's contract/month is a 404; a bad month is 400."""
    api = _client(admin.user)
    with clock.frozen(NOW):
        response = api.get(f"/api/v1/sla/contracts/{flow.pk}/availability/", {"month": "2026-11"})
        foreign = api.get(f"/api/v1/sla/contracts/{other.pk}/availability/", {"month": "2026-11"})
        bad = api.get(f"/api/v1/sla/contracts/{flow.pk}/availability/", {"month": "11/2026"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["closed"] is True and body["month"] == "2026-11"
    assert body["service_minutes"] == 30 * 1440
    assert float(body["counted_minutes"]) == 648.0
    assert body["availability"] == "98.5000"
    [outage] = body["outages"]
    assert (
        outage["counted"] is True and outage["minutes"] == 648.0 and outage["incidents"] == [flow.incident.pk]
    )
    [excluded] = body["excluded"]
    assert (
        excluded["title"] == "정전" and excluded["reasons"] == ["불가항력"] and excluded["minutes"] == 120.0
    )
    assert body["credit_won"] == 250_000 and body["claim_required"] is True
    assert body["claim_due_on"] == "2026-12-30"
    _error(foreign, 404, "not_found")
    _error(bad, 400, "validation_error")


def test_availability_of_the_current_month_is_provisional(flow, admin):
    """SLA-3: a month not yet closed is measured now and marked provisional (no credit yet)."""
    incident_open(
        service="flow",
        title="오늘 장애",
        detected_at=T(2026, 12, 2, 0),
        ended_at=T(2026, 12, 2, 1),
        today=D(2026, 12, 2),
        now=T(2026, 12, 2, 9),
    )
    with clock.frozen(NOW):
        body = (
            _client(admin.user)
            .get(f"/api/v1/sla/contracts/{flow.pk}/availability/", {"month": "2026-12"})
            .json()
        )
    assert body["closed"] is False and body["credit_won"] is None
    assert float(body["counted_minutes"]) == 60.0
    assert [o["counted"] for o in body["outages"]] == [True]


# --------------------------------------------------------------------------- claims


def test_claim_prefill_submit_and_list(flow, admin, other):
    """SLA-5: the prefill carries the computed amount, basis and due date; an admin submits; the list shows
    it; a second claim is refused; a plain member may not submit; another customer's contract is 404."""
    api = _client(admin.user)
    with clock.frozen(NOW):
        prefill = api.get(f"/api/v1/sla/contracts/{flow.pk}/claim-prefill/", {"month": "2026-11"})
        assert prefill.status_code == 200, prefill.content
        draft = prefill.json()
        assert (
            draft["amount_won"] == 250_000
            and draft["due_on"] == "2026-12-30"
            and "1,000,000" in draft["basis"]
        )
        _error(
            _client(MemberFactory(customer=admin.customer).user).post(
                "/api/v1/sla/claims/", {"contract": flow.pk, "month": "2026-11"}, format="json"
            ),
            403,
            "admin_required",
        )
        created = api.post("/api/v1/sla/claims/", {"contract": flow.pk, "month": "2026-11"}, format="json")
        assert created.status_code == 201, created.content
        assert created.json()["amount_won"] == 250_000 and created.json()["status"] == "submitted"
        again = api.post("/api/v1/sla/claims/", {"contract": flow.pk, "month": "2026-11"}, format="json")
        listing = api.get("/api/v1/sla/claims/").json()
        _error(
            api.get(f"/api/v1/sla/contracts/{other.pk}/claim-prefill/", {"month": "2026-11"}),
            404,
            "not_found",
        )
        _error(
            api.post("/api/v1/sla/claims/", {"contract": other.pk, "month": "2026-11"}, format="json"),
            404,
            "not_found",
        )
    _error(again, 400, "already_claimed", rule="SLA-5", field="month")
    assert [row["month"] for row in listing["results"]] == ["2026-11"]
    assert SlaClaim.objects.count() == 1


def test_late_claim_is_refused_with_the_due_date(flow, admin):
    """SLA-5: after the 30 days (flow) the claim is refused, naming the date it was due."""
    with clock.frozen(D(2026, 12, 31)):
        response = _client(admin.user).post(
            "/api/v1/sla/claims/", {"contract": flow.pk, "month": "2026-11"}, format="json"
        )
    error = _error(response, 400, "claim_late", rule="SLA-5", field="month")
    assert "2026-12-30" in error["message"]
    assert not SlaClaim.objects.exists()


def test_claims_of_another_customer_are_not_listed(flow, admin, other):
    """SLA-5 / ACC-4: the claims list is the customer's own."""
    with clock.frozen(NOW):
        _client(admin.user).post(
            "/api/v1/sla/claims/", {"contract": flow.pk, "month": "2026-11"}, format="json"
        )
        foreign = AdminMemberFactory(customer=other.customer)
        assert _client(foreign.user).get("/api/v1/sla/claims/").json()["results"] == []


# --------------------------------------------------------------------------- the access-failure feed


def _feeder(*, staff: bool = True) -> Any:
    """A user holding ``sla.add_errorratesample``: staff, or a monitor account (not staff)."""
    user: Any = (StaffUserFactory if staff else UserFactory)()
    user.user_permissions.add(Permission.objects.get(codename="add_errorratesample"))
    return user


def test_feed_accepts_points_from_staff_and_monitor_token(presets):
    """SLA-3: staff (source staff) and a monitor account's token holding the permission (source monitor)
    record points."""
    point = {"service": "flow", "at": "2026-12-05T08:00:00+09:00", "failure_ratio": "0.031"}
    with clock.frozen(NOW):
        staff = _client(_feeder()).post("/api/v1/sla/feed/", point, format="json")
        monitor = APIClient()
        monitor.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=_feeder(staff=False)).key}")
        by_token = monitor.post(
            "/api/v1/sla/feed/", {**point, "at": "2026-12-05T08:05:00+09:00"}, format="json"
        )
    assert staff.status_code == 201, staff.content
    assert staff.json()["source"] == "staff" and staff.json()["window_minutes"] == 5
    assert by_token.status_code == 201, by_token.content
    assert by_token.json()["source"] == "monitor"
    assert ErrorRateSample.objects.count() == 2


def test_feed_refuses_bad_ratio_and_duplicate_timestamp(presets):
    """SLA-3: a ratio outside 0–1 and a timestamp already recorded are refused, naming field and rule."""
    api = _client(_feeder())
    point = {"service": "flow", "at": "2026-12-05T08:00:00+09:00", "failure_ratio": "0.2"}
    with clock.frozen(NOW):
        _error(
            api.post("/api/v1/sla/feed/", {**point, "failure_ratio": "1.5"}, format="json"),
            400,
            "ratio_out_of_range",
            rule="SLA-3",
            field="failure_ratio",
        )
        _error(
            api.post("/api/v1/sla/feed/", {**point, "failure_ratio": "-0.1"}, format="json"),
            400,
            "ratio_out_of_range",
            rule="SLA-3",
            field="failure_ratio",
        )
        assert api.post("/api/v1/sla/feed/", point, format="json").status_code == 201
        _error(
            api.post("/api/v1/sla/feed/", point, format="json"),
            400,
            "duplicate_sample",
            rule="SLA-3",
            field="at",
        )
    assert ErrorRateSample.objects.count() == 1


def test_feed_needs_the_permission(presets, admin):
    """SLA-3: a customer member or a staff user without the permission may not feed; anonymous is 401."""
    point = {"service": "flow", "at": "2026-12-05T08:00:00+09:00", "failure_ratio": "0.2"}
    with clock.frozen(NOW):
        _error(_client(admin.user).post("/api/v1/sla/feed/", point, format="json"), 403, "permission_denied")
        _error(
            _client(StaffUserFactory()).post("/api/v1/sla/feed/", point, format="json"),
            403,
            "permission_denied",
        )
        _error(APIClient().post("/api/v1/sla/feed/", point, format="json"), 401, "not_authenticated")
    assert not ErrorRateSample.objects.exists()


def test_sla_endpoints_are_in_the_openapi_schema(presets):
    """SLA-1, SLA-3, SLA-5: every SLA endpoint is documented in the schema with its operation id."""
    schema = APIClient().get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    operations = {
        op["operationId"]
        for path, item in schema.json()["paths"].items()
        if path.startswith("/api/v1/sla/")
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    assert operations == {
        "sla_incidents_list",
        "sla_incidents_report",
        "sla_incidents_detail",
        "sla_availability",
        "sla_claims_list",
        "sla_claims_submit",
        "sla_claims_prefill",
        "sla_feed_record",
    }
