"""Payment gateways (BIL-7): the port, a local fake (default) and an HTTP adapter.

``get_gateway()`` picks one by the ``PAYMENT_GATEWAY`` setting: ``"fake"`` (default) or ``"http"``
(with ``PAYMENT_GATEWAY_URL``, ``PAYMENT_GATEWAY_SECRET`` and optionally
``PAYMENT_GATEWAY_TIMEOUT`` seconds). Settings are read with ``getattr`` and fall back to the
environment, so nothing breaks before they are declared in ``config/settings``.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

from .base import ChargeResult, GatewayConfigurationError, GatewayError, PaymentGateway
from .fake import FakeGateway, fake_state
from .http import DEFAULT_TIMEOUT_SECONDS, HttpGateway

__all__ = [
    "ChargeResult",
    "FakeGateway",
    "GatewayConfigurationError",
    "GatewayError",
    "HttpGateway",
    "PaymentGateway",
    "fake_state",
    "get_gateway",
]


def _setting(name: str, default: Any = None) -> Any:
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return value


def get_gateway() -> PaymentGateway:
    kind = str(_setting("PAYMENT_GATEWAY", "fake") or "fake").strip().lower()
    if kind == "fake":
        return FakeGateway()
    if kind == "http":
        timeout = _setting("PAYMENT_GATEWAY_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
        try:
            seconds = float(timeout)
        except (TypeError, ValueError) as exc:
            raise GatewayConfigurationError(
                f"PAYMENT_GATEWAY_TIMEOUT must be a number, not {timeout!r}"
            ) from exc
        return HttpGateway(
            base_url=str(_setting("PAYMENT_GATEWAY_URL", "") or ""),
            secret=str(_setting("PAYMENT_GATEWAY_SECRET", "") or ""),
            timeout=seconds,
        )
    raise GatewayConfigurationError(f"unknown PAYMENT_GATEWAY {kind!r}; use 'fake' or 'http'")
