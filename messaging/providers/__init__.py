"""Message providers (MSG-8): one interface, a local fake (the default) and an HTTP adapter.

``MESSAGING_PROVIDER`` in the environment (or settings) picks one: ``fake`` (default) or ``http``.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import providers

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


def provider_port() -> providers.Port:
    """The messaging port as ``core.providers`` lists it (admin page, ``check_providers``)."""
    return providers.Port(
        kind="messaging",
        label=_("문자·알림톡"),
        chooser="MESSAGING_PROVIDER",
        default="fake",
        vendors=(
            providers.Vendor(name="fake", label=_("내장 모의 발송 (개발·시험용)")),
            providers.Vendor(
                name="http",
                label=_("범용 HTTP 발송 서비스"),
                required=("MESSAGING_HTTP_URL",),
                secrets=("MESSAGING_HTTP_TOKEN",),
                optional=("MESSAGING_HTTP_TIMEOUT", "MESSAGING_RATE_PER_SECOND"),
            ),
        ),
    )
