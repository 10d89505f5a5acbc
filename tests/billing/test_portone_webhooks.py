"""PortOne payment webhooks at ``POST /api/v1/webhooks/portone/`` (issue 18; BIL-7, BIL-8).

Signed as PortOne signs them (Standard Webhooks) with the test secret; the payment's state is read back
from PortOne's recorded answers. A webhook settles a pending attempt through the same service the job
uses, once; a bad signature changes nothing.
"""

from __future__ import annotations

import time

import httpx
import pytest
import respx
from django.test import Client

from billing.gateways.portone import payment_id_for
from billing.models import GatewayWebhook, Invoice, Payment
from billing.services import ledger
from billing.services.collection import collect_payments
from core.models import ProviderCall
from tests.billing.payment_factories import (
    CustomerFactory,
    D,
    PaymentMethodFactory,
    flow_policy,
    make_invoice,
)
from tests.billing.portone_support import (
    API_SECRET,
    WEBHOOK_SECRET,
    route,
    signed_headers,
    use_portone,
    webhook_body,
)

pytestmark = pytest.mark.django_db

DUE = D(2026, 11, 2)
ENDPOINT = "/api/v1/webhooks/portone/"
BILLING_KEY = "billing-key-0193f1a2-aaaa-bbbb-cccc-0123456789ab"


@pytest.fixture
def router(settings):
    use_portone(settings)
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mocked:
        yield mocked


@pytest.fixture
def pending(router):
    """A card attempt whose charge timed out: pending, no reference yet (the answer was lost)."""
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, gateway_token=BILLING_KEY)
    invoice = make_invoice(customer, 110_000, due_date=DUE, policy=flow_policy())
    pid = payment_id_for(f"invoice:{invoice.pk}:attempt:1")
    route(router, "pay_with_billing_key.timeout", paymentId=pid)
    assert collect_payments(today=DUE)["unknown"] == 1
    router.routes.clear()
    router.reset()  # forget the calls so far
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.PENDING and payment.reference == ""
    return payment, pid


def post(event: str, pid: str, webhook_id: str = "msg_2f1a", **kw):
    payload = webhook_body(event, pid)
    headers = signed_headers(payload, webhook_id=webhook_id, **kw)
    return Client().post(ENDPOINT, data=payload, content_type="application/json", headers=headers)


def test_paid_webhook_settles_the_pending_attempt_once(router, pending):
    """BIL-7: "Transaction.Paid" → PortOne's record is read back → the attempt succeeds and is applied
    to the ledger (the job's own service); the same webhook again changes nothing."""
    payment, pid = pending
    route(router, "get_payment.paid", paymentId=pid, amount=110_000, billingKey=BILLING_KEY)
    response = post("paid", pid)
    assert response.status_code == 200 and response.json() == {"received": True, "duplicate": False}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.reference == pid
    invoice = Invoice.objects.get()
    assert invoice.status == Invoice.Status.PAID and ledger.invoice_open_amount(invoice) == 0
    assert GatewayWebhook.objects.get().payment == payment

    again = post("paid", pid)  # PortOne's retry of the same webhook (re-signed, same id)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert GatewayWebhook.objects.count() == 1
    assert payment.ledger_entries.count() == 1
    outcomes = list(
        ProviderCall.objects.filter(operation="webhook").order_by("id").values_list("outcome", flat=True)
    )
    assert outcomes == ["ok", "duplicate"]


@pytest.mark.parametrize(
    ("event", "recording", "reason"),
    [
        ("failed", "get_payment.failed", "카드 한도 초과"),
        ("cancelled", "get_payment.cancelled", "cancelled"),
    ],
)
def test_failed_or_cancelled_webhook_fails_the_attempt(router, pending, event, recording, reason):
    """BIL-8: "Transaction.Failed"/"Cancelled" → the attempt fails with PortOne's reason; retries follow."""
    payment, pid = pending
    route(router, recording, paymentId=pid, amount=110_000, billingKey=BILLING_KEY)
    assert post(event, pid).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and reason in payment.failure_reason
    assert Invoice.objects.get().status == Invoice.Status.ISSUED


