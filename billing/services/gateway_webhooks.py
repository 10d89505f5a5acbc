"""Payment webhooks from PortOne (issue 18; BIL-7): settle a pending card attempt the PG has decided.

PortOne calls ``POST /api/v1/webhooks/portone/`` when a payment is paid, fails or is cancelled. The
request is accepted only when its Standard Webhooks signature verifies with ``PORTONE_WEBHOOK_SECRET``
(else nothing changes and a ``rejected`` call is logged). Each webhook id is kept once
(:class:`~billing.models.GatewayWebhook`, a unique constraint): PortOne's retries and any replay do
nothing the second time.

The webhook body only names the payment; as PortOne advises, its state is read back from the API
(``GET /payments/{paymentId}``) before anything is written. A pending attempt then goes through
:func:`billing.services.collection.charge_outcome_record` — the same service the job and pay-now use
with every gateway, the fake included — so a webhook and the charge's own answer can arrive in either
order and the attempt is recorded once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from core import providers

from ..gateways import ChargeResult
from ..gateways.portone import (
    KIND,
    PROVIDER,
    PortOneGateway,
    RemotePayment,
    WebhookRejected,
    from_settings,
    payment_id_for,
)
from ..models import GatewayWebhook, Payment
from .collection import AUTO_METHODS, charge_outcome_record

__all__ = ["WebhookResult", "portone_webhook_receive"]

# Events that can decide a pending attempt; the others (Ready, billing-key events ...) are kept only.
SETTLING_EVENTS = {"Transaction.Paid", "Transaction.Failed", "Transaction.Cancelled"}


@dataclass(frozen=True)
class WebhookResult:
    accepted: bool  # False: not PortOne's (bad signature ...) → HTTP 400
    duplicate: bool = False
    detail: str = ""


def _find_payment(gateway_payment_id: str) -> Payment | None:
    """Our attempt behind a PortOne ``paymentId``: by the reference an answered charge stored, else among
    the pending attempts (a charge whose answer was lost has no reference yet) by the key mapping."""
    if not gateway_payment_id:
        return None
    found = Payment.objects.filter(reference=gateway_payment_id, method__in=AUTO_METHODS).first()
    if found is not None:
        return found
    pending = Payment.objects.filter(
        status=Payment.Status.PENDING, method__in=AUTO_METHODS, idempotency_key__isnull=False
    ).values_list("pk", "idempotency_key")
    for pk, key in pending:
        if key and payment_id_for(key) == gateway_payment_id:
            return Payment.objects.get(pk=pk)
    return None


def _decided(remote: RemotePayment, payment: Payment) -> tuple[ChargeResult | None, str]:
    """What PortOne's record of the payment means for our pending attempt (None: not decided yet)."""
    if remote.status == "PAID":
        if remote.total_won != payment.amount_won:
            return (
                None,
                f"amount differs: PortOne {remote.total_won}, ours {payment.amount_won}; left pending",
            )
        return ChargeResult(True, remote.payment_id), "paid"
    if remote.status == "FAILED":
        return ChargeResult(
            False, remote.payment_id, remote.failure_reason or "PortOne: payment failed"
        ), "failed"
    if remote.status == "CANCELLED":
        return ChargeResult(False, remote.payment_id, "PortOne: payment cancelled"), "cancelled"
    return None, f"status {remote.status}: not decided yet"


def portone_webhook_receive(
    *, payload: str, headers: Mapping[str, str], today: dt.date, gateway: PortOneGateway | None = None
) -> WebhookResult:
    """Verify, de-duplicate and apply one PortOne webhook. Raises ``GatewayError`` when PortOne cannot
    be asked about the payment (the caller answers 5xx, so PortOne sends the webhook again)."""
    webhook_id = str(headers.get("webhook-id") or "")[:120]
    gateway = gateway or from_settings()
    with providers.provider_call(
        kind=KIND, provider=PROVIDER, operation="webhook", reference=webhook_id
    ) as call:
        try:
            body = gateway.verify_webhook(payload, headers)
        except WebhookRejected as exc:
            call.rejected(f"signature check failed: {exc}")
            return WebhookResult(False, detail=str(exc))
        event_type = str(body.get("type") or "")[:64]
        raw_data = body.get("data")
        data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
        gateway_payment_id = str(data.get("paymentId") or "")[:120]
        if GatewayWebhook.objects.filter(provider=PROVIDER, webhook_id=webhook_id).exists():
            call.duplicate(f"{event_type} {gateway_payment_id}: already received")
            return WebhookResult(True, duplicate=True)

        payment = _find_payment(gateway_payment_id)
        result: ChargeResult | None = None
        if payment is None:
            detail = "no attempt of ours"
        elif payment.status != Payment.Status.PENDING:
            detail = f"attempt already {payment.status}"
        elif event_type not in SETTLING_EVENTS:
            detail = "event kept, nothing to settle"
        else:
            result, detail = _decided(gateway.payment(gateway_payment_id), payment)

        with transaction.atomic():
            try:
                with transaction.atomic():
                    row = GatewayWebhook.objects.create(
                        provider=PROVIDER,
                        webhook_id=webhook_id,
                        event_type=event_type,
                        gateway_payment_id=gateway_payment_id,
                        payment=payment,
                        result=detail[:200],
                    )
            except IntegrityError:  # the same webhook, delivered twice at once: the other one applies it
                call.duplicate(f"{event_type} {gateway_payment_id}: already received")
                return WebhookResult(True, duplicate=True)
            if result is not None and payment is not None:
                changed = charge_outcome_record(payment_id=payment.pk, result=result, today=today)
                if not changed:
                    detail = f"{detail}; attempt was recorded meanwhile"
                    row.result = detail[:200]
                    row.save(update_fields=["result"])
        call.detail = f"{event_type} {gateway_payment_id}: {detail}"
    return WebhookResult(True, detail=detail)
