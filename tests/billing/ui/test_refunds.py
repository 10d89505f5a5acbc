"""SPEC §11 refunds (BIL-11) and settlements (BIL-12..16) in the interfaces: the back office actions and
request form, the settlement page, the portal's refund request and the API's idempotent refunds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from billing.models import (
    LedgerEntry,
    Refund,
    Settlement,
)
from billing.services import ledger, refunds
from tests.billing.bdocs_support import api_client_for
from tests.billing.conftest import make_contract

from .support import API, TODAY, act, give_credit, url

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]


def test_refund_mark_paid_and_cancel_actions(admin_client, refund):
    """BIL-11: "mark paid" posts the refund through ``refund_pay`` once; "cancel" asks for a reason."""
    act(admin_client, "refund", "mark_paid", [refund.pk])
    refund.refresh_from_db()
    assert refund.status == Refund.Status.PAID and refund.paid_on == TODAY
    act(admin_client, "refund", "mark_paid", [refund.pk])
    assert LedgerEntry.objects.filter(customer=refund.customer, kind=LedgerEntry.Kind.REFUND).count() == 1
    other = refunds.refund_request(customer=refund.customer, amount_won=10_000, reason="과납", today=TODAY)
    assert act(admin_client, "refund", "cancel_refunds", [other.pk]).status_code == 200
    act(admin_client, "refund", "cancel_refunds", [other.pk], apply="1", reason="고객 철회")
    other.refresh_from_db()
    assert other.status == Refund.Status.CANCELLED


def test_refund_add_form_requests_with_arrears_deducted(admin_client, admin_member):
    """BIL-11: staff can record a request (e.g. an operator error, with interest); errors by field."""
    response = admin_client.post(
        url("refund", "add"), {"customer": admin_member.customer.pk, "amount_won": 1_000, "reason": "과납"}
    )
    assert response.status_code == 200 and "BIL-11" in response.content.decode()  # no credit
    give_credit(admin_member.customer, 5_000)
    response = admin_client.post(
        url("refund", "add"),
        {
            "customer": admin_member.customer.pk,
            "amount_won": 1_000,
            "reason": "과납",
            "operator_caused": "on",
        },
    )
    assert response.status_code == 302
    assert Refund.objects.get(customer=admin_member.customer).operator_caused is True


def test_settlement_read_only_with_lines(admin_client, admin_member, presets):
    """BIL-12..16: the settlement list and its lines, read-only."""
    contract = make_contract("officecore-standard-monthly", customer=admin_member.customer)
    settlement = Settlement.objects.create(
        contract=contract,
        effective_on=dt.date(2026, 11, 21),
        lines=[{"kind": "refund", "description": "잔여 9일 환불", "amount_won": -90_000}],
        total_won=-90_000,
        issued_on=dt.date(2026, 11, 21),
    )
    assert admin_client.get(url("settlement")).status_code == 200
    body = admin_client.get(url("settlement", "change", settlement.pk)).content.decode()
    assert "잔여 9일 환불" in body and "-90,000" in body
    assert admin_client.get(url("settlement", "add")).status_code == 403


def test_portal_refund_request(client, admin_member):
    """BIL-11: the customer admin asks for the overpayment back; arrears are deducted first."""
    client.force_login(admin_member.user)
    response = client.post(reverse("portal:refund_request"), {"amount_won": 10_000, "reason": "과납"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode() and "BIL-11" not in response.content.decode()
    give_credit(admin_member.customer, 50_000)
    page = client.get(reverse("portal:refunds")).content.decode()
    assert "50,000" in page
    response = client.post(reverse("portal:refund_request"), {"amount_won": 60_000, "reason": "이중 입금"})
    assert response.status_code == 302
    refund = Refund.objects.get(customer=admin_member.customer)
    assert refund.amount_won == 50_000  # capped at the credit
    assert "이중 입금" in client.get(reverse("portal:refunds")).content.decode()


def test_api_refunds_need_an_idempotency_key_and_replay(admin_member, member):
    """BIL-11, SPEC §11: POST /refunds/ moves money — Idempotency-Key required; the same key replays."""
    give_credit(admin_member.customer, 40_000)
    api = api_client_for(admin_member)
    body = {"amount_won": 30_000, "reason": "이중 입금"}
    response = api.post(f"{API}/refunds/", body, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "idempotency_key_required"
    first = api.post(f"{API}/refunds/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == 201 and first.json()["amount_won"] == 30_000
    again = api.post(f"{API}/refunds/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert again.status_code == 201 and again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Refund.objects.count() == 1
    clash = api.post(
        f"{API}/refunds/", {**body, "reason": "다른 요청"}, format="json", HTTP_IDEMPOTENCY_KEY="r-1"
    )
    assert clash.status_code == 409
    response = api_client_for(member).post(f"{API}/refunds/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-2")
    assert response.status_code == 403
    listing = api_client_for(member).get(f"{API}/refunds/").json()
    assert listing["count"] == 1 and listing["results"][0]["status"] == "requested"
    assert ledger.credit_available(admin_member.customer) == 40_000  # nothing paid out yet
