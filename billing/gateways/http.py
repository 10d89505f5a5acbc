"""An adapter for a real payment gateway spoken to over HTTPS/JSON (``PAYMENT_GATEWAY = "http"``).

Wire format (one small, vendor-neutral contract; a vendor-specific adapter can subclass and
override :meth:`HttpGateway._charge_body` / :meth:`HttpGateway._parse`):

``POST {PAYMENT_GATEWAY_URL}/charges``  ``{"amount": 110000, "currency": "KRW", "token": "...",
"description": "..."}`` with headers ``Authorization: Bearer {PAYMENT_GATEWAY_SECRET}`` and
``Idempotency-Key: invoice:12:attempt:1``. The answer is JSON
``{"status": "succeeded" | "failed", "id": "...", "failure_reason": "..."}``.
A 2xx answer or a 402/4xx answer carrying ``"status": "failed"`` is a decline; a timeout, a
connection error, a 5xx or an unreadable body raise :class:`GatewayError` (outcome unknown: ask
again with the same key). ``POST .../refunds`` takes ``{"charge": reference, "amount", "reason"}``.

Each request is logged through :func:`core.providers.provider_call` (issue 18), without the secret.
"""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from core import providers

from .base import ChargeResult, GatewayConfigurationError, GatewayError

DEFAULT_TIMEOUT_SECONDS = 10.0


class HttpGateway:
    name = "http"

    def __init__(self, *, base_url: str, secret: str, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        parsed = urllib.parse.urlsplit(base_url or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise GatewayConfigurationError(f"PAYMENT_GATEWAY_URL must be an http(s) URL, not {base_url!r}")
        if not secret:
            raise GatewayConfigurationError("PAYMENT_GATEWAY_SECRET is not set")
        if timeout <= 0:
            raise GatewayConfigurationError("PAYMENT_GATEWAY_TIMEOUT must be positive")
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = float(timeout)

    # ------------------------------------------------------------------ public

    def charge(self, *, amount_won: int, token: str, idempotency_key: str, description: str) -> ChargeResult:
        body = self._charge_body(amount_won=amount_won, token=token, description=description)
        return self._exchange("charge", "/charges", body, idempotency_key)

    def refund(
        self, *, reference: str, amount_won: int, idempotency_key: str, reason: str = ""
    ) -> ChargeResult:
        body = {"charge": reference, "amount": amount_won, "currency": "KRW", "reason": reason}
        return self._exchange("refund", "/refunds", body, idempotency_key)

    # ------------------------------------------------------------------ wire

    def _exchange(
        self, operation: str, path: str, body: dict[str, Any], idempotency_key: str
    ) -> ChargeResult:
        with providers.provider_call(
            kind="payment", provider=self.name, operation=operation, reference=idempotency_key
        ) as call:
            answer = self._post(path, body, idempotency_key)
            call.http_status = answer[0]
            result = self._parse(answer)
            if not result.success:
                call.refused(result.failure_reason)
            return result

    def _charge_body(self, *, amount_won: int, token: str, description: str) -> dict[str, Any]:
        return {"amount": amount_won, "currency": "KRW", "token": token, "description": description}

    def _post(self, path: str, body: dict[str, Any], idempotency_key: str) -> tuple[int, dict[str, Any]]:
        url = self.base_url + path
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            url,
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.secret}",
                "Idempotency-Key": idempotency_key,
                "User-Agent": "termsops-billing/1",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        except TimeoutError as exc:
            raise GatewayError(f"payment gateway timed out after {self.timeout:g}s: POST {url}") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise GatewayError(f"payment gateway timed out after {self.timeout:g}s: POST {url}") from exc
            raise GatewayError(f"payment gateway unreachable: POST {url}: {exc.reason}") from exc
        except OSError as exc:
            raise GatewayError(f"payment gateway connection failed: POST {url}: {exc}") from exc
        if status >= 500:
            raise GatewayError(f"payment gateway error HTTP {status}: POST {url}: {raw[:200]!r}")
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise GatewayError(
                f"payment gateway answered HTTP {status} with a body that is not JSON"
            ) from exc
        if not isinstance(payload, dict):
            raise GatewayError(f"payment gateway answered HTTP {status} with unexpected JSON")
        if status in (401, 403):
            raise GatewayError(
                f"payment gateway refused our credentials (HTTP {status}); check PAYMENT_GATEWAY_SECRET",
                retryable=False,
            )
        return status, payload

    def _parse(self, answer: tuple[int, dict[str, Any]]) -> ChargeResult:
        status, payload = answer
        state = str(payload.get("status", "")).lower()
        reference = str(payload.get("id") or payload.get("reference") or "")
        if 200 <= status < 300 and state in ("succeeded", "success", "paid"):
            return ChargeResult(True, reference)
        if state in ("failed", "declined") or status == 402:
            reason = str(
                payload.get("failure_reason") or payload.get("message") or f"declined (HTTP {status})"
            )
            return ChargeResult(False, reference, reason[:300])
        raise GatewayError(f"payment gateway answered HTTP {status} with status {state or '(none)'!r}")
