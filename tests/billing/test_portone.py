"""The PortOne adapter (issue 18; BIL-7, BIL-8) against PortOne's recorded answers at the HTTP boundary.

Charge with a billing key, partial refund, billing keys, configuration and ``check_providers``; the
webhook endpoint is in ``test_portone_webhooks.py`` and the suites written against the fake run again
over PortOne in ``test_portone_suites.py``.
"""

from __future__ import annotations

import json
import logging
import re

import httpx
import pytest
import respx
from django.core.management import CommandError, call_command

from billing.gateways import GatewayConfigurationError, GatewayError, PaymentGateway, get_gateway
from billing.gateways.portone import PortOneGateway, check, payment_id_for
from billing.models import PaymentMethod
from billing.services import payments
from core.errors import DomainError
from core.models import ProviderCall
from tests.billing.payment_factories import CustomerFactory
from tests.billing.portone_support import (
    API_SECRET,
    CHANNEL_KEY,
    STORE_ID,
    WEBHOOK_SECRET,
    answer,
    route,
    url,
    use_portone,
)

pytestmark = pytest.mark.django_db

KEY = "invoice:12:attempt:1"
PID = payment_id_for(KEY)
BILLING_KEY = "billing-key-0193f1a2-aaaa-bbbb-cccc-0123456789ab"


@pytest.fixture
def gateway(settings) -> PortOneGateway:
    use_portone(settings)
    made = get_gateway()
    assert isinstance(made, PortOneGateway)
    return made


@pytest.fixture
def router():
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as mocked:
        yield mocked


def charge(gateway: PaymentGateway, key: str = KEY, amount: int = 110_000, token: str = BILLING_KEY):
    return gateway.charge(
        amount_won=amount, token=token, idempotency_key=key, description="TST-2026-000001 자동 결제 1회차"
    )


def last_call() -> ProviderCall:
    return ProviderCall.objects.order_by("-id").first()


# --------------------------------------------------------------------------- ids and configuration


def test_payment_id_is_deterministic_short_and_alphanumeric():
    """BIL-7: our idempotency key maps to one PortOne paymentId, accepted by every PG (letters, digits,
    at most 40), so a repeat asks PortOne for the same payment."""
    keys = [KEY, "invoice:12:attempt:2", "api:7:" + "x" * 94, "한글 키:1"]
    ids = [payment_id_for(k) for k in keys]
    assert ids[0] == payment_id_for(KEY)
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9]{1,40}", i) for i in ids)


