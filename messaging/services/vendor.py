"""What the messaging vendor knows that staff need to see (issue 18): AlimTalk templates' review state
(MSG-2a) and whether a calling number is registered with the vendor (MSG-4).

Only adapters that can answer offer ``list_templates`` / ``registered_senders`` (Solapi does; the fake
and the generic HTTP adapter do not): asking another one is refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from ..providers import Provider, ProviderTemplate, ProviderUnavailable, get_provider
from .templates_kakao import SyncCounts, templates_sync


def _ask(provider: Provider, method: str, rule: str, *args: Any) -> Any:
    ask = getattr(provider, method, None)
    if ask is None:
        raise DomainError(
            "provider_cannot_tell",
            _("현재 발송 연동({provider})은 이 정보를 제공하지 않습니다 (MESSAGING_PROVIDER 확인)."),
            rule=rule,
            provider=provider.name,
        )
    try:
        return ask(*args)
    except ProviderUnavailable as exc:
        raise DomainError(
            "provider_unavailable",
            _("발송 연동({provider})에 연결하지 못했습니다: {problem}"),
            rule=rule,
            provider=provider.name,
            problem=str(exc),
        ) from exc


def templates_sync_from_provider(
    *,
    now: dt.datetime,
    channels: Iterable[str] = (),
    actor: Any = None,
    provider: Provider | None = None,
) -> SyncCounts:
    """Fetch the vendor's templates (of each channel, or the configured one) and apply their review state."""
    chosen = provider or get_provider()
    wanted: list[str | None] = [*sorted({c for c in channels if c})] or [None]
    found: list[ProviderTemplate] = []
    for channel in wanted:
        found.extend(_ask(chosen, "list_templates", "MSG-2a", channel))
    return templates_sync(found=found, now=now, actor=actor)


def sender_numbers_at_provider(
    *, numbers: Iterable[str], provider: Provider | None = None
) -> dict[str, bool]:
    """For each calling number (digits), whether the vendor has it registered and active (MSG-4)."""
    chosen = provider or get_provider()
    active = set(_ask(chosen, "registered_senders", "MSG-4"))
    return {number: number in active for number in numbers}
