"""The one interface every message provider implements (MSG-8)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


class ProviderUnavailable(Exception):
    """The provider could not be reached; the messages go back to the queue and are retried with backoff."""


@dataclass(frozen=True)
class OutboundMessage:
    """What a provider needs to send one message.

    ``client_ref`` (our message id) makes a resend of the same message idempotent. ``template_code`` is
    the AlimTalk template's code (the vendor's template id); ``attempt`` counts hand-overs (1 the first
    time), so an adapter whose vendor cannot drop a resend by itself looks before sending again.
    """

    client_ref: str
    kind: str
    sender: str
    recipient: str
    text: str
    subject: str = ""
    image_url: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    template_code: str = ""
    attempt: int = 1


@dataclass(frozen=True)
class SendReceipt:
    """The provider's answer to one message: accepted (with its id) or rejected with the reason."""

    client_ref: str
    accepted: bool
    provider_message_id: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DeliveryReport:
    """The carrier's result for one message (MSG-6)."""

    provider: str
    provider_message_id: str
    delivered: bool
    reason: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class ProviderTemplate:
    """An AlimTalk template as the vendor lists it: its code, sender profile, review state (MSG-2a)."""

    code: str
    sender_profile: str
    status: str  # a KakaoTemplate.Status value
    reason: str = ""


class Provider(Protocol):
    name: str
    rate_per_second: int

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendReceipt]:
        """Hand the messages over; raise ``ProviderUnavailable`` when nothing could be handed over."""
        ...

    def fetch_results(self, now: dt.datetime) -> list[DeliveryReport]:
        """The delivery results that arrived since the last call."""
        ...