def test_portone_is_chosen_by_environment_and_the_fake_stays_the_default(settings, monkeypatch):
    """BIL-7 (issue 18): PAYMENT_GATEWAY=portone picks the adapter; nothing set is still the fake."""
    from billing.gateways import FakeGateway

    for name in ("PAYMENT_GATEWAY", "PORTONE_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(get_gateway(), FakeGateway)
    use_portone(settings)
    gateway = get_gateway()
    assert isinstance(gateway, PortOneGateway) and isinstance(gateway, PaymentGateway)
    assert gateway.store_id == STORE_ID and gateway.channel_key == CHANNEL_KEY
    settings.PORTONE_API_SECRET = ""
    with pytest.raises(GatewayConfigurationError, match="PORTONE_API_SECRET is not set"):
        get_gateway()
    settings.PORTONE_API_SECRET = API_SECRET
    settings.PORTONE_TIMEOUT = "soon"
    with pytest.raises(GatewayConfigurationError, match="PORTONE_TIMEOUT"):
        get_gateway()


# --------------------------------------------------------------------------- charge


def test_charge_with_billing_key_succeeds_and_is_logged(gateway, router):
    """BIL-7: a charge is PortOne's "pay with billing key" for our paymentId, the amount in won, KRW."""
    sent = route(router, "pay_with_billing_key.paid", paymentId=PID)
    result = charge(gateway)
    assert result.success and result.reference == PID
    request = sent.calls.last.request
    assert request.url.path == f"/payments/{PID}/billing-key"
    assert request.headers["Authorization"] == f"PortOne {API_SECRET}"
    assert request.headers["Idempotency-Key"] == PID
    body = json.loads(request.content)
    assert body == {
        "storeId": STORE_ID,
        "billingKey": BILLING_KEY,
        "channelKey": CHANNEL_KEY,
        "orderName": "TST-2026-000001 자동 결제 1회차",
        "amount": {"total": 110_000},
        "currency": "KRW",
    }
    call = last_call()
    assert (call.kind, call.provider, call.operation, call.outcome, call.http_status) == (
        "payment",
        "portone",
        "pay_with_billing_key",
        "ok",
        200,
    )
    assert call.reference == PID


def test_a_repeated_key_is_the_first_result_never_a_second_charge(gateway, router):
    """BIL-7: asking again with the same key asks for the same paymentId; PortOne answers ALREADY_PAID,
    which is the first (successful) result."""
    route(router, "pay_with_billing_key.already_paid", paymentId=PID)
    result = charge(gateway)
    assert result.success and result.reference == PID
    assert last_call().outcome == "duplicate"


@pytest.mark.parametrize(
    ("recording", "reason"),
    [
        ("pay_with_billing_key.declined", "잔액이 부족합니다"),
        ("pay_with_billing_key.billing_key_deleted", "BillingKeyAlreadyDeletedError"),
    ],
)
def test_a_decline_is_a_failed_result_not_an_error(gateway, router, recording, reason):
    """BIL-8: a PG refusal (or a deleted billing key) is a decline: the retry schedule follows."""
    route(router, recording, paymentId=PID)
    result = charge(gateway)
    assert not result.success and result.reference == PID
    assert reason in result.failure_reason
    call = last_call()
    assert call.outcome == "refused" and call.http_status in (409, 502)


def test_no_billing_key_is_a_decline_without_calling_portone(gateway, router):
    """BIL-7: a payment method without a billing key cannot be charged; nothing is sent."""
    result = charge(gateway, token="")
    assert not result.success and "billing key" in result.failure_reason
    assert not router.calls


@pytest.mark.parametrize(
    "recording",
    [
        "pay_with_billing_key.timeout",
        "pay_with_billing_key.server_error",
        "pay_with_billing_key.unknown_error",
    ],
)
def test_timeouts_and_server_errors_are_unknown_outcomes(gateway, router, recording):
    """BIL-7, SPEC §10: no clear answer → GatewayError (retryable): the attempt stays pending and is
    sent again with the same key."""
    route(router, recording, paymentId=PID)
    with pytest.raises(GatewayError) as err:
        charge(gateway)
    assert err.value.retryable
    assert not isinstance(err.value, GatewayConfigurationError)
    assert last_call().outcome == "error"


def test_connection_refused_is_an_unknown_outcome(gateway, router):
    router.post(url(f"/payments/{PID}/billing-key")).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(GatewayError, match="unreachable"):
        charge(gateway)


def test_a_refused_api_secret_is_a_configuration_error_that_names_no_secret(gateway, router, caplog):
    """Issue 18: a wrong PORTONE_API_SECRET is a configuration error; the secret is in no message, log
    line or call row."""
    route(router, "pay_with_billing_key.unauthorized", paymentId=PID)
    with caplog.at_level(logging.DEBUG), pytest.raises(GatewayConfigurationError) as err:
        charge(gateway)
    assert not err.value.retryable
    assert "PORTONE_API_SECRET" in str(err.value) and API_SECRET not in str(err.value)
    assert API_SECRET not in caplog.text
    assert last_call().http_status == 401


# --------------------------------------------------------------------------- refund


def _cancel_reason(router) -> str:
    return json.loads(router.calls.last.request.content)["reason"]


def test_partial_refund_is_a_cancel_with_an_amount(gateway, router):
    """BIL-11: a partial refund cancels that amount of the payment, naming the cancellable amount it saw,
    and carries the refund's key so a repeat is recognised."""
    route(router, "get_payment.paid", paymentId=PID, amount=110_000, billingKey=BILLING_KEY)
    cancel = route(router, "cancel_payment.succeeded", paymentId=PID, amount=30_000, reason="과납 환불")
    result = gateway.refund(reference=PID, amount_won=30_000, idempotency_key="refund:5", reason="과납 환불")
    assert result.success and result.reference == "cancel-0193f1a2-0002"
    body = json.loads(cancel.calls.last.request.content)
    assert body["amount"] == 30_000 and body["currentCancellableAmount"] == 110_000
    assert body["reason"] == f"과납 환불 [ref:{payment_id_for('refund:5')}]"
    assert [c.operation for c in ProviderCall.objects.order_by("id")] == ["get_payment", "cancel_payment"]


def test_a_repeated_refund_key_cancels_nothing_more(gateway, router):
    """BIL-11: a refund already made with this key (its marker is on a cancellation) is the first result."""
    marker = payment_id_for("refund:5")
    route(
        router,
        "get_payment.partial_cancelled",
        paymentId=PID,
        amount=110_000,
        cancelled=30_000,
        billingKey=BILLING_KEY,
        reason=f"과납 환불 [ref:{marker}]",
    )
    cancel = router.post(url(f"/payments/{PID}/cancel"))
    result = gateway.refund(reference=PID, amount_won=30_000, idempotency_key="refund:5", reason="과납 환불")
    assert result.success and result.reference == "cancel-0193f1a2-0002"
    assert not cancel.called
    assert last_call().outcome == "duplicate"


def test_a_refund_beyond_what_is_left_is_refused(gateway, router):
    route(
        router,
        "get_payment.partial_cancelled",
        paymentId=PID,
        amount=110_000,
        cancelled=100_000,
        billingKey=BILLING_KEY,
        reason="고객 요청",
    )
    route(router, "cancel_payment.exceeds", paymentId=PID)
    result = gateway.refund(reference=PID, amount_won=30_000, idempotency_key="refund:6")
    assert not result.success and "CancelAmountExceeds" in result.failure_reason
    assert last_call().outcome == "refused"


def test_a_refund_racing_another_cancel_is_asked_again(gateway, router):
    """BIL-11: the cancellable amount changed meanwhile → unknown outcome (retry reads the marker)."""
    route(router, "get_payment.paid", paymentId=PID, amount=110_000, billingKey=BILLING_KEY)
    route(router, "cancel_payment.consistency_broken", paymentId=PID)
    with pytest.raises(GatewayError):
        gateway.refund(reference=PID, amount_won=30_000, idempotency_key="refund:7")


# --------------------------------------------------------------------------- billing keys


def test_billing_key_lookup_and_delete(gateway, router):
    """BIL-7: a billing key issued in the browser is checked at PortOne; removing a card deletes it."""
    route(router, "get_billing_key.issued", billingKey=BILLING_KEY)
    state = gateway.billing_key(BILLING_KEY)
    assert state.status == "ISSUED" and state.label == "신한 법인카드 451842******1234"
    route(router, "delete_billing_key.deleted", billingKey=BILLING_KEY)
    assert gateway.delete_billing_key(BILLING_KEY, reason="고객 해지") is True
    router.routes.clear()
    route(router, "delete_billing_key.already_deleted", billingKey=BILLING_KEY)
    assert gateway.delete_billing_key(BILLING_KEY) is True
    assert last_call().outcome == "duplicate"
    route(router, "get_billing_key.not_found", billingKey="nope")
    assert gateway.billing_key("nope").status == "NOT_FOUND"


def test_a_card_method_stores_only_a_billing_key_portone_issued(gateway, router):
    """BIL-7: registering a card with a billing key checks it at PortOne first; an unknown key is refused
    with the field named and nothing is stored."""
    customer = CustomerFactory()
    route(router, "get_billing_key.not_found", billingKey="bk-unknown")
    with pytest.raises(DomainError) as err:
        payments.payment_method_add(customer=customer, kind="card", label="카드", gateway_token="bk-unknown")
    assert err.value.field == "gateway_token" and not PaymentMethod.objects.exists()
    route(router, "get_billing_key.issued", billingKey=BILLING_KEY)
    method = payments.payment_method_add(
        customer=customer, kind="card", label="법인카드", gateway_token=BILLING_KEY
    )
    assert method.gateway_token == BILLING_KEY and method.is_default


# --------------------------------------------------------------------------- check_providers


def test_check_reports_configuration_problems(settings):
    """Issue 18: check_providers names what is wrong with the PortOne settings, never a value."""
    use_portone(settings)
    assert check(False) == []
    settings.PORTONE_STORE_ID = "my-store"
    settings.PORTONE_WEBHOOK_SECRET = "not base64 !!"
    problems = check(False)
    assert any("PORTONE_STORE_ID" in p for p in problems)
    assert any("PORTONE_WEBHOOK_SECRET" in p for p in problems)


def test_ping_fails_cleanly_when_portone_cannot_be_reached(settings, router, capsys):
    """Issue 18: --ping with no network is a clear problem line, not a crash or a hang."""
    use_portone(settings)
    router.post(url("/login/api-secret")).mock(side_effect=httpx.ConnectTimeout("no route"))
    assert check(True) == ["PortOne API https://api.portone.io unreachable (ConnectTimeout)"]
    with pytest.raises(CommandError):
        call_command("check_providers", "--ping")
    out = capsys.readouterr().out
    assert "unreachable" in out and API_SECRET not in out and WEBHOOK_SECRET not in out


def test_ping_reports_a_refused_secret(settings, router):
    use_portone(settings)
    router.post(url("/login/api-secret")).mock(side_effect=lambda _r: answer("login_api_secret.unauthorized"))
    assert check(True) == ["PortOne refused PORTONE_API_SECRET (401)"]
    assert last_call().outcome == "refused"


# --------------------------------------------------------------------------- secrets


def test_no_secret_in_any_call_row_or_log_line(gateway, router, caplog):
    """Issue 18: across every kind of answer, neither secret appears in a ProviderCall row or a log line."""
    with caplog.at_level(logging.DEBUG):
        for name in ("paid", "declined", "server_error", "timeout", "unauthorized"):
            router.routes.clear()
            route(router, f"pay_with_billing_key.{name}", paymentId=PID)
            try:
                charge(gateway)
            except GatewayError as exc:
                assert API_SECRET not in str(exc)
    rows = list(ProviderCall.objects.values_list("reference", "detail"))
    assert len(rows) == 5
    for text in [*(" ".join(r) for r in rows), caplog.text]:
        assert API_SECRET not in text and WEBHOOK_SECRET not in text


# --------------------------------------------------------------------------- the recordings themselves


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("get_payment.paid", "PaidPayment"),
        ("get_payment.failed", "FailedPayment"),
        ("get_payment.cancelled", "CancelledPayment"),
        ("get_payment.partial_cancelled", "PartialCancelledPayment"),
        ("get_billing_key.issued", "IssuedBillingKeyInfo"),
        ("webhook.paid", "WebhookTransactionPaid"),
        ("webhook.failed", "WebhookTransactionFailed"),
        ("webhook.cancelled", "WebhookTransactionCancelledCancelled"),
        ("webhook.ready", "WebhookTransactionReady"),
    ],
)
def test_recordings_have_portone_s_documented_shape(name, kind):
    """Issue 18: each recorded body is typed by the SDK's own schema classes (not its untyped fallback)."""
    from portone_server_sdk._generated.payment.billing_key.billing_key_info import (
        _deserialize_billing_key_info,
    )
    from portone_server_sdk._generated.payment.payment import _deserialize_payment
    from portone_server_sdk._generated.webhook.webhook import _deserialize_webhook

    from tests.billing.portone_support import fill, recording

    values = {
        "paymentId": PID,
        "amount": 110_000,
        "cancelled": 30_000,
        "billingKey": BILLING_KEY,
        "reason": "r",
    }
    data = recording(name)
    body = data["request"]["json"] if name.startswith("webhook.") else data["response"]["json"]
    parse = {"get_payment": _deserialize_payment, "get_billing_key": _deserialize_billing_key_info}.get(
        name.split(".")[0], _deserialize_webhook
    )
    assert type(parse(fill(body, values))).__name__ == kind
