"""Card billing on PortOne V2 (issue 18; BIL-7), through PortOne's own SDK (``portone-server-sdk``).

``PAYMENT_GATEWAY = "portone"`` with ``PORTONE_API_SECRET`` (secret), ``PORTONE_STORE_ID``,
``PORTONE_CHANNEL_KEY`` and ``PORTONE_WEBHOOK_SECRET`` (secret); optionally ``PORTONE_TIMEOUT``
(seconds, default 10) and ``PORTONE_API_URL`` (default ``https://api.portone.io``).

How the port's promises map onto PortOne:

* **Stored card = billing key.** The customer's card becomes a PortOne billing key in the browser
  (PortOne's JS SDK, ``requestIssueBillingKey``); the product stores the key as the payment method's
  ``gateway_token`` and charges it with "pay with billing key" (``POST /payments/{paymentId}/billing-key``).
* **Idempotency key → paymentId.** :func:`payment_id_for` turns our key into PortOne's ``paymentId``:
  deterministic, letters and digits only, 36 characters (some PGs accept nothing else, at most 40); it
  is also sent as PortOne's ``Idempotency-Key`` header.
  A repeat asks for the same payment: PortOne answers ``ALREADY_PAID`` for a paid one, which is the first
  result (success) — the card is never charged twice. A declined paymentId may be tried again (PortOne
  allows it), which is what resending an attempt whose answer was lost means.
* **Two kinds of failure.** A PG refusal (``PG_PROVIDER``), a deleted or unknown billing key and the
  like are declines: ``ChargeResult(success=False)``. A timeout, a connection error, a 5xx, an answer
  the SDK cannot read raise :class:`GatewayError` (retryable). A refused API secret, a store we may not
  use or an unknown channel raise :class:`GatewayConfigurationError`.
* **Partial refund** is a cancel with an amount. PortOne has no idempotency key for cancels, so the
  refund's key is written into the cancel reason as a marker and the payment is read first: a cancel
  carrying the marker already is the first result. The cancel also names the cancellable amount it saw
  (``currentCancellableAmount``), so two racing requests cannot both refund.

Every request is wrapped in :func:`core.providers.provider_call`; the secret goes only into the SDK's
``Authorization`` header and never into a log line, a ``ProviderCall`` row or an exception message.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from portone_server_sdk import errors as pe
from portone_server_sdk import webhook as portone_webhook
from portone_server_sdk.auth import AuthClient
from portone_server_sdk.common import PaymentAmountInput
from portone_server_sdk.payment import PaymentClient

from core import providers

from .base import ChargeResult, GatewayConfigurationError, GatewayError

PROVIDER = "portone"
KIND = "payment"
API_URL = "https://api.portone.io"
DEFAULT_TIMEOUT_SECONDS = 10.0
PING_TIMEOUT_SECONDS = 5.0
PAYMENT_ID_PREFIX = "tops"
_MARKER = re.compile(r"\[ref:([A-Za-z0-9]+)\]")

# PortOne errors that mean "this charge did not and will not happen" (a decline, BIL-8 retries follow).
_DECLINES: tuple[type[Exception], ...] = (
    pe.PgProviderError,
    pe.BillingKeyNotFoundError,
    pe.BillingKeyAlreadyDeletedError,
    pe.MaxTransactionCountReachedError,
    pe.InvalidRequestError,
    pe.DiscountAmountExceedsTotalAmountError,
    pe.SumOfPartsExceedsTotalAmountError,
    pe.PromotionPayMethodDoesNotMatchError,
)
# Errors that mean our configuration is wrong: nothing was charged, and asking again will not help.
_CONFIGURATION: tuple[type[Exception], ...] = (
    pe.UnauthorizedError,
    pe.ForbiddenError,
    pe.ChannelNotFoundError,
)
# Refund answers that mean "no money went back" without doubt.
_REFUND_REFUSALS: tuple[type[Exception], ...] = (
    pe.PgProviderError,
    pe.CancelAmountExceedsCancellableAmountError,
    pe.CancelTaxAmountExceedsCancellableTaxAmountError,
    pe.CancelTaxFreeAmountExceedsCancellableTaxFreeAmountError,
    pe.PaymentAlreadyCancelledError,
    pe.PaymentNotPaidError,
    pe.PaymentNotFoundError,
    pe.InvalidRequestError,
    pe.NegativePromotionAdjustedCancelAmountError,
    pe.SumOfPartsExceedsCancelAmountError,
)

# PortOne payment statuses as the SDK's classes and the API's JSON name them.
_STATUS_BY_CLASS = {
    "PaidPayment": "PAID",
    "FailedPayment": "FAILED",
    "CancelledPayment": "CANCELLED",
    "PartialCancelledPayment": "PARTIAL_CANCELLED",
    "PayPendingPayment": "PAY_PENDING",
    "ReadyPayment": "READY",
    "VirtualAccountIssuedPayment": "VIRTUAL_ACCOUNT_ISSUED",
}


def payment_id_for(idempotency_key: str) -> str:
    """PortOne's ``paymentId`` for our idempotency key: the same key always gives the same id, made of
    letters and digits only (36 characters), so every PG behind PortOne accepts it."""
    digest = hashlib.sha256(idempotency_key.encode("utf-8")).hexdigest()[:32]
    return f"{PAYMENT_ID_PREFIX}{digest}"


@dataclass(frozen=True)
class RemotePayment:
    """What PortOne says about one payment (read back after a webhook, or before a refund)."""

    payment_id: str
    status: str  # PAID, FAILED, CANCELLED, PARTIAL_CANCELLED, READY, PAY_PENDING ...
    total_won: int
    paid_won: int
    cancelled_won: int
    failure_reason: str = ""
    cancellation_reasons: tuple[tuple[str, str], ...] = ()  # (cancellation id, reason)


@dataclass(frozen=True)
class BillingKeyState:
    billing_key: str
    status: str  # ISSUED, DELETED, ...
    label: str = ""


class WebhookRejected(Exception):
    """A webhook that is not PortOne's (bad or missing signature, stale timestamp, not JSON)."""


