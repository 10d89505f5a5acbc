"""What every billing API view shares: the schema tag, the member's customer, "members read, customer
admins write" (ACC-4), the ``Idempotency-Key`` header of the endpoints that move money (SPEC §11), and
the long-list pagination (``core.api.LongPagination``: 50 a page, at most 200)."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.permissions import MembersReadAdminsWrite, api_member
from accounts.models import Customer
from core.api import IDEMPOTENCY_HEADER as IDEMPOTENCY_HEADER
from core.api import LONG_PAGE_PARAMETERS, LongPagination, paginate
from core.api import idempotency_key as core_idempotency_key

TAGS = ["billing"]
PAGE_PARAMETERS = LONG_PAGE_PARAMETERS


def request_customer(request: Request) -> Customer:
    """The requesting member's customer: every billing read and write is scoped to it."""
    return api_member(request).customer


def page(view: APIView, request: Request, rows: Any, serializer: Any) -> Response:
    """One page of a billing list (``core.api.paginate`` with the long-list limits)."""
    return paginate(view, request, rows, serializer, LongPagination)


AdminWrites = MembersReadAdminsWrite  # members read; customer admins write (ACC-4)


def idempotency_key(request: Request, customer: Customer) -> str:
    """The request's ``Idempotency-Key``, scoped to the customer (one rule, in core.api)."""
    return core_idempotency_key(request, customer.pk)
