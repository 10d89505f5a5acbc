"""PortOne at the HTTP boundary, for the tests (issue 18): recorded exchanges and a small simulator.

The recordings (``recordings/portone/*.json``) are shaped as PortOne's V2 REST documentation shows each
answer; ``{name}`` placeholders are filled per test (a placeholder that is the whole string takes the
value's type, so amounts stay numbers). ``respx`` serves them to the SDK's ``httpx`` client: nothing
of ours is mocked, and a request no route expects fails the test.

:class:`PortOneSim` answers like PortOne from those recordings, deciding each charge by the same
``FakeState`` the fake gateway uses (``fail_tokens``, ``fail_first``, ``unavailable`` ...), so the
suites written against the fake run unchanged against the real adapter.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from billing.gateways import ChargeResult, FakeGateway, fake_state
from billing.gateways.fake import Charge, FakeState
from billing.gateways.portone import API_URL

RECORDINGS = Path(__file__).parent / "recordings" / "portone"
API_SECRET = "portone-api-secret-TEST-9f8e7d6c5b4a"
STORE_ID = "store-4c1a9f43-6a1d-4a57-a1a9-3d8f0b1c7e21"
CHANNEL_KEY = "channel-key-9d7b8c2e-1f3a-4e5b-8c6d-7a8b9c0d1e2f"
WEBHOOK_RAW = b"termsops-test-webhook-secret-32b"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(WEBHOOK_RAW).decode()

_WHOLE = re.compile(r"^\{(\w+)\}$")
_PART = re.compile(r"\{(\w+)\}")


def recording(name: str) -> dict[str, Any]:
    return json.loads((RECORDINGS / f"{name}.json").read_text(encoding="utf-8"))


def fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    if isinstance(value, str):
        whole = _WHOLE.match(value)
        if whole and whole.group(1) in values:
            return values[whole.group(1)]
        return _PART.sub(lambda m: str(values.get(m.group(1), m.group(0))), value)
    return value


def answer(name: str, **values: Any) -> httpx.Response:
    """The recorded answer as an ``httpx.Response`` (or the recorded transport failure, raised)."""
    response = recording(name)["response"]
    if response.get("error") == "read_timeout":
        raise httpx.ReadTimeout("timed out (recorded)")
    if response.get("error") == "connect":
        raise httpx.ConnectError("connection refused (recorded)")
    if "text" in response:
        return httpx.Response(response["status"], text=response["text"], headers=response.get("headers"))
    return httpx.Response(response["status"], json=fill(response["json"], values))


def url(path: str) -> str:
    return API_URL + path


def route(router: respx.MockRouter, name: str, **values: Any) -> respx.Route:
    """Serve recording ``name`` for its request (method and path, placeholders filled)."""
    request = recording(name)["request"]
    path = fill(request["path"], values)
    return router.request(request["method"], url(path)).mock(side_effect=lambda _req: answer(name, **values))


def use_portone(settings: Any) -> None:
    settings.PAYMENT_GATEWAY = "portone"
    settings.PORTONE_API_SECRET = API_SECRET
    settings.PORTONE_STORE_ID = STORE_ID
    settings.PORTONE_CHANNEL_KEY = CHANNEL_KEY
    settings.PORTONE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.PORTONE_TIMEOUT = 2


def signed_headers(
    payload: str, *, webhook_id: str, timestamp: int | None = None, raw_secret: bytes = WEBHOOK_RAW
) -> dict[str, str]:
    """Standard Webhooks headers as PortOne sends them (v1 = HMAC-SHA256 of ``id.timestamp.body``)."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(raw_secret, f"{webhook_id}.{stamp}.{payload}".encode(), hashlib.sha256).digest()
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": stamp,
        "webhook-signature": "v1," + base64.b64encode(digest).decode(),
    }


def webhook_body(event: str, payment_id: str) -> str:
    body = recording(f"webhook.{event}")["request"]["json"]
    return json.dumps(fill(body, {"paymentId": payment_id}), ensure_ascii=False, separators=(",", ":"))


