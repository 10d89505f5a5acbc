"""The login lockout backend (django-axes), first in ``AUTHENTICATION_BACKENDS``."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class LoginLockoutBackend(AxesStandaloneBackend):
    """Refuses a username + IP that failed ``AXES_FAILURE_LIMIT`` times within the cool-off, before
    any password is hashed. It authenticates nobody itself (``ModelBackend`` does).

    Every login screen passes the request (portal, admin, API token and reactivation). A call without a
    request (the shell, the test client's ``login()``) has no client to count against and is not
    throttled; axes would refuse it outright."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
