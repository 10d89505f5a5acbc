"""API plumbing shared by every app: one JSON error format, actor attribution."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
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

from . import clock
from .audit import actor_for_user, reset_actor, set_actor
from .errors import Conflict, DomainError
from .models import IdempotencyKey

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
        response.data = error_body(
            "validation_error", _("입력값이 올바르지 않습니다."), field=first, fields=fields,
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


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER, str, OpenApiParameter.HEADER, required=True,
    description=(
        "같은 키로 같은 요청을 다시 보내면 처음 응답을 돌려줍니다(`Idempotent-Replayed: true`). 키는 요청 "
        "전체(메서드, 경로, 본문, 고객)에 묶이며 다른 요청에 쓰면 409, 처리 중에 다시 보내면 409입니다. "
        "키는 24시간 뒤 만료됩니다."
    ),
)
IDEMPOTENCY_TTL = dt.timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"


def request_fingerprint(request: Request, scope: int) -> str:
    """SHA-256 of the whole request as Stripe binds a key to it: method, path with query, the parsed
    body (key order and whitespace do not matter) and the acting customer."""
    data = request.data
    if hasattr(data, "lists"):
        data = {key: values for key, values in data.lists()}
    canonical = json.dumps(
        [request.method, request.get_full_path(), scope, data],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key_conflict(code: str, message: Any) -> Conflict:
    return Conflict(code, message, field=IDEMPOTENCY_HEADER)


def idempotency_begin(key: str, fingerprint: str, *, method: str, path: str) -> IdempotencyKey:
    """Take ``key`` for this request, or raise: a stored response to replay (:class:`Replay`), another
    request under the key (409 ``idempotency_key_reused``), the same request still running (409
    ``idempotency_request_in_progress``). The row is committed at once (outside any transaction),
    so a concurrent request sees it; an expired key (24 h) is taken over as new."""
    now = clock.now()
    fields = {"fingerprint": fingerprint, "method": method, "path": path[:500], "created_at": now,
              "expires_at": now + IDEMPOTENCY_TTL, "state": IdempotencyKey.State.IN_FLIGHT,
              "status_code": None, "response_body": None}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(key=key, **fields)
        except IntegrityError:
            pass
        existing = IdempotencyKey.objects.filter(key=key).first()
        if existing is None:
            continue  # it expired and was taken over and released meanwhile: try again
        if existing.expires_at <= now:
            if IdempotencyKey.objects.filter(pk=existing.pk, expires_at=existing.expires_at).update(**fields):
                return IdempotencyKey.objects.get(pk=existing.pk)
            continue
        if existing.fingerprint != fingerprint:
            raise _key_conflict(
                "idempotency_key_reused", _("이 Idempotency-Key는 다른 내용의 요청에 이미 쓰였습니다."),
            )
        if existing.state == IdempotencyKey.State.IN_FLIGHT:
            raise _key_conflict(
                "idempotency_request_in_progress",
                _("같은 Idempotency-Key의 요청을 아직 처리하고 있습니다. 잠시 후 다시 보내 주세요."),
            )
        raise Replay(existing)
    raise _key_conflict(
        "idempotency_request_in_progress",
        _("같은 Idempotency-Key의 요청을 아직 처리하고 있습니다. 잠시 후 다시 보내 주세요."),
    )


class Replay(Exception):
    """The key's stored response is to be replayed (control flow inside :func:`idempotent`)."""

    def __init__(self, record: IdempotencyKey) -> None:
        super().__init__(record.key)
        self.record = record


ViewMethod = Callable[..., Response]


def idempotent(scope: Callable[[Request], Any]) -> Callable[[ViewMethod], ViewMethod]:
    """Make a view method (a POST that moves money or sends) idempotent as Stripe defines it.

    ``scope(request)`` is the acting customer (or its pk). The response of the first request is stored
    and replayed with ``Idempotent-Replayed: true``; a refusal (an exception: validation, a business
    rule) releases the key, so the corrected request may use it again; a 5xx is not stored either.
    """

    def decorate(method: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(method)
        def view(self: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
            owner = scope(request)
            owner_pk = int(getattr(owner, "pk", owner))
            key = idempotency_key(request, owner_pk)
            try:
                record = idempotency_begin(
                    key, request_fingerprint(request, owner_pk), method=request.method or "",
                    path=request.path,
                )
            except Replay as replay:
                response = Response(replay.record.response_body, status=replay.record.status_code)
                response[REPLAYED_HEADER] = "true"
                return response
            try:
                response = method(self, request, *args, **kwargs)
            except BaseException:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
                raise
            if response.status_code >= 500:
                IdempotencyKey.objects.filter(pk=record.pk).delete()
            else:
                IdempotencyKey.objects.filter(pk=record.pk).update(
                    state=IdempotencyKey.State.DONE, status_code=response.status_code,
                    response_body=response.data,
                )
            return response

        return view

    return decorate


def paginate(view: APIView, request: Request, rows: Any, serializer: Any,
             pagination: type[PageNumberPagination] = Pagination) -> Response:
    """One page of ``rows`` serialized with ``serializer`` in the paginated envelope."""
    paginator = pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
