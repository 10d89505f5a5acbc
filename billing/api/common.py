"""What every billing API view shares: the schema tag, the member's customer, "members read, customer
admins write" (ACC-4), the ``Idempotency-Key`` header of the endpoints that move money (SPEC §11), and
the long-list pagination (``core.api.LongPagination``: 50 a page, at most 200)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import IsCustomerAdmin, IsCustomerMember, api_member
from accounts.models import Customer
from core.api import LONG_PAGE_PARAMETERS, LongPagination, paginate
from core.errors import DomainError

TAGS = ["billing"]
IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 80
PAGE_PARAMETERS = LONG_PAGE_PARAMETERS


def request_customer(request: Request) -> Customer:
    """The requesting member's customer: every billing read and write is scoped to it."""
    return api_member(request).customer


def page(view: APIView, request: Request, rows: Any, serializer: Any) -> Response:
    """One page of a billing list (``core.api.paginate`` with the long-list limits)."""
    return paginate(view, request, rows, serializer, LongPagination)


class AdminWrites:
    """Members read; customer admins write (ACC-4)."""

    def get_permissions(self) -> list[Any]:
        if self.request.method == "POST":  # type: ignore[attr-defined]
            return [IsCustomerAdmin()]
        return [IsCustomerMember()]


def idempotency_key(request: Request, customer: Customer) -> str:
    """The request's ``Idempotency-Key``, scoped to the customer; refused when missing or too long."""
    raw = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not raw:
        raise DomainError(
            "idempotency_key_required",
            _("Idempotency-Key 헤더가 필요합니다 (같은 요청을 다시 보내도 한 번만 처리)."),
            field="Idempotency-Key",
        )
    if len(raw) > MAX_KEY_LENGTH:
        raise DomainError(
            "idempotency_key_too_long",
            _("Idempotency-Key는 {limit}자 이내여야 합니다."),
            field="Idempotency-Key",
            limit=MAX_KEY_LENGTH,
        )
    return f"api:{customer.pk}:{raw}"
