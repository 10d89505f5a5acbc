"""Access control for portal pages: the logged-in user must be an active member of an open customer.

Other apps' portal views use these::

    @member_required
    def invoice_list(request):
        member = request_member(request)  # accounts.models.Member, with .customer
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ..models import Member
from ..selectors import member_for_user

View = Callable[..., HttpResponse]


def request_member(request: HttpRequest) -> Member:
    """The member behind the request (set by :func:`member_required`)."""
    member = getattr(request, "member", None)
    if member is None:
        member = member_for_user(request.user)
        if member is None:
            raise PermissionDenied
        request.member = member  # type: ignore[attr-defined]
    return member


def member_required(view: View) -> View:
    """Login required, and the user must be an active member of an open customer."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        member = member_for_user(request.user)
        if member is None or member.status != Member.Status.ACTIVE or not member.customer.is_open:
            messages.error(request, _("고객 구성원 계정으로 로그인해야 포털을 이용할 수 있습니다."))
            return redirect("portal:login")
        request.member = member  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def admin_member_required(view: View) -> View:
    """As :func:`member_required`, and the member must be an admin of the customer (ACC-4)."""

    @member_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request_member(request).is_admin:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