def _get(obj: Any, snake: str, camel: str | None = None, default: Any = None) -> Any:
    """A field of an SDK object, or of the plain dict the SDK falls back to for shapes it cannot type."""
    if isinstance(obj, Mapping):
        return obj.get(camel or snake, default)
    return getattr(obj, snake, default)


def _error_text(exc: Exception) -> str:
    message = getattr(exc, "message", None) or ""
    pg = " ".join(x for x in (getattr(exc, "pg_code", ""), getattr(exc, "pg_message", "")) if x)
    text = f"{type(exc).__name__}: {message}" + (f" (PG {pg})" if pg else "")
    return providers.redact(text)[:300]


class PortOneGateway:
    """The :class:`~billing.gateways.base.PaymentGateway` port on PortOne V2."""

    name = PROVIDER

    def __init__(
        self,
        *,
        api_secret: str,
        store_id: str,
        channel_key: str,
        webhook_secret: str = "",
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        base_url: str = API_URL,
    ) -> None:
        for name, value in (
            ("PORTONE_API_SECRET", api_secret),
            ("PORTONE_STORE_ID", store_id),
            ("PORTONE_CHANNEL_KEY", channel_key),
        ):
            if not str(value or "").strip():
                raise GatewayConfigurationError(f"{name} is not set")
        if timeout <= 0:
            raise GatewayConfigurationError("PORTONE_TIMEOUT must be positive")
        self.store_id = store_id.strip()
        self.channel_key = channel_key.strip()
        self.timeout = float(timeout)
        self.base_url = (base_url or API_URL).rstrip("/")
        self._webhook_secret = webhook_secret
        self._status = threading.local()
        self._payments = PaymentClient(secret=api_secret, base_url=self.base_url, store_id=self.store_id)
        # The SDK's clients wait 60 s; ours wait PORTONE_TIMEOUT and note each answer's HTTP status.
        self._payments._sync_client = self._http()
        self._payments.billing_key._sync_client = self._http()

    # ------------------------------------------------------------------ plumbing

    def _http(self) -> httpx.Client:
        return httpx.Client(
            timeout=self.timeout,
            event_hooks={"request": [self._add_idempotency_key], "response": [self._note_status]},
        )

    def _add_idempotency_key(self, request: httpx.Request) -> None:
        # PortOne's REST API honours an Idempotency-Key header (16-256 of A-Za-z0-9-_) that this SDK
        # version does not send; a repeated charge then gets the first answer even mid-flight.
        key = getattr(self._status, "idempotency_key", None)
        if key:
            request.headers["Idempotency-Key"] = key

    def _note_status(self, response: httpx.Response) -> None:
        self._status.code = response.status_code

    @contextmanager
    def _call(
        self, operation: str, reference: str, *, idempotency_key: str | None = None
    ) -> Iterator[providers.CallRecord]:
        """One SDK request: logged, and transport trouble turned into :class:`GatewayError`."""
        self._status.code = None
        self._status.idempotency_key = idempotency_key
        with providers.provider_call(
            kind=KIND, provider=PROVIDER, operation=operation, reference=reference
        ) as call:
            try:
                yield call
            except httpx.TimeoutException as exc:
                raise GatewayError(f"PortOne timed out after {self.timeout:g}s ({operation})") from exc
            except httpx.HTTPError as exc:
                raise GatewayError(f"PortOne unreachable ({operation}): {type(exc).__name__}") from exc
            except _CONFIGURATION as exc:
                raise GatewayConfigurationError(
                    f"PortOne refused our configuration ({operation}): {_error_text(exc)}; "
                    "check PORTONE_API_SECRET, PORTONE_STORE_ID and PORTONE_CHANNEL_KEY"
                ) from exc
            except (pe.UnknownError, ValueError, KeyError, TypeError) as exc:
                # UnknownError: a status/type the SDK does not know (e.g. a 5xx); ValueError: not JSON.
                raise GatewayError(
                    f"PortOne answered HTTP {self._status.code or '?'} unclearly ({operation}): "
                    f"{type(exc).__name__}"
                ) from exc
            finally:
                call.http_status = getattr(self._status, "code", None)
                self._status.idempotency_key = None

    # ------------------------------------------------------------------ the port

    def charge(self, *, amount_won: int, token: str, idempotency_key: str, description: str) -> ChargeResult:
        payment_id = payment_id_for(idempotency_key)
        if not token:
            return ChargeResult(False, payment_id, "no billing key (payment method has no gateway token)")
        with self._call("pay_with_billing_key", payment_id, idempotency_key=payment_id) as call:
            try:
                answer = self._payments.pay_with_billing_key(
                    payment_id=payment_id,
                    billing_key=token,
                    channel_key=self.channel_key,
                    order_name=(description or payment_id)[:100],
                    amount=PaymentAmountInput(total=int(amount_won)),
                    currency="KRW",
                )
            except pe.AlreadyPaidError:
                call.duplicate("already paid: the first charge stands")
                return ChargeResult(True, payment_id)
            except _DECLINES as exc:
                reason = _error_text(exc)
                call.refused(reason)
                return ChargeResult(False, payment_id, reason)
            call.detail = f"paid; pgTxId {_get(answer.payment, 'pg_tx_id', 'pgTxId', '')}"
        return ChargeResult(True, payment_id)

    def refund(
        self, *, reference: str, amount_won: int, idempotency_key: str, reason: str = ""
    ) -> ChargeResult:
        if not reference:
            return ChargeResult(False, "", "no PortOne paymentId to refund")
        marker = payment_id_for(idempotency_key)
        try:
            remote = self.payment(reference)
        except pe.PaymentNotFoundError as exc:  # not a payment PortOne knows: nothing to refund
            return ChargeResult(False, reference, _error_text(exc))
        for cancellation_id, text in remote.cancellation_reasons:
            found = _MARKER.search(text or "")
            if found and found.group(1) == marker:
                with self._call("cancel_payment", reference) as call:
                    call.duplicate("refund already made with this key")
                return ChargeResult(True, cancellation_id or marker)
        note = f"{(reason or '').strip()[:150]} [ref:{marker}]".strip()
        with self._call("cancel_payment", reference) as call:
            try:
                answer = self._payments.cancel_payment(
                    payment_id=reference,
                    amount=int(amount_won),
                    reason=note,
                    current_cancellable_amount=remote.paid_won - remote.cancelled_won,
                )
            except pe.CancellableAmountConsistencyBrokenError as exc:
                # Someone cancelled in between: ask again (the marker then tells whether it was us).
                raise GatewayError("PortOne: cancellable amount changed meanwhile; ask again") from exc
            except _REFUND_REFUSALS as exc:
                text = _error_text(exc)
                call.refused(text)
                return ChargeResult(False, reference, text)
            cancellation = answer.cancellation
            kind = type(cancellation).__name__
            status = str(_get(cancellation, "status", default="") or "")
            cancellation_id = str(_get(cancellation, "id", default="") or marker)
            if kind == "FailedPaymentCancellation" or status == "FAILED":
                call.refused("cancellation failed")
                return ChargeResult(False, cancellation_id, "PortOne: cancellation failed")
            call.detail = f"cancellation {cancellation_id} ({kind or status})"
        return ChargeResult(True, cancellation_id)

    # ------------------------------------------------------------------ reads, billing keys, webhooks

    def payment(self, payment_id: str) -> RemotePayment:
        """PortOne's record of one payment (GET /payments/{paymentId})."""
        with self._call("get_payment", payment_id) as call:
            found = self._payments.get_payment(payment_id=payment_id)
            remote = _remote_payment(payment_id, found)
            call.detail = f"status {remote.status}"
        return remote

    def billing_key(self, billing_key: str) -> BillingKeyState:
        """Whether a billing key the browser handed us is issued at PortOne (GET /billing-keys/{key})."""
        with self._call("get_billing_key", "") as call:
            try:
                info = self._payments.billing_key.get_billing_key_info(billing_key=billing_key)
            except (pe.BillingKeyNotFoundError, pe.InvalidRequestError) as exc:
                call.refused(_error_text(exc))
                return BillingKeyState(billing_key, "NOT_FOUND")
            status = _get(info, "status", default="")
            if not status:
                status = {"IssuedBillingKeyInfo": "ISSUED", "DeletedBillingKeyInfo": "DELETED"}.get(
                    type(info).__name__, "UNKNOWN"
                )
            call.detail = f"status {status}"
        return BillingKeyState(billing_key, str(status), _card_label(info))

    def delete_billing_key(self, billing_key: str, *, reason: str = "") -> bool:
        """Delete a billing key at PortOne (the customer removed the card). True when it is gone."""
        with self._call("delete_billing_key", "") as call:
            try:
                self._payments.billing_key.delete_billing_key(billing_key=billing_key, reason=reason or None)
            except (pe.BillingKeyAlreadyDeletedError, pe.BillingKeyNotFoundError) as exc:
                call.duplicate(_error_text(exc))
                return True
            except (pe.PgProviderError, pe.InvalidRequestError, pe.PaymentScheduleAlreadyExistsError) as exc:
                call.refused(_error_text(exc))
                return False
        return True

    def verify_webhook(self, payload: str, headers: Mapping[str, str]) -> dict[str, Any]:
        """The webhook's JSON if PortOne signed it (Standard Webhooks, ``PORTONE_WEBHOOK_SECRET``), else
        :class:`WebhookRejected`."""
        if not self._webhook_secret:
            raise GatewayConfigurationError("PORTONE_WEBHOOK_SECRET is not set")
        try:
            portone_webhook.verify(self._webhook_secret, payload, headers)
        except portone_webhook.WebhookVerificationError as exc:
            raise WebhookRejected(str(exc.reason)) from None
        except portone_webhook.InvalidInputError:
            raise GatewayConfigurationError("PORTONE_WEBHOOK_SECRET is not valid base64") from None
        except ValueError:
            raise WebhookRejected("body is not JSON") from None
        body = json.loads(payload)
        if not isinstance(body, dict):
            raise WebhookRejected("body is not a JSON object")
        return body


