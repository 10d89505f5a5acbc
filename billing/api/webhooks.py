"""Billing API: payment webhooks from the PG (issue 18; BIL-7).

``POST /api/v1/webhooks/portone/`` takes PortOne V2's payment webhooks. No login: the request is
trusted only when its Standard Webhooks signature verifies (``PORTONE_WEBHOOK_SECRET``). Answers 200
when received (also for a repeat, which changes nothing), 400 for a bad signature (nothing changes), 503
when PortOne could not be asked about the payment or the receiver is not configured (PortOne retries).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.parsers import BaseParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.errors import DomainError

from ..gateways import GatewayConfigurationError, GatewayError


class _RawJsonParser(BaseParser):
    """The body is verified byte for byte, so it is never parsed before the signature check."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        return None


def _unavailable(code: str, message: Any) -> DomainError:
    error = DomainError(code, message, rule="BIL-7")
    error.status_code = 503
    return error


class PortOneWebhookApi(APIView):
    """PortOne's payment webhooks: verified, kept once, a pending card attempt settled (BIL-7)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    # Not throttled per IP: PortOne sends from a few addresses, in bursts after a collection run; the
    # signature is checked before anything else and a refused request costs one log row.
    throttle_classes: list[Any] = []
    parser_classes = [_RawJsonParser]

    # A vendor's callback, not part of the client API: left out of the OpenAPI document (and so of the
    # API fuzzing); docs/api.md describes it.
    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        from ..services.gateway_webhooks import portone_webhook_receive  # the PortOne SDK loads on use

        try:
            payload = request.body.decode("utf-8")
        except UnicodeDecodeError:
            payload = ""
        try:
            result = portone_webhook_receive(payload=payload, headers=request.headers, today=clock.today())
        except GatewayConfigurationError as exc:
            raise _unavailable(
                "webhook_not_configured", _("결제 웹훅 수신 설정이 되어 있지 않습니다.")
            ) from exc
        except GatewayError as exc:
            raise _unavailable(
                "gateway_unavailable", _("결제대행사에 결제 상태를 확인하지 못했습니다. 다시 보내 주세요.")
            ) from exc
        if not result.accepted:
            raise DomainError(
                "webhook_signature_invalid",
                _("웹훅 서명이 올바르지 않습니다."),
                rule="BIL-7",
                field="webhook-signature",
            )
        return Response({"received": True, "duplicate": result.duplicate})