def test_bad_signature_is_400_and_changes_nothing(router, pending):
    """Issue 18: a webhook not signed with our secret is refused (400), logged as rejected, not kept."""
    payment, pid = pending
    payload = webhook_body("paid", pid)
    headers = signed_headers(payload, webhook_id="msg_x", raw_secret=b"someone-else-entirely-32-bytes!!")
    response = Client().post(ENDPOINT, data=payload, content_type="application/json", headers=headers)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "webhook_signature_invalid"
    stale = post("paid", pid, webhook_id="msg_y", timestamp=int(time.time()) - 3600)
    assert stale.status_code == 400
    unsigned = Client().post(ENDPOINT, data=payload, content_type="application/json")
    assert unsigned.status_code == 400
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert not GatewayWebhook.objects.exists()
    assert set(ProviderCall.objects.filter(operation="webhook").values_list("outcome", flat=True)) == {
        "rejected"
    }
    assert not router.calls  # PortOne was not even asked


def test_portone_unreachable_is_503_and_the_retry_then_settles(router, pending):
    """BIL-7: if PortOne cannot be asked about the payment, nothing is kept and the answer is 503, so
    PortOne's retry of the same webhook settles it."""
    payment, pid = pending
    router.get(f"https://api.portone.io/payments/{pid}").mock(side_effect=httpx.ReadTimeout("t"))
    response = post("paid", pid)
    assert response.status_code == 503 and response.json()["error"]["code"] == "gateway_unavailable"
    assert not GatewayWebhook.objects.exists()
    router.routes.clear()
    route(router, "get_payment.paid", paymentId=pid, amount=110_000, billingKey=BILLING_KEY)
    assert post("paid", pid).status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED


def test_webhook_after_the_charge_answered_changes_nothing(router):
    """BIL-7: the charge's own answer recorded the attempt; the Paid webhook that follows is kept only."""
    customer = CustomerFactory()
    PaymentMethodFactory(customer=customer, gateway_token=BILLING_KEY)
    invoice = make_invoice(customer, 110_000, due_date=DUE)
    pid = payment_id_for(f"invoice:{invoice.pk}:attempt:1")
    route(router, "pay_with_billing_key.paid", paymentId=pid)
    assert collect_payments(today=DUE)["succeeded"] == 1
    get = router.get(f"https://api.portone.io/payments/{pid}")
    assert post("paid", pid).status_code == 200
    assert not get.called
    row = GatewayWebhook.objects.get()
    assert row.payment.reference == pid and "already succeeded" in row.result
    assert Payment.objects.get().ledger_entries.count() == 1


def test_other_events_and_unknown_payments_are_kept_only(router, pending):
    """BIL-7: a "Ready" event, or a payment that is not ours, is received (200) and settles nothing."""
    payment, pid = pending
    assert post("ready", pid, webhook_id="msg_r").status_code == 200
    assert post("paid", payment_id_for("someone-else"), webhook_id="msg_u").status_code == 200
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert sorted(GatewayWebhook.objects.values_list("result", flat=True)) == [
        "event kept, nothing to settle",
        "no attempt of ours",
    ]


def test_webhook_secret_never_logged(router, pending, caplog):
    """Issue 18: neither secret shows in call rows or logs while receiving webhooks."""
    _payment, pid = pending
    route(router, "get_payment.paid", paymentId=pid, amount=110_000, billingKey=BILLING_KEY)
    post("paid", pid)
    post("paid", pid, webhook_id="msg_bad", timestamp=1)
    text = caplog.text + " ".join(
        " ".join(r) for r in ProviderCall.objects.values_list("reference", "detail")
    )
    assert WEBHOOK_SECRET not in text and API_SECRET not in text