def _remote_payment(payment_id: str, found: Any) -> RemotePayment:
    status = _get(found, "status", default="") or _STATUS_BY_CLASS.get(type(found).__name__, "UNKNOWN")
    amount = _get(found, "amount", default={}) or {}
    failure = _get(found, "failure", default=None)
    reasons = []
    for c in _get(found, "cancellations", default=None) or []:
        reasons.append((str(_get(c, "id", default="") or ""), str(_get(c, "reason", default="") or "")))
    failure_reason = ""
    if failure is not None:
        failure_reason = " ".join(
            str(x)
            for x in (
                _get(failure, "reason", default=""),
                _get(failure, "pg_code", "pgCode", ""),
                _get(failure, "pg_message", "pgMessage", ""),
            )
            if x
        )
    return RemotePayment(
        payment_id=payment_id,
        status=str(status),
        total_won=int(_get(amount, "total", default=0) or 0),
        paid_won=int(_get(amount, "paid", default=0) or 0),
        cancelled_won=int(_get(amount, "cancelled", default=0) or 0),
        failure_reason=failure_reason[:300],
        cancellation_reasons=tuple(reasons),
    )


def _card_label(info: Any) -> str:
    for method in _get(info, "methods", default=None) or []:
        card = _get(method, "card", default=None)
        if card is None:
            continue
        name = _get(card, "name", default="") or _get(card, "issuer", default="") or ""
        number = _get(card, "number", default="") or ""
        return f"{name} {number}".strip()[:100]
    return ""


