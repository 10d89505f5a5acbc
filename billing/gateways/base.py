"""The payment-gateway port (BIL-7): what billing needs from a PG, whatever the vendor.

A *decline* (card refused, insufficient funds) is a normal answer: ``ChargeResult(success=False)``.
A *transport* problem (timeout, 5xx, unreadable answer) raises :class:`GatewayError`: the outcome
is unknown, so the caller keeps the attempt pending and asks again later with the same
idempotency key — the gateway answers a repeated key with the first result and never charges twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ChargeResult:
    success: bool
    reference: str = ""
    failure_reason: str = ""


class GatewayError(Exception):
    """The gateway could not be asked or did not answer clearly; the charge may or may not exist."""

    def __init__(self, message: str, *, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


class GatewayConfigurationError(GatewayError):
    def __init__(self, message: str) -> None:
        super().__init__(message, retryable=False)


@runtime_checkable
class PaymentGateway(Protocol):
    name: str

    def charge(self, *, amount_won: int, token: str, idempotency_key: str, description: str) -> ChargeResult:
        """Charge ``amount_won`` to the stored method ``token``; a repeated key returns the first result."""
        ...

    def refund(
        self, *, reference: str, amount_won: int, idempotency_key: str, reason: str = ""
    ) -> ChargeResult:
        """Refund (part of) an earlier charge identified by its ``reference``."""
        ...
