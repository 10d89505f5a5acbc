"""API permissions: every customer-facing endpoint is scoped to the requesting member's customer."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ..models import Member
from ..selectors import member_for_user


def api_member(request: Request) -> Member:
    """The active member behind an API request (checked by :class:`IsCustomerMember`)."""
    member = getattr(request, "_member", None)
    if member is None:
        member = member_for_user(request.user)
        request._member = member  # type: ignore[attr-defined]
    if member is None:
        from rest_framework.exceptions import PermissionDenied

        raise PermissionDenied(IsCustomerMember.message, code=IsCustomerMember.code)
    return member


class IsCustomerMember(BasePermission):
    """An authenticated, active member of an open customer (staff-only users are refused)."""

    message = _("고객 구성원 계정만 사용할 수 있습니다.")
    code = "not_a_member"

    def has_permission(self, request: Request, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        member = member_for_user(request.user)
        request._member = member  # type: ignore[attr-defined]
        return bool(member and member.status == Member.Status.ACTIVE and member.customer.is_open)


class IsCustomerAdmin(IsCustomerMember):
    """As :class:`IsCustomerMember`, and an admin of the customer (ACC-4)."""

    message = _("고객사 관리자만 할 수 있습니다.")
    code = "admin_required"

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and api_member(request).is_admin


class MembersReadAdminsWrite:
    """A view mixin: any member of the customer reads (GET); only customer admins write (POST) (ACC-4)."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":  # type: ignore[attr-defined]
            return [IsCustomerAdmin()]
        return [IsCustomerMember()]
