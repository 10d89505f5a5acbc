"""Payment gateways (BIL-7): the port, a local fake (default) and an HTTP adapter.

``get_gateway()`` picks one by the ``PAYMENT_GATEWAY`` setting: ``"fake"`` (default) or ``"http"``
(with ``PAYMENT_GATEWAY_URL``, ``PAYMENT_GATEWAY_SECRET`` and optionally
``PAYMENT_GATEWAY_TIMEOUT`` seconds). Settings are read with ``getattr`` and fall back to the
environment, so nothing breaks before they are declared in ``config/settings``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core import providers

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


_setting = providers.setting


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


def provider_ports() -> list[providers.Port]:
    """The payment and e-tax invoice ports as ``core.providers`` lists them (admin page, check_providers)."""
    return [
        providers.Port(
            kind="payment",
            label=_("카드 결제"),
            chooser="PAYMENT_GATEWAY",
            default="fake",
            vendors=(
                providers.Vendor(name="fake", label=_("내장 모의 결제 (개발·시험용)")),
                providers.Vendor(
                    name="http",
                    label=_("범용 HTTP 결제 게이트웨이"),
                    required=("PAYMENT_GATEWAY_URL",),
                    secrets=("PAYMENT_GATEWAY_SECRET",),
                    optional=("PAYMENT_GATEWAY_TIMEOUT",),
                ),
            ),
        ),
        providers.Port(
            kind="tax_invoice",
            label=_("전자세금계산서"),
            chooser="TAX_INVOICE_PROVIDER",
            default="file",
            vendors=(providers.Vendor(name="file", label=_("파일 내보내기 (홈택스 일괄 업로드)")),),
        ),
    ]