# --------------------------------------------------------------------------- configuration


def _timeout() -> float:
    raw = providers.setting("PORTONE_TIMEOUT", DEFAULT_TIMEOUT_SECONDS)
    try:
        return float(raw)
    except (TypeError, ValueError) as exc:
        raise GatewayConfigurationError(f"PORTONE_TIMEOUT must be a number, not {raw!r}") from exc


_CACHE: dict[tuple[Any, ...], PortOneGateway] = {}
_CACHE_LOCK = threading.Lock()


def from_settings() -> PortOneGateway:
    """The gateway as the environment configures it (``PAYMENT_GATEWAY=portone``). One instance per
    configuration is kept: the SDK builds a dozen HTTP clients (each loading TLS certificates), too
    slow to repeat on every job run; the instance is safe to share between threads."""
    config = (
        str(providers.setting("PORTONE_API_SECRET", "") or ""),
        str(providers.setting("PORTONE_STORE_ID", "") or ""),
        str(providers.setting("PORTONE_CHANNEL_KEY", "") or ""),
        str(providers.setting("PORTONE_WEBHOOK_SECRET", "") or ""),
        _timeout(),
        str(providers.setting("PORTONE_API_URL", API_URL) or API_URL),
    )
    key = (hashlib.sha256(repr(config).encode()).hexdigest(),)  # no secret kept in a dict key
    with _CACHE_LOCK:
        gateway = _CACHE.get(key)
        if gateway is None:
            api_secret, store_id, channel_key, webhook_secret, timeout, base_url = config
            gateway = PortOneGateway(
                api_secret=api_secret,
                store_id=store_id,
                channel_key=channel_key,
                webhook_secret=webhook_secret,
                timeout=timeout,
                base_url=base_url,
            )
            _CACHE.clear()  # one configuration at a time
            _CACHE[key] = gateway
    return gateway


