"""Outside providers (issue 18): which vendor each port uses, whether it is configured, and a log of calls.

Three ports talk to vendors: card payments (``billing.gateways``), e-tax invoices (``billing`` tax
invoices) and messaging (``messaging.providers``). Each app registers its port here in its
``AppConfig.ready()`` with :func:`register`, naming the setting that chooses the vendor and, per vendor,
the environment variables it needs and which of them are secrets. Core knows no vendor; it offers:

- :func:`status` — per port, the chosen vendor and each variable as *set* / *missing* (secret values are
  never returned), for the admin page and ``manage.py check_providers``;
- :func:`check` — the same plus each vendor's own check (and, when asked, a ping of its test server);
- :func:`provider_call` — a context manager every adapter wraps around each vendor request (and each
  webhook it receives): times it and writes one :class:`~core.models.ProviderCall` row with the outcome,
  never a secret (:func:`redact`).

Settings are read from Django settings first, then the environment, like the gateways always did.
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils.functional import Promise

logger = logging.getLogger(__name__)


def setting(name: str, default: Any = None) -> Any:
    """A provider setting: Django settings first, then the environment, else ``default``."""
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return value


@dataclass(frozen=True)
class Vendor:
    """One vendor a port can use. ``check(ping)`` returns problems (empty = fine); it may raise nothing."""

    name: str
    label: str | Promise
    required: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    check: Callable[[bool], list[str]] | None = None


@dataclass(frozen=True)
class Port:
    kind: str  # a ProviderCall.Kind value
    label: str | Promise
    chooser: str  # the setting naming the vendor, e.g. PAYMENT_GATEWAY
    default: str
    vendors: tuple[Vendor, ...]

    def chosen(self) -> str:
        return str(setting(self.chooser, self.default) or self.default).strip().lower()

    def vendor(self, name: str | None = None) -> Vendor | None:
        wanted = name or self.chosen()
        return next((v for v in self.vendors if v.name == wanted), None)


_PORTS: dict[str, Port] = {}


def register(port: Port) -> None:
    """Called from an app's ``ready()``; registering the same kind again replaces it (reloads, tests)."""
    _PORTS[port.kind] = port


def ports() -> list[Port]:
    return list(_PORTS.values())


@dataclass
class VariableState:
    name: str
    secret: bool
    required: bool
    present: bool


@dataclass
class PortStatus:
    kind: str
    label: str | Promise
    chooser: str
    chosen: str
    vendor_label: str | Promise
    known: bool
    variables: list[VariableState] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.known and not self.problems


def _variables(vendor: Vendor) -> list[VariableState]:
    names = list(dict.fromkeys([*vendor.required, *vendor.secrets, *vendor.optional]))
    return [
        VariableState(
            name=name,
            secret=name in vendor.secrets,
            required=name in vendor.required or name in vendor.secrets,
            present=setting(name, "") not in (None, ""),
        )
        for name in names
    ]


def status() -> list[PortStatus]:
    """What each port is set to, without calling anyone and without any secret value."""
    result = []
    for port in ports():
        chosen = port.chosen()
        vendor = port.vendor(chosen)
        if vendor is None:
            known_names = ", ".join(v.name for v in port.vendors)
            result.append(
                PortStatus(
                    kind=port.kind,
                    label=port.label,
                    chooser=port.chooser,
                    chosen=chosen,
                    vendor_label=chosen,
                    known=False,
                    problems=[f"{port.chooser}={chosen!r} is not one of: {known_names}"],
                )
            )
            continue
        variables = _variables(vendor)
        problems = [f"{v.name} is not set" for v in variables if v.required and not v.present]
        result.append(
            PortStatus(
                kind=port.kind,
                label=port.label,
                chooser=port.chooser,
                chosen=chosen,
                vendor_label=vendor.label,
                known=True,
                variables=variables,
                problems=problems,
            )
        )
    return result


def check(*, ping: bool = False) -> list[PortStatus]:
    """:func:`status` plus each configured vendor's own check (``ping`` asks its test server too)."""
    result = status()
    for state in result:
        if not state.ok:
            continue
        vendor = _PORTS[state.kind].vendor(state.chosen)
        if vendor is None or vendor.check is None:
            continue
        try:
            state.problems.extend(redact(p) for p in vendor.check(ping))
        except Exception as exc:  # a check must report, never crash the command or the page
            state.problems.append(redact(f"{type(exc).__name__}: {exc}"))
    return result


# ── redaction ─────────────────────────────────────────────────────────────────────────────────────

_SECRET_PATTERNS = [
    re.compile(r"(?i)(authorization\s*[:=]\s*)(\S+(?:\s+\S+)?)"),
    re.compile(r"(?i)((?:api[_-]?)?secret[\w-]*\s*[:=]\s*)([^\s,;&\"']+)"),
    re.compile(r"(?i)((?:api[_-]?key|access[_-]?token|token|password)\s*[:=]\s*)([^\s,;&\"']+)"),
]


def _secret_values() -> list[str]:
    values = []
    for port in ports():
        for vendor in port.vendors:
            for name in vendor.secrets:
                value = setting(name, "")
                if value and len(str(value)) >= 4:
                    values.append(str(value))
    return sorted(set(values), key=len, reverse=True)


def redact(text: object) -> str:
    """``text`` with every configured secret value and every ``secret=…``/``Authorization: …`` masked."""
    out = str(text)
    for value in _secret_values():
        out = out.replace(value, "***")
    for pattern in _SECRET_PATTERNS:
        out = pattern.sub(lambda m: m.group(1) + "***", out)
    return out


# ── the call log ──────────────────────────────────────────────────────────────────────────────────


@dataclass
class CallRecord:
    """What an adapter fills in inside :func:`provider_call`; the default outcome is ``ok``."""

    outcome: str = "ok"
    http_status: int | None = None
    reference: str = ""
    detail: str = ""

    def refused(self, detail: str = "") -> None:
        self.outcome, self.detail = "refused", detail or self.detail

    def rejected(self, detail: str = "") -> None:
        self.outcome, self.detail = "rejected", detail or self.detail

    def duplicate(self, detail: str = "") -> None:
        self.outcome, self.detail = "duplicate", detail or self.detail


@contextmanager
def provider_call(*, kind: str, provider: str, operation: str, reference: str = "") -> Iterator[CallRecord]:
    """Time one vendor request and log it. An exception leaving the block is logged as ``error`` and
    re-raised. The row is written on its own (a savepoint), so a failing log never breaks the payment
    or the message it describes; it commits or rolls back with the caller's transaction."""
    record = CallRecord(reference=reference)
    started = time.monotonic()
    try:
        yield record
    except BaseException as exc:
        record.outcome = "error"
        record.detail = record.detail or f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _write(kind, provider, operation, record, int((time.monotonic() - started) * 1000))


def _write(kind: str, provider: str, operation: str, record: CallRecord, duration_ms: int) -> None:
    from .models import ProviderCall

    try:
        with transaction.atomic():
            ProviderCall.objects.create(
                kind=kind,
                provider=provider[:32],
                operation=operation[:48],
                outcome=record.outcome,
                http_status=record.http_status,
                duration_ms=max(duration_ms, 0),
                reference=redact(record.reference)[:120],
                detail=redact(record.detail)[:500],
            )
    except DatabaseError:  # the log is for people; the call it describes matters more
        logger.warning("provider call log not written", extra={"provider": provider, "operation": operation})
