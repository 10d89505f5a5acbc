"""What a locked-out login sees, and the username axes counts failures under.

A login ID is counted case-insensitively (``Alice`` and ``alice`` share their failures). The lockout
answer is the project's JSON error for the API (429, ``login_locked``) and a Korean page elsewhere
(portal and admin login), with ``Retry-After`` in seconds.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.api import error_body
from core.errors import DomainError

STATUS = 429


class LoginLocked(DomainError):
    """The API's answer while a login ID + IP is locked out."""

    status_code = STATUS


def login_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    raw = (credentials or {}).get("username")
    if raw is None:
        raw = request.POST.get("username", "") if request is not None and request.method == "POST" else ""
    return str(raw or "").strip().lower()


def cool_off_minutes(request: HttpRequest | None = None) -> int:
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    return max(1, (seconds + 59) // 60)


def is_locked_out(request: HttpRequest) -> bool:
    """True once the lockout backend refused this request's login (set by django-axes)."""
    return bool(getattr(request, "axes_locked_out", False))


def check_allowed(request: HttpRequest, username: str) -> None:
    """For a password check outside ``authenticate()`` (API reactivation, ACC-10): refuse a locked-out
    login ID + IP with :class:`LoginLocked`."""
    if not AxesProxyHandler.is_allowed(request, {"username": username}):
        request.axes_locked_out = True  # type: ignore[attr-defined]
        raise LoginLocked("login_locked", lockout_message(request))


def record_failure(request: HttpRequest, username: str) -> None:
    """Count a wrong password checked outside ``authenticate()`` as a failed login."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def lockout_message(request: HttpRequest | None = None) -> str:
    text = _("로그인에 여러 번 실패해 잠시 로그인이 제한되었습니다. {minutes}분 뒤에 다시 시도하세요.")
    return text.format(minutes=cool_off_minutes(request))


def too_many_logins(request: HttpRequest, wait: float) -> HttpResponse:
    """Login posts over the per-IP rate (``portal_login``): a Korean page, 429, ``Retry-After``."""
    seconds = int(wait) + 1
    message = _("로그인 시도가 너무 많습니다. {seconds}초 뒤에 다시 시도하세요.").format(seconds=seconds)
    response = render(request, "portal/locked_out.html", {"message": message}, status=STATUS)
    response["Retry-After"] = str(seconds)
    return response


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the answer to a login refused by the lockout."""
    message = lockout_message(request)
    retry_after = str(cool_off_minutes(request) * 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("login_locked", message), status=STATUS)
    else:
        response = render(request, "portal/locked_out.html", {"message": message}, status=STATUS)
    response["Retry-After"] = retry_after
    return response
