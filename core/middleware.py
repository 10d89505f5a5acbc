from collections.abc import Callable
from contextvars import Token
from typing import Any

from django.http import HttpRequest, HttpResponse

from .audit import actor_for_user, reset_actor, set_actor
from .errors import enter_customer_facing, leave_customer_facing

# URL namespaces whose pages customers read (config/portal_urls.py).
CUSTOMER_NAMESPACES = frozenset({"portal"})


class AuditActorMiddleware:
    """Attributes changes made during a request to the logged-in user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_actor(actor_for_user(getattr(request, "user", None)))
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)


class CustomerFacingMiddleware:
    """Refusals read without rule ids on the customers' pages (issue 15, ``core.errors.customer_facing``):
    a view in a customer namespace (the portal) runs customer-facing; the admin and the API keep the ids."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            token: Token[bool] | None = getattr(request, "_customer_facing_token", None)
            if token is not None:
                leave_customer_facing(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if match is not None and CUSTOMER_NAMESPACES.intersection(match.namespaces):
            request._customer_facing_token = enter_customer_facing()  # type: ignore[attr-defined]
