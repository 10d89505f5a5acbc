"""Template helpers for every portal page: ``{% load portal %}{% portal_member as m %}``."""

from __future__ import annotations

from typing import Any

from django import template

from ..selectors import member_for_user

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_member(context: template.Context) -> Any:
    """The logged-in member (cached on the request), or None for anonymous and staff users."""
    request = context.get("request")
    if request is None:
        return None
    if not hasattr(request, "member"):
        request.member = member_for_user(getattr(request, "user", None))
    return request.member
