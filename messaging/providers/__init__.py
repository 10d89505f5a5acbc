"""Message providers (MSG-8): one interface, a local fake (the default) and an HTTP adapter.

``MESSAGING_PROVIDER`` in the environment (or settings) picks one: ``fake`` (default) or ``http``.
"""

from __future__ import annotations

import os

from django.conf import settings

from .base import DeliveryReport, OutboundMessage, Provider, ProviderUnavailable, SendReceipt
from .fake import FAKE, FakeProvider

__all__ = [
    "FAKE",
    "DeliveryReport",
    "FakeProvider",
    "OutboundMessage",
    "Provider",
    "ProviderUnavailable",
    "SendReceipt",
    "get_provider",
]


def get_provider(name: str | None = None) -> Provider:
    chosen = (
        name or getattr(settings, "MESSAGING_PROVIDER", None) or os.environ.get("MESSAGING_PROVIDER", "fake")
    )
    if chosen == "fake":
        return FAKE
    if chosen == "http":
        from .http import HttpProvider

        return HttpProvider()
    raise ValueError(f"unknown messaging provider {chosen!r}")
