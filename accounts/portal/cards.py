"""The home page's summary panel: a list of cards other apps contribute.

An app registers a provider once (e.g. in its ``AppConfig.ready``)::

    from accounts.portal.cards import Card, register_card

    @register_card
    def open_invoices(request, member):
        count = invoice_selectors.open_for(member.customer).count()
        return Card(title=_("미납 청구서"), value=str(count), url="/invoices/", order=20)

A provider returns a :class:`Card`, several, or ``None`` (nothing to show for this member).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise

Text = str | Promise


@dataclass(frozen=True)
class Card:
    title: Text
    value: Text = ""  # the big figure ("3", "120,000원")
    body: Text = ""  # one or two lines under it
    url: str = ""
    link_text: Text = ""
    order: int = 100  # smaller first
    tone: str = ""  # "", "warning" or "danger"


CardProvider = Callable[[HttpRequest, Any], "Card | Iterable[Card] | None"]

_providers: list[CardProvider] = []


def register_card(provider: CardProvider) -> CardProvider:
    """Add a provider (idempotent, usable as a decorator)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def unregister_card(provider: CardProvider) -> None:
    if provider in _providers:
        _providers.remove(provider)


def cards_for(request: HttpRequest, member: Any) -> list[Card]:
    cards: list[Card] = []
    for provider in list(_providers):
        result = provider(request, member)
        if result is None:
            continue
        if isinstance(result, Card):
            cards.append(result)
        else:
            cards.extend(result)
    return sorted(cards, key=lambda c: c.order)
