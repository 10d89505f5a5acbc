"""Portal template tags of the paid messaging product: whether to show its menu (CON-13)."""

from __future__ import annotations

from typing import Any

from django import template

from contracts.services.messaging_limits import has_messaging
from core import clock

register = template.Library()


@register.simple_tag
def messaging_enabled(member: Any) -> bool:
    """Whether ``member``'s customer has a live kgmsg contract (the messaging pages are shown only then)."""
    return member is not None and has_messaging(member.customer, today=clock.today())
