"""API plumbing shared by every app: one JSON error format, actor attribution."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback
from rest_framework.views import exception_handler as drf_exception_handler

from .audit import actor_for_user, reset_actor, set_actor
from .errors import DomainError

_DRF_CODES = {
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "permission_denied",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


def error_body(code: str, message: str, *, rule: str | None = None, field: str | None = None,
               fields: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error": {"code": code, "message": message, "rule": rule, "field": field}}
    if fields:
        body["error"]["fields"] = fields
    body["error"].update(extra)
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error is ``{"error": {"code", "message", "rule", "field", ...}}``."""
    if isinstance(exc, DomainError):
        set_rollback()  # as DRF does for its own errors: nothing half-written survives
        return Response(
            error_body(exc.code, exc.message, rule=exc.rule, field=exc.field,
                       message_ko=exc.message_ko, message_en=exc.message_en),
            status=exc.status_code,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = response.data if isinstance(response.data, dict) else {"non_field_errors": response.data}
        first = next(iter(fields), None)
        # ``codes``: the broken bound per field (``won_out_of_range``, ``unknown_field``: core.fields).
        codes = exc.get_codes()
        response.data = error_body(
            "validation_error", _("입력값이 올바르지 않습니다."), field=first, fields=fields,
            codes=codes if isinstance(codes, dict) else {"non_field_errors": codes},
        )
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    code = getattr(detail, "code", None) or _DRF_CODES.get(response.status_code, "error")
    response.data = error_body(str(code), str(detail))
    return response


class AutoSchema(SpectacularAutoSchema):
    """OpenAPI components named after their view for nested serializers.

    Views keep their own ``InputSerializer``/``OutputSerializer`` classes
    (ARCHITECTURE: one view per operation with its own serializers); by class
    name alone those collide in the schema (drf-spectacular W001), so a nested
    ``MemberListApi.InputSerializer`` becomes the component ``MemberListApiInput``.
    """

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        qualname = type(serializer).__qualname__
        if "." in qualname and "<locals>" not in qualname:
            return qualname.replace(".", "")
        return super().get_serializer_name(serializer, direction)


class AuditedAPIView(APIView):
    """Attributes changes to the authenticated API user (token auth resolves after middleware)."""

    _actor_token: Any = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self._actor_token = set_actor(actor_for_user(request.user))

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # Undo the attribution even without AuditActorMiddleware around the view.
        if self._actor_token is not None:
            reset_actor(self._actor_token)
            self._actor_token = None
        return super().finalize_response(request, response, *args, **kwargs)


class Pagination(PageNumberPagination):
    """Page-number pagination for every API list: ``page`` and ``page_size`` (at most 100)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class LongPagination(Pagination):
    """Lists that integrations page through in bulk (billing: invoices, payments, notes, disputes,
    refunds): 50 a page, ``page_size`` up to 200."""

    page_size = 50
    max_page_size = 200


def page_parameters(pagination: type[Pagination] = Pagination) -> list[OpenApiParameter]:
    """The OpenAPI ``page``/``page_size`` parameters of a list paginated by ``pagination``."""
    return [
        OpenApiParameter("page", int, description="페이지 번호"),
        OpenApiParameter("page_size", int, description=f"페이지 크기 (최대 {pagination.max_page_size})"),
    ]


PAGE_PARAMETERS = page_parameters(Pagination)
LONG_PAGE_PARAMETERS = page_parameters(LongPagination)


IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_MAX_LENGTH = 80


def idempotency_key(request: Request, customer_id: int) -> str:
    """The request's ``Idempotency-Key`` header scoped to the customer (SPEC §11); refused when missing."""
    raw = (request.headers.get(IDEMPOTENCY_HEADER) or "").strip()
    if not raw:
        raise DomainError(
            "idempotency_key_required",
            _("Idempotency-Key 헤더가 필요합니다 (같은 요청을 다시 보내도 한 번만 처리)."),
            field=IDEMPOTENCY_HEADER,
        )
    if len(raw) > IDEMPOTENCY_MAX_LENGTH:
        raise DomainError(
            "idempotency_key_too_long",
            _("Idempotency-Key는 {limit}자 이내여야 합니다."),
            field=IDEMPOTENCY_HEADER,
            limit=IDEMPOTENCY_MAX_LENGTH,
        )
    return f"api:{customer_id}:{raw}"


IDEMPOTENCY_PARAMETER = OpenApiParameter(IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=True,
                                         description="같은 키로 다시 보내면 처음 응답을 돌려줍니다")


def paginate(view: APIView, request: Request, rows: Any, serializer: Any,
             pagination: type[PageNumberPagination] = Pagination) -> Response:
    """One page of ``rows`` serialized with ``serializer`` in the paginated envelope."""
    paginator = pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
