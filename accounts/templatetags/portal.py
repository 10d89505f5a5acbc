"""Template helpers for every portal page: ``{% load portal %}{% portal_member as m %}``."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from ..selectors import member_for_user
from ..validators import format_business_number

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


@register.simple_tag
def portal_operator() -> dict[str, str]:
    """The operator and its support contacts for the portal's footer (settings the operator fills in)."""
    operator = settings.OPERATOR
    return {
        "name": operator["name"],
        "business_number": format_business_number(operator["business_number"]),
        "email": settings.SUPPORT_EMAIL,
        "phone": settings.SUPPORT_PHONE,
    }
