from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .audit import actor_for_user, reset_actor, set_actor


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
