"""Recording money received (BIL-7), transfer notices, payment methods, and refunding credit (BIL-11).

``payment_record`` is the one entry point for a succeeded payment from any channel (a bank
transfer matched from a statement, a payment staff enter by hand, a gateway charge that went
through): it validates, records the ``Payment`` and posts it through
:func:`billing.services.allocation.payment_apply` in one transaction.

``transfer_notice_record`` records a customer's "I sent a bank transfer" notice: a *pending*
bank-transfer ``Payment`` that moves no money. When a bank statement later shows a deposit of the
same amount for that customer (matched by payer name, by an alias, by the notice's payer name, or
assigned by staff), :func:`transfer_notice_confirm` turns the notice itself into the succeeded
payment of that deposit, so one transfer is one ``Payment`` and the notice never lingers as pending.

``payment_method_add`` / ``payment_method_set_default`` keep one default method per customer
(the partial unique index ``payment_method_one_default`` is the backstop) under the customer lock.
``payment_method_remove`` retires a method; a card's billing key is deleted at the PG first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Customer
from core.audit import acting_as
from core.errors import Conflict, DomainError
from core.transitions import transition

from ..gateways import GatewayError, get_gateway
from ..lifecycles import PAYMENT
from ..models import Invoice, Payment, PaymentMethod
from . import ledger
from .allocation import payment_apply
from .credits import credit_refund
from .facts import require_positive_won

__all__ = [
    "credit_refund",
    "payment_method_add",
    "payment_method_remove",
    "payment_method_set_default",
    "payment_record",
    "pending_notices_for",
    "transfer_notice_confirm",
    "transfer_notice_record",
]

# A notice matches a deposit dated within this many days of the date the customer gave.
NOTICE_MATCH_DAYS = 14
NOTICE_REFERENCE = "고객 입금 통지"


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


# --------------------------------------------------------------------------- transfer notices


def _member_actor(member: Any) -> Any:
    """``acting_as(member.user)`` so the audit trail names who sent the notice; a no-op without one."""
    user = getattr(member, "user", None)
    return acting_as(user) if user is not None else contextlib.nullcontext()


def transfer_notice_record(
    *,
    customer: Customer,
    amount_won: int,
    transferred_on: dt.date,
    payer_name: str,
    member: Any,
    idempotency_key: str,
    invoice: Invoice | None = None,
) -> Payment:
    """A customer's notice that it sent a bank transfer (BIL-7): a *pending* payment, no ledger entry.

    Money counts only when the bank statement shows it: :mod:`billing.services.bank` then confirms
    the notice with the deposit (:func:`transfer_notice_confirm`). The same ``idempotency_key`` with
    the same content returns the first notice; with other content it is a ``Conflict``.
    """
    amount_won = require_positive_won(amount_won)
    payer_name = _validate_text(payer_name, field="payer_name", limit=100)
    idempotency_key = _validate_text(idempotency_key, field="idempotency_key", limit=100)
    if not idempotency_key:
        raise DomainError(
            "idempotency_key_required", _("멱등 키가 필요합니다."), rule="BIL-7", field="idempotency_key"
        )
    if invoice is not None and invoice.customer_id != customer.pk:
        raise DomainError("wrong_customer", _("다른 고객의 청구서입니다."), rule="BIL-7", field="invoice")
    if member is not None and getattr(member, "customer_id", customer.pk) != customer.pk:
        raise DomainError("wrong_customer", _("다른 고객의 구성원입니다."), rule="BIL-7", field="member")

    def same(existing: Payment) -> Payment:
        if (
            existing.customer_id != customer.pk
            or existing.method != Payment.Method.BANK_TRANSFER
            or existing.amount_won != amount_won
            or existing.invoice_id != (invoice.pk if invoice is not None else None)
            or existing.payer_name != payer_name
        ):
            raise Conflict(
                "idempotency_key_reused",
                _("같은 멱등 키로 다른 결제({amount}원)가 이미 기록되었습니다."),
                rule="BIL-7",
                field="idempotency_key",
                amount=existing.amount_won,
            )
        return existing

    with _member_actor(member), transaction.atomic():
        customer = ledger.lock_customer(customer)
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return same(existing)
        try:
            with transaction.atomic():
                return Payment.objects.create(
                    customer=customer,
                    invoice=invoice,
                    method=Payment.Method.BANK_TRANSFER,
                    amount_won=amount_won,
                    received_on=transferred_on,
                    status=Payment.Status.PENDING,
                    payer_name=payer_name,
                    reference=NOTICE_REFERENCE,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            return same(Payment.objects.get(idempotency_key=idempotency_key))


def pending_notices_for(*, amount_won: int, transacted_on: dt.date) -> QuerySet[Payment]:
    """Pending transfer notices of ``amount_won`` dated near ``transacted_on`` (closest first is the
    caller's choice: see :func:`transfer_notice_confirm`)."""
    window = dt.timedelta(days=NOTICE_MATCH_DAYS)
    return Payment.objects.filter(
        method=Payment.Method.BANK_TRANSFER,
        status=Payment.Status.PENDING,
        amount_won=amount_won,
        received_on__gte=transacted_on - window,
        received_on__lte=transacted_on + window,
    ).order_by("received_on", "id")


def transfer_notice_confirm(
    *,
    customer: Customer,
    amount_won: int,
    received_on: dt.date,
    payer_name: str,
    reference: str,
    invoice: Invoice | None = None,
    today: dt.date | None = None,
) -> Payment | None:
    """A deposit of ``amount_won`` for ``customer`` shows on a statement: if the customer sent a notice
    of that amount (within ``NOTICE_MATCH_DAYS``), the notice becomes the succeeded payment of the
    deposit and is applied; returns it, or None when no notice fits (the caller records a payment).

    Call under the customer lock (``bank`` does); the notice is locked and re-checked, so a deposit
    confirms one notice and a notice is confirmed once.
    """
    with transaction.atomic():
        ledger.lock_customer(customer)
        candidates = list(
            pending_notices_for(amount_won=amount_won, transacted_on=received_on)
            .filter(customer=customer)
            .select_for_update()
        )
        if not candidates:
            return None
        notice = min(candidates, key=lambda p: (abs((p.received_on - received_on).days), p.pk))
        if invoice is None and notice.invoice_id is not None:
            invoice = Invoice.objects.filter(pk=notice.invoice_id).first()
        notice.received_on = received_on
        notice.invoice = invoice
        notice.reference = (f"{NOTICE_REFERENCE} · {reference}" if reference else NOTICE_REFERENCE)[:200]
        if payer_name and not notice.payer_name:
            notice.payer_name = payer_name[:100]
        transition(
            notice,
            PAYMENT,
            Payment.Status.SUCCEEDED,
            today=today or received_on,
            save_fields=["received_on", "invoice", "reference", "payer_name"],
        )
        payment_apply(payment=notice, today=today or received_on)
        return notice


# --------------------------------------------------------------------------- payment methods


def payment_method_set_default(*, method: PaymentMethod) -> PaymentMethod:
    """Make ``method`` its customer's one default (the others lose the flag), under the customer lock.

    An inactive method cannot be the default. The other defaults are cleared before this one is set,
    so the ``payment_method_one_default`` index never sees two."""
    with transaction.atomic():
        ledger.lock_customer(method.customer)
        locked = PaymentMethod.objects.select_for_update().get(pk=method.pk)
        if not locked.active:
            raise DomainError(
                "payment_method_inactive",
                _("사용하지 않는 결제 수단은 기본으로 지정할 수 없습니다: {method}"),
                rule="BIL-7",
                field="method",
                method=str(locked),
            )
        others = PaymentMethod.objects.filter(customer_id=locked.customer_id, is_default=True).exclude(
            pk=locked.pk
        )
        for other in others:
            other.is_default = False
            other.save(update_fields=["is_default", "updated_at"])
        if not locked.is_default:
            locked.is_default = True
            locked.save(update_fields=["is_default", "updated_at"])
    method.is_default = True
    return locked


def payment_method_add(
    *,
    customer: Customer,
    kind: str,
    label: str,
    make_default: bool = False,
    gateway_token: str = "",
) -> PaymentMethod:
    """Record a payment method (BIL-7). The customer's first active method becomes the default, as does
    one added with ``make_default``. ``gateway_token`` is the PG's token for CMS/card: for a card on a
    gateway that issues billing keys (PortOne: issued in the browser by its JS SDK) the key is checked
    at the gateway first, and one it did not issue is refused (nothing stored)."""
    if kind not in PaymentMethod.Kind.values:
        raise DomainError(
            "payment_method_unknown",
            _("알 수 없는 결제 방법입니다: {method}"),
            rule="BIL-7",
            field="kind",
            method=kind,
        )
    label = _validate_text(label, field="label", limit=100)
    gateway_token = _validate_text(gateway_token, field="gateway_token", limit=200)
    if kind == PaymentMethod.Kind.CARD and gateway_token:
        card_label = _check_billing_key(gateway_token)  # always asked: a label never skips the check
        label = label or card_label  # the PG's card label (masked number) when none is given
    if not label:
        raise DomainError(
            "label_required", _("결제 수단의 표시 이름을 적어 주세요."), rule="BIL-7", field="label"
        )
    with transaction.atomic():
        customer = ledger.lock_customer(customer)
        first = not PaymentMethod.objects.filter(customer=customer, active=True).exists()
        method = PaymentMethod.objects.create(
            customer=customer, kind=kind, label=label, gateway_token=gateway_token
        )
        if make_default or first:
            method = payment_method_set_default(method=method)
    return method


def _check_billing_key(token: str) -> str:
    """A card's billing key must be one the gateway issued (asked before anything is written); returns
    the card's label as the gateway shows it (masked number), or "". Gateways without billing keys (the
    fake, the generic HTTP adapter) keep the token as given."""
    lookup = getattr(get_gateway(), "billing_key", None)
    if lookup is None:
        return ""
    try:
        state = lookup(token)
    except GatewayError as exc:
        raise DomainError(
            "gateway_unavailable",
            _("결제대행사에서 카드 등록을 확인하지 못했습니다. 잠시 후 다시 시도해 주세요."),
            rule="BIL-7",
            field="gateway_token",
        ) from exc
    if state.status != "ISSUED":
        raise DomainError(
            "billing_key_invalid",
            _("결제대행사가 발급한 카드 빌링키가 아닙니다."),
            rule="BIL-7",
            field="gateway_token",
        )
    return state.label


def payment_method_remove(*, method: PaymentMethod, reason: str = "") -> PaymentMethod:
    """Retire a payment method (BIL-7; issue 18): it is kept for the payments that name it but is no
    longer used, shown or the default. A card's billing key is deleted at the gateway first (on gateways
    that keep billing keys; the fake records it); when the gateway refuses or cannot be reached the
    method stays exactly as it was and the error names the field. Removing a removed method changes
    nothing.

    BIL-7 sets no condition on removing a method, so the default may be removed while an invoice is open:
    the customer then has no default and no card is charged automatically (they pay by bank transfer or
    add a card); no other card is made the default without the customer choosing it."""
    with transaction.atomic():
        ledger.lock_customer(method.customer)
        locked = PaymentMethod.objects.select_for_update().get(pk=method.pk)
        if not locked.active:
            return locked
        if locked.kind == PaymentMethod.Kind.CARD and locked.gateway_token:
            _delete_billing_key(locked.gateway_token, reason=reason)
        locked.active = False
        locked.is_default = False
        locked.gateway_token = ""
        locked.save(update_fields=["active", "is_default", "gateway_token", "updated_at"])
    return locked


def _delete_billing_key(token: str, *, reason: str) -> None:
    """Delete a card's billing key at the gateway (under the customer lock, so two removals of the same
    card send one request); a refusal or no answer is a ``DomainError`` on ``method``."""
    delete = getattr(get_gateway(), "delete_billing_key", None)
    if delete is None:
        return
    try:
        deleted = delete(token, reason=(reason or "card removed")[:200])
    except GatewayError as exc:
        raise DomainError(
            "gateway_unavailable",
            _(
                "결제대행사에 카드 삭제를 요청하지 못했습니다. 카드는 그대로 남아 있습니다. "
                "잠시 후 다시 시도해 주세요."
            ),
            rule="BIL-7",
            field="method",
        ) from exc
    if not deleted:
        raise DomainError(
            "billing_key_delete_refused",
            _(
                "결제대행사가 카드 삭제를 거절했습니다. 카드는 그대로 남아 있습니다. "
                "결제대행사에 문의해 주세요."
            ),
            rule="BIL-7",
            field="method",
        )
