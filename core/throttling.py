"""API throttles (DRF). Rates are ``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`` and are read at each
request (DRF reads them once at import, so a changed setting would be ignored); counters live in the
default cache (Redis). A throttled request gets 429 ``throttled`` in the API's error format with
``Retry-After``.

* :class:`WriteRateThrottle` (default for every view): writes per user, per IP when anonymous.
* :class:`ScopedThrottle`: a view's own ``throttle_scope`` per user or IP (``auth`` on the token and
  reactivation endpoints); ``throttle_methods`` limits it to some methods.
* :func:`hit`: the same counters for a plain Django view (the portal).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle, UserRateThrottle

from .client_ip import client_ip


def _rate(scope: str | None) -> str | None:
    rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES or {}
    value = rates.get(scope or "")
    return str(value) if value is not None else None


class _ClientIp:
    """An anonymous caller is counted by :func:`core.client_ip.client_ip` (trusted proxies only)."""

    def get_ident(self, request: Any) -> str:
        return client_ip(request) or ""


class WriteRateThrottle(_ClientIp, UserRateThrottle):
    """POST, PUT, PATCH and DELETE per authenticated user (or client IP); reads pass."""

    scope = "writes"

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def allow_request(self, request: Any, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class ScopedThrottle(_ClientIp, ScopedRateThrottle):
    """The view's ``throttle_scope``; only for ``throttle_methods`` when the view sets them."""

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def allow_request(self, request: Any, view: Any) -> bool:
        methods = getattr(view, "throttle_methods", None)
        if methods is not None and request.method not in methods:
            return True
        return super().allow_request(request, view)


class _PlainThrottle(_ClientIp, SimpleRateThrottle):
    def __init__(self, scope: str, ident: str) -> None:
        self.scope = scope
        self._ident = ident
        super().__init__()

    def get_rate(self) -> str | None:
        return _rate(self.scope)

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self._ident}


def hit(request: HttpRequest, scope: str, *, ident: str | None = None) -> float | None:
    """Count one request of ``scope`` for ``ident`` (default: the client IP, :mod:`core.client_ip`).
    None while within the rate; else the seconds to wait."""
    throttle = _PlainThrottle(scope, ident or "")
    if not ident:
        throttle._ident = throttle.get_ident(request)  # type: ignore[arg-type]
    if throttle.rate is None or throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    return throttle.wait() or 1.0
