"""A provider adapter speaking JSON over HTTP, configured by environment (MSG-8).

``MESSAGING_HTTP_URL`` (base URL), ``MESSAGING_HTTP_TOKEN`` (bearer token),
``MESSAGING_HTTP_TIMEOUT`` (seconds, default 10). ``POST {url}/messages`` with
``{"messages": [...]}`` answers ``{"receipts": [{"client_ref", "accepted", "id", "reason"}]}``;
``GET {url}/results`` answers ``{"results": [{"id", "delivered", "reason"}]}``.
``client_ref`` is our message id, so the provider drops a resend of the same message.
Every request is logged as a ``core.ProviderCall`` (issue 18), without the token.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from core import providers

from .base import DeliveryReport, OutboundMessage, ProviderUnavailable, SendReceipt


class HttpProvider:
    name = "http"

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        timeout: float | None = None,
        rate_per_second: int | None = None,
    ) -> None:
        self.url = (url or os.environ.get("MESSAGING_HTTP_URL", "")).rstrip("/")
        self.token = token if token is not None else os.environ.get("MESSAGING_HTTP_TOKEN", "")
        self.timeout = timeout or float(os.environ.get("MESSAGING_HTTP_TIMEOUT", "10"))
        self.rate_per_second = rate_per_second or int(os.environ.get("MESSAGING_RATE_PER_SECOND", "100"))
        if not self.url:
            raise ValueError("MESSAGING_HTTP_URL is not set")

    def _call(
        self,
        method: str,
        path: str,
        payload: dict[str, Any] | None = None,
        *,
        operation: str,
        reference: str = "",
    ) -> dict[str, Any]:
        data = json.dumps(payload, ensure_ascii=False).encode() if payload is not None else None
        request = urllib.request.Request(  # noqa: S310 (the configured https URL)
            f"{self.url}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        with providers.provider_call(
            kind="messaging", provider=self.name, operation=operation, reference=reference
        ) as call:
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                    call.http_status = response.status
                    return dict(json.loads(response.read() or b"{}"))
            except urllib.error.HTTPError as exc:
                call.http_status = exc.code
                if exc.code >= 500 or exc.code == 429:
                    raise ProviderUnavailable(f"HTTP {exc.code}") from exc
                raise
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                raise ProviderUnavailable(str(exc)) from exc

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendReceipt]:
        refs = [m.client_ref for m in messages]
        body = self._call(
            "POST",
            "/messages",
            {"messages": [dataclasses.asdict(m) for m in messages]},
            operation="send",
            reference=refs[0] if len(refs) == 1 else f"{refs[0]}..{refs[-1]} ({len(refs)})" if refs else "",
        )
        return [
            SendReceipt(
                str(r["client_ref"]),
                bool(r.get("accepted")),
                str(r.get("id") or ""),
                str(r.get("reason") or ""),
            )
            for r in body.get("receipts", [])
        ]

    def fetch_results(self, now: dt.datetime) -> list[DeliveryReport]:
        body = self._call("GET", "/results", operation="results")
        return [
            DeliveryReport(self.name, str(r["id"]), bool(r.get("delivered")), str(r.get("reason") or ""), now)
            for r in body.get("results", [])
        ]
