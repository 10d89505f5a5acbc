"""A local provider that records messages and simulates delivery, delay and failure (MSG-8).

The default provider and the one tests use. State lives in this process: what
was sent (``sent``) and the results still to report. A script per recipient
number decides what happens: delivered (default), failed with a carrier reason,
rejected at hand-over, no result at all (for the 48-hour timeout) or the
provider being unreachable; each with a delay before the result is reported.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from .base import DeliveryReport, OutboundMessage, ProviderUnavailable, SendReceipt

DELIVERED, FAILED, REJECTED, SILENT, UNAVAILABLE = "delivered", "failed", "rejected", "silent", "unavailable"


@dataclass(frozen=True)
class Outcome:
    result: str = DELIVERED
    reason: str = ""
    delay: dt.timedelta = dt.timedelta(0)


class FakeProvider:
    name = "fake"

    def __init__(self, rate_per_second: int = 100_000) -> None:
        self.rate_per_second = rate_per_second
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.sent: dict[str, OutboundMessage] = {}
        self._ids_by_ref: dict[str, str] = {}
        self._pending: list[tuple[dt.timedelta | dt.datetime | None, DeliveryReport]] = []
        self._script: dict[str, Outcome] = {}
        self._by_kind: dict[str, Outcome] = {}
        self.unavailable = False
        self.calls = 0
        self.handed = 0  # messages handed over, resends included

    def reset(self) -> None:
        self.__init__(self.rate_per_second)  # type: ignore[misc]

    def script(self, recipient: str, outcome: Outcome) -> None:
        """What happens to messages to ``recipient`` (national digits)."""
        self._script[recipient] = outcome

    def script_kind(self, kind: str, outcome: Outcome) -> None:
        """What happens to messages of ``kind`` (a recipient script wins)."""
        self._by_kind[kind] = outcome

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendReceipt]:
        with self._lock:
            self.calls += 1
            if self.unavailable:
                raise ProviderUnavailable("fake provider is unavailable")
            receipts = []
            for message in messages:
                self.handed += 1
                outcome = self._script.get(message.recipient) or self._by_kind.get(message.kind) or Outcome()
                if outcome.result == UNAVAILABLE:
                    raise ProviderUnavailable(f"fake provider unreachable for {message.recipient}")
                if outcome.result == REJECTED:
                    receipts.append(
                        SendReceipt(message.client_ref, False, reason=outcome.reason or "rejected")
                    )
                    continue
                if message.client_ref in self._ids_by_ref:  # the same message again: no second send
                    receipts.append(
                        SendReceipt(message.client_ref, True, self._ids_by_ref[message.client_ref])
                    )
                    continue
                provider_id = f"fake-{next(self._ids)}"
                self._ids_by_ref[message.client_ref] = provider_id
                self.sent[message.client_ref] = message
                if outcome.result != SILENT:
                    self._pending.append(
                        (
                            outcome.delay,
                            DeliveryReport(  # type: ignore[arg-type]
                                self.name,
                                provider_id,
                                outcome.result == DELIVERED,
                                outcome.reason,
                            ),
                        )
                    )
                receipts.append(SendReceipt(message.client_ref, True, provider_id))
            return receipts

    def fetch_results(self, now: dt.datetime) -> list[DeliveryReport]:
        """Results whose delay has passed (delays count from the first poll after the send)."""
        with self._lock:
            due: list[DeliveryReport] = []
            keep: list[tuple[dt.timedelta | dt.datetime | None, DeliveryReport]] = []
            for when, report in self._pending:
                at = now + when if isinstance(when, dt.timedelta) else when
                if at is not None and at <= now:
                    due.append(
                        DeliveryReport(
                            report.provider, report.provider_message_id, report.delivered, report.reason, now
                        )
                    )
                else:
                    keep.append((at, report))
            self._pending = keep
            return due

    def redeliver(self, reports: Sequence[DeliveryReport]) -> None:
        """Report the same results again (carriers do): for tests of idempotent result handling."""
        with self._lock:
            self._pending.extend((dt.timedelta(0), r) for r in reports)


FAKE = FakeProvider()
