"""Payment gateways (BIL-7): the fake (default) and the HTTP adapter against a local server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from billing.gateways import (
    FakeGateway,
    GatewayConfigurationError,
    GatewayError,
    HttpGateway,
    PaymentGateway,
    get_gateway,
)
from core.models import ProviderCall
from tests.billing.payment_factories import fake_gateway  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db  # the HTTP adapter logs each call (core.ProviderCall, issue 18)


def charge(gateway: Any,
           token: str = "tok_1", key: str = "invoice:1:attempt:1", amount: int = 110_000) -> Any:
    return gateway.charge(amount_won=amount, token=token, idempotency_key=key, description="INV-2026-000001")


# --------------------------------------------------------------------------- fake


def test_fake_is_the_default_and_follows_the_protocol(settings, fake_gateway):  # noqa: F811
    """BIL-7: PAYMENT_GATEWAY defaults to the local fake; it satisfies the gateway protocol."""
    gateway = get_gateway()
    assert isinstance(gateway, FakeGateway)
    assert isinstance(gateway, PaymentGateway)
    result = charge(gateway)
    assert result.success and result.reference.startswith("fake-")


def test_fake_never_charges_a_key_twice(fake_gateway):  # noqa: F811
    """BIL-7: a repeated idempotency key returns the first result and charges nothing more."""
    gateway = FakeGateway()
    first = charge(gateway)
    again = charge(gateway, amount=999)
    assert first == again
    assert len(fake_gateway.charges) == 1
    assert charge(gateway, key="invoice:1:attempt:2").reference != first.reference


@pytest.mark.parametrize(
    ("setting", "token", "fails"),
    [
        (None, "fail_card", True),  # default: token prefix "fail"
        (None, "tok_ok", False),
        ("always", "tok_ok", True),
        ("never", "fail_card", False),
        ("tok_a, tok_b", "tok_b", True),
        ("tok_a, tok_b", "tok_c", False),
        ({"tok_x"}, "tok_x", True),
    ],
)
def test_fake_failures_by_setting(settings, fake_gateway, setting, token, fails):  # noqa: F811
    """BIL-8: PAYMENT_GATEWAY_FAKE_FAIL makes the fake decline (always, token prefix, a set of tokens)."""
    if setting is None:
        if hasattr(settings, "PAYMENT_GATEWAY_FAKE_FAIL"):
            del settings.PAYMENT_GATEWAY_FAKE_FAIL
    else:
        settings.PAYMENT_GATEWAY_FAKE_FAIL = setting
    result = charge(FakeGateway(), token=token)
    assert result.success is (not fails)
    assert bool(result.failure_reason) is fails


def test_fake_per_test_configuration(fake_gateway):  # noqa: F811
    """BIL-8: tests steer the fake: decline a token's first N charges, or be unavailable."""
    fake_gateway.fail_first["tok_9"] = 1
    gateway = FakeGateway()
    assert not charge(gateway, token="tok_9", key="a").success
    assert charge(gateway, token="tok_9", key="b").success
    fake_gateway.unavailable = True
    with pytest.raises(GatewayError):
        charge(gateway, key="c")


# --------------------------------------------------------------------------- http


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        server: Any = self.server
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        server.requests.append((self.path, dict(self.headers), body))
        mode = server.mode
        if mode == "slow":
            time.sleep(1.0)
        if mode == "error":
            self._send(500, b"oops")
            return
        if mode == "garbage":
            self._send(200, b"<html>")
            return
        key = self.headers.get("Idempotency-Key")
        if key in server.seen:
            self._send(200, json.dumps(server.seen[key]).encode())
            return
        if body.get("token", "").startswith("fail"):
            answer: dict[str, Any] = {"status": "failed", "id": f"ch_{len(server.seen)}",
                                      "failure_reason": "잔액 부족"}
            status = 402
        else:
            answer = {"status": "succeeded", "id": f"ch_{len(server.seen)}"}
            status = 200
        server.seen[key] = answer
        self._send(status, json.dumps(answer, ensure_ascii=False).encode())

    def _send(self, status: int, raw: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)


@pytest.fixture
def pg_server():  # type: ignore[no-untyped-def]
    server: Any = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.requests, server.seen, server.mode = [], {}, "normal"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield server
    server.shutdown()
    server.server_close()


