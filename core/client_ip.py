"""The client's IP address, one answer for the login lockout (django-axes), the API and portal
throttles and the consent records (issue #14).

Directly on the internet (``TRUSTED_PROXY_COUNT`` = 0, the default) it is ``REMOTE_ADDR``: an
``X-Forwarded-For`` header is the caller's own claim and is ignored, so rotating it does not escape a
lockout. Behind N trusted proxies (a load balancer), the last N addresses of ``X-Forwarded-For`` were
written by them and the client is the N-th from the right; whatever the caller put before that is
ignored. This is DRF's ``NUM_PROXIES`` rule (``BaseThrottle.get_ident``) without its trusting default;
the API throttles call this function (``core.throttling``).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings


def client_ip(request: Any) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [part.strip() for part in forwarded.split(",") if part.strip()]
    if count <= 0 or not hops:
        return remote
    return hops[-min(count, len(hops))]