def _valid_webhook_secret(secret: str) -> bool:
    raw = secret[len("whsec_") :] if secret.startswith("whsec_") else secret
    try:
        return bool(base64.b64decode(raw.encode(), validate=True))
    except ValueError:
        return False


def check(ping: bool) -> list[str]:
    """``check_providers``: the settings make sense; with ``ping``, PortOne accepts the API secret
    (``POST /login/api-secret``, a read-only login; PortOne's test mode is a test channel on the same
    API, so there is no other host to ping). Never raises, never waits more than a few seconds."""
    problems: list[str] = []
    try:
        gateway = from_settings()
    except GatewayConfigurationError as exc:
        return [str(exc)]
    if not gateway.store_id.startswith("store-"):
        problems.append("PORTONE_STORE_ID should look like 'store-…' (PortOne console → 연동 정보)")
    if not gateway.channel_key.startswith("channel-key-"):
        problems.append("PORTONE_CHANNEL_KEY should look like 'channel-key-…' (PortOne console → 채널 관리)")
    secret = str(providers.setting("PORTONE_WEBHOOK_SECRET", "") or "")
    if not secret:
        problems.append("PORTONE_WEBHOOK_SECRET is not set")
    elif not _valid_webhook_secret(secret):
        problems.append("PORTONE_WEBHOOK_SECRET is not a base64 secret ('whsec_…')")
    if ping:
        problems.extend(_ping(gateway.base_url))
    return problems


def _ping(base_url: str) -> list[str]:
    client = AuthClient(secret="", base_url=base_url)
    client._sync_client = httpx.Client(timeout=PING_TIMEOUT_SECONDS)
    api_secret = str(providers.setting("PORTONE_API_SECRET", "") or "")
    with providers.provider_call(kind=KIND, provider=PROVIDER, operation="ping") as call:
        try:
            client.login_via_api_secret(api_secret=api_secret)
        except httpx.HTTPError as exc:
            call.outcome, call.detail = "error", f"unreachable: {type(exc).__name__}"
            return [f"PortOne API {base_url} unreachable ({type(exc).__name__})"]
        except pe.UnauthorizedError:
            call.refused("API secret refused")
            return ["PortOne refused PORTONE_API_SECRET (401)"]
        except Exception as exc:  # an answer the SDK cannot read: report, never crash the check
            call.outcome, call.detail = "error", type(exc).__name__
            return [f"PortOne API answered unclearly ({type(exc).__name__})"]
    return []