class PortOneSim:
    """PortOne's payment API as the recordings show it, driven by the fake's :class:`FakeState`."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.payments: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def install(self, router: respx.MockRouter) -> None:
        router.post(url__regex=rf"^{re.escape(API_URL)}/payments/(?P<pid>[^/]+)/billing-key$").mock(
            side_effect=self._pay
        )
        router.get(url__regex=rf"^{re.escape(API_URL)}/payments/(?P<pid>[^/?]+)(?:\?.*)?$").mock(
            side_effect=self._get
        )
        router.post(url__regex=rf"^{re.escape(API_URL)}/payments/(?P<pid>[^/]+)/cancel$").mock(
            side_effect=self._cancel
        )
        router.delete(url__regex=rf"^{re.escape(API_URL)}/billing-keys/(?P<key>[^/?]+)(?:\?.*)?$").mock(
            side_effect=self._delete_billing_key
        )

    def _delete_billing_key(self, request: httpx.Request, key: str) -> httpx.Response:
        with self.state.lock:
            if self.state.unavailable:
                raise httpx.ReadTimeout("timed out (simulated)")
            if key in self.state.refuse_deletes:
                return answer("delete_billing_key.pg_refused")
            if key in self.state.deleted_billing_keys:
                return answer("delete_billing_key.already_deleted")
            self.state.deleted_billing_keys.append(key)
            return answer("delete_billing_key.deleted")

    def _pay(self, request: httpx.Request, pid: str) -> httpx.Response:
        body = json.loads(request.content)
        token, amount = body["billingKey"], body["amount"]["total"]
        with self.lock, self.state.lock:
            if self.state.unavailable:
                raise httpx.ReadTimeout("timed out (simulated)")
            known = self.payments.get(pid)
            if known is not None and known["status"] == "PAID":
                return answer("pay_with_billing_key.already_paid")
            reason = FakeGateway(self.state)._declines(token)
            result = ChargeResult(not reason, pid, reason)
            self.state.charges.append(Charge(pid, token, amount, body["orderName"], result))
            self.payments[pid] = {
                "status": "FAILED" if reason else "PAID",
                "amount": amount,
                "cancelled": 0,
                "billingKey": token,
                "reasons": [],
            }
            if reason:
                return answer("pay_with_billing_key.declined")
            return answer("pay_with_billing_key.paid")

    def _get(self, request: httpx.Request, pid: str) -> httpx.Response:
        if self.state.unavailable:
            raise httpx.ReadTimeout("timed out (simulated)")
        with self.lock:
            known = self.payments.get(pid)
            if known is None:
                return answer("get_payment.not_found")
            name = {"PAID": "get_payment.paid", "FAILED": "get_payment.failed"}[known["status"]]
            response = answer(name, paymentId=pid, amount=known["amount"], billingKey=known["billingKey"])
            data = response.json()
            data["amount"]["cancelled"] = known["cancelled"]
            data["cancellations"] = [
                {
                    "status": "SUCCEEDED",
                    "id": cid,
                    "totalAmount": amt,
                    "taxFreeAmount": 0,
                    "vatAmount": 0,
                    "reason": reason,
                    "requestedAt": "2026-11-20T01:00:00Z",
                }
                for cid, amt, reason in known["reasons"]
            ]
            return httpx.Response(200, json=data)

    def _cancel(self, request: httpx.Request, pid: str) -> httpx.Response:
        body = json.loads(request.content)
        with self.lock, self.state.lock:
            if self.state.unavailable:
                raise httpx.ReadTimeout("timed out (simulated)")
            if pid in self.state.refuse_refunds:
                return answer("cancel_payment.pg_refused")
            known = self.payments.get(pid)
            if known is None or known["status"] != "PAID":
                return answer("cancel_payment.exceeds")
            cancellable = known["amount"] - known["cancelled"]
            if body.get("currentCancellableAmount", cancellable) != cancellable:
                return answer("cancel_payment.consistency_broken")
            if body["amount"] > cancellable:
                return answer("cancel_payment.exceeds")
            known["cancelled"] += body["amount"]
            cid = f"cancel-{len(known['reasons']) + 1:04d}"
            known["reasons"].append((cid, body["amount"], body["reason"]))
            self.state.refunds.append((pid, body["amount"], body["reason"]))
            response = answer("cancel_payment.succeeded", amount=body["amount"], reason=body["reason"])
            data = response.json()
            data["cancellation"]["id"] = cid
            return httpx.Response(200, json=data)


@pytest.fixture
def portone_gateway(settings):  # type: ignore[no-untyped-def]
    """``fake_gateway``'s twin: the same ``FakeState`` handle, but every charge goes through the PortOne
    adapter and its SDK to :class:`PortOneSim` at the HTTP boundary."""
    use_portone(settings)
    state = fake_state()
    state.reset()
    sim = PortOneSim(state)
    with respx.mock(assert_all_called=False, assert_all_mocked=True) as router:
        sim.install(router)
        yield state
    state.reset()
