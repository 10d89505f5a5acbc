"""SPEC §11, issue #14: the money-moving endpoints bind an ``Idempotency-Key`` to the whole request, so a
changed date or a larger refund under a used key is a 409, never a replay of the first response."""

from __future__ import annotations

import pytest

from billing.models import Payment, Refund
from core import clock
from tests.billing.bdocs_support import api_client_for

from .support import API, TODAY, give_credit

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.billing.urls_for_tests")]


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


def test_a_larger_refund_under_a_used_key_is_409(admin_member):
    """BIL-11, SPEC §11: 30,000 then 35,000 under key r-1: the second is refused (it replayed before)."""
    give_credit(admin_member.customer, 40_000)
    api = api_client_for(admin_member)
    body = {"amount_won": 30_000, "reason": "이중 입금"}
    assert api.post(f"{API}/refunds/", body, format="json", HTTP_IDEMPOTENCY_KEY="r-1").status_code == 201
    larger = api.post(f"{API}/refunds/", {**body, "amount_won": 35_000}, format="json",
                      HTTP_IDEMPOTENCY_KEY="r-1")
    assert larger.status_code == 409 and larger.json()["error"]["code"] == "idempotency_key_reused"
    assert "Idempotent-Replayed" not in larger
    assert list(Refund.objects.values_list("amount_won", flat=True)) == [30_000]


def test_a_transfer_notice_with_another_date_under_a_used_key_is_409(admin_member):
    """BIL-7, SPEC §11: the same notice with another transfer date under the same key is refused."""
    api = api_client_for(admin_member)
    body = {"method": "bank_transfer", "amount_won": 50_000, "payer_name": "테스트",
            "transferred_on": "2026-11-19"}
    first = api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="n-1")
    assert first.status_code == 201, first.content
    again = api.post(f"{API}/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="n-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    moved = api.post(f"{API}/payments/", {**body, "transferred_on": "2026-11-18"}, format="json",
                     HTTP_IDEMPOTENCY_KEY="n-1")
    assert moved.status_code == 409 and moved.json()["error"]["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1
