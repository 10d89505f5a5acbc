"""Payment gateways (BIL-7): the port, a local fake (default), PortOne and a generic HTTP adapter.

``get_gateway()`` picks one by the ``PAYMENT_GATEWAY`` setting: ``"fake"`` (default), ``"portone"``
(PortOne V2 through its SDK, see :mod:`billing.gateways.portone`) or ``"http"``
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
    if kind == "portone":  # imported here: the SDK is large and only this vendor needs it
        from .portone import from_settings

        return from_settings()
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
    raise GatewayConfigurationError(f"unknown PAYMENT_GATEWAY {kind!r}; use 'fake', 'portone' or 'http'")


def _portone_check(ping: bool) -> list[str]:
    from .portone import check

    return check(ping)


def provider_ports() -> list[providers.Port]:
    """The payment and e-tax invoice ports as ``core.providers`` lists them (admin page, check_providers)."""
    from ..taxinvoice import vendors as tax_invoice_vendors  # issue 18: file (default) and Popbill

    return [
        providers.Port(
            kind="payment",
            label=_("카드 결제"),
            chooser="PAYMENT_GATEWAY",
            default="fake",
            vendors=(
                providers.Vendor(name="fake", label=_("내장 모의 결제 (개발·시험용)")),
                providers.Vendor(
                    name="portone",
                    label=_("포트원 (PortOne V2) 빌링키 결제"),
                    required=("PORTONE_STORE_ID", "PORTONE_CHANNEL_KEY"),
                    secrets=("PORTONE_API_SECRET", "PORTONE_WEBHOOK_SECRET"),
                    optional=("PORTONE_TIMEOUT", "PORTONE_API_URL"),
                    check=_portone_check,
                ),
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
            vendors=tax_invoice_vendors(),
        ),
    ]
