"""A local, deterministic gateway (the default, ``PAYMENT_GATEWAY = "fake"``).

It never leaves the process. State is shared by every instance in the process (so the job, a
test and a second worker thread see the same charges) and guarded by a lock.

Failures are configured by the ``PAYMENT_GATEWAY_FAKE_FAIL`` setting:

* ``"always"`` — every charge is declined;
* ``"prefix"`` (the default) — tokens starting with ``"fail"`` are declined;
* ``"never"`` or ``""`` — nothing is declined;
* a list/set (or a comma-separated string) of tokens — exactly those are declined;

and, per test, through :func:`fake_state` (``fake_state().fail_tokens.add("tok")``,
``fake_state().fail_first["tok"] = 2`` to decline a token's first two charges,
``refuse_refunds``/``refuse_deletes`` to decline a refund of a payment or a card's removal, ``reset()``).
A repeated idempotency key returns the first result and is not charged again.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from .base import ChargeResult, GatewayError

FAIL_PREFIX = "fail"


@dataclass
class Charge:
    idempotency_key: str
    token: str
    amount_won: int
    description: str
    result: ChargeResult


@dataclass
class FakeState:
    """What the fake gateway remembers, and how tests steer it."""

    results: dict[str, ChargeResult] = field(default_factory=dict)
    charges: list[Charge] = field(default_factory=list)
    refunds: list[tuple[str, int, str]] = field(default_factory=list)
    deleted_billing_keys: list[str] = field(default_factory=list)
    refuse_refunds: set[str] = field(default_factory=set)  # payment references whose refund is declined
    refuse_deletes: set[str] = field(default_factory=set)  # billing keys the PG will not delete
    fail_always: bool = False
    fail_tokens: set[str] = field(default_factory=set)
    fail_first: dict[str, int] = field(default_factory=dict)
    unavailable: bool = False  # raise GatewayError (a timeout) on every call
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reset(self) -> None:
        with self.lock:
            self.results.clear()
            self.charges.clear()
            self.refunds.clear()
            self.deleted_billing_keys.clear()
            self.refuse_refunds.clear()
            self.refuse_deletes.clear()
            self.fail_tokens.clear()
            self.fail_first.clear()
            self.fail_always = False
            self.unavailable = False

    def successful_charges(self) -> list[Charge]:
        return [c for c in self.charges if c.result.success]


_STATE = FakeState()


def fake_state() -> FakeState:
    return _STATE


def _setting_fails(token: str, raw: Any) -> bool:
    if raw is None:
        raw = "prefix"
    if isinstance(raw, str):
        value = raw.strip().lower()
        if value == "always":
            return True
        if value in ("", "never", "none", "false", "0"):
            return False
        if value == "prefix":
            return token.startswith(FAIL_PREFIX)
        return token in {t.strip() for t in raw.split(",") if t.strip()}
    if isinstance(raw, Iterable):
        return token in {str(t) for t in raw}
    return bool(raw)


class FakeGateway:
    name = "fake"

    def __init__(self, state: FakeState | None = None) -> None:
        self.state = state or _STATE

    def _declines(self, token: str) -> str:
        state = self.state
        if state.fail_always or token in state.fail_tokens:
            return "declined (test configuration)"
        remaining = state.fail_first.get(token, 0)
        if remaining > 0:
            state.fail_first[token] = remaining - 1
            return "declined (test configuration: first charges fail)"
        if _setting_fails(token, getattr(settings, "PAYMENT_GATEWAY_FAKE_FAIL", None)):
            return "declined (PAYMENT_GATEWAY_FAKE_FAIL)"
        if not token:
            return "no payment method token"
        return ""

    def charge(self, *, amount_won: int, token: str, idempotency_key: str, description: str) -> ChargeResult:
        with self.state.lock:
            if self.state.unavailable:
                raise GatewayError("fake gateway unavailable (timeout)")
            known = self.state.results.get(idempotency_key)
            if known is not None:
                return known
            reason = self._declines(token)
            digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
            result = (
                ChargeResult(False, f"fake-{digest}", reason)
                if reason
                else ChargeResult(True, f"fake-{digest}")
            )
            self.state.results[idempotency_key] = result
            self.state.charges.append(Charge(idempotency_key, token, amount_won, description, result))
            return result

    def refund(
        self, *, reference: str, amount_won: int, idempotency_key: str, reason: str = ""
    ) -> ChargeResult:
        with self.state.lock:
            if self.state.unavailable:
                raise GatewayError("fake gateway unavailable (timeout)")
            known = self.state.results.get(idempotency_key)
            if known is not None:
                return known
            digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
            if reference in self.state.refuse_refunds:
                return ChargeResult(False, reference, "refund declined (test configuration)")
            result = ChargeResult(True, f"fake-refund-{digest}")
            self.state.results[idempotency_key] = result
            self.state.refunds.append((reference, amount_won, idempotency_key))
            return result

    def delete_billing_key(self, billing_key: str, *, reason: str = "") -> bool:
        """Forget a stored card (recorded in ``deleted_billing_keys``); True when it is gone."""
        with self.state.lock:
            if self.state.unavailable:
                raise GatewayError("fake gateway unavailable (timeout)")
            if billing_key in self.state.refuse_deletes:
                return False
            if billing_key not in self.state.deleted_billing_keys:
                self.state.deleted_billing_keys.append(billing_key)
            return True