def test_http_gateway_success_sends_json_with_idempotency_key(pg_server):
    """BIL-7: the HTTP adapter posts JSON with the key in a header and the secret as a bearer token."""
    gateway = HttpGateway(base_url=pg_server.url, secret="sk_test", timeout=2)
    result = charge(gateway, token="tok_ok")
    assert result.success and result.reference == "ch_0"
    path, headers, body = pg_server.requests[0]
    assert path == "/v1/charges"
    assert headers["Idempotency-Key"] == "invoice:1:attempt:1"
    assert headers["Authorization"] == "Bearer sk_test"
    assert body == {"amount": 110_000, "currency": "KRW", "token": "tok_ok", "description": "INV-2026-000001"}
    assert charge(gateway, token="tok_ok") == result  # the server answers a repeated key the same way


def test_http_gateway_decline(pg_server):
    """BIL-8: a decline is a failed ChargeResult with the gateway's reason, not an exception."""
    result = charge(HttpGateway(base_url=pg_server.url, secret="s", timeout=2), token="fail_card")
    assert not result.success and result.failure_reason == "잔액 부족"


def test_http_gateway_timeout(pg_server):
    """BIL-7: a timeout raises GatewayError (outcome unknown: ask again with the same key)."""
    pg_server.mode = "slow"
    with pytest.raises(GatewayError) as info:
        charge(HttpGateway(base_url=pg_server.url, secret="s", timeout=0.2))
    assert "timed out" in str(info.value)


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_http_gateway_server_errors_are_unknown_outcomes(pg_server, mode):
    """BIL-7: a 5xx or an unreadable answer raises a clear GatewayError."""
    pg_server.mode = mode
    with pytest.raises(GatewayError):
        charge(HttpGateway(base_url=pg_server.url, secret="s", timeout=2))


def test_http_gateway_unreachable():
    """BIL-7: nobody listening → GatewayError naming the URL."""
    with pytest.raises(GatewayError) as info:
        charge(HttpGateway(base_url="http://127.0.0.1:9/v1", secret="s", timeout=1))
    assert "127.0.0.1:9" in str(info.value)


def test_http_gateway_calls_are_logged_without_the_secret(pg_server):
    """Issue 18: each HTTP gateway request is a ProviderCall row (outcome, HTTP status), never the secret."""
    gateway = HttpGateway(base_url=pg_server.url, secret="sk_live_hidden_42", timeout=2)
    charge(gateway, token="tok_ok")
    charge(gateway, token="fail_card", key="invoice:1:attempt:2")
    pg_server.mode = "error"
    with pytest.raises(GatewayError):
        charge(gateway, key="invoice:1:attempt:3")
    rows = list(
        ProviderCall.objects.order_by("id").values_list("provider", "operation", "outcome", "http_status")
    )
    assert rows == [
        ("http", "charge", "ok", 200),
        ("http", "charge", "refused", 402),
        ("http", "charge", "error", None),
    ]
    assert not ProviderCall.objects.filter(detail__contains="sk_live_hidden_42").exists()


def test_http_gateway_refund(pg_server):
    """BIL-11: refunds go to /refunds with their own idempotency key."""
    gateway = HttpGateway(base_url=pg_server.url, secret="s", timeout=2)
    result = gateway.refund(reference="ch_0", amount_won=5000, idempotency_key="refund:1", reason="과납")
    assert result.success
    assert pg_server.requests[0][0] == "/v1/refunds"
    assert pg_server.requests[0][2]["charge"] == "ch_0"


def test_get_gateway_http_from_settings(settings, pg_server):
    """BIL-7: PAYMENT_GATEWAY=http with URL, secret and timeout from settings."""
    settings.PAYMENT_GATEWAY = "http"
    settings.PAYMENT_GATEWAY_URL = pg_server.url
    settings.PAYMENT_GATEWAY_SECRET = "sk_live"
    settings.PAYMENT_GATEWAY_TIMEOUT = "3"
    gateway = get_gateway()
    assert isinstance(gateway, HttpGateway) and gateway.timeout == 3.0
    assert charge(gateway).success


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"PAYMENT_GATEWAY": "http", "PAYMENT_GATEWAY_URL": "ftp://x", "PAYMENT_GATEWAY_SECRET": "s"}, "URL"),
        (
            {"PAYMENT_GATEWAY": "http", "PAYMENT_GATEWAY_URL": "https://pg.test",
             "PAYMENT_GATEWAY_SECRET": ""},
            "SECRET",
        ),
        ({"PAYMENT_GATEWAY": "nicepay"}, "unknown"),
    ],
)
def test_get_gateway_configuration_errors(settings, monkeypatch, values, message):
    """BIL-7: a wrong configuration fails clearly, naming the setting."""
    for name in ("PAYMENT_GATEWAY_URL", "PAYMENT_GATEWAY_SECRET"):
        monkeypatch.delenv(name, raising=False)
    for name, value in values.items():
        setattr(settings, name, value)
    with pytest.raises(GatewayConfigurationError) as info:
        get_gateway()
    assert message in str(info.value)
