"""Recording money received (BIL-7) and refunding credit on request (BIL-11).

``payment_record`` is the one entry point for a succeeded payment from any channel (a bank
transfer matched from a statement, a payment staff enter by hand, a gateway charge that went
through): it validates, records the ``Payment`` and posts it through
:func:`billing.services.allocation.payment_apply` in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from core.errors import Conflict, DomainError

from ..models import Invoice, Payment, PaymentMethod
from . import ledger
from .allocation import payment_apply, require_positive_won
from .credits import credit_refund

__all__ = ["credit_refund", "payment_record"]


def _validate_text(value: str, *, field: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise DomainError(
            "text_too_long",
            _("{field}: {limit}자 이내로 적어 주세요."),
            rule="BIL-7",
            field=field,
            limit=limit,
        )
    return value


def _replay(payment: Payment, *, customer: Customer, amount_won: int) -> Payment:
    if payment.customer_id != customer.pk or payment.amount_won != amount_won:
        raise Conflict(
            "idempotency_key_reused",
            _("같은 멱등 키로 다른 결제({amount}원)가 이미 기록되었습니다."),
            rule="BIL-7",
            field="idempotency_key",
            amount=payment.amount_won,
        )
    return payment


def payment_record(
    *,
    customer: Customer,
    amount_won: int,
    method: str,
    received_on: dt.date,
    payer_name: str = "",
    reference: str = "",
    invoice: Invoice | None = None,
    idempotency_key: str | None = None,
    payment_method: PaymentMethod | None = None,
    today: dt.date | None = None,
) -> Payment:
    """Record a succeeded payment and post it (BIL-7): to ``invoice`` if given, else oldest open
    invoice first; a payment to a closed (paid/void) invoice, and any surplus, becomes credit
    balance (BIL-11, BIL-17). An ``idempotency_key`` seen before returns the first payment and
    changes nothing. Nothing is written when a check fails."""
    amount_won = require_positive_won(amount_won)
    if method not in Payment.Method.values:
        raise DomainError(
            "payment_method_unknown",
            _("알 수 없는 결제 방법입니다: {method}"),
            rule="BIL-7",
            field="method",
            method=method,
        )
    payer_name = _validate_text(payer_name, field="payer_name", limit=100)
    reference = _validate_text(reference, field="reference", limit=200)
    if idempotency_key is not None:
        idempotency_key = _validate_text(idempotency_key, field="idempotency_key", limit=100) or None
    if invoice is not None and invoice.customer_id != customer.pk:
        raise DomainError("wrong_customer", _("다른 고객의 청구서입니다."), rule="BIL-7", field="invoice")
    if payment_method is not None and payment_method.customer_id != customer.pk:
        raise DomainError(
            "wrong_customer", _("다른 고객의 결제 수단입니다."), rule="BIL-7", field="payment_method"
        )
    with transaction.atomic():
        customer = ledger.lock_customer(customer)
        if idempotency_key:
            existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return _replay(existing, customer=customer, amount_won=amount_won)
        attempt = 1
        if invoice is not None and method in (Payment.Method.CMS, Payment.Method.CARD):
            # One row per attempt number (BIL-8 constraint): a manual entry takes the next number.
            last = invoice.payments.filter(method__in=[Payment.Method.CMS, Payment.Method.CARD]).aggregate(
                last=Max("attempt")
            )["last"]
            attempt = (last or 0) + 1
        try:
            with transaction.atomic():
                payment = Payment.objects.create(
                    attempt=attempt,
                    customer=customer,
                    invoice=invoice,
                    method=method,
                    payment_method=payment_method,
                    amount_won=amount_won,
                    received_on=received_on,
                    status=Payment.Status.SUCCEEDED,
                    payer_name=payer_name,
                    reference=reference,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            if not idempotency_key:
                raise
            existing = Payment.objects.get(idempotency_key=idempotency_key)
            return _replay(existing, customer=customer, amount_won=amount_won)
        payment_apply(payment=payment, today=today or received_on)
    return payment
